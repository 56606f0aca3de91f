import type {
  Conversation,
  ConversationParticipant,
  MessageSearchQuery,
  ParticipantRef,
} from '@parley/messaging-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyMarketplaceDirectory } from '../kernel/kysely-marketplace-directory.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessageSearch } from './kysely-message-search.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// The walk over a store's newest messages and the GIN index must find the same messages, in the
// same order, page after page: the walk is only a faster way to the newest matches.
const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

const STORE = 'walk-store';
const SELLER: ParticipantRef = { type: 'store', id: 'walk-seller' };
const OTHER_SELLER: ParticipantRef = { type: 'store', id: 'walk-seller-2' };
const BUYER: ParticipantRef = { type: 'customer', id: 'walk-buyer' };
const WORDS = ['apple', 'berry', 'cherry', 'damson'] as const;
const WINDOW = 12;
const T0 = Date.parse('2026-04-01T08:00:00.000Z');

/** A deterministic pseudo-random sequence (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sent {
  readonly id: string;
  readonly conversationId: string;
  readonly content: string;
  readonly createdAt: number;
  /** Whether the seller may find it (membership, join point, flags), team conversations aside. */
  readonly visibleToMember: boolean;
  /** Whether it is in the unjoined team conversation (found with a team scope only). */
  readonly team: boolean;
}

