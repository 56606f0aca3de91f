import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import {
  type Actor,
  type ParticipantRef,
  participantKey,
  sameParticipant,
} from '../../kernel/model/participant-ref.js';
import type { Directory } from '../../kernel/ports/directory.js';
import type { MessageAttachment } from '../model/attachment.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';

/** A participant as others see them. `name` falls back to `type id` when the directory forgot them. */
export interface ParticipantView {
  readonly ref: ParticipantRef;
  readonly name: string;
}

export interface MemberView extends ParticipantView {
  readonly unreadCount: number;
  readonly lastReadSeq: number;
  readonly lastReadAt: Date | null;
  /** One of the policy's roles for the conversation type. */
  readonly role: string;
  readonly joinedAt: Date;
  /** Always null in member lists (only active members are listed); set on a removed member's view. */
  readonly leftAt: Date | null;
}

/** Who read or received a message, and since when (`MessageReceipts`). */
export interface ReceiptView {
  readonly ref: ParticipantRef;
  /** When their read (or delivery) state first covered the message. */
  readonly at: Date;
}

/**
 * Where a message got to among the conversation's other active members (the sender excluded;
 * a reader counts as delivered): lists while the conversation has at most
 * `RECEIPT_LIST_MAX_MEMBERS` active members, counts always.
 */
export interface MessageReceipts {
  /** Members whose read state covers the message, earliest first; null in larger conversations. */
  readonly readBy: readonly ReceiptView[] | null;
  /** Members the message reached (acknowledged or read), earliest first; null in larger conversations. */
  readonly deliveredTo: readonly ReceiptView[] | null;
  readonly readCount: number;
  readonly deliveredCount: number;
}

/** Conversations with more active members than this carry receipt counts only. */
export const RECEIPT_LIST_MAX_MEMBERS = 20;

/**
 * The receipts of a message nobody else has received yet (a send result): empty lists, or null
 * lists in a conversation of more than `RECEIPT_LIST_MAX_MEMBERS` active members.
 */
export function noReceiptsYet(activeMembers: number): MessageReceipts {
  const listed = activeMembers <= RECEIPT_LIST_MAX_MEMBERS;
  return { readBy: listed ? [] : null, deliveredTo: listed ? [] : null, readCount: 0, deliveredCount: 0 };
}

export interface MessageView {
  readonly id: string;
  readonly conversationId: string;
  /** The conversation's order: 1, 2, 3 … */
  readonly seq: number;
  readonly sender: ParticipantRef;
  readonly senderName: string;
  /** Empty once the message is deleted. */
  readonly content: string;
  readonly isSystemMessage: boolean;
  readonly isDeleted: boolean;
  readonly deletedAt: Date | null;
  readonly deletedBy: ParticipantRef | null;
  readonly createdAt: Date;
  /** Empty once the message is deleted (files are kept for audit). */
  readonly attachments: readonly MessageAttachment[];
  /** When its content was last edited; null when never. */
  readonly editedAt: Date | null;
  /** 1 for the content as sent, one more per edit (what `If-Match` names). */
  readonly revision: number;
  /** Who read and received it (`receiptsFor`); `noReceiptsYet` where that was not read. */
  readonly receipts: MessageReceipts;
  /**
   * Present only while the message is `held` or `rejected` by moderation — and such a message
   * reaches only its sender (and reviewers, through the queue), so only they ever see this.
   */
  readonly moderation?: { readonly state: 'held' | 'rejected'; readonly reason: string | null };
}

/** The message with the highest `seq`. */
export interface LastMessagePreview {
  readonly seq: number;
  /** The first 200 characters; empty for a deleted message. */
  readonly content: string;
  readonly sender: ParticipantRef;
  readonly isSystemMessage: boolean;
  readonly isDeleted: boolean;
  readonly createdAt: Date;
}

/** One line of an inbox, from the reader's point of view. */
export interface ConversationSummary {
  readonly conversation: Conversation;
  readonly unreadCount: number;
  readonly lastReadSeq: number;
  readonly lastReadAt: Date | null;
  readonly muted: boolean;
  readonly emailNotifications: boolean;
  /** When the reader archived it (out of their default inbox); null when not archived. */
  readonly archivedAt: Date | null;
  readonly otherParticipants: readonly ParticipantView[];
  readonly lastMessage: LastMessagePreview | null;
}

