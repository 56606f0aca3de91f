import { beforeAll, describe, expect, it } from 'vitest';
import { isMessagingError, type MessagingError } from '../../kernel/errors.js';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../../testing/in-memory-messaging.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import type { Message } from '../model/message.js';
import { accessPolicyContract } from '../testing/contracts/access-policy-contract.js';
import type { ConversationAction, PolicyDecision, StartDecision } from './access-policy.js';
import { marketplacePolicy } from './marketplace-policy.js';

// The marketplace rules as the issue states them, checked exhaustively. Every expected outcome
// below comes from the `rule*` functions, which restate the issue's sentences (quoted next to
// them); none of them asks the policy. The matrix is then run against the pure policy object,
// and a slice of it end to end through the core on in-memory adapters.

type Outcome = 'allowed' | 'NOT_FOUND' | 'FORBIDDEN' | 'VALIDATION';
type ActorType = 'admin' | 'store' | 'customer';
type ConversationType = 'admin_store' | 'store_customer' | 'admin_customer';

const ACTOR_TYPES: readonly ActorType[] = ['admin', 'store', 'customer'];
const CONVERSATION_TYPES: readonly ConversationType[] = ['admin_store', 'store_customer', 'admin_customer'];
const CONVERSATION_ACTIONS: readonly ConversationAction[] = [
  'view',
  'send',
  'read',
  'close',
  'reopen',
  'update_preferences',
];
const DELETE_KINDS = ['own message', "another participant's message", 'system message'] as const;
type DeleteKind = (typeof DELETE_KINDS)[number];

const HOME = 'store-a';
const OTHER = 'store-b';

/** The two participant types of each conversation type, starter first (issue: who may start what with whom). */
const JOINS: Record<ConversationType, readonly [ActorType, ActorType]> = {
  admin_store: ['admin', 'store'],
  store_customer: ['store', 'customer'],
  admin_customer: ['admin', 'customer'],
};

// ---------------------------------------------------------------------------------------------
// The rules, restated
// ---------------------------------------------------------------------------------------------

/**
 * "Only participants see a conversation, and a store user or customer only within their own
 * store: anyone else gets NOT_FOUND, never a hint that it exists."
 */
function ruleSees(actorType: ActorType, participant: boolean, sameStore: boolean): boolean {
  if (!participant) return false;
  return actorType === 'admin' || sameStore;
}

/**
 * "Customers ... reply in conversations they belong to; they may not close or reopen (FORBIDDEN)."
 * "Admins and store participants may close and reopen conversations they belong to."
 */
function ruleAction(
  actorType: ActorType,
  action: ConversationAction,
  participant: boolean,
  sameStore: boolean,
): Outcome {
  if (!ruleSees(actorType, participant, sameStore)) return 'NOT_FOUND';
  if ((action === 'close' || action === 'reopen') && actorType === 'customer') return 'FORBIDDEN';
  return 'allowed';
}

/** "A message is soft-deleted by its sender or an admin participant; system messages cannot be deleted." */
function ruleDelete(
  actorType: ActorType,
  kind: DeleteKind,
  participant: boolean,
  sameStore: boolean,
): Outcome {
  if (!ruleSees(actorType, participant, sameStore)) return 'NOT_FOUND';
  if (kind === 'system message') return 'FORBIDDEN';
  if (kind === 'own message') return 'allowed';
  return actorType === 'admin' ? 'allowed' : 'FORBIDDEN';
}

interface ExpectedStart {
  readonly outcome: Outcome;
  readonly storeId?: string | null;
  readonly field?: string;
}

/**
 * "Admins may start admin_store (with a store user) and admin_customer (with a customer). Store
 * users may start store_customer only with customers of their own store (another store's customer
 * → NOT_FOUND, so tenants can't probe); they may not start admin_store or admin_customer
 * (FORBIDDEN). Customers may not start conversations (FORBIDDEN). Wrong recipient type for a
 * conversation type → VALIDATION."
 */
function ruleStart(
  actorType: ActorType,
  conversationType: ConversationType,
  recipientType: ActorType,
  recipientStore: string | null,
): ExpectedStart {
  const [starter, recipient] = JOINS[conversationType];
  if (actorType !== starter) return { outcome: 'FORBIDDEN' };
  if (recipientType !== recipient) return { outcome: 'VALIDATION', field: 'recipient_type' };
  if (actorType === 'admin') return { outcome: 'allowed', storeId: recipientStore };
  return recipientStore === HOME ? { outcome: 'allowed', storeId: HOME } : { outcome: 'NOT_FOUND' };
}

/**
 * "Recipients: admins list store users and customers (any store); store users only their own
 * store's customers; customers can't list (FORBIDDEN)."
 */
function ruleRecipients(
  actorType: ActorType,
  recipientType: string,
): { allowed: boolean; storeId?: string | null } {
  if (actorType === 'admin')
    return recipientType === 'store' || recipientType === 'customer'
      ? { allowed: true, storeId: null }
      : { allowed: false };
  if (actorType === 'store')
    return recipientType === 'customer' ? { allowed: true, storeId: HOME } : { allowed: false };
  return { allowed: false };
}

// ---------------------------------------------------------------------------------------------
// Pure-policy fixtures
// ---------------------------------------------------------------------------------------------

const T0 = new Date('2026-01-01T00:00:00.000Z');

const ACTORS: Record<ActorType, Actor> = {
  admin: { type: 'admin', id: 'admin-1', tenantId: null },
  store: { type: 'store', id: 'store-user-a', tenantId: HOME },
  customer: { type: 'customer', id: 'customer-a', tenantId: HOME },
};

function conversationRecord(conversationType: ConversationType, storeId: string | null): Conversation {
  return {
    id: `conv-${conversationType}-${storeId ?? 'none'}`,
    conversationType,
    subject: 'Subject',
    tenantId: storeId,
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt: T0,
    updatedAt: T0,
  };
}

function membershipOf(actor: Actor, conversation: Conversation): ConversationParticipant {
  return {
    conversationId: conversation.id,
    participant: { type: actor.type, id: actor.id },
    tenantId: actor.tenantId,
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: T0,
    joinedAt: T0,
    role: 'member',
    leftAt: null,
    visibleFromSeq: 1,
  };
}

