import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceivedEmail } from '@parley/messaging-core/testing/contracts';
import busboy from 'busboy';
import { parseAddressList, parseMailbox } from './mail-address-parser.js';

/** Mailgun's answer to a refused API key: HTTP 401 with this plain-text body. */
export const MAILGUN_UNAUTHORIZED_BODY = 'Forbidden';

/** Mailgun's body for a throttled request (HTTP 429). */
export const MAILGUN_TOO_MANY_REQUESTS_BODY = { message: 'Too many requests' } as const;

/** Mailgun's body for an address it will not send to (HTTP 400). */
export const MAILGUN_INVALID_TO_BODY = {
  message: 'to parameter is not a valid address. please check documentation',
} as const;

const MAX_BODY_BYTES = 25 * 1024 * 1024;
const SINGLE_VALUED = new Set(['from', 'subject', 'text', 'html']);
const TAG = /^[\x20-\x7e]{1,128}$/;

/** One form field as it arrived, in order. */
export interface MailgunFormField {
  readonly name: string;
  readonly value: string;
}

/** One accepted send, exactly as it arrived. */
export interface AcceptedMailgunMessage {
  /** The API key from `Authorization: Basic api:<key>`. */
  readonly apiKey: string;
  /** The domain from the path `/v3/<domain>/messages`. */
  readonly domain: string;
  /** The id the server answered with, angle brackets included (`<…@domain>`). */
  readonly id: string;
  /** The request's `Content-Type` media type (`multipart/form-data`). */
  readonly contentType: string;
  /** The request's `User-Agent`. */
  readonly userAgent: string | undefined;
  /** Every form field, in the order it arrived (repeated names repeat). */
  readonly fields: readonly MailgunFormField[];
}

/** A canned answer for the next request (see `failNext`); a string body is sent as text/plain. */
export interface MailgunInjectedFailure {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LocalMailgunServerOptions {
  /** Sending domains the server knows (default `mg.acme.test`); others get 404. */
  readonly domains?: readonly string[];
  /** API keys the server accepts (default: one generated key, see `apiKey`). */
  readonly apiKeys?: readonly string[];
  /** Recipients refused with HTTP 400, like an address Mailgun will not send to. */
  readonly rejectedRecipients?: readonly string[];
  /** The user-variable holding our email id, read by `received()` (default `parley-email-id`). */
  readonly parleyIdVariable?: string;
}

class BadRequest extends Error {}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const isText = typeof body === 'string';
  const text = body === undefined ? '' : isText ? body : JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Basic `api:<key>` credentials, or null. */
function basicApiKey(header: string | undefined): string | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (match === null) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  return decoded.startsWith('api:') ? decoded.slice('api:'.length) : null;
}

function readForm(request: IncomingMessage): Promise<MailgunFormField[]> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: { fieldSize: MAX_BODY_BYTES, fields: 1000, files: 0, parts: 1000 },
      });
    } catch (error) {
      request.resume();
      reject(new BadRequest(`cannot parse the body: ${(error as Error).message}`));
      return;
    }
    const fields: MailgunFormField[] = [];
    let failure: BadRequest | undefined;
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) failure ??= new BadRequest(`field ${name} is too large`);
      fields.push({ name, value });
    });
    parser.on('file', (name, stream) => {
      failure ??= new BadRequest(`unexpected file field ${name}: this server takes no attachments`);
      stream.resume();
    });
    parser.on('filesLimit', () => {
      failure ??= new BadRequest('unexpected file: this server takes no attachments');
    });
    parser.on('fieldsLimit', () => {
      failure ??= new BadRequest('too many fields');
    });
    parser.on('error', (error: Error) => reject(new BadRequest(`cannot parse the body: ${error.message}`)));
    parser.on('close', () => (failure === undefined ? resolve(fields) : reject(failure)));
    request.pipe(parser);
  });
}

/**
 * Validates a Messages API form the way Mailgun does for the fields our transport uses, and more
 * strictly: only from, to, subject, text, html, o:tag, h:* and v:* are accepted, and from,
 * subject, text, html and every h:/v: field at most once.
 */
