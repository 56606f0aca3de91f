import type { Conversation, ConversationParticipant } from '../conversations/model/conversation.js';
import type { Message } from '../conversations/model/message.js';
import { hiddenByModeration } from '../conversations/model/moderation.js';
import { everyTermStartsAWord } from '../conversations/model/search-text.js';
import {
  type MessageSearch,
  type MessageSearchHit,
  type MessageSearchPage,
  type MessageSearchQuery,
  SEARCH_RELEVANCE_WINDOW,
  type SearchCursor,
} from '../conversations/ports/message-search.js';
import { participantKey, sameParticipant } from '../kernel/model/participant-ref.js';

/** What a search reads of the in-memory store's state (its own maps, never copied). */
export interface SearchableState {
  readonly conversations: ReadonlyMap<string, Conversation>;
  /** conversationId → participantKey → membership */
  readonly participants: ReadonlyMap<string, ReadonlyMap<string, ConversationParticipant>>;
  /** conversationId → messages in `seq` order */
  readonly messages: ReadonlyMap<string, readonly Message[]>;
  /** Message id → participant keys of those who hid it. */
  readonly hidden: ReadonlyMap<string, readonly string[]>;
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * The rank of a match: each word a term begins counts, a word equal to the term double, scaled
 * into 0..1 like PostgreSQL's `ts_rank`. Only its order within one search means anything.
 */
function rankOf(text: string, terms: readonly string[]): number {
  const words = Array.from(text.toLowerCase().matchAll(WORD), (m) => m[0]);
  let score = 0;
  for (const term of terms)
    for (const word of words) if (word.startsWith(term)) score += word === term ? 2 : 1;
  return score / (score + 10);
}

/** Negative when `a` comes first in the search's order (rank, then time, then id, descending). */
function compareHits(a: SearchCursor, b: SearchCursor): number {
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return b.createdAt.getTime() - a.createdAt.getTime();
  return a.messageId < b.messageId ? 1 : a.messageId > b.messageId ? -1 : 0;
}

/**
 * `MessageSearch` over the in-memory store's state: each term must begin a word, whatever the
 * case (no stems: `shipping` does not find "shipped" here, unlike PostgreSQL).
 * Obtain it as `InMemoryMessagingStore.search`.
 */
export class InMemoryMessageSearch implements MessageSearch {
  readonly #state: () => SearchableState;

  constructor(state: () => SearchableState) {
    this.#state = state;
  }

  async search(query: MessageSearchQuery): Promise<MessageSearchPage> {
    const state = this.#state();
    const me = participantKey(query.searcher);
    const scope = query.scope;
    // conversationId → the first seq the searcher may see there.
    const readable = new Map<string, number>();
    if (scope.kind === 'conversation') {
      if (state.conversations.has(scope.conversationId))
        readable.set(scope.conversationId, scope.visibleFromSeq);
    } else {
      for (const [conversationId, conversation] of state.conversations) {
        const membership = state.participants.get(conversationId)?.get(me);
        const inTenant = scope.storeId === undefined || conversation.tenantId === scope.storeId;
        if (membership !== undefined && membership.leftAt === null) {
          if (inTenant) readable.set(conversationId, membership.visibleFromSeq);
        } else if (
          scope.team !== undefined &&
          scope.storeId !== undefined &&
          conversation.tenantId === scope.storeId &&
          scope.team.conversationTypes.includes(conversation.conversationType)
        ) {
          readable.set(conversationId, 1);
        }
      }
    }

    const hits: (MessageSearchHit & { readonly key: SearchCursor })[] = [];
    for (const [conversationId, fromSeq] of readable) {
      const conversation = state.conversations.get(conversationId);
      if (conversation === undefined) continue;
      for (const message of state.messages.get(conversationId) ?? []) {
        if (message.seq < fromSeq || message.isSystemMessage || message.isDeleted) continue;
        if (state.hidden.get(message.id)?.includes(me)) continue;
        // Held or rejected (moderation): their sender's only.
        if (hiddenByModeration(message.moderation) && participantKey(message.sender) !== me) continue;
        if (query.sender !== undefined && !sameParticipant(message.sender, query.sender)) continue;
        if (query.from !== undefined && message.createdAt.getTime() < query.from.getTime()) continue;
        if (query.to !== undefined && message.createdAt.getTime() >= query.to.getTime()) continue;
        const text = `${message.subject ?? ''} ${message.content}`;
        if (!everyTermStartsAWord(text, query.terms)) continue;
        const rank = query.sort === 'relevance' ? rankOf(text, query.terms) : 0;
        hits.push({
          message,
          conversation,
          rank,
          key: { rank, createdAt: message.createdAt, messageId: message.id },
        });
      }
    }
    // Relevance ranks the newest matches only (the port's candidate window).
    const recentFirst = (a: SearchCursor, b: SearchCursor) =>
      compareHits({ ...a, rank: 0 }, { ...b, rank: 0 });
    if (query.sort === 'relevance') {
      hits.sort((a, b) => recentFirst(a.key, b.key));
      hits.splice(SEARCH_RELEVANCE_WINDOW);
    }
    hits.sort((a, b) => compareHits(a.key, b.key));
    const after = query.after;
    const rest =
      after === undefined
        ? hits
        : hits.filter((hit) =>
            query.sort === 'recent'
              ? compareHits(hit.key, { ...after, rank: 0 }) > 0
              : compareHits(hit.key, after) > 0,
          );
    const page = rest.slice(0, query.limit);
    const last = page.at(-1);
    return {
      hits: page.map(({ key: _key, ...hit }) => hit),
      next: rest.length > query.limit && last !== undefined ? last.key : null,
    };
  }
}
