import type { AccessPolicy } from '@parley/messaging-core';
import { type TSchema, Type } from 'typebox';
import {
  AdminNotificationListWire,
  AdminNotificationPriority,
  AdminNotificationType,
  UnreadCountWire as AdminNotificationUnreadCountWire,
  AdminNotificationWire,
  MarkAllReadWire,
} from './admin-notifications.js';
import { Problem } from './common.js';
import {
  EmailLogListWire,
  EmailLogWire,
  Provider as EmailProvider,
  EmailSettingsWire,
  EmailStatus,
  MaskedSecretWire,
  VerifyEmailSettingsWire,
} from './email.js';
import {
  Category as EmailTemplateCategory,
  EmailTemplateListWire,
  EmailTemplateWire,
  RenderedEmailWire,
  StoreEmailTemplateListWire,
  StoreEmailTemplateOverrideWire,
  StoreEmailTemplateWire,
} from './email-templates.js';
import { EmailWebhookSummaryWire } from './email-webhooks.js';
import { HealthWire, ReadinessWire } from './health.js';
import {
  AttachmentWire,
  ConversationDetailWire,
  ConversationListWire,
  ConversationSummaryWire,
  ConversationTypeField,
  LastMessagePreviewWire,
  MemberListWire,
  MemberWire,
  MessageListWire,
  MessageWire,
  ParticipantRoleField,
  ParticipantTypeField,
  ParticipantWire,
  PreferencesWire,
  PurgeWire,
  ReadStateWire,
  ReceiptWire,
  RecipientListWire,
  RecipientWire,
  UnreadCountWire,
} from './messaging.js';
import { EmailFrequencyField, NotificationPreferencesWire } from './notification-preferences.js';
import { PersonWire, TenantWire } from './people.js';
import { CustomerWire, StoreWire, UserWire } from './platform.js';
import { ParticipantRefWire, PresenceStatusWire, PresenceWire, RealtimeTicketWire } from './realtime.js';
import {
  MessageSearchPageWire,
  MessageSearchResultWire,
  SearchConversationWire,
  SearchMessageWire,
  SnippetSegmentWire,
} from './search.js';
import { SettingListWire, SettingWire } from './settings.js';
import {
  CreatedWebhookEndpointWire,
  RotatedWebhookSecretWire,
  WebhookAttemptWire,
  WebhookDeliveryDetailWire,
  WebhookDeliveryListWire,
  WebhookDeliveryStatus,
  WebhookDeliveryWire,
  WebhookEndpointListWire,
  WebhookEndpointWire,
} from './webhooks.js';

/**
 * A shape of the API with a name in the OpenAPI document (`components.schemas`), so generated
 * clients get a named type for it. Routes keep declaring the TypeBox schema itself (validation,
 * serialization and types stay as they are); the document refers to the name wherever the very
 * same schema object appears in a response (`referenceNamed`).
 */
export interface NamedSchema {
  readonly name: string;
  /** The schema object the routes declare, recognised by identity. */
  readonly schema: TSchema;
  /** What the document defines under the name when it says more than `schema` (a preset's values). */
  readonly definition?: TSchema;
}

/** Every value of `values`, once, in first-seen order, as a closed string set. */
function closedSet(values: Iterable<string>, description: string): TSchema {
  return Type.String({ enum: [...new Set(values)], description });
}

/**
 * The named shapes of the API for one preset: the enumerations the access policy defines
 * (conversation and participant types, roles), then the response shapes. Pure; the OpenAPI
 * plugin registers them (`app.addSchema`) and the document refers to them by name.
 */
