/**
 * Every failure the core reports, as a string code. The HTTP status for each code lives in the
 * API (`apps/api/src/http-errors.ts`), never here: the core does not know it is served over HTTP.
 */
export const MESSAGING_ERROR_CODES = {
  /** The thing does not exist, or the caller may not know it exists. */
  NOT_FOUND: 'NOT_FOUND',
  /** The caller may see the thing but their role may not take this action. */
  FORBIDDEN: 'FORBIDDEN',
  /** Input broke a rule; `field` names the input. */
  VALIDATION: 'VALIDATION',
  /** A message was sent to a closed conversation. */
  CONVERSATION_CLOSED: 'CONVERSATION_CLOSED',
  /** The action conflicts with the current state (already closed, already open, …). */
  CONFLICT: 'CONFLICT',
  /**
   * An edit named a revision of the message (HTTP `If-Match`) that is no longer its current one:
   * someone edited it meanwhile. `details.currentRevision` says the current one.
   */
  REVISION_MISMATCH: 'REVISION_MISMATCH',
  /**
   * A content moderator refused a message or an edit: nothing was stored. `details.reason` is
   * what the sender is told (e.g. "contact details (email)").
   */
  MESSAGE_REJECTED: 'MESSAGE_REJECTED',
  /** An idempotency key was reused with a different request. */
  IDEMPOTENCY_MISMATCH: 'IDEMPOTENCY_MISMATCH',
  /** A file is larger than the size limit; `details.maxBytes` says the limit. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A requested byte range starts past the end of the file; `details.size` says the file's size. */
  RANGE_NOT_SATISFIABLE: 'RANGE_NOT_SATISFIABLE',
  /** A file's bytes are not an allowed type, or contradict its name; the message names the detected type. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** A mail provider refused for a reason that may pass on retry (timeout, 429, 5xx, SMTP 4xx). */
  MAIL_RETRYABLE: 'MAIL_RETRYABLE',
  /** A mail provider refused for good (auth, rejected recipient, SMTP 5xx). */
  MAIL_PERMANENT: 'MAIL_PERMANENT',
  /**
   * A provider webhook failed verification (bad or missing signature, stale timestamp, replayed
   * token, untrusted certificate or topic): nothing in it may be applied.
   */
  WEBHOOK_UNVERIFIED: 'WEBHOOK_UNVERIFIED',
  /** A template's parse, render or text conversion ran past its time limit (`field`: `template`). */
  TEMPLATE_TIMEOUT: 'TEMPLATE_TIMEOUT',
  /**
   * A template's render needed more memory, or produced more output, than allowed (`field`:
   * `template`).
   */
  TEMPLATE_TOO_LARGE: 'TEMPLATE_TOO_LARGE',
  /** The template renderer has too much work waiting and refused this one: retry later. */
  TEMPLATE_RENDERER_BUSY: 'TEMPLATE_RENDERER_BUSY',
  /** An adapter broke its contract or a dependency failed unexpectedly. */
  INTERNAL: 'INTERNAL',
} as const;

export type MessagingErrorCode = (typeof MESSAGING_ERROR_CODES)[keyof typeof MESSAGING_ERROR_CODES];

export interface MessagingErrorOptions {
  /** The input field at fault, for `VALIDATION` (e.g. `subject`). */
  readonly field?: string;
  /** Extra machine-readable facts for the caller (never secrets). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The one error type of the core.
 *
 * @example
 * ```ts
 * try {
 *   await core.sendMessage(actor, { conversationId, content: '' });
 * } catch (error) {
 *   if (isMessagingError(error) && error.code === 'VALIDATION') console.log(error.field); // "content"
 * }
 * ```
 */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  readonly code: MessagingErrorCode;
  readonly field: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: MessagingErrorCode, message: string, options: MessagingErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  static notFound(what: string, id: string): MessagingError {
    // No details: a hidden thing and a missing one must fail identically.
    return new MessagingError('NOT_FOUND', `${what} ${id} not found`);
  }

  static forbidden(message: string): MessagingError {
    return new MessagingError('FORBIDDEN', message);
  }

  static validation(field: string, message: string): MessagingError {
    return new MessagingError('VALIDATION', message, { field });
  }
}

/** Narrowing helper that also works across package copies (checks the shape, not the prototype). */
export function isMessagingError(value: unknown): value is MessagingError {
  return (
    value instanceof MessagingError ||
    (value instanceof Error &&
      value.name === 'MessagingError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
