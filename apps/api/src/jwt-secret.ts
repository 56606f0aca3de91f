import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JWT_SECRET_MIN_LENGTH } from './config.js';

/** Where the secret came from: the environment, a file generated earlier, or generated now. */
export type JwtSecretSource = 'environment' | 'data-dir' | 'generated';

export interface ResolvedJwtSecret {
  readonly secret: string;
  readonly source: JwtSecretSource;
  /** The file holding a generated secret (absent when it came from the environment). */
  readonly path?: string;
}

/** File name of the generated secret inside the data directory. */
export const JWT_SECRET_FILE = 'jwt-secret';

function isNodeError(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * The configured `PARLEY_JWT_SECRET`, else the one kept in `dataDir/jwt-secret`, else a new
 * random one written there (mode 0600) so tokens stay valid across restarts.
 *
 * @example
 * ```ts
 * const { secret, source } = await resolveJwtSecret(config.jwtSecret, config.dataDir);
 * ```
 */
export async function resolveJwtSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<ResolvedJwtSecret> {
  if (configured !== undefined) return { secret: configured, source: 'environment' };
  const path = join(dataDir, JWT_SECRET_FILE);
  try {
    const secret = (await readFile(path, 'utf8')).trim();
    if (secret.length < JWT_SECRET_MIN_LENGTH) {
      throw new Error(
        `${path} holds a secret shorter than ${JWT_SECRET_MIN_LENGTH} characters: delete it to generate a new one, or set PARLEY_JWT_SECRET`,
      );
    }
    await chmod(path, 0o600);
    return { secret, source: 'data-dir', path };
  } catch (error) {
    if (!isNodeError(error, 'ENOENT')) throw error;
  }
  const secret = randomBytes(48).toString('base64url');
  try {
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process generated it first: use theirs.
    if (isNodeError(error, 'EEXIST')) return resolveJwtSecret(undefined, dataDir);
    throw error;
  }
  return { secret, source: 'generated', path };
}
