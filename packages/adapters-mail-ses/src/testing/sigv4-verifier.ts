import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** One IAM key pair the local server knows. */
export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The request parts SigV4 signs, as they arrived on the wire. */
export interface SigV4Request {
  readonly method: string;
  /** Path and query exactly as sent (`/v2/email/outbound-emails?x=1`). */
  readonly url: string;
  /** Node's `IncomingMessage.headers`: lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Why a request was refused, as AWS says it: the error name goes in `x-amzn-ErrorType`. */
export interface SigV4Failure {
  readonly ok: false;
  readonly errorType:
    | 'MissingAuthenticationTokenException'
    | 'IncompleteSignatureException'
    | 'UnrecognizedClientException'
    | 'InvalidSignatureException';
  readonly message: string;
}

export interface SigV4Success {
  readonly ok: true;
  readonly accessKeyId: string;
  readonly region: string;
  readonly signedHeaders: readonly string[];
}

export interface SigV4VerifierOptions {
  readonly credentials: readonly SigV4Credentials[];
  /** The region the credential scope must name. */
  readonly region: string;
  /** The service the credential scope must name (`ses` for SES v2). */
  readonly service: string;
  /** How far `x-amz-date` may be from now. AWS allows 5 minutes. */
  readonly maxSkewMs?: number;
  readonly now?: () => Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as SigV4 defines it (`encodeURIComponent` plus `!'()*`). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function header(headers: SigV4Request['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function canonicalQuery(search: URLSearchParams): string {
  return [...search]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function amzDateToMs(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Verifies AWS Signature Version 4 (header form) with node:crypto, independently of the SDK's
 * signer: parses `Authorization`, checks the credential scope (`<date>/<region>/<service>/aws4_request`),
 * the access key, `x-amz-date` freshness, rebuilds the canonical request (method, double-encoded
 * path as for every service but S3, sorted query, the signed headers with trimmed values, SHA-256
 * of the body) and compares HMAC signatures in constant time. `x-amz-security-token` is refused:
 * the local server issues no session tokens.
 *
 * @example
 * ```ts
 * const verifier = new SigV4Verifier({ credentials: [{ accessKeyId: 'AKIA…', secretAccessKey: '…' }], region: 'eu-west-1', service: 'ses' });
 * const result = verifier.verify({ method: req.method, url: req.url, headers: req.headers, body });
 * if (!result.ok) respond(403, result.errorType, result.message);
 * ```
 */
export class SigV4Verifier {
  readonly #secrets: ReadonlyMap<string, string>;
  readonly #options: SigV4VerifierOptions;

  constructor(options: SigV4VerifierOptions) {
    this.#options = options;
    this.#secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  }

  /**
   * Checks one request's signature.
   *
   * @example
   * ```ts
   * verifier.verify(request); // { ok: true, accessKeyId: 'AKIA…', region: 'eu-west-1', signedHeaders: [...] }
   * ```
   */
  verify(request: SigV4Request): SigV4Success | SigV4Failure {
    const authorization = header(request.headers, 'authorization');
    if (authorization === undefined) {
      return {
        ok: false,
        errorType: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token',
      };
    }
    const match = AUTHORIZATION.exec(authorization);
    if (!match) {
      return {
        ok: false,
        errorType: 'IncompleteSignatureException',
        message: `Authorization header requires ${ALGORITHM} with Credential, SignedHeaders and Signature.`,
      };
    }
    const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const secret = this.#secrets.get(accessKeyId);
    if (secret === undefined || header(request.headers, 'x-amz-security-token') !== undefined) {
      return { ok: false, errorType: 'UnrecognizedClientException', message: INVALID_TOKEN };
    }
    if (region !== this.#options.region) {
      return {
        ok: false,
        errorType: 'InvalidSignatureException',
        message: `Credential should be scoped to a valid region. (expected ${this.#options.region}, got ${region})`,
      };
    }
    if (service !== this.#options.service) {
      return {
        ok: false,
        errorType: 'InvalidSignatureException',
        message: `Credential should be scoped to correct service: '${this.#options.service}'.`,
      };
    }
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
      return {
        ok: false,
        errorType: 'IncompleteSignatureException',
        message: "'Host' and 'X-Amz-Date' must be signed.",
      };
    }
    const amzDate = header(request.headers, 'x-amz-date') ?? '';
    const signedAt = amzDateToMs(amzDate);
    if (signedAt === undefined || amzDate.slice(0, 8) !== scopeDate) {
      return {
        ok: false,
        errorType: 'IncompleteSignatureException',
        message: 'X-Amz-Date must be a basic ISO 8601 timestamp of the credential scope date.',
      };
    }
    const now = (this.#options.now?.() ?? new Date()).getTime();
    const maxSkewMs = this.#options.maxSkewMs ?? 5 * 60_000;
    if (Math.abs(now - signedAt) > maxSkewMs) {
      return {
        ok: false,
        errorType: 'InvalidSignatureException',
        message: `Signature expired: ${amzDate} is now earlier or later than ${new Date(now).toISOString()} +/- ${maxSkewMs / 60_000} min.`,
      };
    }
    const canonicalHeaders: string[] = [];
    for (const name of signedHeaders) {
      const value = header(request.headers, name);
      if (value === undefined) {
        return {
          ok: false,
          errorType: 'InvalidSignatureException',
          message: `Signed header ${name} is missing from the request.`,
        };
      }
      canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, ' ')}\n`);
    }
    const bodyHash = sha256Hex(request.body);
    const declaredHash = header(request.headers, 'x-amz-content-sha256');
    if (declaredHash !== undefined && declaredHash !== bodyHash) {
      return { ok: false, errorType: 'InvalidSignatureException', message: SIGNATURE_MISMATCH };
    }
    const url = new URL(request.url, 'http://local');
    const canonicalPath = url.pathname
      .split('/')
      .map((segment) => uriEncode(segment))
      .join('/');
    const canonicalRequest = [
      request.method.toUpperCase(),
      canonicalPath,
      canonicalQuery(url.searchParams),
      canonicalHeaders.join(''),
      signedHeaderList,
      bodyHash,
    ].join('\n');
    const scope = `${scopeDate}/${region}/${service}/aws4_request`;
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), region), service), 'aws4_request');
    const expected = Buffer.from(hmac(signingKey, stringToSign).toString('hex'), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, errorType: 'InvalidSignatureException', message: SIGNATURE_MISMATCH };
    }
    return { ok: true, accessKeyId, region, signedHeaders };
  }
}
