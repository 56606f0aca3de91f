import type {
  ConversationDetail,
  ConversationList,
  ConversationSummary,
  CustomerRecord,
  DirectoryEntry,
  MemberView,
  MessageAttachment,
  MessageList,
  MessageRevisionList,
  MessageSearchResults,
  MessageView,
  PersonRecord,
  PlatformUserRecord,
  Preferences,
  ReadState,
  ReceiptView,
  StoreRecord,
  StoreTier,
  TenantRecord,
} from '@parley/messaging-core';
import { sanitizeFilename } from '@parley/messaging-core';
import type { Static } from 'typebox';
import type {
  AttachmentWire,
  ConversationDetailWire,
  ConversationListWire,
  ConversationSummaryWire,
  MemberWire,
  MessageListWire,
  MessageRevisionListWire,
  MessageWire,
  PreferencesWire,
  ReadStateWire,
  ReceiptWire,
  RecipientWire,
} from './schemas/messaging.js';
import type { PersonWire, TenantWire } from './schemas/people.js';
import type { CustomerWire, StoreWire, UserWire } from './schemas/platform.js';
import type { MessageSearchPageWire } from './schemas/search.js';

// Core views → wire shapes: snake_case, string ids, ISO 8601 dates. The route schemas then
// serialize exactly these fields.

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/**
 * The wire form of an attachment; `base` is the path the caller's conversation routes live under
 * (`/api/v1/store/messages`, `/api/v1/conversations`), so the URLs are the caller's own download
 * routes.
 */
export function toAttachmentWire(
  attachment: MessageAttachment,
  conversationId: string,
  base: string,
): Static<typeof AttachmentWire> {
  const download = `${base}/${encodeURIComponent(conversationId)}/attachments/${encodeURIComponent(attachment.id)}`;
  return {
    id: attachment.id,
    filename: attachment.filename,
    // Again on the way out: rows stored before names lost their invisible characters keep them.
    original_filename: sanitizeFilename(attachment.originalFilename),
    mime_type: attachment.mimeType,
    file_size: attachment.fileSize,
    is_image: attachment.isImage,
    image_width: attachment.imageWidth,
    image_height: attachment.imageHeight,
    download_url: download,
    thumbnail_url: attachment.thumbnailPath === null ? null : `${download}/thumbnail`,
    created_at: iso(attachment.createdAt),
  };
}

export function toMessageWire(message: MessageView, base: string): Static<typeof MessageWire> {
  return {
    id: message.id,
    conversation_id: message.conversationId,
    seq: message.seq,
    sender_type: message.sender.type,
    sender_id: message.sender.id,
    sender_name: message.senderName,
    content: message.content,
    is_system_message: message.isSystemMessage,
    is_deleted: message.isDeleted,
    created_at: iso(message.createdAt),
    edited_at: isoOrNull(message.editedAt),
    revision: message.revision,
    attachments: message.attachments.map((a) => toAttachmentWire(a, message.conversationId, base)),
    read_by: receiptsWire(message.receipts.readBy),
    delivered_to: receiptsWire(message.receipts.deliveredTo),
    read_count: message.receipts.readCount,
    delivered_count: message.receipts.deliveredCount,
    ...(message.moderation === undefined
      ? {}
      : {
          moderation: {
            state: message.moderation.state,
            ...(message.moderation.reason === null ? {} : { reason: message.moderation.reason }),
          },
        }),
  };
}

function receiptsWire(list: readonly ReceiptView[] | null): Static<typeof ReceiptWire>[] | null {
  return list === null ? null : list.map((r) => ({ type: r.ref.type, id: r.ref.id, at: iso(r.at) }));
}

export function toSummaryWire(summary: ConversationSummary): Static<typeof ConversationSummaryWire> {
  const { conversation, lastMessage } = summary;
  return {
    id: conversation.id,
    conversation_type: conversation.conversationType,
    subject: conversation.subject,
    store_id: conversation.tenantId,
    is_closed: conversation.isClosed,
    closed_at: isoOrNull(conversation.closedAt),
    last_message_at: isoOrNull(conversation.lastMessageAt),
    message_count: conversation.messageCount,
    unread_count: summary.unreadCount,
    last_read_seq: summary.lastReadSeq,
    muted: summary.muted,
    email_notifications: summary.emailNotifications,
    archived: summary.archivedAt !== null,
    archived_at: isoOrNull(summary.archivedAt),
    other_participants: summary.otherParticipants.map((p) => ({
      type: p.ref.type,
      id: p.ref.id,
      name: p.name,
    })),
    last_message:
      lastMessage === null
        ? null
        : {
            seq: lastMessage.seq,
            content: lastMessage.content,
            sender_type: lastMessage.sender.type,
            sender_id: lastMessage.sender.id,
            created_at: iso(lastMessage.createdAt),
          },
    created_at: iso(conversation.createdAt),
  };
}

