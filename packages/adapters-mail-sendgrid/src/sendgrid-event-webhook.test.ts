import { isMessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import {
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  SendGridEventWebhook,
  sendGridMessageId,
} from './sendgrid-event-webhook.js';
import { SendGridWebhookSigner, sampleSendGridEvents } from './testing/sendgrid-webhook-signer.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const clock = { now: () => NOW };
const signer = new SendGridWebhookSigner();
const webhook = new SendGridEventWebhook({ publicKey: signer.publicKey, clock });
const samples = sampleSendGridEvents({
  emailId: 'log-1',
  messageId: 'W9uYdx1lQZ2RoEe3lsTpMA',
  recipient: 'ana@example.com',
  timestamp: NOW_SECONDS - 60,
});

function rejection(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isMessagingError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('SendGridEventWebhook', () => {
  it('verifies a signed batch and maps every SendGrid event kind', () => {
    const { body, headers } = signer.sign(Object.values(samples), { timestamp: NOW_SECONDS });
    const events = webhook.verify({ rawBody: Buffer.from(body), headers });
    expect(events.map((e) => [e.type, e.detail.event])).toEqual([
      ['deferred', 'deferred'],
      ['delivered', 'delivered'],
      ['opened', 'open'],
      ['clicked', 'click'],
      ['bounced', 'bounce'],
      ['bounced', 'dropped'],
      ['complained', 'spamreport'],
    ]);
    expect(events[1]).toEqual({
      provider: 'sendgrid',
      eventId: samples.delivered?.sg_event_id,
      type: 'delivered',
      occurredAt: new Date((NOW_SECONDS - 60) * 1000),
      emailId: 'log-1',
      providerMessageId: 'W9uYdx1lQZ2RoEe3lsTpMA',
      recipient: 'ana@example.com',
      detail: { event: 'delivered', response: '250 OK' },
    });
    expect(events[3]?.detail).toMatchObject({ url: 'http://www.sendgrid.com/', ip: '255.255.255.255' });
    expect(events[4]?.detail).toMatchObject({
      reason: '500 unknown recipient',
      type: 'bounce',
      bounce_classification: 'Invalid Address',
    });
  });

  it('accepts a string body and headers in any case', () => {
    const { body, headers } = signer.sign([samples.open], { timestamp: NOW_SECONDS });
    const shouting = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(webhook.verify({ rawBody: body, headers: shouting })).toHaveLength(1);
  });

  it('gives the same event the same eventId when SendGrid posts it twice', () => {
    const first = signer.sign([samples.delivered], { timestamp: NOW_SECONDS });
    const again = signer.sign([samples.delivered], { timestamp: NOW_SECONDS - 30 });
    const [a] = webhook.verify({ rawBody: first.body, headers: first.headers });
    const [b] = webhook.verify({ rawBody: again.body, headers: again.headers });
    expect(a?.eventId).toBe(b?.eventId);
    expect(a).toEqual(b);
  });

  it('rejects a tampered body', () => {
    const { body, headers } = signer.sign([samples.delivered], { timestamp: NOW_SECONDS });
    const tampered = body.replace('log-1', 'log-2');
    expect(rejection(() => webhook.verify({ rawBody: tampered, headers }))).toMatchObject({
      code: 'WEBHOOK_UNVERIFIED',
      message: expect.stringContaining('signature'),
    });
    // A whitespace change is a change: the signature covers the exact bytes.
    expect(rejection(() => webhook.verify({ rawBody: `${body} `, headers })).code).toBe('WEBHOOK_UNVERIFIED');
  });

  it('rejects a signature made with another key, or over another timestamp', () => {
    const other = new SendGridWebhookSigner().sign([samples.delivered], { timestamp: NOW_SECONDS });
    expect(rejection(() => webhook.verify({ rawBody: other.body, headers: other.headers })).code).toBe(
      'WEBHOOK_UNVERIFIED',
    );
    const { body, headers } = signer.sign([samples.delivered], { timestamp: NOW_SECONDS });
    const moved = { ...headers, [SENDGRID_TIMESTAMP_HEADER.toLowerCase()]: String(NOW_SECONDS - 1) };
    expect(rejection(() => webhook.verify({ rawBody: body, headers: moved })).code).toBe(
      'WEBHOOK_UNVERIFIED',
    );
  });

  it('rejects missing headers and garbage signatures', () => {
    const { body, headers } = signer.sign([samples.delivered], { timestamp: NOW_SECONDS });
    const sig = SENDGRID_SIGNATURE_HEADER.toLowerCase();
    const ts = SENDGRID_TIMESTAMP_HEADER.toLowerCase();
    for (const broken of [
      { [ts]: headers[ts] },
      { [sig]: headers[sig] },
      { ...headers, [sig]: 'bm90IGEgc2lnbmF0dXJl' },
      { ...headers, [sig]: '%%%' },
      { ...headers, [ts]: '12.5' },
      {},
    ]) {
      expect(rejection(() => webhook.verify({ rawBody: body, headers: broken })).code).toBe(
        'WEBHOOK_UNVERIFIED',
      );
    }
  });

  it('rejects a validly signed request whose timestamp is stale (a replay) or too far ahead', () => {
    for (const timestamp of [NOW_SECONDS - 301, NOW_SECONDS + 301, NOW_SECONDS - 86_400]) {
      const { body, headers } = signer.sign([samples.delivered], { timestamp });
      expect(rejection(() => webhook.verify({ rawBody: body, headers }))).toMatchObject({
        code: 'WEBHOOK_UNVERIFIED',
        message: expect.stringContaining('300 seconds'),
      });
    }
    const edge = signer.sign([samples.delivered], { timestamp: NOW_SECONDS - 300 });
    expect(webhook.verify({ rawBody: edge.body, headers: edge.headers })).toHaveLength(1);
  });

  it('takes its window from the configuration', () => {
    const strict = new SendGridEventWebhook({ publicKey: signer.publicKey, clock, maxAgeSeconds: 10 });
    const { body, headers } = signer.sign([samples.delivered], { timestamp: NOW_SECONDS - 11 });
    expect(rejection(() => strict.verify({ rawBody: body, headers })).code).toBe('WEBHOOK_UNVERIFIED');
    expect(() => new SendGridEventWebhook({ publicKey: signer.publicKey, maxAgeSeconds: 0 })).toThrow(
      /maxAgeSeconds/,
    );
  });

  it('accepts the key in PEM armour too, and refuses a key that is not one', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${signer.publicKey}\n-----END PUBLIC KEY-----\n`;
    const fromPem = new SendGridEventWebhook({ publicKey: pem, clock });
    const { body, headers } = signer.sign([samples.delivered], { timestamp: NOW_SECONDS });
    expect(fromPem.verify({ rawBody: body, headers })).toHaveLength(1);
    expect(() => new SendGridEventWebhook({ publicKey: 'bm90IGEga2V5' })).toThrow(/EC public key/);
    expect(() => new SendGridEventWebhook({ publicKey: ' ' })).toThrow(/empty/);
  });

  it('skips events that are not delivery events and events with an unknown name', () => {
    const { body, headers } = signer.sign(
      [samples.processed, samples.unsubscribe, { ...samples.delivered, event: 'invented' }, 'junk', null],
      { timestamp: NOW_SECONDS },
    );
    expect(webhook.verify({ rawBody: body, headers })).toEqual([]);
  });

  it('answers VALIDATION for a verified body that is not an event array', () => {
    for (const payload of ['{"event":"delivered"}', 'not json']) {
      const { body, headers } = signer.sign(payload, { timestamp: NOW_SECONDS });
      expect(rejection(() => webhook.verify({ rawBody: body, headers })).code).toBe('VALIDATION');
    }
  });

  it('leaves emailId null when our custom arg is missing, and matches by message id then', () => {
    const { parley_email_id: _, ...foreign } = samples.delivered ?? {};
    const { body, headers } = signer.sign([foreign], { timestamp: NOW_SECONDS });
    expect(webhook.verify({ rawBody: body, headers })[0]).toMatchObject({
      emailId: null,
      providerMessageId: 'W9uYdx1lQZ2RoEe3lsTpMA',
    });
  });
});

describe('sendGridMessageId', () => {
  it('cuts sg_message_id back to the X-Message-Id the send returned', () => {
    expect(
      sendGridMessageId('W9uYdx1lQZ2RoEe3lsTpMA.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0'),
    ).toBe('W9uYdx1lQZ2RoEe3lsTpMA');
    expect(sendGridMessageId('14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0')).toBe(
      '14c5d75ce93.dfd.64b469',
    );
    expect(sendGridMessageId('LRzXl66nSvyRnx3ivJz1bA.recvd-5b8cfb8f4-2tnjg-1-5F4E5FE5-12.0')).toBe(
      'LRzXl66nSvyRnx3ivJz1bA',
    );
    expect(sendGridMessageId('abc.def')).toBe('abc');
    expect(sendGridMessageId('plain')).toBe('plain');
  });
});
