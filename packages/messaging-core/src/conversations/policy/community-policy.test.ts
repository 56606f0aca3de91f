import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import { accessPolicyContract } from '../testing/contracts/access-policy-contract.js';
import type { ConversationAction, MembershipChange, PolicyDecision } from './access-policy.js';
import {
  COMMUNITY_PARTICIPANT_TYPES,
  communityDefinition,
  communityPolicy,
  communityPreset,
} from './community-policy.js';
import { definitionProblems, NON_MEMBER, type PolicyDefinition } from './policy-definition.js';

const HOME = 'north-high';
const OTHER = 'south-high';
const T0 = new Date('2026-01-01T00:00:00.000Z');

accessPolicyContract('community', { policy: communityPolicy, fixtures: { tenants: [HOME, OTHER] } });

const actor = (type: string, tenantId: string | null = HOME, id = `${type}-1`): Actor => ({
  type,
  id,
  tenantId,
});
const entry = (type: string, id: string, tenant: string | null = HOME): DirectoryEntry => ({
  ref: { type, id },
  name: `${type} ${id}`,
  email: null,
  locale: 'en',
  storeId: tenant,
});
const conversation = (type: string, tenantId = HOME): Conversation => ({
  id: `conv-${type}`,
  conversationType: type,
  subject: 'Subject',
  tenantId,
  isClosed: false,
  closedAt: null,
  closedBy: null,
  lastMessageAt: null,
  messageCount: 0,
  createdAt: T0,
  updatedAt: T0,
});
const membership = (who: Actor, c: Conversation, role: string): ConversationParticipant => ({
  conversationId: c.id,
  participant: { type: who.type, id: who.id },
  tenantId: who.tenantId,
  role,
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

/** Every action the matrix covers on an existing conversation (membership changes included). */
const ACTIONS = [
  'view',
  'send',
  'read',
  'close',
  'reopen',
  'update_preferences',
  'rename',
  'add_participant',
  'remove_participant',
  'change_role',
  'leave',
] as const;
type Action = (typeof ACTIONS)[number];

const MEMBER: readonly Action[] = ['view', 'send', 'read', 'update_preferences'];
const GROUP_MEMBER: readonly Action[] = [...MEMBER, 'leave'];
const GROUP_ADMIN: readonly Action[] = [
  ...GROUP_MEMBER,
  'add_participant',
  'remove_participant',
  'change_role',
  'rename',
  'close',
  'reopen',
];
const REQUESTER: readonly Action[] = [...MEMBER, 'close', 'reopen'];
const TEAM: readonly Action[] = ['view', 'send', 'read', 'close', 'reopen', 'rename'];

/**
 * The whole matrix: conversation type → member role (`none`: not a member) → participant type →
 * the actions allowed, for an actor of the conversation's tenant. Every other cell is refused.
 */
const MATRIX: Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<string, readonly Action[]>>>>>
> = {
  direct: {
    member: { student: MEMBER, mentor: MEMBER, admin: [...MEMBER, 'close', 'reopen'] },
    none: { student: [], mentor: [], admin: [] },
  },
  group: {
    member: { student: GROUP_MEMBER, mentor: GROUP_MEMBER, admin: GROUP_MEMBER },
    admin: { student: GROUP_ADMIN, mentor: GROUP_ADMIN, admin: GROUP_ADMIN },
    none: { student: [], mentor: [], admin: [] },
  },
  support: {
    requester: { student: REQUESTER, mentor: REQUESTER, admin: [] },
    agent: { student: [], mentor: [], admin: [...TEAM, 'update_preferences'] },
    none: { student: [], mentor: [], admin: TEAM },
  },
};

const CHANGE_KIND: Partial<Record<Action, MembershipChange['kind']>> = {
  add_participant: 'add',
  remove_participant: 'remove',
  change_role: 'change_role',
  leave: 'leave',
};

/** Asks the policy about one cell, with a scene in which the change itself would be valid. */
function ask(who: Actor, action: Action, c: Conversation, role: string): PolicyDecision {
  const own = role === NON_MEMBER ? null : membership(who, c, role);
  const kind = CHANGE_KIND[action];
  if (kind === undefined) return communityPolicy.decide(who, action as ConversationAction, c, own);
  const other = entry('student', 'someone-else');
  const change: MembershipChange =
    kind === 'add'
      ? { kind, target: other, targetMembership: null }
      : kind === 'leave'
        ? {
            kind,
            target: entry(who.type, who.id, who.tenantId),
            targetMembership: own,
          }
        : {
            kind,
            target: other,
            ...(kind === 'change_role' ? { role: 'admin' } : {}),
            targetMembership: membership(actor('student', HOME, 'someone-else'), c, 'member'),
          };
  // Four members: removing or leaving keeps a group at its minimum of three.
  return communityPolicy.decideMembershipChange(who, change, c, own, 4);
}

describe('community policy: the role × action matrix', () => {
  for (const [conversationType, byRole] of Object.entries(MATRIX)) {
    for (const [role, byType] of Object.entries(byRole)) {
      for (const type of COMMUNITY_PARTICIPANT_TYPES) {
        const allowed = byType[type] ?? [];
        for (const action of ACTIONS) {
          const expected = allowed.includes(action);
          it(`${conversationType} · ${role} · ${type} · ${action} → ${expected ? 'allowed' : 'refused'}`, () => {
            const c = conversation(conversationType);
            const decision = ask(actor(type), action, c, role);
            expect(decision.allowed).toBe(expected);
            if (!decision.allowed) {
              // Who cannot view it is told it does not exist; who can is told why not.
              const canView = allowed.includes('view');
              if (canView) expect(decision.code).not.toBe('NOT_FOUND');
              else
                expect(decision).toEqual({
                  allowed: false,
                  code: 'NOT_FOUND',
                  reason: `conversation ${c.id} not found`,
                });
            }
          });
        }
      }
    }
  }

  it('covers every member role of every conversation type, and non-members', () => {
    for (const spec of communityPolicy.definition.conversationTypes) {
      expect(Object.keys(MATRIX[spec.type] ?? {}).sort()).toEqual([...spec.memberRoles, NON_MEMBER].sort());
    }
  });

  for (const type of COMMUNITY_PARTICIPANT_TYPES) {
    for (const conversationType of Object.keys(MATRIX)) {
      it(`${type} of another community: every action on a ${conversationType} conversation is NOT_FOUND, whatever the role`, () => {
        const c = conversation(conversationType, OTHER);
        for (const role of Object.keys(MATRIX[conversationType] ?? {}))
          for (const action of ACTIONS) {
            const decision = ask(actor(type, HOME), action, c, role);
            expect(decision).toEqual({
              allowed: false,
              code: 'NOT_FOUND',
              reason: `conversation ${c.id} not found`,
            });
          }
      });
    }
  }
});

describe('community policy: who starts what', () => {
  /** actor type → conversation type → recipients (types) → allowed. */
  const STARTS: readonly (readonly [string, string, readonly string[], boolean])[] = [
    ['student', 'direct', ['student'], true],
    ['student', 'direct', ['mentor'], true],
    ['student', 'direct', ['admin'], true],
    ['mentor', 'direct', ['student'], true],
    ['mentor', 'direct', ['mentor'], true],
    ['mentor', 'direct', ['admin'], true],
    ['admin', 'direct', ['student'], true],
    ['admin', 'direct', ['mentor'], true],
    ['admin', 'direct', ['admin'], true],
    ['student', 'group', ['student', 'mentor'], false],
    ['mentor', 'group', ['student', 'student'], true],
    ['mentor', 'group', ['admin', 'mentor'], true],
    ['admin', 'group', ['student', 'mentor'], true],
    ['student', 'support', [], true],
    ['mentor', 'support', [], true],
    ['admin', 'support', [], false],
  ];
  for (const [type, conversationType, recipients, expected] of STARTS) {
    it(`${type} starts ${conversationType} with [${recipients.join(', ')}] → ${expected ? 'allowed' : 'refused'}`, () => {
      const entries = recipients.map((t, i) => entry(t, `${t}-r${i}`));
      const decision = communityPolicy.decideStart(actor(type), conversationType, entries);
      expect(decision.allowed).toBe(expected);
      if (decision.allowed) expect(decision.tenantId).toBe(HOME);
      else expect(decision.code).toBe('FORBIDDEN');
    });
  }

  it('refuses with the reasons a community reads', () => {
    expect(communityPolicy.decideStartKind(actor('student'), 'group', ['student', 'student'])).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'students start direct conversations and support requests, not group conversations',
    });
    expect(communityPolicy.decideStartKind(actor('admin'), 'support', [])).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'admins answer support requests as a team; they do not open them',
    });
  });

  it('keeps sizes: direct is two, group 3 to 500, support is opened alone', () => {
    expect(communityPolicy.decideStartKind(actor('mentor'), 'group', ['student'])).toMatchObject({
      code: 'VALIDATION',
      field: 'participants',
    });
    expect(
      communityPolicy.decideStartKind(
        actor('mentor'),
        'group',
        Array.from({ length: 499 }, () => 'student'),
      ),
    ).toEqual({ allowed: true });
    expect(
      communityPolicy.decideStartKind(
        actor('mentor'),
        'group',
        Array.from({ length: 500 }, () => 'student'),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'participants' });
    expect(communityPolicy.decideStartKind(actor('student'), 'direct', ['student', 'mentor'])).toMatchObject({
      code: 'VALIDATION',
    });
    expect(communityPolicy.decideStartKind(actor('student'), 'support', ['admin'])).toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('never reaches another community: its people answer like missing ones', () => {
    const decision = communityPolicy.decideStart(actor('student'), 'direct', [entry('mentor', 'm-9', OTHER)]);
    expect(decision).toEqual({ allowed: false, code: 'NOT_FOUND', reason: 'mentor m-9 not found' });
  });

  it('gives the group creator the admin role, the others member; support opens as requester', () => {
    const ref = { type: 'student', id: 's' };
    expect(communityPolicy.initialRole('group', ref, true)).toBe('admin');
    expect(communityPolicy.initialRole('group', ref, false)).toBe('member');
    expect(communityPolicy.initialRole('support', ref, true)).toBe('requester');
    expect(communityPolicy.historyVisibleToNewMembers('group')).toBe(false);
  });
});

