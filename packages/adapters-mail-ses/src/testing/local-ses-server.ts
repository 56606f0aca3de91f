import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceivedEmail } from '@parley/messaging-core/testing/contracts';
import type { SigV4Credentials } from './sigv4-verifier.js';
import { SigV4Verifier } from './sigv4-verifier.js';

/** The `SendEmail` route of the SES v2 REST-JSON API. */
export const SES_SEND_EMAIL_PATH = '/v2/email/outbound-emails';

export interface LocalSesServerOptions {
  /** Key pairs whose signatures the server accepts. */
  readonly credentials: readonly SigV4Credentials[];
  /** The region every credential scope must name. Default `eu-west-1`. */
  readonly region?: string;
  /** Recipients refused with `400 MessageRejected`, as SES does for unverified addresses in the sandbox. */
  readonly rejectRecipients?: readonly string[];
}

/** An SES error the server answers with: `x-amzn-ErrorType: <name>` and `{"message": …}`. */
export interface LocalSesFailure {
  readonly status: number;
  readonly name: string;
  readonly message: string;
}

/** A `SendEmail` request the server accepted, as it arrived. */
export interface LocalSesAcceptedEmail {
  readonly messageId: string;
  /** The access key that signed the request. */
  readonly accessKeyId: string;
  readonly region: string;
  /** The JSON body (SES v2 `SendEmailRequest`). */
  readonly request: LocalSesSendEmailRequest;
  /** HTTP request headers (lower-cased names). */
  readonly httpHeaders: Readonly<Record<string, string | string[] | undefined>>;
}

/** Every `SendEmail` attempt with its answer, accepted or not, oldest first. */
export interface LocalSesAttempt {
  readonly accessKeyId: string | undefined;
  readonly status: number | 'hung';
  readonly errorType?: string;
}

