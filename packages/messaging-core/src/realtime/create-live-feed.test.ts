import { describe, expect, it } from 'vitest';
import { createMessagingCore } from '../conversations/messaging-core.js';
import type { LoggedEvent } from '../conversations/model/domain-event.js';
import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import { careTeamPolicy, careTeamPreset } from '../conversations/policy/care-team-policy.js';
import { communityPolicy } from '../conversations/policy/community-policy.js';
import { marketplacePolicy } from '../conversations/policy/marketplace-policy.js';
import type { MessagingStore } from '../conversations/ports/messaging-store.js';
import { type EventPosition, LOG_START } from '../kernel/model/event-envelope.js';
import { type Actor, participantKey } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { InMemoryPeopleDirectory } from '../kernel/testing/in-memory-people-directory.js';
import { InMemorySettingsStore } from '../kernel/testing/in-memory-settings-store.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { InMemoryMessagingStore } from '../testing/in-memory-messaging-store.js';
import { createLiveFeed } from './create-live-feed.js';
import type { LiveAudience, LiveDelivery, LiveFeed } from './live-feed.js';
import type { LiveView } from './live-view.js';
import { inMemoryLiveAudience } from './testing/in-memory-live-audience.js';

// The live feed on the in-memory store: who receives each event under each preset, what each
// sees, and resuming (no gap, no duplicate, resync when the log no longer holds the event).

const ref = (a: Actor) => ({ type: a.type, id: a.id });

/** Follows the log like a transport: each call returns what arrived since the previous one. */
function tail(feed: LiveFeed, audience: LiveAudience, batchSize = 500) {
  let position: EventPosition = LOG_START;
  return async (): Promise<LiveDelivery[]> => {
    const out: LiveDelivery[] = [];
    for (;;) {
      const batch = await feed.next(position, audience, batchSize);
      out.push(...batch.deliveries);
      const moved = batch.position !== position;
      position = batch.position;
      if (!batch.more || !moved) return out;
    }
  };
}

const forViewer = (deliveries: readonly LiveDelivery[], who: Actor) =>
  deliveries.filter((d) => participantKey(d.viewer) === participantKey(who));
const typesFor = (deliveries: readonly LiveDelivery[], who: Actor) =>
  forViewer(deliveries, who).map((d) => d.event.type);
function viewOf<K extends LiveView['kind']>(
  deliveries: readonly LiveDelivery[],
  who: Actor,
  kind: K,
): LiveView & { kind: K } {
  const found = forViewer(deliveries, who).find((d) => d.view.kind === kind);
  if (found === undefined) throw new Error(`${who.id} received no ${kind}`);
  return found.view as LiveView & { kind: K };
}

async function world(
  policy: AccessPolicy,
  people: readonly (Actor & { name: string })[],
  tenants: string[] = [],
) {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
  const store = new InMemoryMessagingStore();
  const directory = new InMemoryPeopleDirectory();
  const at = clock.now();
  for (const id of tenants) await directory.upsertTenant({ id, name: id }, at);
  for (const p of people)
    await directory.upsertPerson(
      { type: p.type, id: p.id, name: p.name, email: null, locale: 'en', tenantId: p.tenantId },
      at,
    );
  const core = createMessagingCore({
    store,
    directory,
    settings: new InMemorySettingsStore(),
    policy,
    clock,
    ids: new SequentialIds('id'),
  });
  const feed = createLiveFeed({ store, directory, policy, clock });
  return { core, store, feed, clock, directory };
}

const actor = (type: string, id: string, name: string, tenantId: string | null = null) => ({
  type,
  id,
  name,
  tenantId,
});

