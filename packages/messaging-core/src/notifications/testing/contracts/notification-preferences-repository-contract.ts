import { beforeEach, describe, expect, it } from 'vitest';
import type { NotificationPreferencesUpdatedEvent } from '../../../conversations/model/domain-event.js';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type {
  NotificationPreferencesRepository,
  SavedNotificationPreferences,
} from '../../ports/notification-preferences-repository.js';

export interface NotificationPreferencesRepositoryContractTarget {
  readonly repository: NotificationPreferencesRepository;
  /** The events the log holds, oldest first (the contract checks each save wrote one). */
  readonly loggedEvents: () => Promise<
    readonly { readonly type: string; readonly tenantId: string | null; readonly payload: unknown }[]
  >;
}

export interface NotificationPreferencesRepositoryContractOptions {
  readonly name: string;
  /** A fresh, empty repository (and log) for each test. */
  readonly setup: () => Promise<NotificationPreferencesRepositoryContractTarget>;
}

const AT = new Date('2026-03-01T10:00:00.000Z');

function saved(
  participant: ParticipantRef,
  change: Partial<SavedNotificationPreferences> = {},
): SavedNotificationPreferences {
  return {
    participant,
    tenantId: 'acme',
    emailFrequency: 'daily',
    timeZone: 'Europe/Paris',
    digestHour: 7,
    digestWeekday: 1,
    updatedAt: AT,
    ...change,
  };
}

function eventOf(preferences: SavedNotificationPreferences): NotificationPreferencesUpdatedEvent {
  return {
    type: 'notification_preferences.updated',
    occurredAt: preferences.updatedAt,
    actor: preferences.participant,
    tenantId: preferences.tenantId,
    conversationId: null,
    participant: preferences.participant,
    emailFrequency: preferences.emailFrequency,
    timeZone: preferences.timeZone,
    digestHour: preferences.digestHour,
    digestWeekday: preferences.digestWeekday,
    changed: ['email_frequency'],
  };
}

/**
 * The `NotificationPreferencesRepository` contract: one row per participant, replaced by each
 * save, which writes its event in the same unit; `findMany` keys by participant; the digest
 * subscribers are those with `daily` or `weekly`, paged in (type, id) order.
 *
 * @example
 * ```ts
 * notificationPreferencesRepositoryContract({ name: 'in-memory', setup: async () => ({ repository, loggedEvents }) });
 * ```
 */
export function notificationPreferencesRepositoryContract(
  options: NotificationPreferencesRepositoryContractOptions,
): void {
  describe(`NotificationPreferencesRepository contract: ${options.name}`, () => {
    let target: NotificationPreferencesRepositoryContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });

    it('finds nothing for someone who never saved', async () => {
      expect(await target.repository.find({ type: 'customer', id: 'nobody' })).toBeNull();
      expect((await target.repository.findMany([{ type: 'customer', id: 'nobody' }])).size).toBe(0);
    });

    it('saves, replaces, and writes one event per save with the row', async () => {
      const ana = { type: 'customer', id: 'c-ana' };
      const first = saved(ana);
      expect(await target.repository.save(first, eventOf(first))).toEqual(first);
      expect(await target.repository.find(ana)).toEqual(first);
      const second = saved(ana, {
        emailFrequency: 'weekly',
        timeZone: 'America/New_York',
        digestHour: 18,
        digestWeekday: 5,
        updatedAt: new Date(AT.getTime() + 60_000),
      });
      await target.repository.save(second, eventOf(second));
      expect(await target.repository.find(ana)).toEqual(second);
      // The same id under another type is another person.
      expect(await target.repository.find({ type: 'store', id: 'c-ana' })).toBeNull();

      const events = (await target.loggedEvents()).filter(
        (e) => e.type === 'notification_preferences.updated',
      );
      expect(events).toHaveLength(2);
      expect(events[1]).toMatchObject({
        tenantId: 'acme',
        payload: {
          participant: ana,
          email_frequency: 'weekly',
          time_zone: 'America/New_York',
          digest_hour: 18,
          digest_weekday: 5,
          changed: ['email_frequency'],
        },
      });
    });

    it('finds many at once, keyed by participant', async () => {
      const a = saved({ type: 'customer', id: 'a' });
      const b = saved({ type: 'store', id: 'b' }, { emailFrequency: 'off', tenantId: null });
      await target.repository.save(a, eventOf(a));
      await target.repository.save(b, eventOf(b));
      const found = await target.repository.findMany([
        { type: 'customer', id: 'a' },
        { type: 'store', id: 'b' },
        { type: 'customer', id: 'b' },
      ]);
      expect([...found.keys()].sort()).toEqual(['customer:a', 'store:b']);
      expect(found.get('store:b')).toEqual(b);
    });

    it('pages through digest subscribers only, in (type, id) order', async () => {
      const people = [
        saved({ type: 'store', id: 's1' }, { emailFrequency: 'weekly' }),
        saved({ type: 'customer', id: 'c3' }),
        saved({ type: 'customer', id: 'c1' }),
        saved({ type: 'customer', id: 'c2' }, { emailFrequency: 'immediate' }),
        saved({ type: 'customer', id: 'c4' }, { emailFrequency: 'off' }),
        saved({ type: 'admin', id: 'z' }),
      ];
      for (const p of people) await target.repository.save(p, eventOf(p));
      const first = await target.repository.listDigestSubscribers({ after: null, limit: 2 });
      expect(first.map((p) => `${p.participant.type}:${p.participant.id}`)).toEqual([
        'admin:z',
        'customer:c1',
      ]);
      const rest = await target.repository.listDigestSubscribers({
        after: first[1]?.participant ?? null,
        limit: 10,
      });
      expect(rest.map((p) => `${p.participant.type}:${p.participant.id}`)).toEqual([
        'customer:c3',
        'store:s1',
      ]);
      expect(rest[1]?.emailFrequency).toBe('weekly');
    });
  });
}
