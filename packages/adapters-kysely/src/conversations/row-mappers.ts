import type {
  Conversation,
  ConversationParticipant,
  Message,
  MessageAttachment,
  MessageRevision,
  ModerationState,
  ParticipantRef,
} from '@parley/messaging-core';
import type { Selectable } from 'kysely';
import type {
  ConversationParticipantsTable,
  ConversationsTable,
  MessageAttachmentsTable,
  MessageRevisionsTable,
  MessagesTable,
} from '../database-types.js';

export type ConversationRow = Selectable<ConversationsTable>;
export type ParticipantRow = Selectable<ConversationParticipantsTable>;
/** A message as the mappers read it: every column but the search index's (0021), never loaded. */
export type MessageRow = Omit<
  Selectable<MessagesTable>,
  'search_vector' | 'search_config' | 'conversation_store_id'
>;
export type AttachmentRow = Selectable<MessageAttachmentsTable>;

/** `count(*)`, `sum(...)` and `bigint` columns: a string from `pg`, a number or bigint from PGlite. */
export function toNumber(value: string | number | bigint | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function ref(type: string | null, id: string | null): ParticipantRef | null {
  return type === null || id === null ? null : { type, id };
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    conversationType: row.conversation_type,
    subject: row.subject,
    tenantId: row.store_id,
    isClosed: row.is_closed,
    closedAt: row.closed_at,
    closedBy: ref(row.closed_by_type, row.closed_by_id),
    lastMessageAt: row.last_message_at,
    messageCount: toNumber(row.message_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toParticipant(row: ParticipantRow): ConversationParticipant {
  return {
    conversationId: row.conversation_id,
    participant: { type: row.participant_type, id: row.participant_id },
    tenantId: row.store_id,
    unreadCount: toNumber(row.unread_count),
    lastReadSeq: toNumber(row.last_read_seq),
    lastReadAt: row.last_read_at,
    lastDeliveredSeq: toNumber(row.last_delivered_seq),
    lastDeliveredAt: row.last_delivered_at,
    emailNotifications: row.email_notifications,
    muted: row.muted,
    lastActivityAt: row.last_activity_at,
    joinedAt: row.joined_at,
    role: row.role,
    leftAt: row.left_at,
    visibleFromSeq: toNumber(row.visible_from_seq),
    archivedAt: row.archived_at,
  };
}

export function toAttachment(row: AttachmentRow): MessageAttachment {
  return {
    id: row.id,
    messageId: row.message_id,
    filename: row.filename,
    originalFilename: row.original_filename,
    filePath: row.file_path,
    fileSize: toNumber(row.file_size),
    mimeType: row.mime_type,
    isImage: row.is_image,
    imageWidth: row.image_width,
    imageHeight: row.image_height,
    thumbnailPath: row.thumbnail_path,
    createdAt: row.created_at,
  };
}

export function toMessage(row: MessageRow, attachments: readonly MessageAttachment[]): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: toNumber(row.seq),
    sender: { type: row.sender_type, id: row.sender_id },
    content: row.content,
    isSystemMessage: row.is_system_message,
    isDeleted: row.is_deleted,
    deletedAt: row.deleted_at,
    deletedBy: ref(row.deleted_by_type, row.deleted_by_id),
    createdAt: row.created_at,
    attachments,
    subject: row.subject,
    editedAt: row.edited_at,
    revision: toNumber(row.revision),
    moderation:
      row.moderation_state === null || row.moderation_state === undefined
        ? null
        : {
            state: row.moderation_state as ModerationState,
            reason: row.moderation_reason ?? null,
            reviewedBy: ref(row.moderated_by_type ?? null, row.moderated_by_id ?? null),
            reviewedAt: row.moderated_at ?? null,
          },
  };
}

export function toMessageRevision(row: Selectable<MessageRevisionsTable>): MessageRevision {
  return {
    messageId: row.message_id,
    revision: toNumber(row.revision),
    content: row.content,
    editor: { type: row.editor_type, id: row.editor_id },
    createdAt: row.created_at,
  };
}
