import { describe, expect, it } from 'vitest';
import { isMessagingError, type MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../../testing/in-memory-messaging.js';
import type { Conversation, ConversationParticipant } from '../model/conversation.js';
import { encodeMessageCursor } from './cursor.js';
import type { ConversationList, ListConversationsInput } from './list-conversations.js';

// Keyset pagination of the inbox through the core: a walk sees every conversation once, in the
// order of activity as of its start, however many messages arrive between page fetches.

const STORE_A = 'store-a';
const STORE_B = 'store-b';

const admin: Actor = { type: 'admin', id: 'admin-1', tenantId: null };
const storeA1: Actor = { type: 'store', id: 'store-user-a1', tenantId: STORE_A };
const storeA2: Actor = { type: 'store', id: 'store-user-a2', tenantId: STORE_A };
const storeB1: Actor = { type: 'store', id: 'store-user-b1', tenantId: STORE_B };
const customerA1: Actor = { type: 'customer', id: 'customer-a1', tenantId: STORE_A };
const customerA2: Actor = { type: 'customer', id: 'customer-a2', tenantId: STORE_A };
const customerB1: Actor = { type: 'customer', id: 'customer-b1', tenantId: STORE_B };

const ref = (a: Actor) => ({ type: a.type, id: a.id });

interface Tracked {
  readonly id: string;
  readonly type: string;
  readonly storeId: string;
  readonly other: Actor;
  /** Latest activity (creation or latest message), in ms, as the core reported it. */
  activity: number;
  /** The admin's (or store user's) unread count in it, counted by this test. */
  unread: number;
}

interface Inbox {
  readonly m: InMemoryMessaging;
  readonly clock: FixedClock;
  readonly owner: Actor;
  readonly conversations: Map<string, Tracked>;
}

async function directory(m: InMemoryMessaging, at: Date): Promise<void> {
  await m.directory.upsertStore({ id: STORE_A, name: 'Acme', tier: 'business' }, at);
  await m.directory.upsertStore({ id: STORE_B, name: 'Bolt', tier: 'essential' }, at);
  for (const [a, name] of [
    [admin, 'Ada'],
    [storeA1, 'Sam'],
    [storeA2, 'Sia'],
    [storeB1, 'Sol'],
  ] as const) {
    await m.directory.upsertPlatformUser(
      {
        id: a.id,
        name,
        email: `${a.id}@mail.test`,
        role: a.type as 'admin' | 'store',
        storeId: a.tenantId,
        locale: 'en',
      },
      at,
    );
  }
  for (const [c, name] of [
    [customerA1, 'Ana'],
    [customerA2, 'Abe'],
    [customerB1, 'Bea'],
  ] as const) {
    await m.directory.upsertCustomer(
      { id: c.id, storeId: c.tenantId!, name, email: `${c.id}@mail.test`, locale: 'en' },
      at,
    );
  }
}

/** 24 admin conversations over both stores and both admin types, with a shuffled activity order. */
async function adminInbox(
  clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1 }),
) {
  const m = createInMemoryMessaging({ clock, ids: new SequentialIds('conv') });
  await directory(m, clock.now());
  const inbox: Inbox = { m, clock, owner: admin, conversations: new Map() };
  const storeUsers = [storeA1, storeB1, storeA2];
  const customers = [customerA1, customerB1, customerA2];
  for (let i = 0; i < 24; i += 1) {
    const type = i % 2 === 0 ? 'admin_store' : 'admin_customer';
    const other = (type === 'admin_store' ? storeUsers : customers)[i % 3]!;
    const detail = await m.core.createConversation(admin, {
      conversationType: type,
      subject: `Conversation ${i}`,
      recipient: ref(other),
      ...(i % 3 === 0 ? {} : { initialMessage: `Opening ${i}` }),
    });
    inbox.conversations.set(detail.conversation.id, {
      id: detail.conversation.id,
      type,
      storeId: detail.conversation.tenantId!,
      other,
      activity: (detail.conversation.lastMessageAt ?? detail.conversation.createdAt).getTime(),
      unread: 0,
    });
  }
  // Replies to every fourth conversation, oldest first, so activity no longer follows creation.
  const ids = [...inbox.conversations.keys()];
  for (const [index, id] of ids.entries()) {
    if (index % 4 === 1) await reply(inbox, id);
  }
  await send(inbox, ids[0]!, admin);
  return inbox;
}

