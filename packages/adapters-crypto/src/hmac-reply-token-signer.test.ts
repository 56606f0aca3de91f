import { decodeReplyToken, issueReplyToken, matchReplyToken } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { deriveReplyTokenKey, HmacReplyTokenSigner } from './hmac-reply-token-signer.js';

const ana = { type: 'customer', id: 'c1' };

describe('HmacReplyTokenSigner', () => {
  it('signs deterministically, differently per key, and refuses short keys', () => {
    const a = new HmacReplyTokenSigner('a'.repeat(32));
    const b = new HmacReplyTokenSigner(deriveReplyTokenKey('some jwt secret of enough length!!'));
    const data = new TextEncoder().encode('payload');
    expect(a.sign(data)).toEqual(a.sign(data));
    expect(a.sign(data)).toHaveLength(32);
    expect(Buffer.from(a.sign(data))).not.toEqual(Buffer.from(b.sign(data)));
    expect(() => new HmacReplyTokenSigner('short')).toThrow(/at least 32/);
  });

  it('issues reply tokens that verify under the same key only', () => {
    const signer = new HmacReplyTokenSigner('k'.repeat(40));
    const token = issueReplyToken(
      signer,
      ana,
      '0190c4d2-7a3b-7c00-8e1f-123456789abc',
      new Date('2030-01-01'),
    );
    const decoded = decodeReplyToken(token ?? '');
    expect(decoded).not.toBeNull();
    expect(matchReplyToken(signer, decoded!, [ana])).toEqual(ana);
    expect(matchReplyToken(new HmacReplyTokenSigner('j'.repeat(40)), decoded!, [ana])).toBeNull();
  });
});
