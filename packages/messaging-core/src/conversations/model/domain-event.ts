import type { EventRecordOf, LoggedEventOf } from '../../kernel/model/event-envelope.js';
import { type ParticipantRef, participantKey } from '../../kernel/model/participant-ref.js';
import type { RequestOrigin } from '../../kernel/model/request-origin.js';
import type { Conversation, ConversationParticipant } from './conversation.js';
import type { Message } from './message.js';

/**
 * What every event says: what happened, when, who did it, in which tenant and conversation. The
 * event log gives it its id and position when it is appended (see `EventLog`); the stored
 * envelope is the kernel's (`EventRecordOf`), the vocabulary below is this context's.
 */
interface EventBase<TType extends string> {
  readonly type: TType;
  readonly occurredAt: Date;
  readonly actor: ParticipantRef;
  /** The conversation's tenant (its store); null for platform conversations. */
  readonly tenantId: string | null;
  readonly conversationId: string;
  /** The request behind the change (audit log only; see `EventRecordOf.origin`). */
  readonly origin?: RequestOrigin;
}

export interface ConversationCreatedEvent extends EventBase<'conversation.created'> {
  readonly conversation: Conversation;
  readonly participants: readonly ParticipantRef[];
}

/** Written by `MessageRepository.append` itself, in its one statement (participants' messages only). */
export interface MessageSentEvent extends EventBase<'message.sent'> {
  readonly message: Message;
}

/** Written by `ParticipantRepository.markRead` itself, in its one statement. */
export interface ConversationReadEvent extends EventBase<'conversation.read'> {
  readonly readAt: Date;
  readonly lastReadSeq: number;
  readonly unreadCount: number;
}

/**
 * A member's clients acknowledged receiving the conversation up to `lastDeliveredSeq`. Written
 * by `ParticipantRepository.markDelivered` itself, in its one statement.
 */
export interface ConversationDeliveredEvent extends EventBase<'conversation.delivered'> {
  readonly deliveredAt: Date;
  readonly lastDeliveredSeq: number;
}

export interface ConversationClosedEvent extends EventBase<'conversation.closed'> {
  readonly conversation: Conversation;
}

export interface ConversationReopenedEvent extends EventBase<'conversation.reopened'> {
  readonly conversation: Conversation;
}

/** The subject changed (`conversation` carries the new one). */
export interface ConversationRenamedEvent extends EventBase<'conversation.renamed'> {
  readonly conversation: Conversation;
  readonly previousSubject: string;
}

export interface ParticipantPreferencesUpdatedEvent extends EventBase<'participant.preferences_updated'> {
  readonly membership: ConversationParticipant;
}

export interface MessageDeletedEvent extends EventBase<'message.deleted'> {
  readonly messageId: string;
  /**
   * `everyone` (default): soft-deleted for all; `self`: hidden for the actor only (a `per_side`
   * conversation type); a per-side delete that completes the set records `everyone`.
   */
  readonly scope?: 'everyone' | 'self';
}

/**
 * The actor archived the conversation for themselves (it left their default inbox). Recorded
 * only when it changed: archiving an archived conversation records nothing.
 */
export interface ConversationArchivedEvent extends EventBase<'conversation.archived'> {
  readonly archivedAt: Date;
}

/**
 * The actor brought an archived conversation back to their inbox. A message from someone else
 * also does, without this event: `message.sent` says it (see `MessageRepository.append`).
 */
export type ConversationUnarchivedEvent = EventBase<'conversation.unarchived'>;

/** A message's content was edited: `message` is the new version (its `revision`, `editedAt`). */
export interface MessageUpdatedEvent extends EventBase<'message.updated'> {
  readonly message: Message;
  readonly previousRevision: number;
}

/**
 * A moderator flagged a message: it was delivered (`message.sent` is beside it) and waits for
 * review. Written by `MessageRepository.append` in its one statement.
 */
export interface MessageFlaggedEvent extends EventBase<'message.flagged'> {
  readonly message: Message;
  readonly reason: string;
}

/**
 * A moderator held a message: it is stored but delivered to nobody until approved. Written by
 * `MessageRepository.append` instead of `message.sent` (same payload, plus `reason`).
 */
export interface MessageHeldEvent extends EventBase<'message.held'> {
  readonly message: Message;
  readonly reason: string;
}