describe('live feed: marketplace', () => {
  const ada = actor('admin', 'ada', 'Ada');
  const sam = actor('store', 'sam', 'Sam', 'acme');
  const ana = actor('customer', 'ana', 'Ana', 'acme');
  const bea = actor('store', 'bea', 'Bea', 'bolt');
  const cleo = actor('customer', 'cleo', 'Cleo', 'bolt');
  const people = [ada, sam, ana, bea, cleo];

  it('delivers each event to the members only, shaped for each; other tenants and non-members get nothing', async () => {
    const { core, feed } = await world(marketplacePolicy, people, ['acme', 'bolt']);
    const next = tail(feed, inMemoryLiveAudience(people));
    const created = await core.createConversation(ada, {
      conversationType: 'admin_store',
      subject: 'Payouts',
      recipient: ref(sam),
      initialMessage: 'Hello Sam',
    });
    const first = await next();
    expect(typesFor(first, ada)).toEqual(['conversation.created', 'message.sent']);
    expect(typesFor(first, sam)).toEqual(['conversation.created', 'message.sent']);
    for (const outsider of [ana, bea, cleo]) expect(typesFor(first, outsider)).toEqual([]);
    const samSummary = viewOf(first, sam, 'conversation.created').summary;
    expect(samSummary.conversation.id).toBe(created.conversation.id);
    expect(samSummary.otherParticipants).toEqual([{ ref: ref(ada), name: 'Ada' }]);
    expect(samSummary.unreadCount).toBe(1);
    expect(samSummary.lastMessage?.content).toBe('Hello Sam');
    const samSent = viewOf(first, sam, 'message.sent');
    expect(samSent.message).toMatchObject({ content: 'Hello Sam', senderName: 'Ada', seq: 1 });
    expect(samSent.conversation).toMatchObject({ messageCount: 1, lastMessage: { content: 'Hello Sam' } });
    expect(samSent.readState).toMatchObject({ unreadCount: 1, lastReadSeq: 0 });
    expect(viewOf(first, ada, 'message.sent').readState).toMatchObject({ unreadCount: 0, lastReadSeq: 1 });

    await core.markConversationRead(sam, created.conversation.id);
    const read = await next();
    expect(typesFor(read, ada)).toEqual(['conversation.read']);
    expect(viewOf(read, ada, 'conversation.read')).toMatchObject({
      reader: { ref: ref(sam), name: 'Sam' },
      lastReadSeq: 1,
      readState: null,
    });
    expect(viewOf(read, sam, 'conversation.read').readState).toMatchObject({
      unreadCount: 0,
      lastReadSeq: 1,
    });

    const reply = await core.sendMessage(sam, { conversationId: created.conversation.id, content: 'Hi Ada' });
    await core.updatePreferences(sam, created.conversation.id, { muted: true });
    await core.closeConversation(ada, created.conversation.id);
    await core.deleteMessage(sam, created.conversation.id, reply.message.id);
    const later = await next();
    expect(typesFor(later, ada)).toEqual(['message.sent', 'conversation.closed', 'message.deleted']);
    expect(typesFor(later, sam)).toEqual([
      'message.sent',
      'participant.preferences_updated',
      'conversation.closed',
      'message.deleted',
    ]);
    expect(viewOf(later, sam, 'participant.preferences_updated')).toMatchObject({ muted: true });
    expect(viewOf(later, ada, 'conversation.closed')).toMatchObject({
      isClosed: true,
      closedBy: { ref: ref(ada), name: 'Ada' },
    });
    expect(viewOf(later, ada, 'message.deleted')).toMatchObject({
      messageId: reply.message.id,
      scope: 'everyone',
      message: { isDeleted: true, content: '' },
    });
    // Shaped "now": the message, deleted since it was sent, is shown deleted.
    expect(viewOf(later, ada, 'message.sent').message).toMatchObject({ id: reply.message.id, content: '' });
    for (const outsider of [ana, bea, cleo]) expect(typesFor(later, outsider)).toEqual([]);
  });

  it('never crosses tenants, even for a person claiming a member’s id with another tenant', async () => {
    const { core, feed } = await world(marketplacePolicy, people, ['acme', 'bolt']);
    const impostor = { ...sam, tenantId: 'bolt' };
    await core.createConversation(sam, {
      conversationType: 'store_customer',
      subject: 'Order',
      recipient: ref(ana),
      initialMessage: 'Your order',
    });
    const all = await tail(feed, inMemoryLiveAudience([impostor, ana, bea]))();
    expect(typesFor(all, impostor)).toEqual([]);
    expect(typesFor(all, bea)).toEqual([]);
    expect(typesFor(all, ana)).toEqual(['conversation.created', 'message.sent']);
  });
});

