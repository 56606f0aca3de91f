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
 * const membership = await store.participants.markRead(conversationId, { type: 'customer', id: 'c1' }, clock.now());
 * membership?.unreadCount; // 0
 * ```
 */
export interface ParticipantRepository {
  find(conversationId: string, participant: ParticipantRef): Promise<ConversationParticipant | null>;

  listByConversation(conversationId: string): Promise<ConversationParticipant[]>;

  /** Sets unread to 0 and `lastReadAt` to `at`. Null when not a participant. */
  markRead(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
  ): Promise<ConversationParticipant | null>;

  /** Applies the given preferences, leaving absent ones unchanged. Null when not a participant. */
  updatePreferences(
    conversationId: string,
    participant: ParticipantRef,
    change: PreferencesChange,
  ): Promise<ConversationParticipant | null>;
}
