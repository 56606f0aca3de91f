import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import { accessPolicyContract } from '../testing/contracts/access-policy-contract.js';
import type { ConversationAction, PolicyDecision } from './access-policy.js';
import {
  ADMINS_CANNOT_BE_BLOCKED,
  BLOCKED_BY_RECIPIENT,
  careTeamPolicy,
  careTeamPreset,
  USERS_ONLY_REPLY_TO_CLINICIANS,
} from './care-team-policy.js';
import { PLATFORM_CAPABILITIES } from './policy-definition.js';

// The care-team rules as issue 11 states them, every cell of the role × action matrix asserted.
// The expected outcomes come from the `rule*` functions, which restate the sentences;
// none of them asks the policy.

type Role = 'therapist' | 'clinician' | 'user' | 'admin';
type Outcome = 'allowed' | 'NOT_FOUND' | 'FORBIDDEN' | 'VALIDATION';

const ROLES: readonly Role[] = ['therapist', 'clinician', 'user', 'admin'];
const ACTIONS: readonly ConversationAction[] = [
  'view',
  'send',
  'read',
  'close',
  'reopen',
  'update_preferences',
  'add_participant',
  'remove_participant',
  'change_role',
  'leave',
];

const at = new Date('2026-12-01T10:00:00Z');
const actor = (type: Role, id = `${type}-1`): Actor => ({ type, id, tenantId: null });
const entry = (type: Role, id = `${type}-2`): DirectoryEntry => ({
  ref: { type, id },
  name: id,
  email: null,
  locale: 'en',
  storeId: null,
});
const conversation: Conversation = {
  id: 'c1',
  conversationType: 'direct',
  subject: 's',
  tenantId: null,
  isClosed: false,
  closedAt: null,
  closedBy: null,
  lastMessageAt: at,
  messageCount: 3,
  createdAt: at,
  updatedAt: at,
};
const membership = (a: Actor): ConversationParticipant => ({
  conversationId: 'c1',
  participant: { type: a.type, id: a.id },
  tenantId: null,
  unreadCount: 0,
  lastReadSeq: 0,
  lastReadAt: null,
  lastDeliveredSeq: 0,
  lastDeliveredAt: null,
  emailNotifications: true,
  muted: false,
  lastActivityAt: at,
  joinedAt: at,
  role: 'member',
  leftAt: null,
  visibleFromSeq: 1,
});
const message = (sender: Actor | { type: string; id: string }, isSystemMessage = false): Message => ({
  id: 'm1',
  conversationId: 'c1',
  seq: 1,
  sender: { type: sender.type, id: sender.id },
  content: 'x',
  isSystemMessage,
  isDeleted: false,
  deletedAt: null,
  deletedBy: null,
  createdAt: at,
  attachments: [],
});

const outcome = (d: PolicyDecision): Outcome => (d.allowed ? 'allowed' : d.code);

/** "therapist, clinician and admin → anyone; user → therapist, user and admin; a user may only reply to a clinician, never start." */
function ruleStart(from: Role, to: Role): Outcome {
  if (from === 'user' && to === 'clinician') return 'FORBIDDEN';
  return 'allowed';
}

/** "Members view, send, read and set preferences; nothing else exists in a two-person, never-closed conversation." */
function ruleMember(action: ConversationAction): Outcome {
  return ['view', 'send', 'read', 'update_preferences'].includes(action) ? 'allowed' : 'FORBIDDEN';
}

/** "Admins may read every conversation ('monitor all')"; anyone else who is not a member does not see it. */
function ruleNonMember(role: Role, action: ConversationAction): Outcome {
  if (role !== 'admin') return 'NOT_FOUND';
  return action === 'view' ? 'allowed' : 'FORBIDDEN';
}

/** "Any person may block another … Admins cannot be blocked." Nobody blocks themselves. */
function ruleBlock(target: Role): Outcome {
  return target === 'admin' ? 'FORBIDDEN' : 'allowed';
}

accessPolicyContract('care-team', { policy: careTeamPolicy });

describe('care-team policy: starting a conversation (sender × recipient)', () => {
  for (const from of ROLES)
    for (const to of ROLES)
      it(`${from} → ${to}: ${ruleStart(from, to)}`, () => {
        const decision = careTeamPolicy.decideStart(actor(from), 'direct', [entry(to)]);
        expect(outcome(decision)).toBe(ruleStart(from, to));
        if (!decision.allowed) expect(decision.reason).toBe(USERS_ONLY_REPLY_TO_CLINICIANS);
        // The role rule is known before anyone is looked up.
        expect(outcome(careTeamPolicy.decideStartKind(actor(from), 'direct', [to]))).toBe(
          ruleStart(from, to),
        );
      });

  for (const role of ROLES)
    it(`${role} → themselves: VALIDATION`, () => {
      const me = actor(role);
      const decision = careTeamPolicy.decideStart(me, 'direct', [entry(role, me.id)]);
      expect(outcome(decision)).toBe('VALIDATION');
    });

  for (const from of ROLES)
    for (const to of ROLES)
      it(`${from} → ${to} who blocked them: ${ruleStart(from, to) === 'allowed' ? 'FORBIDDEN (blocked)' : 'FORBIDDEN'}`, () => {
        const recipient = entry(to);
        const decision = careTeamPolicy.decideStart(actor(from), 'direct', [recipient], {
          blockedBy: [recipient.ref],
        });
        expect(decision).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
        if (!decision.allowed)
          expect(decision.reason).toBe(
            ruleStart(from, to) === 'allowed' ? BLOCKED_BY_RECIPIENT : USERS_ONLY_REPLY_TO_CLINICIANS,
          );
      });
});

