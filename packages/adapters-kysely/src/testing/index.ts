export type { TestDatabaseEnv } from './config.js';
export { readTestDatabaseEnv } from './config.js';
export {
  createAdminNotificationRawReader,
  createEmailLogRawReader,
  createEmailTemplateRawReader,
  createSendFailureStreakRawReader,
  createStoreEmailSettingsRawReader,
  createWebhookReplayGuardRawReader,
} from './kysely-email-raw-readers.js';
export { createMessagingStoreRawReader, createSettingsStoreRawReader } from './kysely-raw-readers.js';
export type { OpenTestDatabaseOptions, TestDatabase, TestDatabaseTarget } from './test-database.js';
export { openTestDatabase, resolveTestDatabaseTarget } from './test-database.js';