describe('community policy: support is handled by the community admins as a team', () => {
  it('names the team and its role', () => {
    expect(communityPolicy.team('support')).toEqual({ participantTypes: ['admin'], role: 'agent' });
    expect(communityPolicy.team('group')).toBeNull();
    expect(communityPolicy.team('direct')).toBeNull();
  });

  it("scopes an admin's team inbox to their community; students and mentors have none", () => {
    expect(communityPolicy.teamInboxScope(actor('admin'))).toEqual({
      tenantId: HOME,
      conversationTypes: ['support'],
      teamParticipantTypes: ['admin'],
    });
    expect(communityPolicy.teamInboxScope(actor('student'))).toBeNull();
    expect(communityPolicy.teamInboxScope(actor('mentor'))).toBeNull();
    expect(communityPolicy.teamInboxScope(actor('admin', null))).toBeNull();
  });
});

describe('team types in a definition', () => {
  const withSupport = (team: unknown, min = 1): PolicyDefinition => ({
    ...communityDefinition,
    conversationTypes: communityDefinition.conversationTypes.map((c) =>
      c.type === 'support' ? ({ ...c, size: { min, max: 1 }, team } as typeof c) : c,
    ),
  });

  it('must name a declared role and admitted, tenant-bound participant types', () => {
    expect(definitionProblems(withSupport({ participantTypes: ['admin'], role: 'boss' }))).toEqual([
      'conversation type support gives its team the unknown role boss',
    ]);
    expect(definitionProblems(withSupport({ participantTypes: [], role: 'agent' }))).toEqual([
      'conversation type support has an empty team',
    ]);
    const platformAdmins: PolicyDefinition = {
      ...withSupport({ participantTypes: ['admin'], role: 'agent' }),
      participantTypes: communityDefinition.participantTypes.map((p) =>
        p.type === 'admin' ? { ...p, tenantBound: false } : p,
      ),
    };
    expect(definitionProblems(platformAdmins)).toEqual([
      'conversation type support has team type admin, which is not tenant-bound',
    ]);
  });

  it('lets only a team type be opened alone', () => {
    expect(definitionProblems(withSupport(undefined))).toEqual([
      'conversation type support has an invalid size 1–1 (integers, 2 ≤ min ≤ max)',
    ]);
    expect(definitionProblems(withSupport({ participantTypes: ['admin'], role: 'agent' }, 0))).toEqual([
      'conversation type support has an invalid size 0–1 (integers, 1 ≤ min ≤ max)',
    ]);
  });
});

