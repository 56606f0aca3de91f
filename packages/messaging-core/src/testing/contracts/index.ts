// Contract suites, one per port, for adapter tests: they import vitest (describe/it/expect), so
// they live in their own subpath and `@parley/messaging-core/testing` stays importable without it.
export type {
  AccessPolicyContractFixtures,
  AccessPolicyContractOptions,
} from './access-policy-contract.js';
export { accessPolicyContract } from './access-policy-contract.js';
export type {
  AdminNotificationRawReader,
  AdminNotificationRepositoryContractOptions,
  AdminNotificationRepositoryContractTarget,
} from './admin-notification-repository-contract.js';
export {
  adminNotificationRepositoryContract,
  sampleAdminNotification,
} from './admin-notification-repository-contract.js';
export type {
  AttachmentStorageContractOptions,
  AttachmentStorageContractTarget,
} from './attachment-storage-contract.js';
export { attachmentStorageContract, UNSAFE_STORAGE_PATHS } from './attachment-storage-contract.js';
export type { DirectoryContractOptions, DirectoryContractTarget } from './directory-contract.js';
export { directoryContract } from './directory-contract.js';
export type {
  EmailLogRepositoryContractOptions,
  EmailLogRepositoryContractTarget,
} from './email-log-repository-contract.js';
export { emailLogRepositoryContract, sampleEmailLog } from './email-log-repository-contract.js';
export type {
  EmailTemplateRepositoryContractOptions,
  EmailTemplateRepositoryContractTarget,
} from './email-template-repository-contract.js';
export { emailTemplateRepositoryContract } from './email-template-repository-contract.js';
export type { EventLogContractOptions, EventLogContractTarget } from './event-log-contract.js';
export { eventLogContract } from './event-log-contract.js';
export { idGeneratorContract } from './id-generator-contract.js';
export type {
  MailTransportContractOptions,
  MailTransportContractTarget,
  ReceivedEmail,
} from './mail-transport-contract.js';
export { mailTransportContract } from './mail-transport-contract.js';
export type {
  MediaInspectorContractOptions,
  MediaInspectorContractTarget,
  MediaSample,
} from './media-inspector-contract.js';
export { mediaInspectorContract } from './media-inspector-contract.js';
export type {
  MessagingStoreContractOptions,
  MessagingStoreContractTarget,
} from './messaging-store-contract.js';
export { messagingStoreContract } from './messaging-store-contract.js';
export type {
  NotificationQueueContractOptions,
  NotificationQueueContractTarget,
} from './notification-queue-contract.js';
export { notificationQueueContract } from './notification-queue-contract.js';
export type { OutboundAddressGuardContractOptions } from './outbound-address-guard-contract.js';
export {
  FORBIDDEN_ADDRESSES,
  outboundAddressGuardContract,
} from './outbound-address-guard-contract.js';
export type {
  EmailLogRawReader,
  EmailTemplateRawReader,
  MessagingStoreRawReader,
  SettingsStoreRawReader,
  StoreEmailSettingsRawReader,
} from './raw-readers.js';
export type {
  SendFailureStreakRawReader,
  SendFailureStreakRepositoryContractOptions,
  SendFailureStreakRepositoryContractTarget,
} from './send-failure-streak-repository-contract.js';
export { sendFailureStreakRepositoryContract } from './send-failure-streak-repository-contract.js';
export type {
  SettingsStoreContractOptions,
  SettingsStoreContractTarget,
} from './settings-store-contract.js';
export { settingsStoreContract } from './settings-store-contract.js';
export type {
  StoreEmailSettingsRepositoryContractOptions,
  StoreEmailSettingsRepositoryContractTarget,
} from './store-email-settings-repository-contract.js';
export { storeEmailSettingsRepositoryContract } from './store-email-settings-repository-contract.js';
export type { TemplateRendererContractOptions } from './template-renderer-contract.js';
export { templateRendererContract } from './template-renderer-contract.js';
export type {
  WebhookReplayGuardContractOptions,
  WebhookReplayGuardContractTarget,
  WebhookReplayGuardRawReader,
} from './webhook-replay-guard-contract.js';
export { webhookReplayGuardContract } from './webhook-replay-guard-contract.js';
