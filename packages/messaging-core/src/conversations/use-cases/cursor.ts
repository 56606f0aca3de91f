import { MessagingError } from '../../kernel/errors.js';
import {
  cursorDate as date,
  decodeCursor as decode,
  encodeCursor as encode,
  cursorText as text,
} from '../../kernel/paging/cursor-codec.js';
import type { InboxCursor } from '../ports/conversation-repository.js';

// The conversation lists' cursors; the encoding and field checks are the kernel's (paging/).

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
