import { MessagingError } from '@parley/messaging-core';

/** Whether our queue should try an SES failure again. */
export type SesFailureKind = 'retryable' | 'permanent';

/**
 * SES / AWS error names (the SDK's `error.name`, taken from the `x-amzn-ErrorType` header) and what
 * each means for a retry. Names not listed fall back to the HTTP status (`$metadata.httpStatusCode`)
 * and then to `$fault`.
 */
export const SES_ERROR_KINDS: Readonly<Record<string, SesFailureKind>> = {
  // Throttling and quotas: they free up with time, and the queue backs off.
  TooManyRequestsException: 'retryable',
  LimitExceededException: 'retryable',
  Throttling: 'retryable',
  ThrottlingException: 'retryable',
  ThrottledException: 'retryable',
  RequestThrottledException: 'retryable',
  RequestLimitExceeded: 'retryable',
  // The service failed, not the request.
  InternalServiceErrorException: 'retryable',
  InternalFailure: 'retryable',
  InternalServerError: 'retryable',
  InternalError: 'retryable',
  ServiceUnavailable: 'retryable',
  ServiceUnavailableException: 'retryable',
  ConcurrentModificationException: 'retryable',
  RequestTimeout: 'retryable',
  RequestTimeoutException: 'retryable',
  // Our clock was off: the SDK has corrected its offset (see `clockSkewCorrected`), so a retry passes.
  RequestTimeTooSkewed: 'retryable',
  RequestExpired: 'retryable',
  RequestInTheFuture: 'retryable',
  // Credentials: wrong key, wrong secret, missing or expired token, no permission. A retry sends
  // the same credentials, so it fails the same way.
  UnrecognizedClientException: 'permanent',
  InvalidClientTokenId: 'permanent',
  InvalidSignatureException: 'permanent',
  SignatureDoesNotMatch: 'permanent',
  IncompleteSignature: 'permanent',
  MissingAuthenticationToken: 'permanent',
  MissingAuthenticationTokenException: 'permanent',
  ExpiredTokenException: 'permanent',
  AccessDeniedException: 'permanent',
  NotAuthorized: 'permanent',
  // The message or the account: no retry soon will change the answer.
  MessageRejected: 'permanent',
  MailFromDomainNotVerifiedException: 'permanent',
  AccountSuspendedException: 'permanent',
  // Sending paused (account or configuration set) needs a person to resume it; retrying within
  // the queue's backoff would only burn attempts.
  SendingPausedException: 'permanent',
  BadRequestException: 'permanent',
  NotFoundException: 'permanent',
  ValidationException: 'permanent',
  SerializationException: 'permanent',
  // Our own configuration is broken (no credentials could be resolved).
  CredentialsProviderError: 'permanent',
};

// Errors that never reached SES or never got its answer: node's socket errors and the SDK's
// request handler timeouts / aborts.
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const NETWORK_ERROR_NAMES = new Set(['TimeoutError', 'AbortError']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly clockSkewCorrected?: unknown };
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

function statusOf(shape: SdkErrorShape): number | undefined {
  const status = shape.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Decides whether an error thrown by `SESv2Client.send` may pass on a later try.
 *
 * Order: clock skew the SDK just corrected → network and timeout errors → the error name in
 * `SES_ERROR_KINDS` → HTTP status (408, 429 and 5xx retryable, other 4xx permanent) → `$fault`
 * (`server` retryable, `client` permanent). An error with none of these (no answer from SES, an
 * unexpected exception) is retryable: losing an email to a transient fault is worse than a
 * bounded number of extra attempts.
 *
 * @example
 * ```ts
 * classifySesFailure({ name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 } });
 * // "retryable"
 * ```
 */
export function classifySesFailure(error: unknown): SesFailureKind {
  const shape = shapeOf(error);
  if (shape.$metadata?.clockSkewCorrected === true) return 'retryable';
  if (typeof shape.code === 'string' && NETWORK_ERROR_CODES.has(shape.code)) return 'retryable';
  const name = typeof shape.name === 'string' ? shape.name : undefined;
  if (name !== undefined && NETWORK_ERROR_NAMES.has(name)) return 'retryable';
  if (name !== undefined && Object.hasOwn(SES_ERROR_KINDS, name)) return SES_ERROR_KINDS[name]!;
  const status = statusOf(shape);
  if (status !== undefined && status >= 400) {
    if (status === 408 || status === 429 || status >= 500) return 'retryable';
    return 'permanent';
  }
  if (shape.$fault === 'client') return 'permanent';
  return 'retryable';
}

/**
 * Turns an error thrown by `SESv2Client.send` into the core's `MessagingError`: `MAIL_RETRYABLE`
 * or `MAIL_PERMANENT` (see `classifySesFailure`), with the SES error name and HTTP status in
 * `details` and the original error as `cause`. Never copies credentials.
 *
 * @example
 * ```ts
 * try {
 *   await client.send(command);
 * } catch (error) {
 *   throw toSesMessagingError(error); // MessagingError { code: 'MAIL_PERMANENT', details: { sesError: 'MessageRejected', … } }
 * }
 * ```
 */
export function toSesMessagingError(error: unknown): MessagingError {
  const shape = shapeOf(error);
  const kind = classifySesFailure(error);
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const status = statusOf(shape);
  const reason = typeof shape.message === 'string' && shape.message !== '' ? shape.message : String(error);
  return new MessagingError(
    kind === 'retryable' ? 'MAIL_RETRYABLE' : 'MAIL_PERMANENT',
    `ses: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${reason}`,
    {
      details: {
        provider: 'ses',
        sesError: name,
        ...(status === undefined ? {} : { httpStatus: status }),
      },
      cause: error,
    },
  );
}
