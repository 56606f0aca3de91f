import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import { teamStandIn, teamUnread } from '../model/team.js';
import type { MessagePage, MessagePageRequest } from '../ports/message-repository.js';
import {
  type CoreContext,
  hiddenFromByModeration,
  joinTeam,
  loadForAction,
  loadForView,
  observerMembership,
  perSide,
  retryIfJoinedMeanwhile,
  type ViewableConversation,
} from './context.js';
import { encodeMessageCursor } from './cursor.js';
import { receiptsFor } from './receipts.js';
import { type ConversationDetail, namesFor, toMemberView, toMessageView, toSummary } from './views.js';

export interface GetConversationOptions {
  /** Mark the conversation read for the actor before returning it. */
  readonly markRead?: boolean;
  /** How many of the latest messages to include (1–100, default 50). */
  readonly messageLimit?: number;
}

/**
 * A conversation the actor takes part in (or handles as one of its team: support), with its
 * participants and latest messages. A non-member the policy lets monitor it (care-team admins)
 * reads it too, and each such read records `conversation.monitored` in the read's transaction.
 * Anyone else gets `NOT_FOUND`. In a `per_side` conversation the messages the actor deleted, and
 * those deleted for everyone, are left out. With `markRead`, the actor's read state moves up to
 * the newest message of the returned page (and `conversation.read` is recorded by `markRead`); a
 * team member who has not joined joins first, in the same transaction (`joinTeam`: role from the
 * policy's team, `participant.added`, no system message). Without it, a team member's unread
 * count is what waits for the team (`teamUnread`, over the returned page).
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
  const visible: ViewableConversation = options.markRead
    ? await loadForAction(ctx, actor, conversationId, 'read')
    : await loadForView(ctx, actor, conversationId);
  let { participants } = visible;
  let membership = visible.membership ?? observerMembership(visible.conversation, actor);
  const page = await readMessages(ctx, actor, visible, {
    limit,
    fromSeq: membership.visibleFromSeq,
  });
  const upToSeq = page.messages[0]?.seq ?? 0;
  const team = visible.onTeam ? ctx.policy.team(visible.conversation.conversationType) : null;
  if (team !== null && options.markRead) {
    // A team member's first read makes them a member (no system message), read up to this page.
    const now = ctx.clock.now();
    const standIn = { ...visible, membership };
    const joined = await retryIfJoinedMeanwhile(
      standIn,
      () =>
        ctx.store.transaction(async (tx) => {
          const member = await joinTeam(ctx, tx, actor, standIn);
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
  const [names, receipts] = await Promise.all([
    namesFor(ctx.directory, [
      ...participants.map((p) => p.participant),
      ...page.messages.map((m) => m.sender),
    ]),
    receiptsFor(ctx, conversationId, participants, page.messages),
  ]);
  const newestFirst = page.messages;
  const oldest = newestFirst.at(-1);
  return {
    ...toSummary(actor, visible.conversation, membership, participants, newestFirst[0] ?? null, names),
    participants: participants.map((p) => toMemberView(p, names)),
    messages: [...newestFirst].reverse().map((m) => toMessageView(m, names, receipts.get(m.id))),
    nextCursor: page.hasMore && oldest ? encodeMessageCursor({ conversationId, seq: oldest.seq }) : null,
  };
}

/**
 * One page of a conversation's messages as the actor may see them: without what they deleted in a
 * `per_side` conversation (nor what was deleted for everyone there); for a monitoring non-member,
 * read in one transaction with the `conversation.monitored` event recording the read.
 */
export async function readMessages(
  ctx: CoreContext,
  actor: Actor,
  visible: { readonly conversation: Conversation; readonly membership: ConversationParticipant | null },
  request: MessagePageRequest,
): Promise<MessagePage> {
  const sided = perSide(ctx, visible.conversation);
  const wanted: MessagePageRequest =
    sided && visible.membership !== null
      ? { ...request, viewer: { type: actor.type, id: actor.id } }
      : request;
  // Held or rejected messages (moderation) are their sender's only; dropped from the page here
  // rather than in the query, so the hot history statement stays as it is.
  const keep = (page: MessagePage): MessagePage => ({
    ...page,
    messages: page.messages.filter(
      (m: Message) => !(sided && m.isDeleted) && !hiddenFromByModeration(m, actor),
    ),
  });
  if (visible.membership !== null)
    return keep(await ctx.store.messages.listByConversation(visible.conversation.id, wanted));
  const now = ctx.clock.now();
  return keep(
    await ctx.store.transaction(async (tx) => {
      const page = await tx.messages.listByConversation(visible.conversation.id, wanted);
      await tx.events.append([
        {
          type: 'conversation.monitored',
          occurredAt: now,
          ...originOf(actor),
          actor: { type: actor.type, id: actor.id },
          tenantId: visible.conversation.tenantId,
          conversationId: visible.conversation.id,
          messageCount: visible.conversation.messageCount,
        },
      ]);
      return page;
    }),
  );
}
