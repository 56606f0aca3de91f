import type {
  LiveDelivery,
  LiveReadState,
  LiveView,
  ParticipantView,
  PolicyDefinition,
} from '@parley/messaging-core';
import type { Static } from 'typebox';
import type { ParticipantWire } from '../schemas/messaging.js';
import type { LiveFrameWire, LiveReadStateWire } from '../schemas/realtime.js';
import { toMemberWire, toMessageWire, toSummaryWire } from '../serializers.js';

/** A durable frame as it goes on the wire (JSON; SSE: `id:` is `id`). */
export type LiveFrame = Static<typeof LiveFrameWire>;

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** The generic conversation routes: where people of types without an audience facade read. */
export const GENERIC_CONVERSATIONS_BASE = '/api/v1/conversations';

/**
 * The path under which a participant type's own conversation routes live, for the download URLs
 * in its frames: the audience facade (`/api/v1/{audience}/messages`) of the types that declare an
 * `audience` (the marketplace: admin, store, storefront), else the generic
 * `/api/v1/conversations` (care-team, community). The same URLs the person's HTTP answers carry.
 *
 * @example
 * ```ts
 * attachmentBaseFor(marketplaceDefinition, 'customer'); // '/api/v1/storefront/messages'
 * attachmentBaseFor(communityDefinition, 'student'); // '/api/v1/conversations'
 * ```
 */
export function attachmentBaseFor(definition: PolicyDefinition, participantType: string): string {
  const audience = definition.participantTypes.find((t) => t.type === participantType)?.audience;
  return audience === undefined ? GENERIC_CONVERSATIONS_BASE : `/api/v1/${audience}/messages`;
}

function participantWire(p: ParticipantView): Static<typeof ParticipantWire> {
  return { type: p.ref.type, id: p.ref.id, name: p.name };
}

function readStateWire(state: LiveReadState | null): Static<typeof LiveReadStateWire> {
  return state === null
    ? null
    : {
        unread_count: state.unreadCount,
        last_read_seq: state.lastReadSeq,
        last_read_at: isoOrNull(state.lastReadAt),
      };
}

/** The frame's `data` for one view (see `LiveFrameData` in `schemas/realtime.ts`). */
function dataOf(view: LiveView, base: string): unknown {
  switch (view.kind) {
    case 'conversation.created':
      return { conversation: toSummaryWire(view.summary) };
    case 'message.sent': {
      const last = view.conversation.lastMessage;
      return {
        message: toMessageWire(view.message, base),
        conversation: {
          message_count: view.conversation.messageCount,
          last_message_at: iso(view.conversation.lastMessageAt),
          last_message: {
            seq: last.seq,
            content: last.content,
            sender_type: last.sender.type,
            sender_id: last.sender.id,
            created_at: iso(last.createdAt),
          },
        },
        read_state: readStateWire(view.readState),
      };
    }
    case 'message.deleted':
      return {
        message_id: view.messageId,
        scope: view.scope,
        message: view.message === null ? null : toMessageWire(view.message, base),
        read_state: readStateWire(view.readState),
      };
    case 'conversation.read':
      return {
        participant: participantWire(view.reader),
        last_read_seq: view.lastReadSeq,
        read_at: iso(view.readAt),
        read_state: readStateWire(view.readState),
      };
    case 'conversation.closed':
    case 'conversation.reopened':
      return {
        is_closed: view.isClosed,
        closed_at: isoOrNull(view.closedAt),
        closed_by: view.closedBy === null ? null : participantWire(view.closedBy),
        message_count: view.messageCount,
      };
    case 'conversation.renamed':
      return { subject: view.subject, previous_subject: view.previousSubject };
    case 'participant.added':
      return {
        participant: toMemberWire(view.member),
        conversation: view.summary === null ? null : toSummaryWire(view.summary),
      };
    case 'participant.removed':
      return {
        participant: participantWire(view.participant),
        reason: view.reason,
        left_at: isoOrNull(view.leftAt),
      };
    case 'participant.role_changed':
      return { participant: toMemberWire(view.member), previous_role: view.previousRole };
    case 'participant.preferences_updated':
      return { email_notifications: view.emailNotifications, muted: view.muted };
    case 'participant.blocked':
    case 'participant.unblocked':
      return { blocked: participantWire(view.blocked) };
    case 'conversation.delivered':
      return {
        participant: participantWire(view.participant),
        last_delivered_seq: view.lastDeliveredSeq,
        delivered_at: iso(view.deliveredAt),
      };
    case 'conversation.archived':
    case 'conversation.unarchived':
      return { archived: view.archived, archived_at: isoOrNull(view.archivedAt) };
    case 'message.updated':
      return {
        message: toMessageWire(view.message, base),
        revision: view.revision,
        previous_revision: view.previousRevision,
        edited_at: iso(view.editedAt),
      };
    case 'generic':
      return view.payload;
  }
}

/**
 * One delivery of the live feed as the frame its viewer receives: `{ id, type, conversation_id,
 * occurred_at, data }` in the API's wire style (snake_case, ISO 8601 dates, the serializers of the
 * HTTP answers), `data` shaped for the viewer (`LiveView`). `base` is where the viewer's own
 * conversation routes live (`attachmentBaseFor`), so attachment URLs are the ones their HTTP
 * answers carry. Pure: no reads.
 *
 * @example
 * ```ts
 * const base = attachmentBaseFor(core.policy.definition, viewer.type);
 * for (const delivery of batch.deliveries) socket.send(JSON.stringify(toLiveFrame(delivery, base)));
 * // {"id":"42","type":"message.sent","conversation_id":"…","occurred_at":"…","data":{"message":{…},…}}
 * ```
 */
export function toLiveFrame(delivery: LiveDelivery, base: string): LiveFrame {
  const { event, view } = delivery;
  return {
    id: event.id,
    // An approved held message reaches its recipients as the send they never had (moderation).
    type: view.kind === 'message.sent' ? 'message.sent' : event.type,
    conversation_id: event.conversationId,
    occurred_at: iso(event.occurredAt),
    data: dataOf(view, base),
  } as LiveFrame;
}