function messageRecord(conversationId: string, sender: ParticipantRef, isSystemMessage: boolean): Message {
  return {
    id: `msg-${sender.type}-${sender.id}-${isSystemMessage ? 'system' : 'user'}`,
    conversationId,
    seq: 1,
    sender,
    content: isSystemMessage ? 'Conversation closed by someone' : 'hello',
    isSystemMessage,
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    createdAt: T0,
    attachments: [],
  };
}

function outcomeOf(decision: PolicyDecision | StartDecision): Outcome {
  return decision.allowed ? 'allowed' : decision.code;
}

function storeLabel(actorType: ActorType, storeId: string): string {
  if (actorType === 'admin') return `conversation of ${storeId}`;
  return storeId === HOME ? "conversation of the actor's store" : 'conversation of another store';
}

/** True when the membership is one `createConversation` can never produce (the actor's type is not one the type joins). */
function impossibleMembership(
  actorType: ActorType,
  conversationType: ConversationType,
  participant: boolean,
) {
  return participant && !JOINS[conversationType].includes(actorType);
}

interface ConversationCase {
  readonly name: string;
  readonly actorType: ActorType;
  readonly conversationType: ConversationType;
  readonly storeId: string;
  readonly participant: boolean;
}

function conversationCases(): ConversationCase[] {
  const cases: ConversationCase[] = [];
  for (const actorType of ACTOR_TYPES)
    for (const conversationType of CONVERSATION_TYPES)
      for (const storeId of [HOME, OTHER])
        for (const participant of [true, false]) {
          const note = impossibleMembership(actorType, conversationType, participant)
            ? ' (a membership the core never creates)'
            : '';
          cases.push({
            name: `${actorType} | ${conversationType} | ${storeLabel(actorType, storeId)} | ${participant ? 'participant' : 'non-participant'}${note}`,
            actorType,
            conversationType,
            storeId,
            participant,
          });
        }
  return cases;
}

interface ActionCase extends ConversationCase {
  readonly action: ConversationAction;
  readonly expected: Outcome;
}

const ACTION_CASES: ActionCase[] = conversationCases().flatMap((c) =>
  CONVERSATION_ACTIONS.map((action) => {
    const expected = ruleAction(
      c.actorType,
      action,
      c.participant,
      c.storeId === ACTORS[c.actorType].tenantId,
    );
    return { ...c, action, expected, name: `${c.name} | ${action} → ${expected}` };
  }),
);

interface DeleteCase extends ConversationCase {
  readonly kind: DeleteKind;
  readonly expected: Outcome;
}

const DELETE_CASES: DeleteCase[] = conversationCases().flatMap((c) =>
  DELETE_KINDS.map((kind) => {
    const expected = ruleDelete(c.actorType, kind, c.participant, c.storeId === ACTORS[c.actorType].tenantId);
    return { ...c, kind, expected, name: `${c.name} | delete ${kind} → ${expected}` };
  }),
);

