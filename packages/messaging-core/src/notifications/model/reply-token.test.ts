import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReplyTokenSigner } from '../ports/reply-token-signer.js';
import {
  base32Decode,
  base32Encode,
  decodeReplyToken,
  issueReplyToken,
  MAX_LOCAL_PART_LENGTH,
  matchReplyToken,
  REPLY_ADDRESS_PREFIX,
  replyTokenFromAddress,
} from './reply-token.js';

/** A keyed FNV-1a stand-in for the HMAC adapter: deterministic, different per key (not secure). */
function toySigner(key: string): ReplyTokenSigner {
  return {
    sign(data) {
      const out = new Uint8Array(16);
      let h = 0x811c9dc5;
      const bytes = [...new TextEncoder().encode(key), ...data];
      for (let round = 0; round < 16; round++) {
        for (const b of bytes) h = Math.imul(h ^ b ^ round, 0x01000193) >>> 0;
        out[round] = h & 255;
      }
      return out;
    },
  };
}

const signer = toySigner('k1');
const ana = { type: 'customer', id: 'c-ana' };
const bob = { type: 'store_staff', id: 'u-bob' };
const conversationId = '0190c4d2-7a3b-7c00-8e1f-123456789abc';
const expiresAt = new Date('2027-03-01T12:00:00Z');

describe('reply tokens', () => {
  it('round-trips base32 for any bytes (seeded property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base32Encode(bytes);
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(base32Decode(text)).toEqual(bytes);
        expect(base32Decode(text.toUpperCase())).toEqual(bytes);
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it('fits a UUID conversation in a 64-character local part, lower case', () => {
    const token = issueReplyToken(signer, ana, conversationId, expiresAt);
    expect(token).toMatch(/^[a-z2-7]{47}$/);
    expect(REPLY_ADDRESS_PREFIX.length + (token?.length ?? 99)).toBeLessThanOrEqual(MAX_LOCAL_PART_LENGTH);
  });

  it('names the conversation and the end of the expiry day, and binds the participant', () => {
    const token = issueReplyToken(signer, ana, conversationId, expiresAt) ?? '';
    const decoded = decodeReplyToken(token.toUpperCase());
    expect(decoded?.conversationId).toBe(conversationId);
    expect(decoded?.expiresAt.toISOString()).toBe('2027-03-01T23:59:59.999Z');
    expect(matchReplyToken(signer, decoded!, [bob, ana])).toEqual(ana);
    expect(matchReplyToken(signer, decoded!, [bob])).toBeNull();
    expect(matchReplyToken(toySigner('other key'), decoded!, [ana, bob])).toBeNull();
  });

  it('refuses any altered character (seeded property)', () => {
    const token = issueReplyToken(signer, ana, conversationId, expiresAt) ?? '';
    fc.assert(
      fc.property(
        fc.nat(token.length - 1),
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'),
        (i, c) => {
          fc.pre(token[i] !== c);
          const altered = `${token.slice(0, i)}${c}${token.slice(i + 1)}`;
          const decoded = decodeReplyToken(altered);
          if (decoded !== null) expect(matchReplyToken(signer, decoded, [ana, bob])).toBeNull();
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('carries non-UUID ids while they fit, and gives up past 64 characters', () => {
    const short = issueReplyToken(signer, ana, 'id-000000001', expiresAt) ?? '';
    expect(decodeReplyToken(short)?.conversationId).toBe('id-000000001');
    expect(issueReplyToken(signer, ana, 'x'.repeat(40), expiresAt)).toBeNull();
  });

  it('reads the token from our reply addresses only', () => {
    expect(replyTokenFromAddress('Reply+ABC234@Inbound.Example.com', 'inbound.example.com')).toBe('abc234');
    expect(replyTokenFromAddress('reply+abc@other.example', 'inbound.example.com')).toBeNull();
    expect(replyTokenFromAddress('support@inbound.example.com', 'inbound.example.com')).toBeNull();
    expect(replyTokenFromAddress('reply+ab-c@inbound.example.com', 'inbound.example.com')).toBeNull();
    expect(decodeReplyToken('abc')).toBeNull();
  });
});
