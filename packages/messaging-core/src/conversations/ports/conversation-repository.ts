import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';

/** Filters of a participant's inbox. Absent fields do not filter. */
export interface InboxFilter {
  readonly conversationType?: string;
  readonly isClosed?: boolean;
  /**
   * True: only conversations the participant archived; false: only those they did not (the
   * default inbox). Team stand-in rows (below) are never archived.
   */
  readonly archived?: boolean;
  /** Only conversations where the participant's own unread count is above zero. */
  readonly unreadOnly?: boolean;
  /** Only conversations of this tenant (the policy's scope for store users and customers). */
  readonly storeId?: string;
  /**
   * The participant handles these conversations as one of a team (support, see
   * `AccessPolicy.teamInboxScope`): besides their memberships, list every conversation of
   * `conversationTypes` in `storeId` where they are not an active member, with a stand-in
   * membership (`role` `'none'`, nothing read, `lastActivityAt` the conversation's activity) whose
   * unread count is the non-system messages since the latest one sent by a
   * `teamParticipantTypes` participant. Such rows count in `total` and in the badge. Requires `storeId`.
   */
  readonly team?: TeamInboxFilter;
  /**
   * Only conversations whose subject, or the directory name of another active member, contains
   * every one of these lower-cased words (`searchTerms`) anywhere, case-insensitively. PostgreSQL
   * also accepts a word of 4 letters or more that is close to one of theirs (`pg_trgm` word
   * similarity ≥ 0.5: "Jonathon" finds "Jonathan"). Empty or absent: no filter.
   */
  readonly query?: readonly string[];
}

/** The team part of an inbox (see `InboxFilter.team`). */
export interface TeamInboxFilter {
  readonly conversationTypes: readonly string[];
  readonly teamParticipantTypes: readonly string[];
}

/**
 * Keyset position in an inbox walk. `snapshotAt` is when the walk started: later pages order
 * conversations by their activity *as of* that instant, so a conversation that receives a message
 * during the walk is neither skipped nor returned twice.
 */
export interface InboxCursor {
  readonly snapshotAt: Date;
  readonly activityAt: Date;
  readonly conversationId: string;
}

export interface InboxPageRequest {
  readonly limit: number;
  readonly cursor?: InboxCursor;
  /**
   * Skip this many rows first (page-numbered clients; without `cursor` only). Offsets drift while
   * messages arrive: walks that must see every conversation once use cursors.
   */
  readonly offset?: number;
}

/** One row of an inbox: the conversation, the reader's membership, everyone's memberships, the latest message. */
export interface InboxEntry {
  readonly conversation: Conversation;
  readonly membership: ConversationParticipant;
  readonly participants: readonly ConversationParticipant[];
  readonly lastMessage: Message | null;
}

export interface InboxPage {
  readonly entries: readonly InboxEntry[];
  /** Null on the last page. */
  readonly nextCursor: InboxCursor | null;
}

export interface InboxCounts {
  /** Conversations matching the filter. */
  readonly total: number;
  /**
   * Badge: sum of unread counts over the participant's non-muted conversations, within
   * `filter.storeId` when it is set; the other filters do not apply.
   */
  readonly totalUnread: number;
}

export interface CloseStateChange {
  readonly isClosed: boolean;
  readonly at: Date;
  /** Who closed it; null when reopening. */
  readonly by: ParticipantRef | null;
}

/**
 * Conversations and the inbox queries over them.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   await tx.conversations.create(conversation, [adminMembership, storeMembership]);
 * });
 * const page = await store.conversations.listInbox({ type: 'admin', id: 'u1' }, {}, { limit: 20 });
 * ```
 */
export interface ConversationRepository {
  /**
   * For conversation types that are one per pair of people: records `conversationId` as the
   * conversation of `pairKey` unless one is recorded already, and returns the recorded one (this
   * id when the claim won). Call it in the transaction that then creates the conversation: a
   * concurrent claim of the same key waits for that transaction and then returns its id, so two
   * concurrent first messages of a pair give one conversation. A rolled-back claim leaves nothing.
   *
   * @example
   * ```ts
   * await store.transaction(async (tx) => {
   *   const holder = await tx.conversations.claimPair('direct|user:uma|clinician:dr.kim', draft.id);
   *   if (holder === draft.id) await tx.conversations.create(draft, members);
   * });
   * ```
   */
  claimPair(pairKey: string, conversationId: string): Promise<string>;

  /** The conversation recorded for `pairKey` (see `claimPair`), or null. */
  findPair(pairKey: string): Promise<string | null>;

  /** Inserts a conversation with its memberships. Fails with `CONFLICT` if the id exists. */
  create(conversation: Conversation, participants: readonly ConversationParticipant[]): Promise<void>;

  findById(conversationId: string): Promise<Conversation | null>;

  /**
   * Several conversations in one read (the live feed projects a batch of events with it), keyed
   * by id; ids with no conversation (or not well-formed) are absent. Reads only.
   */
  findByIds(conversationIds: readonly string[]): Promise<Map<string, Conversation>>;

  /** The conversation with every membership, or null. */
  findWithParticipants(
    conversationId: string,
  ): Promise<{ conversation: Conversation; participants: ConversationParticipant[] } | null>;

  /**
   * One page of the participant's conversations, most recent activity first, ties by id
   * descending. Only conversations created at or before `cursor.snapshotAt` appear after page one.
   */
  listInbox(participant: ParticipantRef, filter: InboxFilter, page: InboxPageRequest): Promise<InboxPage>;

  countInbox(participant: ParticipantRef, filter: InboxFilter): Promise<InboxCounts>;

  /**
   * Badge total only: the sum of unread counts over non-muted memberships, restricted to
   * conversations of `storeId` when given (a store user's or customer's badge never counts
   * another tenant's conversations), plus, with `team`, the unread counts of the team
   * conversations of `storeId` the participant has not joined (see `InboxFilter.team`).
   */
  unreadTotal(participant: ParticipantRef, storeId?: string, team?: TeamInboxFilter): Promise<number>;

  /**
   * Sets the subject. Returns the updated conversation, or null if it does not exist. Does not
   * append the system message nor the event: the use case does that in the same transaction.
   */
  rename(conversationId: string, subject: string, at: Date): Promise<Conversation | null>;

  /**
   * Sets the closed state. Returns the updated conversation, or null if it does not exist.
   * Does not append the system message: the use case does that in the same transaction.
   */
  setClosed(conversationId: string, change: CloseStateChange): Promise<Conversation | null>;
}
