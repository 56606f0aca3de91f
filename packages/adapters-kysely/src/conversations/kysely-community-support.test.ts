import {
  type Actor,
  createMessagingCore,
  type MessagingCore,
  type MessagingStore,
} from '@parley/messaging-core';
import { communityPolicy } from '@parley/messaging-core/conversations';
import {
  FixedClock,
  InMemoryMessagingStore,
  InMemoryPeopleDirectory,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// The community preset's support inbox on PostgreSQL (and PGlite): every admin of a community
// lists its support requests beside their own conversations, in the same keyset pages, with
// what waits for the team as the unread count — and the in-memory store answers the same.

const NORTH = 'north-high';
const SOUTH = 'south-high';
const person = (type: string, id: string, tenantId = NORTH): Actor => ({ type, id, tenantId });
const ben = person('student', 'ben');
const ana = person('student', 'ana');
const mia = person('mentor', 'mia');
const ada = person('admin', 'ada');
const alo = person('admin', 'alo');
const sam = person('admin', 'sam', SOUTH);
const sol = person('student', 'sol', SOUTH);

async function coreOn(store: MessagingStore): Promise<MessagingCore> {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
  const directory = new InMemoryPeopleDirectory();
  const at = clock.now();
  await directory.upsertTenant({ id: NORTH, name: 'North High' }, at);
  await directory.upsertTenant({ id: SOUTH, name: 'South High' }, at);
  for (const p of [ben, ana, mia, ada, alo, sam, sol])
    await directory.upsertPerson(
      { type: p.type, id: p.id, name: p.id, email: null, locale: 'en', tenantId: p.tenantId },
      at,
    );
  return createMessagingCore({
    store,
    directory,
    settings: new InMemorySettingsStore(),
    policy: communityPolicy,
    clock,
  });
}

/** Every page of an inbox walk, as (subject, unread) pairs, plus the counts of the first page. */
async function walk(
  core: MessagingCore,
  actor: Actor,
  filter: { unreadOnly?: boolean; isClosed?: boolean } = {},
) {
  const rows: [string, number][] = [];
  let page = await core.listConversations(actor, { ...filter, limit: 2 });
  const counts = { total: page.total, totalUnread: page.totalUnread };
  rows.push(...page.conversations.map((c): [string, number] => [c.conversation.subject, c.unreadCount]));
  while (page.nextCursor) {
    page = await core.listConversations(actor, { ...filter, limit: 2, cursor: page.nextCursor });
    rows.push(...page.conversations.map((c): [string, number] => [c.conversation.subject, c.unreadCount]));
  }
  return { rows, ...counts };
}

/** The same history on any store: tickets, an answer, a direct conversation, a closed ticket. */
async function history(core: MessagingCore) {
  const open = (who: Actor, subject: string) =>
    core.createConversation(who, {
      conversationType: 'support',
      subject,
      participants: [],
      initialMessage: subject,
    });
  const t1 = await open(ben, 'T1 login');
  const t2 = await open(mia, 'T2 grades');
  const t3 = await open(ana, 'T3 course page');
  await open(sol, 'South ticket');
  await core.createConversation(ana, {
    conversationType: 'direct',
    subject: 'D1 hello',
    participants: [{ type: 'admin', id: 'ada' }],
    initialMessage: 'Hi Ada',
  });
  await core.sendMessage(ada, { conversationId: t1.conversation.id, content: 'Fixed' });
  await core.sendMessage(ben, { conversationId: t1.conversation.id, content: 'Thanks' });
  await core.sendMessage(ben, { conversationId: t1.conversation.id, content: 'Really' });
  await core.sendMessage(alo, { conversationId: t2.conversation.id, content: 'Looking' });
  await core.closeConversation(ada, t3.conversation.id);
  return { t1: t1.conversation.id, t2: t2.conversation.id, t3: t3.conversation.id };
}

const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('community support inbox on the Kysely store (%s)', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ target });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("lists a community's support requests in every admin's inbox, paged with their own conversations", async () => {
    await database.truncate();
    const core = await coreOn(new KyselyMessagingStore({ db: database.db }));
    await history(core);

    // Ada answered T1 (a member now: Ben's two replies are unread for her); T2 was answered by
    // Alo (nothing waits for the team); T3 waits, closed; D1 is Ada's own direct conversation.
    expect(await walk(core, ada)).toEqual({
      rows: [
        ['T3 course page', 1],
        ['T2 grades', 0],
        ['T1 login', 2],
        ['D1 hello', 1],
      ],
      total: 4,
      totalUnread: 4,
    });
    // Alo joined T2 only: T1 waits for the team (Ben wrote after Ada's answer).
    expect(await walk(core, alo)).toEqual({
      rows: [
        ['T3 course page', 1],
        ['T2 grades', 0],
        ['T1 login', 2],
      ],
      total: 3,
      totalUnread: 3,
    });
    expect((await walk(core, alo, { unreadOnly: true })).rows.map(([s]) => s)).toEqual([
      'T3 course page',
      'T1 login',
    ]);
    expect((await walk(core, alo, { isClosed: true })).rows).toEqual([['T3 course page', 1]]);
    expect((await core.getUnreadCount(alo)).totalUnread).toBe(3);
    // The other community's admin sees only theirs; students and mentors see only their own.
    expect(await walk(core, sam)).toEqual({ rows: [['South ticket', 1]], total: 1, totalUnread: 1 });
    expect((await walk(core, mia)).rows).toEqual([['T2 grades', 1]]);
  });

  it('answers exactly as the in-memory store does', async () => {
    await database.truncate();
    const kysely = await coreOn(new KyselyMessagingStore({ db: database.db }));
    const memory = await coreOn(new InMemoryMessagingStore());
    await history(kysely);
    await history(memory);
    for (const who of [ada, alo, sam, ben, mia]) {
      expect(await walk(kysely, who)).toEqual(await walk(memory, who));
      expect(await walk(kysely, who, { unreadOnly: true })).toEqual(
        await walk(memory, who, { unreadOnly: true }),
      );
      expect(await kysely.getUnreadCount(who)).toEqual(await memory.getUnreadCount(who));
    }
  });

  it('a first read or answer makes the admin a member without a system message; another community gets 404', async () => {
    await database.truncate();
    const store = new KyselyMessagingStore({ db: database.db });
    const core = await coreOn(store);
    const { t3 } = await history(core);
    expect(await store.participants.find(t3, alo)).toBeNull();
    const detail = await core.getConversation(alo, t3, { markRead: true });
    expect(detail.unreadCount).toBe(0);
    expect(await store.participants.find(t3, alo)).toMatchObject({ role: 'agent', unreadCount: 0 });
    expect(detail.messages.filter((m) => m.isSystemMessage).map((m) => m.content)).toEqual([
      'Conversation closed by ada',
    ]);
    await expect(core.getConversation(sam, t3)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(core.sendMessage(sam, { conversationId: t3, content: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('concurrent first answers and reads of one admin: all succeed, one membership each', async () => {
    await database.truncate();
    const store = new KyselyMessagingStore({ db: database.db });
    const core = await coreOn(store);
    const { t3 } = await history(core);
    await core.reopenConversation(ada, t3);
    const sent = await Promise.all([
      core.sendMessage(alo, { conversationId: t3, content: 'One' }),
      core.sendMessage(alo, { conversationId: t3, content: 'Two' }),
      core.markConversationRead(alo, t3),
    ]);
    expect(sent).toHaveLength(3);
    const members = await store.participants.listByConversation(t3);
    expect(members.map((m) => [m.participant.id, m.role])).toEqual([
      ['alo', 'agent'],
      ['ana', 'requester'],
    ]);
  });
});
