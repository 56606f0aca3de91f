import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../../testing/in-memory-messaging.js';
import { recipientsOf } from '../model/domain-event.js';
import type { AccessPolicy } from '../policy/access-policy.js';
import { marketplacePolicy } from '../policy/marketplace-policy.js';
import { createGroupTestPolicy } from '../testing/group-test-policy.js';

// Conversations of N participants through the core, with the group test policy (owners manage,
// anyone leaves, observers read) and the marketplace (two members, every change refused).

const STORE_A = 'store-a';
const STORE_B = 'store-b';
const admin: Actor = { type: 'admin', id: 'admin-1', tenantId: null };
const sam: Actor = { type: 'store', id: 'store-user-a1', tenantId: STORE_A };
const ana: Actor = { type: 'customer', id: 'customer-a1', tenantId: STORE_A };
const abe: Actor = { type: 'customer', id: 'customer-a2', tenantId: STORE_A };
const amy: Actor = { type: 'customer', id: 'customer-a3', tenantId: STORE_A };
const bea: Actor = { type: 'customer', id: 'customer-b1', tenantId: STORE_B };
const ref = (a: Actor) => ({ type: a.type, id: a.id });

async function world(policy: AccessPolicy = createGroupTestPolicy()) {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
  const m = createInMemoryMessaging({ policy, clock, ids: new SequentialIds('id') });
  const at = clock.now();
  await m.directory.upsertStore({ id: STORE_A, name: 'Acme', tier: 'business' }, at);
  await m.directory.upsertStore({ id: STORE_B, name: 'Bolt', tier: 'essential' }, at);
  await m.directory.upsertPlatformUser(
    { id: admin.id, name: 'Ada', email: 'ada@mail.test', role: 'admin', storeId: null, locale: 'en' },
    at,
  );
  await m.directory.upsertPlatformUser(
    { id: sam.id, name: 'Sam', email: 'sam@mail.test', role: 'store', storeId: STORE_A, locale: 'en' },
    at,
  );
  for (const [c, name] of [
    [ana, 'Ana'],
    [abe, 'Abe'],
    [amy, 'Amy'],
    [bea, 'Bea'],
  ] as const) {
    await m.directory.upsertCustomer(
      { id: c.id, storeId: c.tenantId!, name, email: `${c.id}@mail.test`, locale: 'en' },
      at,
    );
  }
  return { m, clock };
}

/** A group of Sam (owner), Ana and Abe, with two messages. */
async function group(m: InMemoryMessaging) {
  const detail = await m.core.createConversation(sam, {
    conversationType: 'group',
    subject: 'Spring sale',
    participants: [ref(ana), ref(abe)],
    initialMessage: 'Welcome',
  });
  await m.core.sendMessage(ana, { conversationId: detail.conversation.id, content: 'Hi all' });
  return detail.conversation.id;
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    if (isMessagingError(error)) {
      return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
    }
    throw error;
  }
  throw new Error('expected a MessagingError');
}