/** A member as every participant list shows them (detail, membership changes). */
export function toMemberWire(p: MemberView): Static<typeof MemberWire> {
  return {
    type: p.ref.type,
    id: p.ref.id,
    name: p.name,
    unread_count: p.unreadCount,
    last_read_seq: p.lastReadSeq,
    last_read_at: isoOrNull(p.lastReadAt),
    role: p.role,
    joined_at: iso(p.joinedAt),
    left_at: isoOrNull(p.leftAt),
  };
}

export function toDetailWire(
  detail: ConversationDetail,
  base: string,
): Static<typeof ConversationDetailWire> {
  return {
    ...toSummaryWire(detail),
    participants: detail.participants.map(toMemberWire),
    messages: detail.messages.map((m) => toMessageWire(m, base)),
    next_cursor: detail.nextCursor,
  };
}

export function toListWire(list: ConversationList): Static<typeof ConversationListWire> {
  return {
    conversations: list.conversations.map(toSummaryWire),
    total: list.total,
    total_unread: list.totalUnread,
    next_cursor: list.nextCursor,
  };
}

/** History pages go oldest first on the wire, like the detail's `messages` (the core returns newest first). */
export function toMessageListWire(list: MessageList, base: string): Static<typeof MessageListWire> {
  return {
    messages: [...list.messages].reverse().map((m) => toMessageWire(m, base)),
    next_cursor: list.nextCursor,
  };
}

export function toRevisionListWire(list: MessageRevisionList): Static<typeof MessageRevisionListWire> {
  return {
    message_id: list.messageId,
    revisions: list.revisions.map((r) => ({
      revision: r.revision,
      content: r.content,
      editor: { type: r.editor.ref.type, id: r.editor.ref.id, name: r.editor.name },
      created_at: iso(r.createdAt),
      current: r.current,
    })),
  };
}

export function toRecipientWire(entry: DirectoryEntry): Static<typeof RecipientWire> {
  return {
    type: entry.ref.type,
    id: entry.ref.id,
    name: entry.name,
    email: entry.email,
    store_id: entry.storeId,
  };
}

export function toReadStateWire(state: ReadState): Static<typeof ReadStateWire> {
  return {
    conversation_id: state.conversationId,
    unread_count: state.unreadCount,
    last_read_seq: state.lastReadSeq,
    last_read_at: iso(state.lastReadAt),
  };
}

export function toPreferencesWire(preferences: Preferences): Static<typeof PreferencesWire> {
  return { email_notifications: preferences.emailNotifications, muted: preferences.muted };
}

export function toStoreWire(store: StoreRecord): Static<typeof StoreWire> & { tier: StoreTier } {
  return {
    id: store.id,
    name: store.name,
    tier: store.tier,
    ...(store.language === undefined ? {} : { language: store.language }),
    created_at: iso(store.createdAt),
    updated_at: iso(store.updatedAt),
  };
}

export function toUserWire(user: PlatformUserRecord): Static<typeof UserWire> {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    store_id: user.storeId,
    locale: user.locale,
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
  };
}

export function toCustomerWire(customer: CustomerRecord): Static<typeof CustomerWire> {
  return {
    id: customer.id,
    store_id: customer.storeId,
    name: customer.name,
    email: customer.email,
    locale: customer.locale,
    created_at: iso(customer.createdAt),
    updated_at: iso(customer.updatedAt),
  };
}

export function toTenantWire(tenant: TenantRecord): Static<typeof TenantWire> {
  return {
    id: tenant.id,
    name: tenant.name,
    ...(tenant.language === undefined ? {} : { language: tenant.language }),
    created_at: iso(tenant.createdAt),
    updated_at: iso(tenant.updatedAt),
  };
}

export function toPersonWire(person: PersonRecord): Static<typeof PersonWire> {
  return {
    type: person.type,
    id: person.id,
    name: person.name,
    email: person.email,
    locale: person.locale,
    tenant_id: person.tenantId,
    created_at: iso(person.createdAt),
    updated_at: iso(person.updatedAt),
  };
}

/** A page of search results: each message (without receipts or files), its conversation, its snippet. */
export function toSearchPageWire(page: MessageSearchResults): Static<typeof MessageSearchPageWire> {
  return {
    results: page.results.map(({ conversation, message, snippet, rank }) => ({
      conversation: {
        id: conversation.id,
        conversation_type: conversation.conversationType,
        subject: conversation.subject,
        store_id: conversation.tenantId,
        is_closed: conversation.isClosed,
        last_message_at: isoOrNull(conversation.lastMessageAt),
      },
      message: {
        id: message.id,
        conversation_id: message.conversationId,
        seq: message.seq,
        sender_type: message.sender.type,
        sender_id: message.sender.id,
        sender_name: message.senderName,
        content: message.content,
        created_at: iso(message.createdAt),
      },
      snippet: snippet.map((segment) => ({ text: segment.text, highlight: segment.highlight })),
      rank,
    })),
    next_cursor: page.nextCursor,
  };
}