async function send(inbox: Inbox, conversationId: string, sender: Actor): Promise<void> {
  const { message } = await inbox.m.core.sendMessage(sender, { conversationId, content: 'ping' });
  const tracked = inbox.conversations.get(conversationId)!;
  tracked.activity = message.createdAt.getTime();
  tracked.unread = sender.id === inbox.owner.id ? 0 : tracked.unread + 1;
}

function reply(inbox: Inbox, conversationId: string): Promise<void> {
  return send(inbox, conversationId, inbox.conversations.get(conversationId)!.other);
}

/** Most recent activity first, ties by id descending: the inbox order, computed from what the core reported. */
function expectedOrder(conversations: Iterable<Tracked>): string[] {
  return [...conversations]
    .sort((a, b) => (a.activity !== b.activity ? b.activity - a.activity : a.id < b.id ? 1 : -1))
    .map((c) => c.id);
}

/** Walks every page, calling `between` after each page but the last. */
async function walk(
  inbox: Inbox,
  input: ListConversationsInput,
  between: (page: ConversationList, seen: readonly string[]) => Promise<void> = async () => {},
): Promise<{ ids: string[]; pages: ConversationList[] }> {
  const pages: ConversationList[] = [];
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard += 1) {
    const page = await inbox.m.core.listConversations(
      inbox.owner,
      cursor === undefined ? input : { ...input, cursor },
    );
    pages.push(page);
    ids.push(...page.conversations.map((c) => c.conversation.id));
    if (page.nextCursor === null) return { ids, pages };
    cursor = page.nextCursor;
    await between(page, ids);
  }
  throw new Error('the walk did not end');
}

async function failure(work: () => Promise<unknown>): Promise<MessagingError | null> {
  try {
    await work();
    return null;
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    return error;
  }
}

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

