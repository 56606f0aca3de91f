// How a benchmark starts the API: the production way (compiled JavaScript from `pnpm build`, run by
// node itself) unless BENCH_RUNTIME=tsx asks for the sources under tsx, as `pnpm start` runs them.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(APP_DIR, '..', '..');

/** Node arguments (relative to apps/api) that start the API, and a label for the printed figures. */
export function apiEntry(log: (line: string) => void = console.log): {
  readonly args: readonly string[];
  readonly runtime: string;
} {
  if (process.env.BENCH_RUNTIME === 'tsx') {
    return {
      args: ['--import', 'tsx', '--conditions=@parley/source', 'src/main.ts'],
      runtime: 'sources under tsx (BENCH_RUNTIME=tsx)',
    };
  }
  log('building the API and its packages (turbo; cached when nothing changed) …');
  const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@parley/api...'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) throw new Error(`pnpm build failed (exit ${build.status})`);
  return { args: ['dist/main.js'], runtime: 'compiled JavaScript (pnpm build), node dist/main.js' };
}