/**
 * A reviewer approved a flagged or held message. Approving a held one delivers it: subscribers
 * treat it as its `message.sent` (notifications, real-time frames).
 */
export interface MessageApprovedEvent extends EventBase<'message.approved'> {
  readonly message: Message;
  readonly previousState: 'flagged' | 'held';
}

/** A reviewer rejected a flagged or held message: only its sender (and reviewers) see it now. */
export interface MessageRejectedEvent extends EventBase<'message.rejected'> {
  readonly message: Message;
  readonly previousState: 'flagged' | 'held';
  readonly reason: string | null;
}

/**
 * A non-member read a conversation the policy lets them monitor (care-team admins): every such
 * read is recorded, in the read's transaction, for the audit log.
 */
export interface ConversationMonitoredEvent extends EventBase<'conversation.monitored'> {
  readonly messageCount: number;
}

/** Blocks concern two people, not a conversation. */
interface PersonEventBase<TType extends string> extends Omit<EventBase<TType>, 'conversationId'> {
  readonly conversationId: null;
}

/** The actor blocked `blocked`, who can no longer message them. */
export interface ParticipantBlockedEvent extends PersonEventBase<'participant.blocked'> {
  readonly blocked: ParticipantRef;
}

/** The actor lifted their block of `blocked`. */
export interface ParticipantUnblockedEvent extends PersonEventBase<'participant.unblocked'> {
  readonly blocked: ParticipantRef;
}

/**
 * Everything Parley holds about `person` was exported (GDPR access), by `actor` (the platform's
 * service). Names the sections written, never their contents.
 */
export interface ParticipantExportedEvent extends PersonEventBase<'participant.exported'> {
  readonly person: ParticipantRef;
  readonly sections: readonly string[];
}

/**
 * `person`'s personal data was erased (GDPR erasure): their messages' content, their attachments,
 * their address in email logs, their directory entry. Holds counts only, none of the erased data.
 */
export interface ParticipantErasedEvent extends PersonEventBase<'participant.erased'> {
  readonly person: ParticipantRef;
  readonly counts: ErasureCounts;
}

/** How many records an erasure changed (`participant.erased`). */
export interface ErasureCounts {
  readonly messages: number;
  readonly revisions: number;
  readonly attachments: number;
  readonly emailLogs: number;
  readonly directoryEntry: boolean;
}

/** Someone joined: added by `actor`, or re-added after leaving (a fresh `joinedAt`). */
export interface ParticipantAddedEvent extends EventBase<'participant.added'> {
  readonly membership: ConversationParticipant;
}

/** A membership ended: `removed` by another member, or the participant `left`. */
export interface ParticipantRemovedEvent extends EventBase<'participant.removed'> {
  /** The ended membership (`leftAt` set). */
  readonly membership: ConversationParticipant;
  readonly reason: 'removed' | 'left';
}

/**
 * A person changed their global notification preferences (email frequency, time zone, digest
 * hour and weekday): the notifications context writes it with the change. Its fields are plain
 * values, so this vocabulary does not depend on the notifications context.
 */
export interface NotificationPreferencesUpdatedEvent
  extends PersonEventBase<'notification_preferences.updated'> {
  readonly participant: ParticipantRef;
  readonly emailFrequency: string;
  readonly timeZone: string;
  readonly digestHour: number;
  readonly digestWeekday: number;
  /** The fields whose value changed (wire names), for audit trails; empty when nothing did. */
  readonly changed: readonly string[];
}

export interface ParticipantRoleChangedEvent extends EventBase<'participant.role_changed'> {
  readonly membership: ConversationParticipant;
  readonly previousRole: string;
}

/** The vocabulary of the event log: every fact the core records. */
export type DomainEvent =
  | ConversationCreatedEvent
  | MessageSentEvent
  | ConversationReadEvent
  | ConversationDeliveredEvent
  | ConversationClosedEvent
  | ConversationReopenedEvent
  | ConversationRenamedEvent
  | ParticipantPreferencesUpdatedEvent
  | MessageDeletedEvent
  | ParticipantAddedEvent
  | ParticipantRemovedEvent
  | ParticipantRoleChangedEvent
  | ConversationMonitoredEvent
  | ParticipantBlockedEvent
  | ParticipantUnblockedEvent
  | ConversationArchivedEvent
  | ConversationUnarchivedEvent
  | MessageUpdatedEvent
  | MessageFlaggedEvent
  | MessageHeldEvent
  | MessageApprovedEvent
  | MessageRejectedEvent
  | NotificationPreferencesUpdatedEvent
  | ParticipantExportedEvent
  | ParticipantErasedEvent;

