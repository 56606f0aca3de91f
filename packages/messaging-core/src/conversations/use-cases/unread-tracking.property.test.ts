import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMessagingError, type MessagingErrorCode } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { participantKey } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../../testing/in-memory-messaging.js';

// Random command sequences against the core on in-memory adapters, with a plain model kept
// alongside. After every step the stored read state must match the model; at the end every
// actor's badge, inbox and per-conversation access must match it too.

const STORE_A = 'store-a';
const STORE_B = 'store-b';

interface Who {
  readonly name: string;
  readonly actor: Actor;
  /** False for identities a host could hand us by mistake (a real user claiming another store). */
  readonly genuine: boolean;
}

const person = (name: string, type: string, id: string, storeId: string | null): Who => ({
  name,
  actor: { type, id, tenantId: storeId },
  genuine: true,
});

const PEOPLE: readonly Who[] = [
  person('admin1', 'admin', 'admin-1', null),
  person('admin2', 'admin', 'admin-2', null),
  person('storeA1', 'store', 'store-user-a1', STORE_A),
  person('storeA2', 'store', 'store-user-a2', STORE_A),
  person('storeB1', 'store', 'store-user-b1', STORE_B),
  person('storeB2', 'store', 'store-user-b2', STORE_B),
  person('customerA1', 'customer', 'customer-a1', STORE_A),
  person('customerA2', 'customer', 'customer-a2', STORE_A),
  person('customerB1', 'customer', 'customer-b1', STORE_B),
  person('customerB2', 'customer', 'customer-b2', STORE_B),
];

/** Real participants presenting the other store: members by reference, never by tenant. */
const IMPOSTORS: readonly Who[] = [
  { name: 'storeA1@b', actor: { type: 'store', id: 'store-user-a1', tenantId: STORE_B }, genuine: false },
  { name: 'customerA1@b', actor: { type: 'customer', id: 'customer-a1', tenantId: STORE_B }, genuine: false },
  { name: 'customerB1@a', actor: { type: 'customer', id: 'customer-b1', tenantId: STORE_A }, genuine: false },
];

const EVERYONE: readonly Who[] = [...PEOPLE, ...IMPOSTORS];
const byName = (name: string): Who => EVERYONE.find((w) => w.name === name)!;

/** Conversations of the world: type, starter, recipient, and whether it starts with a message. */
const PLAN: readonly (readonly [string, string, string, boolean])[] = [
  ['admin_store', 'admin1', 'storeA1', false],
  ['admin_store', 'admin2', 'storeA2', true],
  ['admin_store', 'admin1', 'storeB1', true],
  ['store_customer', 'storeA1', 'customerA1', true],
  ['store_customer', 'storeA2', 'customerA1', false],
  ['store_customer', 'storeB1', 'customerB1', true],
  ['store_customer', 'storeB2', 'customerB2', false],
  ['admin_customer', 'admin1', 'customerA2', true],
  ['admin_customer', 'admin2', 'customerB1', false],
  ['admin_customer', 'admin1', 'customerB2', true],
];

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

interface LoggedMessage {
  readonly sender: string; // participant key
  readonly system: boolean;
}

interface ModelConversation {
  readonly id: string;
  readonly storeId: string;
  /** Participant keys, starter first. */
  readonly members: readonly string[];
  closed: boolean;
  readonly log: LoggedMessage[];
  /** Participant key → length of `log` when they last read (0: never). */
  readonly readUpTo: Map<string, number>;
  readonly muted: Map<string, boolean>;
}

/** "Messages by others, not system messages, since their last read." */
function modelUnread(c: ModelConversation, key: string): number {
  return c.log.slice(c.readUpTo.get(key) ?? 0).filter((m) => !m.system && m.sender !== key).length;
}

/** The visibility rule: a participant, and a store user or customer only within their store. */
function modelSees(c: ModelConversation, actor: Actor): boolean {
  if (!c.members.includes(participantKey(actor))) return false;
  return actor.type === 'admin' || actor.tenantId === c.storeId;
}