describe('listConversations: walking every page', () => {
  it('without traffic: every conversation once, in activity order, pages of the asked size', async () => {
    const inbox = await adminInbox();
    const expected = expectedOrder(inbox.conversations.values());
    expect(expected).toHaveLength(24);
    // The setup really shuffled activity against creation order.
    expect(expected).not.toEqual([...inbox.conversations.keys()].reverse());

    const { ids, pages } = await walk(inbox, { limit: 5 });
    expect(ids).toEqual(expected);
    expect(pages.map((p) => p.conversations.length)).toEqual([5, 5, 5, 5, 4]);
    expect(pages.every((p) => p.total === 24)).toBe(true);
  });

  it('while messages arrive between pages, in seen and unseen conversations: each exactly once, in the order as of the start', async () => {
    const inbox = await adminInbox();
    const expected = expectedOrder(inbox.conversations.values());
    let arrived = 0;
    const { ids } = await walk(inbox, { limit: 5 }, async (page, seen) => {
      const unseen = expected.filter((id) => !seen.includes(id));
      // One already returned, the cursor row itself, the next one due, and the oldest (which
      // jumps to the top of the live order), from both sides.
      await reply(inbox, seen[0]!);
      await send(inbox, page.conversations.at(-1)!.conversation.id, admin);
      await reply(inbox, unseen[0]!);
      await send(inbox, unseen.at(-1)!, admin);
      await reply(inbox, unseen.at(-1)!);
      arrived += 5;
    });
    expect(arrived).toBe(20);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(24);

    // A fresh walk sees the new order.
    const fresh = await walk(inbox, { limit: 7 });
    expect(fresh.ids).toEqual(expectedOrder(inbox.conversations.values()));
    expect(fresh.ids).not.toEqual(expected);
  });

  it('a conversation started during the walk does not show up on later pages (nor twice)', async () => {
    const inbox = await adminInbox();
    const expected = expectedOrder(inbox.conversations.values());
    const started: string[] = [];
    const { ids } = await walk(inbox, { limit: 6 }, async () => {
      const detail = await inbox.m.core.createConversation(admin, {
        conversationType: 'admin_store',
        subject: 'New',
        recipient: ref(storeA2),
        initialMessage: 'Fresh',
      });
      started.push(detail.conversation.id);
    });
    expect(started).toHaveLength(3);
    expect(ids).toEqual(expected);
    const now = await inbox.m.core.listConversations(admin, { limit: 100 });
    expect(now.total).toBe(27);
    expect(now.conversations.slice(0, 3).map((c) => c.conversation.id)).toEqual([...started].reverse());
  });

  it('with every timestamp equal (a stopped clock), ties break by id and the walk still sees each once', async () => {
    const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'));
    const inbox = await adminInbox(clock);
    const all = [...inbox.conversations.keys()];
    const expected = [...all].sort().reverse();
    const { ids } = await walk(inbox, { limit: 4 }, async (_page, seen) => {
      await reply(inbox, seen[0]!);
      await reply(inbox, all.find((id) => !seen.includes(id))!);
    });
    expect(ids).toEqual(expected);
  });

  it('limit 1 and limit 100 both walk the whole inbox', async () => {
    const inbox = await adminInbox();
    const expected = expectedOrder(inbox.conversations.values());
    const one = await walk(inbox, { limit: 1 });
    expect(one.ids).toEqual(expected);
    expect(one.pages).toHaveLength(24);
    const hundred = await walk(inbox, { limit: 100 });
    expect(hundred.ids).toEqual(expected);
    expect(hundred.pages).toHaveLength(1);
    expect(hundred.pages[0]!.nextCursor).toBeNull();
  });

  it('the default page size is 20', async () => {
    const inbox = await adminInbox();
    const page = await inbox.m.core.listConversations(admin);
    expect(page.conversations).toHaveLength(20);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe('listConversations: filters across pages', () => {
  it('by type: exactly the conversations of that type, once each, while messages arrive', async () => {
    const inbox = await adminInbox();
    const customerOnes = [...inbox.conversations.values()].filter((c) => c.type === 'admin_customer');
    const expected = expectedOrder(customerOnes);
    expect(expected).toHaveLength(12);
    const { ids, pages } = await walk(
      inbox,
      { conversationType: 'admin_customer', limit: 5 },
      async (_p, seen) => {
        await reply(inbox, expected.find((id) => !seen.includes(id))!);
        await reply(inbox, seen[0]!);
        // Traffic in a conversation the filter leaves out changes nothing.
        await reply(inbox, [...inbox.conversations.values()].find((c) => c.type === 'admin_store')!.id);
      },
    );
    expect(ids).toEqual(expected);
    expect(pages.every((p) => p.total === 12)).toBe(true);
    expect(
      pages
        .flatMap((p) => p.conversations)
        .every((c) => c.conversation.conversationType === 'admin_customer'),
    ).toBe(true);
  });

  it('unread only: every conversation unread at the start once, nothing read, nothing twice', async () => {
    const inbox = await adminInbox();
    const unreadAtStart = [...inbox.conversations.values()].filter((c) => c.unread > 0);
    expect(unreadAtStart.length).toBeGreaterThanOrEqual(4);
    const expected = expectedOrder(unreadAtStart);

    const first = await inbox.m.core.listConversations(admin, { unreadOnly: true, limit: 2 });
    expect(first.total).toBe(unreadAtStart.length);
    expect(first.conversations.map((c) => c.conversation.id)).toEqual(expected.slice(0, 2));

    const becameUnread: string[] = [];
    const { ids, pages } = await walk(inbox, { unreadOnly: true, limit: 2 }, async (_p, seen) => {
      // More unread in one already seen and one still due; a read conversation turns unread.
      await reply(inbox, seen[0]!);
      const due = expected.find((id) => !seen.includes(id));
      if (due) await reply(inbox, due);
      const read = [...inbox.conversations.values()].find((c) => c.unread === 0);
      if (read) {
        becameUnread.push(read.id);
        await reply(inbox, read.id);
      }
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected);
    // Anything else it returned turned unread during the walk.
    expect(ids.filter((id) => !expected.includes(id)).every((id) => becameUnread.includes(id))).toBe(true);
    expect(pages.flatMap((p) => p.conversations).every((c) => c.unreadCount > 0)).toBe(true);
  });

  it('closed only / open only split the inbox', async () => {
    const inbox = await adminInbox();
    const all = expectedOrder(inbox.conversations.values());
    for (const id of all.slice(3, 9)) await inbox.m.core.closeConversation(admin, id);
    const closed = await walk(inbox, { isClosed: true, limit: 4 });
    const open = await walk(inbox, { isClosed: false, limit: 4 });
    expect(closed.ids.sort()).toEqual(all.slice(3, 9).sort());
    expect(open.ids.sort()).toEqual([...all.slice(0, 3), ...all.slice(9)].sort());
    expect(closed.pages[0]!.total).toBe(6);
    expect(open.pages[0]!.total).toBe(18);
  });
});

describe('listConversations: total and total_unread', () => {
  it('total counts the filtered conversations; total_unread is the badge: unread of non-muted ones, filters ignored', async () => {
    const inbox = await adminInbox();
    const tracked = [...inbox.conversations.values()];
    const ids = expectedOrder(tracked);
    // Two more replies in one conversation, then mute it.
    const loud = tracked.find((c) => c.unread > 0)!;
    await reply(inbox, loud.id);
    await reply(inbox, loud.id);
    await inbox.m.core.updatePreferences(admin, loud.id, { muted: true });

    const unreadSum = tracked.reduce((sum, c) => sum + c.unread, 0);
    const badge = unreadSum - loud.unread;
    expect(loud.unread).toBeGreaterThanOrEqual(3);
    expect(badge).toBeGreaterThan(0);

    const all = await inbox.m.core.listConversations(admin, { limit: 3 });
    expect(all.total).toBe(24);
    expect(all.totalUnread).toBe(badge);
    expect((await inbox.m.core.getUnreadCount(admin)).totalUnread).toBe(badge);

    const unreadOnly = await inbox.m.core.listConversations(admin, { unreadOnly: true });
    expect(unreadOnly.total).toBe(tracked.filter((c) => c.unread > 0).length);
    expect(unreadOnly.totalUnread).toBe(badge);
    // The muted conversation still lists, with its own count.
    expect(unreadOnly.conversations.find((c) => c.conversation.id === loud.id)).toMatchObject({
      unreadCount: loud.unread,
      muted: true,
    });

    const byType = await inbox.m.core.listConversations(admin, { conversationType: 'admin_store' });
    expect(byType.total).toBe(12);
    expect(byType.totalUnread).toBe(badge);
    expect((await inbox.m.core.listConversations(admin, { conversationType: 'store_customer' })).total).toBe(
      0,
    );

    // Reading everything clears the badge and the unread filter.
    for (const id of ids) await inbox.m.core.markConversationRead(admin, id);
    const cleared = await inbox.m.core.listConversations(admin, { unreadOnly: true });
    expect([cleared.total, cleared.totalUnread, cleared.conversations.length]).toEqual([0, 0, 0]);
  });

  it('each summary carries the reader’s own unread count', async () => {
    const inbox = await adminInbox();
    const { pages } = await walk(inbox, { limit: 10 });
    for (const summary of pages.flatMap((p) => p.conversations)) {
      expect(summary.unreadCount).toBe(inbox.conversations.get(summary.conversation.id)!.unread);
    }
  });
});

describe('listConversations: bad input', () => {
  const cursors: { name: string; cursor: string }[] = [
    { name: 'empty', cursor: '' },
    { name: 'not base64url', cursor: 'not a cursor!' },
    { name: 'base64 of something that is not JSON', cursor: base64url('hello') },
    { name: 'JSON that is not an array', cursor: base64url({ tag: 'i1' }) },
    { name: 'an unknown version tag', cursor: base64url(['i2', 1, 1, 'conv-000000001']) },
    {
      name: 'a message cursor',
      cursor: encodeMessageCursor({ conversationId: 'c', seq: 3 }),
    },
    { name: 'a snapshot that is not a time', cursor: base64url(['i1', 'yesterday', 1, 'conv-000000001']) },
    { name: 'an activity that is not a time', cursor: base64url(['i1', 1, null, 'conv-000000001']) },
    { name: 'an empty conversation id', cursor: base64url(['i1', 1, 1, '']) },
    { name: 'a conversation id that is not a string', cursor: base64url(['i1', 1, 1, 42]) },
    { name: 'too long', cursor: 'A'.repeat(1025) },
  ];

  it.each(cursors)('cursor $name → VALIDATION on cursor', async ({ cursor }) => {
    const inbox = await adminInbox();
    const error = await failure(() => inbox.m.core.listConversations(admin, { cursor }));
    expect([error?.code, error?.field]).toEqual(['VALIDATION', 'cursor']);
  });

  it('a real cursor passes the same checks (the table above is not refusing everything)', async () => {
    const inbox = await adminInbox();
    const page = await inbox.m.core.listConversations(admin, { limit: 3 });
    expect(
      await failure(() => inbox.m.core.listConversations(admin, { cursor: page.nextCursor! })),
    ).toBeNull();
  });

  it.each([0, -1, 101, 1000, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'limit %s → VALIDATION on limit',
    async (limit) => {
      const inbox = await adminInbox();
      const error = await failure(() => inbox.m.core.listConversations(admin, { limit }));
      expect([error?.code, error?.field]).toEqual(['VALIDATION', 'limit']);
    },
  );

  it.each([1, 2, 99, 100])('limit %s is accepted', async (limit) => {
    const inbox = await adminInbox();
    const page = await inbox.m.core.listConversations(admin, { limit });
    expect(page.conversations).toHaveLength(Math.min(limit, 24));
  });
});

describe('listConversations: tenants', () => {
  /** Store A's user with conversations in their store, plus one of store B they were put in directly. */
  async function strayMembership() {
    const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1 });
    const m = createInMemoryMessaging({ clock, ids: new SequentialIds('conv') });
    await directory(m, clock.now());
    const own: string[] = [];
    for (const customer of [customerA1, customerA2, customerA1]) {
      const detail = await m.core.createConversation(storeA1, {
        conversationType: 'store_customer',
        subject: 'Order',
        recipient: ref(customer),
      });
      await m.core.sendMessage(customer, { conversationId: detail.conversation.id, content: 'Where is it?' });
      own.push(detail.conversation.id);
    }
    const adminOne = await m.core.createConversation(admin, {
      conversationType: 'admin_store',
      subject: 'Payouts',
      recipient: ref(storeA1),
      initialMessage: 'Hello',
    });
    own.push(adminOne.conversation.id);

    // Store B's conversation, with store A's user among its members (bad data, a bug elsewhere, a
    // migration...), written straight into the store, and newer than everything else.
    const at = clock.now();
    const stray: Conversation = {
      id: 'conv-stray',
      conversationType: 'store_customer',
      subject: 'Store B business',
      tenantId: STORE_B,
      isClosed: false,
      closedAt: null,
      closedBy: null,
      lastMessageAt: null,
      messageCount: 0,
      createdAt: at,
      updatedAt: at,
    };
    const member = (a: Actor): ConversationParticipant => ({
      conversationId: stray.id,
      participant: ref(a),
      tenantId: a.tenantId,
      unreadCount: 0,
      lastReadSeq: 0,
      lastReadAt: null,
      lastDeliveredSeq: 0,
      lastDeliveredAt: null,
      emailNotifications: true,
      muted: false,
      lastActivityAt: at,
      joinedAt: at,
      role: 'member',
      leftAt: null,
      visibleFromSeq: 1,
    });
    await m.store.transaction(async (tx) => {
      await tx.conversations.create(stray, [member(storeB1), member(customerB1), member(storeA1)]);
    });
    await m.core.sendMessage(customerB1, { conversationId: stray.id, content: 'Secret store B order' });
    await m.core.sendMessage(customerB1, { conversationId: stray.id, content: 'Another one' });
    expect(
      (await m.store.raw.participants(stray.id)).find((p) => p.participant.id === storeA1.id)?.unreadCount,
    ).toBe(2);
    return { m, own, stray };
  }

  it('a store user’s inbox leaves out another store’s conversation they are somehow a member of, on every page and filter', async () => {
    const { m, own, stray } = await strayMembership();
    const inboxes = [
      await m.core.listConversations(storeA1, { limit: 100 }),
      await m.core.listConversations(storeA1, { unreadOnly: true }),
      await m.core.listConversations(storeA1, { conversationType: 'store_customer' }),
      await m.core.listConversations(storeA1, { isClosed: false }),
    ];
    for (const list of inboxes) {
      expect(list.conversations.map((c) => c.conversation.id)).not.toContain(stray.id);
      expect(list.conversations.every((c) => c.conversation.tenantId === STORE_A)).toBe(true);
    }
    expect(inboxes.map((l) => l.total)).toEqual([4, 4, 3, 4]);
    expect(inboxes[0]!.conversations.map((c) => c.conversation.id).sort()).toEqual([...own].sort());

    // Paged one by one: the stray conversation is the newest, and still never appears.
    const seen: string[] = [];
    let page = await m.core.listConversations(storeA1, { limit: 1 });
    seen.push(...page.conversations.map((c) => c.conversation.id));
    while (page.nextCursor) {
      await m.core.sendMessage(customerB1, { conversationId: stray.id, content: 'more' });
      page = await m.core.listConversations(storeA1, { limit: 1, cursor: page.nextCursor });
      seen.push(...page.conversations.map((c) => c.conversation.id));
    }
    expect(seen.sort()).toEqual([...own].sort());

    expect((await failure(() => m.core.getConversation(storeA1, stray.id)))?.code).toBe('NOT_FOUND');
    expect((await failure(() => m.core.listMessages(storeA1, stray.id)))?.code).toBe('NOT_FOUND');
    expect(
      (await failure(() => m.core.sendMessage(storeA1, { conversationId: stray.id, content: 'hi' })))?.code,
    ).toBe('NOT_FOUND');
    // Store B's own staff still see it.
    expect((await m.core.listConversations(storeB1)).conversations.map((c) => c.conversation.id)).toEqual([
      stray.id,
    ]);
  });

  // The badge of a tenant-bound actor is scoped to their store (a regression once: store B's
  // unread messages leaked into store A's badge).
  it('… and its unread badge (total_unread, getUnreadCount) counts only that store’s conversations', async () => {
    const { m } = await strayMembership();
    const list = await m.core.listConversations(storeA1);
    const own = list.conversations.reduce((sum, c) => sum + c.unreadCount, 0);
    expect(own).toBe(4);
    expect(list.totalUnread).toBe(own);
    expect((await m.core.getUnreadCount(storeA1)).totalUnread).toBe(own);
  });

  // The same leak with nothing written around the core: a store user whom the host moves to
  // another store (and so now acts with that store id) still gets the old store's unread count.
  it('a store user now acting for another store gets no badge from the old store', async () => {
    const { m } = await strayMembership();
    const moved: Actor = { ...storeA1, tenantId: STORE_B };
    const list = await m.core.listConversations(moved);
    // Only the stray store B conversation is theirs in store B.
    expect(list.conversations.map((c) => c.conversation.id)).toEqual(['conv-stray']);
    expect(list.total).toBe(1);
    expect((await m.core.getUnreadCount(moved)).totalUnread).toBe(2);
  });

  it('an admin’s inbox spans both stores', async () => {
    const inbox = await adminInbox();
    const page = await inbox.m.core.listConversations(admin, { limit: 100 });
    expect(new Set(page.conversations.map((c) => c.conversation.tenantId))).toEqual(
      new Set([STORE_A, STORE_B]),
    );
  });

  it('a customer sees only their own conversations of their store', async () => {
    const inbox = await adminInbox();
    const list = await inbox.m.core.listConversations(customerA1, { limit: 100 });
    const expected = [...inbox.conversations.values()]
      .filter((c) => c.other.id === customerA1.id)
      .map((c) => c.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(list.conversations.map((c) => c.conversation.id).sort()).toEqual(expected.sort());
    expect(list.total).toBe(expected.length);
  });
});
