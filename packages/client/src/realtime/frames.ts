// The frames of the real-time protocol (docs/realtime.md), as the server sends and receives them.
import type { ConversationSummary, Message, Participant } from '../types.js';

/** Someone as frames name them: type, id and display name. */
export interface FrameParticipant {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

/** The receiving person's own read state; null when they see the conversation without being a member. */
export type LiveReadState = {
  readonly unread_count: number;
  readonly last_read_seq: number;
  readonly last_read_at: string | null;
} | null;

/** The fields every durable frame has: the event log's `id` (resume after it), type, when, data. */
export interface DurableFrameOf<TType extends string, TData> {
  /** The event id, a decimal string: resume after it with `since` / `Last-Event-ID`. */
  readonly id: string;
  readonly type: TType;
  readonly conversation_id: string | null;
  readonly occurred_at: string;
  readonly data: TData;
}

/** A conversation the person takes part in (or handles) was created: its inbox line. */
export type ConversationCreatedFrame = DurableFrameOf<
  'conversation.created',
  { readonly conversation: ConversationSummary }
>;
/** A message as the API returns it to this person, the inbox line's changes and their own read state. */
export type MessageSentFrame = DurableFrameOf<
  'message.sent',
  {
    readonly message: Message;
    /** The inbox line's changes. */
    readonly conversation: {
      readonly message_count: number;
      readonly last_message_at: string;
      readonly last_message: NonNullable<ConversationSummary['last_message']>;
    };
    readonly read_state: LiveReadState;
  }
>;
/** A message was deleted for everyone, or hidden by this person (`scope: self`). */
export type MessageDeletedFrame = DurableFrameOf<
  'message.deleted',
  {
    readonly message_id: string;
    /** `self`: hidden for the receiving person only. */
    readonly scope: 'everyone' | 'self';
    readonly message: Message | null;
    readonly read_state: LiveReadState;
  }
>;
/** A member read up to `last_read_seq`. */
export type ConversationReadFrame = DurableFrameOf<
  'conversation.read',
  {
    readonly participant: FrameParticipant;
    readonly last_read_seq: number;
    readonly read_at: string;
    /** Set only in the frames of the reader's own connections. */
    readonly read_state?: LiveReadState;
  }
>;
/** A member's client acknowledged messages up to `last_delivered_seq` (delivery receipt). */
export type ConversationDeliveredFrame = DurableFrameOf<
  'conversation.delivered',
  {
    readonly participant: FrameParticipant;
    readonly last_delivered_seq: number;
    readonly delivered_at: string;
  }
>;
/** What `conversation.closed` and `conversation.reopened` carry. */
export interface ClosedStateData {
  readonly is_closed: boolean;
  readonly closed_at: string | null;
  readonly closed_by: FrameParticipant | null;
  readonly message_count: number;
}
/** The conversation was closed. */
export type ConversationClosedFrame = DurableFrameOf<'conversation.closed', ClosedStateData>;
/** The conversation was reopened. */
export type ConversationReopenedFrame = DurableFrameOf<'conversation.reopened', ClosedStateData>;
/** The subject changed. */
export type ConversationRenamedFrame = DurableFrameOf<
  'conversation.renamed',
  { readonly subject: string; readonly previous_subject: string }
>;
/** Someone joined; the person added also gets their inbox line in `conversation`. */
export type ParticipantAddedFrame = DurableFrameOf<
  'participant.added',
  { readonly participant: Participant; readonly conversation: ConversationSummary | null }
>;
/** Someone left or was removed (the last frame of that conversation they receive). */
export type ParticipantRemovedFrame = DurableFrameOf<
  'participant.removed',
  {
    readonly participant: FrameParticipant;
    readonly reason: 'removed' | 'left';
    readonly left_at: string | null;
  }
>;
/** A member's role changed. */
export type ParticipantRoleChangedFrame = DurableFrameOf<
  'participant.role_changed',
  { readonly participant: Participant; readonly previous_role: string }
>;
/** This person's own preferences changed (from another of their connections). */
export type ParticipantPreferencesUpdatedFrame = DurableFrameOf<
  'participant.preferences_updated',
  { readonly email_notifications: boolean; readonly muted: boolean }
>;
/** This person blocked someone (care-team). */
export type ParticipantBlockedFrame = DurableFrameOf<
  'participant.blocked',
  { readonly blocked: FrameParticipant }
>;
/** This person lifted a block (care-team). */
export type ParticipantUnblockedFrame = DurableFrameOf<
  'participant.unblocked',
  { readonly blocked: FrameParticipant }
>;

/** Every durable frame type this client knows; narrow on `type`. */
export type DurableFrame =
  | ConversationCreatedFrame
  | MessageSentFrame
  | MessageDeletedFrame
  | ConversationReadFrame
  | ConversationDeliveredFrame
  | ConversationClosedFrame
  | ConversationReopenedFrame
  | ConversationRenamedFrame
  | ParticipantAddedFrame
  | ParticipantRemovedFrame
  | ParticipantRoleChangedFrame
  | ParticipantPreferencesUpdatedFrame
  | ParticipantBlockedFrame
  | ParticipantUnblockedFrame;

/** The durable types above, for telling a known frame from one a later server version added. */
export const DURABLE_FRAME_TYPES: ReadonlySet<string> = new Set<DurableFrame['type']>([
  'conversation.created',
  'message.sent',
  'message.deleted',
  'conversation.read',
  'conversation.delivered',
  'conversation.closed',
  'conversation.reopened',
  'conversation.renamed',
  'participant.added',
  'participant.removed',
  'participant.role_changed',
  'participant.preferences_updated',
  'participant.blocked',
  'participant.unblocked',
]);

/** A durable frame of a type this client does not know (added by a later server): its payload as `data`. */
export type UnknownDurableFrame = DurableFrameOf<string, unknown>;

/** Someone typing in a conversation (ephemeral: never replayed). */
export interface TypingFrame {
  readonly type: 'typing';
  readonly conversation_id: string;
  readonly participant: { readonly type: string; readonly id: string };
  readonly state: 'start' | 'stop';
}

/** Someone's presence changed (ephemeral). */
export interface PresenceFrame {
  readonly type: 'presence';
  readonly participant: { readonly type: string; readonly id: string };
  readonly status: 'online' | 'away' | 'offline';
  /** Absent where the preset coarsens presence (care-team clinicians). */
  readonly last_active_at?: string | null;
}

/** The answer to a `ping`. */
export interface PongFrame {
  readonly type: 'pong';
}

/** A client frame was refused; the connection stays open. */
export interface ErrorFrame {
  readonly type: 'error';
  /** `invalid_json`, `invalid_frame`, `unknown_type`, `unknown_event`, `internal`, `rate_limited`, `not_allowed`, `conversation_closed`. */
  readonly code: string;
  readonly message: string;
}

/** The `since` is no longer in the log (or too far back): refetch the inbox and the open conversation. */
export interface ResyncRequiredFrame {
  readonly type: 'resync_required';
}

/** SSE only: the stream ends, with the WebSocket close code it stands for. */
export interface CloseFrame {
  readonly type: 'close';
  readonly code: number;
  readonly reason: string;
}

/** Every frame the server sends. */
export type ServerFrame =
  | DurableFrame
  | UnknownDurableFrame
  | TypingFrame
  | PresenceFrame
  | PongFrame
  | ErrorFrame
  | ResyncRequiredFrame
  | CloseFrame;

/** Every frame a client sends (over the WebSocket, or `POST /api/v1/realtime/frames`). */
export type ClientFrame =
  | { readonly type: 'typing'; readonly conversation_id: string; readonly state: 'start' | 'stop' }
  | { readonly type: 'presence'; readonly status: 'online' | 'away' }
  | { readonly type: 'ack'; readonly event_id: string }
  | { readonly type: 'ping' };

/** Whether `frame` is durable: it has an event id (and so a place in the log to resume from). */
export function isDurable(frame: { readonly id?: unknown }): frame is DurableFrame | UnknownDurableFrame {
  return typeof frame.id === 'string';
}

/** Whether a durable frame is one of the types this client knows (else it comes as `UnknownDurableFrame`). */
export function isKnownDurable(frame: DurableFrame | UnknownDurableFrame): frame is DurableFrame {
  return DURABLE_FRAME_TYPES.has(frame.type);
}