export type DomainEventType = DomainEvent['type'];

/** A participant as it appears in a payload. */
export interface ParticipantJson {
  readonly type: string;
  readonly id: string;
}

/**
 * The stored JSON payload of each event type: snake_case, timestamps as ISO 8601 strings (UTC,
 * milliseconds). These shapes are a contract with every subscriber and every event still in the
 * log: add fields, never rename or remove one.
 */
export interface EventPayloads {
  'conversation.created': {
    readonly conversation_type: string;
    readonly subject: string;
    readonly participants: readonly ParticipantJson[];
  };
  'message.sent': {
    readonly message_id: string;
    readonly seq: number;
    readonly sender: ParticipantJson;
    readonly created_at: string;
    readonly attachment_count: number;
    /**
     * Only in events written before 2026-12-07: the active members but the sender at the send.
     * Newer events leave it out (building it was a third of the event's cost on the send path);
     * subscribers read the members instead, and a member counts as a recipient when they joined
     * before the message and see it (`recipientsOf`).
     */
    readonly recipients?: readonly ParticipantJson[];
  };
  'conversation.read': {
    readonly read_at: string;
    readonly last_read_seq: number;
    readonly unread_count: number;
  };
  'conversation.delivered': {
    readonly last_delivered_seq: number;
    readonly delivered_at: string;
  };
  'conversation.closed': { readonly message_count: number };
  'conversation.reopened': { readonly message_count: number };
  'conversation.renamed': { readonly subject: string; readonly previous_subject: string };
  'participant.preferences_updated': {
    readonly participant: ParticipantJson;
    readonly email_notifications: boolean;
    readonly muted: boolean;
  };
  'message.deleted': { readonly message_id: string; readonly scope: 'everyone' | 'self' };
  'conversation.monitored': { readonly message_count: number };
  'participant.blocked': { readonly blocked: ParticipantJson };
  'participant.unblocked': { readonly blocked: ParticipantJson };
  'participant.added': {
    readonly participant: ParticipantJson;
    readonly role: string;
    readonly joined_at: string;
    /** The first `seq` the new member sees (1 when the history is visible to them). */
    readonly visible_from_seq: number;
  };
  'participant.removed': {
    readonly participant: ParticipantJson;
    readonly reason: 'removed' | 'left';
    readonly left_at: string | null;
  };
  'participant.role_changed': {
    readonly participant: ParticipantJson;
    readonly role: string;
    readonly previous_role: string;
  };
  'conversation.archived': { readonly participant: ParticipantJson; readonly archived_at: string };
  'conversation.unarchived': { readonly participant: ParticipantJson };
  /** No content: subscribers read the message (as `message.sent`'s do). */
  'message.updated': {
    readonly message_id: string;
    readonly seq: number;
    readonly revision: number;
    readonly previous_revision: number;
    readonly edited_at: string;
    readonly editor: ParticipantJson;
  };
  /** `message.sent`'s payload and the moderator's reason (no content). */
  'message.flagged': EventPayloads['message.sent'] & { readonly reason: string };
  /** Written instead of `message.sent`: the same payload and the moderator's reason. */
  'message.held': EventPayloads['message.sent'] & { readonly reason: string };
  /**
   * `message.sent`'s payload (so an approved held message is delivered as if just sent), the
   * state it left and the reviewer (the event's actor).
   */
  'message.approved': EventPayloads['message.sent'] & { readonly previous_state: 'flagged' | 'held' };
  'message.rejected': EventPayloads['message.sent'] & {
    readonly previous_state: 'flagged' | 'held';
    readonly reason: string | null;
  };
  'notification_preferences.updated': {
    readonly participant: ParticipantJson;
    readonly email_frequency: string;
    readonly time_zone: string;
    readonly digest_hour: number;
    readonly digest_weekday: number;
    readonly changed: readonly string[];
  };
  'participant.exported': { readonly participant: ParticipantJson; readonly sections: readonly string[] };
  /** Counts only: an erasure's event never holds the erased data. */
  'participant.erased': {
    readonly participant: ParticipantJson;
    readonly messages: number;
    readonly revisions: number;
    readonly attachments: number;
    readonly email_logs: number;
    readonly directory_entry: boolean;
  };
}

