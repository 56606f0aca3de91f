export type {
  DatabaseConfig,
  DatabasePoolUsage,
  ParleyDatabase,
  PgliteDatabaseConfig,
  PostgresDatabaseConfig,
} from './database.js';
export { assertSchemaName, createDatabase } from './database.js';
export type { DatabaseFailureSource } from './database-failures.js';
export { describeDatabaseFailure, maskDatabaseUrl, oneLineError } from './database-failures.js';
export type {
  ConversationParticipantsTable,
  ConversationsTable,
  CustomersTable,
  Database,
  EmailDeliveryEventsTable,
  EmailLogsTable,
  EmailTemplatesTable,
  Int8,
  JsonValue,
  MessageAttachmentsTable,
  MessagesTable,
  NullableTimestamp,
  PlatformSettingsTable,
  PlatformUsersTable,
  SendFailureStreaksTable,
  SendIdempotencyKeysTable,
  StoreEmailSettingsTable,
  StoreEmailTemplatesTable,
  StoresTable,
  Timestamp,
  WebhookReplayTokensTable,
} from './database-types.js';
export type { KyselyAdminNotificationRepositoryConfig } from './kysely-admin-notification-repository.js';
export { KyselyAdminNotificationRepository } from './kysely-admin-notification-repository.js';
export { KyselyConversationRepository } from './kysely-conversation-repository.js';
export type { KyselyEmailLogRepositoryConfig } from './kysely-email-log-repository.js';
export { KyselyEmailLogRepository } from './kysely-email-log-repository.js';
export type { KyselyEmailTemplateRepositoryConfig } from './kysely-email-template-repository.js';
export { KyselyEmailTemplateRepository } from './kysely-email-template-repository.js';
export { KyselyEventLog } from './kysely-event-log.js';
export type { KyselyMarketplaceDirectoryConfig } from './kysely-marketplace-directory.js';
export { KyselyMarketplaceDirectory } from './kysely-marketplace-directory.js';
export { appendStatement, KyselyMessageRepository } from './kysely-message-repository.js';
export type { KyselyMessagingStoreConfig } from './kysely-messaging-store.js';
export { KyselyMessagingStore } from './kysely-messaging-store.js';
export { KyselyNotificationQueue, toNotificationJob } from './kysely-notification-queue.js';
export { KyselyParticipantRepository } from './kysely-participant-repository.js';
export type { KyselySendFailureStreakRepositoryConfig } from './kysely-send-failure-streak-repository.js';
export { KyselySendFailureStreakRepository } from './kysely-send-failure-streak-repository.js';
export type { KyselySettingsStoreConfig } from './kysely-settings-store.js';
export { KyselySettingsStore } from './kysely-settings-store.js';
export type { KyselyStoreEmailSettingsRepositoryConfig } from './kysely-store-email-settings-repository.js';
export { KyselyStoreEmailSettingsRepository } from './kysely-store-email-settings-repository.js';
export type { KyselyWebhookReplayGuardConfig } from './kysely-webhook-replay-guard.js';
export { KyselyWebhookReplayGuard } from './kysely-webhook-replay-guard.js';
export { PARLEY_MIGRATIONS } from './migrations/index.js';
export type { MigrationRun } from './migrator.js';
export { createMigrator, KyselyInCodeMigrationProvider, migrateToLatest, rollback } from './migrator.js';
export type { PgliteLock } from './pglite-lock.js';
export { acquirePgliteLock, PGLITE_LOCK_FILE, PgliteInUseError } from './pglite-lock.js';
export type { PostgresEventWakeupsOptions } from './postgres-event-wakeups.js';
export { PostgresEventWakeups } from './postgres-event-wakeups.js';
