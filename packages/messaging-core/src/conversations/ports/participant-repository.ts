import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { ConversationParticipant } from '../model/conversation.js';

export interface PreferencesChange {
  readonly emailNotifications?: boolean;
  readonly muted?: boolean;
}

/** One person joining a conversation (`ParticipantRepository.join`). */
export interface JoinRequest {
  readonly participant: ParticipantRef;
  /** The participant's own store (null for platform-wide participants). */
  readonly storeId: string | null;
  readonly role: string;
  /** True: they see the history from `seq` 1; false: only what is appended after they joined. */
  readonly seesHistory: boolean;
}

/**
 * One member's delivery acknowledgement (`ParticipantRepository.markDelivered`): their clients
 * received every message of the conversation up to `upToSeq`.
 */
export interface DeliveryAdvance {
  readonly conversationId: string;
  readonly participant: ParticipantRef;
  readonly upToSeq: number;
  readonly at: Date;
}

/**
 * When a member's read and delivery states first covered a message (`receiptTimes`): the time of
 * the first read / delivery advance reaching its seq, null when none does (covered without an
 * advance: by joining, or read by sending, whose time is the membership's `lastReadAt`).
 */
export interface ReceiptTime {
  readonly readAt: Date | null;
  readonly deliveredAt: Date | null;
}

/**
 * Memberships: read state, preferences, role and membership period of each participant in a
 * conversation. Only active memberships (`leftAt` null) are returned by `find` and
 * `listByConversation`, changed by `markRead` and `updatePreferences`, counted by the inbox and
 * badge queries and raised by `MessageRepository.append`; a former member's row is kept, frozen,
 * and is visible only through `findAny`.
 *
 * @example
 * ```ts
 * const membership = await store.participants.markRead(conversationId, { type: 'customer', id: 'c1' }, clock.now(), 12);
 * membership?.lastReadSeq; // 12 (or more, if it was already further)
 * ```
 */
export interface ParticipantRepository {
  /** The participant's active membership, or null (never a member, or left). */
  find(conversationId: string, participant: ParticipantRef): Promise<ConversationParticipant | null>;

  /** The participant's membership row, active or former, or null when they never took part. */
  findAny(conversationId: string, participant: ParticipantRef): Promise<ConversationParticipant | null>;

  /** Active memberships, ordered by participant type then id (bytewise). */
  listByConversation(conversationId: string): Promise<ConversationParticipant[]>;

  /**
   * Active memberships of several conversations in one read, keyed by conversation id (every id
   * asked is a key, with an empty list when it has none), each list ordered as
   * `listByConversation`'s: how a subscriber handles a batch of events without a read per event.
   */
  listByConversations(conversationIds: readonly string[]): Promise<Map<string, ConversationParticipant[]>>;

  /**
   * Makes each participant an active member, under the conversation's lock (so no message is
   * appended between reading the conversation's `messageCount` and the new rows becoming visible
   * to appends): a new row, or the former member's row reactivated. Each joins with `joinedAt` =
   * `at`, `leftAt` null, the given role, read state at the latest message (`lastReadSeq` =
   * `messageCount`, `unreadCount` 0: nothing before joining is unread), `lastActivityAt` = `at`
   * and `visibleFromSeq` 1 when `seesHistory`, else `messageCount` + 1. A reactivated row keeps
   * its preferences and `lastReadAt`; its archive is cleared (the conversation is back in the
   * inbox). Returns the new memberships in request order; null when
   * the conversation does not exist. Fails with `CONFLICT` when one of them is already active
   * (nothing is written).
   *
   * @example
   * ```ts
   * await store.transaction(async (tx) => {
   *   const [joined] = (await tx.participants.join(id, [{ participant: bob, storeId: 's1', role: 'member', seesHistory: false }], now))!;
   *   joined.visibleFromSeq; // the seq of the next message: Bob sees it and what follows
   * });
   * ```
   */
  join(
    conversationId: string,
    members: readonly JoinRequest[],
    at: Date,
  ): Promise<ConversationParticipant[] | null>;

  /**
   * Ends an active membership under the conversation's lock: `leftAt` = `at`; the row's read
   * state and unread count stay as they were (frozen). Null when the participant is not an active
   * member.
   */
  leave(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
  ): Promise<ConversationParticipant | null>;

  /** Sets an active member's role. Null when the participant is not an active member. */
  changeRole(
    conversationId: string,
    participant: ParticipantRef,
    role: string,
  ): Promise<ConversationParticipant | null>;

