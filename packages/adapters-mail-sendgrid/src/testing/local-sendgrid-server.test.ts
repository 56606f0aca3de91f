import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSendGridServer, SENDGRID_UNAUTHORIZED_BODY } from './local-sendgrid-server.js';

const valid = {
  personalizations: [{ to: [{ email: 'ana@mail.test', name: 'Ana' }] }],
  from: { email: 'shop@acme.test', name: 'Acme' },
  reply_to: { email: 'support@acme.test' },
  subject: 'Hi',
  content: [
    { type: 'text/plain', value: 'Hello' },
    { type: 'text/html', value: '<p>Hello</p>' },
  ],
  custom_args: { parley_email_id: 'log-1' },
  categories: ['new_message'],
  headers: { 'X-Parley-Test': '1' },
};

describe('LocalSendGridServer', () => {
  let server: LocalSendGridServer;
  beforeEach(async () => {
    server = await LocalSendGridServer.start({ apiKeys: ['SG.good'] });
  });
  afterEach(async () => {
    await server.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v3/mail/send`, {
      method: 'POST',
      headers: { Authorization: 'Bearer SG.good', 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('accepts a valid body with 202, an X-Message-Id and no body', async () => {
    const response = await post(valid);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    const messageId = response.headers.get('x-message-id');
    expect(messageId).toMatch(/^[\w-]{22}$/);
    expect(server.accepted()).toEqual([{ apiKey: 'SG.good', messageId, userAgent: 'node', body: valid }]);
    expect(server.received()).toEqual([
      {
        from: 'shop@acme.test',
        fromName: 'Acme',
        to: ['ana@mail.test'],
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
    ['no Authorization header', {}],
    ['a wrong key', { Authorization: 'Bearer SG.bad' }],
    [
      'Basic instead of Bearer',
      { Authorization: `Basic ${Buffer.from('apikey:SG.good').toString('base64')}` },
    ],
  ])('answers 401 with SendGrid’s body for %s', async (_case, headers) => {
    const response = await fetch(`${server.url}/v3/mail/send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(valid),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(SENDGRID_UNAUTHORIZED_BODY);
    expect(server.accepted()).toEqual([]);
  });

  it.each([
    [
      'HTML before text',
      { content: [...valid.content].reverse() },
      'content',
      'If present, text/plain content',
    ],
    [
      'an empty content value',
      { content: [{ type: 'text/plain', value: '' }] },
      'content.0.value',
      'The content',
    ],
    [
      'another content type',
      { content: [{ type: 'text/calendar', value: 'x' }] },
      'content.0.type',
      'Content',
    ],
    ['no subject', { subject: undefined }, 'subject', 'The subject is required'],
    ['no from', { from: undefined }, 'from', 'The from object must be provided'],
    ['an invalid from', { from: { email: 'nope' } }, 'from.email', 'Does not contain a valid address.'],
    [
      'an invalid reply_to',
      { reply_to: { email: 'a@b' } },
      'reply_to.email',
      'Does not contain a valid address.',
    ],
    ['no personalizations', { personalizations: [] }, 'personalizations', 'The personalizations field'],
    ['an empty to', { personalizations: [{ to: [] }] }, 'personalizations.0.to', 'The to array is required'],
    [
      'a bcc in the personalization',
      { personalizations: [{ to: [{ email: 'ana@mail.test' }], bcc: [{ email: 'x@mail.test' }] }] },
      'personalizations.0',
      'Unexpected field(s) bcc.',
    ],
    [
      'a duplicate recipient',
      { personalizations: [{ to: [{ email: 'ana@mail.test' }, { email: 'ANA@mail.test' }] }] },
      'personalizations.0.to',
      'Each email address in the personalization block should be unique',
    ],
    ['a non-string custom arg', { custom_args: { n: 1 } }, 'custom_args.n', 'Invalid type. Expected: string'],
    ['a non-string header', { headers: { 'X-N': 1 } }, 'headers.X-N', 'Invalid type. Expected: string'],
    ['a reserved header', { headers: { 'Reply-To': 'x@y.test' } }, 'headers.Reply-To', 'The header Reply-To'],
    ['eleven categories', { categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }, 'categories', 'The'],
    ['an unexpected top-level field', { template_id: 'd-1' }, 'template_id', 'Unexpected field template_id.'],
  ])('answers 400 for %s', async (_case, patch, field, message) => {
    const response = await post({ ...valid, ...patch });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { field: string; message: string }[] };
    expect(body.errors[0]?.field).toBe(field);
    expect(body.errors[0]?.message.startsWith(message)).toBe(true);
    expect(server.accepted()).toEqual([]);
  });

  it('answers 400 for a body that is not JSON, or not sent as JSON', async () => {
    const notJson = await post('{"personalizations":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      errors: [{ message: 'The JSON you have submitted cannot be parsed.', field: null, help: null }],
    });
    const form = await post(JSON.stringify(valid), { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
  });

  it('answers 400 for a recipient it was told to reject', async () => {
    server.rejectRecipient('ana@mail.test');
    const response = await post(valid);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'Does not contain a valid address.',
          field: 'personalizations.0.to.0.email',
          help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to',
        },
      ],
    });
  });

  it('throttles, then fails as told, then accepts again, one request each', async () => {
    server.throttleNext();
    server.failNext({ status: 503, body: { errors: [{ message: 'down', field: null, help: null }] } });
    const throttled = await post(valid);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await throttled.json()).toEqual({
      errors: [{ message: 'too many requests', field: null, help: null }],
    });
    expect((await post(valid)).status).toBe(503);
    expect((await post(valid)).status).toBe(202);
    expect(server.requestCount).toBe(3);
  });

  it('leaves a hung request unanswered until the client gives up', async () => {
    server.hangNext();
    const started = performance.now();
    const outcome = await fetch(`${server.url}/v3/mail/send`, {
      method: 'POST',
      headers: { Authorization: 'Bearer SG.good', 'Content-Type': 'application/json' },
      body: JSON.stringify(valid),
      signal: AbortSignal.timeout(200),
    }).then(
      (response) => `answered ${response.status}`,
      (error: unknown) => (error as Error).name,
    );
    expect(outcome).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await post(valid)).status).toBe(202);
  });

  it('answers 404 for another path and 405 for another method', async () => {
    const other = await fetch(`${server.url}/v3/marketing/contacts`, { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    const get = await fetch(`${server.url}/v3/mail/send`, { headers: { Authorization: 'Bearer SG.good' } });
    expect(get.status).toBe(405);
  });
});
