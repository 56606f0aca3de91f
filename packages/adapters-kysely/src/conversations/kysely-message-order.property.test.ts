import type { Conversation, ConversationParticipant, ParticipantRef } from '@parley/messaging-core';
import { isMessagingError, participantKey } from '@parley/messaging-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessagingStoreRawReader } from '../testing/kysely-raw-readers.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// One order per conversation under real concurrency: random rounds of sends, reads, joins and
// leaves by several participants run at once on a connection pool; after every round, counters,
// read state, previews, `last_message_at` and history must agree exactly with the stored messages
// in `seq` order (for active members; a former member's row stays frozen and out of every inbox).
// `FC_SEED=<n>` replays a run.

const selected = await resolveTestDatabaseTarget();
const onPostgres = selected.kind === 'postgres';
if (!onPostgres) {
  console.info('[parley] message order property skipped: it needs PostgreSQL (set DATABASE_URL)');
}

const STORE_ID = 'store-1';
/** The members' roles; each run gets its own ids, so a member's inbox holds only that run's conversation. */
const ROLES: readonly ParticipantRef[] = [
  { type: 'admin', id: 'admin-1' },
  { type: 'customer', id: 'customer-1' },
  { type: 'store', id: 'staff-1' },
  { type: 'store', id: 'staff-2' },
  // Not members at first: they join (and leave, and come back) during the run.
  { type: 'customer', id: 'customer-2' },
  { type: 'store', id: 'staff-3' },
];
const INITIAL_MEMBERS = 4;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

let sequence = 0;
let run = 0;
const uuid = () => `01900000-0000-7000-8001-${(++sequence).toString(16).padStart(12, '0')}`;

type Op =
  | {
      readonly kind: 'send';
      readonly who: number;
      readonly system: boolean;
      /** How far before the round's clock the request took its time (it reached the lock later). */
      readonly earlierMs: number;
    }
  | { readonly kind: 'read'; readonly who: number; readonly upTo: number | null }
  | { readonly kind: 'join'; readonly who: number; readonly seesHistory: boolean }
  | { readonly kind: 'leave'; readonly who: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      who: fc.nat({ max: ROLES.length - 1 }),
      system: fc.boolean().map((b) => b && Math.random() < 0.3),
      earlierMs: fc.nat({ max: 3000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      who: fc.nat({ max: ROLES.length - 1 }),
      upTo: fc.option(fc.integer({ min: 1, max: 60 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      who: fc.nat({ max: ROLES.length - 1 }),
      seesHistory: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('leave' as const), who: fc.nat({ max: ROLES.length - 1 }) }),
  },
);
const roundsArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 14 }), { minLength: 1, maxLength: 6 });