  /**
   * Moves the participant's read state forward to `upToSeq` (default and ceiling: the latest
   * message), never backwards, and sets `unreadCount` to the exact number of others' non-system
   * messages above the new `lastReadSeq` (messages appended concurrently included), in one atomic
   * step. `lastReadAt` becomes `at` unless it is already later. Records a `conversation.read`
   * event (actor: the participant; tenant: the conversation's store) and, when `lastReadSeq`
   * moved, the read advance (`upToSeq`, `at`) that `readTimes` reads, in the same step. Null when
   * not a participant (and then nothing is written). A message hidden by the participant
   * (`MessageRepository.hideFor`) is never counted unread.
   */
  markRead(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
    upToSeq?: number,
  ): Promise<ConversationParticipant | null>;

  /**
   * When `reader`'s read state first covered each of `seqs`: the earliest of their read advances
   * (`markRead`) reaching it and their own first later non-system message (sending moves the
   * sender's read state too). A seq never covered is absent from the map.
   *
   * @example
   * ```ts
   * const readAt = await store.participants.readTimes(conversationId, uma, [3, 4]);
   * readAt.get(3); // Date of Uma's first mark-read up to 3 or beyond
   * ```
   */
  readTimes(
    conversationId: string,
    reader: ParticipantRef,
    seqs: readonly number[],
  ): Promise<Map<number, Date>>;

  // --- Delivery receipts (issue 12) -------------------------------------------------------------

  /**
   * Moves the delivery state of many members of many conversations forward in one step (one
   * statement on PostgreSQL): for each advance whose participant is an active member, the target
   * is `upToSeq` capped at the conversation's latest message; when it is above the member's
   * effective delivered seq (`effectiveDeliveredSeq`: acknowledged or read), `lastDeliveredSeq`
   * becomes it and `lastDeliveredAt` becomes `at` (unless already later). For each member that
   * moved it also appends, in the same step, a delivery advance (`upToSeq`, `at`: what
   * `receiptTimes` reads) and a `conversation.delivered` event (actor: the member; tenant: the
   * conversation's store; payload `{ last_delivered_seq, delivered_at }`). Advances for a
   * non-member, a former member, an unknown conversation or a seq already covered change
   * nothing; several advances of one member count as the highest. Returns the memberships that
   * moved (in no particular order).
   *
   * @example
   * ```ts
   * const moved = await store.participants.markDelivered([
   *   { conversationId: a, participant: bob, upToSeq: 7, at: now },
   *   { conversationId: b, participant: uma, upToSeq: 3, at: now },
   * ]);
   * moved.map((m) => m.lastDeliveredSeq); // [7, 3], or fewer when one was already delivered
   * ```
   */
  markDelivered(advances: readonly DeliveryAdvance[]): Promise<ConversationParticipant[]>;

  /**
   * For each of `participants` and each of `seqs`: when their read state and their delivery
   * state first covered that seq (see `ReceiptTime`), in one read, keyed by `participantKey`
   * then seq. Every participant and seq asked is present. Says nothing about whether the seq is
   * covered now: the caller compares it with the membership (`lastReadSeq`,
   * `effectiveDeliveredSeq`) and falls back to `lastReadAt` / `lastDeliveredAt` when a time is null.
   *
   * @example
   * ```ts
   * const times = await store.participants.receiptTimes(conversationId, [bob, uma], [41, 42]);
   * times.get('customer:bob')?.get(42)?.deliveredAt; // when Bob's client acknowledged 42 or beyond
   * ```
   */
  receiptTimes(
    conversationId: string,
    participants: readonly ParticipantRef[],
    seqs: readonly number[],
  ): Promise<Map<string, Map<number, ReceiptTime>>>;

  // --- end of delivery receipts ------------------------------------------------------------------

  /**
   * Archives (`archivedAt` a time) or unarchives (`null`) the conversation for this active member
   * only, in one atomic step. Archiving an archived conversation keeps its first `archivedAt`;
   * `changed` says whether anything was written. Records no event (the use case appends
   * `conversation.archived` / `conversation.unarchived` when `changed`). Null when not an active
   * member.
   *
   * @example
   * ```ts
   * const result = await tx.participants.setArchived(conversationId, customer, clock.now());
   * result?.changed; // false when it was archived already
   * ```
   */
  setArchived(
    conversationId: string,
    participant: ParticipantRef,
    archivedAt: Date | null,
  ): Promise<{ readonly membership: ConversationParticipant; readonly changed: boolean } | null>;

  /** Applies the given preferences, leaving absent ones unchanged. Null when not a participant. */
  updatePreferences(
    conversationId: string,
    participant: ParticipantRef,
    change: PreferencesChange,
  ): Promise<ConversationParticipant | null>;

  /**
   * The people who share an active membership of some conversation with `participant` (who is
   * not one of them), each once, ordered by type then id (bytewise), at most `limit`: whose
   * presence `participant` may see. Reads only.
   *
   * @example
   * ```ts
   * const contacts = await store.participants.listContacts({ type: 'customer', id: 'c1' }, 500);
   * ```
   */
  listContacts(participant: ParticipantRef, limit: number): Promise<ParticipantRef[]>;
}
