import { isMessagingError, MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { sameParticipant } from '../../kernel/model/participant-ref.js';
import type { Clock } from '../../kernel/ports/clock.js';
import type { Directory } from '../../kernel/ports/directory.js';
import type { IdGenerator } from '../../kernel/ports/id-generator.js';
import type { PlatformSettings } from '../../kernel/settings/platform-settings.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import { teamStandIn } from '../model/team.js';
import type { AccessPolicy, ConversationAction, PolicyDecision } from '../policy/access-policy.js';
import type { AttachmentStorage } from '../ports/attachment-storage.js';
import type { MediaInspector } from '../ports/media-inspector.js';
import type { MessagingRepositories, MessagingStore } from '../ports/messaging-store.js';

/** What every use case runs against: the ports, the policy and the settings. */
export interface CoreContext {
  readonly store: MessagingStore;
  readonly directory: Directory;
  readonly settings: PlatformSettings;
  readonly policy: AccessPolicy;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Attachment bytes and their inspection; absent: attachment use cases fail with `INTERNAL`. */
  readonly attachments?: { readonly storage: AttachmentStorage; readonly inspector: MediaInspector };
}

export function enforce(decision: PolicyDecision): void {
  if (decision.allowed) return;
  throw new MessagingError(
    decision.code,
    decision.reason,
    decision.field === undefined ? {} : { field: decision.field },
  );
}

export function assertActor(ctx: CoreContext, actor: Actor): void {
  enforce(ctx.policy.validateActor(actor));
}

export interface VisibleConversation {
  readonly conversation: Conversation;
  readonly participants: ConversationParticipant[];
  readonly membership: ConversationParticipant;
  /**
   * True when the actor sees the conversation as one of its team (support) without being a
   * member: `membership` is then a stand-in (role `'none'`, nothing read), never stored, until
   * `joinTeam` makes it real.
   */
  readonly onTeam?: boolean;
}

/**
 * Runs `run`, a transaction that joins a team member (`joinTeam`); when the same person joined in
 * the meantime (another of their requests committed first: the join's `CONFLICT`, nothing of
 * `run` written), runs `again` instead — the use case once more, as the member they now are.
 */
export async function retryIfJoinedMeanwhile<T>(
  visible: VisibleConversation,
  run: () => Promise<T>,
  again: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (visible.onTeam && isMessagingError(error) && error.code === 'CONFLICT') return again();
    throw error;
  }
}

/**
 * Makes a team member who acts on a conversation for the first time (reads or answers it) a
 * member, with the team's role and the whole history, in `tx`, recording `participant.added`
 * (the actor adding themselves) — no system message, so a team answering does not spam the
 * thread. Returns the membership; an already joined member's unchanged.
 */
export async function joinTeam(
  ctx: CoreContext,
  tx: MessagingRepositories,
  actor: Actor,
  visible: VisibleConversation,
): Promise<ConversationParticipant> {
  if (!visible.onTeam) return visible.membership;
  const team = ctx.policy.team(visible.conversation.conversationType);
  if (team === null) throw new MessagingError('INTERNAL', 'team stand-in without a team');
  const now = ctx.clock.now();
  const joined = await tx.participants.join(
    visible.conversation.id,
    [
      {
        participant: { type: actor.type, id: actor.id },
        storeId: actor.tenantId,
        role: team.role,
        seesHistory: true,
      },
    ],
    now,
  );
  const membership = joined?.[0];
  if (!membership) throw MessagingError.notFound('conversation', visible.conversation.id);
  await tx.events.append([
    {
      type: 'participant.added',
      occurredAt: now,
      actor: { type: actor.type, id: actor.id },
      tenantId: visible.conversation.tenantId,
      conversationId: visible.conversation.id,
      membership,
    },
  ]);
  return membership;
}

/**
 * Loads a conversation the actor may act on, or throws. A conversation that does not exist and
 * one the actor may not see fail the same way (`NOT_FOUND`, same message).
 */
export async function loadForAction(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  action: ConversationAction,
): Promise<VisibleConversation> {
  assertActor(ctx, actor);
  const found = await ctx.store.conversations.findWithParticipants(conversationId);
  if (!found) throw MessagingError.notFound('conversation', conversationId);
  const membership = found.participants.find((p) => sameParticipant(p.participant, actor)) ?? null;
  enforce(ctx.policy.decide(actor, action, found.conversation, membership));
  if (!membership) {
    // Allowed without a membership: only a team (support) member may be; anyone else is hidden.
    const team = ctx.policy.team(found.conversation.conversationType);
    if (team === null || !team.participantTypes.includes(actor.type))
      throw MessagingError.notFound('conversation', conversationId);
    return {
      conversation: found.conversation,
      participants: found.participants,
      membership: teamStandIn(found.conversation, actor, 0),
      onTeam: true,
    };
  }
  return { conversation: found.conversation, participants: found.participants, membership };
}

/**
 * Whether a member may see `message`: members who joined with the earlier history hidden see
 * only messages from their `visibleFromSeq` on. A hidden message answers like a missing one.
 */
export function visibleTo(membership: ConversationParticipant, message: { readonly seq: number }): boolean {
  return message.seq >= membership.visibleFromSeq;
}
