import type { AccessPolicy } from './access-policy.js';
import { createAccessPolicy } from './create-access-policy.js';
import type { PolicyDefinition } from './policy-definition.js';
import type { Preset } from './preset.js';

export const COMMUNITY_PARTICIPANT_TYPES = ['student', 'mentor', 'admin'] as const;
export type CommunityParticipantType = (typeof COMMUNITY_PARTICIPANT_TYPES)[number];

/** The largest group (creator included). */
export const COMMUNITY_GROUP_MAX = 500;

/**
 * The community rules (a learning platform), as data. A tenant is a community (a school, or the
 * whole platform); everyone — students, mentors and admins — belongs to one, and nothing ever
 * crosses it (another tenant's people and conversations answer `NOT_FOUND`).
 *
 * - `direct`: exactly two people, one role (`member`). Students start them with students, mentors
 *   and admins (so "students message mentors and other students; anyone messages admins");
 *   mentors and admins start them with anyone of their community, since reaching out to a
 *   student is their job. Nobody joins, leaves or renames a direct conversation; an admin who
 *   takes part may close and reopen it (to end an exchange that went wrong).
 * - `group`: 3 to 500 members, started by mentors and admins. Roles `member` (default) and
 *   `admin` (the creator). Group admins add and remove members, change roles, rename, close and
 *   reopen; every member sends, reads and may leave (the size floor permitting). Members who
 *   join later see the history from their join on. A community admin who is not a member sees
 *   nothing of a group.
 * - `support`: a student or a mentor opens it alone (role `requester`); every admin of the
 *   community handles it as a team (`team`): it lists in their inbox, and they view, answer,
 *   read, close, reopen and rename it without having been added — on their first read or answer
 *   they become a member with role `agent`, without a system message. The requester closes and
 *   reopens their own ticket too.
 * - Every member archives a conversation for themselves (a support team member once joined).
 * - Messages: their sender edits them (within `message_edit_window_minutes`) and every member
 *   reads their earlier versions; their sender deletes them; a group admin deletes any in their group; community
 *   admins purge the files of deleted messages in conversations they can see.
 */
