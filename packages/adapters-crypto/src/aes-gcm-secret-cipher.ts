import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '@parley/messaging-core';

/** Configuration of `AesGcmSecretCipher`. */
export interface AesGcmSecretCipherConfig {
  /** Every key that may have sealed a stored token, by key id; each exactly 32 bytes. */
  readonly keys: Readonly<Record<string, Uint8Array>>;
  /** The key new tokens are sealed with; must be in `keys`. */
  readonly currentKeyId: string;
}

/** Why a token could not be opened (never carries the plaintext or the key). */
export class SecretCipherError extends Error {
  override readonly name = 'SecretCipherError';
  readonly reason: 'malformed' | 'unknown_key' | 'authentication_failed';

  constructor(reason: SecretCipherError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * AES-256-GCM through `node:crypto`. A token is
 * `v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>`: a random 96-bit IV per call, the
 * 128-bit tag, and the key id so any key of the ring opens its own tokens (rotation). The
 * associated data is `v1.<keyId>.<context>`: the key id in the token is authenticated (cannot be
 * swapped), and a token opens only with the context it was sealed with (the core passes
 * `store_email_settings:<storeId>:<field>`, so a ciphertext moved to another store or field
 * fails to open).
 *
 * @example
 * ```ts
 * const cipher = new AesGcmSecretCipher({ keys: { k2: newKey, k1: oldKey }, currentKeyId: 'k2' });
 * const token = cipher.encrypt('SG.secret', 'store_email_settings:acme:sendgrid_api_key');
 * cipher.decrypt(token, 'store_email_settings:acme:sendgrid_api_key'); // "SG.secret"
 * ```
 */
export class AesGcmSecretCipher implements SecretCipher {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #currentKeyId: string;

  constructor(config: AesGcmSecretCipherConfig) {
    const keys = new Map<string, Buffer>();
    for (const [keyId, key] of Object.entries(config.keys)) {
      if (!KEY_ID.test(keyId))
        throw new Error(`encryption key id ${JSON.stringify(keyId)} must match ${KEY_ID}`);
      if (key.length !== 32) throw new Error(`encryption key ${keyId} must be 32 bytes, got ${key.length}`);
      keys.set(keyId, Buffer.from(key));
    }
    if (!keys.has(config.currentKeyId))
      throw new Error(`the current encryption key id ${config.currentKeyId} is not in the key ring`);
    this.#keys = keys;
    this.#currentKeyId = config.currentKeyId;
  }

  /** The id new tokens are sealed with. */
  get currentKeyId(): string {
    return this.#currentKeyId;
  }

  /**
   * @example `cipher.encrypt('hunter2', 'store_email_settings:acme:smtp_password')` → "v1.k2.…"
   */
  encrypt(plaintext: string, context: string): string {
    const keyId = this.#currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(keyId) as Buffer, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(`${VERSION}.${keyId}.${context}`, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, keyId, b64url(iv), b64url(cipher.getAuthTag()), b64url(ciphertext)].join('.');
  }

  /**
   * @example `cipher.decrypt(token, 'store_email_settings:acme:smtp_password')` → "hunter2"
   */
  decrypt(token: string, context: string): string {
    const { keyId, iv, tag, ciphertext } = parse(token);
    const key = this.#keys.get(keyId);
    if (!key)
      throw new SecretCipherError(
        'unknown_key',
        `the secret was encrypted with key id ${keyId}, which is not in PARLEY_ENCRYPTION_KEY`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}.${context}`, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretCipherError(
        'authentication_failed',
        'the secret could not be decrypted: the token was altered, or belongs to another key or context',
      );
    }
  }

  /** @example `cipher.needsRotation(tokenFromK1)` → true once `k2` is current */
  needsRotation(token: string): boolean {
    return parse(token).keyId !== this.#currentKeyId;
  }
}

function parse(token: string): { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = token.split('.');
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (
    parts.length !== 5 ||
    version !== VERSION ||
    keyId === undefined ||
    !KEY_ID.test(keyId) ||
    [iv, tag, ciphertext].some((p) => p === undefined || !B64URL.test(p))
  )
    throw new SecretCipherError('malformed', `not a ${VERSION} secret token`);
  const bytes = {
    keyId,
    iv: Buffer.from(iv as string, 'base64url'),
    tag: Buffer.from(tag as string, 'base64url'),
    ciphertext: Buffer.from(ciphertext as string, 'base64url'),
  };
  if (bytes.iv.length !== IV_BYTES || bytes.tag.length !== TAG_BYTES)
    throw new SecretCipherError('malformed', `not a ${VERSION} secret token`);
  return bytes;
}

/**
 * Parses a key ring as `PARLEY_ENCRYPTION_KEY` holds it: `kid:base64key[,kid:base64key…]`, the
 * first being current; each key 32 bytes in base64 or base64url.
 *
 * @example
 * ```ts
 * const ring = parseKeyRing('k2:' + newKeyB64 + ',k1:' + oldKeyB64);
 * new AesGcmSecretCipher(ring);
 * ```
 */
export function parseKeyRing(value: string): AesGcmSecretCipherConfig {
  const keys: Record<string, Uint8Array> = {};
  let current: string | undefined;
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const colon = entry.indexOf(':');
    if (colon < 1) throw new Error('each encryption key must be written kid:base64-32-bytes');
    const keyId = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material)) throw new Error(`encryption key ${keyId} is not base64`);
    const key = Buffer.from(material.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length !== 32)
      throw new Error(`encryption key ${keyId} must decode to 32 bytes, got ${key.length}`);
    if (keyId in keys) throw new Error(`encryption key id ${keyId} appears twice`);
    keys[keyId] = new Uint8Array(key);
    current ??= keyId;
  }
  if (current === undefined) throw new Error('the encryption key ring is empty');
  return { keys, currentKeyId: current };
}

/** A fresh key ring line with one random key, as the API writes into the data dir in development. */
export function generateKeyRing(keyId = 'k1'): string {
  return `${keyId}:${randomBytes(32).toString('base64')}`;
}
