import type { DirectoryEntry } from '../kernel/model/directory-entry.js';
import type { Actor, ParticipantRef } from '../kernel/model/participant-ref.js';
import { type Clock, systemClock } from '../kernel/ports/clock.js';
import type { Directory } from '../kernel/ports/directory.js';
import { type IdGenerator, uuidV7Ids } from '../kernel/ports/id-generator.js';
import type { SettingsStore } from '../kernel/ports/settings-store.js';
import { PlatformSettings } from '../kernel/settings/platform-settings.js';
import type { Conversation } from './model/conversation.js';
import { type ModerationSettings, moderationDefaultsFor } from './model/moderation.js';
import { CachingModerationSettings } from './moderation/caching-moderation-settings.js';
import { composeModerators, type ModeratorEntry } from './moderation/compose-moderators.js';
import type { AccessPolicy } from './policy/access-policy.js';
import { marketplacePolicy } from './policy/marketplace-policy.js';
import type { AttachmentStorage } from './ports/attachment-storage.js';
import type { MediaInspector } from './ports/media-inspector.js';
import type { MessageSearch } from './ports/message-search.js';
import type { MessagingStore } from './ports/messaging-store.js';
import type { ModerationSettingsRepository } from './ports/moderation-settings-repository.js';
import type { PreferencesChange } from './ports/participant-repository.js';
import { type AddParticipantsInput, addParticipants } from './use-cases/add-participants.js';
import {
  deleteAttachment,
  type OpenAttachmentOptions,
  type OpenedAttachment,
  openAttachment,
  type PresignAttachmentOptions,
  presignAttachmentDownload,
  purgeDeletedMessageFiles,
  type SweepResult,
  sweepOrphanFiles,
} from './use-cases/attachment-files.js';
import {
  type ChangeParticipantRoleInput,
  changeParticipantRole,
} from './use-cases/change-participant-role.js';
import type { CoreContext } from './use-cases/context.js';
import { type CreateConversationInput, createConversation } from './use-cases/create-conversation.js';
import { deleteMessage } from './use-cases/delete-message.js';
import {
  type BlockView,
  blockPerson,
  type DirectConversation,
  type DirectInbox,
  type DirectInboxInput,
  type DirectMessageView,
  deleteDirectMessage,
  getDirectConversation,
  listBlocks,
  listDirectInbox,
  markMessageRead,
  type SendDirectMessageInput,
  sendDirectMessage,
  unblockPerson,
} from './use-cases/direct-messages.js';
import {
  type EditMessageInput,
  editMessage,
  listMessageRevisions,
  type MessageRevisionList,
} from './use-cases/edit-message.js';
import { type GetConversationOptions, getConversation } from './use-cases/get-conversation.js';
import { getUnreadCount } from './use-cases/get-unread-count.js';
import { type LeaveConversationInput, leaveConversation } from './use-cases/leave-conversation.js';
import {
  type ConversationList,
  type ListConversationsInput,
  listConversations,
} from './use-cases/list-conversations.js';
import { type ListMessagesInput, listMessages, type MessageList } from './use-cases/list-messages.js';
import { type ListRecipientsInput, listRecipients } from './use-cases/list-recipients.js';
import {
  type MarkReadInput,
  markConversationRead,
  type ReadState,
} from './use-cases/mark-conversation-read.js';
import { type DeliveredState, type DeliveryAck, markDelivered } from './use-cases/mark-delivered.js';
import { type RemoveParticipantInput, removeParticipant } from './use-cases/remove-participant.js';
import { renameConversation } from './use-cases/rename-conversation.js';
import { type ActorClaims, resolveActor } from './use-cases/resolve-actor.js';
import {
  getModerationSettings,
  listModerationQueue,
  type ModerationItemView,
  type ModerationQueueInput,
  type ModerationQueueList,
  type ReviewMessageInput,
  reviewMessage,
  updateModerationSettings,
} from './use-cases/review-messages.js';
import {
  type MessageSearchResults,
  type SearchMessagesInput,
  searchMessages,
} from './use-cases/search-messages.js';
import { type SendMessageInput, type SendMessageResult, sendMessage } from './use-cases/send-message.js';
import {
  type SendMessageWithAttachmentsInput,
  sendMessageWithAttachments,
} from './use-cases/send-message-with-attachments.js';
import {
  type ArchiveState,
  archiveConversation,
  unarchiveConversation,
} from './use-cases/set-conversation-archived.js';
import { closeConversation, reopenConversation } from './use-cases/set-conversation-closed.js';
import { typingAudience } from './use-cases/typing-audience.js';
import { type Preferences, updatePreferences } from './use-cases/update-preferences.js';
import type { ConversationDetail, MemberView, MessageView } from './use-cases/views.js';

