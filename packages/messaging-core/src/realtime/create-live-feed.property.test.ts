import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMessagingCore } from '../conversations/messaging-core.js';
import { communityPolicy } from '../conversations/policy/community-policy.js';
import { isMessagingError } from '../kernel/errors.js';
import { type EventPosition, LOG_START } from '../kernel/model/event-envelope.js';
import { type Actor, participantKey } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { InMemoryPeopleDirectory } from '../kernel/testing/in-memory-people-directory.js';
import { InMemorySettingsStore } from '../kernel/testing/in-memory-settings-store.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { InMemoryMessagingStore } from '../testing/in-memory-messaging-store.js';
import { createLiveFeed } from './create-live-feed.js';
import type { LiveFeed } from './live-feed.js';
import { inMemoryLiveAudience } from './testing/in-memory-live-audience.js';

// Random sends, adds, removes, reads and support answers in one community: whatever the batch
// size of the live tail, every viewer receives through `next` exactly what `replay` gives them
// from any point, in log order, each event once. Replay a failure with FC_SEED=<seed printed>.

const SEED = process.env.FC_SEED === undefined ? 20261207 : Number(process.env.FC_SEED);
const NORTH = 'north';
const person = (type: string, id: string): Actor => ({ type, id, tenantId: NORTH });
const mia = person('mentor', 'mia');
const STUDENTS = ['ana', 'ben', 'cy', 'dee'].map((id) => person('student', id));
const ada = person('admin', 'ada');
const PEOPLE = [mia, ...STUDENTS, ada];
const ref = (a: Actor) => ({ type: a.type, id: a.id });

type Command =
  | { readonly kind: 'send'; readonly who: number; readonly where: number }
  | { readonly kind: 'add'; readonly who: number; readonly where: number }
  | { readonly kind: 'remove'; readonly who: number; readonly where: number }
  | { readonly kind: 'read'; readonly who: number; readonly where: number };

const commandArb: fc.Arbitrary<Command> = fc.record({
  kind: fc.constantFrom('send', 'add', 'remove', 'read'),
  who: fc.nat(PEOPLE.length - 1),
  where: fc.nat(2),
}) as fc.Arbitrary<Command>;

async function run(commands: readonly Command[]) {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
  const store = new InMemoryMessagingStore();
  const directory = new InMemoryPeopleDirectory();
  await directory.upsertTenant({ id: NORTH, name: 'North' }, clock.now());
  for (const p of PEOPLE)
    await directory.upsertPerson(
      { type: p.type, id: p.id, name: p.id, email: null, locale: 'en', tenantId: NORTH },
      clock.now(),
    );
  const core = createMessagingCore({
    store,
    directory,
    settings: new InMemorySettingsStore(),
    policy: communityPolicy,
    clock,
    ids: new SequentialIds('id'),
  });
  const conversations = [
    (
      await core.createConversation(mia, {
        conversationType: 'group',
        subject: 'A',
        participants: [ref(STUDENTS[0]!), ref(STUDENTS[1]!)],
        initialMessage: 'hi',
      })
    ).conversation.id,
    (
      await core.createConversation(mia, {
        conversationType: 'group',
        subject: 'B',
        participants: [ref(STUDENTS[2]!), ref(STUDENTS[3]!)],
      })
    ).conversation.id,
    (
      await core.createConversation(STUDENTS[0]!, {
        conversationType: 'support',
        subject: 'Help',
        participants: [],
        initialMessage: 'help',
      })
    ).conversation.id,
  ];
  for (const command of commands) {
    const who = PEOPLE[command.who]!;
    const conversationId = conversations[command.where]!;
    try {
      if (command.kind === 'send') await core.sendMessage(who, { conversationId, content: 'x' });
      else if (command.kind === 'read') await core.markConversationRead(who, conversationId);
      else if (command.kind === 'add')
        await core.addParticipants(mia, { conversationId, participants: [ref(who)] });
      else await core.removeParticipant(mia, { conversationId, participant: ref(who) });
    } catch (error) {
      // Refusals (not a member, already one, size limits) are part of the game.
      if (!isMessagingError(error)) throw error;
    }
  }
  return { store, feed: createLiveFeed({ store, directory, policy: communityPolicy, clock }) };
}

async function tailIds(feed: LiveFeed, batchSize: number): Promise<Map<string, string[]>> {
  const byViewer = new Map<string, string[]>(PEOPLE.map((p) => [participantKey(p), []]));
  let position: EventPosition = LOG_START;
  for (;;) {
    const batch = await feed.next(position, inMemoryLiveAudience(PEOPLE), batchSize);
    for (const d of batch.deliveries) byViewer.get(participantKey(d.viewer))!.push(d.event.id);
    if (batch.position === position || !batch.more) break;
    position = batch.position;
  }
  return byViewer;
}

describe('live feed: next and replay agree (property)', () => {
  it('every viewer gets the same events, in log order, once each, whatever the batch size or the resume point', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        async (commands, batchSize, pick) => {
          const { store, feed } = await run(commands);
          const logIds = store.recordedEvents().map((e) => e.id);
          const whole = await tailIds(feed, 500);
          const chunked = await tailIds(feed, batchSize);
          expect(chunked).toEqual(whole);
          const since = logIds[pick % logIds.length]!;
          for (const viewer of PEOPLE) {
            const ids = whole.get(participantKey(viewer))!;
            expect(new Set(ids).size).toBe(ids.length);
            const order = ids.map((id) => logIds.indexOf(id));
            expect(order).toEqual([...order].sort((a, b) => a - b));
            const replay = await feed.replay(viewer, since, logIds.length);
            if (replay.kind !== 'replayed') throw new Error('expected a replay');
            expect(replay.deliveries.map((d) => d.event.id)).toEqual(
              ids.filter((id) => BigInt(id) > BigInt(since)),
            );
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});
