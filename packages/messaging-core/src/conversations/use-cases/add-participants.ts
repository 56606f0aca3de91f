import { MessagingError } from '../../kernel/errors.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import { participantKey, sameParticipant } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import type { JoinRequest } from '../ports/participant-repository.js';
import { type CoreContext, enforce } from './context.js';
import {
  appendMembershipNotice,
  checkParticipantRef,
  joinNames,
  loadForMembershipChange,
  memberViews,
} from './membership-support.js';
import { displayName, type MemberView, namesFor } from './views.js';

export interface AddParticipantsInput {
  readonly conversationId: string;
  /** Who to add; `role` defaults to the first of the policy's `memberRoles`. */
  readonly participants: readonly { readonly type: string; readonly id: string; readonly role?: string }[];
}

/**
 * Adds people to a conversation, as the policy allows (`decide(…, 'add_participant')`, then
 * `decideMembershipChange` for each, then `sizeLimits`). A former member is re-added: their row
 * is reactivated with a new `joinedAt`. Each newcomer starts with nothing unread and sees the
 * history from before they joined only when `historyVisibleToNewMembers` says so.
 *
 * Side effects, in one transaction: the memberships, and one system message ("Ana added Bo and
 * Cy"). After commit, one `participant.added` event per newcomer. Returns the active members.
 *
 * Adding someone who is already an active member is a `CONFLICT` (nothing is written): the caller
 * asked for a change that cannot happen, and a role they named might silently not apply.
 *
 * @example
 * ```ts
 * const members = await core.addParticipants(owner, {
 *   conversationId,
 *   participants: [{ type: 'customer', id: 'c7' }, { type: 'store', id: 'u3', role: 'observer' }],
 * });
 * ```
 */
export async function addParticipants(
  ctx: CoreContext,
  actor: Actor,
  input: AddParticipantsInput,
): Promise<MemberView[]> {
  const scene = await loadForMembershipChange(ctx, actor, input.conversationId, 'add_participant');
  const { conversation } = scene;
  if (!Array.isArray(input.participants) || input.participants.length === 0) {
    throw MessagingError.validation('participants', 'participants must list at least one participant');
  }
  const requested = input.participants.map((p) => ({
    ref: checkParticipantRef(ctx, p, 'participants'),
    role: p.role,
  }));
  if (new Set(requested.map((r) => participantKey(r.ref))).size !== requested.length) {
    throw MessagingError.validation('participants', 'a participant is listed twice');
  }
  const roles = ctx.policy.memberRoles(conversation.conversationType);
  const entries = await ctx.directory.resolveMany(requested.map((r) => r.ref));
  const seesHistory = ctx.policy.historyVisibleToNewMembers(conversation.conversationType);
  const joins: JoinRequest[] = [];
  let active = scene.members.length;
  for (const { ref, role } of requested) {
    const target = entries.get(participantKey(ref));
    // An unknown person and one the policy hides answer alike (the policy words its NOT_FOUND the same).
    if (!target)
      throw new MessagingError('NOT_FOUND', `${ref.type} ${ref.id} not found`, { field: 'participants' });
    const targetMembership = scene.members.find((p) => sameParticipant(p.participant, ref)) ?? null;
    const decision = ctx.policy.decideMembershipChange(
      actor,
      { kind: 'add', target, ...(role === undefined ? {} : { role }), targetMembership },
      conversation,
      scene.actorMembership,
      active,
    );
    enforce(
      decision.allowed || decision.code !== 'NOT_FOUND' ? decision : { ...decision, field: 'participants' },
    );
    if (targetMembership) {
      throw new MessagingError('CONFLICT', `${ref.type} ${ref.id} is already a participant`, {
        field: 'participants',
      });
    }
    if (role !== undefined && (typeof role !== 'string' || !roles.includes(role))) {
      throw MessagingError.validation('role', `role must be one of ${roles.join(', ')}`);
    }
    joins.push({
      participant: ref,
      storeId: target.storeId,
      role: role ?? roles[0] ?? 'member',
      seesHistory,
    });
    active += 1;
  }
  const { max } = ctx.policy.sizeLimits(conversation.conversationType);
  if (active > max) {
    throw MessagingError.validation(
      'participants',
      `${conversation.conversationType} conversations have at most ${max} participants`,
    );
  }

  const now = ctx.clock.now();
  const names = await namesFor(ctx.directory, [actor, ...joins.map((j) => j.participant)], actor);
  const text = `${displayName(names, actor)} added ${joinNames(joins.map((j) => displayName(names, j.participant)))}`;
  const by: ParticipantRef = { type: actor.type, id: actor.id };
  await ctx.store.transaction(async (tx) => {
    const rows = await tx.participants.join(conversation.id, joins, now);
    if (!rows) throw MessagingError.notFound('conversation', conversation.id);
    await appendMembershipNotice(ctx, tx, conversation.id, actor, text, now);
    await tx.events.append(
      rows.map((membership) => ({
        type: 'participant.added' as const,
        occurredAt: now,
        ...originOf(actor),
        actor: by,
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        membership,
      })),
    );
  });
  return memberViews(ctx, conversation.id);
}
