import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import { type CoreContext, enforce } from './context.js';
import { appendMembershipNotice, loadForMembershipChange, memberEntry } from './membership-support.js';
import { displayName, namesFor } from './views.js';

export interface LeaveConversationInput {
  readonly conversationId: string;
}

/**
 * The actor leaves a conversation, as the policy allows (`decide(…, 'leave')`, then
 * `decideMembershipChange` with kind `leave`). The policy's minimum size does not hold anyone in:
 * it bounds what others may do (create, remove), not whether a person may go.
 *
 * Side effects, in one transaction: the membership ends (`leftAt`; the read state and unread
 * count are frozen and leave the badge) and a system message ("Ana left") is appended. After
 * commit, `participant.removed` with reason `left`. From then on the conversation answers the
 * former member `NOT_FOUND`, like a stranger; re-adding them restores access.
 *
 * @example
 * ```ts
 * await core.leaveConversation(member, { conversationId });
 * await core.getConversation(member, conversationId); // throws NOT_FOUND
 * ```
 */
export async function leaveConversation(
  ctx: CoreContext,
  actor: Actor,
  input: LeaveConversationInput,
): Promise<void> {
  const scene = await loadForMembershipChange(ctx, actor, input.conversationId, 'leave');
  const { conversation } = scene;
  const membership = scene.actorMembership!;
  const target = await memberEntry(ctx, membership);
  enforce(
    ctx.policy.decideMembershipChange(
      actor,
      { kind: 'leave', target, targetMembership: membership },
      conversation,
      membership,
      scene.members.length,
    ),
  );
  const now = ctx.clock.now();
  const names = await namesFor(ctx.directory, [actor], actor);
  await ctx.store.transaction(async (tx) => {
    const row = await tx.participants.leave(conversation.id, actor, now);
    if (!row) throw MessagingError.notFound('conversation', conversation.id);
    await appendMembershipNotice(ctx, tx, conversation.id, actor, `${displayName(names, actor)} left`, now);
    await tx.events.append([
      {
        type: 'participant.removed',
        occurredAt: now,
        ...originOf(actor),
        actor: { type: actor.type, id: actor.id },
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        membership: row,
        reason: 'left',
      },
    ]);
  });
}
