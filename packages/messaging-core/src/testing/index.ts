// In-memory adapters and test helpers: no vitest import anywhere below, so scripts and other test
// runners can use them. The contract suites are in `@parley/messaging-core/testing/contracts`.

export { InMemoryAdminNotificationRepository } from '../alerts/testing/in-memory-admin-notification-repository.js';
export type { GroupTestPolicyOptions } from '../conversations/testing/group-test-policy.js';
export {
  createGroupTestPolicy,
  GROUP_CONVERSATION_TYPE,
  GROUP_ROLES,
  GROUP_SIZE,
  groupTestPolicy,
} from '../conversations/testing/group-test-policy.js';
export { InMemoryAttachmentStorage } from '../conversations/testing/in-memory-attachment-storage.js';
export { InMemoryEventLog } from '../conversations/testing/in-memory-event-log.js';
export { fakePng, InMemoryMediaInspector } from '../conversations/testing/in-memory-media-inspector.js';
export { InMemoryModerationSettingsRepository } from '../conversations/testing/in-memory-moderation-settings-repository.js';
export { InMemoryEmailLogRepository } from '../email/testing/in-memory-email-log-repository.js';
export type { InMemoryEmailTemplateRepositoryOptions } from '../email/testing/in-memory-email-template-repository.js';
export { InMemoryEmailTemplateRepository } from '../email/testing/in-memory-email-template-repository.js';
export type { InMemoryMailTransportOptions } from '../email/testing/in-memory-mail-transport.js';
export { InMemoryMailTransport } from '../email/testing/in-memory-mail-transport.js';
export { InMemoryMailTransportFactory } from '../email/testing/in-memory-mail-transport-factory.js';
export type { InMemoryOutboundAddressGuardOptions } from '../email/testing/in-memory-outbound-address-guard.js';
export { InMemoryOutboundAddressGuard } from '../email/testing/in-memory-outbound-address-guard.js';
export type { StoredSendFailureStreak } from '../email/testing/in-memory-send-failure-streak-repository.js';
export { InMemorySendFailureStreakRepository } from '../email/testing/in-memory-send-failure-streak-repository.js';
export { InMemoryStoreEmailSettingsRepository } from '../email/testing/in-memory-store-email-settings-repository.js';
export { InMemoryTemplateRenderer } from '../email/testing/in-memory-template-renderer.js';
export { InMemoryWebhookReplayGuard } from '../email/testing/in-memory-webhook-replay-guard.js';
export { ReversibleSecretCipher } from '../email/testing/reversible-secret-cipher.js';
export { AsyncMutex } from '../kernel/testing/async-mutex.js';
export { FixedClock } from '../kernel/testing/fixed-clock.js';
export { InMemoryAuditLog } from '../kernel/testing/in-memory-audit-log.js';
export { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
export { InMemoryPeopleDirectory } from '../kernel/testing/in-memory-people-directory.js';
export { InMemorySettingsStore } from '../kernel/testing/in-memory-settings-store.js';
export { SequentialIds } from '../kernel/testing/sequential-ids.js';
export { InMemoryDigestLedger } from '../notifications/testing/in-memory-digest-ledger.js';
export { InMemoryNotificationPreferencesRepository } from '../notifications/testing/in-memory-notification-preferences-repository.js';
export { inMemoryLiveAudience } from '../realtime/testing/in-memory-live-audience.js';
export type { InMemoryLiveSignalBusOptions } from '../realtime/testing/in-memory-live-signal-bus.js';
export { InMemoryLiveSignalBus, InMemorySignalHub } from '../realtime/testing/in-memory-live-signal-bus.js';
export type { WebhookState } from '../webhooks/testing/in-memory-webhook-store.js';
export {
  InMemoryWebhookDeliveryRepository,
  InMemoryWebhookEndpointRepository,
  InMemoryWebhookStore,
} from '../webhooks/testing/in-memory-webhook-store.js';
export {
  InMemoryWebhookTransport,
  sequentialWebhookSecrets,
} from '../webhooks/testing/in-memory-webhook-transport.js';
export type { InMemoryMessaging, InMemoryMessagingOptions } from './in-memory-messaging.js';
export { createInMemoryMessaging, RecordedEvents } from './in-memory-messaging.js';
export type { InMemoryMessagingState } from './in-memory-messaging-store.js';
export { InMemoryMessagingStore } from './in-memory-messaging-store.js';
export type { InMemoryNotifications, InMemoryNotificationsOptions } from './in-memory-notifications.js';
export { BranchingTemplateRenderer, createInMemoryNotifications } from './in-memory-notifications.js';
export type { InMemoryPersonalDataStoreOptions } from './in-memory-personal-data-store.js';
export { InMemoryPersonalDataStore } from './in-memory-personal-data-store.js';
