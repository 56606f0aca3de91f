import { isMessagingError, MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { type ParticipantRef, participantKey, sameParticipant } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import type { Clock } from '../../kernel/ports/clock.js';
import type { Directory } from '../../kernel/ports/directory.js';
import type { IdGenerator } from '../../kernel/ports/id-generator.js';
import type { PlatformSettings } from '../../kernel/settings/platform-settings.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import { hiddenByModeration, type MessageModeration, type ModerationSettings } from '../model/moderation.js';
import { teamStandIn } from '../model/team.js';
import type { ModerationChain } from '../moderation/compose-moderators.js';
import type {
  AccessPolicy,
  ConversationAction,
  DecisionFacts,
  PolicyDecision,
} from '../policy/access-policy.js';
import type { AttachmentStorage } from '../ports/attachment-storage.js';
import type { MediaInspector } from '../ports/media-inspector.js';
import type { MessageSearch } from '../ports/message-search.js';
import type { MessagingRepositories, MessagingStore } from '../ports/messaging-store.js';
import type { ModerationSettingsRepository } from '../ports/moderation-settings-repository.js';

/** What every use case runs against: the ports, the policy and the settings. */
export interface CoreContext {
  readonly store: MessagingStore;
  readonly directory: Directory;
  readonly settings: PlatformSettings;
  readonly policy: AccessPolicy;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Attachment bytes and their inspection; absent: attachment use cases fail with `INTERNAL`. */
  readonly attachments?: {
    readonly storage: AttachmentStorage;
    readonly inspector: MediaInspector;
    /** Seconds a presigned download URL is valid; absent: downloads are never presigned. */
    readonly presignedDownloadSeconds?: number;
  };
  /** Full-text message search; absent: `searchMessages` fails with `INTERNAL`. */
  readonly search?: MessageSearch;
  /**
   * Content moderation: the chain asked before a message or an edit is stored, tenants' own
   * configurations and the preset's defaults. Absent: nothing is moderated (and the review
   * routes find an empty queue).
   */
  readonly moderation?: {
    readonly chain: ModerationChain;
    readonly settings: ModerationSettingsRepository;
    readonly defaults: ModerationSettings;
  };
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
      ...originOf(actor),
      actor: { type: actor.type, id: actor.id },
      tenantId: visible.conversation.tenantId,
      conversationId: visible.conversation.id,
      membership,
    },
  ]);
  return membership;
}

/** Whether the policy's tables read blocks at all (else nobody pays for loading them). */
export function usesBlocks(policy: AccessPolicy): boolean {
  return policy.definition.permissions.some((row) => row.when?.includes('blockedByRecipient') === true);
}

/**
 * The facts the policy's predicates read for an action towards `others`: who of them blocked the
 * actor (loaded only for `start` / `send` under a policy that reads blocks).
 */
export async function decisionFacts(
  ctx: CoreContext,
  actor: Actor,
  action: ConversationAction | 'start',
  others: readonly ParticipantRef[],
): Promise<DecisionFacts> {
  if ((action !== 'send' && action !== 'start') || others.length === 0 || !usesBlocks(ctx.policy)) return {};
  return { blockedBy: await ctx.store.blocks.blockersAmong(actor, others) };
}

/** The key of a pair of people in a one-per-pair conversation type (order-free). */
export function pairKey(conversationType: string, a: ParticipantRef, b: ParticipantRef): string {
  // JSON keeps it unambiguous whatever the ids contain (and free of NUL, which text columns refuse).
  const [first, second] = [
    [a.type, a.id],
    [b.type, b.id],
  ].sort((x, y) =>
    participantKey({ type: x[0]!, id: x[1]! }) < participantKey({ type: y[0]!, id: y[1]! }) ? -1 : 1,
  );
  return JSON.stringify([conversationType, first, second]);
}

/** What a per-side deletion leaves a viewer: their own hides and messages deleted for everyone are gone. */
export function perSide(ctx: CoreContext, conversation: Conversation): boolean {
  return ctx.policy.deletion(conversation.conversationType) === 'per_side';
}

