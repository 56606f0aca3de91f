import type { ParticipantRef } from '../../kernel/model/participant-ref.js';

/** A threaded conversation between participants, owned by a tenant when a tenant-bound participant takes part. */
export interface Conversation {
  readonly id: string;
  /** One of the policy's conversation types (`admin_store`, `store_customer`, `admin_customer`). */
  readonly conversationType: string;
  readonly subject: string;
  /** The tenant (a store in the marketplace); set whenever a tenant-bound participant takes part. */
  readonly tenantId: string | null;
  readonly isClosed: boolean;
  readonly closedAt: Date | null;
  readonly closedBy: ParticipantRef | null;
  /** When the latest message (system messages included) was sent; null before the first one. */
  readonly lastMessageAt: Date | null;
  /**
   * Every message ever appended, system and deleted messages included; messages are never removed,
   * so this is also the `seq` of the latest message (0 before the first one).
   */
  readonly messageCount: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One participant's membership of a conversation and their read state. */
export interface ConversationParticipant {
  readonly conversationId: string;
  readonly participant: ParticipantRef;
  /** The participant's own tenant (null for platform-wide participants such as admins). */
  readonly tenantId: string | null;
  /** Messages by others, not system messages, with a `seq` above `lastReadSeq`. */
  readonly unreadCount: number;
  /**
   * The participant has read every message up to this `seq` (0: none). Only moves forward: marking
   * read up to a message, or sending one (the sender has read everything up to their own message).
   */
  readonly lastReadSeq: number;
  /**
   * When the participant last read the conversation: their latest mark-read, or their own latest
   * message when that is later. Never moves backwards.
   */
  readonly lastReadAt: Date | null;
  /**
   * The participant's clients acknowledged receiving every message up to this `seq` (0: none;
   * `ParticipantRepository.markDelivered`). Only moves forward. It records acknowledgements
   * only: reading counts as delivery, so what has reached the participant is
   * `effectiveDeliveredSeq` (the greater of this and `lastReadSeq`).
   */
  readonly lastDeliveredSeq: number;
  /** When `lastDeliveredSeq` last moved; null before the first acknowledgement. */
  readonly lastDeliveredAt: Date | null;
  readonly emailNotifications: boolean;
  /** Muted conversations keep their own unread count but leave the badge total. */
  readonly muted: boolean;
  /**
   * Last activity of the conversation (its creation or latest message), copied onto every
   * membership so a participant's inbox is one index range scan.
   */
  readonly lastActivityAt: Date;
  /** When the participant (last) joined: the creation, or their latest add. */
  readonly joinedAt: Date;
  /** One of the policy's `memberRoles` for the conversation type (e.g. owner, member, observer). */
  readonly role: string;
  /**
   * When the participant left or was removed; null while they are a member. A former member's row
   * is kept (their read state frozen) but they see nothing, count in no badge and get no unread.
   */
  readonly leftAt: Date | null;
  /**
   * The first message `seq` the participant may see: 1, or the seq after the last message when
   * they joined a conversation whose policy hides earlier history from new members.
   */
  readonly visibleFromSeq: number;
  /**
   * When the participant archived the conversation (it leaves their default inbox); null or
   * absent while it is not archived. Theirs alone: nobody else's inbox changes. A message from
   * someone else clears it (`MessageRepository.append`).
   */
  readonly archivedAt?: Date | null;
}

/**
 * Every message up to this `seq` has reached the participant: the greater of their acknowledged
 * delivery (`lastDeliveredSeq`) and their read state (`lastReadSeq`), because reading a message
 * (or sending after it) implies it was delivered even when no client acknowledged it.
 */
export function effectiveDeliveredSeq(
  membership: Pick<ConversationParticipant, 'lastDeliveredSeq' | 'lastReadSeq'>,
): number {
  return Math.max(membership.lastDeliveredSeq, membership.lastReadSeq);
}

/** Whether a membership is current (not left, not removed). */
export function isActiveMember(membership: ConversationParticipant): boolean {
  return membership.leftAt === null;
}

export const SUBJECT_MAX_LENGTH = 500;
