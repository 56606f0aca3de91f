import type { AuditEntry } from '../../kernel/audit/audit-entry.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { MessageAttachment } from '../model/attachment.js';
import type { Message, MessageRevision } from '../model/message.js';

/**
 * A new message, built by the core (id, proposed time and trimmed content set). The store assigns
 * its `seq` and its final `createdAt` (see `MessageRepository.append`).
 */
export interface NewMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly sender: ParticipantRef;
  readonly content: string;
  readonly isSystemMessage: boolean;
  /** The core's clock when the send began; the stored time is never before the previous message's. */
  readonly createdAt: Date;
  readonly attachments: readonly MessageAttachment[];
  /** An optional subject of this one message (care-team); absent: none. */
  readonly subject?: string | null;
  /**
   * A moderator's verdict to store with it: `flagged` (delivered, queued for review) or `held`
   * (queued, delivered to nobody until approved). Absent: not moderated (the usual case).
   */
  readonly moderation?: { readonly state: 'flagged' | 'held'; readonly reason: string };
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
  /** Return messages with a `seq` strictly below this one. */
  readonly beforeSeq?: number;
  /** Return only messages with a `seq` at or above this one (a member's `visibleFromSeq`). */
  readonly fromSeq?: number;
  /** Leave out the messages this participant hid (per-side delete, see `hideFor`). */
  readonly viewer?: ParticipantRef;
}

/** What `hideFor` did. */
export interface HideResult {
  /** The message after the change (soft-deleted when everyone has now hidden it). */
  readonly message: Message;
  /** False when the participant had already hidden it (nothing written). */
  readonly hidden: boolean;
  /** True when this hide completed the set of members and soft-deleted the message. */
  readonly deletedForEveryone: boolean;
}

export interface MessagePage {
  /** Newest first: `seq` descending. */
  readonly messages: readonly Message[];
  readonly hasMore: boolean;
}

/** A new version of a message's content (`MessageRepository.edit`). */
export interface EditMessageChange {
  /** Trimmed, validated content. */
  readonly content: string;
  readonly editor: ParticipantRef;
  readonly at: Date;
  /** The revision the edit replaces: nothing is written unless it is still the current one. */
  readonly expectedRevision: number;
  /** A moderator flagged the new content: the message becomes `flagged` with this reason. */
  readonly flagged?: { readonly reason: string };
}

export type EditMessageResult =
  | { readonly status: 'edited'; readonly message: Message }
  /** Another edit got there first: `message` is as it is now. */
  | { readonly status: 'stale'; readonly message: Message }
  | { readonly status: 'deleted' }
  | { readonly status: 'not_found' };

/** A reviewer's decision on a flagged or held message (`MessageRepository.review`). */
export interface ReviewDecision {
  readonly decision: 'approved' | 'rejected';
  /** The reviewer's reason (shown to the sender of a rejected message); null for none. */
  readonly reason: string | null;
  readonly by: ParticipantRef;
  readonly at: Date;
}

export type ReviewResult =
  | {
      readonly status: 'reviewed';
      /** The message after the decision. */
      readonly message: Message;
      /** The state it left: `flagged` or `held`. */
      readonly previousState: 'flagged' | 'held';
    }
  /** The message is not waiting for review (never moderated, or decided meanwhile). */
  | { readonly status: 'not_pending'; readonly message: Message }
  | { readonly status: 'not_found' };

/** One page request of the review queue. */
export interface ModerationQueueRequest {
  /** Only messages in these states (each `flagged` or `held`). */
  readonly states: readonly ('flagged' | 'held')[];
  /** Only conversations of this tenant; absent: every tenant (platform reviewers). */
  readonly tenantId?: string;
  readonly conversationId?: string;
  /** Keyset: messages strictly older than this (time, then id, both descending). */
  readonly after?: { readonly createdAt: Date; readonly id: string };
  readonly limit: number;
}

/** A message waiting for review, with its conversation's tenant. */
export interface ModerationQueueItem {
  readonly message: Message;
  readonly tenantId: string | null;
}

export interface ModerationQueuePage {
  /** Newest first: (`createdAt`, `id`) descending. */
  readonly items: readonly ModerationQueueItem[];
  readonly hasMore: boolean;
}

export interface SoftDeleteInput {
  readonly by: ParticipantRef;
  readonly at: Date;
}