describe.skipIf(!onPostgres)(
  'one order per conversation under concurrent sends and reads (PostgreSQL)',
  () => {
    let database: TestDatabase;
    let store: KyselyMessagingStore;

    beforeAll(async () => {
      database = await openTestDatabase({ poolSize: 8 });
      store = new KyselyMessagingStore({ db: database.db });
    });
    afterAll(async () => {
      await database?.destroy();
    });

    async function newConversation(members: readonly ParticipantRef[]): Promise<Conversation> {
      const at = new Date(T0);
      const conversation: Conversation = {
        id: uuid(),
        conversationType: 'store_customer',
        subject: 'Order',
        tenantId: STORE_ID,
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: at,
        updatedAt: at,
      };
      const memberships = members.map(
        (participant): ConversationParticipant => ({
          conversationId: conversation.id,
          participant,
          tenantId: participant.type === 'admin' ? null : STORE_ID,
          unreadCount: 0,
          lastReadSeq: 0,
          lastReadAt: null,
          lastDeliveredSeq: 0,
          lastDeliveredAt: null,
          emailNotifications: false,
          muted: false,
          lastActivityAt: at,
          joinedAt: at,
          role: 'member',
          leftAt: null,
          visibleFromSeq: 1,
        }),
      );
      await store.conversations.create(conversation, memberships);
      return conversation;
    }

    /** Everything that must agree, read back after a round. */
    async function check(conversationId: string, previousReadSeq: Map<string, number>, where: string) {
      const raw = createMessagingStoreRawReader(database.db);
      const messages = await raw.messages(conversationId);
      const n = messages.length;
      expect(
        messages.map((m) => m.seq),
        `${where}: seq is 1..n`,
      ).toEqual(messages.map((_, i) => i + 1));
      for (const [i, m] of messages.entries()) {
        if (i === 0) continue;
        expect(
          m.createdAt.getTime(),
          `${where}: time never goes back along seq (${m.seq})`,
        ).toBeGreaterThanOrEqual(messages[i - 1]!.createdAt.getTime());
      }
      const latest = messages.at(-1) ?? null;
      const conversation = await raw.conversation(conversationId);
      expect(conversation?.messageCount, `${where}: message_count`).toBe(n);
      expect(conversation?.lastMessageAt ?? null, `${where}: last_message_at`).toEqual(
        latest?.createdAt ?? null,
      );

      for (const member of await raw.participants(conversationId)) {
        const key = participantKey(member.participant);
        if (member.leftAt !== null) {
          // Frozen at leaving: never above the recount, and the conversation is out of their inbox.
          const since = messages.filter(
            (m) => !m.isSystemMessage && participantKey(m.sender) !== key && m.seq > member.lastReadSeq,
          ).length;
          expect(member.unreadCount, `${where}: frozen unread of former ${key}`).toBeLessThanOrEqual(since);
          const inbox = await store.conversations.listInbox(member.participant, {}, { limit: 1 });
          expect(inbox.entries, `${where}: former ${key} has no inbox entry`).toEqual([]);
          expect(
            await store.conversations.unreadTotal(member.participant),
            `${where}: badge of former ${key}`,
          ).toBe(0);
          previousReadSeq.set(key, member.lastReadSeq);
          continue;
        }
        expect(
          member.visibleFromSeq,
          `${where}: ${key} sees at least what they joined at`,
        ).toBeLessThanOrEqual(member.lastReadSeq + 1);
        const mine = (m: (typeof messages)[number]) => participantKey(m.sender) === key;
        const unread = messages.filter(
          (m) => !m.isSystemMessage && !mine(m) && m.seq > member.lastReadSeq,
        ).length;
        expect(member.unreadCount, `${where}: unread of ${key} = others' messages after last_read_seq`).toBe(
          unread,
        );
        expect(member.lastReadSeq, `${where}: last_read_seq of ${key} <= max seq`).toBeLessThanOrEqual(n);
        expect(
          member.lastReadSeq,
          `${where}: last_read_seq of ${key} never decreases`,
        ).toBeGreaterThanOrEqual(previousReadSeq.get(key) ?? 0);
        previousReadSeq.set(key, member.lastReadSeq);
        // Only messages sent as a member move one's own read state: a send racing one's join can
        // land before it. Messages stamped after the join time were sent as a member.
        const ownLatest = messages
          .filter((m) => !m.isSystemMessage && mine(m) && m.createdAt.getTime() > member.joinedAt.getTime())
          .at(-1);
        if (ownLatest) {
          expect(member.lastReadSeq, `${where}: ${key} has read their own message`).toBeGreaterThanOrEqual(
            ownLatest.seq,
          );
          expect(member.lastReadAt?.getTime(), `${where}: last_read_at of ${key}`).toBeGreaterThanOrEqual(
            ownLatest.createdAt.getTime(),
          );
        }
        // The preview each member's inbox shows is the highest seq.
        const [entry] = (await store.conversations.listInbox(member.participant, {}, { limit: 1 })).entries;
        expect(entry?.conversation.id).toBe(conversationId);
        expect(
          entry?.lastMessage === null ? null : [entry?.lastMessage?.seq, entry?.lastMessage?.content],
          `${where}: preview for ${key}`,
        ).toEqual(latest === null ? null : [latest.seq, latest.content]);
        expect(entry?.membership.unreadCount).toBe(unread);
      }

      // History pages, walked with the keyset, give back exactly the seq order.
      const walked: string[] = [];
      let beforeSeq: number | undefined;
      for (;;) {
        const page = await store.messages.listByConversation(conversationId, {
          limit: 7,
          ...(beforeSeq === undefined ? {} : { beforeSeq }),
        });
        walked.push(...page.messages.map((m) => m.id));
        const last = page.messages.at(-1);
        if (!page.hasMore || last === undefined) break;
        beforeSeq = last.seq;
      }
      expect(walked, `${where}: history`).toEqual([...messages].reverse().map((m) => m.id));
    }

    it('keeps counters, read state, previews, last_message_at and history in one order', async () => {
      const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) };
      await fc.assert(
        fc.asyncProperty(roundsArb, async (rounds) => {
          run += 1;
          const members = ROLES.map((role) => ({ type: role.type, id: `${role.id}-${run}` }));
          const conversation = await newConversation(members.slice(0, INITIAL_MEMBERS));
          const previousReadSeq = new Map<string, number>();
          let clock = T0 + 1000;
          for (const [index, ops] of rounds.entries()) {
            clock += 5000;
            const now = clock;
            const results = await Promise.all(
              ops.map(async (op) => {
                const who = members[op.who]!;
                if (op.kind === 'read') {
                  // Null for someone who is not (or no longer) a member.
                  const updated = await store.participants.markRead(
                    conversation.id,
                    who,
                    new Date(now),
                    op.upTo ?? undefined,
                  );
                  if (updated !== null) expect(updated.lastReadSeq).toBeGreaterThanOrEqual(0);
                  return null;
                }
                if (op.kind === 'join' || op.kind === 'leave') {
                  // As the use cases do: the change and its system message in one transaction.
                  const changed = await store
                    .transaction(async (tx) => {
                      const done =
                        op.kind === 'join'
                          ? await tx.participants.join(
                              conversation.id,
                              [
                                {
                                  participant: who,
                                  storeId: who.type === 'admin' ? null : STORE_ID,
                                  role: 'member',
                                  seesHistory: op.seesHistory,
                                },
                              ],
                              new Date(now),
                            )
                          : await tx.participants.leave(conversation.id, who, new Date(now));
                      if (done === null) return false;
                      const appended = await tx.messages.append({
                        message: {
                          id: uuid(),
                          conversationId: conversation.id,
                          sender: who,
                          content: `${who.id} ${op.kind}s`,
                          isSystemMessage: true,
                          createdAt: new Date(now),
                          attachments: [],
                        },
                        requireOpen: false,
                      });
                      expect(appended.status).toBe('created');
                      return true;
                    })
                    .catch((error: unknown) => {
                      // Joining someone already active is a CONFLICT: nothing was written.
                      if (isMessagingError(error) && error.code === 'CONFLICT' && op.kind === 'join')
                        return false;
                      throw error;
                    });
                  expect(typeof changed).toBe('boolean');
                  return null;
                }
                const result = await store.messages.append({
                  message: {
                    id: uuid(),
                    conversationId: conversation.id,
                    sender: who,
                    content: `round ${index} ${who.id} ${uuid()}`,
                    isSystemMessage: op.system,
                    createdAt: new Date(now - op.earlierMs),
                    attachments: [],
                  },
                  requireOpen: !op.system,
                });
                expect(result.status).toBe('created');
                return result.status === 'created' ? result.message : null;
              }),
            );
            // What each send answered is what was stored.
            const raw = createMessagingStoreRawReader(database.db);
            const stored = new Map((await raw.messages(conversation.id)).map((m) => [m.id, m]));
            for (const sent of results) {
              if (sent === null) continue;
              expect([sent.seq, sent.createdAt]).toEqual([
                stored.get(sent.id)?.seq,
                stored.get(sent.id)?.createdAt,
              ]);
            }
            await check(conversation.id, previousReadSeq, `round ${index + 1} of ${rounds.length}`);
          }
        }),
        { numRuns: 25, ...seed },
      );
    });
  },
);
