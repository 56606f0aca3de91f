// Preloaded into a benchmarked API process (`node --expose-gc --import …/memory-hook.mjs`) by
// `BENCH_MEMORY=1 pnpm bench:api`: on SIGWINCH it runs two full garbage collections and writes
// `<BENCH_MEMORY_DIR>/memory-<pid>-<n>.json` with `process.memoryUsage()` after them. The live heap
// after a full collection is what a leak would grow; the resident set alone also holds garbage
// V8 has not collected yet and pages it has not returned.
import { writeFileSync } from 'node:fs';

const dir = process.env.BENCH_MEMORY_DIR;
if (dir) {
  let written = 0;
  process.on('SIGWINCH', () => {
    globalThis.gc?.();
    globalThis.gc?.();
    writeFileSync(`${dir}/memory-${process.pid}-${written}.json`, JSON.stringify(process.memoryUsage()));
    written += 1;
  });
}
