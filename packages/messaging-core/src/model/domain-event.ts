import type { Conversation, ConversationParticipant } from './conversation.js';
import type { Message } from './message.js';
import type { ParticipantRef } from './participant-ref.js';

interface EventBase<TType extends string> {
  readonly type: TType;
  /** Id of the event itself (time-ordered). */
  readonly id: string;
  readonly occurredAt: Date;
  readonly actor: ParticipantRef;
}

export interface ConversationCreatedEvent extends EventBase<'conversation.created'> {
  readonly conversation: Conversation;
  readonly participants: readonly ParticipantRef[];
}

export interface MessageSentEvent extends EventBase<'message.sent'> {
  readonly conversation: Conversation;
  readonly message: Message;
  /** Everyone in the conversation but the sender: who may be notified. */
  readonly recipients: readonly ParticipantRef[];
}

export interface ConversationReadEvent extends EventBase<'conversation.read'> {
  readonly conversationId: string;
  readonly readAt: Date;
}

export interface ConversationClosedEvent extends EventBase<'conversation.closed'> {
  readonly conversation: Conversation;
}

export interface ConversationReopenedEvent extends EventBase<'conversation.reopened'> {
  readonly conversation: Conversation;
}

export interface ParticipantPreferencesUpdatedEvent extends EventBase<'participant.preferences_updated'> {
  readonly conversationId: string;
  readonly membership: ConversationParticipant;
}

export interface MessageDeletedEvent extends EventBase<'message.deleted'> {
  readonly conversationId: string;
  readonly messageId: string;
}

/** Someone joined: added by `actor`, or re-added after leaving (a fresh `joinedAt`). */
export interface ParticipantAddedEvent extends EventBase<'participant.added'> {
  readonly conversationId: string;
  readonly membership: ConversationParticipant;
}

/** A membership ended: `removed` by another member, or the participant `left`. */
export interface ParticipantRemovedEvent extends EventBase<'participant.removed'> {
  readonly conversationId: string;
  /** The ended membership (`leftAt` set). */
  readonly membership: ConversationParticipant;
  readonly reason: 'removed' | 'left';
}

export interface ParticipantRoleChangedEvent extends EventBase<'participant.role_changed'> {
  readonly conversationId: string;
  readonly membership: ConversationParticipant;
  readonly previousRole: string;
}

export type DomainEvent =
  | ConversationCreatedEvent
  | MessageSentEvent
  | ConversationReadEvent
  | ConversationClosedEvent
  | ConversationReopenedEvent
  | ParticipantPreferencesUpdatedEvent
  | MessageDeletedEvent
  | ParticipantAddedEvent
  | ParticipantRemovedEvent
  | ParticipantRoleChangedEvent;

export type DomainEventType = DomainEvent['type'];