function modelBadge(conversations: readonly ModelConversation[], actor: Actor): number {
  const key = participantKey(actor);
  return conversations
    .filter((c) => modelSees(c, actor) && !c.muted.get(key))
    .reduce((sum, c) => sum + modelUnread(c, key), 0);
}

/** "Read up to here": forward only, never past the latest message. */
function markRead(c: ModelConversation, key: string, upTo = c.log.length): void {
  c.readUpTo.set(key, Math.max(c.readUpTo.get(key) ?? 0, Math.min(upTo, c.log.length)));
}

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

interface World {
  readonly m: InMemoryMessaging;
  readonly conversations: ModelConversation[];
}

async function buildWorld(): Promise<World> {
  const clock = new FixedClock(new Date('2026-02-01T09:00:00.000Z'), { autoAdvanceMs: 1 });
  const m = createInMemoryMessaging({ clock, ids: new SequentialIds('prop') });
  const at = clock.now();
  await m.directory.upsertStore({ id: STORE_A, name: 'Acme', tier: 'business' }, at);
  await m.directory.upsertStore({ id: STORE_B, name: 'Bolt', tier: 'essential' }, at);
  for (const { name, actor } of PEOPLE) {
    const email = `${actor.id}@mail.test`;
    if (actor.type === 'customer') {
      await m.directory.upsertCustomer(
        { id: actor.id, storeId: actor.tenantId!, name, email, locale: 'en' },
        at,
      );
    } else {
      const role = actor.type === 'admin' ? 'admin' : 'store';
      await m.directory.upsertPlatformUser(
        { id: actor.id, name, email, role, storeId: actor.tenantId, locale: 'en' },
        at,
      );
    }
  }
  const conversations: ModelConversation[] = [];
  for (const [conversationType, starterName, recipientName, withMessage] of PLAN) {
    const starter = byName(starterName).actor;
    const recipient = byName(recipientName).actor;
    const detail = await m.core.createConversation(starter, {
      conversationType,
      subject: `${starterName} → ${recipientName}`,
      recipient: { type: recipient.type, id: recipient.id },
      ...(withMessage ? { initialMessage: 'Hello' } : {}),
    });
    const starterKey = participantKey(starter);
    const c: ModelConversation = {
      id: detail.conversation.id,
      storeId: detail.conversation.tenantId!,
      members: [starterKey, participantKey(recipient)],
      closed: false,
      log: [],
      readUpTo: new Map(),
      muted: new Map(),
    };
    if (withMessage) {
      c.log.push({ sender: starterKey, system: false });
      markRead(c, starterKey);
    }
    conversations.push(c);
  }
  return { m, conversations };
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** Either one of the conversation's own two participants, or anybody at all (impostors included). */
type Pick = { readonly member: 0 | 1 } | { readonly anyone: number };

type Command =
  | { readonly kind: 'send'; readonly conversation: number; readonly who: Pick }
  | {
      readonly kind: 'markRead';
      readonly conversation: number;
      readonly who: Pick;
      readonly upTo: number | null;
    }
  | { readonly kind: 'open'; readonly conversation: number; readonly who: Pick; readonly markRead: boolean }
  | { readonly kind: 'mute'; readonly conversation: number; readonly who: Pick; readonly muted: boolean }
  | { readonly kind: 'close'; readonly conversation: number; readonly who: Pick }
  | { readonly kind: 'reopen'; readonly conversation: number; readonly who: Pick }
  | { readonly kind: 'history'; readonly conversation: number; readonly who: Pick }
  | { readonly kind: 'inbox'; readonly who: number };

const conversationArb = fc.nat({ max: PLAN.length - 1 });
const pickArb: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<0 | 1>(0, 1).map((member) => ({ member })) },
  { weight: 1, arbitrary: fc.nat({ max: EVERYONE.length - 1 }).map((anyone) => ({ anyone })) },
);
const on = <K extends string>(kind: K) => ({
  kind: fc.constant(kind),
  conversation: conversationArb,
  who: pickArb,
});

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record(on('send')) },
  {
    weight: 2,
    arbitrary: fc.record({ ...on('markRead'), upTo: fc.option(fc.integer({ min: 1, max: 40 })) }),
  },
  { weight: 2, arbitrary: fc.record({ ...on('open'), markRead: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ ...on('mute'), muted: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record(on('close')) },
  { weight: 2, arbitrary: fc.record(on('reopen')) },
  { weight: 1, arbitrary: fc.record(on('history')) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('inbox' as const), who: fc.nat({ max: EVERYONE.length - 1 }) }),
  },
);

