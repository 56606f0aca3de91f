import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SESv2ServiceException,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { isMessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import type { SesFailureKind } from './ses-error-classifier.js';
import { classifySesFailure, toSesMessagingError } from './ses-error-classifier.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, requestId: 'req-1', attempts: 1 } });
/** What the SDK builds for an error name its model does not declare (auth errors, generic AWS faults). */
const unmodeled = (name: string, httpStatusCode: number, message = 'x') =>
  new SESv2ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    message,
    ...meta(httpStatusCode),
  });
/** What @smithy/node-http-handler rejects with, and what node's sockets throw. */
const errorWith = (name: string, code?: string) =>
  Object.assign(new Error(`${name} ${code ?? ''}`), { name, ...(code === undefined ? {} : { code }) });

const cases: [string, unknown, SesFailureKind][] = [
  // SES's modeled SendEmail errors, as the SDK's classes.
  [
    'TooManyRequestsException 429',
    new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', ...meta(429) }),
    'retryable',
  ],
  [
    'LimitExceededException 400 (quota)',
    new LimitExceededException({ message: 'Daily message quota exceeded.', ...meta(400) }),
    'retryable',
  ],
  [
    'InternalServiceErrorException 500',
    new InternalServiceErrorException({ message: 'internal', ...meta(500) }),
    'retryable',
  ],
  [
    'MessageRejected 400',
    new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }),
    'permanent',
  ],
  [
    'BadRequestException 400',
    new BadRequestException({ message: 'Illegal address', ...meta(400) }),
    'permanent',
  ],
  [
    'MailFromDomainNotVerifiedException 400',
    new MailFromDomainNotVerifiedException({ message: 'x', ...meta(400) }),
    'permanent',
  ],
  [
    'AccountSuspendedException 400',
    new AccountSuspendedException({ message: 'x', ...meta(400) }),
    'permanent',
  ],
  ['SendingPausedException 400', new SendingPausedException({ message: 'x', ...meta(400) }), 'permanent'],
  [
    'NotFoundException 404 (configuration set)',
    new NotFoundException({ message: 'x', ...meta(404) }),
    'permanent',
  ],
  // Errors outside SES's model: the SDK builds an SESv2ServiceException named after x-amzn-ErrorType.
  ['UnrecognizedClientException 403', unmodeled('UnrecognizedClientException', 403), 'permanent'],
  ['InvalidSignatureException 403', unmodeled('InvalidSignatureException', 403), 'permanent'],
  ['InvalidClientTokenId 403', unmodeled('InvalidClientTokenId', 403), 'permanent'],
  ['SignatureDoesNotMatch 403', unmodeled('SignatureDoesNotMatch', 403), 'permanent'],
  ['AccessDeniedException 403', unmodeled('AccessDeniedException', 403), 'permanent'],
  ['ExpiredTokenException 400', unmodeled('ExpiredTokenException', 400), 'permanent'],
  ['ThrottlingException 400', unmodeled('ThrottlingException', 400), 'retryable'],
  ['InternalFailure 500', unmodeled('InternalFailure', 500), 'retryable'],
  ['ServiceUnavailable 503', unmodeled('ServiceUnavailable', 503), 'retryable'],
  ['unknown name, 502', unmodeled('BadGateway', 502), 'retryable'],
  ['unknown name, 429', unmodeled('SlowDown', 429), 'retryable'],
  ['unknown name, 408', unmodeled('Whatever', 408), 'retryable'],
  ['unknown name, 409', unmodeled('Whatever', 409), 'permanent'],
  ['unknown name, 413', unmodeled('Whatever', 413), 'permanent'],
  ['unknown name, no status, $fault server', { name: 'Odd', $fault: 'server' }, 'retryable'],
  ['unknown name, no status, $fault client', { name: 'Odd', $fault: 'client' }, 'permanent'],
  // A clock-skew refusal after which the SDK corrected its clock: the next try is signed right.
  [
    'InvalidSignatureException with clockSkewCorrected',
    Object.assign(unmodeled('InvalidSignatureException', 403, 'Signature expired'), {
      $metadata: { httpStatusCode: 403, clockSkewCorrected: true },
    }),
    'retryable',
  ],
  // No answer from SES.
  ['request timeout (TimeoutError, ETIMEDOUT)', errorWith('TimeoutError', 'ETIMEDOUT'), 'retryable'],
  ['connection timeout (TimeoutError)', errorWith('TimeoutError'), 'retryable'],
  ['aborted (AbortError)', errorWith('AbortError'), 'retryable'],
  ['ECONNREFUSED', errorWith('Error', 'ECONNREFUSED'), 'retryable'],
  ['ECONNRESET', errorWith('Error', 'ECONNRESET'), 'retryable'],
  ['EAI_AGAIN (DNS)', errorWith('Error', 'EAI_AGAIN'), 'retryable'],
  ['an unexpected exception', new TypeError('boom'), 'retryable'],
  ['a thrown string', 'boom', 'retryable'],
  ['CredentialsProviderError', errorWith('CredentialsProviderError'), 'permanent'],
];

describe('classifySesFailure', () => {
  it.each(cases)('%s → %s', (_name, error, kind) => {
    expect(classifySesFailure(error)).toBe(kind);
  });
});

describe('toSesMessagingError', () => {
  it('maps the kind to the core code and keeps the SES name, status and cause', () => {
    const cause = new MessageRejected({ message: 'Email address is not verified.', ...meta(400) });
    const error = toSesMessagingError(cause);
    expect(isMessagingError(error)).toBe(true);
    expect(error.code).toBe('MAIL_PERMANENT');
    expect(error.details).toEqual({ provider: 'ses', sesError: 'MessageRejected', httpStatus: 400 });
    expect(error.message).toBe('ses: MessageRejected (HTTP 400): Email address is not verified.');
    expect(error.cause).toBe(cause);
  });

  it('reports a timeout as retryable without an HTTP status', () => {
    const error = toSesMessagingError(errorWith('TimeoutError', 'ETIMEDOUT'));
    expect(error.code).toBe('MAIL_RETRYABLE');
    expect(error.details).toEqual({ provider: 'ses', sesError: 'TimeoutError' });
  });
});
