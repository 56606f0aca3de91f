import {
  type Actor,
  createLiveFeed,
  createMessagingCore,
  type EventPosition,
  type LiveDelivery,
  type LiveFeed,
  LOG_START,
  type MessagingStore,
  participantKey,
} from '@parley/messaging-core';
import { communityPolicy } from '@parley/messaging-core/conversations';
import {
  FixedClock,
  InMemoryMessagingStore,
  InMemoryPeopleDirectory,
  InMemorySettingsStore,
  inMemoryLiveAudience,
} from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// The live feed over the Kysely store (PostgreSQL and PGlite): its batch reads (conversations,
// memberships, messages, latest messages, `locate`) give every viewer what the in-memory store
// gives them, and a replay resumes exactly after the event named.

const NORTH = 'north';
const SOUTH = 'south';
const person = (type: string, id: string, tenantId = NORTH): Actor => ({ type, id, tenantId });
const mia = person('mentor', 'mia');
const ana = person('student', 'ana');
const ben = person('student', 'ben');
const cy = person('student', 'cy');
const ada = person('admin', 'ada');
const sam = person('admin', 'sam', SOUTH);
const PEOPLE = [mia, ana, ben, cy, ada, sam];
const ref = (a: Actor) => ({ type: a.type, id: a.id });

async function scripted(store: MessagingStore): Promise<LiveFeed> {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
  const directory = new InMemoryPeopleDirectory();
  await directory.upsertTenant({ id: NORTH, name: 'North' }, clock.now());
  await directory.upsertTenant({ id: SOUTH, name: 'South' }, clock.now());
  for (const p of PEOPLE)
    await directory.upsertPerson(
      { type: p.type, id: p.id, name: p.id, email: null, locale: 'en', tenantId: p.tenantId },
      clock.now(),
    );
  const core = createMessagingCore({
    store,
    directory,
    settings: new InMemorySettingsStore(),
    policy: communityPolicy,
    clock,
  });
  const group = await core.createConversation(mia, {
    conversationType: 'group',
    subject: 'Algebra',
    participants: [ref(ana), ref(ben)],
    initialMessage: 'Welcome',
  });
  const id = group.conversation.id;
  await core.sendMessage(ana, { conversationId: id, content: 'Hi' });
  await core.markConversationRead(ben, id);
  await core.addParticipants(mia, { conversationId: id, participants: [ref(cy)] });
  await core.removeParticipant(mia, { conversationId: id, participant: ref(ben) });
  await core.sendMessage(cy, { conversationId: id, content: 'New here' });
  const ticket = await core.createConversation(ana, {
    conversationType: 'support',
    subject: 'Locked out',
    participants: [],
    initialMessage: 'Help',
  });
  await core.sendMessage(ada, { conversationId: ticket.conversation.id, content: 'On it' });
  return createLiveFeed({ store, directory, policy: communityPolicy, clock });
}

/** What a viewer received, without the store's ids (uuids, log ids): type and view, read in place. */
function received(deliveries: readonly LiveDelivery[], who: Actor) {
  return deliveries
    .filter((d) => participantKey(d.viewer) === participantKey(who))
    .map((d) => {
      const view = d.view;
      switch (view.kind) {
        case 'message.sent':
          return [view.kind, view.message.content, view.message.seq, view.readState?.unreadCount ?? null];
        case 'conversation.created':
          return [view.kind, view.summary.conversation.subject, view.summary.lastMessage?.content ?? null];
        case 'participant.added':
          return [
            view.kind,
            view.member.ref.id,
            view.member.role,
            view.summary?.conversation.subject ?? null,
          ];
        case 'participant.removed':
          return [view.kind, view.participant.ref.id, view.reason];
        case 'conversation.read':
          return [view.kind, view.reader.ref.id, view.lastReadSeq];
        default:
          return [view.kind];
      }
    });
}

/** Tails until the log's last committed event was read (another transaction on the server may hold it back a moment). */
async function tailAll(feed: LiveFeed, last: () => Promise<string | null>, batchSize: number) {
  const deliveries: LiveDelivery[] = [];
  let position: EventPosition = LOG_START;
  const end = await last();
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const batch = await feed.next(position, inMemoryLiveAudience(PEOPLE), batchSize);
    deliveries.push(...batch.deliveries);
    const moved = batch.position !== position;
    position = batch.position;
    if (position.id === end && !batch.more) return deliveries;
    if (!moved) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the log never caught up');
}

const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('live feed on the Kysely store (%s)', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ target });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('gives every viewer what the in-memory store gives them, and replays after any event', async () => {
    await database.truncate();
    const memory = new InMemoryMessagingStore();
    const expected = await tailAll(
      await scripted(memory),
      async () => memory.recordedEvents().at(-1)?.id ?? null,
      500,
    );
    const feed = await scripted(new KyselyMessagingStore({ db: database.db }));
    const lastId = async () => {
      const { rows } = await sql<{
        id: string;
      }>`select id::text as id from events order by xid desc, id desc limit 1`.execute(database.db);
      return rows[0]?.id ?? null;
    };
    const actual = await tailAll(feed, lastId, 3);
    for (const viewer of PEOPLE) expect(received(actual, viewer)).toEqual(received(expected, viewer));
    // Removed since: his removal is all the group shows him now.
    expect(received(actual, ben)).toEqual([['participant.removed', 'ben', 'removed']]);
    expect(received(actual, ada).map((r) => r[0])).toEqual([
      'conversation.created',
      'message.sent',
      'participant.added',
      'message.sent',
    ]);
    expect(received(actual, sam)).toEqual([]);

    const ids = [...new Set(actual.map((d) => d.event.id))];
    const since = ids[3]!;
    for (const viewer of PEOPLE) {
      const replay = await feed.replay(viewer, since, 100);
      if (replay.kind !== 'replayed') throw new Error('expected a replay');
      expect(replay.deliveries.map((d) => d.event.id)).toEqual(
        actual
          .filter(
            (d) => participantKey(d.viewer) === participantKey(viewer) && BigInt(d.event.id) > BigInt(since),
          )
          .map((d) => d.event.id),
      );
    }
    expect(await feed.replay(ana, '123456789012', 100)).toEqual({ kind: 'resync_required' });
    expect(await feed.contactsOf(cy, 10)).toEqual([ref(mia), ref(ana)]);
  });
});
