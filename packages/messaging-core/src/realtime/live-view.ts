import type {
  ConversationSummary,
  LastMessagePreview,
  MemberView,
  MessageView,
  ParticipantView,
} from '../conversations/use-cases/views.js';

/**
 * The viewer's own read state in the conversation as the live feed reads it (the latest, not the
 * one at the event): what their badge and inbox line show now. Null for a viewer who sees the
 * conversation without being a member (a monitoring admin, a support team member who has not
 * joined): they have no read state of their own.
 */
export interface LiveReadState {
  readonly unreadCount: number;
  readonly lastReadSeq: number;
  readonly lastReadAt: Date | null;
}

/** What a new message changes in the conversation's inbox line (as of that message). */
export interface LiveConversationChange {
  /** The message's `seq`: every message up to it exists. */
  readonly messageCount: number;
  readonly lastMessageAt: Date;
  readonly lastMessage: LastMessagePreview;
}

/**
 * What one viewer receives for one durable event (see `LiveFeed`), in core view types, shaped for
 * that viewer: the wire mapping (`toLiveFrame` in the API) turns it into the frame's `data`
 * without further reads. Discriminated by `kind`, which is the event type for the types the core
 * knows and `generic` for the others (types added later, e.g. `conversation.delivered`), whose
 * stored payload is passed on as it is.
 *
 * Where a view says "now" it was read when the event was projected (a replay reads it again):
 * clients applying the events in order end with the current state.
 */
export type LiveView =
  /** The conversation as the viewer's inbox shows it now (members: their own read state). */
  | { readonly kind: 'conversation.created'; readonly summary: ConversationSummary }
  | {
      readonly kind: 'message.sent';
      /** The message as the API returns it to the viewer (now: a message deleted since is shown deleted). */
      readonly message: MessageView;
      readonly conversation: LiveConversationChange;
      readonly readState: LiveReadState | null;
    }
  | {
      readonly kind: 'message.deleted';
      readonly messageId: string;
      /** `self`: hidden for the viewer only (they are the actor); `everyone`: deleted for all. */
      readonly scope: 'everyone' | 'self';
      /** The deleted message as the viewer now sees it (content and files gone); null if it is gone. */
      readonly message: MessageView | null;
      readonly readState: LiveReadState | null;
    }
  | {
      readonly kind: 'conversation.read';
      readonly reader: ParticipantView;
      readonly lastReadSeq: number;
      readonly readAt: Date;
      /** The viewer's own read state when the reader is the viewer (another tab); null otherwise. */
      readonly readState: LiveReadState | null;
    }
  | {
      readonly kind: 'conversation.closed' | 'conversation.reopened';
      readonly isClosed: boolean;
      readonly closedAt: Date | null;
      readonly closedBy: ParticipantView | null;
      readonly messageCount: number;
    }
  | { readonly kind: 'conversation.renamed'; readonly subject: string; readonly previousSubject: string }
  | {
      readonly kind: 'participant.added';
      /** The new member with the role they joined with (read state: now, while still a member). */
      readonly member: MemberView;
      /** For the added person only: the conversation as their inbox now shows it; null for the others. */
      readonly summary: ConversationSummary | null;
    }
  | {
      readonly kind: 'participant.removed';
      readonly participant: ParticipantView;
      readonly reason: 'removed' | 'left';
      readonly leftAt: Date | null;
    }
  | {
      readonly kind: 'participant.role_changed';
      readonly member: MemberView;
      readonly previousRole: string;
    }
  /** For the actor only (their other connections). */
  | {
      readonly kind: 'participant.preferences_updated';
      readonly emailNotifications: boolean;
      readonly muted: boolean;
    }
  /** For the actor only (their other connections). */
  | { readonly kind: 'participant.blocked' | 'participant.unblocked'; readonly blocked: ParticipantView }
  /** For the actor only (their other connections): their own archive of the conversation. */
  | {
      readonly kind: 'conversation.archived' | 'conversation.unarchived';
      readonly archived: boolean;
      readonly archivedAt: Date | null;
    }
  /** A message was edited: the message as the API now returns it (content, `revision`, `editedAt`). */
  | {
      readonly kind: 'message.updated';
      readonly message: MessageView;
      /** The revision the event made (the message may be further along by the time of a replay). */
      readonly revision: number;
      readonly previousRevision: number;
      readonly editedAt: Date;
    }
  /** An event type this version does not shape: its stored payload as it is, for the conversation's members. */
  | {
      readonly kind: 'conversation.delivered';
      readonly participant: ParticipantView;
      readonly lastDeliveredSeq: number;
      readonly deliveredAt: Date;
    }
  | { readonly kind: 'generic'; readonly type: string; readonly payload: unknown };

export type LiveViewKind = LiveView['kind'];