export function namedSchemas(policy: AccessPolicy): readonly NamedSchema[] {
  const conversationTypes = policy.conversationTypes.map((definition) => definition.type);
  return [
    {
      name: 'ConversationType',
      schema: ConversationTypeField,
      definition: closedSet(conversationTypes, `The conversation types of the ${policy.name} preset.`),
    },
    {
      name: 'ParticipantType',
      schema: ParticipantTypeField,
      definition: closedSet(policy.participantTypes, `The participant types of the ${policy.name} preset.`),
    },
    {
      name: 'ParticipantRole',
      schema: ParticipantRoleField,
      definition: closedSet(
        conversationTypes.flatMap((type) => policy.memberRoles(type)),
        `The member roles of the ${policy.name} preset (which apply depends on the conversation type).`,
      ),
    },
    { name: 'ProblemCode', schema: Problem.properties.code },
    { name: 'Problem', schema: Problem },
    { name: 'Participant', schema: ParticipantWire },
    { name: 'ConversationMember', schema: MemberWire },
    { name: 'ConversationMemberList', schema: MemberListWire },
    { name: 'LastMessage', schema: LastMessagePreviewWire },
    { name: 'ConversationSummary', schema: ConversationSummaryWire },
    { name: 'ConversationDetail', schema: ConversationDetailWire },
    { name: 'ConversationPage', schema: ConversationListWire },
    { name: 'Attachment', schema: AttachmentWire },
    { name: 'Receipt', schema: ReceiptWire },
    { name: 'Message', schema: MessageWire },
    { name: 'MessagePage', schema: MessageListWire },
    { name: 'UnreadCount', schema: UnreadCountWire },
    { name: 'SnippetSegment', schema: SnippetSegmentWire },
    { name: 'SearchConversation', schema: SearchConversationWire },
    { name: 'SearchMessage', schema: SearchMessageWire },
    { name: 'MessageSearchResult', schema: MessageSearchResultWire },
    { name: 'MessageSearchPage', schema: MessageSearchPageWire },
    { name: 'Recipient', schema: RecipientWire },
    { name: 'RecipientList', schema: RecipientListWire },
    { name: 'ReadState', schema: ReadStateWire },
    { name: 'Preferences', schema: PreferencesWire },
    { name: 'PurgedFiles', schema: PurgeWire },
    { name: 'RealtimeTicket', schema: RealtimeTicketWire },
    { name: 'ParticipantRef', schema: ParticipantRefWire },
    { name: 'PresenceStatus', schema: PresenceStatusWire },
    { name: 'Presence', schema: PresenceWire },
    { name: 'Health', schema: HealthWire },
    { name: 'Readiness', schema: ReadinessWire },
    { name: 'Setting', schema: SettingWire },
    { name: 'SettingList', schema: SettingListWire },
    { name: 'Store', schema: StoreWire },
    { name: 'User', schema: UserWire },
    { name: 'Customer', schema: CustomerWire },
    { name: 'Tenant', schema: TenantWire },
    { name: 'Person', schema: PersonWire },
    { name: 'EmailProvider', schema: EmailProvider },
    { name: 'EmailStatus', schema: EmailStatus },
    { name: 'MaskedSecret', schema: MaskedSecretWire },
    { name: 'EmailSettings', schema: EmailSettingsWire },
    { name: 'EmailSettingsVerification', schema: VerifyEmailSettingsWire },
    { name: 'EmailLog', schema: EmailLogWire },
    { name: 'EmailLogPage', schema: EmailLogListWire },
    { name: 'EmailTemplateCategory', schema: EmailTemplateCategory },
    { name: 'EmailTemplate', schema: EmailTemplateWire },
    { name: 'EmailTemplateList', schema: EmailTemplateListWire },
    { name: 'StoreEmailTemplateOverride', schema: StoreEmailTemplateOverrideWire },
    { name: 'StoreEmailTemplate', schema: StoreEmailTemplateWire },
    { name: 'StoreEmailTemplateList', schema: StoreEmailTemplateListWire },
    { name: 'RenderedEmail', schema: RenderedEmailWire },
    { name: 'EmailWebhookSummary', schema: EmailWebhookSummaryWire },
    { name: 'AdminNotificationType', schema: AdminNotificationType },
    { name: 'AdminNotificationPriority', schema: AdminNotificationPriority },
    { name: 'AdminNotification', schema: AdminNotificationWire },
    { name: 'AdminNotificationPage', schema: AdminNotificationListWire },
    { name: 'AdminNotificationUnreadCount', schema: AdminNotificationUnreadCountWire },
    { name: 'MarkedRead', schema: MarkAllReadWire },
    { name: 'Webhook', schema: WebhookEndpointWire },
    { name: 'WebhookPage', schema: WebhookEndpointListWire },
    { name: 'CreatedWebhook', schema: CreatedWebhookEndpointWire },
    { name: 'RotatedWebhookSecret', schema: RotatedWebhookSecretWire },
    { name: 'WebhookDeliveryStatus', schema: WebhookDeliveryStatus },
    { name: 'WebhookDelivery', schema: WebhookDeliveryWire },
    { name: 'WebhookDeliveryPage', schema: WebhookDeliveryListWire },
    { name: 'WebhookDeliveryDetail', schema: WebhookDeliveryDetailWire },
    { name: 'WebhookAttempt', schema: WebhookAttemptWire },
    { name: 'EmailFrequency', schema: EmailFrequencyField },
    { name: 'NotificationPreferences', schema: NotificationPreferencesWire },
  ];
}

/**
 * A copy of `node` where every schema object of `names` (by identity) is a `{ $ref: name }`, except
 * `node` itself when `keepRoot` (a named schema's own definition). Never mutates `node`: the routes'
 * schemas are shared and also serve validation and serialization.
 */
export function referenceNamed(node: unknown, names: ReadonlyMap<object, string>, keepRoot = false): unknown {
  if (node === null || typeof node !== 'object') return node;
  const name = keepRoot ? undefined : names.get(node);
  if (name !== undefined) return { $ref: name };
  if (Array.isArray(node)) return node.map((item) => referenceNamed(item, names));
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = referenceNamed(value, names);
  return copy;
}
