export type { MessagingErrorCode, MessagingErrorOptions } from './errors.js';
export { isMessagingError, MESSAGING_ERROR_CODES, MessagingError } from './errors.js';
export type { MessagingCore, MessagingCoreDependencies } from './messaging-core.js';
export { createMessagingCore } from './messaging-core.js';
export type { MessageAttachment } from './model/attachment.js';
export type { Conversation, ConversationParticipant } from './model/conversation.js';
export { SUBJECT_MAX_LENGTH } from './model/conversation.js';
export type { DeliveryEvent, DeliveryEventType } from './model/delivery-event.js';
export { DELIVERY_EVENT_TYPES } from './model/delivery-event.js';
export type { DirectoryEntry } from './model/directory-entry.js';
export type {
  ConversationClosedEvent,
  ConversationCreatedEvent,
  ConversationReadEvent,
  ConversationReopenedEvent,
  DomainEvent,
  DomainEventType,
  MessageDeletedEvent,
  MessageSentEvent,
  ParticipantPreferencesUpdatedEvent,
} from './model/domain-event.js';
export type { EmailLog, EmailStatus } from './model/email-log.js';
export { EMAIL_STATUSES } from './model/email-log.js';
export type { Message } from './model/message.js';
export { DEFAULT_MESSAGE_MAX_LENGTH } from './model/message.js';
export type { Actor, ParticipantRef } from './model/participant-ref.js';
export { participantKey, sameParticipant } from './model/participant-ref.js';
export type {
  AccessPolicy,
  ConversationAction,
  ConversationTypeDefinition,
  PolicyDecision,
  RecipientScope,
  StartDecision,
} from './policy/access-policy.js';
export type { MarketplaceParticipantType } from './policy/marketplace-policy.js';
export {
  MARKETPLACE_CONVERSATION_TYPES,
  MARKETPLACE_PARTICIPANT_TYPES,
  marketplacePolicy,
} from './policy/marketplace-policy.js';
export type {
  AttachmentStorage,
  ByteStream,
  PutObjectInput,
  StoredObject,
} from './ports/attachment-storage.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type {
  CloseStateChange,
  ConversationRepository,
  InboxCounts,
  InboxCursor,
  InboxEntry,
  InboxFilter,
  InboxPage,
  InboxPageRequest,
} from './ports/conversation-repository.js';
export type { Directory, RecipientQuery } from './ports/directory.js';
export type { EventPublisher } from './ports/event-publisher.js';
export { noopEventPublisher } from './ports/event-publisher.js';
export type { IdGenerator } from './ports/id-generator.js';
export { uuidV7Ids } from './ports/id-generator.js';
export type { MailAddress, MailSendResult, MailTransport, OutboundEmail } from './ports/mail-transport.js';
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
  AppendMessageInput,
  AppendMessageResult,
  MessagePage,
  MessagePageRequest,
  MessageRepository,
  NewMessage,
  SoftDeleteInput,
} from './ports/message-repository.js';
export type { MessagingRepositories, MessagingStore } from './ports/messaging-store.js';
export type { ParticipantRepository, PreferencesChange } from './ports/participant-repository.js';
export type { SettingsStore, SettingValue, StoredSetting } from './ports/settings-store.js';
export type {
  PlatformSettingsOptions,
  ResolvedSetting,
  SettingDefinition,
  SettingKey,
} from './settings/platform-settings.js';
export { PlatformSettings, SETTING_DEFINITIONS } from './settings/platform-settings.js';
export { isValidEmail } from './support/email-address.js';
export { prepareOutboundEmail, stripLineBreaks } from './support/outbound-email.js';
export type { CreateConversationInput } from './use-cases/create-conversation.js';
export type { GetConversationOptions } from './use-cases/get-conversation.js';
export type { ConversationList, ListConversationsInput } from './use-cases/list-conversations.js';
export type { ListMessagesInput, MessageList } from './use-cases/list-messages.js';
export type { ListRecipientsInput } from './use-cases/list-recipients.js';
export type { ReadState } from './use-cases/mark-conversation-read.js';
export type { ActorClaims } from './use-cases/resolve-actor.js';
export type { NewAttachment, SendMessageInput, SendMessageResult } from './use-cases/send-message.js';
export type { Preferences } from './use-cases/update-preferences.js';
export type {
  ConversationDetail,
  ConversationSummary,
  LastMessagePreview,
  MemberView,
  MessageView,
  ParticipantView,
} from './use-cases/views.js';
export { PREVIEW_LENGTH } from './use-cases/views.js';
