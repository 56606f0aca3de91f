import type { AccessPolicy } from './access-policy.js';
import { createAccessPolicy } from './create-access-policy.js';
import type { PolicyDefinition } from './policy-definition.js';
import type { Preset } from './preset.js';

export const CARE_TEAM_PARTICIPANT_TYPES = ['therapist', 'clinician', 'user', 'admin'] as const;
export type CareTeamParticipantType = (typeof CARE_TEAM_PARTICIPANT_TYPES)[number];

/** The refusal of a user starting a conversation with a clinician (the clients show it verbatim). */
export const USERS_ONLY_REPLY_TO_CLINICIANS = 'Users may only reply to clinicians';
/** The refusal of a message to someone who blocked the sender. */
export const BLOCKED_BY_RECIPIENT = 'You have been blocked by this user';
/** The refusal of a block aimed at an admin. */
export const ADMINS_CANNOT_BE_BLOCKED = 'Admins cannot be blocked';

/**
 * The care-team rules, as data. People are named by username (unique across roles) and belong to
 * no tenant; every conversation is `direct`: one per pair of people, two members, per-side delete.
 * - therapists, clinicians and admins start conversations with anyone;
 * - users start them with therapists, users and admins; with a clinician they may only reply
 *   (a deny row: "Users may only reply to clinicians", 403) — the clinician writes first, which
 *   creates the pair's one conversation, and the user then sends in it;
 * - nobody messages themselves (the evaluator's built-in 400);
 * - members view, send, mark read, set preferences and delete (per side) in their conversations;
 * - admins view every conversation ("monitor all": a `view` row for non-members); the core records
 *   each such read by a non-member as `conversation.monitored`;
 * - anyone blocks anyone but an admin (a deny row, 403: blocking an admin is a rule refused, not
 *   malformed input); sending or starting towards someone who blocked you is refused (a deny row
 *   on `blockedByRecipient`, 403);
 * - admins hold the platform capabilities;
 * - clinicians show to others only as available or not (presence `available`: no away, no last activity).
 */
export const careTeamDefinition: PolicyDefinition = {
  name: 'care-team',
  tenantLabel: 'care team',
  participantTypes: [
    { type: 'therapist', label: 'Therapist', tenantBound: false },
    { type: 'clinician', label: 'Clinician', tenantBound: false, presence: 'available' },
    { type: 'user', label: 'User', tenantBound: false },
    { type: 'admin', label: 'Admin', tenantBound: false },
  ],
  conversationTypes: [
    {
      type: 'direct',
      participantTypes: ['therapist', 'clinician', 'user', 'admin'],
      size: { min: 2, max: 2 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
      onePerPair: true,
      deletion: 'per_side',
    },
  ],
  permissions: [
    {
      who: 'user',
      action: 'start',
      conversationType: 'direct',
      with: 'clinician',
      effect: 'deny',
      reason: USERS_ONLY_REPLY_TO_CLINICIANS,
    },
    {
      who: '*',
      action: ['start', 'send'],
      conversationType: '*',
      when: ['blockedByRecipient'],
      effect: 'deny',
      reason: BLOCKED_BY_RECIPIENT,
    },
    {
      who: '*',
      action: 'block',
      conversationType: '*',
      with: 'admin',
      effect: 'deny',
      reason: ADMINS_CANNOT_BE_BLOCKED,
    },
    { who: ['therapist', 'clinician', 'admin'], action: 'start', conversationType: 'direct' },
    { who: 'user', action: 'start', conversationType: 'direct', with: ['therapist', 'user', 'admin'] },
    {
      who: '*',
      action: ['view', 'send', 'read', 'update_preferences', 'delete_message', 'archive'],
      conversationType: '*',
    },
    { who: 'admin', action: 'view', conversationType: '*', role: 'none' },
    { who: '*', action: 'edit_message', conversationType: '*', when: ['isSender'] },
    { who: '*', action: 'view_message_revisions', conversationType: '*' },
    { who: 'admin', action: 'view_message_revisions', conversationType: '*', role: 'none' },
    { who: '*', action: 'block', conversationType: '*' },
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
  ],
  refusals: {
    delete_message: 'only the sender or the recipient may delete a message',
    purge_message_files: 'message files are kept in care-team conversations',
    close: 'care-team conversations are never closed',
    reopen: 'care-team conversations are never closed',
    add_participant: 'care-team conversations always have exactly two participants',
    remove_participant: 'care-team conversations always have exactly two participants',
    change_role: 'care-team conversations always have exactly two participants',
    leave: 'care-team conversations always have exactly two participants',
    list_recipients: 'a {actor} may not list {recipientType}s',
    manage_platform_settings: 'only admins may do this',
    view_admin_notifications: 'only admins may read admin notifications',
    manage_platform_email_templates: 'only admins may do this',
    view_any_tenant_email_settings: 'only admins may do this',
    manage_tenant_email: 'care-team deployments have no tenant email settings',
    read_email_log: 'only admins may read the email log',
    read_audit_log: 'only admins may read the audit log',
  },
};

/**
 * The care-team preset's policy, evaluated by the one evaluator.
 *
 * @example
 * ```ts
 * careTeamPolicy.decideStartKind({ type: 'user', id: 'uma', tenantId: null }, 'direct', ['clinician']);
 * // { allowed: false, code: 'FORBIDDEN', reason: 'Users may only reply to clinicians' }
 * ```
 */
export const careTeamPolicy: AccessPolicy = createAccessPolicy(careTeamDefinition);

const person = (type: CareTeamParticipantType, id: string, name: string) => ({
  type,
  id,
  name,
  email: `${id.replace(/[^a-z0-9]/g, '.')}@care.test`,
  locale: 'en',
  tenantId: null,
});

/**
 * The care-team as a preset. Its demo shows every rule: Dr Kim (clinician) wrote to Uma first,
 * so Uma can reply to her (but could not have started); Uma and Theo (therapist) talk; Ulysses
 * (user) blocked Uma, so Uma's messages to him are refused; Ada (admin) monitors everything and
 * cannot be blocked.
 */
export const careTeamPreset: Preset = {
  name: 'care-team',
  description: 'Therapists, clinicians, users and admins messaging each other securely.',
  definition: careTeamDefinition,
  policy: careTeamPolicy,
  demo: {
    tenants: [],
    people: [
      person('admin', 'ada', 'Ada Admin'),
      person('therapist', 'theo', 'Theo Therapist'),
      person('clinician', 'dr.kim', 'Dr Kim Clinician'),
      person('user', 'uma', 'Uma User'),
      person('user', 'ulysses', 'Ulysses User'),
    ],
    conversations: [
      {
        conversationType: 'direct',
        subject: 'Your lab results',
        participants: ['clinician:dr.kim', 'user:uma'],
        messages: [
          { from: 'clinician:dr.kim', body: 'Hi Uma, your lab results are in. Everything looks fine.' },
          { from: 'user:uma', body: 'Thank you, Dr Kim!' },
        ],
      },
      {
        conversationType: 'direct',
        subject: 'Next session',
        participants: ['user:uma', 'therapist:theo'],
        messages: [
          { from: 'user:uma', body: 'Could we move Thursday’s session to Friday?' },
          { from: 'therapist:theo', body: 'Friday at 10 works. See you then.' },
        ],
      },
    ],
    blocks: [{ by: 'user:ulysses', blocked: 'user:uma' }],
  },
};
