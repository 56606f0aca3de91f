// Contract suites, one per port, for adapter tests: they import vitest (describe/it/expect), so
// they live in their own subpath and `@parley/messaging-core/testing` stays importable without it.

export type {
  AdminNotificationRawReader,
  AdminNotificationRepositoryContractOptions,
  AdminNotificationRepositoryContractTarget,
} from '../../alerts/testing/contracts/admin-notification-repository-contract.js';
export {
  adminNotificationRepositoryContract,
  sampleAdminNotification,
} from '../../alerts/testing/contracts/admin-notification-repository-contract.js';
export type {
  AuditLogContractOptions,
  AuditLogContractTarget,
} from '../../audit/testing/contracts/audit-log-contract.js';
export { auditLogContract, sampleAuditEntry } from '../../audit/testing/contracts/audit-log-contract.js';
export type {
  AccessPolicyContractFixtures,
  AccessPolicyContractOptions,
} from '../../conversations/testing/contracts/access-policy-contract.js';
export { accessPolicyContract } from '../../conversations/testing/contracts/access-policy-contract.js';
export { archiveAndEditsContract } from '../../conversations/testing/contracts/archive-and-edits-contract.js';
export type {
  AttachmentStorageContractOptions,
  AttachmentStorageContractTarget,
} from '../../conversations/testing/contracts/attachment-storage-contract.js';
export {
  attachmentStorageContract,
  UNSAFE_STORAGE_PATHS,
} from '../../conversations/testing/contracts/attachment-storage-contract.js';
export type {
  BlockRepositoryContractOptions,
  BlockRepositoryContractTarget,
} from '../../conversations/testing/contracts/block-repository-contract.js';
export { blockRepositoryContract } from '../../conversations/testing/contracts/block-repository-contract.js';
export type {
  CareTeamContractOptions,
  CareTeamContractTarget,
} from '../../conversations/testing/contracts/care-team-contract.js';
export { careTeamContract } from '../../conversations/testing/contracts/care-team-contract.js';
export { deliveryReceiptsContract } from '../../conversations/testing/contracts/delivery-receipts-contract.js';
export type {
  MediaInspectorContractOptions,
  MediaInspectorContractTarget,
  MediaSample,
} from '../../conversations/testing/contracts/media-inspector-contract.js';
export { mediaInspectorContract } from '../../conversations/testing/contracts/media-inspector-contract.js';
export type {
  MessageSearchContractOptions,
  MessageSearchContractTarget,
} from '../../conversations/testing/contracts/message-search-contract.js';
export { messageSearchContract } from '../../conversations/testing/contracts/message-search-contract.js';
export type {
  MessagingStoreContractOptions,
  MessagingStoreContractTarget,
} from '../../conversations/testing/contracts/messaging-store-contract.js';
export { messagingStoreContract } from '../../conversations/testing/contracts/messaging-store-contract.js';
export type { ModerationSettingsRepositoryContractOptions } from '../../conversations/testing/contracts/moderation-contract.js';
export {
  moderationContract,
  moderationSettingsRepositoryContract,
} from '../../conversations/testing/contracts/moderation-contract.js';
export type { MessagingStoreRawReader } from '../../conversations/testing/contracts/raw-readers.js';
export type {
  EmailLogRepositoryContractOptions,
  EmailLogRepositoryContractTarget,
} from '../../email/testing/contracts/email-log-repository-contract.js';
export {
  emailLogRepositoryContract,
  sampleEmailLog,
} from '../../email/testing/contracts/email-log-repository-contract.js';
export type {
  EmailTemplateRepositoryContractOptions,
  EmailTemplateRepositoryContractTarget,
} from '../../email/testing/contracts/email-template-repository-contract.js';
export { emailTemplateRepositoryContract } from '../../email/testing/contracts/email-template-repository-contract.js';
export type {
  MailTransportContractOptions,
  MailTransportContractTarget,
  ReceivedEmail,
} from '../../email/testing/contracts/mail-transport-contract.js';
export { mailTransportContract } from '../../email/testing/contracts/mail-transport-contract.js';
export type { OutboundAddressGuardContractOptions } from '../../email/testing/contracts/outbound-address-guard-contract.js';
export {
  FORBIDDEN_ADDRESSES,
  outboundAddressGuardContract,
} from '../../email/testing/contracts/outbound-address-guard-contract.js';
export type {
  EmailLogRawReader,
  EmailTemplateRawReader,
  StoreEmailSettingsRawReader,
} from '../../email/testing/contracts/raw-readers.js';
export type {
  SendFailureStreakRawReader,
  SendFailureStreakRepositoryContractOptions,
  SendFailureStreakRepositoryContractTarget,
} from '../../email/testing/contracts/send-failure-streak-repository-contract.js';
export { sendFailureStreakRepositoryContract } from '../../email/testing/contracts/send-failure-streak-repository-contract.js';
export type {
  StoreEmailSettingsRepositoryContractOptions,
  StoreEmailSettingsRepositoryContractTarget,
} from '../../email/testing/contracts/store-email-settings-repository-contract.js';
export { storeEmailSettingsRepositoryContract } from '../../email/testing/contracts/store-email-settings-repository-contract.js';
export type { TemplateRendererContractOptions } from '../../email/testing/contracts/template-renderer-contract.js';
export { templateRendererContract } from '../../email/testing/contracts/template-renderer-contract.js';
export type {
  WebhookReplayGuardContractOptions,
  WebhookReplayGuardContractTarget,
  WebhookReplayGuardRawReader,
} from '../../email/testing/contracts/webhook-replay-guard-contract.js';
export { webhookReplayGuardContract } from '../../email/testing/contracts/webhook-replay-guard-contract.js';
export type {
  DirectoryContractOptions,
  DirectoryContractTarget,
} from '../../kernel/testing/contracts/directory-contract.js';
export { directoryContract } from '../../kernel/testing/contracts/directory-contract.js';
export { idGeneratorContract } from '../../kernel/testing/contracts/id-generator-contract.js';
export type {
  PeopleDirectoryContractOptions,
  PeopleDirectoryContractTarget,
} from '../../kernel/testing/contracts/people-directory-contract.js';
export { peopleDirectoryContract } from '../../kernel/testing/contracts/people-directory-contract.js';
export type { SettingsStoreRawReader } from '../../kernel/testing/contracts/raw-readers.js';
export type {
  SettingsStoreContractOptions,
  SettingsStoreContractTarget,
} from '../../kernel/testing/contracts/settings-store-contract.js';
export { settingsStoreContract } from '../../kernel/testing/contracts/settings-store-contract.js';
export type {
  DigestLedgerContractOptions,
  DigestLedgerContractTarget,
} from '../../notifications/testing/contracts/digest-ledger-contract.js';
export { digestLedgerContract } from '../../notifications/testing/contracts/digest-ledger-contract.js';
export type {
  EventLogContractOptions,
  EventLogContractTarget,
} from '../../notifications/testing/contracts/event-log-contract.js';
export { eventLogContract } from '../../notifications/testing/contracts/event-log-contract.js';
export type {
  NotificationPreferencesRepositoryContractOptions,
  NotificationPreferencesRepositoryContractTarget,
} from '../../notifications/testing/contracts/notification-preferences-repository-contract.js';
export { notificationPreferencesRepositoryContract } from '../../notifications/testing/contracts/notification-preferences-repository-contract.js';
export type {
  NotificationQueueContractOptions,
  NotificationQueueContractTarget,
} from '../../notifications/testing/contracts/notification-queue-contract.js';
export { notificationQueueContract } from '../../notifications/testing/contracts/notification-queue-contract.js';
export type { NotifyingMessagingStoreRawReader } from '../../notifications/testing/contracts/raw-readers.js';
export type { LiveSignalBusContractOptions } from '../../realtime/testing/contracts/live-signal-bus-contract.js';
export { liveSignalBusContract } from '../../realtime/testing/contracts/live-signal-bus-contract.js';
export type {
  WebhookRawReader,
  WebhookStoreContractOptions,
  WebhookStoreContractTarget,
} from '../../webhooks/testing/contracts/webhook-store-contract.js';
export { webhookStoreContract } from '../../webhooks/testing/contracts/webhook-store-contract.js';
export type {
  PersonalDataStoreContractOptions,
  PersonalDataStoreContractTarget,
} from './personal-data-store-contract.js';
export { personalDataStoreContract } from './personal-data-store-contract.js';
