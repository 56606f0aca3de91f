import type { EventPosition } from '../../../kernel/model/event-envelope.js';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import type { LoggedEvent } from '../../model/domain-event.js';
import type { Message, MessageRevision } from '../../model/message.js';

/**
 * Reads an adapter's state straight from its storage (SQL for a database, the maps for the
 * in-memory adapter), so a contract test checks a write without trusting the adapter's own reads.
 */
export interface MessagingStoreRawReader {
  conversation(id: string): Promise<Conversation | null>;
  /** Every membership row, former members included, ordered by participant type then id. */
  participants(conversationId: string): Promise<ConversationParticipant[]>;
  /** Oldest first (`seq` ascending), with attachments. */
  messages(conversationId: string): Promise<Message[]>;
  /** The stored versions of an edited message (`message_revisions`), oldest first. */
  messageRevisions(messageId: string): Promise<MessageRevision[]>;
  /** The message id recorded for a sender's idempotency key, or null. */
  idempotencyKey(
    sender: ParticipantRef,
    key: string,
  ): Promise<{ messageId: string; requestHash: string } | null>;
  /** Every event in the log, in log order (`position` ascending). */
  events(): Promise<LoggedEvent[]>;
  /** A subscriber's stored cursor, or null when it has no row. */
  eventCursor(subscriber: string): Promise<EventPosition | null>;
  /** Rows in every table the store owns, for "nothing was written" checks. */
  counts(): Promise<{
    conversations: number;
    participants: number;
    messages: number;
    attachments: number;
    idempotencyKeys: number;
    events: number;
  }>;
}