function validateMessage(fields: readonly MailgunFormField[], rejected: ReadonlySet<string>): void {
  const counts = new Map<string, number>();
  for (const { name } of fields) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [name, count] of counts) {
    const known =
      SINGLE_VALUED.has(name) ||
      name === 'to' ||
      name === 'o:tag' ||
      /^h:[!-9;-~]+$/.test(name) ||
      /^v:[^\s]+$/.test(name);
    if (!known) throw new BadRequest(`unexpected parameter ${JSON.stringify(name)}`);
    if (count > 1 && name !== 'to' && name !== 'o:tag')
      throw new BadRequest(`${name} parameter may be given only once`);
  }
  const first = (name: string) => fields.find((f) => f.name === name)?.value;

  const from = first('from');
  if (from === undefined) throw new BadRequest("'from' parameter is missing");
  if (parseMailbox(from) === null)
    throw new BadRequest('from parameter is not a valid address. please check documentation');

  const to = fields.filter((f) => f.name === 'to');
  if (to.length === 0) throw new BadRequest("'to' parameter is missing");
  for (const field of to) {
    const addresses = parseAddressList(field.value);
    if (addresses === null || addresses.length === 0) throw new BadRequest(MAILGUN_INVALID_TO_BODY.message);
    if (addresses.some((a) => rejected.has(a.address.toLowerCase())))
      throw new BadRequest(MAILGUN_INVALID_TO_BODY.message);
  }

  if (first('subject') === undefined) throw new BadRequest("'subject' parameter is missing");
  if (!first('text') && !first('html'))
    throw new BadRequest("Need at least one of 'text', 'html' or 'template' parameters specified");

  const replyTo = fields.find((f) => f.name.toLowerCase() === 'h:reply-to')?.value;
  if (replyTo !== undefined && parseMailbox(replyTo) === null)
    throw new BadRequest('h:Reply-To parameter is not a valid address');

  for (const { name, value } of fields) {
    if (name === 'o:tag' && !TAG.test(value))
      throw new BadRequest('o:tag must be 1 to 128 printable ASCII characters');
  }
}

