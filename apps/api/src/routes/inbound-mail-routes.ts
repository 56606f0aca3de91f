import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Clock, MessagingError, type WebhookReplayGuard } from '@parley/messaging-core';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { HttpProblem } from '../http-errors.js';
import {
  type InboundReceipt,
  type ReceiveInboundEmail,
  type SesInboundVerifier,
  sesReceivedMail,
  verifyBasicPassword,
  verifyMailgunInbound,
} from '../inbound/inbound-mail.js';
import {
  addressOf,
  inboundEmailFromFields,
  type ParsedInboundEmail,
  parseHeaderBlock,
  parseRawInboundEmail,
} from '../inbound/parse-inbound-email.js';
import { problemsExactly } from '../schemas/common.js';
import { InboundMailReceiptWire } from '../schemas/inbound-mail.js';

/** What the inbound mail routes run against (`null` in `ServerPorts`: reply by email is off, 404). */
export interface InboundMailDependencies {
  readonly receive: ReceiveInboundEmail;
  /** Largest email accepted, in bytes (`PARLEY_INBOUND_MAX_MB`). */
  readonly maxBytes: number;
  /** The SendGrid route's HTTP Basic password; undefined: none required. */
  readonly sendgridPassword?: string;
  /** Mailgun's webhook signing key and the shared replay guard; absent: the route answers 404. */
  readonly mailgun?: {
    readonly signingKey: string;
    readonly replayGuard: WebhookReplayGuard;
    readonly clock?: Clock;
  };
  /** The SNS verifier with the inbound topics; absent: the route answers 404. */
  readonly ses?: SesInboundVerifier;
}

type Receipt = Static<typeof InboundMailReceiptWire>;

/** A multipart or urlencoded form: its text fields and its files, in full (bounded by `maxBytes`). */
interface Form {
  readonly fields: Record<string, string>;
  readonly files: { readonly fieldname: string; readonly filename: string; readonly content: Uint8Array }[];
}

async function readForm(request: FastifyRequest, maxBytes: number): Promise<Form> {
  if (!request.isMultipart()) {
    const body = request.body;
    const fields: Record<string, string> = {};
    if (body instanceof URLSearchParams) for (const [key, value] of body) fields[key] = value;
    return { fields, files: [] };
  }
  const fields: Record<string, string> = {};
  const files: Form['files'] = [];
  let total = 0;
  try {
    const parts = request.parts({
      limits: { fileSize: maxBytes, files: 100, fields: 200, fieldSize: maxBytes },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        const chunks: Buffer[] = [];
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > maxBytes) throw tooLarge(maxBytes);
          chunks.push(chunk);
        }
        files.push({
          fieldname: part.fieldname,
          filename: part.filename || part.fieldname,
          content: new Uint8Array(Buffer.concat(chunks)),
        });
      } else {
        const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
        total += value.length;
        if (total > maxBytes) throw tooLarge(maxBytes);
        fields[part.fieldname] = value;
      }
    }
  } catch (error) {
    if (error instanceof MessagingError || error instanceof HttpProblem) throw error;
    if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string')
      throw error;
    throw new HttpProblem('MALFORMED_REQUEST', 'the multipart/form-data body could not be read', {
      field: 'body',
      cause: error,
    });
  }
  return { fields, files };
}

function tooLarge(maxBytes: number): MessagingError {
  return new MessagingError('PAYLOAD_TOO_LARGE', `the email is larger than ${maxBytes} bytes`, {
    field: 'email',
    details: { maxBytes },
  });
}

