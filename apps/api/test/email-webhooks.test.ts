import {
  KyselyEmailLogRepository,
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
  KyselyStoreEmailSettingsRepository,
  KyselyWebhookReplayGuard,
} from '@parley/adapters-kysely';
import { openTestDatabase, type TestDatabase } from '@parley/adapters-kysely/testing';
import { createMessagingCore } from '@parley/messaging-core';
import {
  createInMemoryMessaging,
  InMemoryEmailLogRepository,
  InMemoryStoreEmailSettingsRepository,
  InMemoryWebhookReplayGuard,
} from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { emailWebhookScenarios } from './support/email-webhook-scenarios.js';

emailWebhookScenarios('in-memory adapters', async () => {
  const { core, directory } = createInMemoryMessaging();
  return {
    core,
    directory,
    emailLogs: new InMemoryEmailLogRepository(),
    emailSettings: new InMemoryStoreEmailSettingsRepository(directory),
    kind: 'memory',
    check: async () => {},
    // One guard for the target: the storage every "instance" of this scenario shares.
    replayGuard: (
      (guard) => () =>
        guard
    )(new InMemoryWebhookReplayGuard()),
  };
});

// The same scenarios over the Kysely adapters: PostgreSQL when DATABASE_URL is set, else PGlite.
let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

emailWebhookScenarios('Kysely adapters (PostgreSQL or PGlite)', async () => {
  await database.truncate();
  const directory = new KyselyMarketplaceDirectory({ db: database.db });
  return {
    core: createMessagingCore({
      store: new KyselyMessagingStore({ db: database.db }),
      directory,
      settings: new KyselySettingsStore({ db: database.db }),
    }),
    directory,
    emailLogs: new KyselyEmailLogRepository({ db: database.db }),
    emailSettings: new KyselyStoreEmailSettingsRepository({ db: database.db }),
    kind: database.kind,
    check: async () => {
      await sql`select 1`.execute(database.db);
    },
    replayGuard: () => new KyselyWebhookReplayGuard({ db: database.db }),
  };
});
