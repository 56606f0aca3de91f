export type { KyselyAdminNotificationRepositoryConfig } from './alerts/kysely-admin-notification-repository.js';
export { KyselyAdminNotificationRepository } from './alerts/kysely-admin-notification-repository.js';
export { KyselyAuditLog } from './audit/kysely-audit-log.js';
export { KyselyConversationRepository } from './conversations/kysely-conversation-repository.js';
export { KyselyEventLog } from './conversations/kysely-event-log.js';
export { appendStatement, KyselyMessageRepository } from './conversations/kysely-message-repository.js';
export type { KyselyMessageSearchConfig } from './conversations/kysely-message-search.js';
export { KyselyMessageSearch } from './conversations/kysely-message-search.js';
export type { KyselyMessagingStoreConfig } from './conversations/kysely-messaging-store.js';
export { KyselyMessagingStore } from './conversations/kysely-messaging-store.js';
export { KyselyModerationSettingsRepository } from './conversations/kysely-moderation-settings-repository.js';
export { KyselyParticipantRepository } from './conversations/kysely-participant-repository.js';
export type { PostgresEventWakeupsOptions } from './conversations/postgres-event-wakeups.js';
export { PostgresEventWakeups } from './conversations/postgres-event-wakeups.js';
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
export type { KyselyEmailLogRepositoryConfig } from './email/kysely-email-log-repository.js';
export { KyselyEmailLogRepository } from './email/kysely-email-log-repository.js';
export type { KyselyEmailTemplateRepositoryConfig } from './email/kysely-email-template-repository.js';
export { KyselyEmailTemplateRepository } from './email/kysely-email-template-repository.js';
export type { KyselySendFailureStreakRepositoryConfig } from './email/kysely-send-failure-streak-repository.js';
export { KyselySendFailureStreakRepository } from './email/kysely-send-failure-streak-repository.js';
export type { KyselyStoreEmailSettingsRepositoryConfig } from './email/kysely-store-email-settings-repository.js';
export { KyselyStoreEmailSettingsRepository } from './email/kysely-store-email-settings-repository.js';
export type { KyselyWebhookReplayGuardConfig } from './email/kysely-webhook-replay-guard.js';
export { KyselyWebhookReplayGuard } from './email/kysely-webhook-replay-guard.js';
export type { KyselyMarketplaceDirectoryConfig } from './kernel/kysely-marketplace-directory.js';
export { KyselyMarketplaceDirectory } from './kernel/kysely-marketplace-directory.js';
export type { KyselyPeopleDirectoryConfig } from './kernel/kysely-people-directory.js';
export { KyselyPeopleDirectory } from './kernel/kysely-people-directory.js';
export type {
  KyselyRateLimitCountersConfig,
  RateLimitCount,
} from './kernel/kysely-rate-limit-counters.js';
export { KyselyRateLimitCounters } from './kernel/kysely-rate-limit-counters.js';
export type { KyselySettingsStoreConfig } from './kernel/kysely-settings-store.js';
export { KyselySettingsStore } from './kernel/kysely-settings-store.js';
export { PARLEY_MIGRATIONS } from './migrations/index.js';
export type { MigrationRun } from './migrator.js';
export { createMigrator, KyselyInCodeMigrationProvider, migrateToLatest, rollback } from './migrator.js';
export { KyselyDigestLedger } from './notifications/kysely-digest-ledger.js';
export type { KyselyNotificationPreferencesRepositoryOptions } from './notifications/kysely-notification-preferences-repository.js';
export { KyselyNotificationPreferencesRepository } from './notifications/kysely-notification-preferences-repository.js';
export { KyselyNotificationQueue, toNotificationJob } from './notifications/kysely-notification-queue.js';
export type { PgliteLock } from './pglite-lock.js';
export { acquirePgliteLock, PGLITE_LOCK_FILE, PgliteInUseError } from './pglite-lock.js';
export type { KyselyPersonalDataStoreConfig } from './privacy/kysely-personal-data-store.js';
export { KyselyPersonalDataStore } from './privacy/kysely-personal-data-store.js';
export type { PostgresLiveSignalBusOptions } from './realtime/postgres-live-signal-bus.js';
export { PostgresLiveSignalBus } from './realtime/postgres-live-signal-bus.js';
export { KyselyWebhookDeliveryRepository } from './webhooks/kysely-webhook-delivery-repository.js';
export { KyselyWebhookEndpointRepository } from './webhooks/kysely-webhook-endpoint-repository.js';
export { KyselyWebhookStore } from './webhooks/kysely-webhook-store.js';
