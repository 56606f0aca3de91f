import type { ConversationParticipant } from '../model/conversation.js';
import type { ParticipantRef } from '../model/participant-ref.js';

export interface PreferencesChange {
  readonly emailNotifications?: boolean;
  readonly muted?: boolean;
}

/**
 * Memberships: read state and preferences of each participant in a conversation.
 *
 * @example
 * ```ts
 * const membership = await store.participants.markRead(conversationId, { type: 'customer', id: 'c1' }, clock.now(), 12);
 * membership?.lastReadSeq; // 12 (or more, if it was already further)
 * ```
 */
export interface ParticipantRepository {
  find(conversationId: string, participant: ParticipantRef): Promise<ConversationParticipant | null>;

  listByConversation(conversationId: string): Promise<ConversationParticipant[]>;

  /**
   * Moves the participant's read state forward to `upToSeq` (default and ceiling: the latest
   * message), never backwards, and sets `unreadCount` to the exact number of others' non-system
   * messages above the new `lastReadSeq` (messages appended concurrently included), in one atomic
   * step. `lastReadAt` becomes `at` unless it is already later. Records a `conversation.read`
   * event (actor: the participant; tenant: the conversation's store) in the same step. Null when
   * not a participant (and then nothing is written).
   */
  markRead(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
    upToSeq?: number,
  ): Promise<ConversationParticipant | null>;

  /** Applies the given preferences, leaving absent ones unchanged. Null when not a participant. */
  updatePreferences(
    conversationId: string,
    participant: ParticipantRef,
    change: PreferencesChange,
  ): Promise<ConversationParticipant | null>;
}
