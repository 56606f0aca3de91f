import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceivedEmail } from '@parley/messaging-core/testing/contracts';

/** SendGrid's body for a refused API key (HTTP 401), as the real API sends it. */
export const SENDGRID_UNAUTHORIZED_BODY = {
  errors: [
    { message: 'The provided authorization grant is invalid, expired, or revoked', field: null, help: null },
  ],
} as const;

/** SendGrid's body for a throttled request (HTTP 429). */
export const SENDGRID_TOO_MANY_REQUESTS_BODY = {
  errors: [{ message: 'too many requests', field: null, help: null }],
} as const;

const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';
const MAX_BODY_BYTES = 30 * 1024 * 1024;
const MAX_CUSTOM_ARGS_BYTES = 10_000;
const MAX_CATEGORIES = 10;
const ADDRESS = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\]+$/;
/** Headers SendGrid refuses in `headers` (its docs' reserved list), lower-cased. */
const RESERVED_HEADERS = new Set([
  'x-sg-id',
  'x-sg-eid',
  'received',
  'dkim-signature',
  'content-type',
  'content-transfer-encoding',
  'to',
  'from',
  'subject',
  'reply-to',
  'cc',
  'bcc',
]);
/** The only fields our transport may send; anything else is refused, so the test sees it. */
const TOP_LEVEL_FIELDS = new Set([
  'personalizations',
  'from',
  'reply_to',
  'subject',
  'content',
  'custom_args',
  'categories',
  'headers',
]);

/** An address as SendGrid's JSON carries it. */
export interface SendGridAddressJson {
  readonly email: string;
  readonly name?: string;
}

