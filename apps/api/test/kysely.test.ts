import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AesGcmSecretCipher } from '@parley/adapters-crypto';
import { FsAttachmentStorage } from '@parley/adapters-fs';
import {
  KyselyEmailLogRepository,
  KyselyEmailTemplateRepository,
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
  KyselyStoreEmailSettingsRepository,
} from '@parley/adapters-kysely';
import { openTestDatabase, type TestDatabase } from '@parley/adapters-kysely/testing';
import { LiquidTemplateRenderer } from '@parley/adapters-liquid';
import { SharpMediaInspector } from '@parley/adapters-media';
import { DnsOutboundAddressGuard } from '@parley/adapters-network';
import { createEmailCore, createEmailTemplatesCore, createMessagingCore } from '@parley/messaging-core';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { AdapterMailTransportFactory } from '../src/mail/adapter-mail-transport-factory.js';
import { apiScenarios } from './support/api-scenarios.js';
import { attachmentScenarios } from './support/attachment-scenarios.js';
import { buildHarness } from './support/build-harness.js';
import { emailScenarios } from './support/email-scenarios.js';
import { emailTemplateScenarios } from './support/email-template-scenarios.js';
import { templateCatalogueScenarios } from './support/template-catalogue-scenarios.js';

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

emailScenarios(
  'Kysely adapters (PostgreSQL or PGlite)',
  async ({ endpoints, mailDir, outboundAllowedCidrs }) => {
    await database.truncate();
    const directory = new KyselyMarketplaceDirectory({ db: database.db });
    const core = createMessagingCore({
      store: new KyselyMessagingStore({ db: database.db }),
      directory,
      settings: new KyselySettingsStore({ db: database.db }),
    });
    const transports = new AdapterMailTransportFactory({
      platform: { kind: 'file', directory: mailDir },
      endpoints,
    });
    const email = createEmailCore({
      directory,
      emailSettings: new KyselyStoreEmailSettingsRepository({ db: database.db }),
      emailLogs: new KyselyEmailLogRepository({ db: database.db }),
      cipher: new AesGcmSecretCipher({ keys: { k1: new Uint8Array(randomBytes(32)) }, currentKeyId: 'k1' }),
      transports,
      outboundGuard: new DnsOutboundAddressGuard({ allowedCidrs: outboundAllowedCidrs }),
      platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
    });
    const check = async () => {
      await sql`select 1`.execute(database.db);
    };
    const harness = await buildHarness(core, directory, { kind: database.kind, check }, { email });
    return {
      harness,
      // Raw SQL, not the repository: what is really in the columns.
      storedSecrets: async (storeId) => {
        const { rows } = await sql<Record<string, string | null>>`
        select smtp_password, sendgrid_api_key, mailgun_api_key, ses_access_key_id, ses_secret_access_key
        from store_email_settings where store_id = ${storeId}`.execute(database.db);
        return rows[0] ?? null;
      },
      close: async () => {
        await harness.close();
        await transports.close();
      },
    };
  },
);

// Attachments as the composition root wires them: files on disk (a temp data directory).
attachmentScenarios('Kysely adapters (PostgreSQL or PGlite) and files on disk', async () => {
  await database.truncate();
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-attachments-'));
  const storage = new FsAttachmentStorage({ root: dataDir });
  const directory = new KyselyMarketplaceDirectory({ db: database.db });
  const core = createMessagingCore({
    store: new KyselyMessagingStore({ db: database.db }),
    directory,
    settings: new KyselySettingsStore({ db: database.db }),
    attachmentStorage: storage,
    mediaInspector: new SharpMediaInspector(),
  });
  const check = async () => {
    await sql`select 1`.execute(database.db);
  };
  const harness = await buildHarness(core, directory, { kind: database.kind, check });
  return {
    harness,
    core,
    storage,
    close: async () => {
      await harness.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

// Email templates as the composition root wires them: seeded tables and the Liquid renderer.
const emailTemplateHarness = async () => {
  await database.truncate();
  const directory = new KyselyMarketplaceDirectory({ db: database.db });
  const core = createMessagingCore({
    store: new KyselyMessagingStore({ db: database.db }),
    directory,
    settings: new KyselySettingsStore({ db: database.db }),
  });
  const emailTemplates = createEmailTemplatesCore({
    templates: new KyselyEmailTemplateRepository({ db: database.db }),
    renderer: new LiquidTemplateRenderer(),
  });
  const check = async () => {
    await sql`select 1`.execute(database.db);
  };
  return buildHarness(core, directory, { kind: database.kind, check }, { emailTemplates });
};

emailTemplateScenarios('Kysely adapters (PostgreSQL or PGlite) and Liquid', emailTemplateHarness);
templateCatalogueScenarios('Kysely adapters (PostgreSQL or PGlite) and Liquid', emailTemplateHarness);
