import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Production sources: every `.ts` under `apps/*\/src` and `packages/*\/src`, except tests and test support. */
async function productionSources(): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'testing') await walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
    }
  };
  for (const group of ['apps', 'packages']) {
    for (const entry of await readdir(join(ROOT, group), { withFileTypes: true })) {
      const src = join(ROOT, group, entry.name, 'src');
      if (entry.isDirectory()) await walk(src).catch(() => undefined);
    }
  }
  return files;
}

describe('environment variables', () => {
  it('are read only by apps/api/src/config.ts, the single source of their defaults and descriptions', async () => {
    const readers: string[] = [];
    for (const file of await productionSources()) {
      const text = await readFile(file, 'utf8');
      // Comments may mention it; code may not touch it.
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      if (/\bprocess\.env\b/.test(code)) readers.push(relative(ROOT, file));
    }
    expect(readers).toEqual(['apps/api/src/config.ts']);
  });
});