/** The subset of SES v2's `SendEmailRequest` the server understands. */
export interface LocalSesSendEmailRequest {
  readonly FromEmailAddress?: string;
  readonly Destination?: {
    readonly ToAddresses?: readonly string[];
    readonly CcAddresses?: readonly string[];
    readonly BccAddresses?: readonly string[];
  };
  readonly ReplyToAddresses?: readonly string[];
  readonly Content?: {
    readonly Simple?: {
      readonly Subject?: { readonly Data?: string; readonly Charset?: string };
      readonly Body?: {
        readonly Text?: { readonly Data?: string; readonly Charset?: string };
        readonly Html?: { readonly Data?: string; readonly Charset?: string };
      };
      readonly Headers?: readonly { readonly Name?: string; readonly Value?: string }[];
    };
    readonly Raw?: unknown;
    readonly Template?: unknown;
  };
  readonly EmailTags?: readonly { readonly Name?: string; readonly Value?: string }[];
  readonly ConfigurationSetName?: string;
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const HEADER_NAME = /^[!-9;-@A-~]{1,126}$/;
const HEADER_VALUE = /^[ -~]{1,870}$/;
const ENCODED_WORD = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;

class LocalSesError extends Error {
  readonly status: number;
  readonly errorType: string;
  constructor(status: number, errorType: string, message: string) {
    super(message);
    this.status = status;
    this.errorType = errorType;
  }
}

const badRequest = (message: string): LocalSesError => new LocalSesError(400, 'BadRequestException', message);

/** Decodes RFC 2047 encoded-words (`=?UTF-8?B?…?=`, `Q` too), joining adjacent ones. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(ENCODED_WORD, (_, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            );
      return new TextDecoder(charset.toLowerCase() === 'utf-8' ? 'utf-8' : charset).decode(bytes);
    });
}

/** Splits an SES address string (`addr`, `"Name" <addr>`, `=?UTF-8?B?…?= <addr>`) into its parts. */
export function parseSesAddress(value: string): { address: string; name?: string } {
  const angle = /^(.*)<([^<>\s]+)>\s*$/s.exec(value);
  if (!angle) {
    if (/[\s<>"]/.test(value.trim())) throw badRequest(`Illegal address: ${value}`);
    return { address: value.trim() };
  }
  const rawName = angle[1]!.trim();
  const address = angle[2]!;
  if (rawName === '') return { address };
  if (/[^ -~]/.test(rawName))
    throw badRequest(`Illegal address: non-ASCII display name must be RFC 2047 encoded`);
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(rawName);
  const name = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : decodeEncodedWords(rawName);
  return { address, name };
}

function validate(request: LocalSesSendEmailRequest): void {
  if (typeof request.FromEmailAddress !== 'string') throw badRequest('Missing FromEmailAddress');
  const destination = request.Destination ?? {};
  const recipients = [
    ...(destination.ToAddresses ?? []),
    ...(destination.CcAddresses ?? []),
    ...(destination.BccAddresses ?? []),
  ];
  if (recipients.length === 0) throw badRequest('Missing final recipients.');
  if (recipients.length > 50) throw badRequest('Recipient count exceeds 50.');
  for (const address of [request.FromEmailAddress, ...recipients, ...(request.ReplyToAddresses ?? [])]) {
    parseSesAddress(address);
  }
  const simple = request.Content?.Simple;
  if (simple === undefined) {
    throw badRequest('The local SES server only accepts Content.Simple.');
  }
  if (typeof simple.Subject?.Data !== 'string') throw badRequest('Missing Subject.');
  if (simple.Body?.Text === undefined && simple.Body?.Html === undefined) throw badRequest('Missing Body.');
  for (const h of simple.Headers ?? []) {
    if (typeof h.Name !== 'string' || !HEADER_NAME.test(h.Name)) {
      throw badRequest(`Invalid header name: ${JSON.stringify(h.Name)}`);
    }
    if (typeof h.Value !== 'string' || !HEADER_VALUE.test(h.Value)) {
      throw badRequest(`Invalid value for header ${h.Name}: must be 1-870 printable ASCII characters.`);
    }
  }
  const tags = request.EmailTags ?? [];
  if (tags.length > 50) throw badRequest('Too many message tags (at most 50).');
  for (const tag of tags) {
    if (
      typeof tag.Name !== 'string' ||
      !TAG.test(tag.Name) ||
      typeof tag.Value !== 'string' ||
      !TAG.test(tag.Value)
    ) {
      throw badRequest(
        `Invalid message tag ${JSON.stringify(tag)}: only [A-Za-z0-9_-], at most 256 characters.`,
      );
    }
  }
}

/**
 * An SES v2 HTTP endpoint on 127.0.0.1 for tests: it answers `POST /v2/email/outbound-emails`
 * in the real REST-JSON protocol, verifies every request's AWS Signature V4 against its
 * configured key pairs (`SigV4Verifier`), validates the body the way SES does (address syntax,
 * header and tag charsets and limits, `Content.Simple` only), records what it accepted and can be
 * told to throttle, hang or fail the next request.
 *
 * Errors are sent as SES sends them: the status, `x-amzn-ErrorType: <Name>` (what the SDK reads
 * for `error.name`), `x-amzn-RequestId` and `{"message": "…"}`.
 *
 * @example
 * ```ts
 * const ses = await LocalSesServer.start({ credentials: [{ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }] });
 * const transport = new SesMailTransport({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', region: ses.region, endpoint: ses.endpoint });
 * await transport.send(email);
 * ses.received(); // [{ from: 'shop@acme.test', parleyId: 'log-1', … }]
 * await ses.close();
 * ```
 */
export class LocalSesServer {
  readonly region: string;
  readonly #server: Server;
  readonly #verifier: SigV4Verifier;
  readonly #rejectRecipients: ReadonlySet<string>;
  readonly #accepted: LocalSesAcceptedEmail[] = [];
  readonly #attempts: LocalSesAttempt[] = [];
  readonly #next: (LocalSesFailure | 'hang')[] = [];
  readonly #hung: ServerResponse[] = [];

  private constructor(server: Server, options: LocalSesServerOptions) {
    this.#server = server;
    this.region = options.region ?? 'eu-west-1';
    this.#verifier = new SigV4Verifier({
      credentials: options.credentials,
      region: this.region,
      service: 'ses',
    });
    this.#rejectRecipients = new Set((options.rejectRecipients ?? []).map((r) => r.toLowerCase()));
  }

  /**
   * Listens on 127.0.0.1 on a free port.
   *
   * @example
   * ```ts
   * const ses = await LocalSesServer.start({ credentials: [{ accessKeyId: 'AKIDA', secretAccessKey: 'a' }], rejectRecipients: ['bounce@mail.test'] });
   * ses.endpoint; // "http://127.0.0.1:40123"
   * ```
   */
  static async start(options: LocalSesServerOptions): Promise<LocalSesServer> {
    const server = createServer();
    const ses = new LocalSesServer(server, options);
    server.on('request', (req, res) => {
      ses.#handle(req, res).catch((error: unknown) => {
        ses.#error(res, new LocalSesError(500, 'InternalFailure', String(error)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return ses;
  }

  /** The base URL to pass as the transport's `endpoint`. */
  get endpoint(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /**
   * The next `SendEmail` that passes authentication is refused with `429 TooManyRequestsException`
   * ("Maximum sending rate exceeded."), as SES does above the account's send rate.
   *
   * @example
   * ```ts
   * ses.throttleNext();
   * ```
   */
  throttleNext(): void {
    this.failNext({
      status: 429,
      name: 'TooManyRequestsException',
      message: 'Maximum sending rate exceeded.',
    });
  }

  /**
   * The next `SendEmail` that passes authentication gets no answer at all (the connection stays
   * open until `close`), so the client's timeout fires.
   *
   * @example
   * ```ts
   * ses.hangNext();
   * ```
   */
  hangNext(): void {
    this.#next.push('hang');
  }

  /**
   * The next `SendEmail` that passes authentication is refused with this error.
   *
   * @example
   * ```ts
   * ses.failNext({ status: 503, name: 'ServiceUnavailable', message: 'Service unavailable.' });
   * ```
   */
  failNext(failure: LocalSesFailure): void {
    this.#next.push(failure);
  }

  /**
   * The requests it accepted, oldest first, as SES received them.
   *
   * @example
   * ```ts
   * ses.accepted()[0]?.request.ConfigurationSetName; // "parley-events"
   * ```
   */
  accepted(): LocalSesAcceptedEmail[] {
    return [...this.#accepted];
  }

  /**
   * Every `SendEmail` attempt, refused ones included, with the key that signed it and the answer.
   *
   * @example
   * ```ts
   * ses.attempts(); // [{ accessKeyId: 'AKIDA', status: 403, errorType: 'InvalidSignatureException' }, …]
   * ```
   */
  attempts(): LocalSesAttempt[] {
    return [...this.#attempts];
  }

  /**
   * The accepted emails in the core contract's `ReceivedEmail` shape: addresses parsed from the
   * SES address strings, display names and header values RFC 2047-decoded, header names
   * lower-cased, `parleyId` from the `parley_email_id` message tag.
   *
   * @example
   * ```ts
   * ses.received(); // [{ from: 'shop@acme.test', fromName: 'Acme Shop', to: ['ana@mail.test'], parleyId: 'log-1', … }]
   * ```
   */
  received(): ReceivedEmail[] {
    return this.#accepted.map(({ request }) => {
      const simple = request.Content!.Simple!;
      const from = parseSesAddress(request.FromEmailAddress!);
      const replyTo = request.ReplyToAddresses?.[0];
      const parleyId = request.EmailTags?.find((t) => t.Name === 'parley_email_id')?.Value;
      const html = simple.Body?.Html?.Data;
      return {
        from: from.address,
        ...(from.name === undefined ? {} : { fromName: from.name }),
        to: (request.Destination?.ToAddresses ?? []).map((a) => parseSesAddress(a).address),
        ...(replyTo === undefined ? {} : { replyTo: parseSesAddress(replyTo).address }),
        subject: simple.Subject!.Data!,
        text: simple.Body?.Text?.Data ?? '',
        ...(html === undefined ? {} : { html }),
        headers: Object.fromEntries(
          (simple.Headers ?? []).map((h) => [h.Name!.toLowerCase(), decodeEncodedWords(h.Value!)]),
        ),
        ...(parleyId === undefined ? {} : { parleyId }),
      };
    });
  }

  /**
   * Stops listening and drops every open connection, hung requests included.
   *
   * @example
   * ```ts
   * await ses.close();
   * ```
   */
  async close(): Promise<void> {
    for (const res of this.#hung.splice(0)) res.destroy();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (req.method !== 'POST' || path !== SES_SEND_EMAIL_PATH) {
      this.#error(
        res,
        new LocalSesError(404, 'UnknownOperationException', `No operation for ${req.method} ${path}`),
      );
      return;
    }
    const auth = this.#verifier.verify({
      method: req.method,
      url: req.url ?? '/',
      headers: req.headers,
      body,
    });
    if (!auth.ok) {
      const keyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
      this.#attempts.push({ accessKeyId: keyId, status: 403, errorType: auth.errorType });
      this.#error(res, new LocalSesError(403, auth.errorType, auth.message));
      return;
    }
    const attempt = (status: number | 'hung', errorType?: string): void => {
      this.#attempts.push({
        accessKeyId: auth.accessKeyId,
        status,
        ...(errorType === undefined ? {} : { errorType }),
      });
    };
    const next = this.#next.shift();
    if (next === 'hang') {
      attempt('hung');
      this.#hung.push(res);
      return;
    }
    if (next !== undefined) {
      attempt(next.status, next.name);
      this.#error(res, new LocalSesError(next.status, next.name, next.message));
      return;
    }
    try {
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        throw new LocalSesError(415, 'UnsupportedMediaTypeException', 'Unsupported Media Type');
      }
      let request: LocalSesSendEmailRequest;
      try {
        request = JSON.parse(body.toString('utf8')) as LocalSesSendEmailRequest;
      } catch {
        throw new LocalSesError(400, 'SerializationException', 'Malformed JSON body.');
      }
      validate(request);
      const rejected = (request.Destination?.ToAddresses ?? [])
        .map((a) => parseSesAddress(a).address)
        .filter((a) => this.#rejectRecipients.has(a.toLowerCase()));
      if (rejected.length > 0) {
        throw new LocalSesError(
          400,
          'MessageRejected',
          `Email address is not verified. The following identities failed the check in region ${this.region.toUpperCase()}: ${rejected.join(', ')}`,
        );
      }
      const messageId = `${randomBytes(8).toString('hex')}-${randomUUID()}-000000`;
      this.#accepted.push({
        messageId,
        accessKeyId: auth.accessKeyId,
        region: auth.region,
        request,
        httpHeaders: { ...req.headers },
      });
      attempt(200);
      this.#send(res, 200, { MessageId: messageId });
    } catch (error) {
      if (!(error instanceof LocalSesError)) throw error;
      attempt(error.status, error.errorType);
      this.#error(res, error);
    }
  }

  #error(res: ServerResponse, error: LocalSesError): void {
    if (res.headersSent) return;
    this.#send(res, error.status, { message: error.message }, { 'x-amzn-ErrorType': error.errorType });
  }

  #send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      'x-amzn-RequestId': randomUUID(),
      ...headers,
    });
    res.end(json);
  }
}
