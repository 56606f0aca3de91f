import type {
  AppendMessageResult,
  Conversation,
  ConversationParticipant,
  ParticipantRef,
} from '@parley/messaging-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// Real concurrency needs a real server: PGlite is one session and serializes everything.
const selected = await resolveTestDatabaseTarget();
const onPostgres = selected.kind === 'postgres';
if (!onPostgres) {
  console.info('[parley] append concurrency tests skipped: they need PostgreSQL (set DATABASE_URL)');
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
let sequence = 0;
const uuid = () => `01900000-0000-7000-8000-${(++sequence).toString(16).padStart(12, '0')}`;

const ADMIN: ParticipantRef = { type: 'admin', id: 'admin-1' };
const STAFF: ParticipantRef = { type: 'store', id: 'staff-1' };
const STAFF_2: ParticipantRef = { type: 'store', id: 'staff-2' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'customer-1' };
const LISTENER: ParticipantRef = { type: 'customer', id: 'listener-1' };
const MEMBERS = [ADMIN, STAFF, STAFF_2, CUSTOMER, LISTENER];
const SENDERS = [ADMIN, STAFF, STAFF_2, CUSTOMER];

function conversation(): Conversation {
  return {
    id: uuid(),
    conversationType: 'store_customer',
    subject: 'Race',
    tenantId: 'store-1',
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt: at(0),
    updatedAt: at(0),
  };
}

function memberships(c: Conversation): ConversationParticipant[] {
  return MEMBERS.map((participant) => ({
    conversationId: c.id,
    participant,
    tenantId: participant.type === 'admin' ? null : 'store-1',
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: c.createdAt,
    joinedAt: c.createdAt,
    role: 'member',
    leftAt: null,
    visibleFromSeq: 1,
  }));
}

describe.skipIf(!onPostgres)('append under real concurrency (PostgreSQL)', () => {
  let database: TestDatabase;
  let store: KyselyMessagingStore;

  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 16 });
    store = new KyselyMessagingStore({ db: database.db });
    // Test-only audit of the order appends take the conversation's row lock (held to commit),
    // which is the order their counter updates apply in.
    await sql`create table append_order (seq bigserial primary key, message_id uuid not null)`.execute(
      database.db,
    );
    await sql`create function record_append_order() returns trigger language plpgsql as $$
      begin insert into append_order (message_id) values (new.id); return new; end $$`.execute(database.db);
    await sql`create trigger messages_append_order after insert on messages
      for each row execute function record_append_order()`.execute(database.db);
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('keeps every counter equal to what the message rows imply after 200 concurrent appends', async () => {
    const conversations = [conversation(), conversation(), conversation()];
    for (const c of conversations) await store.conversations.create(c, memberships(c));

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const c = conversations[i % conversations.length]!;
        const sender = SENDERS[(i * 7) % SENDERS.length]!;
        const isSystemMessage = i % 10 === 9;
        return store.messages.append({
          message: {
            id: uuid(),
            conversationId: c.id,
            sender,
            content: `message ${i}`,
            isSystemMessage,
            // Deliberately not in submission order: counters must not depend on it.
            createdAt: at(1000 + ((i * 37) % 200) * 10),
            attachments: [],
          },
          requireOpen: !isSystemMessage,
        });
      }),
    );
    expect(results.every((r) => r.status === 'created')).toBe(true);

    for (const c of conversations) {
      const messages = await database.db
        .withTables<{ append_order: { seq: string; message_id: string } }>()
        .selectFrom('messages')
        .innerJoin('append_order', 'append_order.message_id', 'messages.id')
        .select([
          'messages.sender_type',
          'messages.sender_id',
          'messages.is_system_message',
          'messages.created_at',
          'messages.seq as message_seq',
          'append_order.seq',
        ])
        .where('messages.conversation_id', '=', c.id)
        .orderBy('append_order.seq')
        .execute();
      const row = await database.db
        .selectFrom('conversations')
        .selectAll()
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow();
      const latest = Math.max(...messages.map((m) => m.created_at.getTime()));
      expect(messages.length).toBeGreaterThan(60);
      // One order: seq is the lock (commit) order, 1..n, and time never goes back along it.
      expect(messages.map((m) => m.message_seq)).toEqual(messages.map((_, i) => i + 1));
      for (const [i, m] of messages.entries()) {
        if (i > 0)
          expect(m.created_at.getTime()).toBeGreaterThanOrEqual(messages[i - 1]!.created_at.getTime());
      }
      expect(messages.at(-1)?.created_at.getTime()).toBe(latest);
      expect(row.message_count).toBe(messages.length);
      expect(row.last_message_at?.getTime()).toBe(latest);
      expect(row.updated_at.getTime()).toBe(latest);

      const members = await database.db
        .selectFrom('conversation_participants')
        .selectAll()
        .where('conversation_id', '=', c.id)
        .execute();
      expect(members.length).toBe(MEMBERS.length);
      for (const member of members) {
        // Replay in lock order: others' non-system messages count up, the member's own reset.
        let unread = 0;
        let lastReadAt: Date | null = null;
        let lastReadSeq = 0;
        for (const m of messages) {
          if (m.is_system_message) continue;
          if (m.sender_type === member.participant_type && m.sender_id === member.participant_id) {
            unread = 0;
            lastReadAt = m.created_at;
            lastReadSeq = m.message_seq;
          } else {
            unread += 1;
          }
        }
        expect({
          who: member.participant_id,
          unread: member.unread_count,
          lastReadAt: member.last_read_at,
          lastReadSeq: member.last_read_seq,
        }).toEqual({
          who: member.participant_id,
          unread,
          lastReadAt,
          lastReadSeq,
        });
        expect(member.last_activity_at.getTime()).toBe(latest);
      }
      const listener = members.find((m) => m.participant_id === LISTENER.id)!;
      expect(listener.unread_count).toBe(messages.filter((m) => !m.is_system_message).length);
    }
  });

  it('creates exactly one message for 20 concurrent appends with the same idempotency key', async () => {
    const c = conversation();
    await store.conversations.create(c, memberships(c));
    const ids = Array.from({ length: 20 }, () => uuid());
    const results: AppendMessageResult[] = await Promise.all(
      ids.map((id, i) =>
        store.messages.append({
          message: {
            id,
            conversationId: c.id,
            sender: STAFF,
            content: 'pay me',
            isSystemMessage: false,
            createdAt: at(5000 + i),
            attachments: [],
          },
          idempotency: { key: 'checkout-42', requestHash: `hash-${i}` },
          requireOpen: true,
        }),
      ),
    );
    const created = results.filter((r) => r.status === 'created');
    const duplicates = results.filter((r) => r.status === 'duplicate');
    expect(created.length).toBe(1);
    expect(duplicates.length).toBe(19);
    const winner = created[0]!.message;
    const winnerIndex = ids.indexOf(winner.id);
    for (const duplicate of duplicates) {
      expect(duplicate.message).toEqual(winner);
      expect(duplicate.requestHash).toBe(`hash-${winnerIndex}`);
    }
    const rows = await database.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', c.id)
      .execute();
    expect(rows.map((r) => r.id)).toEqual([winner.id]);
    const key = await database.db
      .selectFrom('send_idempotency_keys')
      .selectAll()
      .where('key', '=', 'checkout-42')
      .execute();
    expect(key.map((k) => [k.message_id, k.request_hash])).toEqual([[winner.id, `hash-${winnerIndex}`]]);
    const conversationRow = await database.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(conversationRow.message_count).toBe(1);
    const listener = await store.participants.find(c.id, LISTENER);
    expect(listener?.unreadCount).toBe(1);
  });

  it('never records a key nor a message when a close races the appends', async () => {
    const c = conversation();
    await store.conversations.create(c, memberships(c));
    const appends = Array.from({ length: 30 }, (_, i) =>
      store.messages.append({
        message: {
          id: uuid(),
          conversationId: c.id,
          sender: CUSTOMER,
          content: `m${i}`,
          isSystemMessage: false,
          createdAt: at(9000 + i),
          attachments: [],
        },
        idempotency: { key: `k-${i}`, requestHash: 'h' },
        requireOpen: true,
      }),
    );
    const close = store.conversations.setClosed(c.id, { isClosed: true, at: at(9015), by: STAFF });
    const [results] = await Promise.all([Promise.all(appends), close]);
    const created = results.filter((r) => r.status === 'created').length;
    const refused = results.filter((r) => r.status === 'conversation_closed').length;
    expect(created + refused).toBe(30);
    const messageRows = await database.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', c.id)
      .execute();
    const keyRows = await database.db
      .selectFrom('send_idempotency_keys')
      .select('message_id')
      .where('sender_id', '=', CUSTOMER.id)
      .where('key', 'like', 'k-%')
      .execute();
    expect(messageRows.length).toBe(created);
    expect(keyRows.map((k) => k.message_id).sort()).toEqual(messageRows.map((m) => m.id).sort());
    const conversationRow = await database.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(conversationRow.message_count).toBe(created);
    expect(conversationRow.is_closed).toBe(true);
  });
});
