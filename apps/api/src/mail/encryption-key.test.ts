import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyRing } from '@parley/adapters-crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENCRYPTION_KEY_FILE, resolveEncryptionKey } from './encryption-key.js';

describe('resolveEncryptionKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the configured key ring as is', async () => {
    expect(await resolveEncryptionKey('k9:abc', dir)).toEqual({ keyRing: 'k9:abc', source: 'environment' });
  });

  it('generates a key once into the data dir (0600) and reads it back after', async () => {
    const first = await resolveEncryptionKey(undefined, dir);
    expect(first.source).toBe('generated');
    expect(parseKeyRing(first.keyRing).currentKeyId).toBe('k1');
    const path = join(dir, ENCRYPTION_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(first.keyRing);
    expect(await resolveEncryptionKey(undefined, dir)).toEqual({
      keyRing: first.keyRing,
      source: 'data-dir',
      path,
    });
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    await writeFile(join(dir, ENCRYPTION_KEY_FILE), 'k1:short\n');
    await expect(resolveEncryptionKey(undefined, dir)).rejects.toThrow('32 bytes');
  });
});
