import {
  adminNotificationRepositoryContract,
  archiveAndEditsContract,
  blockRepositoryContract,
  careTeamContract,
  deliveryReceiptsContract,
  directoryContract,
  emailLogRepositoryContract,
  emailTemplateRepositoryContract,
  eventLogContract,
  messagingStoreContract,
  moderationContract,
  moderationSettingsRepositoryContract,
  notificationQueueContract,
  peopleDirectoryContract,
  sendFailureStreakRepositoryContract,
  settingsStoreContract,
  storeEmailSettingsRepositoryContract,
  webhookReplayGuardContract,
  webhookStoreContract,
} from '@parley/messaging-core/testing/contracts';
import { afterAll, describe } from 'vitest';
import { KyselyAdminNotificationRepository } from './alerts/kysely-admin-notification-repository.js';
import { KyselyMessagingStore } from './conversations/kysely-messaging-store.js';
import { KyselyModerationSettingsRepository } from './conversations/kysely-moderation-settings-repository.js';
import { KyselyEmailLogRepository } from './email/kysely-email-log-repository.js';
import { KyselyEmailTemplateRepository } from './email/kysely-email-template-repository.js';
import { KyselySendFailureStreakRepository } from './email/kysely-send-failure-streak-repository.js';
import { KyselyStoreEmailSettingsRepository } from './email/kysely-store-email-settings-repository.js';
import { KyselyWebhookReplayGuard } from './email/kysely-webhook-replay-guard.js';
import { KyselyMarketplaceDirectory } from './kernel/kysely-marketplace-directory.js';
import { KyselyPeopleDirectory } from './kernel/kysely-people-directory.js';
import { KyselySettingsStore } from './kernel/kysely-settings-store.js';
import { KyselyNotificationQueue } from './notifications/kysely-notification-queue.js';
import {
  createAdminNotificationRawReader,
  createEmailLogRawReader,
  createEmailTemplateRawReader,
  createSendFailureStreakRawReader,
  createStoreEmailSettingsRawReader,
  createWebhookReplayGuardRawReader,
} from './testing/kysely-email-raw-readers.js';
import { createMessagingStoreRawReader, createSettingsStoreRawReader } from './testing/kysely-raw-readers.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from './testing/test-database.js';
import { KyselyWebhookStore } from './webhooks/kysely-webhook-store.js';

