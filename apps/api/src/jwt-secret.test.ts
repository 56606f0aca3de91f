import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JWT_SECRET_FILE, resolveJwtSecret } from './jwt-secret.js';

describe('resolveJwtSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-secret-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('uses PARLEY_JWT_SECRET when given, writing nothing', async () => {
    expect(await resolveJwtSecret('e'.repeat(40), dir)).toEqual({
      secret: 'e'.repeat(40),
      source: 'environment',
    });
    await expect(stat(join(dir, JWT_SECRET_FILE))).rejects.toThrow();
  });

  it('generates one secret, keeps it in the data dir (0600) and reuses it', async () => {
    const first = await resolveJwtSecret(undefined, dir);
    expect(first.source).toBe('generated');
    expect(first.secret.length).toBeGreaterThanOrEqual(64);
    const path = join(dir, JWT_SECRET_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(first.secret);
    const second = await resolveJwtSecret(undefined, dir);
    expect(second).toEqual({ secret: first.secret, source: 'data-dir', path });
  });

  it('refuses a kept secret that is too short', async () => {
    await writeFile(join(dir, JWT_SECRET_FILE), 'short\n', { mode: 0o600 });
    await expect(resolveJwtSecret(undefined, dir)).rejects.toThrow(/shorter than 32/);
  });
});
