import { MessagingError } from '../../kernel/errors.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import { type CoreContext, enforce } from './context.js';
import {
  appendMembershipNotice,
  checkParticipantRef,
  loadForMembershipChange,
  memberEntry,
  memberViews,
  requireMember,
} from './membership-support.js';
import { displayName, type MemberView, namesFor } from './views.js';

export interface ChangeParticipantRoleInput {
  readonly conversationId: string;
  readonly participant: ParticipantRef;
  /** One of the policy's `memberRoles` for the conversation type. */
  readonly role: string;
}

/**
 * Gives a member another role, as the policy allows (`decide(…, 'change_role')`, then
 * `decideMembershipChange`). Asking for the role they already hold changes nothing: no message,
 * no event (idempotent).
 *
 * Side effects, in one transaction: the role, and a system message ("Ana made Bo an observer").
 * After commit, `participant.role_changed`. Returns the active members.
 *
 * @example
 * ```ts
 * await core.changeParticipantRole(owner, { conversationId, participant: { type: 'customer', id: 'c7' }, role: 'observer' });
 * ```
 */
export async function changeParticipantRole(
  ctx: CoreContext,
  actor: Actor,
  input: ChangeParticipantRoleInput,
): Promise<MemberView[]> {
  const ref = checkParticipantRef(ctx, input.participant, 'participant');
  const scene = await loadForMembershipChange(ctx, actor, input.conversationId, 'change_role');
  const { conversation } = scene;
  const roles = ctx.policy.memberRoles(conversation.conversationType);
  if (typeof input.role !== 'string' || !roles.includes(input.role)) {
    throw MessagingError.validation('role', `role must be one of ${roles.join(', ')}`);
  }
  const targetMembership = requireMember(scene, ref, 'participant');
  const target = await memberEntry(ctx, targetMembership);
  enforce(
    ctx.policy.decideMembershipChange(
      actor,
      { kind: 'change_role', target, role: input.role, targetMembership },
      conversation,
      scene.actorMembership,
      scene.members.length,
    ),
  );
  if (targetMembership.role === input.role) return memberViews(ctx, conversation.id);
  const now = ctx.clock.now();
  const names = await namesFor(ctx.directory, [actor, ref], actor);
  const role = input.role;
  const article = /^[aeiou]/i.test(role) ? 'an' : 'a';
  await ctx.store.transaction(async (tx) => {
    const row = await tx.participants.changeRole(conversation.id, ref, role);
    if (!row) throw MessagingError.notFound('participant', `${ref.type} ${ref.id}`);
    const text = `${displayName(names, actor)} made ${displayName(names, ref)} ${article} ${role}`;
    await appendMembershipNotice(ctx, tx, conversation.id, actor, text, now);
    await tx.events.append([
      {
        type: 'participant.role_changed',
        occurredAt: now,
        ...originOf(actor),
        actor: { type: actor.type, id: actor.id },
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        membership: row,
        previousRole: targetMembership.role,
      },
    ]);
  });
  return memberViews(ctx, conversation.id);
}
