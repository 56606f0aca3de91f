import { MessagingError } from '../errors.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import { SUBJECT_MAX_LENGTH } from '../model/conversation.js';
import type { Actor, ParticipantRef } from '../model/participant-ref.js';
import { sameParticipant } from '../model/participant-ref.js';
import { assertActor, type CoreContext, enforce } from './context.js';
import { getConversation } from './get-conversation.js';
import { normalizeContent } from './message-content.js';
import type { ConversationDetail } from './views.js';

export interface CreateConversationInput {
  /** One of the policy's conversation types. */
  readonly conversationType: string;
  readonly subject: string;
  readonly recipient: ParticipantRef;
  /** Sent as the first message, in the same transaction. */
  readonly initialMessage?: string;
}

/**
 * Starts a conversation between the actor and one recipient, as the policy allows, optionally
 * with a first message. Everything commits together, with `conversation.created` (and the first
 * message's `message.sent`) in the event log.
 *
 * @example
 * ```ts
 * const detail = await core.createConversation(
 *   { type: 'admin', id: 'u1', storeId: null },
 *   { conversationType: 'admin_store', subject: 'Payout delay', recipient: { type: 'store', id: 'u2' }, initialMessage: 'Hi!' },
 * );
 * ```
 */
export async function createConversation(
  ctx: CoreContext,
  actor: Actor,
  input: CreateConversationInput,
): Promise<ConversationDetail> {
  assertActor(ctx, actor);
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
  if (!ctx.policy.participantTypes.includes(input.recipient.type)) {
    throw MessagingError.validation('recipient_type', `recipient_type ${input.recipient.type} is not known`);
  }
  const maxLength = await ctx.settings.number('message_max_length');
  const initialMessage =
    input.initialMessage === undefined
      ? undefined
      : normalizeContent(input.initialMessage, maxLength, 'initial_message', false);
  // Role and recipient type first: a refusal must not depend on whether the recipient exists,
  // nor on who it is (a store user naming itself in an admin_store start is FORBIDDEN, not 400).
  enforce(ctx.policy.decideStartKind(actor, input.conversationType, input.recipient.type));
  if (sameParticipant(actor, input.recipient)) {
    throw MessagingError.validation('recipient_id', 'you cannot start a conversation with yourself');
  }
  const recipient = await ctx.directory.resolve(input.recipient);
  if (!recipient) {
    throw new MessagingError('NOT_FOUND', `${input.recipient.type} ${input.recipient.id} not found`, {
      field: 'recipient_id',
    });
  }
  const decision = ctx.policy.decideStart(actor, input.conversationType, recipient);
  if (!decision.allowed) {
    enforce(decision.code === 'NOT_FOUND' ? { ...decision, field: 'recipient_id' } : decision);
  }
  const storeId = decision.allowed ? decision.storeId : null;

  const now = ctx.clock.now();
  const conversation: Conversation = {
    id: ctx.ids.next(),
    conversationType: input.conversationType,
    subject,
    storeId,
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  const membership = (ref: ParticipantRef, memberStore: string | null): ConversationParticipant => ({
    conversationId: conversation.id,
    participant: { type: ref.type, id: ref.id },
    storeId: memberStore,
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: now,
    joinedAt: now,
  });
  const members = [membership(actor, actor.storeId), membership(recipient.ref, recipient.storeId)];

  const messageId = initialMessage === undefined ? null : ctx.ids.next();
  await ctx.store.transaction(async (tx) => {
    await tx.conversations.create(conversation, members);
    await tx.events.append([
      {
        type: 'conversation.created',
        occurredAt: now,
        actor: { type: actor.type, id: actor.id },
        tenantId: conversation.storeId,
        conversationId: conversation.id,
        conversation,
        participants: members.map((m) => m.participant),
      },
    ]);
    if (messageId === null || initialMessage === undefined) return;
    // `append` records the message's `message.sent` event after `conversation.created`.
    const result = await tx.messages.append({
      message: {
        id: messageId,
        conversationId: conversation.id,
        sender: { type: actor.type, id: actor.id },
        content: initialMessage,
        isSystemMessage: false,
        createdAt: now,
        attachments: [],
      },
      requireOpen: true,
    });
    if (result.status !== 'created') {
      throw new MessagingError('INTERNAL', `initial message was not appended (${result.status})`);
    }
  });
  return getConversation(ctx, actor, conversation.id);
}
