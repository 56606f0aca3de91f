import { MessagingError } from '../../kernel/errors.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import { participantKey, sameParticipant } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import { SUBJECT_MAX_LENGTH } from '../model/conversation.js';
import type { PolicyDecision } from '../policy/access-policy.js';
import { assertActor, type CoreContext, decisionFacts, enforce, pairKey } from './context.js';
import { getConversation } from './get-conversation.js';
import { normalizeContent } from './message-content.js';
import { moderateContent } from './moderate-content.js';
import { sendMessage } from './send-message.js';
import type { ConversationDetail } from './views.js';

interface CreateConversationFields {
  /** One of the policy's conversation types. */
  readonly conversationType: string;
  readonly subject: string;
  /** Sent as the first message, in the same transaction. */
  readonly initialMessage?: string;
  /** The first message's own subject (types whose messages carry one); validated by the caller. */
  readonly initialMessageSubject?: string;
}

/**
 * Who to start with: `participants` (everyone but the creator), or `recipient`, the two-party
 * shorthand the marketplace's audience routes use (its errors name `recipient_type` and
 * `recipient_id`; the list's name `participants`).
 */
export type CreateConversationInput = CreateConversationFields &
  (
    | { readonly participants: readonly ParticipantRef[]; readonly recipient?: never }
    | { readonly recipient: ParticipantRef; readonly participants?: never }
  );

/**
 * Starts a conversation between the actor and the listed participants, as the policy allows
 * (`decideStartKind`, then `decideStart` once everyone resolved; sizes from `sizeLimits`), with
 * each member's role from `initialRole`, optionally with a first message. Everything commits
 * together, with `conversation.created` (and the first message's `message.sent`) in the event log.
 *
 * A refusal never depends on whether a listed participant exists: the role and participant-type
 * rules answer first, and an unknown participant and one the policy hides are the same `NOT_FOUND`.
 *
 * For a type that is one per pair (`onePerPair`), the pair's existing conversation is reused: the
 * first message is sent in it (as `send` allows) and it is returned, nothing is created. The pair
 * is claimed in the creating transaction, so two concurrent first messages give one conversation.
 * Under a policy that reads blocks, a recipient who blocked the actor is refused (403).
 *
 * @example
 * ```ts
 * const detail = await core.createConversation(
 *   { type: 'admin', id: 'u1', storeId: null },
 *   { conversationType: 'admin_store', subject: 'Payout delay', participants: [{ type: 'store', id: 'u2' }], initialMessage: 'Hi!' },
 * );
 * ```
 */
