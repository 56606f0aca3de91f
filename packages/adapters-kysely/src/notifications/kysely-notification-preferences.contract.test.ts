import { LOG_START } from '@parley/messaging-core';
import {
  digestLedgerContract,
  notificationPreferencesRepositoryContract,
} from '@parley/messaging-core/testing/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { KyselyEventLog } from '../conversations/kysely-event-log.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyDigestLedger } from './kysely-digest-ledger.js';
import { KyselyNotificationPreferencesRepository } from './kysely-notification-preferences-repository.js';

// On the environment's database and, always, on PGlite.
const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('kysely notification preferences and digests on %s', (target) => {
  let opened: Promise<TestDatabase> | undefined;
  const open = async () => {
    opened ??= openTestDatabase({ target });
    const database = await opened;
    await database.truncate();
    return database;
  };
  afterAll(async () => {
    await (await opened)?.destroy();
  });
  const name = target === 'pglite' ? 'kysely (pglite)' : `kysely (${selected.kind})`;

  notificationPreferencesRepositoryContract({
    name,
    setup: async () => {
      const { db } = await open();
      return {
        repository: new KyselyNotificationPreferencesRepository({ db }),
        loggedEvents: async () => (await new KyselyEventLog(db).read(LOG_START, 1000)).events,
      };
    },
  });
  digestLedgerContract({
    name,
    setup: async () => ({ ledger: new KyselyDigestLedger({ db: (await open()).db }) }),
  });

  it('seeds digest_daily and digest_weekly in de, en and fr', async () => {
    const { db } = await open();
    const rows = await db
      .selectFrom('email_templates')
      .select(['code', 'language'])
      .where('code', 'in', ['digest_daily', 'digest_weekly'])
      .orderBy('code')
      .orderBy('language')
      .execute();
    expect(rows.map((r) => `${r.code}/${r.language}`)).toEqual([
      'digest_daily/de',
      'digest_daily/en',
      'digest_daily/fr',
      'digest_weekly/de',
      'digest_weekly/en',
      'digest_weekly/fr',
    ]);
  });

  it('reports save commits with the event id', async () => {
    const { db } = await open();
    const committed: string[] = [];
    const repository = new KyselyNotificationPreferencesRepository({
      db,
      onEventsCommitted: (id) => committed.push(id),
    });
    const participant = { type: 'customer', id: 'c-1' };
    await repository.save(
      {
        participant,
        tenantId: null,
        emailFrequency: 'off',
        timeZone: 'UTC',
        digestHour: 8,
        digestWeekday: 1,
        updatedAt: new Date('2026-01-01T00:00:00Z'),
      },
      {
        type: 'notification_preferences.updated',
        occurredAt: new Date('2026-01-01T00:00:00Z'),
        actor: participant,
        tenantId: null,
        conversationId: null,
        participant,
        emailFrequency: 'off',
        timeZone: 'UTC',
        digestHour: 8,
        digestWeekday: 1,
        changed: ['email_frequency'],
      },
    );
    const events = (await new KyselyEventLog(db).read(LOG_START, 10)).events;
    expect(committed).toEqual([events.at(-1)?.id]);
  });
});
