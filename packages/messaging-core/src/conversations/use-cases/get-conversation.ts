import type { Actor } from '../../kernel/model/participant-ref.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import { teamStandIn, teamUnread } from '../model/team.js';
import { type CoreContext, joinTeam, loadForAction, retryIfJoinedMeanwhile } from './context.js';
import { encodeMessageCursor } from './cursor.js';
import { type ConversationDetail, namesFor, toMemberView, toMessageView, toSummary } from './views.js';

export interface GetConversationOptions {
  /** Mark the conversation read for the actor before returning it. */
  readonly markRead?: boolean;
  /** How many of the latest messages to include (1–100, default 50). */
  readonly messageLimit?: number;
}

/**
 * A conversation the actor takes part in (or handles as one of its team: support), with its
 * participants and latest messages. Anyone else gets `NOT_FOUND`. With `markRead`, the actor's
 * read state moves up to the newest message of the returned page (and `conversation.read` is
 * recorded by `markRead`); a team member who has not joined joins first, in the same transaction
 * (`joinTeam`: role from the policy's team, `participant.added`, no system message). Without it, a
 * team member's unread count is what waits for the team (`teamUnread`, over the returned page).
 *
 * @example
 * ```ts
 * const detail = await core.getConversation(actor, conversationId, { markRead: true });
 * detail.unreadCount; // 0
 * ```
 */
export async function getConversation(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  options: GetConversationOptions = {},
): Promise<ConversationDetail> {
  const limit = parseLimit(options.messageLimit, 50, 100, 'message_limit');
  const visible = await loadForAction(ctx, actor, conversationId, options.markRead ? 'read' : 'view');
  let { membership, participants } = visible;
  const page = await ctx.store.messages.listByConversation(conversationId, {
    limit,
    fromSeq: membership.visibleFromSeq,
  });
  const upToSeq = page.messages[0]?.seq ?? 0;
  const team = visible.onTeam ? ctx.policy.team(visible.conversation.conversationType) : null;
  if (team !== null && options.markRead) {
    // A team member's first read makes them a member (no system message), read up to this page.
    const now = ctx.clock.now();
    const joined = await retryIfJoinedMeanwhile(
      visible,
      () =>
        ctx.store.transaction(async (tx) => {
          const member = await joinTeam(ctx, tx, actor, visible);
          return (await tx.participants.markRead(conversationId, actor, now, upToSeq)) ?? member;
        }),
      async () => null,
    );
    // Joined meanwhile by another of their requests: read as the member they now are.
    if (joined === null) return getConversation(ctx, actor, conversationId, options);
    membership = joined;
    participants = await ctx.store.participants.listByConversation(conversationId);
  } else if (team !== null) {
    // Exact while the team's last answer is on this page (the latest `limit` messages).
    membership = teamStandIn(visible.conversation, actor, teamUnread(page.messages, team.participantTypes));
  } else if (options.markRead && (membership.lastReadSeq < upToSeq || membership.lastReadAt === null)) {
    // Read up to what this answer shows, not whatever arrived since the page was read.
    const now = ctx.clock.now();
    const updated = await ctx.store.participants.markRead(conversationId, actor, now, upToSeq);
    if (updated) {
      membership = updated;
      participants = participants.map((p) => (p === visible.membership ? updated : p));
    }
  }
  const names = await namesFor(ctx.directory, [
    ...participants.map((p) => p.participant),
    ...page.messages.map((m) => m.sender),
  ]);
  const newestFirst = page.messages;
  const oldest = newestFirst.at(-1);
  return {
    ...toSummary(actor, visible.conversation, membership, participants, newestFirst[0] ?? null, names),
    participants: participants.map((p) => toMemberView(p, names)),
    messages: [...newestFirst].reverse().map((m) => toMessageView(m, names)),
    nextCursor: page.hasMore && oldest ? encodeMessageCursor({ conversationId, seq: oldest.seq }) : null,
  };
}
