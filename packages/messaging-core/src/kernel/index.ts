// @parley/messaging-core/kernel: this context's public names (the package index re-exports them).

export type {
  AuditActor,
  AuditAuthor,
  AuditEntry,
  AuditJson,
  AuditRecord,
  AuditTarget,
} from './audit/audit-entry.js';
export { auditEntryBy, diffOf, MASKED, maskSecrets, originColumns } from './audit/audit-entry.js';
export type { AuditLog, AuditQuery } from './audit/audit-log.js';
export type { AuditableRecord } from './audit/audited-events.js';
export { AUDITED_EVENTS, auditEntryOf, isAudited } from './audit/audited-events.js';
export type { CachingDirectoryOptions } from './directory/caching-directory.js';
export { CachingDirectory } from './directory/caching-directory.js';
export type { DirectoryChangedPayload, DirectoryEventPayloads } from './directory/directory-events.js';
export { changedParticipantId, DIRECTORY_CHANGED } from './directory/directory-events.js';
export type { MessagingErrorCode, MessagingErrorOptions } from './errors.js';
export { isMessagingError, MESSAGING_ERROR_CODES, MessagingError } from './errors.js';
export type {
  DispatchOutcome,
  DispatchRound,
  EventDispatcher,
  EventDispatcherOptions,
  EventLogUnit,
  EventStore,
  EventSubscriberOf,
} from './events/event-dispatcher.js';
export { createEventDispatcher, dispatchBatch } from './events/event-dispatcher.js';
export type { DirectoryEntry } from './model/directory-entry.js';
export type { EventPosition, EventRecordOf, LoggedEventOf } from './model/event-envelope.js';
export { comparePositions, LOG_START } from './model/event-envelope.js';
export type { Actor, ParticipantRef } from './model/participant-ref.js';
export { participantKey, sameParticipant } from './model/participant-ref.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type { Directory, RecipientQuery } from './ports/directory.js';
export type { EventBatchOf, EventLogOf } from './ports/event-log.js';
export type { IdGenerator } from './ports/id-generator.js';
export { uuidV7Ids } from './ports/id-generator.js';
export type {
  CustomerRecord,
  MarketplaceDirectory,
  PlatformUserRecord,
  PlatformUserRole,
  StoreRecord,
  StoreTier,
  UpsertCustomer,
  UpsertPlatformUser,
  UpsertStore,
} from './ports/marketplace-directory.js';
export { STORE_TIERS } from './ports/marketplace-directory.js';
export type {
  PeopleDirectory,
  PersonRecord,
  TenantRecord,
  UpsertPerson,
  UpsertTenant,
} from './ports/people-directory.js';
export type { SettingsStore, SettingValue, StoredSetting } from './ports/settings-store.js';
export type { TenantDirectory, TenantSummary } from './ports/tenant-directory.js';
export type { CachingSettingsStoreOptions } from './settings/caching-settings-store.js';
export { CachingSettingsStore } from './settings/caching-settings-store.js';
export type {
  PlatformSettingsOptions,
  ResolvedSetting,
  SettingDefinition,
  SettingKey,
} from './settings/platform-settings.js';
export { PlatformSettings, SETTING_DEFINITIONS } from './settings/platform-settings.js';
export type { SettingsChangedPayload } from './settings/settings-events.js';
export { changedSettingKey, SETTINGS_CHANGED } from './settings/settings-events.js';
