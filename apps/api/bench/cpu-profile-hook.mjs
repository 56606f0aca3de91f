// Preloaded into a benchmarked API process (`node --import …/cpu-profile-hook.mjs`) when
// BENCH_CPU_PROFILE_DIR is set: samples the CPU from the start and writes
// `<dir>/api-<pid>.cpuprofile` on SIGWINCH (the API shuts down on SIGUSR2), while the process still runs, then samples afresh: a
// later SIGWINCH writes `<dir>/api-<pid>-<n>.cpuprofile`, so a benchmark gets one profile per phase.
// `--cpu-prof` writes only at a clean exit, which a process stopped under load or by SIGKILL never
// reaches.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  let written = 0;
  process.on('SIGWINCH', () => {
    void session.post('Profiler.stop').then(async ({ profile }) => {
      const suffix = written === 0 ? '' : `-${written}`;
      written += 1;
      writeFileSync(`${dir}/api-${process.pid}${suffix}.cpuprofile`, JSON.stringify(profile));
      await session.post('Profiler.start');
    });
  });
}
