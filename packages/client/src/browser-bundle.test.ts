import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The main entry must bundle for a browser as it is: no Node built-in anywhere in its graph.
describe('the main entry in a browser bundle', () => {
  it('bundles for the browser platform without Node built-ins, and stays small', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('openapi-fetch'))).toBe(true);
    expect(inputs.some((path) => path.includes('eventsource-parser'))).toBe(true);
    expect(inputs.filter((path) => path.startsWith('node:') || /\/(ws|undici)\//.test(path))).toEqual([]);
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/from\s*["']node:/);
    // The types are erased: the client itself is a few kilobytes.
    expect(gzipSync(code).length).toBeLessThan(20_000);
  });

  it('the check is not a rubber stamp: a Node built-in does not bundle for the browser', async () => {
    await expect(
      build({
        stdin: { contents: "import { readFile } from 'node:fs/promises'; console.log(readFile);" },
        bundle: true,
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      }),
    ).rejects.toThrow(/node:fs\/promises/);
  });
});