describe('live feed: reads', () => {
  const ada = actor('admin', 'ada', 'Ada');
  const sam = actor('store', 'sam', 'Sam', 'acme');
  const bo = actor('store', 'bo', 'Bo', 'acme');

  /** Counts every call the feed makes to the store's repositories and the directory. */
  function counted<T extends object>(target: T, calls: { n: number }): T {
    return new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.n += 1;
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  }

  async function readsFor(conversations: number, messagesEach: number) {
    const { core, store, directory, clock } = await world(marketplacePolicy, [ada, sam, bo], ['acme']);
    for (let c = 0; c < conversations; c += 1) {
      const created = await core.createConversation(ada, {
        conversationType: 'admin_store',
        subject: `c${c}`,
        recipient: ref(c % 2 ? sam : bo),
        initialMessage: 'hi',
      });
      for (let m = 0; m < messagesEach; m += 1)
        await core.sendMessage(m % 2 ? ada : c % 2 ? sam : bo, {
          conversationId: created.conversation.id,
          content: `m${m}`,
        });
    }
    const calls = { n: 0 };
    const wrapped: MessagingStore = {
      conversations: counted(store.conversations, calls),
      participants: counted(store.participants, calls),
      messages: counted(store.messages, calls),
      blocks: counted(store.blocks, calls),
      events: counted(store.events, calls),
      transaction: (work) => store.transaction(work),
    };
    const feed = createLiveFeed({
      store: wrapped,
      directory: counted(directory, calls),
      policy: marketplacePolicy,
      clock,
    });
    const batch = await feed.next(LOG_START, inMemoryLiveAudience([ada, sam, bo]), 500);
    return { calls: calls.n, deliveries: batch.deliveries.length };
  }

  it('reads a constant number of times per batch, whatever its events and viewers', async () => {
    const small = await readsFor(1, 1);
    const large = await readsFor(6, 8);
    expect(small.deliveries).toBe(6);
    expect(large.deliveries).toBe(6 * 2 * 10);
    expect(large.calls).toBe(small.calls);
    expect(small.calls).toBeLessThanOrEqual(6);
  });
});

