import { type TSchema, Type } from 'typebox';
import { DateTime, Id, Nullable } from './common.js';
import {
  ConversationSummaryWire,
  LastMessageWire,
  MemberWire,
  MessageWire,
  ParticipantWire,
} from './messaging.js';

// The durable frames of the real-time protocol (issue 12, docs/realtime.md): one per logged event
// a connected person may see, shaped for them (`toLiveFrame`). Named here for the documentation
// and the transports; ephemeral frames (typing, presence) are the transport's.

const Count = Type.Integer({ minimum: 0 });
const ReadSeq = Type.Integer({
  minimum: 0,
  description: 'Read up to this message seq (0: nothing read yet).',
});

/**
 * The receiving person's own read state in the conversation, as it is now; null when they see the
 * conversation without being a member (a monitoring admin, a support team member who has not joined).
 */
export const LiveReadStateWire = Nullable(
  Type.Object({ unread_count: Count, last_read_seq: ReadSeq, last_read_at: Nullable(DateTime) }),
);

/** One frame's `data`, per event type. */
export const LiveFrameData = {
  'conversation.created': Type.Object({ conversation: ConversationSummaryWire }),
  'message.sent': Type.Object({
    message: MessageWire,
    conversation: Type.Object({
      message_count: Count,
      last_message_at: DateTime,
      last_message: LastMessageWire,
    }),
    read_state: LiveReadStateWire,
  }),
  'message.deleted': Type.Object({
    message_id: Id,
    scope: Type.Union([Type.Literal('everyone'), Type.Literal('self')], {
      description: '`self`: hidden for the receiving person only (their own per-side delete).',
    }),
    message: Nullable(MessageWire),
    read_state: LiveReadStateWire,
  }),
  'conversation.read': Type.Object({
    participant: ParticipantWire,
    last_read_seq: ReadSeq,
    read_at: DateTime,
    /** Set only in the frames of the reader's own connections. */
    read_state: LiveReadStateWire,
  }),
  'conversation.delivered': Type.Object({
    participant: ParticipantWire,
    last_delivered_seq: ReadSeq,
    delivered_at: DateTime,
  }),
  'conversation.closed': Type.Object({
    is_closed: Type.Boolean(),
    closed_at: Nullable(DateTime),
    closed_by: Nullable(ParticipantWire),
    message_count: Count,
  }),
  'conversation.renamed': Type.Object({ subject: Type.String(), previous_subject: Type.String() }),
  'participant.added': Type.Object({
    participant: MemberWire,
    conversation: Nullable(ConversationSummaryWire),
  }),
  'participant.removed': Type.Object({
    participant: ParticipantWire,
    reason: Type.Union([Type.Literal('removed'), Type.Literal('left')]),
    left_at: Nullable(DateTime),
  }),
  'participant.role_changed': Type.Object({ participant: MemberWire, previous_role: Type.String() }),
  'participant.preferences_updated': Type.Object({
    email_notifications: Type.Boolean(),
    muted: Type.Boolean(),
  }),
  'participant.blocked': Type.Object({ blocked: ParticipantWire }),
  'conversation.archived': Type.Object({ archived: Type.Boolean(), archived_at: Nullable(DateTime) }),
  'message.updated': Type.Object({
    message: MessageWire,
    revision: Type.Integer({ minimum: 1, description: 'The revision this edit made.' }),
    previous_revision: Type.Integer({ minimum: 1 }),
    edited_at: DateTime,
  }),
} as const;

function frame<TType extends string, TData extends TSchema>(type: TType, data: TData, description: string) {
  return Type.Object(
    {
      id: Type.String({ description: 'The event id: resume after it with `?since=` / `Last-Event-ID`.' }),
      type: Type.Literal(type),
      conversation_id: Nullable(Id),
      occurred_at: DateTime,
      data,
    },
    { description },
  );
}

/** Every durable frame; a type this version does not list carries its stored payload as `data`. */
export const LiveFrameWire = Type.Union([
  frame(
    'conversation.created',
    LiveFrameData['conversation.created'],
    'A conversation the person takes part in or handles was created: its inbox line.',
  ),
  frame(
    'message.sent',
    LiveFrameData['message.sent'],
    'A message as the API returns it to this person, the inbox line’s changes and their own read state.',
  ),
  frame(
    'message.deleted',
    LiveFrameData['message.deleted'],
    'A message was deleted for everyone, or hidden by this person (per-side).',
  ),
  frame('conversation.read', LiveFrameData['conversation.read'], 'A member read up to a message.'),
  frame(
    'conversation.delivered',
    LiveFrameData['conversation.delivered'],
    'A member’s client acknowledged messages up to `last_delivered_seq` (delivery receipt).',
  ),
  frame('conversation.closed', LiveFrameData['conversation.closed'], 'The conversation was closed.'),
  frame('conversation.reopened', LiveFrameData['conversation.closed'], 'The conversation was reopened.'),
  frame('conversation.renamed', LiveFrameData['conversation.renamed'], 'The subject changed.'),
  frame(
    'participant.added',
    LiveFrameData['participant.added'],
    'Someone joined; the person added also gets their inbox line.',
  ),
  frame(
    'participant.removed',
    LiveFrameData['participant.removed'],
    'Someone left or was removed (the last frame of that conversation they receive).',
  ),
  frame('participant.role_changed', LiveFrameData['participant.role_changed'], 'A member’s role changed.'),
  frame(
    'participant.preferences_updated',
    LiveFrameData['participant.preferences_updated'],
    'This person’s own preferences changed (another of their connections).',
  ),
  frame('participant.blocked', LiveFrameData['participant.blocked'], 'This person blocked someone.'),
  frame('participant.unblocked', LiveFrameData['participant.blocked'], 'This person lifted a block.'),
  frame(
    'conversation.archived',
    LiveFrameData['conversation.archived'],
    'This person archived the conversation (another of their connections).',
  ),
  frame(
    'conversation.unarchived',
    LiveFrameData['conversation.archived'],
    'This person brought the conversation back to their list (another of their connections).',
  ),
  frame(
    'message.updated',
    LiveFrameData['message.updated'],
    'A message was edited: the message as the API now returns it to this person.',
  ),
  Type.Object(
    {
      id: Type.String(),
      type: Type.String(),
      conversation_id: Nullable(Id),
      occurred_at: DateTime,
      data: Type.Unknown(),
    },
    {
      description: 'An event type added later (e.g. `conversation.delivered`): its stored payload as `data`.',
    },
  ),
]);

/** `POST /api/v1/realtime/ticket`: a single-use ticket for a browser's `?ticket=`. */
export const RealtimeTicketWire = Type.Object({
  ticket: Type.String({ description: 'Opaque; pass it as ?ticket= within 60 s, once.' }),
  expires_at: DateTime,
});

/** A participant named by type and id only (presence answers carry no display name). */
export const ParticipantRefWire = Type.Object({ type: Type.String(), id: Type.String() });

/** How present someone is, as the preset shows it. */
export const PresenceStatusWire = Type.Union([
  Type.Literal('online'),
  Type.Literal('away'),
  Type.Literal('offline'),
]);

/** `GET /api/v1/presence`: the people among those asked for whom the caller may see. */
export const PresenceWire = Type.Object({
  presence: Type.Array(
    Type.Object({
      participant: ParticipantRefWire,
      status: PresenceStatusWire,
      last_active_at: Nullable(DateTime),
    }),
  ),
});

/** After a `since` the log no longer holds: refetch, then carry on with the live frames that follow. */
export const ResyncRequiredFrameWire = Type.Object({ type: Type.Literal('resync_required') });
