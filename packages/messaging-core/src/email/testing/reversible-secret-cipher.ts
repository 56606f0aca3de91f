import { MessagingError } from '../../kernel/errors.js';
import type { SecretCipher } from '../ports/secret-cipher.js';

function b64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(value: string): string {
  const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * A `SecretCipher` for tests of the core: NOT encryption (the token is reversible by anyone),
 * but it keeps the port's observable rules: tokens tagged with a key id, the plaintext never
 * appears in the token, the context must match, unknown key ids fail, and rotation is reported.
 * Production uses `AesGcmSecretCipher` from `@parley/adapters-crypto`.
 *
 * @example
 * ```ts
 * const cipher = new ReversibleSecretCipher({ currentKeyId: 'k2', knownKeyIds: ['k1', 'k2'] });
 * ```
 */
export class ReversibleSecretCipher implements SecretCipher {
  readonly #current: string;
  readonly #known: ReadonlySet<string>;
  #sequence = 0;

  constructor(options: { currentKeyId?: string; knownKeyIds?: readonly string[] } = {}) {
    this.#current = options.currentKeyId ?? 'test';
    this.#known = new Set([this.#current, ...(options.knownKeyIds ?? [])]);
  }

  encrypt(plaintext: string, context: string): string {
    this.#sequence += 1;
    const reversed = [...plaintext].reverse().join('');
    return `t1.${this.#current}.${this.#sequence}.${b64url(context)}.${b64url(reversed)}`;
  }

  decrypt(token: string, context: string): string {
    const [version, keyId, , sealedContext, body] = token.split('.');
    if (version !== 't1' || keyId === undefined || sealedContext === undefined || body === undefined)
      throw new MessagingError('INTERNAL', 'not a secret token');
    if (!this.#known.has(keyId)) throw new MessagingError('INTERNAL', `unknown encryption key id ${keyId}`);
    if (unb64url(sealedContext) !== context)
      throw new MessagingError('INTERNAL', 'secret token does not belong to this context');
    return [...unb64url(body)].reverse().join('');
  }

  needsRotation(token: string): boolean {
    return token.split('.')[1] !== this.#current;
  }
}
