import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { Conversation } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import type { TeamInboxFilter } from './conversation-repository.js';

/** How hits are ordered: best match first (ties: newest first), or newest first. */
export type SearchSort = 'relevance' | 'recent';

/**
 * How many matches `relevance` ranks: the newest this-many (newest first, ties by message id),
 * best first; older matches are found with `recent` or a `from`/`to` range. It keeps a search
 * for common words as fast with years of history as with weeks, and its pages deterministic.
 */
export const SEARCH_RELEVANCE_WINDOW = 200;

/** Keyset position after a hit: its rank (0 under `recent`), time and message id. */
export interface SearchCursor {
  readonly rank: number;
  readonly createdAt: Date;
  readonly messageId: string;
}

/**
 * Which conversations a search reads.
 * - `inbox`: those of the searcher's inbox — their active memberships (from each membership's
 *   `visibleFromSeq` on), within `storeId` when set, plus, with `team`, the team conversations of
 *   `storeId` they have not joined (all of their history), as `InboxFilter` defines them;
 * - `conversation`: one conversation the use case already found the searcher may view (a
 *   monitoring admin included), from `visibleFromSeq` on.
 */
export type SearchScope =
  | { readonly kind: 'inbox'; readonly storeId?: string; readonly team?: TeamInboxFilter }
  | { readonly kind: 'conversation'; readonly conversationId: string; readonly visibleFromSeq: number };

export interface MessageSearchQuery {
  readonly searcher: ParticipantRef;
  /** Lower-cased words (`searchTerms`), 1 to `SEARCH_MAX_TERMS`: a message matches when it has them all. */
  readonly terms: readonly string[];
  readonly scope: SearchScope;
  /** Only messages of this sender. */
  readonly sender?: ParticipantRef;
  /** Only messages sent at or after this instant. */
  readonly from?: Date;
  /** Only messages sent before this instant. */
  readonly to?: Date;
  readonly sort: SearchSort;
  /** Page size (the use case bounds it). */
  readonly limit: number;
  /** Continue after this hit (the previous page's `next`, same query and sort). */
  readonly after?: SearchCursor;
}

/** One message found, with its conversation and how well it matched. */
export interface MessageSearchHit {
  readonly message: Message;
  readonly conversation: Conversation;
  /** Higher is better; comparable within one search only (0 when only partial words matched). */
  readonly rank: number;
}

export interface MessageSearchPage {
  readonly hits: readonly MessageSearchHit[];
  /** Null on the last page. */
  readonly next: SearchCursor | null;
}

/**
 * Full-text search over messages, as one person may see them. Reads only.
 *
 * A message matches when every term begins one of its words, case-insensitively (`invo` finds
 * "Invoice"); an adapter may match more (PostgreSQL also matches each term as a prefix of the
 * stems of the conversation's text search configuration, so `shipping` finds "shipped" in an
 * English-speaking tenant). Its text is its `subject` (care-team) and `content`.
 *
 * Never returned, whatever the query: system messages, deleted messages (for everyone), messages
 * the searcher hid (per-side delete), messages before the searcher's `visibleFromSeq`, messages
 * of conversations outside the scope (left ones included). The moderation state of a message
 * (held, rejected: visible to its sender only) is the next rule of that list, in each adapter's
 * one visibility condition.
 *
 * Order: `recent` — `createdAt` descending, then message id descending; `relevance` — the newest
 * `SEARCH_RELEVANCE_WINDOW` matches (in `recent` order) only, by `rank` descending, then as
 * `recent`. Keyset pages: `after` continues strictly after that position (a `relevance` page
 * takes the window again when it is read, so messages sent between pages can push older ones
 * out of it).
 *
 * @example
 * ```ts
 * const page = await search.search({
 *   searcher: { type: 'store', id: 'u1' }, terms: ['refund', 'invoice'],
 *   scope: { kind: 'inbox', storeId: 's1' }, sort: 'recent', limit: 20,
 * });
 * const more = page.next && (await search.search({ ...query, after: page.next }));
 * ```
 */
export interface MessageSearch {
  /** One page of hits, as described above. */
  search(query: MessageSearchQuery): Promise<MessageSearchPage>;
}
