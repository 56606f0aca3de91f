import type { MessageAttachment } from '../model/attachment.js';
import type { Message } from '../model/message.js';
import type { ParticipantRef } from '../model/participant-ref.js';

/** A new message, built by the core (id, time and trimmed content already set). */
export interface NewMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly sender: ParticipantRef;
  readonly content: string;
  readonly isSystemMessage: boolean;
  readonly createdAt: Date;
  readonly attachments: readonly MessageAttachment[];
}

export interface AppendMessageInput {
  readonly message: NewMessage;
  /**
   * Client idempotency key, scoped to the sender. When a message was already appended under it,
   * nothing is written and that message is returned.
   */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
  /** Refuse when the conversation is closed (true for participants' messages, false for system ones). */
  readonly requireOpen: boolean;
}

export type AppendMessageResult =
  | { readonly status: 'created'; readonly message: Message }
  | { readonly status: 'duplicate'; readonly message: Message; readonly requestHash: string }
  | { readonly status: 'conversation_closed' }
  | { readonly status: 'conversation_not_found' };

export interface MessagePageRequest {
  readonly limit: number;
  /** Return messages strictly older than this one (created_at, id). */
  readonly before?: { readonly createdAt: Date; readonly messageId: string };
}

export interface MessagePage {
  /** Newest first. */
  readonly messages: readonly Message[];
  readonly hasMore: boolean;
}

export interface SoftDeleteInput {
  readonly by: ParticipantRef;
  readonly at: Date;
}

/**
 * Messages. `append` is the hot path and is atomic on its own: the message, its attachments, the
 * conversation's `message_count` and `last_message_at`, every membership's unread count and activity,
 * the sender's read state and the idempotency key commit together or not at all.
 *
 * Counter rules applied by `append`, for a non-system message: every other participant's
 * `unreadCount` + 1; the sender's `unreadCount` = 0 and `lastReadAt` = createdAt. A system
 * message changes no read state. Both bump `messageCount` and activity.
 *
 * @example
 * ```ts
 * const result = await store.messages.append({
 *   message: { id, conversationId, sender, content: 'Hello', isSystemMessage: false, createdAt, attachments: [] },
 *   idempotency: { key: 'client-key-1', requestHash: 'a1b2' },
 *   requireOpen: true,
 * });
 * if (result.status === 'created') console.log(result.message.id);
 * ```
 */
export interface MessageRepository {
  append(input: AppendMessageInput): Promise<AppendMessageResult>;

  findById(conversationId: string, messageId: string): Promise<Message | null>;

  /** Newest first, keyset on (createdAt, id). */
  listByConversation(conversationId: string, page: MessagePageRequest): Promise<MessagePage>;

  /** Marks deleted and records who and when. Null when absent; an already deleted message is returned unchanged. */
  softDelete(conversationId: string, messageId: string, input: SoftDeleteInput): Promise<Message | null>;

  /**
   * One attachment of a message of this conversation (deleted messages included), or null.
   *
   * @example
   * ```ts
   * const file = await store.messages.findAttachment(conversationId, attachmentId);
   * file?.messageId; // the message it belongs to
   * ```
   */
  findAttachment(conversationId: string, attachmentId: string): Promise<MessageAttachment | null>;

  /**
   * Deletes attachment rows of a message: those in `attachmentIds`, or all of them when absent.
   * Returns the rows deleted (so the caller can remove their files); ids of other messages are ignored.
   *
   * @example
   * ```ts
   * const removed = await store.messages.deleteAttachments(conversationId, messageId, [attachmentId]);
   * ```
   */
  deleteAttachments(
    conversationId: string,
    messageId: string,
    attachmentIds?: readonly string[],
  ): Promise<MessageAttachment[]>;

  /**
   * Which of `paths` an attachment row points to, as its file or its thumbnail (for the orphan sweep).
   *
   * @example
   * ```ts
   * const kept = await store.messages.referencedPaths(['uploads/messages/2026/11/c/a.png']);
   * ```
   */
  referencedPaths(paths: readonly string[]): Promise<Set<string>>;
}
