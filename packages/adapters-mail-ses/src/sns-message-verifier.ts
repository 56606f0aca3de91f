import { verify, X509Certificate } from 'node:crypto';
import type { Clock } from '@parley/messaging-core';
import { MessagingError, systemClock } from '@parley/messaging-core';

/** The hosts AWS serves SNS signing certificates (and subscription URLs) from: `sns.<region>.amazonaws.com`. */
export const SNS_CERT_HOST_PATTERN = /^sns\.[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com$/;
/** A certificate larger than this is not one AWS sends. */
const MAX_CERTIFICATE_BYTES = 16 * 1024;
const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_CACHED_CERTIFICATES = 32;

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** An SNS HTTP(S) delivery, as posted (all values strings). */
export interface SnsMessage {
  readonly Type: SnsMessageType;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: '1' | '2';
  readonly Signature: string;
  readonly SigningCertURL: string;
  /** Notifications only, when the publisher set one. */
  readonly Subject?: string;
  /** Subscription and unsubscribe confirmations. */
  readonly Token?: string;
  readonly SubscribeURL?: string;
  /** Notifications. */
  readonly UnsubscribeURL?: string;
}

/**
 * Fetches a URL the verifier has already checked (`SigningCertURL`, `SubscribeURL`) and returns
 * the response body; throws on a non-2xx answer. Injected so tests serve a certificate from loopback.
 *
 * @example
 * ```ts
 * const fetchText: SnsFetchText = async (url) => (await fetch(url, { redirect: 'error' })).text();
 * ```
 */
export type SnsFetchText = (url: URL) => Promise<string>;

export interface SnsMessageVerifierConfig {
  /** The only topics accepted (exact ARNs, e.g. `arn:aws:sns:eu-west-1:123456789012:parley-ses-events`). */
  readonly topicArns: readonly string[];
  /**
   * TEST ONLY: the host `SigningCertURL` and `SubscribeURL` must match instead of
   * `SNS_CERT_HOST_PATTERN` (e.g. `/^127\.0\.0\.1$/` for a loopback certificate server).
   */
  readonly certHostPattern?: RegExp;
  /** TEST ONLY: also accept `http:` URLs (never without `certHostPattern`). Default false. */
  readonly allowHttp?: boolean;
  /** How URLs are fetched; default `fetch` with redirects refused and a 5 s timeout. */
  readonly fetchText?: SnsFetchText;
  /** How many signing certificates are cached by URL (default 32). */
  readonly maxCachedCertificates?: number;
  readonly clock?: Clock;
}

function unverified(reason: string): MessagingError {
  return new MessagingError('WEBHOOK_UNVERIFIED', `SNS message rejected: ${reason}`, {
    details: { provider: 'ses' },
  });
}

/** The default `SnsFetchText`: no redirects (a redirect could leave the checked host), 5 s, size-capped. */
export const defaultSnsFetchText: SnsFetchText = async (url) => {
  const response = await fetch(url, {
    redirect: 'error',
    signal: AbortSignal.timeout(DEFAULT_FETCH_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`GET ${url.origin}${url.pathname} answered HTTP ${response.status}`);
  return response.text();
};

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

/**
 * The string SNS signs, as AWS documents it: for a `Notification` the fields `Message`,
 * `MessageId`, `Subject` (only when present), `Timestamp`, `TopicArn`, `Type`; for a
 * `SubscriptionConfirmation` or `UnsubscribeConfirmation` the fields `Message`, `MessageId`,
 * `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type` — each as its name, a newline, its
 * value, a newline.
 *
 * @example
 * ```ts
 * snsStringToSign({ Type: 'Notification', Message: 'hi', MessageId: 'm1', Timestamp: 't', TopicArn: 'arn', … });
 * // "Message\nhi\nMessageId\nm1\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n"
 * ```
 */
export function snsStringToSign(message: SnsMessage): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let text = '';
  for (const field of fields) {
    const value = message[field];
    if (value === undefined) continue; // only Subject may be absent: the others are checked before
    text += `${field}\n${value}\n`;
  }
  return text;
}

const REQUIRED = [
  'Type',
  'MessageId',
  'TopicArn',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
] as const;

function parseSnsMessage(rawBody: Uint8Array | string): SnsMessage {
  const body = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw unverified('the body is not an SNS message (JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw unverified('the body is not an SNS message (JSON object)');
  const fields = parsed as Record<string, unknown>;
  for (const name of REQUIRED) {
    if (typeof fields[name] !== 'string' || fields[name] === '') throw unverified(`${name} is missing`);
  }
  for (const name of ['Subject', 'Token', 'SubscribeURL', 'UnsubscribeURL']) {
    if (fields[name] !== undefined && fields[name] !== null && typeof fields[name] !== 'string')
      throw unverified(`${name} is not a string`);
  }
  const type = fields.Type;
  if (type !== 'Notification' && type !== 'SubscriptionConfirmation' && type !== 'UnsubscribeConfirmation')
    throw unverified(`unknown message type ${JSON.stringify(type)}`);
  if (
    type !== 'Notification' &&
    (typeof fields.Token !== 'string' || typeof fields.SubscribeURL !== 'string')
  )
    throw unverified(`a ${type} needs Token and SubscribeURL`);
  if (fields.SignatureVersion !== '1' && fields.SignatureVersion !== '2')
    throw unverified(`unsupported SignatureVersion ${JSON.stringify(fields.SignatureVersion)}`);
  // SNS sends `"Subject": null` on some deliveries; a null Subject is an absent one.
  const { Subject, ...rest } = fields;
  return (typeof Subject === 'string' ? { ...rest, Subject } : rest) as unknown as SnsMessage;
}

function headerValue(
  headers: Readonly<Record<string, string | readonly string[] | undefined>> | undefined,
  name: string,
): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
}

/**
 * Verifies Amazon SNS HTTP(S) deliveries as AWS prescribes: the `TopicArn` is on the allow-list;
 * `SigningCertURL` is `https://sns.<region>.amazonaws.com/…` (no other scheme, host, port or
 * credentials); the certificate fetched from it (cached by URL) is an X.509 certificate valid
 * now; and `Signature` (base64) is its key's RSA signature over `snsStringToSign(message)` —
 * SHA1withRSA for `SignatureVersion` 1, SHA256withRSA for 2. `x-amz-sns-message-type` and
 * `x-amz-sns-topic-arn`, when sent, must agree with the body. Any failure throws
 * `WEBHOOK_UNVERIFIED`; a certificate that cannot be fetched throws `INTERNAL` (try again later).
 *
 * SNS signs no freshness window and retries with the same signature, so no timestamp is
 * enforced: a replay is harmless because delivery events apply idempotently by `MessageId`.
 *
 * @example
 * ```ts
 * const verifier = new SnsMessageVerifier({ topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-events'] });
 * const message = await verifier.verify(request.rawBody, request.headers);
 * ```
 */
export class SnsMessageVerifier {
  readonly #topics: ReadonlySet<string>;
  readonly #hostPattern: RegExp;
  readonly #allowHttp: boolean;
  readonly #fetchText: SnsFetchText;
  readonly #clock: Clock;
  readonly #maxCached: number;
  readonly #certificates = new Map<string, Promise<X509Certificate>>();

  constructor(config: SnsMessageVerifierConfig) {
    this.#topics = new Set(config.topicArns.map((arn) => arn.trim()).filter((arn) => arn !== ''));
    if (config.allowHttp === true && config.certHostPattern === undefined)
      throw new Error('SnsMessageVerifier: allowHttp is for tests with a certHostPattern only');
    this.#hostPattern = config.certHostPattern ?? SNS_CERT_HOST_PATTERN;
    this.#allowHttp = config.allowHttp ?? false;
    this.#fetchText = config.fetchText ?? defaultSnsFetchText;
    this.#clock = config.clock ?? systemClock;
    this.#maxCached = config.maxCachedCertificates ?? DEFAULT_MAX_CACHED_CERTIFICATES;
  }

  /**
   * Checks a URL SNS gave us before anything is fetched from it: `https:` (or `http:` when
   * allowed for tests), a host matching the pattern, no user info, the default port.
   */
  trustedUrl(value: string, what: string): URL {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw unverified(`${what} is not a URL`);
    }
    const protocolOk = url.protocol === 'https:' || (this.#allowHttp && url.protocol === 'http:');
    if (!protocolOk) throw unverified(`${what} must be https`);
    if (url.username !== '' || url.password !== '') throw unverified(`${what} must not carry credentials`);
    // A test host pattern may name a loopback server on any port; the AWS one, the default port only.
    if (url.port !== '' && this.#hostPattern === SNS_CERT_HOST_PATTERN)
      throw unverified(`${what} must use the default port`);
    if (!this.#hostPattern.test(url.hostname))
      throw unverified(`${what} host ${url.hostname} is not an SNS host (sns.<region>.amazonaws.com)`);
    return url;
  }

  /**
   * Verifies one delivery and returns the message; throws `WEBHOOK_UNVERIFIED` when it does not verify.
   *
   * @example
   * ```ts
   * const { Type, Message, MessageId } = await verifier.verify(rawBody, headers);
   * ```
   */
  async verify(
    rawBody: Uint8Array | string,
    headers?: Readonly<Record<string, string | readonly string[] | undefined>>,
  ): Promise<SnsMessage> {
    const message = parseSnsMessage(rawBody);
    const headerType = headerValue(headers, 'x-amz-sns-message-type');
    if (headerType !== undefined && headerType !== message.Type)
      throw unverified('x-amz-sns-message-type does not match the message Type');
    const headerTopic = headerValue(headers, 'x-amz-sns-topic-arn');
    if (headerTopic !== undefined && headerTopic !== message.TopicArn)
      throw unverified('x-amz-sns-topic-arn does not match the message TopicArn');
    if (!this.#topics.has(message.TopicArn)) throw unverified(`topic ${message.TopicArn} is not allowed`);
    const certificateUrl = this.trustedUrl(message.SigningCertURL, 'SigningCertURL');
    const certificate = await this.#certificate(certificateUrl);
    const now = this.#clock.now().getTime();
    if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo))
      throw unverified('the signing certificate is not valid now');
    const signature = Buffer.from(message.Signature, 'base64');
    const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
    let valid = false;
    try {
      valid = verify(
        algorithm,
        Buffer.from(snsStringToSign(message), 'utf8'),
        certificate.publicKey,
        signature,
      );
    } catch {
      valid = false;
    }
    if (!valid) throw unverified('the signature does not match');
    return message;
  }

  /**
   * Confirms a verified `SubscriptionConfirmation` by fetching its `SubscribeURL` (which must pass
   * the same host check as certificates).
   */
  async confirmSubscription(message: SnsMessage): Promise<void> {
    if (message.Type !== 'SubscriptionConfirmation' || message.SubscribeURL === undefined)
      throw new Error('confirmSubscription: not a SubscriptionConfirmation');
    const url = this.trustedUrl(message.SubscribeURL, 'SubscribeURL');
    try {
      await this.#fetchText(url);
    } catch (cause) {
      throw new MessagingError('INTERNAL', `SNS subscription to ${message.TopicArn} could not be confirmed`, {
        cause,
      });
    }
  }

  async #certificate(url: URL): Promise<X509Certificate> {
    const key = url.href;
    const cached = this.#certificates.get(key);
    if (cached !== undefined) return cached;
    const loading = this.#load(url);
    if (this.#certificates.size >= this.#maxCached) {
      const oldest = this.#certificates.keys().next().value;
      if (oldest !== undefined) this.#certificates.delete(oldest);
    }
    this.#certificates.set(key, loading);
    // A failed fetch is not cached: the next delivery tries again.
    loading.catch(() => this.#certificates.delete(key));
    return loading;
  }

  async #load(url: URL): Promise<X509Certificate> {
    let pem: string;
    try {
      pem = await this.#fetchText(url);
    } catch (cause) {
      throw new MessagingError('INTERNAL', 'the SNS signing certificate could not be fetched', { cause });
    }
    if (pem.length > MAX_CERTIFICATE_BYTES || !pem.includes('-----BEGIN CERTIFICATE-----'))
      throw unverified('SigningCertURL did not serve a PEM certificate');
    try {
      return new X509Certificate(pem);
    } catch {
      throw unverified('SigningCertURL did not serve a valid X.509 certificate');
    }
  }
}