export interface ConversationDetail extends ConversationSummary {
  readonly participants: readonly MemberView[];
  /** The latest page, oldest first. */
  readonly messages: readonly MessageView[];
  /** Pass to `listMessages` for older history; null when there is none. */
  readonly nextCursor: string | null;
}

export const PREVIEW_LENGTH = 200;

export function displayName(names: ReadonlyMap<string, DirectoryEntry>, ref: ParticipantRef): string {
  return names.get(participantKey(ref))?.name ?? `${ref.type} ${ref.id}`;
}

/**
 * Directory entries for `refs`, keyed by `participantKey`. A `known` actor whose name is set is
 * answered without a lookup (its other fields are not needed for names).
 */
export async function namesFor(
  directory: Directory,
  refs: Iterable<ParticipantRef>,
  known?: Actor,
): Promise<Map<string, DirectoryEntry>> {
  const unique = new Map<string, ParticipantRef>();
  for (const ref of refs) unique.set(participantKey(ref), ref);
  const names = new Map<string, DirectoryEntry>();
  if (known?.name !== undefined && unique.delete(participantKey(known))) {
    names.set(participantKey(known), {
      ref: { type: known.type, id: known.id },
      name: known.name,
      email: null,
      locale: 'en',
      storeId: known.tenantId,
    });
  }
  if (unique.size === 0) return names;
  for (const [key, entry] of await directory.resolveMany([...unique.values()])) names.set(key, entry);
  return names;
}

export function toMemberView(
  member: ConversationParticipant,
  names: ReadonlyMap<string, DirectoryEntry>,
): MemberView {
  return {
    ref: member.participant,
    name: displayName(names, member.participant),
    unreadCount: member.unreadCount,
    lastReadSeq: member.lastReadSeq,
    lastReadAt: member.lastReadAt,
    role: member.role,
    joinedAt: member.joinedAt,
    leftAt: member.leftAt,
  };
}

export function toMessageView(
  message: Message,
  names: ReadonlyMap<string, DirectoryEntry>,
  receipts: MessageReceipts = noReceiptsYet(0),
): MessageView {
  return {
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    sender: message.sender,
    senderName: displayName(names, message.sender),
    content: message.isDeleted ? '' : message.content,
    isSystemMessage: message.isSystemMessage,
    isDeleted: message.isDeleted,
    deletedAt: message.deletedAt,
    deletedBy: message.deletedBy,
    createdAt: message.createdAt,
    attachments: message.isDeleted ? [] : message.attachments,
    editedAt: message.editedAt ?? null,
    revision: message.revision ?? 1,
    receipts,
    ...(message.moderation?.state === 'held' || message.moderation?.state === 'rejected'
      ? { moderation: { state: message.moderation.state, reason: message.moderation.reason } }
      : {}),
  };
}

export function toPreview(message: Message | null): LastMessagePreview | null {
  if (!message) return null;
  return {
    seq: message.seq,
    content: message.isDeleted ? '' : Array.from(message.content).slice(0, PREVIEW_LENGTH).join(''),
    sender: message.sender,
    isSystemMessage: message.isSystemMessage,
    isDeleted: message.isDeleted,
    createdAt: message.createdAt,
  };
}

export function toSummary(
  viewer: ParticipantRef,
  conversation: Conversation,
  membership: ConversationParticipant,
  participants: readonly ConversationParticipant[],
  lastMessage: Message | null,
  names: ReadonlyMap<string, DirectoryEntry>,
): ConversationSummary {
  return {
    conversation,
    unreadCount: membership.unreadCount,
    lastReadSeq: membership.lastReadSeq,
    lastReadAt: membership.lastReadAt,
    muted: membership.muted,
    emailNotifications: membership.emailNotifications,
    archivedAt: membership.archivedAt ?? null,
    otherParticipants: participants
      .filter((p) => !sameParticipant(p.participant, viewer))
      .map((p) => ({ ref: p.participant, name: displayName(names, p.participant) })),
    lastMessage: toPreview(lastMessage),
  };
}