describe('live feed: care-team', () => {
  const [adaP, theoP, kimP, umaP, ulyP] = careTeamPreset.demo.people;
  const as = (p: typeof adaP) => actor(p!.type, p!.id, p!.name);
  const ada = as(adaP);
  const theo = as(theoP);
  const kim = as(kimP);
  const uma = as(umaP);
  const ulysses = as(ulyP);
  const people = [ada, theo, kim, uma, ulysses];

  it('a monitoring admin receives every conversation, each delivery audited once per conversation and batch; monitoring is delivered to nobody', async () => {
    const { core, feed, store } = await world(careTeamPolicy, people);
    const next = tail(feed, inMemoryLiveAudience(people));
    const first = await core.sendDirectMessage(kim, { recipient: 'uma', content: 'Results are in' });
    await core.sendDirectMessage(uma, { recipient: 'dr.kim', content: 'Thanks' });
    const delivered = await next();
    expect(typesFor(delivered, ada)).toEqual(['conversation.created', 'message.sent', 'message.sent']);
    expect(viewOf(delivered, ada, 'message.sent').readState).toBeNull();
    expect(viewOf(delivered, ada, 'conversation.created').summary).toMatchObject({
      unreadCount: 0,
      lastReadSeq: 0,
    });
    expect(typesFor(delivered, theo)).toEqual([]);
    expect(typesFor(delivered, ulysses)).toEqual([]);
    const audits = store.recordedEvents().filter((e) => e.type === 'conversation.monitored');
    expect(audits.map((e) => [e.actor.id, e.conversationId, e.payload])).toEqual([
      ['ada', first.conversationId, { message_count: 2 }],
    ]);
    // The audit records are read by the next tail and given to nobody (no loop, no frame).
    expect(await next()).toEqual([]);
    expect(store.recordedEvents().filter((e) => e.type === 'conversation.monitored')).toHaveLength(1);
    // A replay is a read again, and audited; one refused for its length read nothing.
    const firstId = store.recordedEvents()[0]!.id;
    expect(await feed.replay(ada, firstId, 1)).toEqual({ kind: 'resync_required' });
    expect(store.recordedEvents().filter((e) => e.type === 'conversation.monitored')).toHaveLength(1);
    const replay = await feed.replay(ada, firstId, 100);
    expect(replay.kind === 'replayed' && replay.deliveries.map((d) => d.event.type)).toEqual([
      'message.sent',
      'message.sent',
    ]);
    expect(store.recordedEvents().filter((e) => e.type === 'conversation.monitored')).toHaveLength(2);
  });

  it('a per-side delete and blocks reach their actor only', async () => {
    const { core, feed } = await world(careTeamPolicy, people);
    const next = tail(feed, inMemoryLiveAudience(people));
    const message = await core.sendDirectMessage(kim, { recipient: 'uma', content: 'One' });
    await next();
    await core.deleteDirectMessage(uma, message.id);
    await core.blockPerson(ulysses, 'uma');
    await core.unblockPerson(ulysses, 'uma');
    const after = await next();
    expect(typesFor(after, uma)).toEqual(['message.deleted']);
    expect(viewOf(after, uma, 'message.deleted')).toMatchObject({ scope: 'self', message: { content: '' } });
    expect(typesFor(after, kim)).toEqual([]);
    expect(typesFor(after, ada)).toEqual([]);
    expect(typesFor(after, ulysses)).toEqual(['participant.blocked', 'participant.unblocked']);
    expect(viewOf(after, ulysses, 'participant.blocked').blocked).toEqual({
      ref: ref(uma),
      name: 'Uma User',
    });
  });
});

