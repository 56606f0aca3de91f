import { createHmac } from 'node:crypto';
import type { ReplyTokenSigner } from '@parley/messaging-core';

/** Shortest key accepted: 256 bits written as 32 characters. */
export const REPLY_TOKEN_KEY_MIN_LENGTH = 32;

/**
 * `ReplyTokenSigner` as HMAC-SHA256 (`node:crypto`) under one installation key. The key is
 * `PARLEY_INBOUND_SECRET`, or one derived from another secret with `deriveReplyTokenKey`, so
 * reply addresses stop verifying when that secret is rotated (old notification emails then get
 * the `invalid_token` bounce).
 *
 * @example
 * ```ts
 * const signer = new HmacReplyTokenSigner(config.inbound.secret);
 * signer.sign(new TextEncoder().encode('…')).length; // 32
 * ```
 */
export class HmacReplyTokenSigner implements ReplyTokenSigner {
  readonly #key: Buffer;

  constructor(key: string | Uint8Array) {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (bytes.length < REPLY_TOKEN_KEY_MIN_LENGTH)
      throw new Error(`HmacReplyTokenSigner: the key must be at least ${REPLY_TOKEN_KEY_MIN_LENGTH} bytes`);
    this.#key = bytes;
  }

  sign(data: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.#key).update(data).digest());
  }
}

/**
 * A reply-token key derived from another secret (the JWT secret): HMAC-SHA256 of a fixed label,
 * so the derived key reveals nothing about the secret and serves no other purpose.
 */
export function deriveReplyTokenKey(secret: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update('parley/inbound-reply-token/v1').digest());
}
