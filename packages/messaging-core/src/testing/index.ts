export { AsyncMutex } from './async-mutex.js';
export type {
  AdminNotificationRawReader,
  AdminNotificationRepositoryContractOptions,
  AdminNotificationRepositoryContractTarget,
} from './contracts/admin-notification-repository-contract.js';
export {
  adminNotificationRepositoryContract,
  sampleAdminNotification,
} from './contracts/admin-notification-repository-contract.js';
export type {
  AttachmentStorageContractOptions,
  AttachmentStorageContractTarget,
} from './contracts/attachment-storage-contract.js';
export { attachmentStorageContract, UNSAFE_STORAGE_PATHS } from './contracts/attachment-storage-contract.js';
export type { DirectoryContractOptions, DirectoryContractTarget } from './contracts/directory-contract.js';
export { directoryContract } from './contracts/directory-contract.js';
export type {
  EmailLogRepositoryContractOptions,
  EmailLogRepositoryContractTarget,
} from './contracts/email-log-repository-contract.js';
export { emailLogRepositoryContract, sampleEmailLog } from './contracts/email-log-repository-contract.js';
export type {
  EmailTemplateRepositoryContractOptions,
  EmailTemplateRepositoryContractTarget,
} from './contracts/email-template-repository-contract.js';
export { emailTemplateRepositoryContract } from './contracts/email-template-repository-contract.js';
export { idGeneratorContract } from './contracts/id-generator-contract.js';
export type {
  MailTransportContractOptions,
  MailTransportContractTarget,
  ReceivedEmail,
} from './contracts/mail-transport-contract.js';
export { mailTransportContract } from './contracts/mail-transport-contract.js';
export type {
  MediaInspectorContractOptions,
  MediaInspectorContractTarget,
  MediaSample,
} from './contracts/media-inspector-contract.js';
export { mediaInspectorContract } from './contracts/media-inspector-contract.js';
export type {
  MessagingStoreContractOptions,
  MessagingStoreContractTarget,
} from './contracts/messaging-store-contract.js';
export { messagingStoreContract } from './contracts/messaging-store-contract.js';
export type {
  NotificationQueueContractOptions,
  NotificationQueueContractTarget,
} from './contracts/notification-queue-contract.js';
export { notificationQueueContract } from './contracts/notification-queue-contract.js';
export type { OutboundAddressGuardContractOptions } from './contracts/outbound-address-guard-contract.js';
export {
  FORBIDDEN_ADDRESSES,
  outboundAddressGuardContract,
} from './contracts/outbound-address-guard-contract.js';
export type {
  EmailLogRawReader,
  EmailTemplateRawReader,
  MessagingStoreRawReader,
  SettingsStoreRawReader,
  StoreEmailSettingsRawReader,
} from './contracts/raw-readers.js';
export type {
  SendFailureStreakRawReader,
  SendFailureStreakRepositoryContractOptions,
  SendFailureStreakRepositoryContractTarget,
} from './contracts/send-failure-streak-repository-contract.js';
export { sendFailureStreakRepositoryContract } from './contracts/send-failure-streak-repository-contract.js';
export type {
  SettingsStoreContractOptions,
  SettingsStoreContractTarget,
} from './contracts/settings-store-contract.js';
export { settingsStoreContract } from './contracts/settings-store-contract.js';
export type {
  StoreEmailSettingsRepositoryContractOptions,
  StoreEmailSettingsRepositoryContractTarget,
} from './contracts/store-email-settings-repository-contract.js';
export { storeEmailSettingsRepositoryContract } from './contracts/store-email-settings-repository-contract.js';
export type { TemplateRendererContractOptions } from './contracts/template-renderer-contract.js';
export { templateRendererContract } from './contracts/template-renderer-contract.js';
export type {
  WebhookReplayGuardContractOptions,
  WebhookReplayGuardContractTarget,
  WebhookReplayGuardRawReader,
} from './contracts/webhook-replay-guard-contract.js';
export { webhookReplayGuardContract } from './contracts/webhook-replay-guard-contract.js';
export { FixedClock } from './fixed-clock.js';
export { InMemoryAdminNotificationRepository } from './in-memory-admin-notification-repository.js';
export { InMemoryAttachmentStorage } from './in-memory-attachment-storage.js';
export { InMemoryEmailLogRepository } from './in-memory-email-log-repository.js';
export type { InMemoryEmailTemplateRepositoryOptions } from './in-memory-email-template-repository.js';
export { InMemoryEmailTemplateRepository } from './in-memory-email-template-repository.js';
export { InMemoryEventPublisher } from './in-memory-event-publisher.js';
export type { InMemoryMailTransportOptions } from './in-memory-mail-transport.js';
export { InMemoryMailTransport } from './in-memory-mail-transport.js';
export { InMemoryMailTransportFactory } from './in-memory-mail-transport-factory.js';
export { InMemoryMarketplaceDirectory } from './in-memory-marketplace-directory.js';
export { fakePng, InMemoryMediaInspector } from './in-memory-media-inspector.js';
export type { InMemoryMessaging, InMemoryMessagingOptions } from './in-memory-messaging.js';
export { createInMemoryMessaging } from './in-memory-messaging.js';
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
export { assertSafeStoragePath, assertSafeStoragePrefix, fileTooLarge } from './storage-path.js';
