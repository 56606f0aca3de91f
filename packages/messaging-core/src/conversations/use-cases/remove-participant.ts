import { MessagingError } from '../../kernel/errors.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import { sameParticipant } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import { type CoreContext, enforce } from './context.js';
import { leaveConversation } from './leave-conversation.js';
import {
  appendMembershipNotice,
  checkParticipantRef,
  loadForMembershipChange,
  memberEntry,
  memberViews,
  requireMember,
} from './membership-support.js';
import { displayName, type MemberView, namesFor } from './views.js';

export interface RemoveParticipantInput {
  readonly conversationId: string;
  readonly participant: ParticipantRef;
}

/**
 * Removes a member from a conversation, as the policy allows (`decide(…, 'remove_participant')`,
 * then `decideMembershipChange`); the conversation keeps at least the policy's minimum size
 * (`CONFLICT` otherwise). Naming oneself is leaving (`leaveConversation`), and returns the
 * members as they remain.
 *
 * Side effects, in one transaction: the membership ends (`leftAt`; read state and unread count
 * frozen, out of the badge) and a system message ("Ana removed Bo") is appended. After commit,
 * `participant.removed` with reason `removed`. The removed person then gets `NOT_FOUND`, like a
 * stranger. Returns the active members.
 *
 * @example
 * ```ts
 * const members = await core.removeParticipant(owner, { conversationId, participant: { type: 'customer', id: 'c7' } });
 * ```
 */
export async function removeParticipant(
  ctx: CoreContext,
  actor: Actor,
  input: RemoveParticipantInput,
): Promise<MemberView[]> {
  const ref = checkParticipantRef(ctx, input.participant, 'participant');
  if (sameParticipant(ref, actor)) {
    await leaveConversation(ctx, actor, { conversationId: input.conversationId });
    return [];
  }
  const scene = await loadForMembershipChange(ctx, actor, input.conversationId, 'remove_participant');
  const { conversation } = scene;
  const targetMembership = requireMember(scene, ref, 'participant');
  const target = await memberEntry(ctx, targetMembership);
  enforce(
    ctx.policy.decideMembershipChange(
      actor,
      { kind: 'remove', target, targetMembership },
      conversation,
      scene.actorMembership,
      scene.members.length,
    ),
  );
  const { min } = ctx.policy.sizeLimits(conversation.conversationType);
  if (scene.members.length - 1 < min) {
    throw new MessagingError(
      'CONFLICT',
      `${conversation.conversationType} conversations keep at least ${min} participants`,
    );
  }
  const now = ctx.clock.now();
  const names = await namesFor(ctx.directory, [actor, ref], actor);
  await ctx.store.transaction(async (tx) => {
    const row = await tx.participants.leave(conversation.id, ref, now);
    if (!row) throw MessagingError.notFound('participant', `${ref.type} ${ref.id}`);
    const text = `${displayName(names, actor)} removed ${displayName(names, ref)}`;
    await appendMembershipNotice(ctx, tx, conversation.id, actor, text, now);
    await tx.events.append([
      {
        type: 'participant.removed',
        occurredAt: now,
        ...originOf(actor),
        actor: { type: actor.type, id: actor.id },
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        membership: row,
        reason: 'removed',
      },
    ]);
  });
  return memberViews(ctx, conversation.id);
}