/**
 * Every event type the log may hold, as data (webhook endpoints validate their filters against
 * it). Typed as a record over `EventPayloads`, so adding a payload without listing it here, or
 * listing a type without a payload, does not compile.
 */
const EVENT_TYPE_SET: { readonly [TType in keyof EventPayloads]: true } = {
  'conversation.created': true,
  'message.sent': true,
  'conversation.read': true,
  'conversation.delivered': true,
  'conversation.closed': true,
  'conversation.reopened': true,
  'conversation.renamed': true,
  'participant.preferences_updated': true,
  'message.deleted': true,
  'conversation.monitored': true,
  'participant.blocked': true,
  'participant.unblocked': true,
  'participant.added': true,
  'participant.removed': true,
  'participant.role_changed': true,
  'conversation.archived': true,
  'conversation.unarchived': true,
  'message.updated': true,
  'participant.exported': true,
  'participant.erased': true,
  'message.flagged': true,
  'message.held': true,
  'message.approved': true,
  'message.rejected': true,
  'notification_preferences.updated': true,
};

/** The known event types, in declaration order. */
export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = Object.keys(
  EVENT_TYPE_SET,
) as DomainEventType[];

/** What the event log stores for one conversation event, before it has an id. */
export type EventRecord<TType extends DomainEventType = DomainEventType> = EventRecordOf<
  EventPayloads,
  TType
>;

/** A conversation event as subscribers read it from the log. */
export type LoggedEvent = LoggedEventOf<EventPayloads>;

const ref = (p: ParticipantRef): ParticipantJson => ({ type: p.type, id: p.id });

/** The payload stored for a `message.sent` event (also what the SQL append builds). */
export function messageSentPayload(
  message: Pick<Message, 'id' | 'seq' | 'sender' | 'createdAt' | 'attachments'>,
): EventPayloads['message.sent'] {
  return {
    message_id: message.id,
    seq: message.seq,
    sender: ref(message.sender),
    created_at: message.createdAt.toISOString(),
    attachment_count: message.attachments.length,
  };
}

/**
 * Who a `message.sent` reaches among the conversation's active members: not the sender; a member
 * who joined at or before the message and sees it (`visibleFromSeq` ≤ its `seq`). Events written
 * before 2026-12-07 also name their recipients; then only those still members count.
 */
export function recipientsOf(
  payload: EventPayloads['message.sent'],
  members: readonly ConversationParticipant[],
): ConversationParticipant[] {
  const sender = participantKey(payload.sender);
  const named = payload.recipients === undefined ? null : new Set(payload.recipients.map(participantKey));
  const sentAt = Date.parse(payload.created_at);
  return members.filter((member) => {
    const key = participantKey(member.participant);
    if (key === sender) return false;
    if (named !== null) return named.has(key);
    return member.joinedAt.getTime() <= sentAt && member.visibleFromSeq <= payload.seq;
  });
}

/**
 * The stored form of a domain event: its envelope and its stable JSON payload.
 *
 * @example
 * ```ts
 * toEventRecord({ type: 'message.deleted', occurredAt, actor, tenantId: 's1', conversationId, messageId });
 * // { type: 'message.deleted', tenantId: 's1', conversationId, actor, occurredAt, payload: { message_id } }
 * ```
 */