/** A `POST /v3/mail/send` body that passed the server's validation. */
export interface SendGridMailSendBody {
  readonly personalizations: readonly { readonly to: readonly SendGridAddressJson[] }[];
  readonly from: SendGridAddressJson;
  readonly reply_to?: SendGridAddressJson;
  readonly subject: string;
  readonly content: readonly { readonly type: 'text/plain' | 'text/html'; readonly value: string }[];
  readonly custom_args?: Readonly<Record<string, string>>;
  readonly categories?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** One accepted send, exactly as it arrived. */
export interface AcceptedSendGridMail {
  /** The API key from `Authorization: Bearer …`. */
  readonly apiKey: string;
  /** The `X-Message-Id` the server answered with. */
  readonly messageId: string;
  /** The request's `User-Agent` (the SDK sends `sendgrid/<version>;nodejs`). */
  readonly userAgent: string | undefined;
  readonly body: SendGridMailSendBody;
}

/** A canned answer for the next request (see `failNext`). */
export interface SendGridInjectedFailure {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LocalSendGridServerOptions {
  /** API keys the server accepts (default: one generated `SG.` key, see `apiKey`). */
  readonly apiKeys?: readonly string[];
  /** Recipients refused with HTTP 400, like an address SendGrid will not send to. */
  readonly rejectedRecipients?: readonly string[];
  /** The custom_args key holding our email id, read by `received()` (default `parley_email_id`). */
  readonly parleyIdArg?: string;
}

interface SendGridFieldError {
  readonly message: string;
  readonly field: string | null;
  readonly help: string | null;
}

class BadRequest extends Error {
  readonly errors: SendGridFieldError[];
  constructor(errors: SendGridFieldError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

const fieldError = (message: string, field: string | null, anchor?: string): SendGridFieldError => ({
  message,
  field,
  help: anchor === undefined ? null : `${HELP}#${anchor}`,
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return Number.isInteger(value) ? 'integer' : typeof value;
}

function address(value: unknown, field: string, anchor: string): SendGridAddressJson {
  if (!isRecord(value) || typeof value.email !== 'string')
    throw new BadRequest([fieldError(`The ${field} object must contain an email string.`, field, anchor)]);
  const extra = Object.keys(value).filter((k) => k !== 'email' && k !== 'name');
  if (extra.length > 0)
    throw new BadRequest([fieldError(`Unexpected field(s) ${extra.join(', ')}.`, field, anchor)]);
  if (!ADDRESS.test(value.email))
    throw new BadRequest([fieldError('Does not contain a valid address.', `${field}.email`, anchor)]);
  if (value.name === undefined) return { email: value.email };
  if (typeof value.name !== 'string' || value.name === '')
    throw new BadRequest([fieldError('The name must be a non-empty string.', `${field}.name`, anchor)]);
  return { email: value.email, name: value.name };
}

function stringMap(value: unknown, field: string, anchor: string): Record<string, string> {
  if (!isRecord(value))
    throw new BadRequest([
      fieldError(`Invalid type. Expected: object, given: ${typeName(value)}.`, field, anchor),
    ]);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string')
      throw new BadRequest([
        fieldError(`Invalid type. Expected: string, given: ${typeName(entry)}.`, `${field}.${key}`, anchor),
      ]);
  }
  return value as Record<string, string>;
}

/**
 * Validates a Mail Send body the way SendGrid does for the fields our transport uses, and more
 * strictly: any other top-level field is refused.
 */
function validateMailSend(input: unknown, rejected: ReadonlySet<string>): SendGridMailSendBody {
  if (!isRecord(input))
    throw new BadRequest([fieldError('The JSON you have submitted cannot be parsed.', null)]);
  const unexpected = Object.keys(input).filter((k) => !TOP_LEVEL_FIELDS.has(k));
  if (unexpected.length > 0)
    throw new BadRequest(unexpected.map((k) => fieldError(`Unexpected field ${k}.`, k)));

  const { personalizations } = input;
  if (!Array.isArray(personalizations) || personalizations.length === 0 || personalizations.length > 1000)
    throw new BadRequest([
      fieldError(
        'The personalizations field is required and must have at least one personalization.',
        'personalizations',
        'message.personalizations',
      ),
    ]);
  const checkedPersonalizations = personalizations.map((p: unknown, i) => {
    const field = `personalizations.${i}`;
    if (!isRecord(p) || !Array.isArray(p.to) || p.to.length === 0)
      throw new BadRequest([
        fieldError(
          'The to array is required for all personalization objects.',
          `${field}.to`,
          'message.recipient-errors',
        ),
      ]);
    const extra = Object.keys(p).filter((k) => k !== 'to');
    if (extra.length > 0)
      throw new BadRequest([fieldError(`Unexpected field(s) ${extra.join(', ')}.`, field)]);
    const seen = new Set<string>();
    const to = p.to.map((recipient: unknown, j) => {
      const checked = address(recipient, `${field}.to.${j}`, 'message.personalizations.to');
      const key = checked.email.toLowerCase();
      if (seen.has(key))
        throw new BadRequest([
          fieldError(
            `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${checked.email}] in the ${field}.to field.`,
            `${field}.to`,
            'message.recipient-errors',
          ),
        ]);
      seen.add(key);
      if (rejected.has(key))
        throw new BadRequest([
          fieldError(
            'Does not contain a valid address.',
            `${field}.to.${j}.email`,
            'message.personalizations.to',
          ),
        ]);
      return checked;
    });
    return { to };
  });

  if (input.from === undefined)
    throw new BadRequest([
      fieldError(
        'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.',
        'from',
        'message.from',
      ),
    ]);
  const from = address(input.from, 'from', 'message.from');
  const replyTo =
    input.reply_to === undefined ? undefined : address(input.reply_to, 'reply_to', 'message.reply_to');

  if (typeof input.subject !== 'string' || input.subject === '')
    throw new BadRequest([
      fieldError(
        'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
        'subject',
        'message.subject',
      ),
    ]);

  const { content } = input;
  if (!Array.isArray(content) || content.length === 0)
    throw new BadRequest([
      fieldError(
        'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
        'content',
        'message.content',
      ),
    ]);
  const checkedContent = content.map((block: unknown, i): SendGridMailSendBody['content'][number] => {
    if (!isRecord(block) || (block.type !== 'text/plain' && block.type !== 'text/html'))
      throw new BadRequest([
        fieldError(
          'Content types other than text/plain and text/html are not expected.',
          `content.${i}.type`,
        ),
      ]);
    if (typeof block.value !== 'string' || block.value === '')
      throw new BadRequest([
        fieldError(
          'The content value must be a string at least one character in length.',
          `content.${i}.value`,
          'message.content.value',
        ),
      ]);
    return { type: block.type, value: block.value };
  });
  const order = checkedContent.map((block) => block.type);
  const expected = [...order].sort((a, b) => (a === b ? 0 : a === 'text/plain' ? -1 : 1));
  if (order.join() !== expected.join() || new Set(order).size !== order.length)
    throw new BadRequest([
      fieldError(
        'If present, text/plain content must be first, followed by text/html content, followed by any other content.',
        'content',
        'message.content.type',
      ),
    ]);

  let customArgs: Record<string, string> | undefined;
  if (input.custom_args !== undefined) {
    customArgs = stringMap(input.custom_args, 'custom_args', 'message.custom_args');
    if (Buffer.byteLength(JSON.stringify(customArgs)) > MAX_CUSTOM_ARGS_BYTES)
      throw new BadRequest([
        fieldError('The custom_args may not exceed 10,000 bytes.', 'custom_args', 'message.custom_args'),
      ]);
  }
  let categories: string[] | undefined;
  if (input.categories !== undefined) {
    if (
      !Array.isArray(input.categories) ||
      input.categories.length > MAX_CATEGORIES ||
      !input.categories.every((c) => typeof c === 'string' && c !== '' && c.length <= 255)
    )
      throw new BadRequest([
        fieldError(
          'The categories must be an array of at most 10 non-empty strings of at most 255 characters.',
          'categories',
          'message.categories',
        ),
      ]);
    categories = input.categories as string[];
  }
  let headers: Record<string, string> | undefined;
  if (input.headers !== undefined) {
    headers = stringMap(input.headers, 'headers', 'message.headers');
    for (const name of Object.keys(headers)) {
      if (RESERVED_HEADERS.has(name.toLowerCase()))
        throw new BadRequest([
          fieldError(`The header ${name} is reserved.`, `headers.${name}`, 'message.headers'),
        ]);
    }
  }

  return {
    personalizations: checkedPersonalizations,
    from,
    ...(replyTo === undefined ? {} : { reply_to: replyTo }),
    subject: input.subject,
    content: checkedContent,
    ...(customArgs === undefined ? {} : { custom_args: customArgs }),
    ...(categories === undefined ? {} : { categories }),
    ...(headers === undefined ? {} : { headers }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/**
 * A local stand-in for SendGrid's v3 Mail Send API (`POST /v3/mail/send`) on 127.0.0.1 and a
 * random port. It checks what arrives the way SendGrid does (Bearer API key, the JSON body's
 * shape), answers 202 with an `X-Message-Id`, records each accepted send, and can be told to
 * throttle, hang or fail the next request.
 *
 * @example
 * ```ts
 * const server = await LocalSendGridServer.start({ rejectedRecipients: ['bounce@mail.test'] });
 * const transport = new SendGridMailTransport({ apiKey: server.apiKey, baseUrl: server.url });
 * await transport.send(email);
 * server.received()[0]?.parleyId; // email.id
 * await server.close();
 * ```
 */
export class LocalSendGridServer {
  readonly #server: Server;
  readonly #apiKeys: ReadonlySet<string>;
  readonly #rejected: Set<string>;
  readonly #parleyIdArg: string;
  readonly #accepted: AcceptedSendGridMail[] = [];
  readonly #next: (SendGridInjectedFailure | 'hang')[] = [];
  #requestCount = 0;
  /** Base URL to hand the transport (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** The first accepted API key. */
  readonly apiKey: string;

  private constructor(server: Server, url: string, options: LocalSendGridServerOptions, apiKeys: string[]) {
    this.#server = server;
    this.url = url;
    this.apiKey = apiKeys[0]!;
    this.#apiKeys = new Set(apiKeys);
    this.#rejected = new Set((options.rejectedRecipients ?? []).map((r) => r.toLowerCase()));
    this.#parleyIdArg = options.parleyIdArg ?? 'parley_email_id';
  }

  /**
   * Starts a server on 127.0.0.1 and a random port.
   *
   * @example
   * ```ts
   * const server = await LocalSendGridServer.start({ apiKeys: ['SG.store-a', 'SG.store-b'] });
   * ```
   */
  static async start(options: LocalSendGridServerOptions = {}): Promise<LocalSendGridServer> {
    const apiKeys = options.apiKeys?.length
      ? [...options.apiKeys]
      : [`SG.${randomBytes(16).toString('hex')}`];
    let instance: LocalSendGridServer | undefined;
    const server = createServer((request, response) => {
      if (instance === undefined) {
        sendJson(response, 503, { errors: [fieldError('starting', null)] });
        return;
      }
      instance.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, { errors: [fieldError(String(error), null)] });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new LocalSendGridServer(server, `http://127.0.0.1:${port}`, options, apiKeys);
    return instance;
  }

  /** Every accepted send, oldest first, with its API key and body exactly as they arrived. */
  accepted(): AcceptedSendGridMail[] {
    return structuredClone(this.#accepted);
  }

  /**
   * Accepted sends in the core contract's `ReceivedEmail` shape (header names lower-cased, our
   * id read from `custom_args`).
   *
   * @example
   * ```ts
   * server.received(); // [{ from: 'shop@acme.test', to: ['ana@mail.test'], parleyId: 'log-1', … }]
   * ```
   */
  received(): ReceivedEmail[] {
    return this.#accepted.map(({ body }) => {
      const text = body.content.find((c) => c.type === 'text/plain')?.value;
      const html = body.content.find((c) => c.type === 'text/html')?.value;
      const parleyId = body.custom_args?.[this.#parleyIdArg];
      return {
        from: body.from.email,
        ...(body.from.name === undefined ? {} : { fromName: body.from.name }),
        to: body.personalizations.flatMap((p) => p.to.map((t) => t.email)),
        ...(body.reply_to === undefined ? {} : { replyTo: body.reply_to.email }),
        subject: body.subject,
        text: text ?? '',
        ...(html === undefined ? {} : { html }),
        headers: Object.fromEntries(Object.entries(body.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        ...(parleyId === undefined ? {} : { parleyId }),
      };
    });
  }

  /** How many requests reached the server, refused ones included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  /** The next authenticated send gets HTTP 429 with SendGrid's body and rate-limit headers. */
  throttleNext(): void {
    this.failNext({
      status: 429,
      body: SENDGRID_TOO_MANY_REQUESTS_BODY,
      headers: { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '60' },
    });
  }

  /** The next authenticated send is never answered, so the client's timeout fires. */
  hangNext(): void {
    this.#next.push('hang');
  }

  /** The next authenticated send gets this answer instead of being processed. */
  failNext(failure: SendGridInjectedFailure): void {
    this.#next.push(failure);
  }

  /** From now on sends naming this recipient get HTTP 400. */
  rejectRecipient(address: string): void {
    this.#rejected.add(address.toLowerCase());
  }

  /** Stops the server, dropping any request left hanging. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#requestCount += 1;
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (path !== '/v3/mail/send') {
      request.resume();
      sendJson(response, 404, { errors: [fieldError('Not Found', null)] });
      return;
    }
    if (request.method !== 'POST') {
      request.resume();
      sendJson(response, 405, { errors: [fieldError('Method Not Allowed', null)] });
      return;
    }
    const authorization = request.headers.authorization ?? '';
    const apiKey = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
    if (!this.#apiKeys.has(apiKey)) {
      request.resume();
      sendJson(response, 401, SENDGRID_UNAUTHORIZED_BODY);
      return;
    }
    const injected = this.#next.shift();
    if (injected === 'hang') {
      request.resume();
      return;
    }
    if (injected !== undefined) {
      request.resume();
      sendJson(response, injected.status, injected.body, injected.headers);
      return;
    }
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(contentType)) {
      request.resume();
      sendJson(response, 400, { errors: [fieldError('Content-Type should be application/json.', null)] });
      return;
    }
    const raw = await readBody(request);
    if (raw === null) {
      sendJson(response, 413, { errors: [fieldError('The request is larger than 30 MB.', null)] });
      return;
    }
    let body: SendGridMailSendBody;
    try {
      body = validateMailSend(JSON.parse(raw.toString('utf8')), this.#rejected);
    } catch (error) {
      const errors =
        error instanceof BadRequest
          ? error.errors
          : [fieldError('The JSON you have submitted cannot be parsed.', null)];
      sendJson(response, 400, { errors });
      return;
    }
    const messageId = randomBytes(16).toString('base64url');
    this.#accepted.push({ apiKey, messageId, userAgent: request.headers['user-agent'], body });
    sendJson(response, 202, undefined, { 'X-Message-Id': messageId });
  }
}

/**
 * Starts a `LocalSendGridServer` (shorthand for `LocalSendGridServer.start`).
 *
 * @example
 * ```ts
 * const server = await startLocalSendGridServer();
 * ```
 */
export function startLocalSendGridServer(
  options: LocalSendGridServerOptions = {},
): Promise<LocalSendGridServer> {
  return LocalSendGridServer.start(options);
}
