/** What `pg` and PGlite both report on a failed statement. */
interface PostgresErrorFields {
  readonly code: string;
  readonly constraint?: string;
}

function postgresError(error: unknown): PostgresErrorFields | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || code.length !== 5) return null;
  const constraint = (error as { constraint?: unknown }).constraint;
  return typeof constraint === 'string' ? { code, constraint } : { code };
}

/** SQLSTATEs the repositories turn into `MessagingError`s. */
export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  invalidTextRepresentation: '22P02',
} as const;

/**
 * True when `error` is PostgreSQL's `sqlstate`, optionally on one named constraint.
 *
 * @example
 * ```ts
 * if (isPostgresError(error, SQLSTATE.uniqueViolation, 'conversations_pkey')) throw conflict();
 * ```
 */
export function isPostgresError(error: unknown, sqlstate: string, constraint?: string): boolean {
  const fields = postgresError(error);
  if (fields === null || fields.code !== sqlstate) return false;
  return constraint === undefined || fields.constraint === constraint;
}

/** The constraint a failed statement broke, if PostgreSQL named one. */
export function violatedConstraint(error: unknown): string | undefined {
  return postgresError(error)?.constraint;
}
