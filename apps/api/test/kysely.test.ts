import {
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import { openTestDatabase, type TestDatabase } from '@parley/adapters-kysely/testing';
import { createMessagingCore } from '@parley/messaging-core';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { apiScenarios } from './support/api-scenarios.js';
import { buildHarness } from './support/build-harness.js';

// The same scenarios over the Kysely adapters: PostgreSQL when DATABASE_URL is set (a schema of
// its own), else embedded PGlite. Each scenario starts from empty tables.
let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

apiScenarios('Kysely adapters (PostgreSQL or PGlite)', async (options) => {
  await database.truncate();
  const directory = new KyselyMarketplaceDirectory({ db: database.db });
  const core = createMessagingCore({
    store: new KyselyMessagingStore({ db: database.db }),
    directory,
    settings: new KyselySettingsStore({ db: database.db }),
  });
  const check = async () => {
    await sql`select 1`.execute(database.db);
  };
  return buildHarness(core, directory, { kind: database.kind, check }, options);
});
