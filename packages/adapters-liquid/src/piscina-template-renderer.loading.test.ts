import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(PACKAGE, '../..');
const TSC = resolve(ROOT, 'node_modules/.bin/tsc');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

const EXPECTED = { html: '<p>&lt;Ann&gt;</p>', timeout: 'TEMPLATE_TIMEOUT' };

// The worker thread is a separate module graph started by plain Node: these prove its file is
// found and loads both ways Parley runs (vitest itself is the third, covered by the other tests).
describe('PiscinaTemplateRenderer loads its worker', () => {
  it('from the compiled dist/ under plain Node (no TypeScript loader anywhere)', async () => {
    await run(TSC, ['-p', resolve(ROOT, 'packages/messaging-core/tsconfig.build.json')], { cwd: ROOT });
    await run(TSC, ['-p', resolve(PACKAGE, 'tsconfig.build.json')], { cwd: ROOT });
    const { stdout } = await run(process.execPath, ['test/render-with.mjs', './dist/index.js'], {
      cwd: PACKAGE,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject(EXPECTED);
    expect(result.execArgv).toEqual([]);
  }, 120_000);

  it('from the TypeScript sources under tsx, as `pnpm start` runs', async () => {
    const { stdout } = await run(
      TSX,
      ['--conditions=@parley/source', 'test/render-with.mjs', './src/index.ts'],
      { cwd: PACKAGE, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(JSON.parse(stdout)).toMatchObject(EXPECTED);
  }, 120_000);
});
