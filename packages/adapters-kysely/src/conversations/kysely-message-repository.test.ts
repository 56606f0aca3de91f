import {
  type Conversation,
  type ConversationParticipant,
  isMessagingError,
  type MessageAttachment,
  type NewMessage,
  type ParticipantRef,
} from '@parley/messaging-core';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMessagingStoreRawReader } from '../testing/kysely-raw-readers.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { appendStatement } from './kysely-message-repository.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
let sequence = 0;
const uuid = () => `01900000-0000-7000-8000-${(++sequence).toString(16).padStart(12, '0')}`;

const ADMIN: ParticipantRef = { type: 'admin', id: 'admin-1' };
const STAFF: ParticipantRef = { type: 'store', id: 'staff-1' };
const SYSTEM: ParticipantRef = { type: 'system', id: 'parley' };

function conversation(): Conversation {
  return {
    id: uuid(),
    conversationType: 'admin_store',
    subject: 'Payout',
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

function members(c: Conversation): ConversationParticipant[] {
  return [ADMIN, STAFF].map((participant) => ({
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

function draft(
  c: Conversation,
  sender: ParticipantRef,
  seconds: number,
  overrides: Partial<NewMessage> = {},
): NewMessage {
  return {
    id: uuid(),
    conversationId: c.id,
    sender,
    content: 'hello',
    isSystemMessage: false,
    createdAt: at(seconds),
    attachments: [],
    ...overrides,
  };
}

function file(messageId: string, name: string): MessageAttachment {
  return {
    id: uuid(),
    messageId,
    filename: `${name}.bin`,
    originalFilename: name,
    filePath: `uploads/${name}.bin`,
    fileSize: 3_000_000_000,
    mimeType: 'application/octet-stream',
    isImage: false,
    imageWidth: null,
    imageHeight: null,
    thumbnailPath: null,
    createdAt: at(1),
  };
}

/** Counts the statements sent through a Kysely instance. */
function statementCounter(): KyselyPlugin & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    transformQuery: (args) => {
      statements.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('KyselyMessageRepository on %s', (target) => {
  let database: TestDatabase;
  let store: KyselyMessagingStore;
  beforeAll(async () => {
    database = await openTestDatabase({ target });
    store = new KyselyMessagingStore({ db: database.db });
  });
  beforeEach(async () => {
    await database.truncate();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('appends in one SQL statement, attachments included', async () => {
    const c = conversation();
    await store.conversations.create(c, members(c));
    const counter = statementCounter();
    const counted = new KyselyMessagingStore({ db: database.db.withPlugin(counter) });
    const plain = await counted.messages.append({ message: draft(c, STAFF, 1), requireOpen: true });
    expect(plain.status).toBe('created');
    expect(counter.statements).toEqual(['RawNode']);
    const message = draft(c, STAFF, 2);
    const withFiles = await counted.messages.append({
      message: { ...message, attachments: [file(message.id, 'a')] },
      idempotency: { key: 'k', requestHash: 'h' },
      requireOpen: true,
    });
    expect(withFiles.status).toBe('created');
    expect(counter.statements).toEqual(['RawNode', 'RawNode']);
  });

  it('keeps attachments in the order given, with sizes past 2^31', async () => {
    const c = conversation();
    await store.conversations.create(c, members(c));
    const message = draft(c, STAFF, 1);
    // Ids deliberately out of order: order comes from the sender, not from the ids.
    const files = [file(message.id, 'z'), file(message.id, 'a'), file(message.id, 'm')].reverse();
    const result = await store.messages.append({
      message: { ...message, attachments: files },
      requireOpen: true,
    });
    expect(result.status).toBe('created');
    const names = (list: readonly MessageAttachment[] | undefined) => list?.map((a) => a.originalFilename);
    expect(names((await store.messages.findById(c.id, message.id))?.attachments)).toEqual(['m', 'a', 'z']);
    expect((await store.messages.findById(c.id, message.id))?.attachments[0]?.fileSize).toBe(3_000_000_000);
    const page = await store.messages.listByConversation(c.id, { limit: 10 });
    expect(names(page.messages[0]?.attachments)).toEqual(['m', 'a', 'z']);
    const inbox = await store.conversations.listInbox(ADMIN, {}, { limit: 10 });
    expect(names(inbox.entries[0]?.lastMessage?.attachments ?? undefined)).toEqual(['m', 'a', 'z']);
    expect((await createMessagingStoreRawReader(database.db).messages(c.id))[0]?.attachments).toEqual(
      files.map((f) => ({ ...f, messageId: message.id })),
    );
  });

  it('returns the duplicate even once the conversation is closed, and refuses a new key', async () => {
    const c = conversation();
    await store.conversations.create(c, members(c));
    const first = await store.messages.append({
      message: draft(c, STAFF, 1),
      idempotency: { key: 'k1', requestHash: 'h1' },
      requireOpen: true,
    });
    await store.conversations.setClosed(c.id, { isClosed: true, at: at(2), by: ADMIN });
    const again = await store.messages.append({
      message: draft(c, STAFF, 3),
      idempotency: { key: 'k1', requestHash: 'h2' },
      requireOpen: true,
    });
    expect(first.status).toBe('created');
    expect(again).toEqual({
      status: 'duplicate',
      message: first.status === 'created' ? first.message : null,
      requestHash: 'h1',
    });
    expect(
      await store.messages.append({
        message: draft(c, STAFF, 4),
        idempotency: { key: 'k2', requestHash: 'h' },
        requireOpen: true,
      }),
    ).toEqual({ status: 'conversation_closed' });
    expect(await createMessagingStoreRawReader(database.db).idempotencyKey(STAFF, 'k2')).toBeNull();
  });

  it('refuses a second message with the same id (CONFLICT), changing nothing', async () => {
    const c = conversation();
    await store.conversations.create(c, members(c));
    const message = draft(c, STAFF, 1);
    await store.messages.append({ message, requireOpen: true });
    const raw = createMessagingStoreRawReader(database.db);
    const before = {
      counts: await raw.counts(),
      conversation: await raw.conversation(c.id),
      members: await raw.participants(c.id),
    };
    const error = await store.messages
      .append({ message: { ...message, createdAt: at(5) }, requireOpen: true })
      .catch((e: unknown) => e);
    expect(isMessagingError(error) && error.code).toBe('CONFLICT');
    expect({
      counts: await raw.counts(),
      conversation: await raw.conversation(c.id),
      members: await raw.participants(c.id),
    }).toEqual(before);
  });

  it('counts a message from a non-participant for every member', async () => {
    const c = conversation();
    await store.conversations.create(c, members(c));
    await store.messages.append({ message: draft(c, SYSTEM, 4), requireOpen: true });
    const found = await store.conversations.findWithParticipants(c.id);
    expect(found?.conversation).toMatchObject({ messageCount: 1, lastMessageAt: at(4), updatedAt: at(4) });
    expect(
      found?.participants.map((p) => [p.participant.id, p.unreadCount, p.lastReadAt, p.lastActivityAt]),
    ).toEqual([
      ['admin-1', 1, null, at(4)],
      ['staff-1', 1, null, at(4)],
    ]);
  });

  it('stamps a message proposed earlier than the latest at the latest time, after it in seq', async () => {
    const c = conversation();
    await store.conversations.create(c, members(c));
    await store.messages.append({ message: draft(c, STAFF, 10), requireOpen: true });
    const late = await store.messages.append({ message: draft(c, ADMIN, 5), requireOpen: true });
    expect(late.status === 'created' && [late.message.seq, late.message.createdAt]).toEqual([2, at(10)]);
    const found = await store.conversations.findWithParticipants(c.id);
    expect(found?.conversation).toMatchObject({ messageCount: 2, lastMessageAt: at(10), updatedAt: at(10) });
    expect(
      found?.participants.map((p) => [
        p.participant.id,
        p.unreadCount,
        p.lastReadSeq,
        p.lastReadAt,
        p.lastActivityAt,
      ]),
    ).toEqual([
      ['admin-1', 0, 2, at(10), at(10)],
      ['staff-1', 1, 1, at(10), at(10)],
    ]);
  });

  it('treats ids that are not UUIDs as absent', async () => {
    const c = conversation();
    await store.conversations.create(c, members(c));
    expect(
      await store.messages.append({
        message: { ...draft(c, STAFF, 1), conversationId: 'nope' },
        requireOpen: true,
      }),
    ).toEqual({
      status: 'conversation_not_found',
    });
    expect(await store.messages.findById('nope', 'nope')).toBeNull();
    expect(await store.messages.findById(c.id, 'nope')).toBeNull();
    expect(await store.messages.listByConversation('nope', { limit: 5 })).toEqual({
      messages: [],
      hasMore: false,
    });
    expect(await store.conversations.findById('nope')).toBeNull();
    expect(await store.participants.find('nope', STAFF)).toBeNull();
  });

  it('compiles the append to data-modifying CTEs with a locking read and on conflict do nothing', () => {
    const c = conversation();
    const compiled = appendStatement({
      message: draft(c, STAFF, 1),
      idempotency: { key: 'k', requestHash: 'h' },
      requireOpen: true,
    }).compile(database.db);
    const text = compiled.sql.replace(/\s+/g, ' ');
    expect(text).toContain('for no key update');
    expect(text).toContain('on conflict (sender_type, sender_id, key) do nothing');
    const fresh = 'conv.membership_version = (select membership_version from snap)';
    expect(text).toContain(
      `from conv where not conv.is_closed and ${fresh} and exists (select from claimed)`,
    );
    // Only active memberships are raised (0014). Notification jobs are no longer written here:
    // the email subscriber enqueues them from the `message.sent` event the statement logs.
    expect(text).toContain('where p.conversation_id = inserted.conversation_id and p.left_at is null');
    expect(text).toContain('insert into events');
    expect(text).not.toContain('notification_jobs');
    expect(text).not.toContain('message_attachments (');
  });
});