describe('live feed: community', () => {
  const NORTH = 'north';
  const SOUTH = 'south';
  const ana = actor('student', 'ana', 'Ana', NORTH);
  const ben = actor('student', 'ben', 'Ben', NORTH);
  const cy = actor('student', 'cy', 'Cy', NORTH);
  const mia = actor('mentor', 'mia', 'Mia', NORTH);
  const ada = actor('admin', 'ada', 'Ada', NORTH);
  const alo = actor('admin', 'alo', 'Alo', NORTH);
  const sam = actor('admin', 'sam', 'Sam', SOUTH);
  const people = [ana, ben, cy, mia, ada, alo, sam];

  it('a support request reaches every admin of its community as a team (not audited), never another community', async () => {
    const { core, feed, store } = await world(communityPolicy, people, [NORTH, SOUTH]);
    const next = tail(feed, inMemoryLiveAudience(people));
    const ticket = await core.createConversation(ana, {
      conversationType: 'support',
      subject: 'Locked out',
      participants: [],
      initialMessage: 'Help',
    });
    const opened = await next();
    for (const admin of [ada, alo])
      expect(typesFor(opened, admin)).toEqual(['conversation.created', 'message.sent']);
    expect(typesFor(opened, sam)).toEqual([]);
    expect(typesFor(opened, ben)).toEqual([]);
    expect(viewOf(opened, ada, 'conversation.created').summary.conversation.id).toBe(ticket.conversation.id);
    // Ada answers: she joins the team's way; everyone concerned sees it.
    await core.sendMessage(ada, { conversationId: ticket.conversation.id, content: 'On it' });
    const answered = await next();
    expect(typesFor(answered, ana)).toEqual(['participant.added', 'message.sent']);
    expect(typesFor(answered, alo)).toEqual(['participant.added', 'message.sent']);
    expect(viewOf(answered, ada, 'participant.added').member).toMatchObject({ ref: ref(ada), role: 'agent' });
    expect(typesFor(answered, sam)).toEqual([]);
    expect(store.recordedEvents().some((e) => e.type === 'conversation.monitored')).toBe(false);
  });

  it('groups: a later member sees from their join on, with their summary; a removed member gets their removal and nothing after', async () => {
    const { core, feed } = await world(communityPolicy, people, [NORTH, SOUTH]);
    const next = tail(feed, inMemoryLiveAudience(people));
    const group = await core.createConversation(mia, {
      conversationType: 'group',
      subject: 'Algebra',
      participants: [ref(ana), ref(ben)],
      initialMessage: 'Welcome',
    });
    const id = group.conversation.id;
    await core.sendMessage(ana, { conversationId: id, content: 'Hi all' });
    await core.addParticipants(mia, { conversationId: id, participants: [ref(cy)] });
    await core.removeParticipant(mia, { conversationId: id, participant: ref(ben) });
    await core.sendMessage(mia, { conversationId: id, content: 'Homework' });
    const all = await next();
    // Cy: history hidden from later members; the add carries the summary of the group as it is now.
    expect(typesFor(all, cy)).toEqual(['participant.added', 'participant.removed', 'message.sent']);
    const added = viewOf(all, cy, 'participant.added');
    expect(added.summary?.conversation.subject).toBe('Algebra');
    expect(added.summary?.otherParticipants.map((p) => p.ref.id)).toEqual(['mia', 'ana']);
    expect(viewOf(all, ana, 'participant.added').summary).toBeNull();
    // Ben was removed: his own removal reaches him, the group's earlier events and later ones do not.
    expect(typesFor(all, ben)).toEqual(['participant.removed']);
    expect(viewOf(all, ben, 'participant.removed')).toMatchObject({
      participant: { ref: ref(ben) },
      reason: 'removed',
    });
    expect(typesFor(all, ana)).toEqual([
      'conversation.created',
      'message.sent',
      'message.sent',
      'participant.added',
      'participant.removed',
      'message.sent',
    ]);
    // A community admin is not in the group and sees nothing of it.
    expect(typesFor(all, ada)).toEqual([]);
  });

  it('passes event types it does not know to the members who had joined, with their payload', async () => {
    const { core, store, directory, clock } = await world(communityPolicy, people, [NORTH, SOUTH]);
    const group = await core.createConversation(mia, {
      conversationType: 'group',
      subject: 'Algebra',
      participants: [ref(ana), ref(ben)],
    });
    const deliveredAt = clock.now();
    await core.addParticipants(mia, { conversationId: group.conversation.id, participants: [ref(cy)] });
    // A later feature's event (reactions, say), after the log's last one, as an adapter would read it.
    const last = store.recordedEvents().at(-1)!;
    const later = (BigInt(last.id) + 1000n).toString();
    const delivered = {
      id: later,
      position: { xid: last.position.xid, id: later },
      type: 'message.reacted',
      tenantId: NORTH,
      conversationId: group.conversation.id,
      actor: ref(ana),
      occurredAt: deliveredAt,
      payload: { last_delivered_seq: 0, delivered_at: deliveredAt.toISOString() },
    } as unknown as LoggedEvent;
    const log = store.events;
    const withDelivered: MessagingStore = {
      conversations: store.conversations,
      participants: store.participants,
      messages: store.messages,
      blocks: store.blocks,
      transaction: (work) => store.transaction(work),
      events: {
        append: (events) => log.append(events),
        read: async (after, limit) => {
          const batch = await log.read(after, limit);
          const tailing = batch.events.at(-1)?.id === last.id && !batch.more;
          return tailing ? { ...batch, events: [...batch.events, delivered] } : batch;
        },
        readFor: (after, participant, limit) => log.readFor(after, participant, limit),
        locate: (id) => log.locate(id),
        registerSubscribers: (names) => log.registerSubscribers(names),
        loadCursor: (name) => log.loadCursor(name),
        claim: (name) => log.claim(name),
        advance: (name, to) => log.advance(name, to),
        prune: (before, limit) => log.prune(before, limit),
      },
    };
    const feed = createLiveFeed({ store: withDelivered, directory, policy: communityPolicy, clock });
    const all = await tail(feed, inMemoryLiveAudience(people))();
    const generic = (who: Actor) => forViewer(all, who).filter((d) => d.view.kind === 'generic');
    for (const member of [ana, ben, mia])
      expect(generic(member).map((d) => d.view)).toEqual([
        { kind: 'generic', type: 'message.reacted', payload: delivered.payload },
      ]);
    // Cy joined after it; an admin outside the group never sees it.
    expect(generic(cy)).toEqual([]);
    expect(typesFor(all, ada)).toEqual([]);
  });

  it('a delivery receipt reaches the members with who received up to which message, and when', async () => {
    const { core, store, directory, clock } = await world(communityPolicy, people, [NORTH, SOUTH]);
    const group = await core.createConversation(mia, {
      conversationType: 'group',
      subject: 'Geometry',
      participants: [ref(ana), ref(ben)],
    });
    const sent = await core.sendMessage(mia, { conversationId: group.conversation.id, content: 'Homework' });
    const feed = createLiveFeed({ store, directory, policy: communityPolicy, clock });
    const read = tail(feed, inMemoryLiveAudience(people));
    await read();
    const before = clock.now();
    await core.markDelivered([{ actor: ana, conversationId: group.conversation.id, seq: sent.message.seq }]);
    const after = await read();
    const at = (after[0]?.view as { deliveredAt: Date } | undefined)?.deliveredAt ?? new Date(0);
    expect(at.getTime()).toBeGreaterThan(before.getTime());
    expect(at.getTime()).toBeLessThan(clock.now().getTime());
    for (const member of [ana, ben, mia])
      expect(forViewer(after, member).map((d) => d.view)).toEqual([
        {
          kind: 'conversation.delivered',
          participant: { ref: ref(ana), name: 'Ana' },
          lastDeliveredSeq: sent.message.seq,
          deliveredAt: at,
        },
      ]);
    expect(typesFor(after, ada)).toEqual([]);
  });
});