/**
 * Messages. `append` is the hot path and is atomic on its own: the message, its attachments, the
 * conversation's `message_count` and `last_message_at`, every membership's unread count and activity,
 * the sender's read state, the idempotency key and (for a participant's message, not a system
 * one) its `message.sent` event in the event log (payload: `messageSentPayload`, recipients =
 * every other active member, tenant = the conversation's store) commit together or not at all. Email
 * notifications follow from that event (the email subscriber), not from `append`.
 * Only active memberships (`leftAt` null) are touched: a former member's row is frozen. A
 * participant's message also brings the conversation back to the inbox of every other member who
 * archived it (`archivedAt` cleared; the sender's own archive stays).
 *
 * One order per conversation: under the conversation's lock, `append` gives the message
 * `seq` = `messageCount` + 1 and `createdAt` = the later of the proposed time and the conversation's
 * `lastMessageAt`, so `seq` order, time order and commit order agree and `lastMessageAt` is always
 * the time of the highest `seq`.
 *
 * Counter rules applied by `append`, for a non-system message: every other active participant's
 * `unreadCount` + 1; the sender's `lastReadSeq` = the new `seq`, `unreadCount` = 0 and
 * `lastReadAt` = its `createdAt` (never earlier than before). A system message changes no read
 * state. Both bump `messageCount` and activity. So at every commit, a participant's `unreadCount`
 * is the number of others' non-system messages with a `seq` above their `lastReadSeq`.
 *
 * Moderation: a message with `moderation` is stored with that state and reason. A `held` one is
 * delivered to nobody: no other member's unread count, activity or archive changes (the
 * sender's read state moves as usual) and its event is `message.held` instead of `message.sent`
 * (same payload plus `reason`); `review` delivers it later. A `flagged` one is sent as usual and
 * `message.flagged` is recorded beside `message.sent`. Held and rejected messages do not count as
 * unread for anyone but their sender's (never-counted) own.
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
  /** Appends the message as described above; the result carries the stored `seq` and `createdAt`. */
  append(input: AppendMessageInput): Promise<AppendMessageResult>;

  findById(conversationId: string, messageId: string): Promise<Message | null>;

  /**
   * Messages by id, whatever their conversation, in one read (with their attachments), keyed by
   * id; unknown ids are absent. Deleted messages are returned as stored (content and all): hiding
   * it is the views' job. Reads only.
   */
  findByIds(messageIds: readonly string[]): Promise<Map<string, Message>>;

  /**
   * The latest message (highest `seq`, system and deleted ones included) of each conversation, in
   * one read, keyed by conversation id; conversations without messages are absent. Reads only.
   */
  latestByConversations(conversationIds: readonly string[]): Promise<Map<string, Message>>;

  /** Newest first, keyset on `seq`, within `[fromSeq, beforeSeq)` when given. */
  listByConversation(conversationId: string, page: MessagePageRequest): Promise<MessagePage>;

  /**
   * The conversation a message belongs to, or null when no message has this id (clients that
   * name messages alone, like the care-team API).
   */
  locate(messageId: string): Promise<string | null>;

  /**
   * Per-side delete: hides the message for `participant` only, in one atomic step: records the
   * hide (once), takes the message out of the participant's unread count when it was counted
   * there (another's non-system message above their `lastReadSeq`), and, when every one of
   * `members` has now hidden it, soft-deletes it (`deletedAt` = `at`, `deletedBy` = the
   * participant). Records no event (the use case appends `message.deleted`). Null when the
   * message does not exist.
   */
  hideFor(
    conversationId: string,
    messageId: string,
    participant: ParticipantRef,
    members: readonly ParticipantRef[],
    at: Date,
  ): Promise<HideResult | null>;

  /** Who hid the message (per-side delete), ordered by type then id. */
  hiddenBy(conversationId: string, messageId: string): Promise<ParticipantRef[]>;

  /**
   * Replaces a message's content, in one atomic step: when the message exists, is not deleted
   * and is at `expectedRevision`, it takes `content`, `revision` + 1 and `editedAt` = `at`, and
   * its history (`revisions`) gains the new version (editor, `at`) — on the first edit also
   * revision 1, the content as sent (the sender, the send's time), so every version is kept. A concurrent edit
   * of the same message waits for this one and then answers `stale`. Records no event (the use
   * case appends `message.updated` in the same transaction).
   *
   * @example
   * ```ts
   * const result = await tx.messages.edit(conversationId, messageId, { content: 'Fixed', editor, at, expectedRevision: 1 });
   * if (result.status === 'edited') result.message.revision; // 2
   * ```
   */
  edit(conversationId: string, messageId: string, change: EditMessageChange): Promise<EditMessageResult>;

  /**
   * Every version of an edited message, oldest first (revision 1, as sent … the current one);
   * empty when it was never edited. Reads only.
   */
  revisions(conversationId: string, messageId: string): Promise<MessageRevision[]>;

  /**
   * Whether a non-system message by someone other than `sender` follows `seq` in the
   * conversation (the `answered` predicate). Reads only.
   */
  answeredAfter(conversationId: string, seq: number, sender: ParticipantRef): Promise<boolean>;

  /**
   * A reviewer's decision on a `flagged` or `held` message, in one atomic step: the state becomes
   * `approved` or `rejected` with the reason, reviewer and time. Approving a held message
   * delivers it: every other active member who sees it (`visibleFromSeq` ≤ its `seq`) and has not
   * read past it gets it counted as unread, and it brings the conversation back to their inbox
   * (archive cleared, activity at least the message's time). Rejecting a flagged message takes it back: it leaves those unread counts.
   * Records no event (the use case appends `message.approved` / `message.rejected`).
   */
  review(conversationId: string, messageId: string, decision: ReviewDecision): Promise<ReviewResult>;

  /** Messages waiting for review (`flagged`, `held`), newest first, keyset pages. Reads only. */
  moderationQueue(request: ModerationQueueRequest): Promise<ModerationQueuePage>;

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
   * With `audit`, appends that audit row in the same transaction when any row was deleted (a
   * purge: `message.purge`).
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
    audit?: AuditEntry,
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