export function toEventRecord(event: DomainEvent): EventRecord {
  const envelope = {
    tenantId: event.tenantId,
    conversationId: event.conversationId,
    actor: ref(event.actor),
    occurredAt: event.occurredAt,
    ...(event.origin === undefined ? {} : { origin: event.origin }),
  };
  switch (event.type) {
    case 'conversation.created':
      return {
        ...envelope,
        type: event.type,
        payload: {
          conversation_type: event.conversation.conversationType,
          subject: event.conversation.subject,
          participants: event.participants.map(ref),
        },
      };
    case 'message.sent':
      return { ...envelope, type: event.type, payload: messageSentPayload(event.message) };
    case 'conversation.read':
      return {
        ...envelope,
        type: event.type,
        payload: {
          read_at: event.readAt.toISOString(),
          last_read_seq: event.lastReadSeq,
          unread_count: event.unreadCount,
        },
      };
    case 'conversation.delivered':
      return {
        ...envelope,
        type: event.type,
        payload: {
          last_delivered_seq: event.lastDeliveredSeq,
          delivered_at: event.deliveredAt.toISOString(),
        },
      };
    case 'conversation.closed':
    case 'conversation.reopened':
      return { ...envelope, type: event.type, payload: { message_count: event.conversation.messageCount } };
    case 'conversation.renamed':
      return {
        ...envelope,
        type: event.type,
        payload: { subject: event.conversation.subject, previous_subject: event.previousSubject },
      };
    case 'participant.preferences_updated':
      return {
        ...envelope,
        type: event.type,
        payload: {
          participant: ref(event.membership.participant),
          email_notifications: event.membership.emailNotifications,
          muted: event.membership.muted,
        },
      };
    case 'message.deleted':
      return {
        ...envelope,
        type: event.type,
        payload: { message_id: event.messageId, scope: event.scope ?? 'everyone' },
      };
    case 'conversation.monitored':
      return { ...envelope, type: event.type, payload: { message_count: event.messageCount } };
    case 'participant.blocked':
    case 'participant.unblocked':
      return { ...envelope, type: event.type, payload: { blocked: ref(event.blocked) } };
    case 'participant.added':
      return {
        ...envelope,
        type: event.type,
        payload: {
          participant: ref(event.membership.participant),
          role: event.membership.role,
          joined_at: event.membership.joinedAt.toISOString(),
          visible_from_seq: event.membership.visibleFromSeq,
        },
      };
    case 'participant.removed':
      return {
        ...envelope,
        type: event.type,
        payload: {
          participant: ref(event.membership.participant),
          reason: event.reason,
          left_at: event.membership.leftAt?.toISOString() ?? null,
        },
      };
    case 'participant.role_changed':
      return {
        ...envelope,
        type: event.type,
        payload: {
          participant: ref(event.membership.participant),
          role: event.membership.role,
          previous_role: event.previousRole,
        },
      };
    case 'conversation.archived':
      return {
        ...envelope,
        type: event.type,
        payload: { participant: ref(event.actor), archived_at: event.archivedAt.toISOString() },
      };
    case 'conversation.unarchived':
      return { ...envelope, type: event.type, payload: { participant: ref(event.actor) } };
    case 'message.updated':
      return {
        ...envelope,
        type: event.type,
        payload: {
          message_id: event.message.id,
          seq: event.message.seq,
          revision: event.message.revision ?? 1,
          previous_revision: event.previousRevision,
          edited_at: (event.message.editedAt ?? event.occurredAt).toISOString(),
          editor: ref(event.actor),
        },
      };
    case 'message.flagged':
    case 'message.held':
      return {
        ...envelope,
        type: event.type,
        payload: { ...messageSentPayload(event.message), reason: event.reason },
      };
    case 'message.approved':
      return {
        ...envelope,
        type: event.type,
        payload: { ...messageSentPayload(event.message), previous_state: event.previousState },
      };
    case 'message.rejected':
      return {
        ...envelope,
        type: event.type,
        payload: {
          ...messageSentPayload(event.message),
          previous_state: event.previousState,
          reason: event.reason,
        },
      };
    case 'notification_preferences.updated':
      return {
        ...envelope,
        type: event.type,
        payload: {
          participant: ref(event.participant),
          email_frequency: event.emailFrequency,
          time_zone: event.timeZone,
          digest_hour: event.digestHour,
          digest_weekday: event.digestWeekday,
          changed: [...event.changed],
        },
      };
    case 'participant.exported':
      return {
        ...envelope,
        type: event.type,
        payload: { participant: ref(event.person), sections: [...event.sections] },
      };
    case 'participant.erased':
      return {
        ...envelope,
        type: event.type,
        payload: {
          participant: ref(event.person),
          messages: event.counts.messages,
          revisions: event.counts.revisions,
          attachments: event.counts.attachments,
          email_logs: event.counts.emailLogs,
          directory_entry: event.counts.directoryEntry,
        },
      };
  }
}