describe('live feed: resume', () => {
  const ada = actor('admin', 'ada', 'Ada');
  const sam = actor('store', 'sam', 'Sam', 'acme');
  const people = [ada, sam];

  async function busyWorld() {
    const w = await world(marketplacePolicy, people, ['acme']);
    const created = await w.core.createConversation(ada, {
      conversationType: 'admin_store',
      subject: 'Payouts',
      recipient: ref(sam),
      initialMessage: 'm0',
    });
    for (let i = 1; i <= 6; i += 1)
      await w.core.sendMessage(i % 2 ? sam : ada, {
        conversationId: created.conversation.id,
        content: `m${i}`,
      });
    await w.core.markConversationRead(sam, created.conversation.id);
    return { ...w, conversationId: created.conversation.id };
  }

  it('replays every event after the one named, in order, without gap or duplicate, as the live tail gave them', async () => {
    const { feed, store } = await busyWorld();
    const live = forViewer(await tail(feed, inMemoryLiveAudience(people), 2)(), sam);
    const events = store.recordedEvents();
    const since = events[2]!;
    const replay = await feed.replay(sam, since.id, 100);
    if (replay.kind !== 'replayed') throw new Error('expected a replay');
    const expected = live.filter((d) => BigInt(d.event.id) > BigInt(since.id));
    expect(replay.deliveries.map((d) => d.event.id)).toEqual(expected.map((d) => d.event.id));
    expect(replay.deliveries.map((d) => d.view)).toEqual(expected.map((d) => d.view));
    expect(replay.position).toEqual(events.at(-1)!.position);
    const atEnd = await feed.replay(sam, events.at(-1)!.id, 100);
    expect(atEnd).toEqual({ kind: 'replayed', deliveries: [], position: events.at(-1)!.position });
  });

  it('a member replays from their own conversations’ events, read as such from the log', async () => {
    const { store, core, directory, clock, conversationId } = await busyWorld();
    const since = store.recordedEvents()[2]!;
    // Traffic in a conversation Sam is not in, between and after his.
    const bea = actor('store', 'bea', 'Bea', 'acme');
    await directory.upsertPerson(
      { type: 'store', id: 'bea', name: 'Bea', email: null, locale: 'en', tenantId: 'acme' },
      clock.now(),
    );
    const other = await core.createConversation(ada, {
      conversationType: 'admin_store',
      subject: 'Elsewhere',
      recipient: ref(bea),
      initialMessage: 'x0',
    });
    for (let i = 1; i <= 5; i += 1) {
      await core.sendMessage(bea, { conversationId: other.conversation.id, content: `x${i}` });
      await core.sendMessage(sam, { conversationId, content: `late ${i}` });
    }
    const reads = { all: 0, own: 0, events: 0 };
    const log = store.events;
    const counted: MessagingStore = {
      conversations: store.conversations,
      participants: store.participants,
      messages: store.messages,
      blocks: store.blocks,
      transaction: (work) => store.transaction(work),
      events: {
        ...log,
        append: (events) => log.append(events),
        read: async (after, limit) => {
          reads.all += 1;
          const batch = await log.read(after, limit);
          reads.events += batch.events.length;
          return batch;
        },
        readFor: async (after, participant, limit) => {
          reads.own += 1;
          const batch = await log.readFor(after, participant, limit);
          reads.events += batch.events.length;
          return batch;
        },
        locate: (id) => log.locate(id),
      },
    };
    const feed = createLiveFeed({ store: counted, directory, policy: marketplacePolicy, clock });
    const live = forViewer(
      await tail(
        createLiveFeed({ store, directory, policy: marketplacePolicy, clock }),
        inMemoryLiveAudience([ada, sam, bea]),
        3,
      )(),
      sam,
    );
    const replay = await feed.replay(sam, since.id, 100);
    if (replay.kind !== 'replayed') throw new Error('expected a replay');
    const expected = live.filter((d) => BigInt(d.event.id) > BigInt(since.id));
    expect(replay.deliveries.map((d) => d.view)).toEqual(expected.map((d) => d.view));
    expect(replay.deliveries.every((d) => d.event.conversationId === conversationId)).toBe(true);
    expect(reads.all).toBe(0);
    expect(reads.own).toBeGreaterThan(0);
    const everything = store.recordedEvents().filter((e) => BigInt(e.id) > BigInt(since.id));
    const his = everything.filter((e) => e.conversationId === conversationId);
    expect(reads.events).toBe(his.length);
    expect(his.length).toBeLessThan(everything.length);
    // A monitoring admin's replay (care-team, above) reads the whole log: she gets conversations
    // she is not in.
  });

  it('asks for a resync when the event is unknown, pruned, or the gap is longer than allowed', async () => {
    const { feed, store, clock } = await busyWorld();
    const events = store.recordedEvents();
    expect(await feed.replay(sam, '999999', 100)).toEqual({ kind: 'resync_required' });
    expect(await feed.replay(sam, 'not-an-id', 100)).toEqual({ kind: 'resync_required' });
    // 8 events follow the first (created, 7 messages, a read): 8 may be scanned, 7 may not.
    expect(events).toHaveLength(9);
    expect((await feed.replay(sam, events[0]!.id, 8)).kind).toBe('replayed');
    expect(await feed.replay(sam, events[0]!.id, 7)).toEqual({ kind: 'resync_required' });
    expect(await feed.locate(events[3]!.id)).toEqual(events[3]!.position);
    await store.events.prune(clock.now(), 2);
    expect(await feed.locate(events[0]!.id)).toBeNull();
    expect(await feed.replay(sam, events[0]!.id, 100)).toEqual({ kind: 'resync_required' });
    expect((await feed.replay(sam, events[2]!.id, 100)).kind).toBe('replayed');
  });

  it('names the people sharing an active conversation as contacts', async () => {
    const { feed } = await busyWorld();
    expect(await feed.contactsOf(sam, 10)).toEqual([ref(ada)]);
    expect(await feed.contactsOf(ada, 10)).toEqual([ref(sam)]);
  });
});

