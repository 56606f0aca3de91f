import { defineConfig } from 'vitest/config';

// One root config: every package's tests run in one vitest process and resolve workspace
// packages to their TypeScript sources (the "@parley/source" export condition), so tests never
// wait for a build. `.ci/run` reads the JSON report to print its one-line summary.
export default defineConfig({
  resolve: { conditions: ['@parley/source'] },
  ssr: { resolve: { conditions: ['@parley/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine,
    // where most test time is spent waiting on PostgreSQL, sockets and timers. Two workers keep
    // both cores busy (CI went from 1,064 s of tests in one worker to the figure in docs/testing.md).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
