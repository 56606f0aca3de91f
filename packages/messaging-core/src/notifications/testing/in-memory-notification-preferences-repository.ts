import type { NotificationPreferencesUpdatedEvent } from '../../conversations/model/domain-event.js';
import type { EventLog } from '../../conversations/ports/event-log.js';
import { type ParticipantRef, participantKey } from '../../kernel/model/participant-ref.js';
import type {
  ListDigestSubscribersInput,
  NotificationPreferencesRepository,
  SavedNotificationPreferences,
} from '../ports/notification-preferences-repository.js';

const byParticipant = (a: ParticipantRef, b: ParticipantRef) =>
  a.type === b.type ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.type < b.type ? -1 : 1;

/**
 * `NotificationPreferencesRepository` in memory. Events go to `events` (the in-memory messaging
 * store's log, so its dispatchers and tails see them); without one they are kept in `recorded`.
 *
 * @example
 * ```ts
 * const preferences = new InMemoryNotificationPreferencesRepository({ events: store.events });
 * ```
 */
export class InMemoryNotificationPreferencesRepository implements NotificationPreferencesRepository {
  readonly #rows = new Map<string, SavedNotificationPreferences>();
  readonly #events: Pick<EventLog, 'append'> | undefined;
  /** Events saved when no log was given. */
  readonly recorded: NotificationPreferencesUpdatedEvent[] = [];

  constructor(options: { readonly events?: Pick<EventLog, 'append'> } = {}) {
    this.#events = options.events;
  }

  async find(participant: ParticipantRef): Promise<SavedNotificationPreferences | null> {
    return this.#rows.get(participantKey(participant)) ?? null;
  }

  async findMany(
    participants: readonly ParticipantRef[],
  ): Promise<Map<string, SavedNotificationPreferences>> {
    const found = new Map<string, SavedNotificationPreferences>();
    for (const participant of participants) {
      const row = this.#rows.get(participantKey(participant));
      if (row !== undefined) found.set(participantKey(participant), row);
    }
    return found;
  }

  async save(
    preferences: SavedNotificationPreferences,
    event: NotificationPreferencesUpdatedEvent,
  ): Promise<SavedNotificationPreferences> {
    const row: SavedNotificationPreferences = {
      ...preferences,
      participant: { type: preferences.participant.type, id: preferences.participant.id },
    };
    if (this.#events === undefined) this.recorded.push(event);
    else await this.#events.append([event]);
    this.#rows.set(participantKey(row.participant), row);
    return row;
  }

  async listDigestSubscribers(input: ListDigestSubscribersInput): Promise<SavedNotificationPreferences[]> {
    const after = input.after;
    return [...this.#rows.values()]
      .filter((row) => row.emailFrequency === 'daily' || row.emailFrequency === 'weekly')
      .filter((row) => after === null || byParticipant(row.participant, after) > 0)
      .sort((a, b) => byParticipant(a.participant, b.participant))
      .slice(0, Math.max(0, input.limit));
  }
}