function formatDate(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

/**
 * A local stand-in for Mailgun's Messages API (`POST /v3/<domain>/messages`) on 127.0.0.1 and a
 * random port. It parses the multipart/form-data body with busboy, checks it the way Mailgun does
 * (Basic `api:<key>`, known domain, from/to/subject/text|html, addresses), answers
 * `{ id: "<…@domain>", message: "Queued. Thank you." }`, records each accepted send, and can be
 * told to throttle, hang or fail the next request.
 *
 * @example
 * ```ts
 * const server = await LocalMailgunServer.start({ rejectedRecipients: ['bounce@mail.test'] });
 * const transport = new MailgunMailTransport({ apiKey: server.apiKey, domain: server.domain, baseUrl: server.url });
 * await transport.send(email);
 * server.received()[0]?.parleyId; // email.id
 * await server.close();
 * ```
 */
export class LocalMailgunServer {
  readonly #server: Server;
  readonly #apiKeys: ReadonlySet<string>;
  readonly #domains: ReadonlySet<string>;
  readonly #rejected: Set<string>;
  readonly #parleyIdVariable: string;
  readonly #accepted: AcceptedMailgunMessage[] = [];
  readonly #next: (MailgunInjectedFailure | 'hang')[] = [];
  #requestCount = 0;
  #sequence = 0;
  /** Base URL to hand the transport (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** The first accepted API key. */
  readonly apiKey: string;
  /** The first known domain. */
  readonly domain: string;

  private constructor(server: Server, url: string, options: LocalMailgunServerOptions, apiKeys: string[]) {
    this.#server = server;
    this.url = url;
    this.apiKey = apiKeys[0]!;
    this.#apiKeys = new Set(apiKeys);
    const domains = options.domains?.length ? options.domains : ['mg.acme.test'];
    this.domain = domains[0]!;
    this.#domains = new Set(domains.map((d) => d.toLowerCase()));
    this.#rejected = new Set((options.rejectedRecipients ?? []).map((r) => r.toLowerCase()));
    this.#parleyIdVariable = options.parleyIdVariable ?? 'parley-email-id';
  }

  /**
   * Starts a server on 127.0.0.1 and a random port.
   *
   * @example
   * ```ts
   * const server = await LocalMailgunServer.start({ apiKeys: ['key-a', 'key-b'], domains: ['mg.a.test'] });
   * ```
   */
  static async start(options: LocalMailgunServerOptions = {}): Promise<LocalMailgunServer> {
    const apiKeys = options.apiKeys?.length
      ? [...options.apiKeys]
      : [`key-${randomBytes(16).toString('hex')}`];
    let instance: LocalMailgunServer | undefined;
    const server = createServer((request, response) => {
      if (instance === undefined) {
        send(response, 503, { message: 'starting' });
        return;
      }
      instance.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, { message: String(error) });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new LocalMailgunServer(server, `http://127.0.0.1:${port}`, options, apiKeys);
    return instance;
  }

  /** Every accepted send, oldest first, with its key, domain and form fields exactly as they arrived. */
  accepted(): AcceptedMailgunMessage[] {
    return structuredClone(this.#accepted);
  }

  /**
   * Accepted sends in the core contract's `ReceivedEmail` shape: addresses parsed out of
   * `from`/`to`/`h:Reply-To`, custom headers from `h:*` (lower-cased, Reply-To left out), our id
   * from `v:parley-email-id`.
   *
   * @example
   * ```ts
   * server.received(); // [{ from: 'shop@acme.test', fromName: 'Acme Shop', parleyId: 'log-1', … }]
   * ```
   */
  received(): ReceivedEmail[] {
    return this.#accepted.map(({ fields }) => {
      const first = (name: string) => fields.find((f) => f.name === name)?.value;
      const from = parseMailbox(first('from') ?? '');
      const replyToField = fields.find((f) => f.name.toLowerCase() === 'h:reply-to')?.value;
      const replyTo = replyToField === undefined ? null : parseMailbox(replyToField);
      const html = first('html');
      const parleyId = first(`v:${this.#parleyIdVariable}`);
      const headers = Object.fromEntries(
        fields
          .filter((f) => f.name.startsWith('h:') && f.name.toLowerCase() !== 'h:reply-to')
          .map((f) => [f.name.slice(2).toLowerCase(), f.value]),
      );
      return {
        from: from?.address ?? '',
        ...(from?.name === undefined ? {} : { fromName: from.name }),
        to: fields
          .filter((f) => f.name === 'to')
          .flatMap((f) => (parseAddressList(f.value) ?? []).map((a) => a.address)),
        ...(replyTo === null ? {} : { replyTo: replyTo.address }),
        subject: first('subject') ?? '',
        text: first('text') ?? '',
        ...(html === undefined ? {} : { html }),
        headers,
        ...(parleyId === undefined ? {} : { parleyId }),
      };
    });
  }

  /** How many requests reached the server, refused ones included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  /** The next authenticated send gets HTTP 429. */
  throttleNext(): void {
    this.failNext({ status: 429, body: MAILGUN_TOO_MANY_REQUESTS_BODY });
  }

  /** The next authenticated send is never answered, so the client's timeout fires. */
  hangNext(): void {
    this.#next.push('hang');
  }

  /** The next authenticated send gets this answer instead of being processed. */
  failNext(failure: MailgunInjectedFailure): void {
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
    const match = /^\/v3\/([^/]+)\/messages$/.exec(path);
    if (match === null) {
      request.resume();
      send(response, 404, '404 page not found');
      return;
    }
    if (request.method !== 'POST') {
      request.resume();
      send(response, 405, { message: 'Method not allowed' });
      return;
    }
    const apiKey = basicApiKey(request.headers.authorization);
    if (apiKey === null || !this.#apiKeys.has(apiKey)) {
      request.resume();
      send(response, 401, MAILGUN_UNAUTHORIZED_BODY);
      return;
    }
    const domain = decodeURIComponent(match[1]!);
    if (!this.#domains.has(domain.toLowerCase())) {
      request.resume();
      send(response, 404, { message: `Domain not found: ${domain}` });
      return;
    }
    const injected = this.#next.shift();
    if (injected === 'hang') {
      request.resume();
      return;
    }
    if (injected !== undefined) {
      request.resume();
      send(response, injected.status, injected.body, injected.headers);
      return;
    }
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'multipart/form-data') {
      request.resume();
      send(response, 400, { message: `expected a multipart/form-data body, got ${contentType || 'none'}` });
      return;
    }
    let fields: MailgunFormField[];
    try {
      fields = await readForm(request);
      validateMessage(fields, this.#rejected);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      send(response, 400, { message: error.message });
      return;
    }
    this.#sequence += 1;
    const id = `<${formatDate(new Date())}.${this.#sequence}.${randomBytes(6).toString('hex')}@${domain}>`;
    this.#accepted.push({
      apiKey,
      domain,
      id,
      contentType,
      userAgent: request.headers['user-agent'],
      fields,
    });
    send(response, 200, { id, message: 'Queued. Thank you.' });
  }
}

/**
 * Starts a `LocalMailgunServer` (shorthand for `LocalMailgunServer.start`).
 *
 * @example
 * ```ts
 * const server = await startLocalMailgunServer();
 * ```
 */
export function startLocalMailgunServer(
  options: LocalMailgunServerOptions = {},
): Promise<LocalMailgunServer> {
  return LocalMailgunServer.start(options);
}
