import { messageSearchContract } from '@parley/messaging-core/testing/contracts';
import { sql } from 'kysely';
import { afterAll, describe } from 'vitest';
import { KyselyMarketplaceDirectory } from '../kernel/kysely-marketplace-directory.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessageSearch } from './kysely-message-search.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// Message search and the inbox query filter on the environment's database and, always, on PGlite.
const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('kysely message search on %s', (target) => {
  let opened: Promise<TestDatabase> | undefined;
  afterAll(async () => {
    await (await opened)?.destroy();
  });

  messageSearchContract({
    name: target === 'pglite' ? 'kysely (pglite)' : `kysely (${selected.kind})`,
    setup: async () => {
      opened ??= openTestDatabase({ target });
      const database = await opened;
      await database.truncate();
      const { db } = database;
      return {
        store: new KyselyMessagingStore({ db }),
        search: new KyselyMessageSearch({ db }),
        directory: new KyselyMarketplaceDirectory({ db }),
        setTenantLanguage: async (tenantId, language) => {
          await sql`update stores set language = ${language} where id = ${tenantId}`.execute(db);
        },
      };
    },
  });
});
