import type { Actor } from '../../kernel/model/participant-ref.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import type { Message } from '../model/message.js';
import { searchTerms } from '../model/search-text.js';
import type { InboxEntry, InboxFilter } from '../ports/conversation-repository.js';
import { assertActor, type CoreContext, hiddenFromByModeration, perSide } from './context.js';
import { decodeInboxCursor, encodeInboxCursor } from './cursor.js';
import { type ConversationSummary, namesFor, toSummary } from './views.js';

export interface ListConversationsInput {
  readonly conversationType?: string;
  readonly isClosed?: boolean;
  readonly unreadOnly?: boolean;
  /** True: only the conversations the actor archived; absent or false: the inbox without them. */
  readonly archived?: boolean;
  /**
   * Only conversations whose subject or another member's name contains every word (see
   * `InboxFilter.query`); 1 to 200 characters, 1 to 8 words, else a validation error naming `q`.
   */
  readonly query?: string;
  /** 1–100, default 20. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface ConversationList {
  readonly conversations: readonly ConversationSummary[];
  /** Conversations matching the filters. */
  readonly total: number;
  /** The unread badge (non-muted conversations, filters ignored). */
  readonly totalUnread: number;
  readonly nextCursor: string | null;
}

/**
 * The actor's conversations, latest activity first, in keyset pages — without those they
 * archived, or only those with `archived: true`; for a team member (support)
 * also the team's conversations of their tenant they have not joined, with what waits for the
 * team as their unread count. A walk through every page
 * returns each conversation that existed when it began exactly once, even while messages
 * arrive (later pages order by activity as of the first page).
 *
 * @example
 * ```ts
 * let page = await core.listConversations(actor, { limit: 20 });
 * while (page.nextCursor) page = await core.listConversations(actor, { cursor: page.nextCursor });
 * ```
 */
export async function listConversations(
  ctx: CoreContext,
  actor: Actor,
  input: ListConversationsInput = {},
): Promise<ConversationList> {
  assertActor(ctx, actor);
  const limit = parseLimit(input.limit, 20);
  const cursor = input.cursor === undefined ? undefined : decodeInboxCursor(input.cursor);
  const query = input.query === undefined ? undefined : searchTerms(input.query, 'q');
  const scope = ctx.policy.inboxTenantScope(actor);
  // A team member (support) also sees every conversation the team handles in their tenant.
  const team = ctx.policy.teamInboxScope(actor);
  const filter: InboxFilter = {
    ...(team === null
      ? {}
      : {
          team: {
            conversationTypes: team.conversationTypes,
            teamParticipantTypes: team.teamParticipantTypes,
          },
          storeId: team.tenantId,
        }),
    ...(input.conversationType === undefined ? {} : { conversationType: input.conversationType }),
    ...(input.isClosed === undefined ? {} : { isClosed: input.isClosed }),
    ...(input.unreadOnly === undefined ? {} : { unreadOnly: input.unreadOnly }),
    archived: input.archived === true,
    ...(query === undefined ? {} : { query }),
    ...(scope === null ? {} : { storeId: scope }),
  };
  const ref = { type: actor.type, id: actor.id };
  const [page, counts] = await Promise.all([
    ctx.store.conversations.listInbox(ref, filter, cursor === undefined ? { limit } : { limit, cursor }),
    ctx.store.conversations.countInbox(ref, filter),
  ]);
  // The repository already scoped the query; the policy has the last word on every row anyway.
  const visible = page.entries.filter(
    (e) => ctx.policy.decide(actor, 'view', e.conversation, e.membership).allowed,
  );
  const shown = await withVisibleLastMessages(ctx, actor, visible);
  const names = await namesFor(
    ctx.directory,
    shown.flatMap((e) => e.participants.map((p) => p.participant)),
  );
  return {
    conversations: shown.map((e) =>
      toSummary(actor, e.conversation, e.membership, e.participants, e.lastMessage, names),
    ),
    total: counts.total,
    totalUnread: counts.totalUnread,
    nextCursor: page.nextCursor ? encodeInboxCursor(page.nextCursor) : null,
  };
}

/**
 * In `per_side` conversations the latest message may be one the reader deleted (or one deleted
 * for everyone): the entry then shows the latest the reader still sees (one query per such entry).
 */
export async function withVisibleLastMessages(
  ctx: CoreContext,
  actor: Actor,
  entries: readonly InboxEntry[],
): Promise<InboxEntry[]> {
  return Promise.all(
    entries.map(async (entry) => {
      if (entry.lastMessage === null) return entry;
      const sided = perSide(ctx, entry.conversation);
      // A held or rejected latest message (moderation) is its sender's only: show the one before.
      if (!sided && !hiddenFromByModeration(entry.lastMessage, actor)) return entry;
      const shown = (m: Message) => !(sided && m.isDeleted) && !hiddenFromByModeration(m, actor);
      const request = {
        fromSeq: entry.membership.visibleFromSeq,
        ...(sided ? { viewer: { type: actor.type, id: actor.id } } : {}),
      };
      const page = await ctx.store.messages.listByConversation(entry.conversation.id, {
        ...request,
        limit: 5,
      });
      let lastMessage = page.messages.find(shown) ?? null;
      if (lastMessage === null && page.hasMore) {
        const more = await ctx.store.messages.listByConversation(entry.conversation.id, {
          ...request,
          limit: 100,
        });
        lastMessage = more.messages.find(shown) ?? null;
      }
      return { ...entry, lastMessage };
    }),
  );
}
