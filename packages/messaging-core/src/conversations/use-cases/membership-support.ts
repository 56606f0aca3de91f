import { MessagingError } from '../../kernel/errors.js';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import { sameParticipant } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { ConversationAction } from '../policy/access-policy.js';
import type { MessagingRepositories } from '../ports/messaging-store.js';
import { assertActor, type CoreContext, enforce } from './context.js';
import { type MemberView, namesFor, toMemberView } from './views.js';

/** A conversation as a membership change sees it: active members only, and the actor's own membership. */
export interface MembershipScene {
  readonly conversation: Conversation;
  readonly members: readonly ConversationParticipant[];
  readonly actorMembership: ConversationParticipant | null;
}

/**
 * Loads the conversation and asks the policy whether the actor may take `action` on it at all,
 * before any participant is looked up: a stranger or former member gets the same `NOT_FOUND` as
 * for a missing conversation, and a refusal never depends on whether a named participant exists.
 */
export async function loadForMembershipChange(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  action: ConversationAction,
): Promise<MembershipScene> {
  assertActor(ctx, actor);
  if (typeof conversationId !== 'string')
    throw MessagingError.notFound('conversation', String(conversationId));
  const found = await ctx.store.conversations.findWithParticipants(conversationId);
  if (!found) throw MessagingError.notFound('conversation', conversationId);
  const actorMembership = found.participants.find((p) => sameParticipant(p.participant, actor)) ?? null;
  enforce(ctx.policy.decide(actor, action, found.conversation, actorMembership));
  if (!actorMembership) throw MessagingError.notFound('conversation', conversationId);
  return { conversation: found.conversation, members: found.participants, actorMembership };
}

/** Checks a participant reference's shape and type, naming `field` when it is wrong. */
export function checkParticipantRef(ctx: CoreContext, ref: unknown, field: string): ParticipantRef {
  const candidate = ref as Partial<ParticipantRef> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.type !== 'string' ||
    typeof candidate.id !== 'string' ||
    candidate.id === ''
  ) {
    throw MessagingError.validation(field, `${field} needs a type and an id`);
  }
  if (!ctx.policy.participantTypes.includes(candidate.type)) {
    throw MessagingError.validation(field, `participant type ${candidate.type} is not known`);
  }
  return { type: candidate.type, id: candidate.id };
}

/**
 * The directory entry of a current member; a member the directory forgot still has one (their
 * name falls back to `type id`), so they can always be removed.
 */
export async function memberEntry(
  ctx: CoreContext,
  member: ConversationParticipant,
): Promise<DirectoryEntry> {
  return (
    (await ctx.directory.resolve(member.participant)) ?? {
      ref: member.participant,
      name: `${member.participant.type} ${member.participant.id}`,
      email: null,
      locale: 'en',
      storeId: member.tenantId,
    }
  );
}

/** The target's active membership, or `NOT_FOUND` naming `field` (a member list is no secret to a member). */
export function requireMember(
  scene: MembershipScene,
  target: ParticipantRef,
  field: string,
): ConversationParticipant {
  const member = scene.members.find((p) => sameParticipant(p.participant, target));
  if (!member) {
    throw new MessagingError(
      'NOT_FOUND',
      `${target.type} ${target.id} is not a participant of conversation ${scene.conversation.id}`,
      { field },
    );
  }
  return member;
}

/** Appends the system message that records a membership change, in the change's transaction. */
export async function appendMembershipNotice(
  ctx: CoreContext,
  tx: MessagingRepositories,
  conversationId: string,
  actor: ParticipantRef,
  text: string,
  at: Date,
): Promise<void> {
  const appended = await tx.messages.append({
    message: {
      id: ctx.ids.next(),
      conversationId,
      sender: { type: actor.type, id: actor.id },
      content: text,
      isSystemMessage: true,
      createdAt: at,
      attachments: [],
    },
    requireOpen: false,
  });
  if (appended.status !== 'created') {
    throw new MessagingError('INTERNAL', `membership system message not appended (${appended.status})`);
  }
}

/** The conversation's active members after a change, as the API lists them. */
export async function memberViews(ctx: CoreContext, conversationId: string): Promise<MemberView[]> {
  const members = await ctx.store.participants.listByConversation(conversationId);
  const names = await namesFor(
    ctx.directory,
    members.map((m) => m.participant),
  );
  return members.map((m) => toMemberView(m, names));
}

/** "Ana", "Ana and Bo", "Ana, Bo and Cy". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
