import { STATUS_CODES } from 'node:http';
import { isMessagingError, MESSAGING_ERROR_CODES, type MessagingErrorCode } from '@parley/messaging-core';

/** Codes the HTTP layer adds to the core's: failures that happen before a use case runs. */
export const HTTP_ERROR_CODES = {
  /** No bearer token, or one that is malformed, badly signed or expired. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** No route for this method and path. */
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  /** The body is not parseable (malformed JSON or multipart), nor the URL or a header. */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** The client took too long to send its request (Node's request timeout). */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** A path parameter longer than the router accepts. */
  URI_TOO_LONG: 'URI_TOO_LONG',
  /** The request's headers are larger than the HTTP server accepts. */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  // PAYLOAD_TOO_LARGE and UNSUPPORTED_MEDIA_TYPE are the core's codes (files) and used here too.
  RATE_LIMITED: 'RATE_LIMITED',
  /** A dependency (the database) does not answer: `/readyz`. */
  NOT_READY: 'NOT_READY',
} as const;

export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[keyof typeof HTTP_ERROR_CODES];
export type ProblemCode = MessagingErrorCode | HttpErrorCode;

/** Every problem `code` with its HTTP status: the one place statuses are decided. */
export const STATUS_BY_CODE: Readonly<Record<ProblemCode, number>> = {
  VALIDATION: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  WEBHOOK_UNVERIFIED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONVERSATION_CLOSED: 409,
  CONFLICT: 409,
  REVISION_MISMATCH: 412,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  IDEMPOTENCY_MISMATCH: 422,
  MESSAGE_REJECTED: 422,
  TEMPLATE_TIMEOUT: 422,
  TEMPLATE_TOO_LARGE: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  MAIL_PERMANENT: 502,
  MAIL_RETRYABLE: 503,
  NOT_READY: 503,
  TEMPLATE_RENDERER_BUSY: 503,
};

const TITLES: Readonly<Record<ProblemCode, string>> = {
  VALIDATION: 'Invalid request',
  MALFORMED_REQUEST: 'Malformed request',
  UNAUTHENTICATED: 'Authentication required',
  WEBHOOK_UNVERIFIED: 'Webhook not verified',
  FORBIDDEN: 'Forbidden',
  NOT_FOUND: 'Not found',
  ROUTE_NOT_FOUND: 'Route not found',
  REQUEST_TIMEOUT: 'Request timeout',
  URI_TOO_LONG: 'URI too long',
  HEADERS_TOO_LARGE: 'Request headers too large',
  CONVERSATION_CLOSED: 'Conversation closed',
  CONFLICT: 'Conflict',
  REVISION_MISMATCH: 'Message edited meanwhile',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RANGE_NOT_SATISFIABLE: 'Range not satisfiable',
  IDEMPOTENCY_MISMATCH: 'Idempotency key reused',
  MESSAGE_REJECTED: 'Message rejected by moderation',
  TEMPLATE_TIMEOUT: 'Template took too long',
  TEMPLATE_TOO_LARGE: 'Template too large',
  TEMPLATE_RENDERER_BUSY: 'Template renderer busy',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal server error',
  MAIL_PERMANENT: 'Mail delivery failed',
  MAIL_RETRYABLE: 'Mail delivery unavailable',
  NOT_READY: 'Service not ready',
};

/** `type` URI of a problem code: `urn:parley:problem:not-found` (listed in docs/api.md). */
export function problemType(code: ProblemCode): string {
  return `urn:parley:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

/** RFC 9457 problem details as Parley sends them. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  /** The snake_case input at fault (validation errors and some not-found recipients). */
  readonly field?: string;
  /** `MESSAGE_REJECTED`: why moderation refused the message, for its sender to read. */
  readonly reason?: string;
  readonly request_id?: string;
}

/** A problem raised by the HTTP layer itself (authentication, rate limit, readiness). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly code: ProblemCode;
  readonly field: string | undefined;
  /** Read by Fastify's default handling should this ever escape our error handler. */
  readonly statusCode: number;

  constructor(code: ProblemCode, detail: string, options: { field?: string; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.statusCode = STATUS_BY_CODE[code];
  }
}

/** A validation error as Fastify hands it over (Ajv-shaped, from TypeBox's compiler). */
interface SchemaValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

interface FastifyValidationFailure {
  readonly validation: readonly SchemaValidationIssue[];
  readonly validationContext?: string;
}

function isValidationFailure(error: unknown): error is FastifyValidationFailure {
  return (
    typeof error === 'object' &&
    error !== null &&
    Array.isArray((error as { validation?: unknown }).validation) &&
    (error as { validation: unknown[] }).validation.length > 0
  );
}

/** Header names (`idempotency-key`) as the snake_case field names the core uses (`idempotency_key`). */
function headerField(segment: string): string {
  return segment.replace(/-/g, '_').toLowerCase();
}

function firstOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/**
 * Names the field and says what is wrong from schema validation issues: a missing property, an
 * unknown one, a value outside an enumeration, a wrong type or bound.
 */
export function describeValidation(
  issues: readonly SchemaValidationIssue[],
  context: string | undefined,
): { field: string; detail: string } {
  const path = (pointer: string) =>
    pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const fieldOf = (segments: readonly string[]) =>
    segments.length === 0
      ? (context ?? 'body')
      : (context === 'headers' ? segments.map(headerField) : segments).join('.');

  const unknown = issues.find((i) => i.keyword === 'additionalProperties');
  if (unknown) {
    const name = firstOf(unknown.params.additionalProperties) ?? firstOf(unknown.params.additionalProperty);
    if (name !== undefined) {
      const field = fieldOf([...path(unknown.instancePath), name]);
      const what = context === 'querystring' ? 'parameter' : 'field';
      return { field, detail: `${field} is not a known ${what}` };
    }
  }
  const [first] = issues;
  if (!first) return { field: context ?? 'body', detail: 'the request is invalid' };
  if (first.keyword === 'required') {
    const name = firstOf(first.params.requiredProperties) ?? firstOf(first.params.missingProperty);
    const field = fieldOf(
      name === undefined ? path(first.instancePath) : [...path(first.instancePath), name],
    );
    return { field, detail: `${field} is required` };
  }
  const field = fieldOf(path(first.instancePath));
  // A union of literals fails once per literal: list what was allowed.
  const allowed = issues
    .filter((i) => i.instancePath === first.instancePath && i.keyword === 'const')
    .map((i) => i.params.allowedValue);
  const enumValues = first.keyword === 'enum' ? first.params.allowedValues : undefined;
  if (allowed.length > 0 || Array.isArray(enumValues)) {
    const values = (Array.isArray(enumValues) ? enumValues : allowed).map(String).join(', ');
    return { field, detail: `${field} must be one of ${values}` };
  }
  if (first.keyword === 'format' && first.params.format === 'date-time') {
    // The format also bounds the instant (years 1 to 9999, what the database stores).
    return {
      field,
      detail: `${field} must be an RFC 3339 date-time from year 0001 to 9999, e.g. 2026-01-01T12:00:00Z`,
    };
  }
  return { field, detail: `${field} ${first.message ?? 'is invalid'}` };
}

/** Fastify's own error codes we answer with a specific problem. */
const FASTIFY_CODES: Readonly<Record<string, ProblemCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  // @fastify/multipart: a file past the size limit, too many parts, not multipart at all.
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_PROTO_VIOLATION: 'MALFORMED_REQUEST',
  FST_ERR_NOT_FOUND: 'ROUTE_NOT_FOUND',
  // Refused by the router before any route runs (answered through `frameworkErrors`).
  FST_ERR_BAD_URL: 'MALFORMED_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** What an error handler needs to answer: the problem, and whether it is our fault (log it). */
export interface ProblemResponse {
  readonly status: number;
  readonly problem: ProblemDetails;
  /** True for 5xx: worth an error log line with the cause. */
  readonly serverError: boolean;
}

function problem(code: ProblemCode, detail: string, field?: string): ProblemResponse {
  const status = STATUS_BY_CODE[code];
  return {
    status,
    serverError: status >= 500,
    problem: {
      type: problemType(code),
      title: TITLES[code],
      status,
      detail,
      code,
      ...(field === undefined ? {} : { field }),
    },
  };
}

/**
 * Turns anything thrown while handling a request into problem details: the core's
 * `MessagingError`s by their code, Fastify's validation and parsing errors, the HTTP layer's own
 * `HttpProblem`s; anything else is a 500 whose detail says nothing of the cause.
 *
 * @example
 * ```ts
 * toProblem(MessagingError.validation('subject', 'subject must be 1 to 500 characters')).status; // 400
 * ```
 */
export function toProblem(error: unknown): ProblemResponse {
  if (isMessagingError(error)) {
    const code: ProblemCode = error.code in MESSAGING_ERROR_CODES ? error.code : 'INTERNAL';
    if (code === 'INTERNAL') return problem('INTERNAL', 'an unexpected error occurred');
    const answered = problem(code, error.message, error.field);
    const reason = error.details?.reason;
    if (code === 'MESSAGE_REJECTED' && typeof reason === 'string')
      return { ...answered, problem: { ...answered.problem, reason } };
    return answered;
  }
  if (error instanceof HttpProblem) return problem(error.code, error.message, error.field);
  if (isValidationFailure(error)) {
    const { field, detail } = describeValidation(error.validation, error.validationContext);
    return problem('VALIDATION', detail, field);
  }
  if (typeof error === 'object' && error !== null) {
    const { code, statusCode, message } = error as {
      code?: unknown;
      statusCode?: unknown;
      message?: unknown;
    };
    const mapped = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
    const text = typeof message === 'string' ? message : '';
    if (mapped !== undefined) return problem(mapped, text || TITLES[mapped]);
    if (statusCode === 429) return problem('RATE_LIMITED', text || 'rate limit exceeded');
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      // Another client error raised by Fastify or a plugin: keep its status, say what it said.
      const base = problem('MALFORMED_REQUEST', text || 'bad request');
      return { ...base, status: statusCode, problem: { ...base.problem, status: statusCode } };
    }
  }
  return problem('INTERNAL', 'an unexpected error occurred');
}

/**
 * A complete HTTP/1.1 response (status line, headers, problem+json body) for an error Node's HTTP
 * parser raises before Fastify sees a request — headers over the size limit (431), a header value
 * with invalid bytes or anything else unparseable (400), a client too slow to send it (408) — so
 * these answers look like every other error. The connection is closed after it.
 *
 * @example
 * ```ts
 * socket.end(rawClientErrorResponse({ code: 'HPE_HEADER_OVERFLOW' }, randomUUID()));
 * ```
 */
export function rawClientErrorResponse(error: { readonly code?: string }, requestId: string): string {
  const answer =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problem('HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('REQUEST_TIMEOUT', 'the request was not received in time')
        : problem(
            'MALFORMED_REQUEST',
            `the request is not valid HTTP/1.1 (${/^[A-Z0-9_]{1,64}$/.test(error.code ?? '') ? error.code : 'parse error'}), e.g. invalid bytes in a header`,
          );
  const body = JSON.stringify({ ...answer.problem, request_id: requestId });
  return [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? answer.problem.title}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
