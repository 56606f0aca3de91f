import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LocalMailgunServer,
  MAILGUN_INVALID_TO_BODY,
  MAILGUN_TOO_MANY_REQUESTS_BODY,
  MAILGUN_UNAUTHORIZED_BODY,
} from './local-mailgun-server.js';

type Fields = [string, string][];

const valid: Fields = [
  ['from', '"Acme Shop" <shop@acme.test>'],
  ['to', '"Doe, Ana" <ana@mail.test>, bo@mail.test'],
  ['to', 'cy@mail.test'],
  ['subject', 'Hi'],
  ['text', 'Hello'],
  ['html', '<p>Hello</p>'],
  ['h:Reply-To', 'support@acme.test'],
  ['h:X-Parley-Test', '1'],
  ['o:tag', 'new_message'],
  ['v:parley-email-id', 'log-1'],
];

const basic = (key: string, user = 'api') => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;

describe('LocalMailgunServer', () => {
  let server: LocalMailgunServer;
  beforeEach(async () => {
    server = await LocalMailgunServer.start({ apiKeys: ['key-good'], domains: ['mg.acme.test'] });
  });
  afterEach(async () => {
    await server.close();
  });

  const post = (
    fields: Fields,
    init: { domain?: string; authorization?: string; signal?: AbortSignal } = {},
  ) => {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    return fetch(`${server.url}/v3/${init.domain ?? 'mg.acme.test'}/messages`, {
      method: 'POST',
      headers: { Authorization: init.authorization ?? basic('key-good') },
      body: form,
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
  };

  it('accepts a valid form with 200, an id and "Queued. Thank you."', async () => {
    const response = await post(valid);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; message: string };
    expect(body.message).toBe('Queued. Thank you.');
    expect(body.id).toMatch(/^<\d{14}\.1\.[0-9a-f]{12}@mg\.acme\.test>$/);
    expect(server.accepted()).toEqual([
      {
        apiKey: 'key-good',
        domain: 'mg.acme.test',
        id: body.id,
        contentType: 'multipart/form-data',
        userAgent: 'node',
        fields: valid.map(([name, value]) => ({ name, value })),
      },
    ]);
    expect(server.received()).toEqual([
      {
        from: 'shop@acme.test',
        fromName: 'Acme Shop',
        to: ['ana@mail.test', 'bo@mail.test', 'cy@mail.test'],
        replyTo: 'support@acme.test',
        subject: 'Hi',
        text: 'Hello',
        html: '<p>Hello</p>',
        headers: { 'x-parley-test': '1' },
        parleyId: 'log-1',
      },
    ]);
  });

  it.each([
    ['no Authorization header', ''],
    ['a wrong key', basic('key-bad')],
    ['a user other than api', basic('key-good', 'admin')],
    ['Bearer instead of Basic', 'Bearer key-good'],
  ])('answers 401 "Forbidden" for %s', async (_case, authorization) => {
    const response = await post(valid, { authorization });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe(MAILGUN_UNAUTHORIZED_BODY);
    expect(server.accepted()).toEqual([]);
  });

  it('answers 404 for a domain it does not know', async () => {
    const response = await post(valid, { domain: 'mg.other.test' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Domain not found: mg.other.test' });
  });

  const without = (name: string): Fields => valid.filter(([n]) => n !== name);
  it.each([
    ['no from', without('from'), "'from' parameter is missing"],
    [
      'an invalid from',
      [...without('from'), ['from', 'Acme <nope>']],
      'from parameter is not a valid address',
    ],
    ['no to', without('to'), "'to' parameter is missing"],
    ['an invalid to', [...valid, ['to', 'ana@mail.test, nope']], MAILGUN_INVALID_TO_BODY.message],
    ['no subject', without('subject'), "'subject' parameter is missing"],
    [
      'neither text nor html',
      without('text').filter(([n]) => n !== 'html'),
      "Need at least one of 'text', 'html' or 'template' parameters specified",
    ],
    ['an invalid h:Reply-To', [...without('h:Reply-To'), ['h:Reply-To', 'x']], 'h:Reply-To parameter is not'],
    ['two subjects', [...valid, ['subject', 'Again']], 'subject parameter may be given only once'],
    ['two values of one variable', [...valid, ['v:parley-email-id', 'x']], 'v:parley-email-id parameter may'],
    ['a non-ASCII tag', [...valid, ['o:tag', 'café']], 'o:tag must be 1 to 128 printable ASCII characters'],
    ['an unexpected parameter', [...valid, ['bcc', 'x@y.test']], 'unexpected parameter "bcc"'],
  ] as [string, Fields, string][])('answers 400 for %s', async (_case, fields, message) => {
    const response = await post(fields);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message.startsWith(message)).toBe(true);
    expect(server.accepted()).toEqual([]);
  });

  it('answers 400 for a body that is not multipart/form-data, or carries a file', async () => {
    const urlencoded = await fetch(`${server.url}/v3/mg.acme.test/messages`, {
      method: 'POST',
      headers: { Authorization: basic('key-good') },
      body: new URLSearchParams(valid),
    });
    expect(urlencoded.status).toBe(400);
    expect(await urlencoded.json()).toEqual({
      message: 'expected a multipart/form-data body, got application/x-www-form-urlencoded',
    });
    const form = new FormData();
    for (const [name, value] of valid) form.append(name, value);
    form.append('attachment', new Blob(['x']), 'x.txt');
    const withFile = await fetch(`${server.url}/v3/mg.acme.test/messages`, {
      method: 'POST',
      headers: { Authorization: basic('key-good') },
      body: form,
    });
    expect(withFile.status).toBe(400);
    expect(server.accepted()).toEqual([]);
  });

  it('answers 400 for a recipient it was told to reject', async () => {
    server.rejectRecipient('BO@mail.test');
    const response = await post(valid);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(MAILGUN_INVALID_TO_BODY);
  });

  it('throttles, then fails as told, then accepts again, one request each', async () => {
    server.throttleNext();
    server.failNext({ status: 503, body: 'upstream down' });
    const throttled = await post(valid);
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual(MAILGUN_TOO_MANY_REQUESTS_BODY);
    const failed = await post(valid);
    expect(failed.status).toBe(503);
    expect(await failed.text()).toBe('upstream down');
    expect((await post(valid)).status).toBe(200);
    expect(server.requestCount).toBe(3);
  });

  it('leaves a hung request unanswered until the client gives up', async () => {
    server.hangNext();
    const started = performance.now();
    const outcome = await post(valid, { signal: AbortSignal.timeout(200) }).then(
      (response) => `answered ${response.status}`,
      (error: unknown) => (error as Error).name,
    );
    expect(outcome).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await post(valid)).status).toBe(200);
  });

  it('answers 404 for another path and 405 for another method', async () => {
    expect((await fetch(`${server.url}/v3/domains`, { method: 'POST' })).status).toBe(404);
    expect(
      (
        await fetch(`${server.url}/v3/mg.acme.test/messages`, {
          headers: { Authorization: basic('key-good') },
        })
      ).status,
    ).toBe(405);
  });
});
