import { HttpProblem } from '../http-errors.js';

/**
 * Drops `undefined` values, so optional inputs stay absent (`exactOptionalPropertyTypes`).
 *
 * @example
 * ```ts
 * core.listMessages(actor, id, defined({ cursor: query.cursor, limit: query.limit })); // { limit: 20 } when no cursor
 * ```
 */
export function defined<T extends Record<string, unknown>>(
  input: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) output[key] = value;
  return output as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * The `content` of a JSON send. The route schema validates a JSON body when there is one; an empty
 * body reaches the handler as `undefined` and is a 400 naming `body`.
 */
export function jsonContent(body: unknown): string {
  if (typeof body !== 'object' || body === null)
    throw new HttpProblem('VALIDATION', 'body is required', { field: 'body' });
  return (body as { content: string }).content;
}

/**
 * An id as one path segment of a `Location` header: percent-encoded, so any id (platform ids are
 * free-form) makes a valid header and names exactly that resource.
 *
 * @example
 * ```ts
 * reply.header('location', `/api/v1/conversations/${pathSegment(detail.id)}`);
 * ```
 */
export function pathSegment(id: string): string {
  return encodeURIComponent(id);
}
