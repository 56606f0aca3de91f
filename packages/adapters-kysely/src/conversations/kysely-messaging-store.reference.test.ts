import type {
  Conversation,
  ConversationParticipant,
  InboxFilter,
  InboxPage,
  MessagingStore,
  ParticipantRef,
} from '@parley/messaging-core';
import { InMemoryMessagingStore } from '@parley/messaging-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// Differential test: the same random history applied to the in-memory reference and to the
// Kysely store must read back identically, inbox walks (with messages arriving mid-walk) included.

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const PEOPLE: ParticipantRef[] = [
  { type: 'admin', id: 'a1' },
  { type: 'admin', id: 'a2' },
  { type: 'store', id: 's1' },
  { type: 'store', id: 's2' },
  { type: 'customer', id: 'c1' },
];
const TYPES = ['admin_store', 'store_customer', 'admin_customer'];
const STORES = ['store-1', 'store-2', null];

/** Applies the same calls to both stores and checks they answer the same. */
class Twin {
  constructor(
    readonly reference: MessagingStore,
    readonly subject: MessagingStore,
  ) {}

  async both<T>(call: (store: MessagingStore) => Promise<T>): Promise<T> {
    const expected = await call(this.reference);
    const actual = await call(this.subject);
    expect(actual).toEqual(expected);
    return expected;
  }
}

const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('Kysely store matches the in-memory reference on %s', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ target });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it.each([1, 2, 3, 4])('random history #%i', async (seed) => {
    await database.truncate();
    const random = prng(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    let sequence = seed * 1_000_000;
    const uuid = () => `01900000-0000-7000-8000-${(++sequence).toString(16).padStart(12, '0')}`;
    // Coarse times so activities tie often and ids break the ties.
    const time = (max: number) => new Date(T0 + Math.floor(random() * max) * 1000);
    const twin = new Twin(new InMemoryMessagingStore(), new KyselyMessagingStore({ db: database.db }));

    const conversations: { conversation: Conversation; members: ParticipantRef[] }[] = [];
    for (let i = 0; i < 14; i += 1) {
      const createdAt = time(40);
      const conversation: Conversation = {
        id: uuid(),
        conversationType: pick(TYPES),
        subject: `Subject ${i}`,
        tenantId: pick(STORES),
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt,
        updatedAt: createdAt,
      };
      const members = PEOPLE.filter(() => random() < 0.6);
      if (members.length === 0) members.push(PEOPLE[0]!);
      const memberships: ConversationParticipant[] = members.map((participant) => ({
        conversationId: conversation.id,
        participant,
        tenantId: participant.type === 'admin' ? null : conversation.tenantId,
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: createdAt,
        joinedAt: createdAt,
        role: 'member',
        leftAt: null,
        visibleFromSeq: 1,
      }));
      await twin.both((store) => store.conversations.create(conversation, memberships));
      conversations.push({ conversation, members });
    }

    let clock = 40;
    const append = async (late: boolean) => {
      const { conversation, members } = pick(conversations);
      const isSystemMessage = random() < 0.15;
      const sender = isSystemMessage || random() < 0.1 ? pick(PEOPLE) : pick(members);
      const id = uuid();
      const createdAt = late ? new Date(T0 + ++clock * 1000) : time(clock);
      const attachments =
        random() < 0.2
          ? [0, 1].map((n) => ({
              id: uuid(),
              messageId: id,
              filename: `${n}.png`,
              originalFilename: `photo ${n}.png`,
              filePath: `uploads/${id}/${n}.png`,
              fileSize: 100 + n,
              mimeType: 'image/png',
              isImage: true,
              imageWidth: 10,
              imageHeight: 20,
              thumbnailPath: null,
              createdAt,
            }))
          : [];
      const key = random() < 0.3 ? `key-${Math.floor(random() * 6)}` : undefined;
      await twin.both((store) =>
        store.messages.append({
          message: {
            id,
            conversationId: conversation.id,
            sender,
            content: `m ${id}`,
            isSystemMessage,
            createdAt,
            attachments,
          },
          ...(key === undefined ? {} : { idempotency: { key, requestHash: `h-${key}` } }),
          requireOpen: !isSystemMessage,
        }),
      );
    };

    const walk = async () => {
      const reader = pick(PEOPLE);
      const filter: InboxFilter = {
        ...(random() < 0.3 ? { conversationType: pick(TYPES) } : {}),
        ...(random() < 0.2 ? { isClosed: random() < 0.5 } : {}),
        ...(random() < 0.2 ? { unreadOnly: true } : {}),
        ...(random() < 0.2 ? { storeId: 'store-1' } : {}),
      };
      const limit = 1 + Math.floor(random() * 4);
      await twin.both((store) => store.conversations.countInbox(reader, filter));
      let page: InboxPage = await twin.both((store) =>
        store.conversations.listInbox(reader, filter, { limit }),
      );
      let pages = 1;
      while (page.nextCursor !== null && pages < 30) {
        const cursor = page.nextCursor;
        // Messages arrive during the walk, some later than the snapshot, some earlier.
        if (random() < 0.7) await append(random() < 0.7);
        page = await twin.both((store) => store.conversations.listInbox(reader, filter, { limit, cursor }));
        pages += 1;
      }
      expect(page.nextCursor).toBeNull();
    };

    for (let step = 0; step < 120; step += 1) {
      const roll = random();
      const { conversation, members } = pick(conversations);
      // Draw every random input before calling the twins, so both get the same.
      const member = pick(members);
      const person = pick(PEOPLE);
      const when = time(clock);
      const flag = random() < 0.5;
      const upToSeq = random() < 0.5 ? undefined : 1 + Math.floor(random() * 12);
      if (roll < 0.55) await append(false);
      else if (roll < 0.62)
        await twin.both((store) => store.participants.markRead(conversation.id, member, when, upToSeq));
      else if (roll < 0.67)
        await twin.both((store) =>
          store.participants.updatePreferences(conversation.id, person, { muted: flag }),
        );
      else if (roll < 0.72) {
        const isClosed = random() < 0.6;
        await twin.both((store) =>
          store.conversations.setClosed(conversation.id, {
            isClosed,
            at: when,
            by: isClosed ? member : null,
          }),
        );
      } else if (roll < 0.8)
        await twin.both((store) => store.conversations.unreadTotal(person, flag ? 'store-1' : undefined));
      else if (roll < 0.9) await walk();
      else {
        let beforeSeq: number | undefined;
        for (let pages = 0; pages < 20; pages += 1) {
          const page = await twin.both((store) =>
            store.messages.listByConversation(conversation.id, {
              limit: 3,
              ...(beforeSeq === undefined ? {} : { beforeSeq }),
            }),
          );
          const last = page.messages.at(-1);
          if (!page.hasMore || last === undefined) break;
          beforeSeq = last.seq;
        }
      }
    }
    for (const person of PEOPLE) {
      await twin.both((store) => store.conversations.listInbox(person, {}, { limit: 100 }));
    }
    for (const { conversation } of conversations) {
      await twin.both((store) => store.conversations.findWithParticipants(conversation.id));
    }
  });
});
