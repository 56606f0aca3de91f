import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyRing, parseKeyRing } from '@parley/adapters-crypto';

/** File name of the generated key ring inside the data directory. */
export const ENCRYPTION_KEY_FILE = 'encryption-key';

export interface ResolvedEncryptionKey {
  /** The key ring line (`kid:base64[,kid:base64…]`). */
  readonly keyRing: string;
  readonly source: 'environment' | 'data-dir' | 'generated';
  readonly path?: string;
}

function isNodeError(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * The configured `PARLEY_ENCRYPTION_KEY`, else the ring kept in `dataDir/encryption-key`, else a
 * new random key written there (mode 0600), like the development JWT secret. `parseConfig`
 * already refuses a production start without the variable.
 *
 * @example
 * ```ts
 * const { keyRing } = await resolveEncryptionKey(config.encryptionKey, config.dataDir);
 * new AesGcmSecretCipher(parseKeyRing(keyRing));
 * ```
 */
export async function resolveEncryptionKey(
  configured: string | undefined,
  dataDir: string,
): Promise<ResolvedEncryptionKey> {
  if (configured !== undefined) return { keyRing: configured, source: 'environment' };
  const path = join(dataDir, ENCRYPTION_KEY_FILE);
  try {
    const keyRing = (await readFile(path, 'utf8')).trim();
    parseKeyRing(keyRing);
    await chmod(path, 0o600);
    return { keyRing, source: 'data-dir', path };
  } catch (error) {
    if (!isNodeError(error, 'ENOENT')) throw error;
  }
  const keyRing = generateKeyRing('k1');
  try {
    await writeFile(path, `${keyRing}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (isNodeError(error, 'EEXIST')) return resolveEncryptionKey(undefined, dataDir);
    throw error;
  }
  return { keyRing, source: 'generated', path };
}
