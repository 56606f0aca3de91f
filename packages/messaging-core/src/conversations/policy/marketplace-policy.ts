import type { AccessPolicy, ConversationTypeDefinition } from './access-policy.js';
import { createAccessPolicy } from './create-access-policy.js';
import type { ConversationTypeSpec, PolicyDefinition } from './policy-definition.js';
import type { Preset } from './preset.js';

export const MARKETPLACE_PARTICIPANT_TYPES = ['admin', 'store', 'customer'] as const;
export type MarketplaceParticipantType = (typeof MARKETPLACE_PARTICIPANT_TYPES)[number];

/** Every marketplace conversation joins exactly two people, in one role, who see all of it. */
function twoParty(type: string, participantTypes: readonly [string, string]): ConversationTypeSpec {
  return {
    type,
    participantTypes,
    size: { min: 2, max: 2 },
    memberRoles: ['member'],
    historyVisibleToNewMembers: true,
  };
}

const CONVERSATION_TYPES: readonly ConversationTypeSpec[] = [
  twoParty('admin_store', ['admin', 'store']),
  twoParty('store_customer', ['store', 'customer']),
  twoParty('admin_customer', ['admin', 'customer']),
];

export const MARKETPLACE_CONVERSATION_TYPES: readonly ConversationTypeDefinition[] = CONVERSATION_TYPES.map(
  ({ type, participantTypes }) => ({ type, participantTypes }),
);

/**
 * The marketplace rules (the default preset), as data; a store is the tenant:
 * - admins start `admin_store` (with a store user) and `admin_customer` (with a customer);
 * - store users start `store_customer` only with customers of their own store;
 * - customers never start, close or reopen; they reply where they take part;
 * - only participants see a conversation, store users and customers only within their store;
 *   everyone else gets `NOT_FOUND` (no type monitors);
 * - admin and store participants close and reopen; a message is deleted by its sender or an admin;
 * - every participant archives a conversation for themselves;
 * - a message is edited by its sender (within `message_edit_window_minutes`), a customer's only
 *   until someone answers it; every participant reads a message's earlier versions;
 * - conversations have exactly two members, so no membership change is ever allowed;
 * - admins hold the platform capabilities; store users manage their own store's email.
 */
export const marketplaceDefinition: PolicyDefinition = {
  name: 'marketplace',
  tenantLabel: 'store',
  participantTypes: [
    { type: 'admin', label: 'Platform admin', tenantBound: false, audience: 'admin' },
    { type: 'store', label: 'Store staff', tenantBound: true, audience: 'store' },
    { type: 'customer', label: 'Customer', tenantBound: true, audience: 'storefront', tenantSignature: true },
  ],
  conversationTypes: CONVERSATION_TYPES,
  permissions: [
    { who: 'admin', action: 'start', conversationType: 'admin_store', with: 'store' },
    { who: 'store', action: 'start', conversationType: 'store_customer', with: 'customer' },
    { who: 'admin', action: 'start', conversationType: 'admin_customer', with: 'customer' },
    {
      who: '*',
      action: ['view', 'send', 'read', 'update_preferences', 'archive'],
      conversationType: '*',
    },
    { who: ['admin', 'store'], action: ['close', 'reopen'], conversationType: '*' },
    { who: '*', action: 'delete_message', conversationType: '*', when: ['isSender'] },
    {
      who: 'customer',
      action: 'edit_message',
      conversationType: '*',
      when: ['answered'],
      effect: 'deny',
      reason: 'customers cannot edit a message once it has been answered',
    },
    { who: '*', action: 'edit_message', conversationType: '*', when: ['isSender'] },
    { who: '*', action: 'view_message_revisions', conversationType: '*' },
    { who: 'admin', action: ['delete_message', 'purge_message_files'], conversationType: '*' },
  ],
  capabilities: [
    {
      who: 'admin',
      capability: [
        'manage_platform_settings',
        'view_admin_notifications',
        'manage_platform_email_templates',
        'view_any_tenant_email_settings',
        'read_email_log',
        'moderate_messages',
        'manage_tenant_moderation',
        'read_audit_log',
      ],
    },
    {
      who: 'store',
      capability: 'manage_tenant_moderation',
      when: ['ownTenant'],
      refusal: "store users manage their own store's moderation only",
    },
    {
      who: 'store',
      capability: 'read_audit_log',
      when: ['ownTenant'],
      refusal: "store users see their own store's audit log only",
    },
    {
      who: 'store',
      capability: 'manage_tenant_email',
      when: ['ownTenant'],
      refusal: "only store users manage their store's email settings",
    },
    {
      who: 'store',
      capability: 'read_email_log',
      when: ['ownTenant'],
      refusal: "store users see their own store's email log only",
    },
    {
      who: 'store',
      capability: 'manage_tenant_webhooks',
      when: ['ownTenant'],
      refusal: "only store users manage their store's webhooks",
    },
  ],
  refusals: {
    delete_message: 'only the sender or an admin may delete a message',
    purge_message_files: 'only an admin may purge the files of a message',
    add_participant: 'marketplace conversations always have exactly two participants',
    remove_participant: 'marketplace conversations always have exactly two participants',
    change_role: 'marketplace conversations always have exactly two participants',
    leave: 'marketplace conversations always have exactly two participants',
    list_recipients: {
      admin: 'admins message store users and customers, not {recipientType}',
      store: 'store users may only list their own customers',
      '*': 'a {actor} may not list recipients',
    },
    manage_platform_settings: 'only admins may do this',
    view_admin_notifications: 'only admins may read admin notifications',
    manage_platform_email_templates: 'only admins may do this',
    view_any_tenant_email_settings: 'only admins may do this',
    manage_tenant_email: "only store users manage their store's email settings",
    read_email_log: 'only admins and store users may read the email log',
    manage_tenant_webhooks: "only store users manage their store's webhooks",
    read_audit_log: 'only admins and store users may read the audit log',
  },
};

/**
 * The marketplace preset, evaluated by the one evaluator.
 *
 * @example
 * ```ts
 * createMessagingCore({ policy: marketplacePolicy, store, directory, clock, ids, events, settings });
 * ```
 */
export const marketplacePolicy: AccessPolicy = createAccessPolicy(marketplaceDefinition);

/**
 * The marketplace as a preset. Its demo data is the API's historical demo (one store, its staff,
 * an admin, two customers); the marketplace directory keeps its own tables (stores, platform
 * users, customers).
 */
export const marketplacePreset: Preset = {
  name: 'marketplace',
  description: 'A marketplace: platform admins, store staff and customers, one tenant per store.',
  definition: marketplaceDefinition,
  policy: marketplacePolicy,
  demo: {
    tenants: [{ id: 'demo-store', name: 'Demo Store' }],
    people: [
      {
        type: 'admin',
        id: 'demo-admin',
        name: 'Ada Admin',
        email: 'ada.admin@parley.test',
        locale: 'en',
        tenantId: null,
      },
      {
        type: 'store',
        id: 'demo-store-user',
        name: 'Sam Store',
        email: 'sam@demo-store.test',
        locale: 'en',
        tenantId: 'demo-store',
      },
      {
        type: 'customer',
        id: 'demo-customer-1',
        name: 'Carla Customer',
        email: 'carla@example.test',
        locale: 'en',
        tenantId: 'demo-store',
      },
      {
        type: 'customer',
        id: 'demo-customer-2',
        name: 'Chris Customer',
        email: 'chris@example.test',
        locale: 'fr',
        tenantId: 'demo-store',
      },
    ],
    conversations: [],
  },
};