/** A conversation the actor may see, as a member or (monitoring) as a non-member. */
export interface ViewableConversation {
  readonly conversation: Conversation;
  readonly participants: ConversationParticipant[];
  /** Null: the actor monitors it (the policy lets them see conversations they are not in). */
  readonly membership: ConversationParticipant | null;
  /** As `VisibleConversation.onTeam`: `membership` is a team stand-in, not a stored row. */
  readonly onTeam?: boolean;
}

/**
 * Loads a conversation the actor may view — a member, or a non-member the policy lets monitor it
 * — or throws `NOT_FOUND` exactly like for a missing id.
 */
export async function loadForView(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
): Promise<ViewableConversation> {
  assertActor(ctx, actor);
  const found = await ctx.store.conversations.findWithParticipants(conversationId);
  if (!found) throw MessagingError.notFound('conversation', conversationId);
  const membership = found.participants.find((p) => sameParticipant(p.participant, actor)) ?? null;
  enforce(ctx.policy.decide(actor, 'view', found.conversation, membership));
  // A team (support) member who has not joined sees it as the team does, not as a monitor.
  if (!membership) return asTeamMember(ctx, actor, found) ?? { ...found, membership };
  return { ...found, membership };
}

/**
 * The conversation as a team member who has not joined sees it (a stand-in membership), or null
 * when the actor is on no team of its type.
 */
function asTeamMember(
  ctx: CoreContext,
  actor: Actor,
  found: { readonly conversation: Conversation; readonly participants: ConversationParticipant[] },
): VisibleConversation | null {
  const team = ctx.policy.team(found.conversation.conversationType);
  if (!team?.participantTypes.includes(actor.type)) return null;
  return {
    conversation: found.conversation,
    participants: found.participants,
    membership: teamStandIn(found.conversation, actor, 0),
    onTeam: true,
  };
}

/**
 * How a monitoring non-member reads a conversation: as if a member who has read nothing and sees
 * the whole history, with the role `none`.
 */
export function observerMembership(conversation: Conversation, actor: Actor): ConversationParticipant {
  return {
    conversationId: conversation.id,
    participant: { type: actor.type, id: actor.id },
    tenantId: actor.tenantId,
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: false,
    muted: true,
    lastActivityAt: conversation.lastMessageAt ?? conversation.createdAt,
    joinedAt: conversation.createdAt,
    role: 'none',
    leftAt: null,
    visibleFromSeq: 1,
  };
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
  const others = found.participants.map((p) => p.participant).filter((p) => !sameParticipant(p, actor));
  const facts = membership ? await decisionFacts(ctx, actor, action, others) : {};
  enforce(ctx.policy.decide(actor, action, found.conversation, membership, facts));
  if (!membership) {
    // Allowed without a membership: only a team (support) member may be; anyone else is hidden.
    const asTeam = asTeamMember(ctx, actor, found);
    if (asTeam === null) throw MessagingError.notFound('conversation', conversationId);
    return asTeam;
  }
  return { conversation: found.conversation, participants: found.participants, membership };
}

/**
 * Whether a member may see `message`: members who joined with the earlier history hidden see
 * only messages from their `visibleFromSeq` on. A hidden message answers like a missing one.
 */
/**
 * Whether a member sees a message: from their `visibleFromSeq` on, and, for a message held or
 * rejected by moderation, only its sender (reviewers read it through the review queue).
 */
export function visibleTo(
  membership: ConversationParticipant,
  message: {
    readonly seq: number;
    readonly sender?: ParticipantRef;
    readonly moderation?: MessageModeration | null;
  },
): boolean {
  if (message.seq < membership.visibleFromSeq) return false;
  return !hiddenFromByModeration(message, membership.participant);
}

/** A held or rejected message, for anyone but its sender. */
export function hiddenFromByModeration(
  message: { readonly sender?: ParticipantRef; readonly moderation?: MessageModeration | null },
  viewer: ParticipantRef,
): boolean {
  return (
    hiddenByModeration(message.moderation) &&
    (message.sender === undefined || !sameParticipant(message.sender, viewer))
  );
}
