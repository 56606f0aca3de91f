import { createHmac } from 'node:crypto';
import { isMessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { InMemoryMailgunTokenCache, MailgunWebhook } from './mailgun-webhook.js';
import { MailgunWebhookSigner, sampleMailgunEventData } from './testing/mailgun-webhook-signer.js';

const KEY = 'key-7e55d003b1f2e6e3b5b9d8c5c8a9e4f1';
let now = new Date('2026-03-01T12:00:00Z');
const clock = { now: () => now };
const NOW_SECONDS = () => Math.floor(now.getTime() / 1000);
const signer = new MailgunWebhookSigner(KEY);
const MESSAGE_ID = '20260301120000.1.ABCDEF@mg.acme.test';

function fresh(): MailgunWebhook {
  return new MailgunWebhook({ signingKey: KEY, clock });
}

function rejection(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isMessagingError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('MailgunWebhook', () => {
  it('verifies a signed delivered event and normalizes it', () => {
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    const body = signer.body(data, { timestamp: NOW_SECONDS() });
    expect(fresh().verify({ rawBody: Buffer.from(body) })).toEqual([
      {
        provider: 'mailgun',
        eventId: data.id,
        type: 'delivered',
        occurredAt: new Date(Math.round(1_521_472_262.908181 * 1000)),
        emailId: 'log-1',
        providerMessageId: MESSAGE_ID,
        recipient: 'alice@example.com',
        detail: { event: 'delivered', code: '250', message: 'OK' },
      },
    ]);
  });

  it('maps opened, clicked, complained and failed by severity', () => {
    const webhook = fresh();
    const run = (options: Parameters<typeof sampleMailgunEventData>[0]) =>
      webhook.verify({ rawBody: signer.body(sampleMailgunEventData(options), { timestamp: NOW_SECONDS() }) });
    expect(run({ event: 'opened', emailId: 'log-1', messageId: MESSAGE_ID })[0]).toMatchObject({
      type: 'opened',
      detail: { ip: '50.56.129.169', user_agent: expect.stringContaining('Chrome') },
    });
    expect(run({ event: 'clicked', emailId: 'log-1', messageId: MESSAGE_ID })[0]).toMatchObject({
      type: 'clicked',
      detail: { url: 'https://example.com/offer' },
    });
    expect(run({ event: 'complained', emailId: 'log-1', messageId: MESSAGE_ID })[0]?.type).toBe('complained');
    expect(
      run({ event: 'failed', severity: 'permanent', emailId: 'log-1', messageId: MESSAGE_ID })[0],
    ).toMatchObject({
      type: 'bounced',
      detail: { severity: 'permanent', reason: 'bounce', code: '550' },
    });
    expect(
      run({ event: 'failed', severity: 'temporary', emailId: 'log-1', messageId: MESSAGE_ID })[0],
    ).toMatchObject({ type: 'deferred', detail: { severity: 'temporary', code: '452' } });
    expect(run({ event: 'accepted', emailId: 'log-1', messageId: MESSAGE_ID })).toEqual([]);
    expect(run({ event: 'unsubscribed', emailId: 'log-1', messageId: MESSAGE_ID })).toEqual([]);
  });

  it('gives the same event the same eventId when Mailgun posts it again (freshly signed)', () => {
    const webhook = fresh();
    const data = sampleMailgunEventData({ event: 'opened', emailId: 'log-1', messageId: MESSAGE_ID });
    const [a] = webhook.verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() }) });
    const [b] = webhook.verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() }) });
    expect(a).toEqual(b);
  });

  it('strips angle brackets from the message id, as the transport does', () => {
    const data = sampleMailgunEventData({ event: 'delivered', messageId: `<${MESSAGE_ID}>` });
    expect(fresh().verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() }) })[0]).toMatchObject({
      emailId: null,
      providerMessageId: MESSAGE_ID,
    });
  });

  it('rejects a wrong signature, another key, or a signature over other values', () => {
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    const block = signer.signature({ timestamp: NOW_SECONDS() });
    const cases = [
      { ...block, signature: 'f'.repeat(64) },
      { ...block, signature: block.signature.slice(0, 63) },
      { ...block, signature: 'not hex at all' },
      { ...block, token: `${block.token}x` },
      new MailgunWebhookSigner('another-key').signature({ timestamp: NOW_SECONDS() }),
    ];
    for (const signature of cases) {
      const body = JSON.stringify({ signature, 'event-data': data });
      expect(rejection(() => fresh().verify({ rawBody: body }))).toMatchObject({
        code: 'WEBHOOK_UNVERIFIED',
        message: expect.stringContaining('signature does not match'),
      });
    }
    // A timestamp moved into the window no longer matches its signature.
    const moved = { ...block, timestamp: String(NOW_SECONDS() - 1) };
    expect(
      rejection(() => fresh().verify({ rawBody: JSON.stringify({ signature: moved, 'event-data': data }) }))
        .code,
    ).toBe('WEBHOOK_UNVERIFIED');
  });

  it('rejects a missing or malformed signature block', () => {
    const data = sampleMailgunEventData({ event: 'delivered', messageId: MESSAGE_ID });
    const { token, signature } = signer.signature({ timestamp: NOW_SECONDS() });
    for (const body of [
      JSON.stringify({ 'event-data': data }),
      JSON.stringify({ signature: { token, signature }, 'event-data': data }),
      JSON.stringify({ signature: { timestamp: 'soon', token, signature }, 'event-data': data }),
      'timestamp=1&token=2&signature=3',
      '[]',
    ]) {
      expect(rejection(() => fresh().verify({ rawBody: body })).code).toBe('WEBHOOK_UNVERIFIED');
    }
  });

  it('rejects a validly signed webhook outside the 5-minute window', () => {
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    for (const timestamp of [NOW_SECONDS() - 301, NOW_SECONDS() + 301]) {
      expect(rejection(() => fresh().verify({ rawBody: signer.body(data, { timestamp }) }))).toMatchObject({
        code: 'WEBHOOK_UNVERIFIED',
        message: expect.stringContaining('300 seconds'),
      });
    }
    expect(fresh().verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() - 300 }) })).toHaveLength(
      1,
    );
  });

  it('rejects a replayed token inside the window', () => {
    const webhook = fresh();
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    const body = signer.body(data, {
      timestamp: NOW_SECONDS(),
      token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
    });
    expect(webhook.verify({ rawBody: body })).toHaveLength(1);
    expect(rejection(() => webhook.verify({ rawBody: body }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('replay'),
    });
    // The same token with a new timestamp and a valid signature is a replay too.
    const resigned = signer.body(data, {
      timestamp: NOW_SECONDS() - 10,
      token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
    });
    expect(rejection(() => webhook.verify({ rawBody: resigned })).code).toBe('WEBHOOK_UNVERIFIED');
  });

  it('does not burn a token on a request whose signature fails', () => {
    const webhook = fresh();
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    const good = signer.signature({ timestamp: NOW_SECONDS() });
    const forged = JSON.stringify({ signature: { ...good, signature: '0'.repeat(64) }, 'event-data': data });
    expect(rejection(() => webhook.verify({ rawBody: forged })).code).toBe('WEBHOOK_UNVERIFIED');
    expect(webhook.verify({ rawBody: JSON.stringify({ signature: good, 'event-data': data }) })).toHaveLength(
      1,
    );
  });

  it('answers VALIDATION for a verified request without event-data', () => {
    const body = JSON.stringify({ signature: signer.signature({ timestamp: NOW_SECONDS() }) });
    expect(rejection(() => fresh().verify({ rawBody: body })).code).toBe('VALIDATION');
  });

  it('uses an injected token cache', () => {
    const seen: string[] = [];
    const webhook = new MailgunWebhook({
      signingKey: KEY,
      clock,
      tokenCache: {
        remember: (token) => {
          if (seen.includes(token)) return false;
          seen.push(token);
          return true;
        },
      },
    });
    const data = sampleMailgunEventData({ event: 'delivered', messageId: MESSAGE_ID });
    webhook.verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS(), token: 't1' }) });
    expect(seen).toEqual(['t1']);
  });

  it('refuses an empty signing key', () => {
    expect(() => new MailgunWebhook({ signingKey: '' })).toThrow(/signingKey/);
  });

  it('signs as Mailgun documents: hex HMAC-SHA256 of timestamp + token', () => {
    const block = signer.signature({
      timestamp: 1529006854,
      token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
    });
    expect(block.signature).toBe(
      createHmac('sha256', KEY)
        .update('1529006854a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0')
        .digest('hex'),
    );
  });
});

describe('InMemoryMailgunTokenCache', () => {
  it('forgets tokens once they expire and holds at most maxSize', () => {
    const start = new Date('2026-03-01T12:00:00Z');
    now = start;
    const cache = new InMemoryMailgunTokenCache({ maxSize: 3, clock });
    const later = new Date(start.getTime() + 60_000);
    expect(cache.remember('a', later)).toBe(true);
    expect(cache.remember('a', later)).toBe(false);
    expect(cache.remember('b', later)).toBe(true);
    expect(cache.remember('c', later)).toBe(true);
    expect(cache.remember('d', later)).toBe(true);
    expect(cache.size).toBe(3);
    // 'a' was the oldest: evicted to make room.
    expect(cache.remember('a', later)).toBe(true);
    now = new Date(start.getTime() + 61_000);
    expect(cache.remember('c', new Date(now.getTime() + 60_000))).toBe(true);
    now = new Date('2026-03-01T12:00:00Z');
  });
});
