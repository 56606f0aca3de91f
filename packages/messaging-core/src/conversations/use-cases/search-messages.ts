import { MessagingError } from '../../kernel/errors.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import {
  cursorDate,
  cursorText,
  decodeCursor,
  encodeCursor,
  invalidCursor,
} from '../../kernel/paging/cursor-codec.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import type { Conversation } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import { highlightSnippet, type SnippetSegment, searchTerms } from '../model/search-text.js';
import type { SearchCursor, SearchScope, SearchSort } from '../ports/message-search.js';
import { assertActor, type CoreContext, loadForView } from './context.js';
import { type MessageView, namesFor, toMessageView } from './views.js';

export interface SearchMessagesInput {
  /** The words to find (all of them): 1 to 200 characters, 1 to 8 words. */
  readonly q?: string;
  /** Default `relevance`. */
  readonly sort?: SearchSort;
  /** Only this conversation (one the actor may view; else `NOT_FOUND`, as for a missing id). */
  readonly conversationId?: string;
  /** Only messages of this sender. */
  readonly sender?: ParticipantRef;
  /** Sent at or after. */
  readonly from?: Date;
  /** Sent before; after `from` when both are given. */
  readonly to?: Date;
  /** 1–100, default 20. */
  readonly limit?: number;
  /** `nextCursor` of the previous page (same `sort`). */
  readonly cursor?: string;
}

/** One message found, as the searcher sees it. */
export interface MessageSearchResult {
  readonly conversation: Conversation;
  readonly message: MessageView;
  /** Plain-text pieces of the message around its first match; matches are `highlight: true`. */
  readonly snippet: readonly SnippetSegment[];
  readonly rank: number;
}

export interface MessageSearchResults {
  readonly results: readonly MessageSearchResult[];
  readonly nextCursor: string | null;
}

const CURSOR_TAG = 's1';

export function encodeSearchCursor(sort: SearchSort, cursor: SearchCursor): string {
  return encodeCursor([CURSOR_TAG, sort, cursor.rank, cursor.createdAt.getTime(), cursor.messageId]);
}

/** Reads a search cursor issued for `sort`; any other cursor is a validation error naming `field`. */
export function decodeSearchCursor(cursor: string, sort: SearchSort, field = 'cursor'): SearchCursor {
  const [tag, forSort, rank, createdAt, messageId] = decodeCursor(cursor, field);
  if (tag !== CURSOR_TAG || forSort !== sort || typeof rank !== 'number' || !Number.isFinite(rank))
    throw invalidCursor(field);
  return { rank, createdAt: cursorDate(createdAt, field), messageId: cursorText(messageId, field) };
}

/**
 * Whether a hit the store returned may be shown to the searcher: the store already leaves out
 * system, deleted, hidden and not-yet-visible messages (see `MessageSearch`); this is the core's
 * last word on each one, and where a message's moderation state (held or rejected messages are
 * their sender's only) joins the rule once messages carry it.
 */
function shownInSearch(message: Message): boolean {
  return !message.isDeleted && !message.isSystemMessage;
}

/**
 * Finds the messages containing every word of `q` among those the actor may see: the
 * conversations of their inbox (memberships and, for a support team member, the team's
 * conversations of their tenant), or one conversation they may view (`conversationId`; a
 * monitoring admin's too). Each result carries its conversation, a highlighted snippet and its
 * rank; keyset pages by `relevance` (default) or `recent`. Reads only.
 *
 * @example
 * ```ts
 * const page = await core.searchMessages(actor, { q: 'refund invoice', sort: 'recent' });
 * page.results[0]?.snippet; // [{ text: 'Your ', highlight: false }, { text: 'refund', highlight: true }, …]
 * ```
 */
export async function searchMessages(
  ctx: CoreContext,
  actor: Actor,
  input: SearchMessagesInput,
): Promise<MessageSearchResults> {
  assertActor(ctx, actor);
  const terms = searchTerms(input.q, 'q');
  const sort = input.sort ?? 'relevance';
  if (sort !== 'relevance' && sort !== 'recent')
    throw MessagingError.validation('sort', 'sort must be relevance or recent');
  const limit = parseLimit(input.limit, 20);
  const after = input.cursor === undefined ? undefined : decodeSearchCursor(input.cursor, sort);
  if (input.from !== undefined && input.to !== undefined && input.to.getTime() <= input.from.getTime())
    throw MessagingError.validation('to', 'to must be later than from');
  if (ctx.search === undefined) throw new MessagingError('INTERNAL', 'message search is not configured');

  let scope: SearchScope;
  if (input.conversationId !== undefined) {
    const visible = await loadForView(ctx, actor, input.conversationId);
    scope = {
      kind: 'conversation',
      conversationId: visible.conversation.id,
      visibleFromSeq: visible.membership?.visibleFromSeq ?? 1,
    };
  } else {
    const tenant = ctx.policy.inboxTenantScope(actor);
    const team = ctx.policy.teamInboxScope(actor);
    scope = {
      kind: 'inbox',
      ...(team === null
        ? {}
        : {
            storeId: team.tenantId,
            team: {
              conversationTypes: team.conversationTypes,
              teamParticipantTypes: team.teamParticipantTypes,
            },
          }),
      ...(tenant === null ? {} : { storeId: tenant }),
    };
  }

  const page = await ctx.search.search({
    searcher: { type: actor.type, id: actor.id },
    terms,
    scope,
    sort,
    limit,
    ...(input.sender === undefined ? {} : { sender: input.sender }),
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
    ...(after === undefined ? {} : { after }),
  });
  const hits = page.hits.filter((hit) => shownInSearch(hit.message));
  const names = await namesFor(
    ctx.directory,
    hits.map((hit) => hit.message.sender),
  );
  return {
    results: hits.map((hit) => ({
      conversation: hit.conversation,
      message: toMessageView(hit.message, names),
      snippet: highlightSnippet(hit.message.content, terms),
      rank: hit.rank,
    })),
    nextCursor: page.next === null ? null : encodeSearchCursor(sort, page.next),
  };
}