export const communityDefinition: PolicyDefinition = {
  name: 'community',
  tenantLabel: 'community',
  participantTypes: [
    { type: 'student', label: 'Student', tenantBound: true },
    { type: 'mentor', label: 'Mentor', tenantBound: true },
    { type: 'admin', label: 'Community admin', tenantBound: true },
  ],
  conversationTypes: [
    {
      type: 'direct',
      participantTypes: ['student', 'mentor', 'admin'],
      size: { min: 2, max: 2 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
    },
    {
      type: 'group',
      participantTypes: ['student', 'mentor', 'admin'],
      size: { min: 3, max: COMMUNITY_GROUP_MAX },
      memberRoles: ['member', 'admin'],
      initialRoles: { creator: 'admin', others: 'member' },
      historyVisibleToNewMembers: false,
    },
    {
      type: 'support',
      participantTypes: ['student', 'mentor', 'admin'],
      // Opened alone; the team's admins join on their own when they first read or answer (a team
      // join is not a membership change, so it is not bounded by `max`).
      size: { min: 1, max: 1 },
      memberRoles: ['requester', 'agent'],
      initialRoles: { creator: 'requester' },
      historyVisibleToNewMembers: true,
      team: { participantTypes: ['admin'], role: 'agent' },
    },
  ],
  permissions: [
    // direct
    { who: 'student', action: 'start', conversationType: 'direct', with: ['student', 'mentor', 'admin'] },
    { who: ['mentor', 'admin'], action: 'start', conversationType: 'direct' },
    {
      who: '*',
      action: ['view', 'send', 'read', 'update_preferences', 'archive'],
      conversationType: 'direct',
    },
    { who: 'admin', action: ['close', 'reopen'], conversationType: 'direct' },
    // group
    { who: ['mentor', 'admin'], action: 'start', conversationType: 'group' },
    {
      who: '*',
      action: ['view', 'send', 'read', 'update_preferences', 'leave', 'archive'],
      conversationType: 'group',
    },
    {
      who: '*',
      action: ['add_participant', 'remove_participant', 'change_role', 'rename', 'close', 'reopen'],
      conversationType: 'group',
      role: 'admin',
    },
    // support
    { who: ['student', 'mentor'], action: 'start', conversationType: 'support' },
    {
      who: ['student', 'mentor'],
      action: ['view', 'send', 'read', 'update_preferences', 'close', 'reopen', 'archive'],
      conversationType: 'support',
      role: 'requester',
    },
    {
      who: 'admin',
      action: ['view', 'send', 'read', 'close', 'reopen', 'rename'],
      conversationType: 'support',
      role: ['none', 'agent'],
      when: ['sameTenant'],
    },
    { who: 'admin', action: ['update_preferences', 'archive'], conversationType: 'support', role: 'agent' },
    // messages (a message names no conversation type: rows for every type)
    { who: '*', action: 'delete_message', conversationType: '*', when: ['isSender'] },
    { who: '*', action: 'delete_message', conversationType: '*', role: 'admin' },
    { who: 'admin', action: 'purge_message_files', conversationType: '*' },
    { who: '*', action: 'edit_message', conversationType: '*', when: ['isSender'] },
    { who: '*', action: 'view_message_revisions', conversationType: '*' },
  ],
  capabilities: [
    {
      who: 'admin',
      capability: ['manage_tenant_email', 'read_email_log', 'read_audit_log'],
      when: ['ownTenant'],
      refusal: "community admins manage their own community's email only",
    },
    {
      who: 'admin',
      capability: 'manage_tenant_webhooks',
      when: ['ownTenant'],
      refusal: "community admins manage their own community's webhooks only",
    },
    {
      who: 'admin',
      capability: ['moderate_messages', 'manage_tenant_moderation'],
      when: ['ownTenant'],
      refusal: 'community admins moderate their own community only',
    },
  ],
  refusals: {
    start: {
      student:
        'students start direct conversations and support requests, not {conversationType} conversations',
      admin: 'admins answer support requests as a team; they do not open them',
      '*': 'a {actor} may not start {conversationType} conversations',
    },
    close: 'only a group admin, the requester or a community admin may close this conversation',
    reopen: 'only a group admin, the requester or a community admin may reopen this conversation',
    add_participant: 'only a group admin may add members, and only to a group',
    remove_participant: 'only a group admin may remove members, and only from a group',
    change_role: 'only a group admin may change roles, and only in a group',
    leave: 'only group members may leave; direct conversations and support requests keep their people',
    rename: 'only a group admin or a community admin (for support) may rename this conversation',
    delete_message: 'only the sender or a group admin may delete a message',
    purge_message_files: 'only a community admin may purge the files of a message',
    list_recipients: 'a {actor} may not list {recipientType}s',
    manage_platform_settings: 'community admins manage their community, not the platform',
    view_admin_notifications: 'community admins manage their community, not the platform',
    manage_platform_email_templates: 'community admins manage their community, not the platform',
    view_any_tenant_email_settings: 'community admins manage their community, not the platform',
    manage_tenant_email: "only community admins manage their community's email",
    read_email_log: "only community admins read their community's email log",
    read_audit_log: "only community admins read their community's audit log",
  },
};

/**
 * The community preset, evaluated by the one evaluator.
 *
 * @example
 * ```ts
 * communityPolicy.decideStartKind(student, 'group', ['student', 'student']);
 * // { allowed: false, code: 'FORBIDDEN', reason: 'students start direct conversations and support requests, not group conversations' }
 * ```
 */
export const communityPolicy: AccessPolicy = createAccessPolicy(communityDefinition);

const person = (
  type: CommunityParticipantType,
  id: string,
  name: string,
  tenantId: string,
  locale = 'en',
) => ({ type, id, name, email: `${id}@${tenantId}.test`, locale, tenantId });

/**
 * A learning community as a preset. The demo has two schools, so the tenant wall shows: in
 * North High, two students, two mentors and two admins (a direct conversation between a student
 * and a mentor, a study group a mentor runs, a support request the admins answer as a team); in
 * South High, a student and an admin who see none of it.
 */
export const communityPreset: Preset = {
  name: 'community',
  description:
    'A learning community: students, mentors and admins in direct, group and support conversations.',
  definition: communityDefinition,
  policy: communityPolicy,
  demo: {
    tenants: [
      { id: 'north-high', name: 'North High' },
      { id: 'south-high', name: 'South High' },
    ],
    people: [
      person('student', 'stu-ana', 'Ana Student', 'north-high'),
      person('student', 'stu-ben', 'Ben Student', 'north-high', 'fr'),
      person('mentor', 'men-mia', 'Mia Mentor', 'north-high'),
      person('mentor', 'men-max', 'Max Mentor', 'north-high'),
      person('admin', 'adm-ada', 'Ada Admin', 'north-high'),
      person('admin', 'adm-alo', 'Alo Admin', 'north-high'),
      person('student', 'stu-sol', 'Sol Student', 'south-high'),
      person('admin', 'adm-sam', 'Sam Admin', 'south-high'),
    ],
    conversations: [
      {
        conversationType: 'direct',
        subject: 'Essay feedback',
        participants: ['student:stu-ana', 'mentor:men-mia'],
        messages: [
          { from: 'student:stu-ana', body: 'Could you look at my essay outline?' },
          { from: 'mentor:men-mia', body: 'Sure — send it over before Friday.' },
        ],
      },
      {
        conversationType: 'group',
        subject: 'Algebra study group',
        participants: ['mentor:men-mia', 'student:stu-ana', 'student:stu-ben', 'mentor:men-max'],
        messages: [
          { from: 'mentor:men-mia', body: 'Welcome! We meet on Tuesdays.' },
          { from: 'student:stu-ben', body: 'Thanks, see you Tuesday.' },
        ],
      },
      {
        conversationType: 'support',
        subject: 'Cannot open the course page',
        participants: ['student:stu-ben'],
        messages: [{ from: 'student:stu-ben', body: 'The algebra course page shows an error.' }],
      },
    ],
  },
};
