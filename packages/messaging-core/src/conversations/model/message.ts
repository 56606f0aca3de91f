import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { MessageAttachment } from './attachment.js';
import type { MessageModeration } from './moderation.js';

/**
 * A message in a conversation. `seq` is the conversation's one order: history, previews, cursors
 * and read state follow it, and `createdAt` never decreases along it.
 */
export interface Message {
  readonly id: string;
  readonly conversationId: string;
  /**
   * Position in the conversation: 1, 2, 3 … without gaps, assigned by the store when the message is
   * appended (under the conversation's lock), so it is also the order messages were committed in.
   */
  readonly seq: number;
  readonly sender: ParticipantRef;
  /** Trimmed text. Stored as sent; use cases hide it (empty string) once the message is deleted. */
  readonly content: string;
  /** Written by the system (close, reopen); never raises unread counts. */
  readonly isSystemMessage: boolean;
  readonly isDeleted: boolean;
  readonly deletedAt: Date | null;
  readonly deletedBy: ParticipantRef | null;
  /** Set by the store when appending: the core's proposed time, never before the previous message's. */
  readonly createdAt: Date;
  readonly attachments: readonly MessageAttachment[];
  /** The subject this message was sent with (care-team), null or absent when none. */
  readonly subject?: string | null;
  /** When its content was last edited; null or absent when never (`editMessage`). */
  readonly editedAt?: Date | null;
  /** 1 for the content as sent, one more per edit; absent means 1. */
  readonly revision?: number;
  /**
   * Its moderation, when a moderator flagged or held it (and then a reviewer's decision); null or
   * absent when never moderated. A `held` or `rejected` message is seen by its sender and
   * reviewers only (`hiddenByModeration`).
   */
  readonly moderation?: MessageModeration | null;
}

/**
 * One version of a message's content (`editMessage` keeps every version it replaces): what it
 * said, who wrote it and when. Revision 1 is the content as sent.
 */
export interface MessageRevision {
  readonly messageId: string;
  readonly revision: number;
  readonly content: string;
  /** Who wrote this version: the sender for revision 1, the editor for the others. */
  readonly editor: ParticipantRef;
  /** When this version was written: the send for revision 1, the edit for the others. */
  readonly createdAt: Date;
}

/** A message's current revision (1 for one never edited). */
export function revisionOf(message: Pick<Message, 'revision'>): number {
  return message.revision ?? 1;
}

export const DEFAULT_MESSAGE_MAX_LENGTH = 10_000;