describe('community policy: messages and capabilities', () => {
  const message = (from: Actor): Message => ({
    id: 'm1',
    conversationId: 'conv-group',
    seq: 1,
    sender: { type: from.type, id: from.id },
    content: 'hi',
    isSystemMessage: false,
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    createdAt: T0,
    attachments: [],
  });
  const author = actor('student', HOME, 'author');
  const cases: readonly (readonly [string, Actor, string, boolean])[] = [
    ['the sender (member)', author, 'member', true],
    ['the sender (requester)', author, 'requester', true],
    ['another group member', actor('student'), 'member', false],
    ['a group admin', actor('mentor'), 'admin', true],
    ['a support agent', actor('admin'), 'agent', false],
  ];
  for (const [label, who, role, expected] of cases) {
    it(`delete_message by ${label} → ${expected ? 'allowed' : 'refused'}`, () => {
      const c = conversation('group');
      const decision = communityPolicy.decideDeleteMessage(who, message(author), membership(who, c, role));
      expect(decision.allowed).toBe(expected);
      if (!decision.allowed)
        expect(decision.reason).toBe('only the sender or a group admin may delete a message');
    });
  }

  it('purge_message_files: community admins only', () => {
    const c = conversation('group');
    for (const type of COMMUNITY_PARTICIPANT_TYPES) {
      const who = actor(type);
      expect(
        communityPolicy.decidePurgeFiles(who, message(author), membership(who, c, 'member')).allowed,
      ).toBe(type === 'admin');
    }
  });

  it("community admins manage their own community's email, nobody the platform", () => {
    for (const type of COMMUNITY_PARTICIPANT_TYPES) {
      const who = actor(type);
      expect(communityPolicy.allows(who, 'manage_tenant_email', { tenantId: HOME }).allowed).toBe(
        type === 'admin',
      );
      expect(communityPolicy.allows(who, 'read_email_log', { tenantId: HOME }).allowed).toBe(
        type === 'admin',
      );
      expect(communityPolicy.allows(who, 'manage_tenant_email', { tenantId: OTHER }).allowed).toBe(false);
      expect(communityPolicy.allows(who, 'manage_platform_settings').allowed).toBe(false);
      expect(communityPolicy.allows(who, 'view_admin_notifications').allowed).toBe(false);
    }
  });
});

describe('community preset demo', () => {
  it('has two communities, every participant type, and conversations the rules allow', () => {
    const { tenants, people, conversations } = communityPreset.demo;
    expect(tenants.map((t) => t.id)).toEqual([HOME, OTHER]);
    for (const type of COMMUNITY_PARTICIPANT_TYPES) expect(people.some((p) => p.type === type)).toBe(true);
    expect(conversations.map((c) => c.conversationType).sort()).toEqual(['direct', 'group', 'support']);
    const byRef = new Map(people.map((p) => [`${p.type}:${p.id}`, p]));
    for (const c of conversations) {
      const [starter, ...others] = c.participants.map((ref) => byRef.get(ref));
      expect(starter).toBeDefined();
      if (!starter) continue;
      const decision = communityPolicy.decideStart(
        { type: starter.type, id: starter.id, tenantId: starter.tenantId },
        c.conversationType,
        others.map((p) => entry(p?.type ?? '?', p?.id ?? '?', p?.tenantId ?? null)),
      );
      expect(decision).toEqual({ allowed: true, tenantId: HOME });
      for (const m of c.messages) expect(c.participants).toContain(m.from);
    }
  });
});