export interface MessagingCoreDependencies {
  readonly store: MessagingStore;
  readonly directory: Directory;
  readonly settings: SettingsStore;
  /** Defaults to `marketplacePolicy`. */
  readonly policy?: AccessPolicy;
  /** Defaults to the wall clock. */
  readonly clock?: Clock;
  /** Defaults to UUIDv7. */
  readonly ids?: IdGenerator;
  /** Reuse platform settings read from the store for this long (default 1000 ms; 0: always read). */
  readonly settingsCacheTtlMs?: number;
  /** Where attachment bytes live; without it (and `mediaInspector`) attachment use cases fail with `INTERNAL`. */
  readonly attachmentStorage?: AttachmentStorage;
  /** Detects file types, measures and thumbnails images. */
  readonly mediaInspector?: MediaInspector;
  /**
   * When set and `attachmentStorage` can presign (S3), `presignAttachmentDownload` answers URLs
   * valid this many seconds; absent: it answers null and downloads go through `openAttachment`.
   */
  readonly presignedDownloadSeconds?: number;
  /** Full-text message search; without it `searchMessages` fails with `INTERNAL`. */
  readonly search?: MessageSearch;
  /**
   * Content moderation: the moderators asked in order before a message or an edit is stored
   * (each with its time limit and failure mode), where tenants' configurations are kept, and the
   * defaults (else the policy's preset's, `moderationDefaultsFor`). Absent: nothing is moderated.
   */
  readonly moderation?: {
    readonly moderators: readonly ModeratorEntry[];
    readonly settings: ModerationSettingsRepository;
    readonly defaults?: ModerationSettings;
  };
}

/**
 * Parley's use cases, bound to their ports. Every method takes the acting participant first;
 * failures are `MessagingError`s.
 */
