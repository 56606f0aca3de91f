import type { MessageAttachment } from './attachment.js';
import type { ParticipantRef } from './participant-ref.js';

/** A message in a conversation. Ids are time-ordered: sorting ids sorts by creation. */
export interface Message {
  readonly id: string;
  readonly conversationId: string;
  readonly sender: ParticipantRef;
  /** Trimmed text. Stored as sent; use cases hide it (empty string) once the message is deleted. */
  readonly content: string;
  /** Written by the system (close, reopen); never raises unread counts. */
  readonly isSystemMessage: boolean;
  readonly isDeleted: boolean;
  readonly deletedAt: Date | null;
  readonly deletedBy: ParticipantRef | null;
  readonly createdAt: Date;
  readonly attachments: readonly MessageAttachment[];
}

export const DEFAULT_MESSAGE_MAX_LENGTH = 10_000;
