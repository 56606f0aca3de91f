import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import { accessPolicyContract } from '../testing/contracts/access-policy-contract.js';
import type { MembershipChange, PolicyDecision } from './access-policy.js';
import { createAccessPolicy, InvalidPolicyDefinitionError } from './create-access-policy.js';
import { marketplaceDefinition } from './marketplace-policy.js';
import type { PolicyDefinition } from './policy-definition.js';

// A second preset written only as data, shaped like the next issue's community preset (direct,
// group and support conversations, group admins, a team of tenant admins answering support), plus
// one "may only reply" rule like care-team's. It passes the same contract as the marketplace.
const school: PolicyDefinition = {
  name: 'school',
  tenantLabel: 'school',
  participantTypes: [
    { type: 'student', label: 'Student', tenantBound: true },
    { type: 'mentor', label: 'Mentor', tenantBound: true },
    { type: 'admin', label: 'School admin', tenantBound: true },
    { type: 'operator', label: 'Platform operator', tenantBound: false },
  ],
  conversationTypes: [
    {
      type: 'direct',
      participantTypes: ['student', 'mentor', 'admin', 'operator'],
      size: { min: 2, max: 2 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
    },
    {
      type: 'group',
      participantTypes: ['student', 'mentor', 'admin'],
      size: { min: 3, max: 500 },
      memberRoles: ['member', 'admin'],
      initialRoles: { creator: 'admin', others: 'member' },
      historyVisibleToNewMembers: false,
    },
    {
      type: 'support',
      participantTypes: ['student', 'mentor', 'admin'],
      size: { min: 2, max: 50 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
    },
  ],
  permissions: [
    { who: 'student', action: 'start', conversationType: 'direct', with: ['student', 'mentor', 'admin'] },
    {
      who: ['mentor', 'admin'],
      action: 'start',
      conversationType: 'direct',
      with: ['student', 'mentor', 'admin'],
    },
    { who: 'operator', action: 'start', conversationType: 'direct', with: ['admin'] },
    // Like care-team's "a user may only reply to a clinician, never start".
    {
      effect: 'deny',
      who: 'student',
      action: 'start',
      conversationType: 'direct',
      with: 'mentor',
      reason: 'Students may only reply to mentors',
    },
    {
      who: ['mentor', 'admin'],
      action: 'start',
      conversationType: 'group',
      with: ['student', 'mentor', 'admin'],
    },
    { who: ['student', 'mentor'], action: 'start', conversationType: 'support', with: 'admin' },
    { who: '*', action: ['view', 'send', 'read', 'update_preferences'], conversationType: '*' },
    { who: '*', action: 'leave', conversationType: 'group' },
    {
      who: '*',
      action: ['add_participant', 'remove_participant', 'change_role', 'close', 'reopen'],
      conversationType: 'group',
      role: 'admin',
    },
    // Every admin of the school sees and answers support as a team, member or not.
    {
      who: 'admin',
      action: ['view', 'send', 'read', 'close', 'reopen'],
      conversationType: 'support',
      role: ['none', 'member'],
      when: ['sameTenant'],
    },
    { who: '*', action: 'delete_message', conversationType: '*', when: ['isSender'] },
  ],
  capabilities: [
    {
      who: 'operator',
      capability: ['manage_platform_settings', 'view_admin_notifications', 'read_email_log'],
    },
    { who: 'admin', capability: ['manage_tenant_email', 'read_email_log'], when: ['ownTenant'] },
  ],
};
const schoolPolicy = createAccessPolicy(school);

accessPolicyContract('school (a group preset written as data)', {
  policy: schoolPolicy,
  fixtures: { tenants: ['school-1', 'school-2'], seed: 7 },
});

const T0 = new Date('2026-01-01T00:00:00.000Z');
const HOME = 'school-1';
const OTHER = 'school-2';

const actor = (type: string, id = `${type}-1`, storeId: string | null = HOME): Actor => ({
  type,
  id,
  tenantId: storeId,
});
const entry = (type: string, id: string, storeId: string | null = HOME): DirectoryEntry => ({
  ref: { type, id },
  name: id,
  email: null,
  locale: 'en',
  storeId,
});
const conversation = (conversationType: string, storeId: string | null = HOME): Conversation => ({
  id: `c-${conversationType}`,
  conversationType,
  subject: 'S',
  tenantId: storeId,
  isClosed: false,
  closedAt: null,
  closedBy: null,
  lastMessageAt: null,
  messageCount: 0,
  createdAt: T0,
  updatedAt: T0,
});
const member = (who: Actor, c: Conversation, role?: string): ConversationParticipant => ({
  conversationId: c.id,
  participant: { type: who.type, id: who.id },
  tenantId: who.tenantId,
  role:
    role ??
    schoolPolicy.definition.conversationTypes.find((t) => t.type === c.conversationType)?.memberRoles[0] ??
    'member',
  unreadCount: 0,
  lastReadSeq: 0,
  lastReadAt: null,
  lastDeliveredSeq: 0,
  lastDeliveredAt: null,
  emailNotifications: true,
  muted: false,
  lastActivityAt: T0,
  joinedAt: T0,
  leftAt: null,
  visibleFromSeq: 1,
});
const outcome = (d: PolicyDecision | { allowed: boolean; code?: string }) => (d.allowed ? 'allowed' : d.code);

describe('createAccessPolicy: a group preset as data', () => {
  const group = conversation('group');
  const mentor = actor('mentor');
  const student = actor('student');
  const groupAdmin = member(mentor, group, 'admin');
  const groupMember = member(student, group, 'member');

  it('reads roles, sizes and history from the conversation types', () => {
    expect(schoolPolicy.memberRoles('group')).toEqual(['member', 'admin']);
    expect(schoolPolicy.initialRole('group', mentor, true)).toBe('admin');
    expect(schoolPolicy.initialRole('group', student, false)).toBe('member');
    expect(schoolPolicy.initialRole('direct', student, true)).toBe('member');
    expect(schoolPolicy.sizeLimits('group')).toEqual({ min: 3, max: 500 });
    expect(schoolPolicy.historyVisibleToNewMembers('group')).toBe(false);
    expect(schoolPolicy.historyVisibleToNewMembers('direct')).toBe(true);
    expect(() => schoolPolicy.memberRoles('nope')).toThrow('unknown conversation type nope');
  });

  it('starts a group with two or more others, in the starter’s school', () => {
    const others = [entry('student', 's-2'), entry('student', 's-3')];
    expect(schoolPolicy.decideStart(mentor, 'group', others)).toEqual({ allowed: true, tenantId: HOME });
    expect(schoolPolicy.decideStartKind(mentor, 'group', ['student'])).toEqual({
      allowed: false,
      code: 'VALIDATION',
      field: 'participants',
      reason: 'group conversations have 3 to 500 participants, not 2',
    });
    expect(schoolPolicy.decideStartKind(student, 'group', ['student', 'student'])).toEqual({
      allowed: false,
      code: 'FORBIDDEN',
      reason: 'a student may not start group conversations',
    });
    // One outsider among the recipients: reported missing, naming that one.
    expect(
      schoolPolicy.decideStart(mentor, 'group', [entry('student', 's-2'), entry('student', 'x', OTHER)]),
    ).toEqual({ allowed: false, code: 'NOT_FOUND', reason: 'student x not found' });
  });

  it('a deny row refuses with its reason before any lookup ("may only reply")', () => {
    const refusal = { allowed: false, code: 'FORBIDDEN', reason: 'Students may only reply to mentors' };
    expect(schoolPolicy.decideStartKind(student, 'direct', ['mentor'])).toEqual(refusal);
    expect(schoolPolicy.decideStart(student, 'direct', [entry('mentor', 'm-9')])).toEqual(refusal);
    expect(schoolPolicy.decideStart(student, 'direct', [entry('student', 's-2')])).toEqual({
      allowed: true,
      tenantId: HOME,
    });
    // Replying is sending in a conversation the mentor started: allowed.
    const direct = conversation('direct');
    expect(schoolPolicy.decide(student, 'send', direct, member(student, direct))).toEqual({ allowed: true });
  });

  it('a platform-wide starter gets the tenant of its recipients', () => {
    expect(
      schoolPolicy.decideStart(actor('operator', 'op-1', null), 'direct', [entry('admin', 'a-1', OTHER)]),
    ).toEqual({
      allowed: true,
      tenantId: OTHER,
    });
  });

  const change = (
    kind: MembershipChange['kind'],
    target: DirectoryEntry,
    extra: Partial<MembershipChange> = {},
  ) => ({
    kind,
    target,
    targetMembership: null,
    ...extra,
  });

  it.each([
    ['a group admin adds a student', groupAdmin, change('add', entry('student', 's-9')), 5, 'allowed'],
    ['a plain member may not add', groupMember, change('add', entry('student', 's-9')), 5, 'FORBIDDEN'],
    [
      'a non-member cannot tell the group exists',
      null,
      change('add', entry('student', 's-9')),
      5,
      'NOT_FOUND',
    ],
    [
      'adding someone already in it',
      groupAdmin,
      change('add', entry('student', 's-9'), { targetMembership: groupMember }),
      5,
      'VALIDATION',
    ],
    ['adding past the maximum', groupAdmin, change('add', entry('student', 's-9')), 500, 'VALIDATION'],
    [
      'adding another school’s student (answered as missing)',
      groupAdmin,
      change('add', entry('student', 's-9', OTHER)),
      5,
      'NOT_FOUND',
    ],
    [
      'adding with an unknown role',
      groupAdmin,
      change('add', entry('student', 's-9'), { role: 'owner' }),
      5,
      'VALIDATION',
    ],
    [
      'adding a type the group does not admit',
      groupAdmin,
      change('add', entry('operator', 'op', null)),
      5,
      'FORBIDDEN',
    ],
    [
      'removing a member',
      groupAdmin,
      change('remove', entry('student', 's-1'), { targetMembership: groupMember }),
      5,
      'allowed',
    ],
    ['removing someone not in it', groupAdmin, change('remove', entry('student', 's-8')), 5, 'NOT_FOUND'],
    [
      'removing below the minimum',
      groupAdmin,
      change('remove', entry('student', 's-1'), { targetMembership: groupMember }),
      3,
      'VALIDATION',
    ],
    [
      'making a member an admin',
      groupAdmin,
      change('change_role', entry('student', 's-1'), { role: 'admin', targetMembership: groupMember }),
      5,
      'allowed',
    ],
    [
      'a member may not change roles',
      groupMember,
      change('change_role', entry('mentor', 'mentor-1'), { role: 'member', targetMembership: groupAdmin }),
      5,
      'FORBIDDEN',
    ],
  ] as const)('%s → %s', (_name, membership, c, activeMembers, expected) => {
    const who =
      membership === null ? actor('student', 'stranger') : membership === groupAdmin ? mentor : student;
    const decision = schoolPolicy.decideMembershipChange(
      who,
      c as MembershipChange,
      group,
      membership,
      activeMembers,
    );
    expect(outcome(decision)).toBe(expected);
  });

  it('a member leaves for themselves only, even from a group at its minimum size', () => {
    const self = entry('student', 'student-1');
    const leave = { kind: 'leave', target: self, targetMembership: groupMember } as const;
    expect(schoolPolicy.decideMembershipChange(student, leave, group, groupMember, 4)).toEqual({
      allowed: true,
    });
    expect(schoolPolicy.decideMembershipChange(student, leave, group, groupMember, 3)).toEqual({
      allowed: true,
    });
    const forOther = { ...leave, target: entry('student', 's-2') };
    expect(outcome(schoolPolicy.decideMembershipChange(student, forOther, group, groupMember, 4))).toBe(
      'VALIDATION',
    );
  });

  it('every admin of the school sees and closes support conversations; nobody else who is not in them', () => {
    const support = conversation('support');
    const admin = actor('admin', 'admin-7');
    expect(schoolPolicy.decide(admin, 'view', support, null)).toEqual({ allowed: true });
    expect(schoolPolicy.decide(admin, 'close', support, null)).toEqual({ allowed: true });
    expect(schoolPolicy.decide(actor('admin', 'admin-7', OTHER), 'view', support, null)).toEqual({
      allowed: false,
      code: 'NOT_FOUND',
      reason: 'conversation c-support not found',
    });
    expect(outcome(schoolPolicy.decide(mentor, 'view', support, null))).toBe('NOT_FOUND');
    expect(outcome(schoolPolicy.decide(student, 'close', support, member(student, support)))).toBe(
      'FORBIDDEN',
    );
  });

  it('capabilities: tenant-scoped ones only on the actor’s own school', () => {
    const admin = actor('admin');
    expect(schoolPolicy.allows(admin, 'manage_tenant_email')).toEqual({ allowed: true });
    expect(schoolPolicy.allows(admin, 'manage_tenant_email', { tenantId: HOME })).toEqual({ allowed: true });
    expect(outcome(schoolPolicy.allows(admin, 'manage_tenant_email', { tenantId: OTHER }))).toBe('FORBIDDEN');
    expect(schoolPolicy.allows(actor('operator', 'op', null), 'read_email_log', { tenantId: OTHER })).toEqual(
      {
        allowed: true,
      },
    );
    expect(schoolPolicy.allows(student, 'view_admin_notifications')).toEqual({
      allowed: false,
      code: 'FORBIDDEN',
      reason: 'a student may not view_admin_notifications',
    });
    expect(schoolPolicy.mayEver('operator', 'view_admin_notifications')).toBe(true);
    expect(schoolPolicy.mayEver('mentor', 'add_participant')).toBe(true);
    expect(schoolPolicy.mayEver('student', 'purge_message_files')).toBe(false);
  });

  it('lists recipients of the types the actor may start with, in its school', () => {
    expect(schoolPolicy.recipientScope(student, 'admin')).toEqual({ allowed: true, tenantId: HOME });
    expect(schoolPolicy.recipientScope(actor('operator', 'op', null), 'admin')).toEqual({
      allowed: true,
      tenantId: null,
    });
    expect(schoolPolicy.recipientScope(actor('operator', 'op', null), 'student')).toEqual({
      allowed: false,
      reason: 'a operator may not list recipients',
    });
  });
});

describe('createAccessPolicy: definition validation', () => {
  const base = marketplaceDefinition;
  const cases: readonly [string, PolicyDefinition, string][] = [
    [
      'a conversation type admitting an unknown participant type',
      {
        ...base,
        conversationTypes: [{ ...base.conversationTypes[0]!, participantTypes: ['admin', 'vendor'] }],
        permissions: [],
      },
      'conversation type admin_store admits unknown participant type vendor',
    ],
    [
      'a row naming an unknown participant type',
      { ...base, permissions: [{ who: 'nobody', action: 'view', conversationType: '*' }] },
      'permission row 1 names unknown participant type nobody',
    ],
    [
      'a row naming an unknown action',
      { ...base, permissions: [{ who: 'admin', action: 'fly' as 'view', conversationType: '*' }] },
      'permission row 1 names unknown action fly',
    ],
    [
      'a row naming an unknown conversation type',
      { ...base, permissions: [{ who: 'admin', action: 'view', conversationType: 'group' }] },
      'permission row 1 names unknown conversation type group',
    ],
    [
      'a row naming an unknown member role',
      {
        ...base,
        permissions: [{ who: 'admin', action: 'view', conversationType: 'admin_store', role: 'owner' }],
      },
      'permission row 1 names unknown member role owner',
    ],
    [
      'a row naming an unknown predicate',
      {
        ...base,
        permissions: [
          { who: 'admin', action: 'view', conversationType: '*', when: ['isFriday' as 'isSender'] },
        ],
      },
      'permission row 1 names unknown predicate isFriday',
    ],
    [
      'a capability predicate in the permission matrix',
      {
        ...base,
        permissions: [{ who: 'admin', action: 'view', conversationType: '*', when: ['ownTenant'] }],
      },
      'permission row 1 names unknown predicate ownTenant',
    ],
    [
      'a start row whose starter the conversation type does not admit',
      {
        ...base,
        permissions: [{ who: 'customer', action: 'start', conversationType: 'admin_store', with: 'store' }],
      },
      'permission row 1: conversation type admin_store does not admit its starter customer',
    ],
    [
      'a start row reaching a type the conversation type does not admit',
      {
        ...base,
        permissions: [{ who: 'admin', action: 'start', conversationType: 'admin_store', with: 'customer' }],
      },
      'permission row 1: conversation type admin_store does not admit customer',
    ],
    [
      'a deny row without a reason',
      { ...base, permissions: [{ effect: 'deny', who: 'admin', action: 'view', conversationType: '*' }] },
      'permission row 1 denies without a reason',
    ],
    [
      'a size below two',
      {
        ...base,
        conversationTypes: [{ ...base.conversationTypes[0]!, size: { min: 1, max: 2 } }],
        permissions: [],
      },
      'conversation type admin_store has an invalid size 1–2',
    ],
    [
      'a maximum below the minimum',
      {
        ...base,
        conversationTypes: [{ ...base.conversationTypes[0]!, size: { min: 3, max: 2 } }],
        permissions: [],
      },
      'conversation type admin_store has an invalid size 3–2',
    ],
    [
      'an initial role that is not declared',
      {
        ...base,
        conversationTypes: [{ ...base.conversationTypes[0]!, initialRoles: { creator: 'owner' } }],
        permissions: [],
      },
      'conversation type admin_store gives the unknown initial role owner',
    ],
    [
      'the reserved non-member role declared as a member role',
      {
        ...base,
        conversationTypes: [{ ...base.conversationTypes[0]!, memberRoles: ['none'] }],
        permissions: [],
      },
      'conversation type admin_store declares reserved role "none"',
    ],
    [
      'a participant type declared twice',
      { ...base, participantTypes: [...base.participantTypes, base.participantTypes[0]!] },
      'participant type admin is declared twice',
    ],
    [
      'the service role as a participant type',
      {
        ...base,
        participantTypes: [...base.participantTypes, { type: 'service', label: 'S', tenantBound: false }],
      },
      'participant type "service" is reserved or empty',
    ],
    [
      'an unknown capability',
      { ...base, capabilities: [{ who: 'admin', capability: 'launch_rockets' as 'read_email_log' }] },
      'capability row 1 names unknown capability launch_rockets',
    ],
    [
      'a refusal for something that does not exist',
      { ...base, refusals: { fly: 'no flying' } },
      'refusal for unknown action or capability fly',
    ],
  ];

  it.each(cases)('refuses %s with a clear error', (_name, definition, problem) => {
    let thrown: unknown;
    try {
      createAccessPolicy(definition);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPolicyDefinitionError);
    const error = thrown as InvalidPolicyDefinitionError;
    expect(error.problems.some((p) => p.startsWith(problem))).toBe(true);
    expect(error.message).toContain(`invalid policy definition marketplace: `);
    expect(error.message).toContain(problem);
  });

  it('lists every problem at once', () => {
    const definition: PolicyDefinition = {
      ...base,
      permissions: [
        { who: 'nobody', action: 'view', conversationType: '*' },
        { who: 'admin', action: 'view', conversationType: 'group' },
      ],
    };
    expect(() => createAccessPolicy(definition)).toThrow(
      'invalid policy definition marketplace: permission row 1 names unknown participant type nobody; permission row 2 names unknown conversation type group',
    );
  });

  it('accepts the marketplace and the school definitions', () => {
    expect(() => createAccessPolicy(base)).not.toThrow();
    expect(() => createAccessPolicy(school)).not.toThrow();
  });
});

describe('createAccessPolicy: the tables cannot change under a policy', () => {
  it('freezes the definition it evaluates', () => {
    const definition: PolicyDefinition = structuredClone(school);
    const policy = createAccessPolicy(definition);
    expect(Object.isFrozen(policy.definition.permissions)).toBe(true);
    expect(() => (definition.permissions as PermissionRowList).push(definition.permissions[0]!)).toThrow(
      TypeError,
    );
    expect(policy.definition).toBe(definition);
  });
});

type PermissionRowList = PolicyDefinition['permissions'][number][];