export interface MessagingCore {
  readonly policy: AccessPolicy;
  readonly settings: PlatformSettings;
  resolveActor(claims: ActorClaims): Promise<Actor>;
  createConversation(actor: Actor, input: CreateConversationInput): Promise<ConversationDetail>;
  getConversation(
    actor: Actor,
    conversationId: string,
    options?: GetConversationOptions,
  ): Promise<ConversationDetail>;
  listConversations(actor: Actor, input?: ListConversationsInput): Promise<ConversationList>;
  listMessages(actor: Actor, conversationId: string, input?: ListMessagesInput): Promise<MessageList>;
  /** See `searchMessages`. */
  searchMessages(actor: Actor, input: SearchMessagesInput): Promise<MessageSearchResults>;
  sendMessage(actor: Actor, input: SendMessageInput): Promise<SendMessageResult>;
  sendMessageWithAttachments(
    actor: Actor,
    input: SendMessageWithAttachmentsInput,
  ): Promise<SendMessageResult>;
  openAttachment(
    actor: Actor,
    conversationId: string,
    attachmentId: string,
    options?: OpenAttachmentOptions,
  ): Promise<OpenedAttachment>;
  presignAttachmentDownload(
    actor: Actor,
    conversationId: string,
    attachmentId: string,
    options: PresignAttachmentOptions,
  ): Promise<string | null>;
  deleteAttachment(actor: Actor, conversationId: string, attachmentId: string): Promise<void>;
  purgeDeletedMessageFiles(actor: Actor, conversationId: string, messageId: string): Promise<number>;
  sweepOrphanFiles(input: { olderThan: Date }): Promise<SweepResult>;
  markConversationRead(actor: Actor, conversationId: string, input?: MarkReadInput): Promise<ReadState>;
  /** Client acknowledgements of delivery, batched across actors: see `markDelivered`. */
  markDelivered(entries: readonly DeliveryAck[]): Promise<DeliveredState[]>;
  getUnreadCount(actor: Actor): Promise<{ totalUnread: number }>;
  closeConversation(actor: Actor, conversationId: string): Promise<Conversation>;
  reopenConversation(actor: Actor, conversationId: string): Promise<Conversation>;
  /** See `renameConversation`. */
  renameConversation(actor: Actor, conversationId: string, subject: unknown): Promise<Conversation>;
  updatePreferences(actor: Actor, conversationId: string, change: PreferencesChange): Promise<Preferences>;
  deleteMessage(actor: Actor, conversationId: string, messageId: string): Promise<MessageView>;
  /** See `editMessage`. */
  editMessage(actor: Actor, input: EditMessageInput): Promise<MessageView>;
  /** See `listModerationQueue`. */
  listModerationQueue(actor: Actor, input?: ModerationQueueInput): Promise<ModerationQueueList>;
  /** See `reviewMessage`. */
  reviewMessage(actor: Actor, input: ReviewMessageInput): Promise<ModerationItemView>;
  /** See `getModerationSettings`. */
  getModerationSettings(actor: Actor, tenantId: string): Promise<ModerationSettings>;
  /** See `updateModerationSettings`. */
  updateModerationSettings(actor: Actor, tenantId: string, input: unknown): Promise<ModerationSettings>;
  /** See `listMessageRevisions`. */
  listMessageRevisions(actor: Actor, conversationId: string, messageId: string): Promise<MessageRevisionList>;
  /** See `archiveConversation`. */
  archiveConversation(actor: Actor, conversationId: string): Promise<ArchiveState>;
  /** See `unarchiveConversation`. */
  unarchiveConversation(actor: Actor, conversationId: string): Promise<ArchiveState>;
  listRecipients(actor: Actor, input: ListRecipientsInput): Promise<DirectoryEntry[]>;
  addParticipants(actor: Actor, input: AddParticipantsInput): Promise<MemberView[]>;
  removeParticipant(actor: Actor, input: RemoveParticipantInput): Promise<MemberView[]>;
  changeParticipantRole(actor: Actor, input: ChangeParticipantRoleInput): Promise<MemberView[]>;
  leaveConversation(actor: Actor, input: LeaveConversationInput): Promise<void>;
  /** Username-addressed, one conversation per pair (care-team): see `direct-messages.ts`. */
  sendDirectMessage(actor: Actor, input: SendDirectMessageInput): Promise<DirectMessageView>;
  listDirectInbox(actor: Actor, input: DirectInboxInput): Promise<DirectInbox>;
  getDirectConversation(
    actor: Actor,
    username: string,
    input: { readonly limit: number },
  ): Promise<DirectConversation>;
  markMessageRead(
    actor: Actor,
    messageId: string,
  ): Promise<{ readonly messageId: string; readonly isRead: true; readonly readAt: Date }>;
  deleteDirectMessage(actor: Actor, messageId: string): Promise<void>;
  blockPerson(actor: Actor, username: string): Promise<BlockView & { readonly created: boolean }>;
  unblockPerson(actor: Actor, username: string): Promise<void>;
  listBlocks(actor: Actor): Promise<BlockView[]>;
  /** Who the actor's typing indicator in a conversation is for (the other active members): see `typingAudience`. */
  typingAudience(actor: Actor, conversationId: string): Promise<ParticipantRef[]>;
}

/**
 * Builds the core from its ports: the composition root calls this once.
 *
 * @example
 * ```ts
 * const core = createMessagingCore({
 *   store: new InMemoryMessagingStore(),
 *   directory: new InMemoryMarketplaceDirectory(),
 *   settings: new InMemorySettingsStore(),
 * });
 * await core.sendMessage(actor, { conversationId, content: 'Hello' });
 * ```
 */
