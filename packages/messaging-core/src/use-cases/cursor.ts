import { MessagingError } from '../errors.js';
import type { InboxCursor } from '../ports/conversation-repository.js';

// Cursors are opaque to clients: base64url of a small JSON array. The version tag lets the
// format change without misreading old cursors.

function encode(payload: unknown[]): string {
  const json = JSON.stringify(payload);
  const bytes = new TextEncoder().encode(json);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decode(cursor: string, field: string): unknown[] {
  const invalid = () => MessagingError.validation(field, `${field} is not a valid cursor`);
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(value)) throw invalid();
    return value;
  } catch {
    throw invalid();
  }
}

// Every instant the core stores lies in years 1 to 9999, so a cursor it issued does too; anything
// else is forged and would only reach the store as a timestamp it cannot represent.
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function date(value: unknown, field: string): Date {
  const parsed = typeof value === 'number' ? new Date(value) : new Date(Number.NaN);
  const time = parsed.getTime();
  if (Number.isNaN(time) || time < EARLIEST || time > LATEST)
    throw MessagingError.validation(field, `${field} is not a valid cursor`);
  return parsed;
}

// No id the core issues holds a NUL or an unpaired surrogate (text no store can hold either).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function text(value: unknown, field: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 255 ||
    value.includes('\u0000') ||
    LONE_SURROGATE.test(value)
  ) {
    throw MessagingError.validation(field, `${field} is not a valid cursor`);
  }
  return value;
}

export function encodeInboxCursor(cursor: InboxCursor): string {
  return encode(['i1', cursor.snapshotAt.getTime(), cursor.activityAt.getTime(), cursor.conversationId]);
}

export function decodeInboxCursor(cursor: string, field = 'cursor'): InboxCursor {
  const [tag, snapshotAt, activityAt, conversationId] = decode(cursor, field);
  if (tag !== 'i1') throw MessagingError.validation(field, `${field} is not a valid cursor`);
  return {
    snapshotAt: date(snapshotAt, field),
    activityAt: date(activityAt, field),
    conversationId: text(conversationId, field),
  };
}

/** Where a history page continues: below this `seq`. */
export interface MessageCursor {
  readonly conversationId: string;
  readonly seq: number;
}

/** A history cursor issued before messages had a `seq` (tag `m1`): the oldest message of its page. */
export interface LegacyMessageCursor {
  readonly conversationId: string;
  readonly messageId: string;
}

export function encodeMessageCursor(cursor: MessageCursor): string {
  return encode(['m2', cursor.conversationId, cursor.seq]);
}

/**
 * Reads a history cursor of this conversation: `m2` (a `seq`), or an older `m1` cursor, which the
 * caller resolves through its message id (cursors are opaque and short-lived, but one may be in
 * flight across an upgrade).
 */
export function decodeMessageCursor(
  cursor: string,
  conversationId: string,
  field = 'cursor',
): MessageCursor | LegacyMessageCursor {
  const [tag, forConversation, position, messageId] = decode(cursor, field);
  // A cursor from another conversation would silently page the wrong history.
  if ((tag !== 'm1' && tag !== 'm2') || forConversation !== conversationId) {
    throw MessagingError.validation(field, `${field} is not a valid cursor for this conversation`);
  }
  if (tag === 'm1') return { conversationId, messageId: text(messageId, field) };
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 1) {
    throw MessagingError.validation(field, `${field} is not a valid cursor`);
  }
  return { conversationId, seq: position };
}

export interface EmailLogPageCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeEmailLogCursor(cursor: EmailLogPageCursor): string {
  return encode(['e1', cursor.createdAt.getTime(), cursor.id]);
}

export function decodeEmailLogCursor(cursor: string, field = 'cursor'): EmailLogPageCursor {
  const [tag, createdAt, id] = decode(cursor, field);
  if (tag !== 'e1') throw MessagingError.validation(field, `${field} is not a valid cursor`);
  return { createdAt: date(createdAt, field), id: text(id, field) };
}