describe('live feed: archive and edits (issue 14)', () => {
  const sam = actor('store', 'sam', 'Sam', 'acme');
  const ana = actor('customer', 'ana', 'Ana', 'acme');
  const bea = actor('store', 'bea', 'Bea', 'bolt');
  const people = [sam, ana, bea];

  it('gives an archive to its actor only, and an edit to every member as the message now reads', async () => {
    const { core, feed } = await world(marketplacePolicy, people, ['acme', 'bolt']);
    const next = tail(feed, inMemoryLiveAudience(people));
    const created = await core.createConversation(sam, {
      conversationType: 'store_customer',
      subject: 'Order',
      recipient: ref(ana),
      initialMessage: 'It shipped',
    });
    const id = created.conversation.id;
    const sent = await core.sendMessage(ana, { conversationId: id, content: 'Thanx' });
    await next();

    await core.archiveConversation(ana, id);
    await core.archiveConversation(ana, id); // idempotent: no second event
    const archived = await next();
    expect(typesFor(archived, ana)).toEqual(['conversation.archived']);
    expect(typesFor(archived, sam)).toEqual([]);
    expect(viewOf(archived, ana, 'conversation.archived')).toMatchObject({ archived: true });

    await core.editMessage(ana, { conversationId: id, messageId: sent.message.id, content: 'Thanks' });
    await core.unarchiveConversation(ana, id);
    const edited = await next();
    expect(typesFor(edited, sam)).toEqual(['message.updated']);
    expect(typesFor(edited, ana)).toEqual(['message.updated', 'conversation.unarchived']);
    expect(typesFor(edited, bea)).toEqual([]);
    const update = viewOf(edited, sam, 'message.updated');
    expect(update.message).toMatchObject({ id: sent.message.id, content: 'Thanks', revision: 2 });
    expect(update).toMatchObject({ revision: 2, previousRevision: 1 });
    expect(viewOf(edited, ana, 'conversation.unarchived')).toEqual({
      kind: 'conversation.unarchived',
      archived: false,
      archivedAt: null,
    });
  });
});

describe('live feed: edits of a message hidden per side (issue 14)', () => {
  const kim = actor('clinician', 'dr.kim', 'Dr Kim');
  const uma = actor('user', 'uma', 'Uma');
  const people = [kim, uma];

  it('gives an edit to the members who still see the message, not to one who deleted it for themselves', async () => {
    const { core, feed } = await world(careTeamPolicy, people);
    const next = tail(feed, inMemoryLiveAudience(people));
    const sent = await core.sendDirectMessage(kim, { recipient: 'uma', content: 'Your resluts' });
    await core.deleteDirectMessage(uma, sent.id);
    await next();
    await core.editMessage(kim, {
      conversationId: sent.conversationId,
      messageId: sent.id,
      content: 'Your results',
    });
    const edited = await next();
    expect(typesFor(edited, kim)).toEqual(['message.updated']);
    expect(typesFor(edited, uma)).toEqual([]);
    expect(viewOf(edited, kim, 'message.updated').message.content).toBe('Your results');
  });
});