// The core's contract suites against the environment's database (DATABASE_URL, else a
// testcontainers PostgreSQL, else PGlite) and, always, against embedded PGlite.
const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('kysely adapters on %s', (target) => {
  // One database per target for this file, emptied before each test.
  let opened: Promise<TestDatabase> | undefined;
  const fresh = async (): Promise<TestDatabase> => {
    opened ??= openTestDatabase({ target });
    const database = await opened;
    await database.truncate();
    return database;
  };
  afterAll(async () => {
    await (await opened)?.destroy();
  });
  const name = target === 'pglite' ? 'kysely (pglite)' : `kysely (${selected.kind})`;

  messagingStoreContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { store: new KyselyMessagingStore({ db }), raw: createMessagingStoreRawReader(db) };
    },
  });

  deliveryReceiptsContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { store: new KyselyMessagingStore({ db }), raw: createMessagingStoreRawReader(db) };
    },
  });

  archiveAndEditsContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { store: new KyselyMessagingStore({ db }), raw: createMessagingStoreRawReader(db) };
    },
  });

  moderationContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { store: new KyselyMessagingStore({ db }), raw: createMessagingStoreRawReader(db) };
    },
  });

  moderationSettingsRepositoryContract({
    name,
    setup: async () => ({ repository: new KyselyModerationSettingsRepository((await fresh()).db) }),
  });

  blockRepositoryContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { store: new KyselyMessagingStore({ db }) };
    },
  });

  careTeamContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { store: new KyselyMessagingStore({ db }), raw: createMessagingStoreRawReader(db) };
    },
  });

  notificationQueueContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return {
        store: new KyselyMessagingStore({ db }),
        queue: new KyselyNotificationQueue(db),
        raw: createMessagingStoreRawReader(db),
      };
    },
  });

  eventLogContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { store: new KyselyMessagingStore({ db }), raw: createMessagingStoreRawReader(db) };
    },
  });

  directoryContract({
    name,
    setup: async () => ({ directory: new KyselyMarketplaceDirectory({ db: (await fresh()).db }) }),
  });

  peopleDirectoryContract({
    name,
    setup: async () => ({ directory: new KyselyPeopleDirectory({ db: (await fresh()).db }) }),
  });

  settingsStoreContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { settings: new KyselySettingsStore({ db }), raw: createSettingsStoreRawReader(db) };
    },
  });

  emailLogRepositoryContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return { logs: new KyselyEmailLogRepository({ db }), raw: createEmailLogRawReader(db) };
    },
  });

  storeEmailSettingsRepositoryContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      const directory = new KyselyMarketplaceDirectory({ db });
      return {
        repository: new KyselyStoreEmailSettingsRepository({ db }),
        raw: createStoreEmailSettingsRawReader(db),
        addStore: async (id) => {
          await directory.upsertStore({ id, name: id, tier: 'business' }, new Date('2026-01-01T00:00:00Z'));
        },
      };
    },
  });

  emailTemplateRepositoryContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      const directory = new KyselyMarketplaceDirectory({ db });
      return {
        repository: new KyselyEmailTemplateRepository({ db }),
        raw: createEmailTemplateRawReader(db),
        addStore: async (id) => {
          await directory.upsertStore({ id, name: id, tier: 'business' }, new Date('2026-01-01T00:00:00Z'));
        },
      };
    },
  });

  webhookStoreContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      return {
        store: new KyselyWebhookStore({ db }),
        raw: {
          secrets: async (endpointId) =>
            (
              await db
                .selectFrom('webhook_secrets')
                .selectAll()
                .where('endpoint_id', '=', endpointId)
                .orderBy('created_at')
                .execute()
            ).map((row) => ({
              id: row.id,
              endpointId: row.endpoint_id,
              sealed: row.sealed,
              createdAt: row.created_at,
              expiresAt: row.expires_at,
            })),
          delivery: async (id) => {
            const row = await db
              .selectFrom('webhook_deliveries')
              .select(['id', 'status', 'attempt_count', 'next_attempt_at'])
              .where('id', '=', id)
              .executeTakeFirst();
            return row === undefined
              ? null
              : {
                  id: row.id,
                  status: row.status,
                  attemptCount: row.attempt_count,
                  nextAttemptAt: row.next_attempt_at,
                };
          },
          counts: async (endpointId) => {
            const deliveries = await db
              .selectFrom('webhook_deliveries')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('endpoint_id', '=', endpointId)
              .executeTakeFirstOrThrow();
            const attempts = await db
              .selectFrom('webhook_attempts')
              .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('webhook_deliveries.endpoint_id', '=', endpointId)
              .executeTakeFirstOrThrow();
            return { deliveries: Number(deliveries.n), attempts: Number(attempts.n) };
          },
        },
      };
    },
  });

  adminNotificationRepositoryContract({
    name,
    setup: async () => {
      const { db } = await fresh();
      const directory = new KyselyMarketplaceDirectory({ db });
      return {
        repository: new KyselyAdminNotificationRepository({ db }),
        raw: createAdminNotificationRawReader(db),
        addStore: async (id) => {
          await directory.upsertStore({ id, name: id, tier: 'business' }, new Date('2026-01-01T00:00:00Z'));
        },
      };
    },
  });

  // The second repository / guard is another Kysely instance (its own pool on PostgreSQL) over
  // the same schema: another process's view, sharing only the database.

  sendFailureStreakRepositoryContract({
    name,
    setup: async () => {
      const database = await fresh();
      const other = database.connectAgain();
      return {
        streaks: new KyselySendFailureStreakRepository({ db: database.db }),
        raw: createSendFailureStreakRawReader(database.db),
        ...(other ? { second: new KyselySendFailureStreakRepository({ db: other.db }) } : {}),
        teardown: async () => {
          await other?.destroy();
        },
      };
    },
  });

  webhookReplayGuardContract({
    name,
    setup: async () => {
      const database = await fresh();
      const other = database.connectAgain();
      return {
        guard: new KyselyWebhookReplayGuard({ db: database.db }),
        raw: createWebhookReplayGuardRawReader(database.db),
        ...(other ? { second: new KyselyWebhookReplayGuard({ db: other.db }) } : {}),
        teardown: async () => {
          await other?.destroy();
        },
      };
    },
  });
});
