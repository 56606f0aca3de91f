// @parley/messaging-core/conversations: this context's public names (the package index re-exports them).
export type { AllowedType, AttachmentKind } from './attachments/allowed-types.js';
export {
  ALLOWED_TYPES,
  classifyAttachment,
  declaredExtension,
  TextContentCheck,
  textType,
} from './attachments/allowed-types.js';
export { sanitizeFilename } from './attachments/sanitize-filename.js';
export { assertSafeStoragePath, assertSafeStoragePrefix, fileTooLarge } from './attachments/storage-path.js';
export type { MessagingCore, MessagingCoreDependencies } from './messaging-core.js';
export { createMessagingCore } from './messaging-core.js';
export type { MessageAttachment } from './model/attachment.js';
export type { Conversation, ConversationParticipant } from './model/conversation.js';
export { effectiveDeliveredSeq, isActiveMember, SUBJECT_MAX_LENGTH } from './model/conversation.js';
export type {
  ConversationArchivedEvent,
  ConversationClosedEvent,
  ConversationCreatedEvent,
  ConversationDeliveredEvent,
  ConversationReadEvent,
  ConversationRenamedEvent,
  ConversationReopenedEvent,
  ConversationUnarchivedEvent,
  DomainEvent,
  DomainEventType,
  ErasureCounts,
  EventPayloads,
  EventRecord,
  LoggedEvent,
  MessageDeletedEvent,
  MessageSentEvent,
  MessageUpdatedEvent,
  NotificationPreferencesUpdatedEvent,
  ParticipantAddedEvent,
  ParticipantErasedEvent,
  ParticipantExportedEvent,
  ParticipantJson,
  ParticipantPreferencesUpdatedEvent,
  ParticipantRemovedEvent,
  ParticipantRoleChangedEvent,
} from './model/domain-event.js';
export { DOMAIN_EVENT_TYPES, messageSentPayload, recipientsOf, toEventRecord } from './model/domain-event.js';
export type { Message, MessageRevision } from './model/message.js';
export { DEFAULT_MESSAGE_MAX_LENGTH, revisionOf } from './model/message.js';
// Moderation (issue 14).
export type {
  ContactDetailsSettings,
  MessageModeration,
  ModerationAction,
  ModerationMatchAction,
  ModerationSettings,
  ModerationState,
  ModerationVerdict,
  WordListSettings,
} from './model/moderation.js';
export {
  DEFAULT_MODERATION_SETTINGS,
  hiddenByModeration,
  MAX_MODERATION_TERM_LENGTH,
  MAX_MODERATION_TERMS,
  MODERATION_MATCH_ACTIONS,
  MODERATION_STATES,
  moderationDefaultsFor,
  PRESET_MODERATION_DEFAULTS,
} from './model/moderation.js';
export type { SnippetSegment } from './model/search-text.js';
export {
  containsEveryTerm,
  everyTermStartsAWord,
  highlightSnippet,
  SEARCH_MAX_TERMS,
  SEARCH_QUERY_MAX_LENGTH,
  SNIPPET_LENGTH,
  searchTerms,
} from './model/search-text.js';
export { CachingModerationSettings } from './moderation/caching-moderation-settings.js';
export type {
  ModerationChain,
  ModerationFailureMode,
  ModerationOutcome,
  ModeratorEntry,
} from './moderation/compose-moderators.js';
export { composeModerators } from './moderation/compose-moderators.js';
export {
  contactDetailsModerator,
  findContactDetails,
  MODERATION_MASK,
} from './moderation/contact-details-moderator.js';
export type {
  AccessPolicy,
  CapabilityScope,
  ConversationAction,
  ConversationTypeDefinition,
  DecisionFacts,
  MembershipChange,
  PolicyDecision,
  RecipientScope,
  StartDecision,
  TeamInboxScope,
  TeamSpec,
} from './policy/access-policy.js';
export type { CareTeamParticipantType } from './policy/care-team-policy.js';
export {
  ADMINS_CANNOT_BE_BLOCKED,
  BLOCKED_BY_RECIPIENT,
  CARE_TEAM_PARTICIPANT_TYPES,
  careTeamDefinition,
  careTeamPolicy,
  careTeamPreset,
  USERS_ONLY_REPLY_TO_CLINICIANS,
} from './policy/care-team-policy.js';
export { communityDefinition, communityPolicy, communityPreset } from './policy/community-policy.js';
export { createAccessPolicy, InvalidPolicyDefinitionError } from './policy/create-access-policy.js';
export type { MarketplaceParticipantType } from './policy/marketplace-policy.js';
export {
  MARKETPLACE_CONVERSATION_TYPES,
  MARKETPLACE_PARTICIPANT_TYPES,
  marketplaceDefinition,
  marketplacePolicy,
  marketplacePreset,
} from './policy/marketplace-policy.js';
export type {
  CapabilityRow,
  ConversationTypeSpec,
  ParticipantTypeDefinition,
  Pattern,
  PermissionRow,
  PlatformCapability,
  PolicyAction,
  PolicyDefinition,
  PolicyPredicate,
  RefusalTable,
  RolePattern,
} from './policy/policy-definition.js';
export {
  definitionProblems,
  NON_MEMBER,
  PLATFORM_CAPABILITIES,
  POLICY_ACTIONS,
  POLICY_PREDICATES,
} from './policy/policy-definition.js';
export type { DemoConversation, DemoPerson, DemoTenant, Preset } from './policy/preset.js';
export type { PresetName } from './policy/presets.js';
export { PRESET_NAMES, PRESETS, presetByName } from './policy/presets.js';
export { requireCapability, tenantEmailOf } from './policy/require-capability.js';
export type {
  AttachmentStorage,
  ByteRange,
  ByteStream,
  PresignReadOptions,
  PutObjectInput,
  StoredObject,
  StoredObjectInfo,
} from './ports/attachment-storage.js';
export type { BlockRecord, BlockRepository } from './ports/block-repository.js';
export type { ContentModerator, ModerationRequest } from './ports/content-moderator.js';
export type {
  CloseStateChange,
  ConversationRepository,
  InboxCounts,
  InboxCursor,
  InboxEntry,
  InboxFilter,
  InboxPage,
  InboxPageRequest,
  TeamInboxFilter,
} from './ports/conversation-repository.js';
export type { EventBatch, EventLog, EventSubscriber } from './ports/event-log.js';
export type { DetectedType, ImageSize, MediaInspector, Thumbnail } from './ports/media-inspector.js';
export type {
  AppendMessageInput,
  AppendMessageResult,
  EditMessageChange,
  EditMessageResult,
  HideResult,
  MessagePage,
  MessagePageRequest,
  MessageRepository,
  ModerationQueueItem,
  ModerationQueuePage,
  ModerationQueueRequest,
  NewMessage,
  ReviewDecision,
  ReviewResult,
  SoftDeleteInput,
} from './ports/message-repository.js';
export type {
  MessageSearch,
  MessageSearchHit,
  MessageSearchPage,
  MessageSearchQuery,
  SearchCursor,
  SearchScope,
  SearchSort,
} from './ports/message-search.js';
export { SEARCH_RELEVANCE_WINDOW } from './ports/message-search.js';
export type { MessagingRepositories, MessagingStore } from './ports/messaging-store.js';
export type { ModerationSettingsRepository } from './ports/moderation-settings-repository.js';
export type {
  DeliveryAdvance,
  JoinRequest,
  ParticipantRepository,
  PreferencesChange,
  ReceiptTime,
} from './ports/participant-repository.js';
export type { AddParticipantsInput } from './use-cases/add-participants.js';
export type {
  ByteRangeRequest,
  OpenAttachmentOptions,
  OpenedAttachment,
  PresignAttachmentOptions,
  SweepResult,
} from './use-cases/attachment-files.js';
export type { ChangeParticipantRoleInput } from './use-cases/change-participant-role.js';
export type { CreateConversationInput } from './use-cases/create-conversation.js';
export type {
  BlockView,
  DirectConversation,
  DirectInbox,
  DirectInboxInput,
  DirectInboxRow,
  DirectMessageView,
  SendDirectMessageInput,
} from './use-cases/direct-messages.js';
export type {
  EditMessageInput,
  MessageRevisionList,
  MessageRevisionView,
} from './use-cases/edit-message.js';
export type { GetConversationOptions } from './use-cases/get-conversation.js';
export type { LeaveConversationInput } from './use-cases/leave-conversation.js';
export type { ConversationList, ListConversationsInput } from './use-cases/list-conversations.js';
export type { ListMessagesInput, MessageList } from './use-cases/list-messages.js';
export type { ListRecipientsInput } from './use-cases/list-recipients.js';
export type { MarkReadInput, ReadState } from './use-cases/mark-conversation-read.js';
export type { DeliveredState, DeliveryAck } from './use-cases/mark-delivered.js';
export type { RemoveParticipantInput } from './use-cases/remove-participant.js';
export type { ActorClaims } from './use-cases/resolve-actor.js';
export type {
  ModerationItemView,
  ModerationQueueInput,
  ModerationQueueList,
  ReviewMessageInput,
} from './use-cases/review-messages.js';
export { mergeModerationSettings } from './use-cases/review-messages.js';
export type {
  MessageSearchResult,
  MessageSearchResults,
  SearchMessagesInput,
} from './use-cases/search-messages.js';
export type { NewAttachment, SendMessageInput, SendMessageResult } from './use-cases/send-message.js';
export type {
  SendMessageWithAttachmentsInput,
  UploadedFile,
} from './use-cases/send-message-with-attachments.js';
export { DETECTION_HEAD_BYTES, THUMBNAIL_MAX_SIDE } from './use-cases/send-message-with-attachments.js';
export type { ArchiveState } from './use-cases/set-conversation-archived.js';
export type { Preferences } from './use-cases/update-preferences.js';
export type {
  ConversationDetail,
  ConversationSummary,
  LastMessagePreview,
  MemberView,
  MessageReceipts,
  MessageView,
  ParticipantView,
  ReceiptView,
} from './use-cases/views.js';
export { noReceiptsYet, PREVIEW_LENGTH, RECEIPT_LIST_MAX_MEMBERS } from './use-cases/views.js';