function tally(outcomes: readonly Outcome[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { allowed: 0, NOT_FOUND: 0, FORBIDDEN: 0, VALIDATION: 0 };
  for (const o of outcomes) counts[o] += 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// The pure policy
// ---------------------------------------------------------------------------------------------

describe('marketplacePolicy (pure)', () => {
  it('the generated matrix has every combination, with outcomes counted by hand from the rules', () => {
    // 3 actor types × 3 conversation types × 2 stores × 2 memberships = 36 situations; 12 visible
    // (admin participant in either store: 6; store/customer participant in their store: 3 + 3).
    expect(ACTION_CASES).toHaveLength(36 * 6);
    // visible: 12 × 6 actions, minus customer close/reopen (3 × 2) → 66 allowed, 6 forbidden.
    expect(tally(ACTION_CASES.map((c) => c.expected))).toEqual({
      allowed: 66,
      NOT_FOUND: 144,
      FORBIDDEN: 6,
      VALIDATION: 0,
    });
    expect(DELETE_CASES).toHaveLength(36 * 3);
    // visible: own → 12 allowed; another's → 6 allowed (admin), 6 forbidden; system → 12 forbidden.
    expect(tally(DELETE_CASES.map((c) => c.expected))).toEqual({
      allowed: 18,
      NOT_FOUND: 72,
      FORBIDDEN: 18,
      VALIDATION: 0,
    });
    expect(new Set([...ACTION_CASES, ...DELETE_CASES].map((c) => c.name)).size).toBe(216 + 108);
  });

  describe('decide: actor × action × conversation type × store × membership', () => {
    it.each(ACTION_CASES)(
      '$name',
      ({ actorType, conversationType, storeId, participant, action, expected }) => {
        const actor = ACTORS[actorType];
        const conversation = conversationRecord(conversationType, storeId);
        const decision = marketplacePolicy.decide(
          actor,
          action,
          conversation,
          participant ? membershipOf(actor, conversation) : null,
        );
        expect(outcomeOf(decision)).toBe(expected);
        if (expected === 'NOT_FOUND') {
          // Exactly what a missing conversation says: no reason that hints at its type, store or members.
          expect(decision).toEqual({
            allowed: false,
            code: 'NOT_FOUND',
            reason: `conversation ${conversation.id} not found`,
          });
        }
        if (expected === 'FORBIDDEN')
          expect(decision).toMatchObject({ reason: expect.stringContaining(action) });
      },
    );
  });

  describe('delete (view, then decideDeleteMessage, as the use case asks): actor × message × conversation', () => {
    it.each(DELETE_CASES)(
      '$name',
      ({ actorType, conversationType, storeId, participant, kind, expected }) => {
        const actor = ACTORS[actorType];
        const conversation = conversationRecord(conversationType, storeId);
        const membership = participant ? membershipOf(actor, conversation) : null;
        const [first, second] = JOINS[conversationType];
        const otherType = first === actorType ? second : first;
        const sender: ParticipantRef =
          kind === "another participant's message" ? { type: otherType, id: `someone-else` } : actor;
        const message = messageRecord(conversation.id, sender, kind === 'system message');

        const view = marketplacePolicy.decide(actor, 'view', conversation, membership);
        const decision =
          view.allowed && membership
            ? marketplacePolicy.decideDeleteMessage(actor, message, membership)
            : view;
        expect(outcomeOf(decision)).toBe(expected);
      },
    );
  });

  describe('decideDeleteMessage: actor × sender × system flag', () => {
    const senders: { label: string; ref: (actor: Actor) => ParticipantRef }[] = [
      { label: 'the actor', ref: (actor) => ({ type: actor.type, id: actor.id }) },
      { label: 'another admin', ref: () => ({ type: 'admin', id: 'admin-other' }) },
      { label: 'another store user', ref: () => ({ type: 'store', id: 'store-user-other' }) },
      { label: 'another customer', ref: () => ({ type: 'customer', id: 'customer-other' }) },
      // Same id, other type: must not pass for "own".
      {
        label: 'the actor’s id under another type',
        ref: (actor) => ({ type: actor.type === 'admin' ? 'store' : 'admin', id: actor.id }),
      },
    ];
    const cases = ACTOR_TYPES.flatMap((actorType) =>
      senders.flatMap((sender) =>
        [false, true].map((system) => {
          const own = sender.label === 'the actor';
          const expected: Outcome = system
            ? 'FORBIDDEN'
            : own || actorType === 'admin'
              ? 'allowed'
              : 'FORBIDDEN';
          return {
            name: `${actorType} deletes a ${system ? 'system' : 'regular'} message by ${sender.label} → ${expected}`,
            actorType,
            sender,
            system,
            expected,
          };
        }),
      ),
    );

    it.each(cases)('$name', ({ actorType, sender, system, expected }) => {
      const actor = ACTORS[actorType];
      const conversation = conversationRecord('admin_store', HOME);
      const message = messageRecord(conversation.id, sender.ref(actor), system);
      const decision = marketplacePolicy.decideDeleteMessage(
        actor,
        message,
        membershipOf(actor, conversation),
      );
      expect(outcomeOf(decision)).toBe(expected);
      if (system) expect(decision).toMatchObject({ reason: 'system messages cannot be deleted' });
    });
  });

  describe('decideStart: actor × conversation type × recipient type × recipient store', () => {
    const recipients: DirectoryEntry[] = [
      { ref: { type: 'admin', id: 'admin-2' }, name: 'Ada', email: null, locale: 'en', storeId: null },
      { ref: { type: 'store', id: 'store-user-a2' }, name: 'Sam', email: null, locale: 'en', storeId: HOME },
      { ref: { type: 'store', id: 'store-user-b' }, name: 'Sol', email: null, locale: 'en', storeId: OTHER },
      { ref: { type: 'customer', id: 'customer-a2' }, name: 'Ana', email: null, locale: 'en', storeId: HOME },
      { ref: { type: 'customer', id: 'customer-b' }, name: 'Bea', email: null, locale: 'en', storeId: OTHER },
    ];
    const cases = ACTOR_TYPES.flatMap((actorType) =>
      CONVERSATION_TYPES.flatMap((conversationType) =>
        recipients.map((recipient) => {
          const expected = ruleStart(
            actorType,
            conversationType,
            recipient.ref.type as ActorType,
            recipient.storeId,
          );
          const where = recipient.storeId === null ? 'no store' : recipient.storeId;
          return {
            name: `${actorType} starts ${conversationType} with a ${recipient.ref.type} (${where}) → ${expected.outcome}${expected.storeId ? ` in ${expected.storeId}` : ''}`,
            actorType,
            conversationType,
            recipient,
            expected,
          };
        }),
      ),
    );

    it('covers 3 × 3 × 5 combinations, 5 of them allowed', () => {
      expect(cases).toHaveLength(45);
      // admin: admin_store × 2 store users + admin_customer × 2 customers; store user: own customer.
      expect(cases.filter((c) => c.expected.outcome === 'allowed')).toHaveLength(5);
    });

    it.each(cases)('$name', ({ actorType, conversationType, recipient, expected }) => {
      const decision = marketplacePolicy.decideStart(ACTORS[actorType], conversationType, [recipient]);
      expect(outcomeOf(decision)).toBe(expected.outcome);
      if (decision.allowed) expect(decision.tenantId).toBe(expected.storeId);
      else expect(decision.field).toBe(expected.field);
      if (expected.outcome === 'NOT_FOUND') {
        // The same words as for a recipient that does not exist.
        expect(decision).toMatchObject({ reason: `${recipient.ref.type} ${recipient.ref.id} not found` });
      }
    });

    it('an unknown conversation type → VALIDATION on conversation_type', () => {
      expect(marketplacePolicy.decideStart(ACTORS.admin, 'group', [recipients[1]!])).toMatchObject({
        allowed: false,
        code: 'VALIDATION',
        field: 'conversation_type',
      });
    });

    it('an admin cannot reach a store user the directory places in no store (NOT_FOUND)', () => {
      const orphan: DirectoryEntry = { ...recipients[1]!, storeId: null };
      expect(outcomeOf(marketplacePolicy.decideStart(ACTORS.admin, 'admin_store', [orphan]))).toBe(
        'NOT_FOUND',
      );
    });
  });

  describe('recipientScope: actor × recipient type', () => {
    const cases = ACTOR_TYPES.flatMap((actorType) =>
      ['admin', 'store', 'customer', 'robot'].map((recipientType) => {
        const expected = ruleRecipients(actorType, recipientType);
        return {
          name: `${actorType} lists ${recipientType} recipients → ${expected.allowed ? `allowed, ${expected.storeId === null ? 'any store' : `only ${expected.storeId}`}` : 'refused'}`,
          actorType,
          recipientType,
          expected,
        };
      }),
    );

    it.each(cases)('$name', ({ actorType, recipientType, expected }) => {
      const scope = marketplacePolicy.recipientScope(ACTORS[actorType], recipientType);
      expect(scope.allowed).toBe(expected.allowed);
      if (scope.allowed) expect(scope.tenantId).toBe(expected.storeId);
    });
  });

  describe('inboxStoreScope', () => {
    it.each([
      { actorType: 'admin' as const, expected: null },
      { actorType: 'store' as const, expected: HOME },
      { actorType: 'customer' as const, expected: HOME },
    ])('$actorType → $expected', ({ actorType, expected }) => {
      expect(marketplacePolicy.inboxTenantScope(ACTORS[actorType])).toBe(expected);
    });
  });

  describe('validateActor', () => {
    it.each([
      { name: 'an admin without a store', actor: ACTORS.admin, expected: 'allowed' as Outcome },
      { name: 'a store user in their store', actor: ACTORS.store, expected: 'allowed' as Outcome },
      { name: 'a customer in their store', actor: ACTORS.customer, expected: 'allowed' as Outcome },
      {
        name: 'a store user without a store',
        actor: { ...ACTORS.store, tenantId: null },
        expected: 'FORBIDDEN' as Outcome,
      },
      {
        name: 'a store user with an empty store id',
        actor: { ...ACTORS.store, tenantId: '' },
        expected: 'FORBIDDEN' as Outcome,
      },
      {
        name: 'a customer without a store',
        actor: { ...ACTORS.customer, tenantId: null },
        expected: 'FORBIDDEN' as Outcome,
      },
      {
        name: 'a customer with an empty store id',
        actor: { ...ACTORS.customer, tenantId: '' },
        expected: 'FORBIDDEN' as Outcome,
      },
      {
        name: 'an unknown participant type',
        actor: { type: 'robot', id: 'r1', tenantId: null },
        expected: 'FORBIDDEN' as Outcome,
      },
      {
        name: 'an admin with an empty id',
        actor: { ...ACTORS.admin, id: '' },
        expected: 'FORBIDDEN' as Outcome,
      },
      {
        name: 'a customer with an empty id',
        actor: { ...ACTORS.customer, id: '' },
        expected: 'FORBIDDEN' as Outcome,
      },
    ])('$name → $expected', ({ actor, expected }) => {
      expect(outcomeOf(marketplacePolicy.validateActor(actor))).toBe(expected);
    });
  });

  describe('conversations with no store', () => {
    // Not creatable through the marketplace rules (every type has a store or customer side), but a
    // tenant-bound actor must still not see one.
    it.each(ACTOR_TYPES)('%s participant of a store-less conversation', (actorType) => {
      const actor = ACTORS[actorType];
      const conversation = conversationRecord('admin_store', null);
      const decision = marketplacePolicy.decide(
        actor,
        'view',
        conversation,
        membershipOf(actor, conversation),
      );
      expect(outcomeOf(decision)).toBe(actorType === 'admin' ? 'allowed' : 'NOT_FOUND');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// End to end through the core
// ---------------------------------------------------------------------------------------------

type ConversationKey = `${ConversationType}@${'a' | 'b'}`;

interface WorldConversation {
  readonly id: string;
  readonly storeId: string;
  readonly members: readonly string[];
  /** The admin or store user who started it (and may close it). */
  readonly staff: string;
  /** Message ids: by actor name, and the system messages. */
  readonly messageBy: Readonly<Record<string, string>>;
  readonly systemMessage: string;
}

interface World {
  readonly m: InMemoryMessaging;
  readonly actors: Readonly<Record<string, Actor>>;
  readonly conversations: Readonly<Record<ConversationKey, WorldConversation>>;
}

const E2E_ACTORS: Record<string, Actor> = {
  admin1: { type: 'admin', id: 'admin-1', tenantId: null },
  admin2: { type: 'admin', id: 'admin-2', tenantId: null },
  storeA1: { type: 'store', id: 'store-user-a1', tenantId: HOME },
  storeA2: { type: 'store', id: 'store-user-a2', tenantId: HOME },
  storeB1: { type: 'store', id: 'store-user-b1', tenantId: OTHER },
  customerA1: { type: 'customer', id: 'customer-a1', tenantId: HOME },
  customerA2: { type: 'customer', id: 'customer-a2', tenantId: HOME },
  customerB1: { type: 'customer', id: 'customer-b1', tenantId: OTHER },
};

/** Who starts each conversation and with whom, per store. */
const PLAN: Record<ConversationKey, readonly [string, string]> = {
  'admin_store@a': ['admin1', 'storeA1'],
  'store_customer@a': ['storeA1', 'customerA1'],
  'admin_customer@a': ['admin1', 'customerA1'],
  'admin_store@b': ['admin1', 'storeB1'],
  'store_customer@b': ['storeB1', 'customerB1'],
  'admin_customer@b': ['admin1', 'customerB1'],
};

async function buildWorld(): Promise<World> {
  const clock = new FixedClock(T0, { autoAdvanceMs: 1 });
  const m = createInMemoryMessaging({ clock, ids: new SequentialIds('e2e') });
  const at = clock.now();
  await m.directory.upsertStore({ id: HOME, name: 'Acme', tier: 'business' }, at);
  await m.directory.upsertStore({ id: OTHER, name: 'Bolt', tier: 'essential' }, at);
  for (const [name, actor] of Object.entries(E2E_ACTORS)) {
    if (actor.type === 'customer') {
      await m.directory.upsertCustomer(
        { id: actor.id, storeId: actor.tenantId!, name, email: `${actor.id}@mail.test`, locale: 'en' },
        at,
      );
    } else {
      await m.directory.upsertPlatformUser(
        {
          id: actor.id,
          name,
          email: `${actor.id}@mail.test`,
          role: actor.type as 'admin' | 'store',
          storeId: actor.tenantId,
          locale: 'en',
        },
        at,
      );
    }
  }
  const conversations = {} as Record<ConversationKey, WorldConversation>;
  for (const [key, [starterName, recipientName]] of Object.entries(PLAN) as [
    ConversationKey,
    readonly [string, string],
  ][]) {
    const starter = E2E_ACTORS[starterName]!;
    const recipient = E2E_ACTORS[recipientName]!;
    const conversationType = key.split('@')[0] as ConversationType;
    const detail = await m.core.createConversation(starter, {
      conversationType,
      subject: key,
      recipient: { type: recipient.type, id: recipient.id },
      initialMessage: `hello from ${starterName}`,
    });
    const id = detail.conversation.id;
    const reply = await m.core.sendMessage(recipient, {
      conversationId: id,
      content: `reply from ${recipientName}`,
    });
    await m.core.closeConversation(starter, id);
    await m.core.reopenConversation(starter, id);
    const system = (await m.store.raw.messages(id)).find((msg) => msg.isSystemMessage);
    conversations[key] = {
      id,
      storeId: detail.conversation.tenantId!,
      members: [starterName, recipientName],
      staff: starterName,
      messageBy: { [starterName]: detail.messages[0]!.id, [recipientName]: reply.message.id },
      systemMessage: system!.id,
    };
  }
  m.events.clear();
  return { m, actors: E2E_ACTORS, conversations };
}

async function failure(work: () => Promise<unknown>): Promise<MessagingError | null> {
  try {
    await work();
    return null;
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    return error;
  }
}

function outcomeOfError(error: MessagingError | null): Outcome | string {
  return error === null ? 'allowed' : error.code;
}

/** Everything the store holds about one conversation, to show a refused call changed nothing. */
async function stateOf(world: World, conversationId: string) {
  const raw = world.m.store.raw;
  return {
    conversation: await raw.conversation(conversationId),
    participants: await raw.participants(conversationId),
    messages: await raw.messages(conversationId),
    events: world.m.events.events.length,
  };
}

type E2EAction =
  | 'view: getConversation'
  | 'view: listMessages'
  | 'read: getConversation({ markRead })'
  | 'read: markConversationRead'
  | 'send'
  | 'update_preferences'
  | 'close'
  | 'reopen';

const E2E_ACTIONS: readonly { action: E2EAction; rule: ConversationAction }[] = [
  { action: 'view: getConversation', rule: 'view' },
  { action: 'view: listMessages', rule: 'view' },
  { action: 'read: getConversation({ markRead })', rule: 'read' },
  { action: 'read: markConversationRead', rule: 'read' },
  { action: 'send', rule: 'send' },
  { action: 'update_preferences', rule: 'update_preferences' },
  { action: 'close', rule: 'close' },
  { action: 'reopen', rule: 'reopen' },
];

function runAction(world: World, actor: Actor, action: E2EAction, conversationId: string): Promise<unknown> {
  const { core } = world.m;
  switch (action) {
    case 'view: getConversation':
      return core.getConversation(actor, conversationId);
    case 'view: listMessages':
      return core.listMessages(actor, conversationId);
    case 'read: getConversation({ markRead })':
      return core.getConversation(actor, conversationId, { markRead: true });
    case 'read: markConversationRead':
      return core.markConversationRead(actor, conversationId);
    case 'send':
      return core.sendMessage(actor, { conversationId, content: 'probe' });
    case 'update_preferences':
      return core.updatePreferences(actor, conversationId, { muted: true });
    case 'close':
      return core.closeConversation(actor, conversationId);
    case 'reopen':
      return core.reopenConversation(actor, conversationId);
  }
}

const MISSING_ID = 'conversation-that-does-not-exist';

describe('marketplace rules end to end (createInMemoryMessaging)', () => {
  const conversationKeys = Object.keys(PLAN) as ConversationKey[];
  const situations = Object.keys(E2E_ACTORS).flatMap((actorName) =>
    conversationKeys.map((key) => {
      const actor = E2E_ACTORS[actorName]!;
      const participant = PLAN[key].includes(actorName);
      const conversationStore = key.endsWith('@a') ? HOME : OTHER;
      const sameStore = actor.tenantId === conversationStore;
      return {
        actorName,
        key,
        participant,
        sameStore,
        label: `${actorName} (${actor.type}${actor.tenantId ? ` of ${actor.tenantId}` : ''}) | ${key} | ${participant ? 'participant' : 'non-participant'}`,
      };
    }),
  );

  const actionCases = situations.flatMap((s) =>
    E2E_ACTIONS.map(({ action, rule }) => {
      const expected = ruleAction(
        E2E_ACTORS[s.actorName]!.type as ActorType,
        rule,
        s.participant,
        s.sameStore,
      );
      return { ...s, action, expected, name: `${s.label} | ${action} → ${expected}` };
    }),
  );

  it('the slice covers 8 actors × 6 conversations × 8 calls, with the visible ones counted by hand', () => {
    expect(actionCases).toHaveLength(8 * 6 * 8);
    // Visible (participant, and in store for tenant-bound): admin1 in 4, storeA1 2, storeB1 2,
    // customerA1 2, customerB1 2 → 12 situations × 8 calls, minus close/reopen for the 4 customer ones.
    expect(tally(actionCases.map((c) => c.expected))).toEqual({
      allowed: 12 * 8 - 4 * 2,
      FORBIDDEN: 4 * 2,
      NOT_FOUND: (48 - 12) * 8,
      VALIDATION: 0,
    });
  });

  it.each(actionCases)('$name', async ({ actorName, key, action, expected }) => {
    const world = await buildWorld();
    const actor = world.actors[actorName]!;
    const conversation = world.conversations[key];
    if (action === 'reopen')
      await world.m.core.closeConversation(world.actors[conversation.staff]!, conversation.id);
    const before = await stateOf(world, conversation.id);

    const error = await failure(() => runAction(world, actor, action, conversation.id));
    expect(outcomeOfError(error), error?.message).toBe(expected);

    if (expected === 'allowed') return;
    // Refused: nothing written, nothing published.
    expect(await stateOf(world, conversation.id)).toEqual(before);
    if (expected === 'NOT_FOUND') {
      // Indistinguishable from an id that was never issued: same code, same words.
      const missing = await failure(() => runAction(world, actor, action, MISSING_ID));
      expect(missing?.code).toBe('NOT_FOUND');
      expect(error?.message).toBe(`conversation ${conversation.id} not found`);
      expect(error?.message.replace(conversation.id, MISSING_ID)).toBe(missing?.message);
      expect(error?.field).toBe(missing?.field);
    }
  });

  const deleteCases = situations.flatMap((s) => {
    const kinds: DeleteKind[] = s.participant
      ? [...DELETE_KINDS]
      : ["another participant's message", 'system message'];
    return kinds.map((kind) => {
      const expected = ruleDelete(
        E2E_ACTORS[s.actorName]!.type as ActorType,
        kind,
        s.participant,
        s.sameStore,
      );
      return { ...s, kind, expected, name: `${s.label} | delete ${kind} → ${expected}` };
    });
  });

  it.each(deleteCases)('$name', async ({ actorName, key, kind, expected }) => {
    const world = await buildWorld();
    const actor = world.actors[actorName]!;
    const conversation = world.conversations[key];
    const otherMember = conversation.members.find((name) => name !== actorName)!;
    const messageId =
      kind === 'system message'
        ? conversation.systemMessage
        : kind === 'own message'
          ? conversation.messageBy[actorName]!
          : conversation.messageBy[otherMember]!;
    const before = await stateOf(world, conversation.id);

    const error = await failure(() => world.m.core.deleteMessage(actor, conversation.id, messageId));
    expect(outcomeOfError(error), error?.message).toBe(expected);

    if (expected === 'allowed') {
      const stored = (await world.m.store.raw.messages(conversation.id)).find((msg) => msg.id === messageId);
      expect(stored).toMatchObject({ isDeleted: true, deletedBy: { type: actor.type, id: actor.id } });
      return;
    }
    expect(await stateOf(world, conversation.id)).toEqual(before);
    if (expected === 'NOT_FOUND') {
      const missing = await failure(() => world.m.core.deleteMessage(actor, MISSING_ID, messageId));
      expect(error?.message.replace(conversation.id, MISSING_ID)).toBe(missing?.message);
    }
  });

  describe('a non-participant learns nothing from the error', () => {
    let world: World;
    beforeAll(async () => {
      world = await buildWorld();
    });

    it('same code and message as a missing id, for every refused-by-visibility call', async () => {
      const outsider = world.actors.storeB1!;
      const target = world.conversations['store_customer@a'];
      for (const { action } of E2E_ACTIONS) {
        const hidden = await failure(() => runAction(world, outsider, action, target.id));
        const missing = await failure(() => runAction(world, outsider, action, MISSING_ID));
        expect({ code: hidden?.code, message: hidden?.message.replace(target.id, '<id>') }).toEqual({
          code: missing?.code,
          message: missing?.message.replace(MISSING_ID, '<id>'),
        });
      }
    });

    // A hidden conversation and a missing one fail with the very same error (details included).
    it('same details too (the whole error shape), for a hidden conversation and a missing one', async () => {
      const outsider = world.actors.storeB1!;
      const target = world.conversations['store_customer@a'];
      const hidden = await failure(() => world.m.core.getConversation(outsider, target.id));
      const missing = await failure(() => world.m.core.getConversation(outsider, MISSING_ID));
      const shape = (e: MessagingError | null, id: string) => ({
        code: e?.code,
        message: e?.message.replace(id, '<id>'),
        field: e?.field,
        details: e?.details,
      });
      expect(shape(hidden, target.id)).toEqual(shape(missing, MISSING_ID));
    });
  });

  describe('starting conversations: actor × conversation type × recipient', () => {
    const recipientNames = ['admin2', 'storeA2', 'storeB1', 'customerA2', 'customerB1'];
    const starters = ['admin1', 'storeA1', 'customerA1'];
    const cases = starters.flatMap((actorName) =>
      CONVERSATION_TYPES.flatMap((conversationType) =>
        recipientNames.map((recipientName) => {
          const actor = E2E_ACTORS[actorName]!;
          const recipient = E2E_ACTORS[recipientName]!;
          const expected = ruleStart(
            actor.type as ActorType,
            conversationType,
            recipient.type as ActorType,
            recipient.tenantId,
          );
          return {
            name: `${actorName} starts ${conversationType} with ${recipientName} → ${expected.outcome}`,
            actorName,
            conversationType,
            recipientName,
            expected,
          };
        }),
      ),
    );

    it.each(cases)('$name', async ({ actorName, conversationType, recipientName, expected }) => {
      const world = await buildWorld();
      const actor = world.actors[actorName]!;
      const recipient = world.actors[recipientName]!;
      const countsBefore = await world.m.store.raw.counts();
      let created: Awaited<ReturnType<typeof world.m.core.createConversation>> | undefined;
      const error = await failure(async () => {
        created = await world.m.core.createConversation(actor, {
          conversationType,
          subject: 'Hi',
          recipient: { type: recipient.type, id: recipient.id },
        });
      });
      expect(outcomeOfError(error), error?.message).toBe(expected.outcome);
      if (expected.outcome === 'allowed') {
        expect(created?.conversation).toMatchObject({ conversationType, tenantId: expected.storeId });
        expect(created?.otherParticipants.map((p) => p.ref)).toEqual([
          { type: recipient.type, id: recipient.id },
        ]);
        return;
      }
      expect(await world.m.store.raw.counts()).toEqual(countsBefore);
      if (expected.field) expect(error?.field).toBe(expected.field);
      if (expected.outcome === 'NOT_FOUND') {
        // Another store's customer reads exactly like a customer who does not exist.
        const missing = await failure(() =>
          world.m.core.createConversation(actor, {
            conversationType,
            subject: 'Hi',
            recipient: { type: recipient.type, id: 'nobody' },
          }),
        );
        expect(error?.field).toBe('recipient_id');
        expect({
          code: error?.code,
          field: error?.field,
          message: error?.message.replace(recipient.id, '<id>'),
        }).toEqual({
          code: missing?.code,
          field: missing?.field,
          message: missing?.message.replace('nobody', '<id>'),
        });
      }
    });

    // A recipient that does not exist: the rules refuse by role (FORBIDDEN) and by recipient type
    // (VALIDATION) whoever the recipient is, so the answer is no oracle for probing other
    // tenants' ids (the role check runs before the directory lookup).
    const missingCases = starters.flatMap((actorName) =>
      CONVERSATION_TYPES.flatMap((conversationType) =>
        (['admin', 'store', 'customer'] as const).map((recipientType) => {
          const actor = E2E_ACTORS[actorName]!;
          const expected = ruleStart(actor.type as ActorType, conversationType, recipientType, HOME);
          const outcome: Outcome = expected.outcome === 'allowed' ? 'NOT_FOUND' : expected.outcome;
          return {
            name: `${actorName} starts ${conversationType} with ${recipientType === 'admin' ? 'an' : 'a'} ${recipientType} that does not exist → ${outcome}`,
            actorName,
            conversationType,
            recipientType,
            outcome,
          };
        }),
      ),
    );
    for (const c of missingCases) {
      it(c.name, async () => {
        const world = await buildWorld();
        const error = await failure(() =>
          world.m.core.createConversation(world.actors[c.actorName]!, {
            conversationType: c.conversationType,
            subject: 'Hi',
            recipient: { type: c.recipientType, id: 'nobody' },
          }),
        );
        expect(outcomeOfError(error)).toBe(c.outcome);
      });
    }

    // Naming oneself as the recipient: the role and recipient-type rules answer first, exactly as
    // for anyone else (a store user starting admin_store with itself is FORBIDDEN, not a 400).
    const selfCases = starters.flatMap((actorName) =>
      CONVERSATION_TYPES.map((conversationType) => {
        const actor = E2E_ACTORS[actorName]!;
        const expected = ruleStart(
          actor.type as ActorType,
          conversationType,
          actor.type as ActorType,
          actor.tenantId,
        );
        return { actorName, conversationType, expected };
      }),
    );
    it.each(selfCases)(
      '$actorName starts $conversationType with itself → $expected.outcome',
      async ({ actorName, conversationType, expected }) => {
        const world = await buildWorld();
        const actor = world.actors[actorName]!;
        const error = await failure(() =>
          world.m.core.createConversation(actor, {
            conversationType,
            subject: 'Hi',
            recipient: { type: actor.type, id: actor.id },
          }),
        );
        // No marketplace conversation type pairs two participants of one type.
        expect(expected.outcome).not.toBe('allowed');
        expect(outcomeOfError(error), error?.message).toBe(expected.outcome);
        if (expected.field) expect(error?.field).toBe(expected.field);
      },
    );

    // Another store's customer and a missing customer fail with the very same error.
    it('another store’s customer: the whole error equals the one for a missing customer', async () => {
      const world = await buildWorld();
      const start = (id: string) =>
        failure(() =>
          world.m.core.createConversation(world.actors.storeA1!, {
            conversationType: 'store_customer',
            subject: 'Hi',
            recipient: { type: 'customer', id },
          }),
        );
      const other = await start('customer-b1');
      const missing = await start('nobody');
      expect({
        ...other,
        message: other?.message.replace('customer-b1', '<id>'),
        details: other?.details,
      }).toEqual({
        ...missing,
        message: missing?.message.replace('nobody', '<id>'),
        details: missing?.details,
      });
    });

    it('an unknown conversation type or recipient type → VALIDATION naming the field', async () => {
      const world = await buildWorld();
      const admin = world.actors.admin1!;
      const badType = await failure(() =>
        world.m.core.createConversation(admin, {
          conversationType: 'group',
          subject: 'Hi',
          recipient: { type: 'store', id: 'store-user-a1' },
        }),
      );
      expect([badType?.code, badType?.field]).toEqual(['VALIDATION', 'conversation_type']);
      const badRecipient = await failure(() =>
        world.m.core.createConversation(admin, {
          conversationType: 'admin_store',
          subject: 'Hi',
          recipient: { type: 'robot', id: 'r1' },
        }),
      );
      expect([badRecipient?.code, badRecipient?.field]).toEqual(['VALIDATION', 'recipient_type']);
    });
  });

  describe('listing recipients: actor × recipient type', () => {
    const listers = ['admin1', 'storeA1', 'customerA1'];
    const everyone = Object.values(E2E_ACTORS);
    const cases = listers.flatMap((actorName) =>
      ['admin', 'store', 'customer'].map((recipientType) => {
        const actor = E2E_ACTORS[actorName]!;
        const rule = ruleRecipients(actor.type as ActorType, recipientType);
        const expectedIds = rule.allowed
          ? everyone
              .filter(
                (a) => a.type === recipientType && (rule.storeId === null || a.tenantId === rule.storeId),
              )
              .filter((a) => a.id !== actor.id)
              .map((a) => a.id)
              .sort()
          : null;
        return {
          name: `${actorName} lists ${recipientType} → ${expectedIds ? expectedIds.join(', ') : 'FORBIDDEN'}`,
          actorName,
          recipientType,
          expectedIds,
        };
      }),
    );

    it.each(cases)('$name', async ({ actorName, recipientType, expectedIds }) => {
      const world = await buildWorld();
      let listed: DirectoryEntry[] = [];
      const error = await failure(async () => {
        listed = await world.m.core.listRecipients(world.actors[actorName]!, { recipientType, limit: 100 });
      });
      if (expectedIds === null) {
        expect(error?.code).toBe('FORBIDDEN');
        return;
      }
      expect(error).toBeNull();
      expect(listed.map((e) => e.ref.id).sort()).toEqual(expectedIds);
    });

    it.each(listers)(
      '%s lists an unknown recipient type → VALIDATION on recipient_type',
      async (actorName) => {
        const world = await buildWorld();
        const error = await failure(() =>
          world.m.core.listRecipients(world.actors[actorName]!, { recipientType: 'robot' }),
        );
        expect([error?.code, error?.field]).toEqual(['VALIDATION', 'recipient_type']);
      },
    );
  });

  describe('malformed actors are refused before anything is read', () => {
    const malformed: { name: string; actor: Actor }[] = [
      { name: 'a store user without a store', actor: { type: 'store', id: 'store-user-a1', tenantId: null } },
      { name: 'a customer without a store', actor: { type: 'customer', id: 'customer-a1', tenantId: null } },
      { name: 'an unknown type', actor: { type: 'robot', id: 'admin-1', tenantId: null } },
    ];
    it.each(malformed)(
      '$name → FORBIDDEN on every call, even for a conversation they are in',
      async ({ actor }) => {
        const world = await buildWorld();
        const id = world.conversations['store_customer@a'].id;
        const calls: (() => Promise<unknown>)[] = [
          ...E2E_ACTIONS.map(
            ({ action }) =>
              () =>
                runAction(world, actor, action, id),
          ),
          () => world.m.core.listConversations(actor),
          () => world.m.core.getUnreadCount(actor),
          () => world.m.core.listRecipients(actor, { recipientType: 'customer' }),
        ];
        for (const call of calls) expect((await failure(call))?.code).toBe('FORBIDDEN');
      },
    );
  });
});

describe('decidePurgeFiles', () => {
  it('lets only admins purge the files of a deleted message', () => {
    const message = {
      id: 'm1',
      conversationId: 'c1',
      seq: 1,
      sender: { type: 'customer', id: 'cu1' },
      content: '',
      isSystemMessage: false,
      isDeleted: true,
      deletedAt: new Date(0),
      deletedBy: { type: 'customer', id: 'cu1' },
      createdAt: new Date(0),
      attachments: [],
    };
    const outcomes = (['admin', 'store', 'customer'] as const).map((type) => {
      const actor = { type, id: `${type}-1`, tenantId: type === 'admin' ? null : 's1' };
      const membership = {
        conversationId: 'c1',
        participant: { type, id: actor.id },
        tenantId: actor.tenantId,
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: new Date(0),
        joinedAt: new Date(0),
        role: 'member',
        leftAt: null,
        visibleFromSeq: 1,
      };
      const decision = marketplacePolicy.decidePurgeFiles(actor, message, membership);
      return decision.allowed ? 'allowed' : decision.code;
    });
    expect(outcomes).toEqual(['allowed', 'FORBIDDEN', 'FORBIDDEN']);
  });
});

accessPolicyContract('marketplace', { policy: marketplacePolicy, fixtures: { tenants: [HOME, OTHER] } });

describe('marketplace: two members, no membership changes', () => {
  const KINDS = ['add', 'remove', 'change_role', 'leave'] as const;

  it('declares exactly two members in one role, who see the whole history', () => {
    for (const type of CONVERSATION_TYPES) {
      expect(marketplacePolicy.sizeLimits(type)).toEqual({ min: 2, max: 2 });
      expect(marketplacePolicy.memberRoles(type)).toEqual(['member']);
      expect(marketplacePolicy.historyVisibleToNewMembers(type)).toBe(true);
      for (const creator of [true, false])
        expect(marketplacePolicy.initialRole(type, ACTORS.admin, creator)).toBe('member');
    }
  });

  it('starts with exactly one recipient', () => {
    expect(marketplacePolicy.decideStartKind(ACTORS.admin, 'admin_store', ['store', 'store'])).toEqual({
      allowed: false,
      code: 'VALIDATION',
      field: 'participants',
      reason: 'admin_store conversations have exactly 2 participants, not 3',
    });
  });

  // actor × conversation type × membership × change kind: FORBIDDEN for members, NOT_FOUND otherwise.
  const cases = ACTOR_TYPES.flatMap((actorType) =>
    CONVERSATION_TYPES.flatMap((conversationType) =>
      [true, false].flatMap((participant) =>
        KINDS.map((kind) => ({
          name: `${actorType} | ${conversationType} | ${participant ? 'member' : 'non-member'} | ${kind} → ${participant ? 'FORBIDDEN' : 'NOT_FOUND'}`,
          actorType,
          conversationType,
          participant,
          kind,
        })),
      ),
    ),
  );

  it('covers 3 × 3 × 2 × 4 = 72 combinations', () => {
    expect(cases).toHaveLength(72);
  });

  it.each(cases)('$name', ({ actorType, conversationType, participant, kind }) => {
    const actor = ACTORS[actorType];
    const conversation = conversationRecord(conversationType, HOME);
    const membership = participant ? membershipOf(actor, conversation) : null;
    const target: DirectoryEntry =
      kind === 'leave'
        ? {
            ref: { type: actor.type, id: actor.id },
            name: 'Self',
            email: null,
            locale: 'en',
            storeId: actor.tenantId,
          }
        : {
            ref: { type: 'customer', id: 'customer-z' },
            name: 'Z',
            email: null,
            locale: 'en',
            storeId: HOME,
          };
    const decision = marketplacePolicy.decideMembershipChange(
      actor,
      { kind, target, targetMembership: kind === 'add' ? null : membership },
      conversation,
      membership,
      2,
    );
    if (participant)
      expect(decision).toEqual({
        allowed: false,
        code: 'FORBIDDEN',
        reason: 'marketplace conversations always have exactly two participants',
      });
    else
      expect(decision).toEqual({
        allowed: false,
        code: 'NOT_FOUND',
        reason: `conversation ${conversation.id} not found`,
      });
  });
});

describe('marketplace: platform capabilities (what the API and the email, template and alert cores ask)', () => {
  type Expected = 'allowed' | string;
  const admin = ACTORS.admin;
  const store = ACTORS.store;
  const customer = ACTORS.customer;
  const cases: readonly [
    string,
    Actor,
    Parameters<typeof marketplacePolicy.allows>[1],
    string | null | undefined,
    Expected,
  ][] = [
    ['admin', admin, 'manage_platform_settings', undefined, 'allowed'],
    ['store', store, 'manage_platform_settings', undefined, 'only admins may do this'],
    ['admin', admin, 'view_admin_notifications', undefined, 'allowed'],
    ['store', store, 'view_admin_notifications', undefined, 'only admins may read admin notifications'],
    ['customer', customer, 'view_admin_notifications', undefined, 'only admins may read admin notifications'],
    ['admin', admin, 'manage_platform_email_templates', undefined, 'allowed'],
    ['store', store, 'manage_platform_email_templates', undefined, 'only admins may do this'],
    ['admin', admin, 'view_any_tenant_email_settings', OTHER, 'allowed'],
    ['store', store, 'view_any_tenant_email_settings', HOME, 'only admins may do this'],
    ['store', store, 'manage_tenant_email', undefined, 'allowed'],
    ['store', store, 'manage_tenant_email', HOME, 'allowed'],
    [
      'store of another store',
      store,
      'manage_tenant_email',
      OTHER,
      "only store users manage their store's email settings",
    ],
    ['admin', admin, 'manage_tenant_email', HOME, "only store users manage their store's email settings"],
    [
      'customer',
      customer,
      'manage_tenant_email',
      HOME,
      "only store users manage their store's email settings",
    ],
    ['admin, any store', admin, 'read_email_log', OTHER, 'allowed'],
    ['admin, all stores', admin, 'read_email_log', undefined, 'allowed'],
    ['store, own store', store, 'read_email_log', undefined, 'allowed'],
    [
      'store, another store',
      store,
      'read_email_log',
      OTHER,
      "store users see their own store's email log only",
    ],
    ['customer', customer, 'read_email_log', undefined, 'only admins and store users may read the email log'],
  ];

  it.each(cases)('%s: %s on %s → %s', (_who, actor, capability, tenantId, expected) => {
    const decision = marketplacePolicy.allows(actor, capability, tenantId === undefined ? {} : { tenantId });
    if (expected === 'allowed') expect(decision).toEqual({ allowed: true });
    else expect(decision).toEqual({ allowed: false, code: 'FORBIDDEN', reason: expected });
  });

  it('says which participant types could ever do what (the API registers audience routes from it)', () => {
    expect(ACTOR_TYPES.filter((t) => marketplacePolicy.mayEver(t, 'purge_message_files'))).toEqual(['admin']);
    expect(ACTOR_TYPES.filter((t) => marketplacePolicy.mayEver(t, 'close'))).toEqual(['admin', 'store']);
    expect(ACTOR_TYPES.filter((t) => marketplacePolicy.mayEver(t, 'start'))).toEqual(['admin', 'store']);
    expect(ACTOR_TYPES.filter((t) => marketplacePolicy.mayEver(t, 'view_admin_notifications'))).toEqual([
      'admin',
    ]);
    expect(ACTOR_TYPES.filter((t) => marketplacePolicy.mayEver(t, 'manage_tenant_email'))).toEqual(['store']);
    expect(ACTOR_TYPES.filter((t) => marketplacePolicy.isTenantBound(t))).toEqual(['store', 'customer']);
  });
});