describe('care-team policy: conversation actions (role × action × membership)', () => {
  for (const role of ROLES)
    for (const action of ACTIONS) {
      it(`${role} member: ${action} → ${ruleMember(action)}`, () => {
        const me = actor(role);
        expect(outcome(careTeamPolicy.decide(me, action, conversation, membership(me)))).toBe(
          ruleMember(action),
        );
      });
      it(`${role} non-member: ${action} → ${ruleNonMember(role, action)}`, () => {
        expect(outcome(careTeamPolicy.decide(actor(role), action, conversation, null))).toBe(
          ruleNonMember(role, action),
        );
      });
    }

  for (const role of ROLES)
    it(`${role} member sending to someone who blocked them: FORBIDDEN`, () => {
      const me = actor(role);
      const decision = careTeamPolicy.decide(me, 'send', conversation, membership(me), {
        blockedBy: [{ type: 'user', id: 'someone' }],
      });
      expect(decision).toEqual({ allowed: false, code: 'FORBIDDEN', reason: BLOCKED_BY_RECIPIENT });
      // A block only concerns sending: reading stays allowed.
      expect(
        careTeamPolicy.decide(me, 'read', conversation, membership(me), {
          blockedBy: [{ type: 'user', id: 'x' }],
        }).allowed,
      ).toBe(true);
    });
});

describe('care-team policy: deleting messages and blocking', () => {
  for (const role of ROLES) {
    const me = actor(role);
    it(`${role} deletes their own message: allowed`, () => {
      expect(outcome(careTeamPolicy.decideDeleteMessage(me, message(me), membership(me)))).toBe('allowed');
    });
    it(`${role} deletes the other member's message (per side): allowed`, () => {
      expect(
        outcome(
          careTeamPolicy.decideDeleteMessage(me, message({ type: 'user', id: 'other' }), membership(me)),
        ),
      ).toBe('allowed');
    });
    it(`${role} deletes a system message: FORBIDDEN`, () => {
      expect(outcome(careTeamPolicy.decideDeleteMessage(me, message(me, true), membership(me)))).toBe(
        'FORBIDDEN',
      );
    });
    it(`${role} purges message files: FORBIDDEN`, () => {
      expect(outcome(careTeamPolicy.decidePurgeFiles(me, message(me), membership(me)))).toBe('FORBIDDEN');
    });
    for (const target of ROLES)
      it(`${role} blocks a ${target}: ${ruleBlock(target)}`, () => {
        const decision = careTeamPolicy.decideBlock(me, entry(target));
        expect(outcome(decision)).toBe(ruleBlock(target));
        if (!decision.allowed) expect(decision.reason).toBe(ADMINS_CANNOT_BE_BLOCKED);
      });
    it(`${role} blocks themselves: VALIDATION`, () => {
      expect(careTeamPolicy.decideBlock(me, entry(role, me.id))).toMatchObject({
        allowed: false,
        code: 'VALIDATION',
        field: 'username',
      });
    });
  }
});

describe('care-team policy: platform capabilities', () => {
  for (const role of ROLES)
    for (const capability of PLATFORM_CAPABILITIES) {
      // Care-team has no tenants: nobody holds a tenant's own capabilities.
      const tenantScoped = capability === 'manage_tenant_email' || capability === 'manage_tenant_webhooks';
      const expected = role === 'admin' && !tenantScoped ? 'allowed' : 'FORBIDDEN';
      it(`${role}: ${capability} → ${expected}`, () => {
        expect(outcome(careTeamPolicy.allows(actor(role), capability))).toBe(expected);
      });
    }
});

describe('care-team conversation type', () => {
  it('is one per pair, two people, deleted per side', () => {
    expect(careTeamPolicy.onePerPair('direct')).toBe(true);
    expect(careTeamPolicy.deletion('direct')).toBe('per_side');
    expect(careTeamPolicy.sizeLimits('direct')).toEqual({ min: 2, max: 2 });
  });

  it('demo data has every role, a clinician who wrote to a user first, and a block', () => {
    const { people, conversations, blocks } = careTeamPreset.demo;
    expect(new Set(people.map((p) => p.type))).toEqual(new Set(ROLES));
    const kim = conversations.find((c) => c.participants[0]?.startsWith('clinician:'));
    expect(kim?.messages[0]?.from).toBe(kim?.participants[0]);
    expect(kim?.messages.some((m) => m.from.startsWith('user:'))).toBe(true);
    expect(blocks?.length).toBeGreaterThan(0);
  });
});
