import type { Actor } from '../../kernel/model/participant-ref.js';
import { type Clock, systemClock } from '../../kernel/ports/clock.js';
import {
  applyPreferencesChange,
  defaultNotificationPreferences,
  type NotificationPreferences,
  type NotificationPreferencesChange,
} from '../model/notification-preferences.js';
import type { NotificationPreferencesRepository } from '../ports/notification-preferences-repository.js';

export interface NotificationPreferencesDependencies {
  readonly preferences: NotificationPreferencesRepository;
  readonly clock?: Clock;
}

/** A person's own global notification preferences: read them, change them. */
export interface NotificationPreferencesCore {
  /**
   * The caller's preferences, or the defaults (`immediate`, `UTC`, 08:00, Monday; `updatedAt`
   * null) when they never saved any. Reads only.
   */
  getPreferences(actor: Actor): Promise<NotificationPreferences>;
  /**
   * Changes the caller's preferences (absent fields keep their value), validated field by field
   * (`applyPreferencesChange`: a `VALIDATION` error names `email_frequency`, `time_zone`,
   * `digest_hour` or `digest_weekday`). Side effects: the row is written and a
   * `notification_preferences.updated` event (tenant: the caller's) is appended in the same
   * transaction — every save records one, listing in `changed` the fields whose value changed.
   * `immediate` takes effect for the next message; `daily`, `weekly` and `off` stop immediate
   * emails for messages sent from then on.
   */
  updatePreferences(actor: Actor, change: NotificationPreferencesChange): Promise<NotificationPreferences>;
}

const WIRE_FIELDS = [
  ['emailFrequency', 'email_frequency'],
  ['timeZone', 'time_zone'],
  ['digestHour', 'digest_hour'],
  ['digestWeekday', 'digest_weekday'],
] as const;

/**
 * The notification preferences use cases. Every authenticated participant, of every preset,
 * manages their own (and only their own): there is nothing to ask the policy.
 *
 * @example
 * ```ts
 * const prefs = createNotificationPreferencesCore({ preferences: new KyselyNotificationPreferencesRepository({ db }) });
 * await prefs.updatePreferences(actor, { emailFrequency: 'daily', timeZone: 'Europe/Paris', digestHour: 7 });
 * ```
 */
export function createNotificationPreferencesCore(
  deps: NotificationPreferencesDependencies,
): NotificationPreferencesCore {
  const clock = deps.clock ?? systemClock;
  const current = async (actor: Actor): Promise<NotificationPreferences> =>
    (await deps.preferences.find(actor)) ??
    defaultNotificationPreferences({ type: actor.type, id: actor.id }, actor.tenantId);
  return {
    getPreferences: current,
    async updatePreferences(actor, change) {
      const before = await current(actor);
      const next = applyPreferencesChange(before, change);
      const now = clock.now();
      const participant = { type: actor.type, id: actor.id };
      const changed = WIRE_FIELDS.filter(([key]) => before[key] !== next[key]).map(([, wire]) => wire);
      return deps.preferences.save(
        { ...next, participant, tenantId: actor.tenantId, updatedAt: now },
        {
          type: 'notification_preferences.updated',
          occurredAt: now,
          actor: participant,
          tenantId: actor.tenantId,
          conversationId: null,
          participant,
          emailFrequency: next.emailFrequency,
          timeZone: next.timeZone,
          digestHour: next.digestHour,
          digestWeekday: next.digestWeekday,
          changed,
        },
      );
    },
  };
}
