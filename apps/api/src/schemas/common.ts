import { MESSAGING_ERROR_CODES } from '@parley/messaging-core';
import { type TSchema, Type } from 'typebox';
import { HTTP_ERROR_CODES } from '../http-errors.js';

/** `T | null` (OpenAPI 3.1: `anyOf` with `type: null`). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The instants a request may name: what PostgreSQL's timestamptz stores and JavaScript dates agree on. */
export const STORABLE_DATE_TIME_RANGE = {
  min: '0001-01-01T00:00:00.000Z',
  max: '9999-12-31T23:59:59.999Z',
} as const;
const MIN_INSTANT = Date.parse(STORABLE_DATE_TIME_RANGE.min);
const MAX_INSTANT = Date.parse(STORABLE_DATE_TIME_RANGE.max);

/**
 * True when an RFC 3339 date-time names an instant from year 1 to year 9999 (UTC). PostgreSQL has
 * no year 0 (`0000-…` is a database error, not a date) and a leap second (`:60`) is no JavaScript
 * date; both would otherwise reach a query.
 */
export function isStorableDateTime(value: string): boolean {
  const instant = Date.parse(value);
  return Number.isFinite(instant) && instant >= MIN_INSTANT && instant <= MAX_INSTANT;
}

/** An ISO 8601 timestamp in UTC, e.g. `2026-01-01T12:00:00.000Z`. */
export const DateTime = Type.String({ format: 'date-time', examples: ['2026-01-01T12:00:00.000Z'] });

/** A platform id or a Parley id, always a string on the wire. */
export const Id = Type.String({ minLength: 1, maxLength: 255 });

/** An opaque pagination cursor: pass back the `next_cursor` of the previous page. */
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'Opaque cursor: the next_cursor of the previous page.',
});

const PROBLEM_CODES = [...Object.values(MESSAGING_ERROR_CODES), ...Object.values(HTTP_ERROR_CODES)];

/** RFC 9457 problem details, the body of every error (`application/problem+json`). */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI of the problem type, e.g. urn:parley:problem:not-found.' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.String({ enum: PROBLEM_CODES, description: 'Stable machine-readable code.' }),
    field: Type.Optional(Type.String({ description: 'The snake_case input at fault.' })),
    reason: Type.Optional(
      Type.String({ description: 'MESSAGE_REJECTED: why moderation refused the message (for its sender).' }),
    ),
    request_id: Type.Optional(
      Type.String({ description: 'The request id, as in X-Request-Id and the logs.' }),
    ),
  },
  { description: 'RFC 9457 problem details' },
);

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `field` names the input at fault.',
  401: 'Missing, invalid or expired bearer token.',
  403: 'The token may not use these routes or take this action.',
  404: 'Not found (or not visible to the caller).',
  409: 'Conflicts with the current state (e.g. the conversation is closed).',
  412: 'The `If-Match` revision is no longer the current one: the message was edited meanwhile (REVISION_MISMATCH).',
  413: 'The request body (or an attached file) is too large.',
  415: 'Unsupported Content-Type, or an attached file of a type that is not accepted.',
  422: 'Unprocessable: a message rejected by moderation (MESSAGE_REJECTED, with `reason`), an Idempotency-Key already used for a different request, or a template past its render time, memory or output limit (TEMPLATE_TIMEOUT, TEMPLATE_TOO_LARGE).',
  429: 'Rate limit exceeded: see Retry-After.',
  500: 'Unexpected server error.',
  503: 'A dependency is unavailable, or too many template renders are waiting (TEMPLATE_RENDERER_BUSY).',
};

function problemResponse(description: string) {
  return {
    description,
    content: { 'application/problem+json': { schema: Problem } },
  };
}

/** Problem responses for exactly these statuses. */
export function problemsExactly(...statuses: number[]) {
  const responses: Record<string, ReturnType<typeof problemResponse>> = {};
  for (const status of [...new Set(statuses)].sort()) {
    responses[String(status)] = problemResponse(PROBLEM_DESCRIPTIONS[status] ?? 'Error');
  }
  return responses;
}

/**
 * Error responses of an authenticated route: the given statuses plus the ones every such route
 * may answer (400, 401, 403, 413, 415, 429, 500). All are problem+json.
 */
export function problemResponses(...statuses: number[]) {
  return problemsExactly(400, 401, 403, 413, 415, 429, 500, ...statuses);
}
