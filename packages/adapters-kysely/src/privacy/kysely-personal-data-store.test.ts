import { personalDataStoreContract } from '@parley/messaging-core/testing/contracts';
import { afterAll, describe } from 'vitest';
import { KyselyMessagingStore } from '../conversations/kysely-messaging-store.js';
import { KyselyEmailLogRepository } from '../email/kysely-email-log-repository.js';
import { KyselyMarketplaceDirectory } from '../kernel/kysely-marketplace-directory.js';
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
