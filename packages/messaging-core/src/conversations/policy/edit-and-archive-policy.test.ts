import { describe, expect, it } from 'vitest';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import { observerMembership } from '../use-cases/context.js';
import type { AccessPolicy, PolicyDecision } from './access-policy.js';
import { careTeamPolicy } from './care-team-policy.js';
import { communityPolicy } from './community-policy.js';
import { marketplacePolicy } from './marketplace-policy.js';

// Issue 14's archive, edit and revision rules in the three presets, as the presets' comments
// state them: every member archives for themselves; the sender edits (a marketplace customer only
// until answered); members (and care-team monitoring admins) read the earlier versions.

const at = new Date('2026-12-01T10:00:00Z');

function conversation(conversationType: string, tenantId: string | null): Conversation {
  return {
    id: 'c1',
    conversationType,
    subject: 's',
    tenantId,
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: at,
    messageCount: 3,
    createdAt: at,
    updatedAt: at,
  };
}

function member(actor: Actor, role = 'member'): ConversationParticipant {
  return {
    conversationId: 'c1',
    participant: { type: actor.type, id: actor.id },
    tenantId: actor.tenantId,
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: at,
    joinedAt: at,
    role,
    leftAt: null,
    visibleFromSeq: 1,
  };
}

function message(sender: Actor, isSystemMessage = false): Message {
  return {
    id: 'm1',
    conversationId: 'c1',
    seq: 1,
    sender: { type: sender.type, id: sender.id },
    content: 'hi',
    isSystemMessage,
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    createdAt: at,
    attachments: [],
  };
}

const outcome = (decision: PolicyDecision) => (decision.allowed ? 'allowed' : decision.code);

describe('marketplace: archive, edit, revisions', () => {
  const policy: AccessPolicy = marketplacePolicy;
  const store: Actor = { type: 'store', id: 'u1', tenantId: 's1' };
  const customer: Actor = { type: 'customer', id: 'c1', tenantId: 's1' };
  const otherCustomer: Actor = { type: 'customer', id: 'c2', tenantId: 's1' };
  const admin: Actor = { type: 'admin', id: 'a1', tenantId: null };
  const thread = conversation('store_customer', 's1');

  it('lets every participant archive, and hides the conversation from anyone else', () => {
    expect(outcome(policy.decide(store, 'archive', thread, member(store)))).toBe('allowed');
    expect(outcome(policy.decide(customer, 'archive', thread, member(customer)))).toBe('allowed');
    expect(outcome(policy.decide(otherCustomer, 'archive', thread, null))).toBe('NOT_FOUND');
    expect(outcome(policy.decide(admin, 'archive', thread, null))).toBe('NOT_FOUND');
  });

  it('lets the sender edit, a customer only until answered, never a system message', () => {
    expect(outcome(policy.decideEditMessage(customer, message(customer), member(customer)))).toBe('allowed');
    expect(
      outcome(policy.decideEditMessage(customer, message(customer), member(customer), { answered: false })),
    ).toBe('allowed');
    const answered = policy.decideEditMessage(customer, message(customer), member(customer), {
      answered: true,
    });
    expect(answered).toEqual({
      allowed: false,
      code: 'FORBIDDEN',
      reason: 'customers cannot edit a message once it has been answered',
    });
    expect(outcome(policy.decideEditMessage(store, message(store), member(store), { answered: true }))).toBe(
      'allowed',
    );
    expect(policy.decideEditMessage(store, message(customer), member(store))).toEqual({
      allowed: false,
      code: 'FORBIDDEN',
      reason: 'only the sender may edit a message',
    });
    expect(outcome(policy.decideEditMessage(admin, message(store), member(admin)))).toBe('FORBIDDEN');
    expect(outcome(policy.decideEditMessage(store, message(store, true), member(store)))).toBe('FORBIDDEN');
    expect(policy.readsAnswered()).toBe(true);
  });

  it('lets every participant read the earlier versions', () => {
    for (const who of [store, customer, admin])
      expect(outcome(policy.decideViewRevisions(who, message(customer), member(who)))).toBe('allowed');
    expect(policy.mayEver('customer', 'edit_message')).toBe(true);
    expect(policy.mayEver('customer', 'archive')).toBe(true);
  });
});

describe('care-team: archive, edit, revisions', () => {
  const policy: AccessPolicy = careTeamPolicy;
  const uma: Actor = { type: 'user', id: 'uma', tenantId: null };
  const kim: Actor = { type: 'clinician', id: 'dr.kim', tenantId: null };
  const ada: Actor = { type: 'admin', id: 'ada', tenantId: null };
  const direct = conversation('direct', null);

  it('lets members archive; a monitoring admin sees but may not archive', () => {
    expect(outcome(policy.decide(uma, 'archive', direct, member(uma)))).toBe('allowed');
    expect(outcome(policy.decide(kim, 'archive', direct, member(kim)))).toBe('allowed');
    expect(outcome(policy.decide(ada, 'view', direct, null))).toBe('allowed');
    expect(outcome(policy.decide(ada, 'archive', direct, null))).toBe('FORBIDDEN');
  });

  it('lets the sender edit even once answered; members and monitoring admins read the versions', () => {
    expect(outcome(policy.decideEditMessage(uma, message(uma), member(uma), { answered: true }))).toBe(
      'allowed',
    );
    expect(outcome(policy.decideEditMessage(kim, message(uma), member(kim)))).toBe('FORBIDDEN');
    expect(policy.readsAnswered()).toBe(false);
    expect(outcome(policy.decideViewRevisions(kim, message(uma), member(kim)))).toBe('allowed');
    expect(outcome(policy.decideViewRevisions(ada, message(uma), observerMembership(direct, ada)))).toBe(
      'allowed',
    );
  });
});

describe('community: archive, edit, revisions', () => {
  const policy: AccessPolicy = communityPolicy;
  const ana: Actor = { type: 'student', id: 'stu-ana', tenantId: 'north-high' };
  const ada: Actor = { type: 'admin', id: 'adm-ada', tenantId: 'north-high' };
  const support = conversation('support', 'north-high');

  it('lets members of every type archive; a support team member only once joined', () => {
    for (const type of ['direct', 'group'])
      expect(outcome(policy.decide(ana, 'archive', conversation(type, 'north-high'), member(ana)))).toBe(
        'allowed',
      );
    expect(outcome(policy.decide(ana, 'archive', support, member(ana, 'requester')))).toBe('allowed');
    expect(outcome(policy.decide(ada, 'archive', support, null))).toBe('FORBIDDEN');
    expect(outcome(policy.decide(ada, 'archive', support, member(ada, 'agent')))).toBe('allowed');
  });

  it('lets the sender edit and every member read the versions', () => {
    expect(outcome(policy.decideEditMessage(ana, message(ana), member(ana)))).toBe('allowed');
    expect(outcome(policy.decideEditMessage(ada, message(ana), member(ada, 'agent')))).toBe('FORBIDDEN');
    expect(outcome(policy.decideViewRevisions(ada, message(ana), member(ada, 'agent')))).toBe('allowed');
  });
});