export async function createConversation(
  ctx: CoreContext,
  actor: Actor,
  input: CreateConversationInput,
): Promise<ConversationDetail> {
  assertActor(ctx, actor);
  const listForm = input.participants !== undefined;
  const typeField = listForm ? 'participants' : 'recipient_type';
  const idField = listForm ? 'participants' : 'recipient_id';
  /** The policy names the two-party fields; the list form reports them all as `participants`. */
  const fieldsOf = (decision: PolicyDecision): PolicyDecision =>
    !decision.allowed &&
    listForm &&
    (decision.field === 'recipient_type' || decision.field === 'recipient_id')
      ? { ...decision, field: 'participants' }
      : decision;
  if (typeof input.subject !== 'string')
    throw MessagingError.validation('subject', 'subject must be a string');
  const subject = input.subject.trim();
  if (subject.length === 0 || Array.from(subject).length > SUBJECT_MAX_LENGTH) {
    throw MessagingError.validation('subject', `subject must be 1 to ${SUBJECT_MAX_LENGTH} characters`);
  }
  if (!ctx.policy.conversationTypes.some((d) => d.type === input.conversationType)) {
    throw MessagingError.validation(
      'conversation_type',
      `conversation_type must be one of ${ctx.policy.conversationTypes.map((d) => d.type).join(', ')}`,
    );
  }
  const refs: readonly ParticipantRef[] = input.participants ?? [input.recipient];
  // An empty list only for a type opened alone (support: its team answers without being added).
  if (!Array.isArray(refs) || (refs.length === 0 && ctx.policy.sizeLimits(input.conversationType).min > 1)) {
    throw MessagingError.validation('participants', 'participants must list at least one participant');
  }
  for (const ref of refs) {
    if (typeof ref?.type !== 'string' || typeof ref.id !== 'string' || ref.id === '') {
      throw MessagingError.validation(idField, 'every participant needs a type and an id');
    }
    if (!ctx.policy.participantTypes.includes(ref.type)) {
      throw MessagingError.validation(typeField, `${typeField} ${ref.type} is not known`);
    }
  }
  const maxLength = await ctx.settings.number('message_max_length');
  const initialMessage =
    input.initialMessage === undefined
      ? undefined
      : normalizeContent(input.initialMessage, maxLength, 'initial_message', false);
  const [onlyRecipient] = refs;
  const pair =
    ctx.policy.onePerPair(input.conversationType) && refs.length === 1 && onlyRecipient !== undefined
      ? pairKey(input.conversationType, actor, onlyRecipient)
      : null;
  if (pair !== null && onlyRecipient !== undefined && !sameParticipant(actor, onlyRecipient)) {
    const existing = await ctx.store.conversations.findPair(pair);
    if (existing !== null) return continuePair(ctx, actor, existing, initialMessage, input);
  }
  // Role and participant types first: a refusal must not depend on whether a participant exists,
  // nor on who it is (a store user naming itself in an admin_store start is FORBIDDEN, not 400).
  enforce(
    fieldsOf(
      ctx.policy.decideStartKind(
        actor,
        input.conversationType,
        refs.map((r) => r.type),
      ),
    ),
  );
  if (refs.some((ref) => sameParticipant(actor, ref))) {
    throw MessagingError.validation(idField, 'you cannot start a conversation with yourself');
  }
  const keys = new Set(refs.map(participantKey));
  if (keys.size !== refs.length) {
    throw MessagingError.validation('participants', 'a participant is listed twice');
  }
  const { min, max } = ctx.policy.sizeLimits(input.conversationType);
  if (refs.length + 1 < min || refs.length + 1 > max) {
    throw MessagingError.validation(
      'participants',
      `${input.conversationType} conversations have ${min} to ${max} participants, you included`,
    );
  }
  const entries = await ctx.directory.resolveMany(refs);
  const recipients = refs.map((ref) => {
    const entry = entries.get(participantKey(ref));
    if (!entry) {
      throw new MessagingError('NOT_FOUND', `${ref.type} ${ref.id} not found`, { field: idField });
    }
    return entry;
  });
  const decision = ctx.policy.decideStart(
    actor,
    input.conversationType,
    recipients,
    await decisionFacts(ctx, actor, 'start', refs),
  );
  if (!decision.allowed) {
    enforce(decision.code === 'NOT_FOUND' ? { ...decision, field: idField } : fieldsOf(decision));
  }
  const storeId = decision.allowed ? decision.tenantId : null;

  const now = ctx.clock.now();
  const conversation: Conversation = {
    id: ctx.ids.next(),
    conversationType: input.conversationType,
    subject,
    tenantId: storeId,
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  const membership = (
    ref: ParticipantRef,
    memberStore: string | null,
    isCreator: boolean,
  ): ConversationParticipant => ({
    conversationId: conversation.id,
    participant: { type: ref.type, id: ref.id },
    tenantId: memberStore,
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: now,
    joinedAt: now,
    role: ctx.policy.initialRole(input.conversationType, ref, isCreator),
    leftAt: null,
    visibleFromSeq: 1,
  });
  const members = [
    membership(actor, actor.tenantId, true),
    ...recipients.map((r) => membership(r.ref, r.storeId, false)),
  ];

  // The first message is moderated like any send (`MESSAGE_REJECTED` creates nothing).
  const moderated =
    initialMessage === undefined || ctx.moderation === undefined
      ? undefined
      : await moderateContent(ctx, actor, conversation, 'send', initialMessage);
  const messageId = initialMessage === undefined ? null : ctx.ids.next();
  const created = await ctx.store.transaction(async (tx) => {
    if (pair !== null) {
      const holder = await tx.conversations.claimPair(pair, conversation.id);
      // Another first message of this pair won the race: this one goes into its conversation.
      if (holder !== conversation.id) return holder;
    }
    await tx.conversations.create(conversation, members);
    await tx.events.append([
      {
        type: 'conversation.created',
        occurredAt: now,
        ...originOf(actor),
        actor: { type: actor.type, id: actor.id },
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        conversation,
        participants: members.map((m) => m.participant),
      },
    ]);
    if (messageId === null || initialMessage === undefined) return conversation.id;
    // `append` records the message's `message.sent` event after `conversation.created`.
    const result = await tx.messages.append({
      message: {
        id: messageId,
        conversationId: conversation.id,
        sender: { type: actor.type, id: actor.id },
        content: moderated?.content ?? initialMessage,
        ...(moderated?.moderation === undefined ? {} : { moderation: moderated.moderation }),
        isSystemMessage: false,
        createdAt: now,
        attachments: [],
        ...(input.initialMessageSubject === undefined ? {} : { subject: input.initialMessageSubject }),
      },
      requireOpen: true,
    });
    if (result.status !== 'created') {
      throw new MessagingError('INTERNAL', `initial message was not appended (${result.status})`);
    }
    return conversation.id;
  });
  if (created !== conversation.id) return continuePair(ctx, actor, created, initialMessage, input);
  return getConversation(ctx, actor, conversation.id);
}

/** The pair's conversation exists: send the first message in it (as `send` allows) and return it. */
async function continuePair(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  initialMessage: string | undefined,
  input: CreateConversationInput,
): Promise<ConversationDetail> {
  if (initialMessage !== undefined) {
    await sendMessage(ctx, actor, {
      conversationId,
      content: initialMessage,
      ...(input.initialMessageSubject === undefined ? {} : { subject: input.initialMessageSubject }),
    });
  }
  return getConversation(ctx, actor, conversationId);
}
