// In-memory adapters and test helpers: no vitest import anywhere below, so scripts and other test
// runners can use them. The contract suites are in `@parley/messaging-core/testing/contracts`.
export { AsyncMutex } from './async-mutex.js';
export { FixedClock } from './fixed-clock.js';
export type { GroupTestPolicyOptions } from './group-test-policy.js';
export {
  createGroupTestPolicy,
  GROUP_CONVERSATION_TYPE,
  GROUP_ROLES,
  GROUP_SIZE,
  groupTestPolicy,
} from './group-test-policy.js';
export { InMemoryAdminNotificationRepository } from './in-memory-admin-notification-repository.js';
export { InMemoryAttachmentStorage } from './in-memory-attachment-storage.js';
export { InMemoryEmailLogRepository } from './in-memory-email-log-repository.js';
export type { InMemoryEmailTemplateRepositoryOptions } from './in-memory-email-template-repository.js';
export { InMemoryEmailTemplateRepository } from './in-memory-email-template-repository.js';
export { InMemoryEventLog } from './in-memory-event-log.js';
export type { InMemoryMailTransportOptions } from './in-memory-mail-transport.js';
export { InMemoryMailTransport } from './in-memory-mail-transport.js';
export { InMemoryMailTransportFactory } from './in-memory-mail-transport-factory.js';
export { InMemoryMarketplaceDirectory } from './in-memory-marketplace-directory.js';
export { fakePng, InMemoryMediaInspector } from './in-memory-media-inspector.js';
export type { InMemoryMessaging, InMemoryMessagingOptions } from './in-memory-messaging.js';
export { createInMemoryMessaging, RecordedEvents } from './in-memory-messaging.js';
export { InMemoryMessagingStore } from './in-memory-messaging-store.js';
export type { InMemoryNotifications, InMemoryNotificationsOptions } from './in-memory-notifications.js';
export { BranchingTemplateRenderer, createInMemoryNotifications } from './in-memory-notifications.js';
export type { InMemoryOutboundAddressGuardOptions } from './in-memory-outbound-address-guard.js';
export { InMemoryOutboundAddressGuard } from './in-memory-outbound-address-guard.js';
export type { StoredSendFailureStreak } from './in-memory-send-failure-streak-repository.js';
export { InMemorySendFailureStreakRepository } from './in-memory-send-failure-streak-repository.js';
export { InMemorySettingsStore } from './in-memory-settings-store.js';
export { InMemoryStoreEmailSettingsRepository } from './in-memory-store-email-settings-repository.js';
export { InMemoryTemplateRenderer } from './in-memory-template-renderer.js';
export { InMemoryWebhookReplayGuard } from './in-memory-webhook-replay-guard.js';
export { ReversibleSecretCipher } from './reversible-secret-cipher.js';
export { SequentialIds } from './sequential-ids.js';