export function createMessagingCore(deps: MessagingCoreDependencies): MessagingCore {
  const clock = deps.clock ?? systemClock;
  const ctx: CoreContext = {
    store: deps.store,
    directory: deps.directory,
    settings: new PlatformSettings(deps.settings, clock, {
      ...(deps.settingsCacheTtlMs === undefined ? {} : { cacheTtlMs: deps.settingsCacheTtlMs }),
    }),
    policy: deps.policy ?? marketplacePolicy,
    clock,
    ids: deps.ids ?? uuidV7Ids,
    ...(deps.attachmentStorage && deps.mediaInspector
      ? {
          attachments: {
            storage: deps.attachmentStorage,
            inspector: deps.mediaInspector,
            ...(deps.presignedDownloadSeconds === undefined
              ? {}
              : { presignedDownloadSeconds: deps.presignedDownloadSeconds }),
          },
        }
      : {}),
    ...(deps.search === undefined ? {} : { search: deps.search }),
    ...(deps.moderation === undefined
      ? {}
      : {
          moderation: {
            chain: composeModerators(deps.moderation.moderators),
            settings: new CachingModerationSettings(deps.moderation.settings, {
              now: () => clock.now().getTime(),
            }),
            defaults:
              deps.moderation.defaults ??
              moderationDefaultsFor((deps.policy ?? marketplacePolicy).definition.name),
          },
        }),
  };
  return {
    policy: ctx.policy,
    settings: ctx.settings,
    resolveActor: (claims) => resolveActor(ctx, claims),
    createConversation: (actor, input) => createConversation(ctx, actor, input),
    getConversation: (actor, id, options) => getConversation(ctx, actor, id, options),
    listConversations: (actor, input) => listConversations(ctx, actor, input),
    listMessages: (actor, id, input) => listMessages(ctx, actor, id, input),
    searchMessages: (actor, input) => searchMessages(ctx, actor, input),
    sendMessage: (actor, input) => sendMessage(ctx, actor, input),
    sendMessageWithAttachments: (actor, input) => sendMessageWithAttachments(ctx, actor, input),
    openAttachment: (actor, conversationId, attachmentId, options) =>
      openAttachment(ctx, actor, conversationId, attachmentId, options),
    deleteAttachment: (actor, conversationId, attachmentId) =>
      deleteAttachment(ctx, actor, conversationId, attachmentId),
    presignAttachmentDownload: (actor, conversationId, attachmentId, options) =>
      presignAttachmentDownload(ctx, actor, conversationId, attachmentId, options),
    purgeDeletedMessageFiles: (actor, conversationId, messageId) =>
      purgeDeletedMessageFiles(ctx, actor, conversationId, messageId),
    sweepOrphanFiles: (input) => sweepOrphanFiles(ctx, input),
    markConversationRead: (actor, id, input) => markConversationRead(ctx, actor, id, input),
    markDelivered: (entries) => markDelivered(ctx, entries),
    getUnreadCount: (actor) => getUnreadCount(ctx, actor),
    closeConversation: (actor, id) => closeConversation(ctx, actor, id),
    reopenConversation: (actor, id) => reopenConversation(ctx, actor, id),
    renameConversation: (actor, id, subject) => renameConversation(ctx, actor, id, subject),
    updatePreferences: (actor, id, change) => updatePreferences(ctx, actor, id, change),
    deleteMessage: (actor, conversationId, messageId) => deleteMessage(ctx, actor, conversationId, messageId),
    editMessage: (actor, input) => editMessage(ctx, actor, input),
    listModerationQueue: (actor, input) => listModerationQueue(ctx, actor, input),
    reviewMessage: (actor, input) => reviewMessage(ctx, actor, input),
    getModerationSettings: (actor, tenantId) => getModerationSettings(ctx, actor, tenantId),
    updateModerationSettings: (actor, tenantId, input) =>
      updateModerationSettings(ctx, actor, tenantId, input),
    listMessageRevisions: (actor, conversationId, messageId) =>
      listMessageRevisions(ctx, actor, conversationId, messageId),
    archiveConversation: (actor, id) => archiveConversation(ctx, actor, id),
    unarchiveConversation: (actor, id) => unarchiveConversation(ctx, actor, id),
    listRecipients: (actor, input) => listRecipients(ctx, actor, input),
    addParticipants: (actor, input) => addParticipants(ctx, actor, input),
    removeParticipant: (actor, input) => removeParticipant(ctx, actor, input),
    changeParticipantRole: (actor, input) => changeParticipantRole(ctx, actor, input),
    leaveConversation: (actor, input) => leaveConversation(ctx, actor, input),
    sendDirectMessage: (actor, input) => sendDirectMessage(ctx, actor, input),
    listDirectInbox: (actor, input) => listDirectInbox(ctx, actor, input),
    getDirectConversation: (actor, username, input) => getDirectConversation(ctx, actor, username, input),
    markMessageRead: (actor, messageId) => markMessageRead(ctx, actor, messageId),
    deleteDirectMessage: (actor, messageId) => deleteDirectMessage(ctx, actor, messageId),
    blockPerson: (actor, username) => blockPerson(ctx, actor, username),
    unblockPerson: (actor, username) => unblockPerson(ctx, actor, username),
    listBlocks: (actor) => listBlocks(ctx, actor),
    typingAudience: (actor, conversationId) => typingAudience(ctx, actor, conversationId),
  };
}
