import { createHmac } from 'node:crypto';
import { isMessagingError } from '@parley/messaging-core';
import { InMemoryWebhookReplayGuard } from '@parley/messaging-core/testing';
import { describe, expect, it } from 'vitest';
import { MailgunWebhook } from './mailgun-webhook.js';
import { MailgunWebhookSigner, sampleMailgunEventData } from './testing/mailgun-webhook-signer.js';

const KEY = 'key-7e55d003b1f2e6e3b5b9d8c5c8a9e4f1';
const now = new Date('2026-03-01T12:00:00Z');
const clock = { now: () => now };
const NOW_SECONDS = () => Math.floor(now.getTime() / 1000);
const signer = new MailgunWebhookSigner(KEY);
const MESSAGE_ID = '20260301120000.1.ABCDEF@mg.acme.test';

function fresh(replayGuard = new InMemoryWebhookReplayGuard()): MailgunWebhook {
  return new MailgunWebhook({ signingKey: KEY, clock, replayGuard });
}

async function rejection(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (isMessagingError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('MailgunWebhook', () => {
  it('verifies a signed delivered event and normalizes it', async () => {
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    const body = signer.body(data, { timestamp: NOW_SECONDS() });
    expect(await fresh().verify({ rawBody: Buffer.from(body) })).toEqual([
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

  it('maps opened, clicked, complained and failed by severity', async () => {
    const webhook = fresh();
    const run = (options: Parameters<typeof sampleMailgunEventData>[0]) =>
      webhook.verify({ rawBody: signer.body(sampleMailgunEventData(options), { timestamp: NOW_SECONDS() }) });
    expect((await run({ event: 'opened', emailId: 'log-1', messageId: MESSAGE_ID }))[0]).toMatchObject({
      type: 'opened',
      detail: { ip: '50.56.129.169', user_agent: expect.stringContaining('Chrome') },
    });
    expect((await run({ event: 'clicked', emailId: 'log-1', messageId: MESSAGE_ID }))[0]).toMatchObject({
      type: 'clicked',
      detail: { url: 'https://example.com/offer' },
    });
    expect((await run({ event: 'complained', emailId: 'log-1', messageId: MESSAGE_ID }))[0]?.type).toBe(
      'complained',
    );
    expect(
      (await run({ event: 'failed', severity: 'permanent', emailId: 'log-1', messageId: MESSAGE_ID }))[0],
    ).toMatchObject({
      type: 'bounced',
      detail: { severity: 'permanent', reason: 'bounce', code: '550' },
    });
    expect(
      (await run({ event: 'failed', severity: 'temporary', emailId: 'log-1', messageId: MESSAGE_ID }))[0],
    ).toMatchObject({ type: 'deferred', detail: { severity: 'temporary', code: '452' } });
    expect(await run({ event: 'accepted', emailId: 'log-1', messageId: MESSAGE_ID })).toEqual([]);
    expect(await run({ event: 'unsubscribed', emailId: 'log-1', messageId: MESSAGE_ID })).toEqual([]);
  });

  it('gives the same event the same eventId when Mailgun posts it again (freshly signed)', async () => {
    const webhook = fresh();
    const data = sampleMailgunEventData({ event: 'opened', emailId: 'log-1', messageId: MESSAGE_ID });
    const [a] = await webhook.verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() }) });
    const [b] = await webhook.verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() }) });
    expect(a).toEqual(b);
  });

  it('strips angle brackets from the message id, as the transport does', async () => {
    const data = sampleMailgunEventData({ event: 'delivered', messageId: `<${MESSAGE_ID}>` });
    expect(
      (await fresh().verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() }) }))[0],
    ).toMatchObject({
      emailId: null,
      providerMessageId: MESSAGE_ID,
    });
  });

  it('rejects a wrong signature, another key, or a signature over other values', async () => {
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
      expect(await rejection(() => fresh().verify({ rawBody: body }))).toMatchObject({
        code: 'WEBHOOK_UNVERIFIED',
        message: expect.stringContaining('signature does not match'),
      });
    }
    // A timestamp moved into the window no longer matches its signature.
    const moved = { ...block, timestamp: String(NOW_SECONDS() - 1) };
    expect(
      (
        await rejection(() =>
          fresh().verify({ rawBody: JSON.stringify({ signature: moved, 'event-data': data }) }),
        )
      ).code,
    ).toBe('WEBHOOK_UNVERIFIED');
  });

  it('rejects a missing or malformed signature block', async () => {
    const data = sampleMailgunEventData({ event: 'delivered', messageId: MESSAGE_ID });
    const { token, signature } = signer.signature({ timestamp: NOW_SECONDS() });
    for (const body of [
      JSON.stringify({ 'event-data': data }),
      JSON.stringify({ signature: { token, signature }, 'event-data': data }),
      JSON.stringify({ signature: { timestamp: 'soon', token, signature }, 'event-data': data }),
      'timestamp=1&token=2&signature=3',
      '[]',
    ]) {
      expect((await rejection(() => fresh().verify({ rawBody: body }))).code).toBe('WEBHOOK_UNVERIFIED');
    }
  });

  it('rejects a validly signed webhook outside the 5-minute window', async () => {
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    for (const timestamp of [NOW_SECONDS() - 301, NOW_SECONDS() + 301]) {
      expect(
        await rejection(() => fresh().verify({ rawBody: signer.body(data, { timestamp }) })),
      ).toMatchObject({
        code: 'WEBHOOK_UNVERIFIED',
        message: expect.stringContaining('300 seconds'),
      });
    }
    expect(
      await fresh().verify({ rawBody: signer.body(data, { timestamp: NOW_SECONDS() - 300 }) }),
    ).toHaveLength(1);
  });

  it('rejects a replayed token inside the window', async () => {
    const webhook = fresh();
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    const body = signer.body(data, {
      timestamp: NOW_SECONDS(),
      token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
    });
    expect(await webhook.verify({ rawBody: body })).toHaveLength(1);
    expect(await rejection(() => webhook.verify({ rawBody: body }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('replay'),
    });
    // The same token with a new timestamp and a valid signature is a replay too.
    const resigned = signer.body(data, {
      timestamp: NOW_SECONDS() - 10,
      token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
    });
    expect((await rejection(() => webhook.verify({ rawBody: resigned }))).code).toBe('WEBHOOK_UNVERIFIED');
  });

  it('does not burn a token on a request whose signature fails', async () => {
    const webhook = fresh();
    const data = sampleMailgunEventData({ event: 'delivered', emailId: 'log-1', messageId: MESSAGE_ID });
    const good = signer.signature({ timestamp: NOW_SECONDS() });
    const forged = JSON.stringify({ signature: { ...good, signature: '0'.repeat(64) }, 'event-data': data });
    expect((await rejection(() => webhook.verify({ rawBody: forged }))).code).toBe('WEBHOOK_UNVERIFIED');
    expect(
      await webhook.verify({ rawBody: JSON.stringify({ signature: good, 'event-data': data }) }),
    ).toHaveLength(1);
  });

  it('answers VALIDATION for a verified request without event-data', async () => {
    const body = JSON.stringify({ signature: signer.signature({ timestamp: NOW_SECONDS() }) });
    expect((await rejection(() => fresh().verify({ rawBody: body }))).code).toBe('VALIDATION');
  });

  it('claims tokens through the injected replay guard, shared by every verifier using it', async () => {
    const guard = new InMemoryWebhookReplayGuard();
    const data = sampleMailgunEventData({ event: 'delivered', messageId: MESSAGE_ID });
    const body = signer.body(data, { timestamp: NOW_SECONDS(), token: 't1' });
    expect(await fresh(guard).verify({ rawBody: body })).toHaveLength(1);
    expect([...guard.rows.entries()]).toEqual([
      ['mailgun\u0000t1', new Date((NOW_SECONDS() + 300) * 1000 + 1000)],
    ]);
    // Another verifier on the same guard (another instance, or this one restarted) refuses it.
    expect(await rejection(() => fresh(guard).verify({ rawBody: body }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('replay'),
    });
  });

  it('refuses an empty signing key', () => {
    expect(
      () => new MailgunWebhook({ signingKey: '', replayGuard: new InMemoryWebhookReplayGuard() }),
    ).toThrow(/signingKey/);
  });

  it('signs as Mailgun documents: hex HMAC-SHA256 of timestamp + token', async () => {
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
