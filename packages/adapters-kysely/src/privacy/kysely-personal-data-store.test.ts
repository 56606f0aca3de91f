import { personalDataStoreContract } from '@parley/messaging-core/testing/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { KyselyMessagingStore } from '../conversations/kysely-messaging-store.js';
import { KyselyEmailLogRepository } from '../email/kysely-email-log-repository.js';
import { KyselyMarketplaceDirectory } from '../kernel/kysely-marketplace-directory.js';
import { KyselyPeopleDirectory } from '../kernel/kysely-people-directory.js';
import { createMessagingStoreRawReader } from '../testing/kysely-raw-readers.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyPersonalDataStore } from './kysely-personal-data-store.js';

// The PersonalDataStore contract against the environment's database (DATABASE_URL, else a
// testcontainers PostgreSQL, else PGlite) and, always, against embedded PGlite.
const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('KyselyPersonalDataStore on %s', (target) => {
  let opened: Promise<TestDatabase> | undefined;
  afterAll(async () => {
    await (await opened)?.destroy();
  });
  personalDataStoreContract({
    name: target === 'pglite' ? 'kysely (pglite)' : `kysely (${selected.kind})`,
    setup: async () => {
      opened ??= openTestDatabase({ target });
      const database = await opened;
      await database.truncate();
      const { db } = database;
      return {
        store: new KyselyPersonalDataStore({ db }),
        messaging: new KyselyMessagingStore({ db }),
        raw: createMessagingStoreRawReader(db),
        directory: new KyselyMarketplaceDirectory({ db }),
        emailLogs: new KyselyEmailLogRepository({ db }),
      };
    },
  });
});

describe('KyselyPersonalDataStore with the people directory (care-team, community)', () => {
  let opened: Promise<TestDatabase> | undefined;
  afterAll(async () => {
    await (await opened)?.destroy();
  });

  it('anonymises a person of directory_people, writes directory.changed and reports it after the commit', async () => {
    opened ??= openTestDatabase({ target: 'pglite' });
    const database = await opened;
    await database.truncate();
    const { db } = database;
    const people = new KyselyPeopleDirectory({ db });
    const at = new Date('2026-05-01T10:00:00.000Z');
    await people.upsertTenant({ id: 't1', name: 'Clinic' }, at);
    await people.upsertPerson(
      { type: 'user', id: 'pat', name: 'Pat Doe', email: 'pat@mail.test', locale: 'en', tenantId: 't1' },
      at,
    );
    const changed: string[] = [];
    const committed: string[] = [];
    const store = new KyselyPersonalDataStore({
      db,
      onDirectoryChanged: (change) => changed.push(`${change.participant_id}:${change.change}`),
      onEventsCommitted: (id) => committed.push(id),
    });
    expect(await store.personalData.directoryEntry({ type: 'user', id: 'pat' })).toMatchObject({
      name: 'Pat Doe',
      email: 'pat@mail.test',
      tenant_id: 't1',
    });
    const outcome = await store.transaction((tx) =>
      tx.personalData.erase(
        { type: 'user', id: 'pat' },
        { marker: '[erased]', anonymousName: 'Erased person', at },
      ),
    );
    expect(outcome.directoryEntry).toBe(true);
    expect(await people.getPerson({ type: 'user', id: 'pat' })).toMatchObject({
      name: 'Erased person',
      email: null,
    });
    expect(changed).toEqual(['pat:updated']);
    expect(committed).toHaveLength(1);
    const events = await db.selectFrom('events').select(['type', 'tenant_id', 'payload']).execute();
    expect(events).toEqual([
      { type: 'directory.changed', tenant_id: 't1', payload: { participant_id: 'pat', change: 'updated' } },
    ]);
    // Nothing left to change: no second directory.changed.
    await store.transaction((tx) =>
      tx.personalData.erase(
        { type: 'user', id: 'pat' },
        { marker: '[erased]', anonymousName: 'Erased person', at },
      ),
    );
    expect(changed).toEqual(['pat:updated']);
  });
});
