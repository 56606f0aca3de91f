import { randomBytes } from 'node:crypto';
import { AesGcmSecretCipher } from '@parley/adapters-crypto';
import {
  KyselyAdminNotificationRepository,
  KyselyEmailLogRepository,
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySendFailureStreakRepository,
  KyselySettingsStore,
  KyselyStoreEmailSettingsRepository,
} from '@parley/adapters-kysely';
import { openTestDatabase, type TestDatabase } from '@parley/adapters-kysely/testing';
import { DnsOutboundAddressGuard } from '@parley/adapters-network';
import {
  type AdminNotificationRepository,
  createAdminNotificationsCore,
  createEmailCore,
  createMessagingCore,
  type EmailLogRepository,
  type MarketplaceDirectory,
  type MessagingCore,
  type SendFailureStreakRepository,
  type StoreEmailSettingsRepository,
} from '@parley/messaging-core';
import {
  createInMemoryMessaging,
  InMemoryAdminNotificationRepository,
  InMemoryEmailLogRepository,
  InMemorySendFailureStreakRepository,
  InMemoryStoreEmailSettingsRepository,
} from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { AdapterMailTransportFactory } from '../src/mail/adapter-mail-transport-factory.js';
import {
  type AdminNotificationHarness,
  adminNotificationScenarios,
  SEND_FAILURE_THRESHOLD,
} from './support/admin-notification-scenarios.js';
import { buildHarness } from './support/build-harness.js';

/** Wires the email and admin notification cores as the composition root does. */
async function wire(
  parts: {
    readonly core: MessagingCore;
    readonly directory: MarketplaceDirectory;
    readonly emailSettings: StoreEmailSettingsRepository;
    readonly emailLogs: EmailLogRepository;
    readonly notifications: AdminNotificationRepository;
    readonly streaks: SendFailureStreakRepository;
    readonly database: { readonly kind: string; readonly check: () => Promise<void> };
  },
  mailDir: string,
): Promise<AdminNotificationHarness> {
  const transports = new AdapterMailTransportFactory({
    platform: { kind: 'file', directory: mailDir },
  });
  const adminNotifications = createAdminNotificationsCore({ notifications: parts.notifications });
  const email = createEmailCore({
    directory: parts.directory,
    emailSettings: parts.emailSettings,
    emailLogs: parts.emailLogs,
    cipher: new AesGcmSecretCipher({ keys: { k1: new Uint8Array(randomBytes(32)) }, currentKeyId: 'k1' }),
    transports,
    // The local SMTP server listens on 127.0.0.1.
    outboundGuard: new DnsOutboundAddressGuard({ allowedCidrs: ['127.0.0.0/8'] }),
    platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
    adminNotifications,
    sendFailureAlert: { threshold: SEND_FAILURE_THRESHOLD, windowMs: 3_600_000, streaks: parts.streaks },
  });
  const harness = await buildHarness(parts.core, parts.directory, parts.database, {
    email,
    adminNotifications,
  });
  return {
    harness,
    email,
    close: async () => {
      await harness.close();
      await transports.close();
    },
  };
}

adminNotificationScenarios('in-memory adapters', async ({ mailDir }) => {
  const { core, directory } = createInMemoryMessaging();
  return wire(
    {
      core,
      directory,
      emailSettings: new InMemoryStoreEmailSettingsRepository(directory),
      emailLogs: new InMemoryEmailLogRepository(),
      notifications: new InMemoryAdminNotificationRepository(),
      streaks: new InMemorySendFailureStreakRepository(),
      database: { kind: 'memory', check: async () => {} },
    },
    mailDir,
  );
});

// PostgreSQL when DATABASE_URL is set (a schema of its own), else embedded PGlite.
let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

adminNotificationScenarios('Kysely adapters (PostgreSQL or PGlite)', async ({ mailDir }) => {
  await database.truncate();
  const db = database.db;
  const directory = new KyselyMarketplaceDirectory({ db });
  return wire(
    {
      core: createMessagingCore({
        store: new KyselyMessagingStore({ db }),
        directory,
        settings: new KyselySettingsStore({ db }),
      }),
      directory,
      emailSettings: new KyselyStoreEmailSettingsRepository({ db }),
      emailLogs: new KyselyEmailLogRepository({ db }),
      notifications: new KyselyAdminNotificationRepository({ db }),
      streaks: new KyselySendFailureStreakRepository({ db }),
      database: {
        kind: database.kind,
        check: async () => {
          await sql`select 1`.execute(db);
        },
      },
    },
    mailDir,
  );
});