describe.each(targets)('KyselyMessageSearch walk and index paths on %s', (target) => {
  let database: TestDatabase;
  const sent: Sent[] = [];

  beforeAll(async () => {
    database = await openTestDatabase({ target });
    await database.truncate();
    const { db } = database;
    const store = new KyselyMessagingStore({ db });
    const directory = new KyselyMarketplaceDirectory({ db });
    await directory.upsertStore({ id: STORE, name: 'Walk store', tier: 'business' }, new Date(T0));

    let n = 0;
    const nextId = (prefix: number) => {
      n += 1;
      return `0190${prefix.toString(16).padStart(4, '0')}-0000-7000-9000-${n.toString(16).padStart(12, '0')}`;
    };
    async function conversation(
      members: readonly ParticipantRef[],
      conversationType: string,
      visibleFrom: Readonly<Record<string, number>> = {},
    ): Promise<Conversation> {
      const created: Conversation = {
        id: nextId(1),
        conversationType,
        subject: 'Walk',
        tenantId: STORE,
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: new Date(T0),
        updatedAt: new Date(T0),
      };
      const memberships: ConversationParticipant[] = members.map((participant) => ({
        conversationId: created.id,
        participant,
        tenantId: STORE,
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: created.createdAt,
        joinedAt: created.createdAt,
        role: 'member',
        leftAt: null,
        visibleFromSeq: visibleFrom[participant.id] ?? 1,
      }));
      await store.transaction(async (tx) => {
        await tx.conversations.create(created, memberships);
      });
      return created;
    }

    const mine = await conversation([SELLER, BUYER], 'store_customer');
    const joinedLate = await conversation([SELLER, BUYER], 'store_customer', { [SELLER.id]: 6 });
    const notMine = await conversation([OTHER_SELLER, BUYER], 'store_customer');
    const left = await conversation([SELLER, BUYER], 'store_customer');
    const team = await conversation([BUYER], 'support');
    const conversations = [mine, mine, joinedLate, notMine, left, team];

    const next = random(14);
    const seqs = new Map<string, number>();
    for (let i = 0; i < 140; i++) {
      const c = conversations[Math.floor(next() * conversations.length)]!;
      const words = Array.from({ length: 1 + Math.floor(next() * 3) }, () => WORDS[Math.floor(next() * 4)]!);
      const sender = next() < 0.5 ? SELLER : c === notMine ? OTHER_SELLER : BUYER;
      const fromSeller = sender === SELLER && c !== notMine && c !== team;
      const system = next() < 0.08;
      // Some share a second, so ids order them.
      const createdAt = T0 + 1000 * Math.floor(i * 0.8);
      const result = await store.messages.append({
        message: {
          id: nextId(2),
          conversationId: c.id,
          sender: fromSeller || c === notMine || c === team ? sender : BUYER,
          content: `${words.join(' ')} #${i}`,
          isSystemMessage: system,
          createdAt: new Date(createdAt),
          attachments: [],
        },
        requireOpen: false,
      });
      if (result.status !== 'created') throw new Error(`append ${result.status}`);
      const message = result.message;
      const seq = (seqs.get(c.id) ?? 0) + 1;
      seqs.set(c.id, seq);
      expect(message.seq).toBe(seq);
      const roll = next();
      let flagged = false;
      if (roll < 0.08) {
        await store.messages.softDelete(c.id, message.id, { by: BUYER, at: new Date(createdAt + 1) });
        flagged = true;
      } else if (roll < 0.16 && c !== notMine && c !== team) {
        await store.messages.hideFor(c.id, message.id, SELLER, [SELLER, BUYER], new Date(createdAt + 1));
        flagged = true;
      } else if (roll < 0.24) {
        // Held by moderation: its sender's only.
        await sql`update messages set moderation_state = 'held' where id = ${message.id}::uuid`.execute(db);
        flagged = message.sender.id !== SELLER.id;
      }
      sent.push({
        id: message.id,
        conversationId: c.id,
        content: message.content,
        createdAt,
        visibleToMember: !system && !flagged && (c === mine || (c === joinedLate && seq >= 6) || c === team),
        team: c === team,
      });
    }
    await store.participants.leave(left.id, SELLER, new Date(T0 + 200_000));
  });

  afterAll(async () => {
    await database?.destroy();
  });

  const searches = () => ({
    walk: new KyselyMessageSearch({ db: database.db, walkRows: 100_000, relevanceWindow: WINDOW }),
    index: new KyselyMessageSearch({ db: database.db, walkRows: 0, relevanceWindow: WINDOW }),
    // Walks that find the page for some words, fall back to the index for others.
    short: new KyselyMessageSearch({ db: database.db, walkRows: 9, relevanceWindow: WINDOW }),
    mid: new KyselyMessageSearch({ db: database.db, walkRows: 30, relevanceWindow: WINDOW }),
    long: new KyselyMessageSearch({ db: database.db, walkRows: 60, relevanceWindow: WINDOW }),
  });

  async function everyPage(search: KyselyMessageSearch, query: MessageSearchQuery) {
    const seen: { id: string; rank: number }[] = [];
    let after = query.after;
    for (let guard = 0; guard < 100; guard++) {
      const page = await search.search({ ...query, ...(after === undefined ? {} : { after }) });
      seen.push(...page.hits.map((hit) => ({ id: hit.message.id, rank: hit.rank })));
      if (page.next === null) return seen;
      after = page.next;
    }
    throw new Error('too many pages');
  }

  /** The messages the seller may find with every word, newest first (ties: larger id first). */
  function expected(terms: readonly string[], withTeam: boolean): string[] {
    return sent
      .filter((m) => m.visibleToMember && (withTeam || !m.team))
      .filter((m) => terms.every((t) => m.content.split(/[^a-z0-9]+/).some((w) => w.startsWith(t))))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map((m) => m.id);
  }

  const TERMS: readonly (readonly string[])[] = [
    ['apple'],
    ['ber'],
    ['apple', 'cherry'],
    ['damson', 'berry'],
  ];

  it.each([false, true])(
    'recent: every path pages through exactly the visible matches, newest first (team %s)',
    async (withTeam) => {
      const team = withTeam ? { conversationTypes: ['support'], teamParticipantTypes: ['store'] } : undefined;
      for (const terms of TERMS) {
        const query: MessageSearchQuery = {
          searcher: SELLER,
          terms,
          scope: { kind: 'inbox', storeId: STORE, ...(team === undefined ? {} : { team }) },
          sort: 'recent',
          limit: 4,
        };
        const want = expected(terms, withTeam);
        // Several pages for one word, at least one match for two.
        expect(want.length).toBeGreaterThan(terms.length === 1 ? 8 : 1);
        for (const [name, search] of Object.entries(searches())) {
          const ids = (await everyPage(search, query)).map((hit) => hit.id);
          expect({ name, terms, ids }).toEqual({ name, terms, ids: want });
        }
      }
    },
  );

  it('relevance: every path ranks exactly the newest matches of the window, best first, in the same pages', async () => {
    for (const terms of TERMS) {
      const query: MessageSearchQuery = {
        searcher: SELLER,
        terms,
        scope: { kind: 'inbox', storeId: STORE },
        sort: 'relevance',
        limit: 5,
      };
      const matching = expected(terms, false);
      // One word matches more than the window (it is cut), two may not.
      if (terms.length === 1) expect(matching.length).toBeGreaterThan(WINDOW);
      const window = matching.slice(0, WINDOW);
      const all = searches();
      const byIndex = await everyPage(all.index, query);
      expect(new Set(byIndex.map((hit) => hit.id))).toEqual(new Set(window));
      expect(byIndex).toHaveLength(window.length);
      const ranks = byIndex.map((hit) => hit.rank);
      expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
      expect(await everyPage(all.walk, query)).toEqual(byIndex);
      expect(await everyPage(all.short, query)).toEqual(byIndex);
      expect(await everyPage(all.mid, query)).toEqual(byIndex);
      expect(await everyPage(all.long, query)).toEqual(byIndex);
    }
  });

  it('finds the same newest page of common words with the default walk as with the index only', async () => {
    const query: MessageSearchQuery = {
      searcher: SELLER,
      terms: ['apple'],
      scope: { kind: 'inbox', storeId: STORE },
      sort: 'recent',
      limit: 3,
    };
    const page = await new KyselyMessageSearch({ db: database.db }).search(query);
    expect(page.hits.map((hit) => hit.message.id)).toEqual(expected(['apple'], false).slice(0, 3));
    expect(page.next).not.toBeNull();
  });
});