function jsonList(text: string | undefined, key: string): string[] {
  if (text === undefined) return [];
  try {
    const value = (JSON.parse(text) as Record<string, unknown>)[key];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function addressList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((part) => addressOf(part))
    .filter((a) => a.includes('@'));
}

/** SendGrid Inbound Parse: raw mode (`email`), else its parsed fields (`text`, `headers`, `attachmentN`). */
async function sendgridEmail(form: Form): Promise<ParsedInboundEmail> {
  const envelopeTo = jsonList(form.fields.envelope, 'to');
  if (form.fields.email !== undefined)
    return parseRawInboundEmail(Buffer.from(form.fields.email, 'utf8'), { recipients: envelopeTo });
  if (form.fields.from === undefined)
    throw MessagingError.validation('email', 'neither the raw email nor the from field was posted');
  const headers = parseHeaderBlock(form.fields.headers ?? '');
  return inboundEmailFromFields({
    from: addressOf(form.fields.from),
    recipients: [...envelopeTo, ...addressList(form.fields.to), ...addressList(form.fields.cc)],
    messageId: headers['message-id'] ?? null,
    headers,
    text: form.fields.text ?? '',
    attachments: form.files
      .filter((f) => /^attachment\d+$/.test(f.fieldname))
      .map((f) => ({ filename: f.filename, content: f.content })),
  });
}

/** A Mailgun route's forward: `body-mime` (URL ending in `mime`), else the parsed fields. */
async function mailgunEmail(form: Form): Promise<ParsedInboundEmail> {
  const recipients = addressList(form.fields.recipient);
  const mime = form.fields['body-mime'];
  if (mime !== undefined) return parseRawInboundEmail(Buffer.from(mime, 'utf8'), { recipients });
  const from = form.fields.from ?? form.fields.sender;
  if (from === undefined) throw MessagingError.validation('from', 'the Mailgun forward has no sender');
  let headers: Record<string, string> = {};
  try {
    const pairs = JSON.parse(form.fields['message-headers'] ?? '[]') as unknown;
    if (Array.isArray(pairs))
      headers = Object.fromEntries(
        pairs
          .filter(
            (p): p is [string, string] =>
              Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string',
          )
          .map(([k, v]) => [k.toLowerCase(), v]),
      );
  } catch {
    headers = {};
  }
  return inboundEmailFromFields({
    from: addressOf(from),
    recipients: [...recipients, ...addressList(form.fields.To ?? form.fields.to)],
    messageId: form.fields['Message-Id'] ?? headers['message-id'] ?? null,
    headers,
    text: form.fields['body-plain'] ?? '',
    attachments: form.files
      .filter((f) => /^attachment-\d+$/.test(f.fieldname))
      .map((f) => ({ filename: f.filename, content: f.content })),
  });
}

function wire(receipt: InboundReceipt): Receipt {
  return 'reason' in receipt
    ? { status: receipt.status, reason: receipt.reason }
    : { status: receipt.status };
}

/**
 * `POST /api/v1/inbound/{sendgrid|mailgun|ses}`: replies to notification emails, as each provider
 * posts them, into the same `receiveInboundReply` as the SMTP listener. No bearer token: SendGrid
 * Inbound Parse signs nothing (the signed reply address is the proof; an optional Basic password),
 * Mailgun's `signature` is checked with its replay-guarded token, SES comes through signed SNS.
 * Answers 200 with what became of the email — a bounced reply is handled, not an error, so
 * providers do not retry it; 401 when the provider's proof fails; 404 when reply by email (or that
 * provider) is not configured.
 *
 * @example
 * ```ts
 * await app.register(inboundMailRoutes, { prefix: '/api/v1/inbound', inbound });
 * ```
 */
export const inboundMailRoutes: FastifyPluginAsyncTypebox<{
  readonly inbound: InboundMailDependencies | null;
}> = async (app, options) => {
  const { inbound } = options;
  // Encapsulated: Mailgun posts urlencoded forms when there are no files, SNS posts text/plain.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8')));
    },
  );
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  const bodyLimit = Math.ceil((inbound?.maxBytes ?? 1_048_576) * 1.4);
  const problems = problemsExactly(400, 401, 404, 413, 415, 429, 500);

  const notConfigured = (what: string) =>
    new HttpProblem('ROUTE_NOT_FOUND', `${what} inbound mail is not configured on this server`);

  const route = (
    provider: 'sendgrid' | 'mailgun' | 'ses',
    summary: string,
    description: string,
    handle: (request: FastifyRequest, deps: InboundMailDependencies) => Promise<InboundReceipt>,
  ) =>
    app.post(
      `/${provider}`,
      {
        bodyLimit,
        schema: {
          tags: ['Inbound mail'],
          operationId: `${provider}InboundMail`,
          summary,
          description: `${description} No bearer token. 404 when reply by email (PARLEY_INBOUND_DOMAIN) or this provider is not configured.`,
          security: [],
          response: { 200: InboundMailReceiptWire, ...problems },
        },
      },
      async (request) => {
        if (inbound === null) throw notConfigured('reply by email:');
        return wire(await handle(request, inbound));
      },
    );

  route(
    'sendgrid',
    'SendGrid Inbound Parse',
    'multipart/form-data as SendGrid Inbound Parse posts it: "Send Raw" (`email` holds the full MIME message, `envelope` the SMTP envelope) or the parsed fields (`from`, `to`, `headers`, `text`, `attachment1`…). With PARLEY_INBOUND_WEBHOOK_PASSWORD set, HTTP Basic credentials carrying it are required.',
    async (request, deps) => {
      if (deps.sendgridPassword !== undefined)
        verifyBasicPassword(request.headers.authorization, deps.sendgridPassword);
      return deps.receive(await sendgridEmail(await readForm(request, deps.maxBytes)));
    },
  );
  route(
    'mailgun',
    'Mailgun route forward',
    "A Mailgun route's `forward()` (multipart/form-data or urlencoded): `body-mime` when the URL ends in `mime`, else the parsed fields (`from`, `recipient`, `Message-Id`, `body-plain`, `attachment-1`…). Verified like Mailgun's webhooks: HMAC-SHA256 of `timestamp` + `token` under PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY, within 5 minutes, each token once.",
    async (request, deps) => {
      if (deps.mailgun === undefined) throw notConfigured('Mailgun');
      const form = await readForm(request, deps.maxBytes);
      await verifyMailgunInbound(form.fields, deps.mailgun);
      return deps.receive(await mailgunEmail(form));
    },
  );
  route(
    'ses',
    'Amazon SES receipt through SNS',
    "An SNS HTTPS delivery (text/plain JSON) of an SES receipt rule's SNS action (encoding UTF-8 or Base64): the SNS signature (version 1 or 2) with the certificate from https://sns.<region>.amazonaws.com, TopicArn in PARLEY_INBOUND_SES_SNS_TOPIC_ARNS. A SubscriptionConfirmation is confirmed.",
    async (request, deps) => {
      const ses = deps.ses;
      if (ses === undefined) throw notConfigured('Amazon SES');
      // SNS posts text/plain; a JSON-typed post is the same message (the signature covers its
      // fields, not its bytes).
      const body =
        typeof request.body === 'string'
          ? request.body
          : request.body === undefined
            ? ''
            : JSON.stringify(request.body);
      const message = await ses.verify(body, request.headers);
      if (message.Type === 'SubscriptionConfirmation') {
        await ses.confirmSubscription(message);
        return { status: 'subscription_confirmed' };
      }
      if (message.Type !== 'Notification') return { status: 'ignored', reason: 'no_content' };
      const mail = sesReceivedMail(message.Message);
      if (mail === null || mail.raw === null) return { status: 'ignored', reason: 'no_content' };
      if (mail.raw.length > deps.maxBytes) throw tooLarge(deps.maxBytes);
      return deps.receive(await parseRawInboundEmail(mail.raw, { recipients: mail.recipients }));
    },
  );
};
