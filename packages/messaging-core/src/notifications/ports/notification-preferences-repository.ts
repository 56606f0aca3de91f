import type { NotificationPreferencesUpdatedEvent } from '../../conversations/model/domain-event.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { NotificationPreferences } from '../model/notification-preferences.js';

/** Preferences as saved: `updatedAt` is the time of the change. */
export type SavedNotificationPreferences = NotificationPreferences & { readonly updatedAt: Date };

export interface ListDigestSubscribersInput {
  /** The last participant of the previous page (order: type, then id); null for the first page. */
  readonly after: ParticipantRef | null;
  readonly limit: number;
}

/**
 * People's global notification preferences (one row per participant; someone who never saved
 * any has none, and the defaults apply: `defaultNotificationPreferences`).
 *
 * @example
 * ```ts
 * const saved = await repository.save(preferences, event); // the row and its event, in one transaction
 * const mine = await repository.find({ type: 'customer', id: 'c-ana' });
 * ```
 */
export interface NotificationPreferencesRepository {
  /** The saved preferences of `participant`, or null when they never saved any. Reads only. */
  find(participant: ParticipantRef): Promise<SavedNotificationPreferences | null>;

  /**
   * The saved preferences of each of `participants` that has any, keyed by `participantKey`
   * (one read for a whole batch of recipients: the email subscriber asks per batch of events).
   */
  findMany(participants: readonly ParticipantRef[]): Promise<Map<string, SavedNotificationPreferences>>;

  /**
   * Inserts or replaces the preferences of `preferences.participant` and appends `event` (a
   * `notification_preferences.updated`) to the event log in the same transaction: both are kept
   * or neither. Returns what was stored.
   */
  save(
    preferences: SavedNotificationPreferences,
    event: NotificationPreferencesUpdatedEvent,
  ): Promise<SavedNotificationPreferences>;

  /**
   * One page of the people who chose a digest (`daily` or `weekly`), ordered by participant type
   * then id, after `input.after`. What the digest worker walks each run. Reads only.
   */
  listDigestSubscribers(input: ListDigestSubscribersInput): Promise<SavedNotificationPreferences[]>;
}
