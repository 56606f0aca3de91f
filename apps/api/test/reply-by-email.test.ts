import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOOPBACK_SNS_HOST_PATTERN, SnsTestPublisher } from '@parley/adapters-mail-ses/testing';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import { FixedClock } from '@parley/messaging-core/testing';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';

const STORE = '/api/v1/store/messages';
const DOMAIN = 'inbound.parley.test';
const MAILGUN_KEY = 'key-inbound-mailgun-0123456789';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:parley-inbound';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const url = process.env.DATABASE_URL;
const targets = [
  { name: 'pglite', env: {} as Record<string, string> },
  ...(url
    ? [
        {
          name: 'postgres',
          env: {
            PARLEY_DATABASE_URL: url,
            PARLEY_DATABASE_SCHEMA: `t_inbound_${Math.random().toString(36).slice(2, 10)}`,
          } as Record<string, string>,
        },
      ]
    : []),
];

interface Message {
  readonly sender_type: string;
  readonly sender_id: string;
  readonly content: string;
  readonly attachments: readonly { readonly original_filename: string; readonly mime_type: string }[];
}

/** A raw RFC 5322 reply, as a mail client writes it (Gmail-style quote below the new text). */
function rawReply(options: {
  from: string;
  to: string;
  messageId: string;
  text: string;
  headers?: Record<string, string>;
  attachment?: { filename: string; contentType: string; content: Buffer };
}): string {
  const head = [
    `From: ${options.from}`,
    `To: ${options.to}`,
    'Subject: Re: New message: Order #42',
    `Message-ID: <${options.messageId}>`,
    'Date: Mon, 07 Dec 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const quoted = `${options.text}\r\n\r\nOn Mon, Dec 7, 2026 at 9:00 AM Acme <${options.to}> wrote:\r\n> Your parcel left.\r\n> Acme\r\n`;
  if (options.attachment === undefined)
    return [...head, 'Content-Type: text/plain; charset=utf-8', '', quoted].join('\r\n');
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b-1"',
    '',
    '--b-1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    quoted,
    '--b-1',
    `Content-Type: ${options.attachment.contentType}; name="${options.attachment.filename}"`,
    `Content-Disposition: attachment; filename="${options.attachment.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    options.attachment.content.toString('base64'),
    '--b-1--',
    '',
  ].join('\r\n');
}

/** A multipart/form-data body built part by part, as the providers post it. */
function formData(
  fields: Record<string, string>,
  files: { name: string; filename: string; contentType: string; content: Buffer }[] = [],
): { payload: Buffer; contentType: string } {
  const boundary = `xYzZY${randomUUID().replaceAll('-', '')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  for (const file of files)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(targets)('reply by email ($name)', ({ env }) => {
  let dir: string;
  let smtp: LocalSmtpServer;
  let sns: SnsTestPublisher;
  let api: ComposedApi;
  let clock: FixedClock;
  let call: Call;
  let t: Tokens;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-inbound-'));
    smtp = await startLocalSmtpServer({ username: 'parley', password: 'smtp-secret' });
    sns = await SnsTestPublisher.start();
    clock = new FixedClock(new Date());
    const config = parseConfig(
      {
        ...env,
        PARLEY_LOG_LEVEL: 'silent',
        PARLEY_SEED_DEMO: 'false',
        PARLEY_NOTIFICATIONS_WORKER: 'off',
        PARLEY_ATTACHMENT_SWEEP_INTERVAL: 'off',
        PARLEY_NOTIFICATION_WINDOW: '1s',
        PARLEY_PUBLIC_URL: 'https://parley.test',
        PARLEY_SMTP_URL: `smtp://parley:smtp-secret@${smtp.host}:${smtp.port}`,
        PARLEY_MAIL_FROM: 'Parley <no-reply@parley.test>',
        PARLEY_INBOUND_DOMAIN: DOMAIN,
        PARLEY_INBOUND_SMTP_PORT: '0',
        PARLEY_INBOUND_SMTP_HOST: '127.0.0.1',
        PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
        PARLEY_INBOUND_SES_SNS_TOPIC_ARNS: TOPIC,
        PARLEY_SES_SNS_CERT_HOST_PATTERN: LOOPBACK_SNS_HOST_PATTERN.source.replace(/^\^|\$$/g, ''),
      },
      dir,
    );
    api = await compose(config, { clock });
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
  });

  afterAll(async () => {
    const schema = env.PARLEY_DATABASE_SCHEMA;
    await api?.close();
    if (schema) await dropSchema(schema);
    await smtp?.close();
    await sns?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens a conversation from the store to Carla and returns it with the Reply-To she was emailed. */
  async function conversationWithReplyAddress(): Promise<{ id: string; replyTo: string }> {
    const before = smtp.received().length;
    const response = await call('POST', STORE, {
      token: t.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Order #42',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'Your parcel left.',
      },
    });
    expect(response.status).toBe(201);
    const id = (response.body as { id: string }).id;
    await api.notifications.runOnce();
    const mail = smtp
      .received()
      .slice(before)
      .find((m) => m.to.includes('carla@mail.test'));
    const replyTo = mail?.headers['reply-to'] ?? '';
    return { id, replyTo: /<?([^<>\s]+@[^<>\s]+)>?/.exec(replyTo)?.[1] ?? replyTo };
  }

  async function history(id: string): Promise<Message[]> {
    const response = await call('GET', `${STORE}/${id}/messages?limit=100`, { token: t.store1 });
    expect(response.status, response.text).toBe(200);
    return (response.body as { messages: Message[] }).messages;
  }

  async function smtpSend(raw: string, to: string): Promise<void> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: api.inbound?.smtp?.address.port ?? 0,
      secure: false,
      ignoreTLS: true,
    });
    try {
      await transport.sendMail({ envelope: { from: 'carla@mail.test', to: [to] }, raw });
    } finally {
      transport.close();
    }
  }

  function sendgrid(raw: string, to: string) {
    const form = formData({
      headers: raw.split('\r\n\r\n')[0] ?? '',
      dkim: '{@mail.test : pass}',
      email: raw,
      to,
      from: 'Carla <carla@mail.test>',
      sender_ip: '203.0.113.7',
      envelope: JSON.stringify({ to: [to], from: 'carla@mail.test' }),
      subject: 'Re: New message: Order #42',
      charsets: JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', email: 'UTF-8' }),
      SPF: 'pass',
    });
    return api.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sendgrid',
      headers: { 'content-type': form.contentType },
      payload: form.payload,
    });
  }

  function mailgunSignature(token = randomUUID().replaceAll('-', '')) {
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    return {
      timestamp,
      token,
      signature: createHmac('sha256', MAILGUN_KEY)
        .update(timestamp + token)
        .digest('hex'),
    };
  }

  function mailgun(fields: Record<string, string>) {
    return api.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/mailgun',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  }

  function ses(message: object) {
    return api.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/ses',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      payload: JSON.stringify(message),
    });
  }

  function sesReceipt(raw: string, to: string, encoding: 'UTF8' | 'BASE64' = 'BASE64') {
    return sns.notification({
      topicArn: TOPIC,
      message: JSON.stringify({
        notificationType: 'Received',
        mail: { source: 'carla@mail.test', destination: [to], commonHeaders: {} },
        receipt: {
          recipients: [to],
          action: { type: 'SNS', topicArn: TOPIC, encoding },
        },
        content: encoding === 'BASE64' ? Buffer.from(raw).toString('base64') : raw,
      }),
    });
  }

  it('puts a signed, per-recipient reply address of at most 64 characters in Reply-To', async () => {
    const { replyTo } = await conversationWithReplyAddress();
    expect(replyTo).toMatch(new RegExp(`^reply\\+[a-z2-7]+@${DOMAIN.replaceAll('.', '\\.')}$`));
    expect(replyTo.split('@')[0]?.length).toBeLessThanOrEqual(64);
    const logs = await api.email.listEmailLogs({ type: 'admin', id: 'a1', tenantId: null });
    expect(logs.items.some((l) => l.replyTo === replyTo)).toBe(true);
  });

  it('posts a reply over SMTP (nodemailer → the listener) as the customer, quote stripped, once', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    const raw = rawReply({
      from: 'Carla <carla@mail.test>',
      to: replyTo,
      messageId: `${randomUUID()}@mail.test`,
      text: 'Merci, à mardi !',
    });
    await smtpSend(raw, replyTo);
    await smtpSend(raw, replyTo);
    const messages = await history(id);
    expect(messages.map((m) => [m.sender_type, m.sender_id, m.content])).toEqual([
      ['store', 'u1', 'Your parcel left.'],
      ['customer', 'c1', 'Merci, à mardi !'],
    ]);
  });

  it('refuses SMTP recipients that are not reply addresses (no relaying)', async () => {
    await expect(
      smtpSend(
        rawReply({ from: 'x@mail.test', to: 'someone@example.com', messageId: 'r@x', text: 'hi' }),
        'someone@example.com',
      ),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
  });

  it('takes SendGrid Inbound Parse (Send Raw), with an attachment validated like an upload', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    const raw = rawReply({
      from: 'Carla <carla@mail.test>',
      to: replyTo,
      messageId: `${randomUUID()}@mail.test`,
      text: 'Voici la facture.',
      attachment: { filename: 'facture.pdf', contentType: 'application/pdf', content: PDF },
    });
    const response = await sendgrid(raw, replyTo);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'sent' });
    const [, reply] = await history(id);
    expect(reply?.content).toBe('Voici la facture.');
    expect(reply?.attachments.map((a) => [a.original_filename, a.mime_type])).toEqual([
      ['facture.pdf', 'application/pdf'],
    ]);
  });

  it("takes SendGrid's parsed fields too (text, headers, attachment1)", async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    const form = formData(
      {
        headers: `From: Carla <carla@mail.test>\r\nTo: ${replyTo}\r\nMessage-ID: <${randomUUID()}@mail.test>\r\n`,
        from: 'Carla <carla@mail.test>',
        to: replyTo,
        envelope: JSON.stringify({ to: [replyTo], from: 'carla@mail.test' }),
        text: 'Parsed mode.\n\nOn Mon, Dec 7, 2026 Acme wrote:\n> quoted',
        attachments: '1',
      },
      [{ name: 'attachment1', filename: 'notes.pdf', contentType: 'application/pdf', content: PDF }],
    );
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sendgrid',
      headers: { 'content-type': form.contentType },
      payload: form.payload,
    });
    expect(response.json()).toEqual({ status: 'sent' });
    const [, reply] = await history(id);
    expect([reply?.content, reply?.attachments.length]).toEqual(['Parsed mode.', 1]);
  });

  it('takes Mailgun route forwards with a valid signature, once per token', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    const signed = mailgunSignature();
    const fields = {
      recipient: replyTo,
      sender: 'carla@mail.test',
      from: 'Carla <carla@mail.test>',
      'body-mime': rawReply({
        from: 'Carla <carla@mail.test>',
        to: replyTo,
        messageId: `${randomUUID()}@mail.test`,
        text: 'Through Mailgun.',
      }),
      ...signed,
    };
    const first = await mailgun(fields);
    expect([first.statusCode, first.json()]).toEqual([200, { status: 'sent' }]);
    const replayed = await mailgun(fields);
    expect([replayed.statusCode, replayed.json().code]).toEqual([401, 'WEBHOOK_UNVERIFIED']);
    const forged = await mailgun({ ...fields, ...mailgunSignature(), signature: 'ab'.repeat(32) });
    expect(forged.statusCode).toBe(401);
    expect((await history(id)).map((m) => m.content)).toEqual(['Your parcel left.', 'Through Mailgun.']);

    // Parsed fields (a forward to a URL not ending in "mime").
    const parsed = await mailgun({
      recipient: replyTo,
      sender: 'carla@mail.test',
      from: 'Carla <carla@mail.test>',
      'Message-Id': `<${randomUUID()}@mail.test>`,
      'body-plain': 'Plain fields.\r\n\r\n-- \r\nCarla',
      ...mailgunSignature(),
    });
    expect(parsed.json()).toEqual({ status: 'sent' });
    expect((await history(id)).at(-1)?.content).toBe('Plain fields.');
  });

  it('takes SES receipts through signed SNS, confirms the subscription, refuses a bad signature', async () => {
    const confirmation = sns.confirmation({ topicArn: TOPIC });
    const confirmed = await ses(confirmation);
    expect(confirmed.json()).toEqual({ status: 'subscription_confirmed' });
    expect(sns.confirmations).toHaveLength(1);

    const { id, replyTo } = await conversationWithReplyAddress();
    const raw = rawReply({
      from: 'Carla <carla@mail.test>',
      to: replyTo,
      messageId: `${randomUUID()}@mail.test`,
      text: 'Through SES.',
    });
    const notification = sesReceipt(raw, replyTo);
    const response = await ses(notification);
    expect([response.statusCode, response.json()]).toEqual([200, { status: 'sent' }]);
    const utf8 = await ses(
      sesReceipt(
        rawReply({
          from: 'carla@mail.test',
          to: replyTo,
          messageId: `${randomUUID()}@m`,
          text: 'UTF-8 encoding.',
        }),
        replyTo,
        'UTF8',
      ),
    );
    expect(utf8.json()).toEqual({ status: 'sent' });
    const tampered = await ses({
      ...notification,
      Message: notification.Message.replace('Received', 'Received '),
    });
    expect([tampered.statusCode, tampered.json().code]).toEqual([401, 'WEBHOOK_UNVERIFIED']);
    expect((await history(id)).map((m) => m.content)).toEqual([
      'Your parcel left.',
      'Through SES.',
      'UTF-8 encoding.',
    ]);
  });

  it('creates one message for one Message-ID arriving concurrently through every path', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    const raw = rawReply({
      from: 'Carla <carla@mail.test>',
      to: replyTo,
      messageId: `${randomUUID()}@mail.test`,
      text: 'Only once, please.',
      attachment: { filename: 'once.pdf', contentType: 'application/pdf', content: PDF },
    });
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => sendgrid(raw, replyTo).then((r) => r.json().status)),
      ...Array.from({ length: 3 }, () =>
        mailgun({ recipient: replyTo, 'body-mime': raw, ...mailgunSignature() }).then((r) => r.json().status),
      ),
      ses(sesReceipt(raw, replyTo)).then((r) => r.json().status),
      smtpSend(raw, replyTo).then(() => 'smtp'),
    ]);
    expect(results.filter((s) => s === 'sent')).toHaveLength(1);
    expect(results.filter((s) => s !== 'sent' && s !== 'smtp').every((s) => s === 'duplicate')).toBe(true);
    const replies = (await history(id)).filter((m) => m.sender_type === 'customer');
    expect(replies.map((m) => [m.content, m.attachments.length])).toEqual([['Only once, please.', 1]]);
  });

  it('bounces politely (in French for Carla) on a closed conversation, once, and posts nothing', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    expect((await call('POST', `${STORE}/${id}/close`, { token: t.store1 })).status).toBe(200);
    const before = smtp.received().length;
    const raw = rawReply({
      from: 'carla@mail.test',
      to: replyTo,
      messageId: `${randomUUID()}@m`,
      text: 'Hello?',
    });
    expect((await sendgrid(raw, replyTo)).json()).toEqual({
      status: 'bounced',
      reason: 'conversation_closed',
    });
    expect((await sendgrid(raw, replyTo)).json()).toEqual({
      status: 'bounced',
      reason: 'conversation_closed',
    });
    const bounces = smtp.received().slice(before);
    expect(bounces.map((m) => [m.to, m.subject])).toEqual([
      [['carla@mail.test'], "Votre réponse n'a pas pu être distribuée"],
    ]);
    expect(bounces[0]?.text).toContain('La conversation « Order #42 » est fermée.');
    expect(bounces[0]?.headers['auto-submitted']).toBe('auto-replied');
    expect((await history(id)).filter((m) => m.sender_type === 'customer')).toEqual([]);
  });

  it('bounces a forged token, a stranger as sender, an empty reply and a refused file', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    const [local, host] = replyTo.split('@') as [string, string];
    const last = local.at(-1) === 'a' ? 'b' : 'a';
    const forged = `${local.slice(0, -1)}${last}@${host}`;
    const send = (
      from: string,
      to: string,
      text: string,
      attachment?: Parameters<typeof rawReply>[0]['attachment'],
    ) =>
      sendgrid(
        rawReply({ from, to, messageId: `${randomUUID()}@m`, text, ...(attachment ? { attachment } : {}) }),
        to,
      ).then((r) => r.json());
    const before = smtp.received().length;
    expect(await send('carla@mail.test', forged, 'Forged')).toEqual({
      status: 'bounced',
      reason: 'invalid_token',
    });
    expect(await send('mallory@evil.test', replyTo, 'Spoofed')).toEqual({
      status: 'bounced',
      reason: 'sender_refused',
    });
    expect(await send('carla@mail.test', replyTo, '')).toEqual({ status: 'bounced', reason: 'empty_reply' });
    expect(
      await send('carla@mail.test', replyTo, 'A program', {
        filename: 'run.exe',
        contentType: 'application/octet-stream',
        content: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]),
      }),
    ).toEqual({ status: 'bounced', reason: 'content_refused' });
    const bounces = smtp.received().slice(before);
    expect(bounces.map((m) => m.to[0])).toEqual([
      'carla@mail.test',
      'mallory@evil.test',
      'carla@mail.test',
      'carla@mail.test',
    ]);
    expect(bounces[0]?.subject).toBe('Your reply could not be delivered');
    expect(bounces[0]?.text).toContain('The reply address is not valid.');
    expect((await history(id)).map((m) => m.content)).toEqual(['Your parcel left.']);
  });

  it('ignores auto-replies (no message, no bounce)', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    const before = smtp.received().length;
    const raw = rawReply({
      from: 'carla@mail.test',
      to: replyTo,
      messageId: `${randomUUID()}@m`,
      text: 'I am out of the office.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect((await sendgrid(raw, replyTo)).json()).toEqual({ status: 'ignored', reason: 'automatic' });
    expect(smtp.received().length).toBe(before);
    expect((await history(id)).map((m) => m.content)).toEqual(['Your parcel left.']);
  });

  it('answers malformed or unproven posts with 4xx problems, never 5xx', async () => {
    const post = (path: string, contentType: string, payload: string) =>
      api.app.inject({
        method: 'POST',
        url: `/api/v1/inbound/${path}`,
        headers: { 'content-type': contentType },
        payload,
      });
    const answers = [
      await post('sendgrid', 'application/x-www-form-urlencoded', 'subject=hello'),
      await post('sendgrid', 'multipart/form-data', '--x\r\n'),
      await post('mailgun', 'application/x-www-form-urlencoded', 'body-plain=hi'),
      await post('ses', 'text/plain', 'not json'),
      await post('ses', 'application/json', '{}'),
      await ses(sns.notification({ topicArn: TOPIC, message: 'not json' })),
    ];
    expect(answers.map((a) => [a.statusCode, a.json().code])).toEqual([
      [400, 'VALIDATION'],
      [400, 'MALFORMED_REQUEST'],
      [401, 'WEBHOOK_UNVERIFIED'],
      [401, 'WEBHOOK_UNVERIFIED'],
      [401, 'WEBHOOK_UNVERIFIED'],
      [400, 'VALIDATION'],
    ]);
  });

  it('bounces an expired reply address (runs last: it moves the clock past the 90-day default)', async () => {
    const { id, replyTo } = await conversationWithReplyAddress();
    clock.advance(92 * 86_400_000);
    const raw = rawReply({
      from: 'carla@mail.test',
      to: replyTo,
      messageId: `${randomUUID()}@m`,
      text: 'Late',
    });
    expect((await sendgrid(raw, replyTo)).json()).toEqual({ status: 'bounced', reason: 'expired_token' });
    expect((await history(id)).map((m) => m.content)).toEqual(['Your parcel left.']);
  });
});