function resolve(world: World, conversation: number, who: Pick): Who {
  if ('anyone' in who) return EVERYONE[who.anyone]!;
  const key = world.conversations[conversation]!.members[who.member]!;
  return PEOPLE.find((p) => participantKey(p.actor) === key)!;
}

function describeCommand(world: World, command: Command): string {
  if (command.kind === 'inbox') return `inbox(${EVERYONE[command.who]!.name})`;
  const who = resolve(world, command.conversation, command.who).name;
  const extra =
    command.kind === 'open'
      ? `, markRead=${command.markRead}`
      : command.kind === 'mute'
        ? `, ${command.muted}`
        : command.kind === 'markRead' && command.upTo !== null
          ? `, up to ${command.upTo}`
          : '';
  return `${command.kind}(${who}, conversation ${command.conversation}${extra})`;
}

async function outcome<T>(
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; code: MessagingErrorCode }> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    return { ok: false, code: error.code };
  }
}

function expectCode(
  result: { ok: boolean; code?: MessagingErrorCode },
  expected: MessagingErrorCode | 'ok',
  step: string,
) {
  expect(result.ok ? 'ok' : result.code, step).toBe(expected);
}

async function runCommand(world: World, command: Command, step: string): Promise<void> {
  const { core } = world.m;
  if (command.kind === 'inbox') {
    await checkInbox(world, EVERYONE[command.who]!, step);
    return;
  }
  const c = world.conversations[command.conversation]!;
  const { actor } = resolve(world, command.conversation, command.who);
  const key = participantKey(actor);
  const sees = modelSees(c, actor);

  switch (command.kind) {
    case 'send': {
      const result = await outcome(() => core.sendMessage(actor, { conversationId: c.id, content: step }));
      const expected = !sees ? 'NOT_FOUND' : c.closed ? 'CONVERSATION_CLOSED' : 'ok';
      expectCode(result, expected, step);
      if (result.ok) {
        expect(result.value.message.sender, step).toEqual({ type: actor.type, id: actor.id });
        c.log.push({ sender: key, system: false });
        markRead(c, key);
      }
      return;
    }
    case 'markRead': {
      const upTo = command.upTo ?? undefined;
      const result = await outcome(() =>
        core.markConversationRead(actor, c.id, upTo === undefined ? {} : { upToSeq: upTo }),
      );
      expectCode(result, sees ? 'ok' : 'NOT_FOUND', step);
      if (result.ok) {
        markRead(c, key, upTo);
        expect(result.value.lastReadSeq, step).toBe(c.readUpTo.get(key));
        expect(result.value.unreadCount, step).toBe(modelUnread(c, key));
      }
      return;
    }
    case 'open': {
      const result = await outcome(() => core.getConversation(actor, c.id, { markRead: command.markRead }));
      expectCode(result, sees ? 'ok' : 'NOT_FOUND', step);
      if (!result.ok) return;
      if (command.markRead) markRead(c, key);
      const detail = result.value;
      expect(detail.conversation.id, step).toBe(c.id);
      expect(detail.conversation.messageCount, step).toBe(c.log.length);
      expect(detail.conversation.isClosed, step).toBe(c.closed);
      expect(detail.unreadCount, step).toBe(modelUnread(c, key));
      expect(detail.muted, step).toBe(c.muted.get(key) ?? false);
      expect(
        detail.participants.map((p) => [participantKey(p.ref), p.unreadCount]),
        step,
      ).toEqual([...c.members].sort().map((k) => [k, modelUnread(c, k)]));
      expect(detail.messages, step).toHaveLength(Math.min(50, c.log.length));
      return;
    }
    case 'mute': {
      const result = await outcome(() => core.updatePreferences(actor, c.id, { muted: command.muted }));
      expectCode(result, sees ? 'ok' : 'NOT_FOUND', step);
      if (result.ok) {
        expect(result.value.muted, step).toBe(command.muted);
        c.muted.set(key, command.muted);
      }
      return;
    }
    case 'close':
    case 'reopen': {
      const closing = command.kind === 'close';
      const result = await outcome(() =>
        closing ? core.closeConversation(actor, c.id) : core.reopenConversation(actor, c.id),
      );
      const expected = !sees
        ? 'NOT_FOUND'
        : actor.type === 'customer'
          ? 'FORBIDDEN'
          : c.closed === closing
            ? 'CONFLICT'
            : 'ok';
      expectCode(result, expected, step);
      if (result.ok) {
        expect(result.value.isClosed, step).toBe(closing);
        c.closed = closing;
        c.log.push({ sender: key, system: true });
      }
      return;
    }
    case 'history': {
      const result = await outcome(() => core.listMessages(actor, c.id, { limit: 100 }));
      expectCode(result, sees ? 'ok' : 'NOT_FOUND', step);
      if (result.ok) {
        expect(
          result.value.messages.map((msg) => msg.conversationId),
          step,
        ).toEqual(c.log.map(() => c.id));
        expect(
          result.value.messages.map((msg) => [participantKey(msg.sender), msg.isSystemMessage]).reverse(),
          step,
        ).toEqual(c.log.map((l) => [l.sender, l.system]));
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

/** The stored state of every conversation against the model, and against its own messages. */
async function checkStored(world: World, step: string): Promise<void> {
  const raw = world.m.store.raw;
  for (const c of world.conversations) {
    const conversation = await raw.conversation(c.id);
    expect(conversation?.messageCount, `${step}: message_count of ${c.id}`).toBe(c.log.length);
    expect(conversation?.isClosed, `${step}: is_closed of ${c.id}`).toBe(c.closed);
    const messages = await raw.messages(c.id);
    expect(messages, `${step}: messages of ${c.id}`).toHaveLength(c.log.length);
    // One order: seq 1..n in the log's order, time never going back along it.
    expect(
      messages.map((msg) => msg.seq),
      `${step}: seqs of ${c.id}`,
    ).toEqual(c.log.map((_, i) => i + 1));
    expect(
      messages.map((msg) => [participantKey(msg.sender), msg.isSystemMessage]),
      `${step}: history of ${c.id}`,
    ).toEqual(c.log.map((l) => [l.sender, l.system]));
    for (const [i, msg] of messages.entries()) {
      if (i > 0) expect(msg.createdAt.getTime()).toBeGreaterThanOrEqual(messages[i - 1]!.createdAt.getTime());
    }
    expect(conversation?.lastMessageAt ?? null, `${step}: last_message_at of ${c.id}`).toEqual(
      messages.at(-1)?.createdAt ?? null,
    );
    for (const member of await raw.participants(c.id)) {
      const key = participantKey(member.participant);
      const where = `${step}: ${key} in ${c.id}`;
      expect(member.unreadCount, `${where}: unread vs model`).toBe(modelUnread(c, key));
      expect(member.lastReadSeq, `${where}: last_read_seq vs model`).toBe(c.readUpTo.get(key) ?? 0);
      expect(member.muted, `${where}: muted`).toBe(c.muted.get(key) ?? false);
      // The same count from the stored messages and the stored read state, as the model documents it.
      const unreadFromMessages = messages.filter(
        (msg) => !msg.isSystemMessage && participantKey(msg.sender) !== key && msg.seq > member.lastReadSeq,
      ).length;
      expect(member.unreadCount, `${where}: unread vs messages after last_read_seq`).toBe(unreadFromMessages);
    }
  }
}

/** One actor's inbox: exactly the conversations the rules let them see, with the model's counts. */
async function checkInbox(world: World, who: Who, step: string): Promise<void> {
  const { actor } = who;
  const key = participantKey(actor);
  const list = await world.m.core.listConversations(actor, { limit: 100 });
  const visible = world.conversations.filter((c) => modelSees(c, actor));
  expect(list.conversations.map((s) => s.conversation.id).sort(), `${step}: inbox of ${who.name}`).toEqual(
    visible.map((c) => c.id).sort(),
  );
  expect(list.total, `${step}: total of ${who.name}`).toBe(visible.length);
  expect(list.nextCursor).toBeNull();
  for (const summary of list.conversations) {
    const c = world.conversations.find((x) => x.id === summary.conversation.id)!;
    expect(summary.unreadCount, `${step}: unread of ${who.name} in ${c.id}`).toBe(modelUnread(c, key));
    expect(summary.conversation.messageCount).toBe(c.log.length);
    expect(summary.conversation.tenantId === c.storeId).toBe(true);
  }
  expect(list.totalUnread, `${step}: total_unread of ${who.name}`).toBe(
    modelBadge(world.conversations, actor),
  );
}

/** Every actor against every conversation, and every badge. */
async function checkEverything(world: World, step: string): Promise<void> {
  const { core } = world.m;
  await checkStored(world, step);
  for (const who of EVERYONE) {
    await checkInbox(world, who, step);
    expect((await core.getUnreadCount(who.actor)).totalUnread, `${step}: badge of ${who.name}`).toBe(
      modelBadge(world.conversations, who.actor),
    );
    for (const c of world.conversations) {
      const expected = modelSees(c, who.actor) ? 'ok' : 'NOT_FOUND';
      const where = `${step}: ${who.name} → ${c.id}`;
      expectCode(await outcome(() => core.getConversation(who.actor, c.id)), expected, where);
      expectCode(await outcome(() => core.listMessages(who.actor, c.id)), expected, where);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) };

describe('unread tracking and visibility under random command sequences', () => {
  it('the world starts as the model says', async () => {
    const world = await buildWorld();
    await checkEverything(world, 'initial');
    // The badges are not all zero to begin with, so the badge check is not vacuous.
    expect(await world.m.core.getUnreadCount(byName('storeA2').actor)).toEqual({ totalUnread: 1 });
    expect(await world.m.core.getUnreadCount(byName('customerB2').actor)).toEqual({ totalUnread: 1 });
  });

  it('read state, badges, message counts and visibility match the model after every step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArb, { minLength: 1, maxLength: 60, size: 'max' }),
        async (commands) => {
          const world = await buildWorld();
          for (const [index, command] of commands.entries()) {
            const step = `step ${index + 1}: ${describeCommand(world, command)}`;
            await runCommand(world, command, step);
            await checkStored(world, step);
          }
          await checkEverything(world, `after ${commands.length} steps`);
        },
      ),
      { numRuns: 150, ...seed },
    );
  });

  it('a store user or customer never reaches another store’s conversation or one they are not in', async () => {
    // Only outsiders and impostors act here, so nothing may ever change.
    const outsiders = EVERYONE.filter((w) => w.actor.type !== 'admin');
    const probeArb = fc.record({
      who: fc.nat({ max: outsiders.length - 1 }),
      conversation: conversationArb,
      kind: fc.constantFrom('send', 'markRead', 'open', 'mute', 'close', 'reopen', 'history' as const),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(probeArb, { minLength: 1, maxLength: 30, size: 'max' }), async (probes) => {
        const world = await buildWorld();
        const before = await world.m.store.raw.counts();
        for (const probe of probes) {
          const who = outsiders[probe.who]!;
          const c = world.conversations[probe.conversation]!;
          if (modelSees(c, who.actor)) continue;
          const anyone = EVERYONE.indexOf(who);
          const command = (
            probe.kind === 'open'
              ? { kind: 'open', conversation: probe.conversation, who: { anyone }, markRead: true }
              : probe.kind === 'mute'
                ? { kind: 'mute', conversation: probe.conversation, who: { anyone }, muted: true }
                : { kind: probe.kind, conversation: probe.conversation, who: { anyone } }
          ) as Command;
          await runCommand(world, command, describeCommand(world, command));
          await checkInbox(world, who, describeCommand(world, command));
        }
        expect(await world.m.store.raw.counts()).toEqual(before);
        await checkStored(world, 'after probing');
      }),
      { numRuns: 40, ...seed },
    );
  });
});