describe('conversations of N participants (group test policy)', () => {
  it('creates with a list: the creator is owner, the others members; everyone is told', async () => {
    const { m } = await world();
    const detail = await m.core.createConversation(sam, {
      conversationType: 'group',
      subject: 'Spring sale',
      participants: [ref(ana), ref(abe)],
      initialMessage: 'Welcome',
    });
    expect(detail.participants.map((p) => [p.ref.id, p.role, p.leftAt])).toEqual([
      ['customer-a1', 'member', null],
      ['customer-a2', 'member', null],
      ['store-user-a1', 'owner', null],
    ]);
    expect(m.events.ofType('conversation.created')[0]?.payload.participants).toHaveLength(3);
    const sent = m.events.ofType('message.sent')[0]?.payload;
    expect(sent?.recipients).toBeUndefined();
    const members = await m.store.participants.listByConversation(detail.conversation.id);
    expect(sent && recipientsOf(sent, members).map((p) => p.participant.id)).toEqual([
      'customer-a1',
      'customer-a2',
    ]);
    expect((await m.core.getUnreadCount(ana)).totalUnread).toBe(1);
    expect((await m.core.getUnreadCount(abe)).totalUnread).toBe(1);
  });

  it('refuses bad lists: yourself, twice, too many, an outsider like an unknown id', async () => {
    const { m } = await world();
    const start = (participants: { type: string; id: string }[]) =>
      m.core.createConversation(sam, { conversationType: 'group', subject: 'x', participants });
    expect(await failure(start([ref(sam)]))).toMatchObject({ code: 'VALIDATION', field: 'participants' });
    expect(await failure(start([ref(ana), ref(ana)]))).toMatchObject({
      code: 'VALIDATION',
      field: 'participants',
    });
    expect(await failure(start([]))).toMatchObject({ code: 'VALIDATION', field: 'participants' });
    const many = Array.from({ length: 50 }, (_, i) => ({ type: 'customer', id: `c${i}` }));
    expect(await failure(start(many))).toMatchObject({ code: 'VALIDATION', field: 'participants' });
    const outsider = await failure(start([ref(ana), ref(bea)]));
    const unknown = await failure(start([ref(ana), { type: 'customer', id: 'customer-b1-nope' }]));
    expect(outsider).toEqual({
      code: 'NOT_FOUND',
      message: 'customer customer-b1 not found',
      field: 'participants',
    });
    expect(unknown).toEqual({
      code: 'NOT_FOUND',
      message: 'customer customer-b1-nope not found',
      field: 'participants',
    });
  });

  it('adds a member: system message, event, nothing unread, history visible, then counted', async () => {
    const { m } = await world();
    const id = await group(m);
    const members = await m.core.addParticipants(sam, { conversationId: id, participants: [ref(amy)] });
    expect(members.map((p) => [p.ref.id, p.role])).toEqual([
      ['customer-a1', 'member'],
      ['customer-a2', 'member'],
      ['customer-a3', 'member'],
      ['store-user-a1', 'owner'],
    ]);
    const [added] = m.events.ofType('participant.added');
    expect(added).toMatchObject({
      actor: ref(sam),
      conversationId: id,
      payload: { participant: ref(amy), role: 'member' },
    });
    const detail = await m.core.getConversation(amy, id);
    expect(detail.unreadCount).toBe(0);
    expect(detail.messages.map((x) => [x.seq, x.content, x.isSystemMessage])).toEqual([
      [1, 'Welcome', false],
      [2, 'Hi all', false],
      [3, 'Sam added Amy', true],
    ]);
    await m.core.sendMessage(abe, { conversationId: id, content: 'Hello Amy' });
    expect((await m.core.getUnreadCount(amy)).totalUnread).toBe(1);
  });

  it('adding an active member is a CONFLICT; a member may not add; a stranger gets NOT_FOUND', async () => {
    const { m } = await world();
    const id = await group(m);
    expect(
      await failure(m.core.addParticipants(sam, { conversationId: id, participants: [ref(ana)] })),
    ).toMatchObject({
      code: 'CONFLICT',
    });
    expect(
      await failure(m.core.addParticipants(ana, { conversationId: id, participants: [ref(amy)] })),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
    const stranger = await failure(
      m.core.addParticipants(amy, { conversationId: id, participants: [ref(amy)] }),
    );
    const missing = await failure(
      m.core.addParticipants(amy, { conversationId: 'no-such-id', participants: [ref(amy)] }),
    );
    expect(stranger).toEqual({ code: 'NOT_FOUND', message: `conversation ${id} not found` });
    expect(missing).toEqual({ code: 'NOT_FOUND', message: 'conversation no-such-id not found' });
    expect(
      await failure(m.core.addParticipants(sam, { conversationId: id, participants: [ref(bea)] })),
    ).toEqual({
      code: 'NOT_FOUND',
      message: 'customer customer-b1 not found',
      field: 'participants',
    });
    expect(
      await failure(
        m.core.addParticipants(sam, { conversationId: id, participants: [{ ...ref(amy), role: 'king' }] }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'role' });
    expect(m.events.ofType('participant.added')).toEqual([]);
  });

  it('hides the earlier history from a new member when the policy says so', async () => {
    const { m } = await world(createGroupTestPolicy({ historyVisibleToNewMembers: false }));
    const id = await group(m);
    await m.core.addParticipants(sam, { conversationId: id, participants: [ref(amy)] });
    await m.core.sendMessage(ana, { conversationId: id, content: 'After' });
    const detail = await m.core.getConversation(amy, id);
    expect(detail.messages.map((x) => x.seq)).toEqual([3, 4]);
    expect(detail.unreadCount).toBe(1);
    expect(detail.lastMessage?.seq).toBe(4);
    const page = await m.core.listMessages(amy, id, { limit: 1 });
    const older = await m.core.listMessages(amy, id, { limit: 1, cursor: page.nextCursor! });
    expect(older.messages.map((x) => x.seq)).toEqual([3]);
    expect(older.nextCursor).toBeNull();
    const hidden = (await m.core.getConversation(sam, id)).messages[0]!;
    expect(await failure(m.core.deleteMessage(amy, id, hidden.id))).toEqual({
      code: 'NOT_FOUND',
      message: `message ${hidden.id} not found`,
    });
    const read = await m.core.markConversationRead(amy, id);
    expect(read.unreadCount).toBe(0);
    expect((await m.core.getUnreadCount(amy)).totalUnread).toBe(0);
  });

  it('leaving: NOT_FOUND like a stranger, unread frozen and out of the badge, system message, event', async () => {
    const { m } = await world();
    const id = await group(m);
    await m.core.sendMessage(sam, { conversationId: id, content: 'Unread for Abe' });
    expect((await m.core.getUnreadCount(abe)).totalUnread).toBe(3);
    await m.core.leaveConversation(abe, { conversationId: id });
    const former = await failure(m.core.getConversation(abe, id));
    const stranger = await failure(m.core.getConversation(amy, id));
    expect(former).toEqual(stranger);
    expect(former).toEqual({ code: 'NOT_FOUND', message: `conversation ${id} not found` });
    expect(await failure(m.core.sendMessage(abe, { conversationId: id, content: 'x' }))).toEqual(stranger);
    expect(await failure(m.core.leaveConversation(abe, { conversationId: id }))).toEqual(stranger);
    await m.core.sendMessage(ana, { conversationId: id, content: 'Bye Abe' });
    expect((await m.core.getUnreadCount(abe)).totalUnread).toBe(0);
    expect((await m.core.listConversations(abe)).conversations).toEqual([]);
    const frozen = await m.store.participants.findAny(id, ref(abe));
    expect(frozen).toMatchObject({ unreadCount: 3, leftAt: expect.any(Date) });
    const detail = await m.core.getConversation(sam, id);
    expect(detail.participants.map((p) => p.ref.id)).toEqual(['customer-a1', 'store-user-a1']);
    expect(detail.messages.map((x) => [x.content, x.isSystemMessage])).toContainEqual(['Abe left', true]);
    expect(m.events.ofType('participant.removed')).toMatchObject([
      { actor: ref(abe), payload: { reason: 'left', participant: ref(abe) } },
    ]);
  });

  it('removing: owners only, never below the minimum, the removed person gets NOT_FOUND', async () => {
    const { m } = await world();
    const id = await group(m);
    expect(
      await failure(m.core.removeParticipant(ana, { conversationId: id, participant: ref(abe) })),
    ).toMatchObject({ code: 'FORBIDDEN' });
    const members = await m.core.removeParticipant(sam, { conversationId: id, participant: ref(abe) });
    expect(members.map((p) => p.ref.id)).toEqual(['customer-a1', 'store-user-a1']);
    expect(m.events.ofType('participant.removed')).toMatchObject([
      { actor: ref(sam), payload: { reason: 'removed', participant: ref(abe) } },
    ]);
    expect((await failure(m.core.getConversation(abe, id))).code).toBe('NOT_FOUND');
    expect(
      await failure(m.core.removeParticipant(sam, { conversationId: id, participant: ref(abe) })),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'participant' });
    expect(
      await failure(m.core.removeParticipant(sam, { conversationId: id, participant: ref(ana) })),
    ).toMatchObject({ code: 'CONFLICT' });
    const lastMessage = (await m.core.getConversation(sam, id)).messages.at(-1);
    expect(lastMessage).toMatchObject({ content: 'Sam removed Abe', isSystemMessage: true });
  });

  it('re-adding a former member reactivates them with a new join time, nothing unread', async () => {
    const { m, clock } = await world();
    const id = await group(m);
    await m.core.leaveConversation(abe, { conversationId: id });
    const firstJoin = (await m.store.participants.findAny(id, ref(abe)))!.joinedAt;
    await m.core.sendMessage(ana, { conversationId: id, content: 'While Abe was away' });
    clock.advance(60_000);
    await m.core.addParticipants(sam, { conversationId: id, participants: [ref(abe)] });
    const back = await m.core.getConversation(abe, id);
    expect(back.unreadCount).toBe(0);
    const me = back.participants.find((p) => p.ref.id === abe.id)!;
    expect(me.leftAt).toBeNull();
    expect(me.joinedAt.getTime()).toBeGreaterThan(firstJoin.getTime());
    expect(m.events.ofType('participant.added')).toHaveLength(1);
  });

  it('changing a role: observers cannot send; same role is a no-op; an unknown role is refused', async () => {
    const { m } = await world();
    const id = await group(m);
    await m.core.changeParticipantRole(sam, { conversationId: id, participant: ref(ana), role: 'observer' });
    expect(m.events.ofType('participant.role_changed')).toMatchObject([
      { payload: { previous_role: 'member', role: 'observer', participant: ref(ana) } },
    ]);
    expect(await failure(m.core.sendMessage(ana, { conversationId: id, content: 'x' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    const before = (await m.core.getConversation(sam, id)).conversation.messageCount;
    await m.core.changeParticipantRole(sam, { conversationId: id, participant: ref(ana), role: 'observer' });
    expect((await m.core.getConversation(sam, id)).conversation.messageCount).toBe(before);
    expect(m.events.ofType('participant.role_changed')).toHaveLength(1);
    expect(
      await failure(
        m.core.changeParticipantRole(sam, { conversationId: id, participant: ref(ana), role: 'king' }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'role' });
    expect(
      await failure(
        m.core.changeParticipantRole(abe, { conversationId: id, participant: ref(ana), role: 'owner' }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    const last = (await m.core.getConversation(sam, id)).messages.at(-1);
    expect(last).toMatchObject({ content: 'Sam made Ana an observer', isSystemMessage: true });
  });
});

describe('membership changes under the marketplace policy', () => {
  it('refuses every change to a member (FORBIDDEN) and hides the conversation from others (NOT_FOUND)', async () => {
    const { m } = await world(marketplacePolicy);
    const detail = await m.core.createConversation(sam, {
      conversationType: 'store_customer',
      subject: 'Order',
      participants: [ref(ana)],
    });
    const id = detail.conversation.id;
    expect(detail.participants.map((p) => p.role)).toEqual(['member', 'member']);
    const changes = (actor: Actor) => [
      () => m.core.addParticipants(actor, { conversationId: id, participants: [ref(abe)] }),
      () => m.core.removeParticipant(actor, { conversationId: id, participant: ref(ana) }),
      () =>
        m.core.changeParticipantRole(actor, { conversationId: id, participant: ref(ana), role: 'member' }),
      () => m.core.leaveConversation(actor, { conversationId: id }),
    ];
    for (const attempt of changes(sam)) expect((await failure(attempt())).code).toBe('FORBIDDEN');
    for (const attempt of changes(ana)) expect((await failure(attempt())).code).toBe('FORBIDDEN');
    for (const attempt of changes(abe)) {
      expect(await failure(attempt())).toEqual({
        code: 'NOT_FOUND',
        message: `conversation ${id} not found`,
      });
    }
    expect(
      await failure(m.core.addParticipants(admin, { conversationId: id, participants: [ref(abe)] })),
    ).toEqual({
      code: 'NOT_FOUND',
      message: `conversation ${id} not found`,
    });
    expect(
      await failure(
        m.core.createConversation(sam, {
          conversationType: 'store_customer',
          subject: 'Order',
          participants: [ref(ana), ref(abe)],
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'participants' });
  });
});
