import { beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../kernel/errors.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../testing/in-memory-messaging.js';
import { recipientsOf } from './model/domain-event.js';

const ADMIN: Actor = { type: 'admin', id: 'u-admin', tenantId: null };
const SAM: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme' };
const BEA: Actor = { type: 'store', id: 'u-bea', tenantId: 'bolt' };
const ANA: Actor = { type: 'customer', id: 'c-ana', tenantId: 'acme' };
const CLEO: Actor = { type: 'customer', id: 'c-cleo', tenantId: 'bolt' };

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return { code: error.code, field: error.field, message: error.message };
}

describe('messaging core on in-memory adapters', () => {
  let m: InMemoryMessaging;
  let clock: FixedClock;

  beforeEach(async () => {
    clock = new FixedClock(new Date('2026-05-01T09:00:00.000Z'), { autoAdvanceMs: 1000 });
    m = createInMemoryMessaging({ clock, ids: new SequentialIds('id') });
    const at = new Date('2026-04-01T00:00:00.000Z');
    await m.directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, at);
    await m.directory.upsertStore({ id: 'bolt', name: 'Bolt', tier: 'essential' }, at);
    await m.directory.upsertPlatformUser(
      { id: 'u-admin', name: 'Ada', email: 'ada@p.test', role: 'admin', storeId: null, locale: 'en' },
      at,
    );
    await m.directory.upsertPlatformUser(
      { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'de' },
      at,
    );
    await m.directory.upsertPlatformUser(
      { id: 'u-bea', name: 'Bea', email: 'bea@bolt.test', role: 'store', storeId: 'bolt', locale: 'en' },
      at,
    );
    await m.directory.upsertCustomer(
      { id: 'c-ana', storeId: 'acme', name: 'Ana', email: 'ana@mail.test', locale: 'fr' },
      at,
    );
    await m.directory.upsertCustomer(
      { id: 'c-cleo', storeId: 'bolt', name: 'Cleo', email: 'cleo@mail.test', locale: 'en' },
      at,
    );
  });

  const adminToSam = (initialMessage?: string) =>
    m.core.createConversation(ADMIN, {
      conversationType: 'admin_store',
      subject: '  Payout delay  ',
      recipient: { type: 'store', id: 'u-sam' },
      ...(initialMessage === undefined ? {} : { initialMessage }),
    });

  describe('createConversation', () => {
    it('creates the conversation, both memberships and the first message, and announces them', async () => {
      const detail = await adminToSam('  Hello Sam  ');
      expect(detail.conversation).toMatchObject({
        conversationType: 'admin_store',
        subject: 'Payout delay',
        tenantId: 'acme',
        isClosed: false,
        messageCount: 1,
      });
      expect(detail.participants.map((p) => [p.ref.type, p.name, p.unreadCount])).toEqual([
        ['admin', 'Ada', 0],
        ['store', 'Sam', 1],
      ]);
      expect(detail.otherParticipants).toEqual([{ ref: { type: 'store', id: 'u-sam' }, name: 'Sam' }]);
      expect(detail.messages.map((x) => [x.content, x.senderName])).toEqual([['Hello Sam', 'Ada']]);
      expect(detail.lastMessage?.content).toBe('Hello Sam');
      expect(m.events.events.map((e) => e.type)).toEqual(['conversation.created', 'message.sent']);
      const sent = m.events.ofType('message.sent')[0]?.payload;
      expect(sent?.recipients).toBeUndefined();
      const members = await m.store.participants.listByConversation(detail.conversation.id);
      expect(sent && recipientsOf(sent, members).map((p) => p.participant)).toEqual([
        { type: 'store', id: 'u-sam' },
      ]);
      expect((await m.core.getUnreadCount(SAM)).totalUnread).toBe(1);
      expect((await m.core.getUnreadCount(ADMIN)).totalUnread).toBe(0);
    });

    it('sets the tenant from the customer for admin_customer and from the store user for store_customer', async () => {
      const a = await m.core.createConversation(ADMIN, {
        conversationType: 'admin_customer',
        subject: 'Refund',
        recipient: { type: 'customer', id: 'c-cleo' },
      });
      expect(a.conversation.tenantId).toBe('bolt');
      const b = await m.core.createConversation(SAM, {
        conversationType: 'store_customer',
        subject: 'Order',
        recipient: { type: 'customer', id: 'c-ana' },
      });
      expect(b.conversation.tenantId).toBe('acme');
      expect(b.messages).toEqual([]);
      expect(b.conversation.lastMessageAt).toBeNull();
    });

    it('names the bad field', async () => {
      const base = {
        conversationType: 'admin_store',
        subject: 'Hi',
        recipient: { type: 'store', id: 'u-sam' },
      };
      expect(await failure(m.core.createConversation(ADMIN, { ...base, subject: '   ' }))).toMatchObject({
        code: 'VALIDATION',
        field: 'subject',
      });
      expect(
        await failure(m.core.createConversation(ADMIN, { ...base, subject: 'x'.repeat(501) })),
      ).toMatchObject({ code: 'VALIDATION', field: 'subject' });
      expect(
        (await m.core.createConversation(ADMIN, { ...base, subject: 'x'.repeat(500) })).conversation.subject
          .length,
      ).toBe(500);
      expect(
        await failure(m.core.createConversation(ADMIN, { ...base, conversationType: 'group' })),
      ).toMatchObject({ code: 'VALIDATION', field: 'conversation_type' });
      expect(
        await failure(
          m.core.createConversation(ADMIN, { ...base, recipient: { type: 'store', id: 'nobody' } }),
        ),
      ).toMatchObject({ code: 'NOT_FOUND', field: 'recipient_id' });
      expect(
        await failure(m.core.createConversation(ADMIN, { ...base, recipient: { type: 'robot', id: 'x' } })),
      ).toMatchObject({ code: 'VALIDATION', field: 'recipient_type' });
      expect(
        await failure(
          m.core.createConversation(ADMIN, { ...base, recipient: { type: 'customer', id: 'c-ana' } }),
        ),
      ).toMatchObject({ code: 'VALIDATION', field: 'recipient_type' });
      expect(await failure(m.core.createConversation(ADMIN, { ...base, initialMessage: ' ' }))).toMatchObject(
        { code: 'VALIDATION', field: 'initial_message' },
      );
      expect(
        await failure(
          m.core.createConversation(ADMIN, {
            ...base,
            recipient: { type: 'admin', id: 'u-admin' },
            conversationType: 'admin_store',
          }),
        ),
      ).toMatchObject({ code: 'VALIDATION' });
      expect(await m.store.raw.counts()).toMatchObject({ conversations: 1, messages: 0 });
    });

    it('writes nothing when the initial message is refused', async () => {
      await m.core.settings.update('message_max_length', 5);
      expect(await failure(adminToSam('too long'))).toMatchObject({
        code: 'VALIDATION',
        field: 'initial_message',
      });
      expect(await m.store.raw.counts()).toMatchObject({ conversations: 0, participants: 0, messages: 0 });
      expect(m.events.events).toEqual([]);
    });

    it('does not let a store user reach another store’s customer, nor a customer start anything', async () => {
      expect(
        await failure(
          m.core.createConversation(SAM, {
            conversationType: 'store_customer',
            subject: 'x',
            recipient: { type: 'customer', id: 'c-cleo' },
          }),
        ),
      ).toMatchObject({ code: 'NOT_FOUND', field: 'recipient_id' });
      expect(
        await failure(
          m.core.createConversation(ANA, {
            conversationType: 'store_customer',
            subject: 'x',
            recipient: { type: 'store', id: 'u-sam' },
          }),
        ),
      ).toMatchObject({ code: 'FORBIDDEN' });
      expect(
        await failure(
          m.core.createConversation(SAM, {
            conversationType: 'admin_store',
            subject: 'x',
            recipient: { type: 'store', id: 'u-sam' },
          }),
        ),
        // The role is checked before the self check: a store user may not start admin_store at all.
      ).toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('sendMessage', () => {
    it('trims, counts unread for the others and clears the sender’s', async () => {
      const { conversation } = await adminToSam('one');
      const { message, replayed } = await m.core.sendMessage(SAM, {
        conversationId: conversation.id,
        content: '\n  reply  \t',
      });
      expect(replayed).toBe(false);
      expect(message).toMatchObject({
        content: 'reply',
        sender: { type: 'store', id: 'u-sam' },
        senderName: 'Sam',
        isSystemMessage: false,
      });
      const again = await m.core.sendMessage(SAM, { conversationId: conversation.id, content: 'again' });
      expect((await m.core.getUnreadCount(ADMIN)).totalUnread).toBe(2);
      expect((await m.core.getUnreadCount(SAM)).totalUnread).toBe(0);
      const detail = await m.core.getConversation(SAM, conversation.id);
      expect(detail.conversation.messageCount).toBe(3);
      expect(detail.conversation.lastMessageAt).toEqual(again.message.createdAt);
      expect(detail.lastReadAt).toEqual(again.message.createdAt);
      expect(message.createdAt.getTime()).toBeLessThan(again.message.createdAt.getTime());
    });

    it('enforces the content length from settings, counting characters not UTF-16 units', async () => {
      const { conversation } = await adminToSam();
      expect(
        await failure(m.core.sendMessage(SAM, { conversationId: conversation.id, content: '' })),
      ).toMatchObject({ code: 'VALIDATION', field: 'content' });
      expect(
        await failure(
          m.core.sendMessage(SAM, { conversationId: conversation.id, content: 'x'.repeat(10_001) }),
        ),
      ).toMatchObject({ code: 'VALIDATION', field: 'content' });
      await m.core.sendMessage(SAM, { conversationId: conversation.id, content: '😀'.repeat(10_000) });
      await m.core.settings.update('message_max_length', 3);
      expect(
        await failure(m.core.sendMessage(SAM, { conversationId: conversation.id, content: 'abcd' })),
      ).toMatchObject({ code: 'VALIDATION', field: 'content' });
      await m.core.sendMessage(SAM, { conversationId: conversation.id, content: '😀😀😀' });
    });

    it('returns the first message for a repeated idempotency key and refuses the key with other content', async () => {
      const { conversation } = await adminToSam();
      const first = await m.core.sendMessage(SAM, {
        conversationId: conversation.id,
        content: 'pay me',
        idempotencyKey: 'key-1',
      });
      const again = await m.core.sendMessage(SAM, {
        conversationId: conversation.id,
        content: 'pay me',
        idempotencyKey: 'key-1',
      });
      expect(again.replayed).toBe(true);
      expect(again.message.id).toBe(first.message.id);
      expect((await m.core.getUnreadCount(ADMIN)).totalUnread).toBe(1);
      expect(
        await failure(
          m.core.sendMessage(SAM, {
            conversationId: conversation.id,
            content: 'other',
            idempotencyKey: 'key-1',
          }),
        ),
      ).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', field: 'idempotency_key' });
      expect(
        await failure(
          m.core.sendMessage(SAM, {
            conversationId: conversation.id,
            content: 'x',
            idempotencyKey: 'has space',
          }),
        ),
      ).toMatchObject({ code: 'VALIDATION', field: 'idempotency_key' });
      expect(m.events.ofType('message.sent').length).toBe(1);
    });

    it('refuses a closed conversation, and a replay of a message sent before closing still answers', async () => {
      const { conversation } = await adminToSam();
      const sent = await m.core.sendMessage(SAM, {
        conversationId: conversation.id,
        content: 'before',
        idempotencyKey: 'k',
      });
      await m.core.closeConversation(ADMIN, conversation.id);
      expect(
        await failure(m.core.sendMessage(SAM, { conversationId: conversation.id, content: 'after' })),
      ).toMatchObject({ code: 'CONVERSATION_CLOSED' });
      expect(
        (
          await m.core.sendMessage(SAM, {
            conversationId: conversation.id,
            content: 'before',
            idempotencyKey: 'k',
          })
        ).message.id,
      ).toBe(sent.message.id);
    });

    it('hides a conversation from non-participants exactly like a missing one', async () => {
      const { conversation } = await adminToSam();
      const missing = await failure(m.core.sendMessage(BEA, { conversationId: 'no-such-id', content: 'x' }));
      const hidden = await failure(
        m.core.sendMessage(BEA, { conversationId: conversation.id, content: 'x' }),
      );
      expect(hidden.code).toBe('NOT_FOUND');
      expect(hidden.message.replace(conversation.id, 'ID')).toBe(missing.message.replace('no-such-id', 'ID'));
      expect(await failure(m.core.getConversation(ANA, conversation.id))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(
        await failure(m.core.getConversation({ ...SAM, tenantId: 'bolt' }, conversation.id)),
      ).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses malformed actors', async () => {
      expect(
        await failure(m.core.getUnreadCount({ type: 'store', id: 'u-sam', tenantId: null })),
      ).toMatchObject({ code: 'FORBIDDEN' });
      expect(await failure(m.core.getUnreadCount({ type: 'robot', id: 'r', tenantId: null }))).toMatchObject({
        code: 'FORBIDDEN',
      });
    });
  });

  describe('close, reopen, read, preferences', () => {
    it('closes with a system message that raises no unread count, and reopens', async () => {
      const { conversation } = await adminToSam();
      const closed = await m.core.closeConversation(SAM, conversation.id);
      expect(closed).toMatchObject({
        isClosed: true,
        closedBy: { type: 'store', id: 'u-sam' },
        messageCount: 1,
      });
      expect(closed.closedAt).toBeInstanceOf(Date);
      expect(await failure(m.core.closeConversation(ADMIN, conversation.id))).toMatchObject({
        code: 'CONFLICT',
      });
      const detail = await m.core.getConversation(ADMIN, conversation.id);
      expect(detail.messages.map((x) => [x.content, x.isSystemMessage])).toEqual([
        ['Conversation closed by Sam', true],
      ]);
      expect(detail.unreadCount).toBe(0);
      const reopened = await m.core.reopenConversation(ADMIN, conversation.id);
      expect(reopened).toMatchObject({ isClosed: false, closedAt: null, closedBy: null, messageCount: 2 });
      expect(await failure(m.core.reopenConversation(ADMIN, conversation.id))).toMatchObject({
        code: 'CONFLICT',
      });
      expect(m.events.events.map((e) => e.type)).toEqual([
        'conversation.created',
        'conversation.closed',
        'conversation.reopened',
      ]);
    });

    it('lets customers reply but not close or reopen', async () => {
      const { conversation } = await m.core.createConversation(SAM, {
        conversationType: 'store_customer',
        subject: 'Order',
        recipient: { type: 'customer', id: 'c-ana' },
      });
      await m.core.sendMessage(ANA, { conversationId: conversation.id, content: 'hi' });
      expect(await failure(m.core.closeConversation(ANA, conversation.id))).toMatchObject({
        code: 'FORBIDDEN',
      });
      await m.core.closeConversation(SAM, conversation.id);
      expect(await failure(m.core.reopenConversation(ANA, conversation.id))).toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    it('marks read directly and through getConversation', async () => {
      const { conversation } = await adminToSam('a');
      await m.core.sendMessage(ADMIN, { conversationId: conversation.id, content: 'b' });
      expect((await m.core.getConversation(SAM, conversation.id)).unreadCount).toBe(2);
      const read = await m.core.getConversation(SAM, conversation.id, { markRead: true });
      expect(read.unreadCount).toBe(0);
      expect(read.participants.find((p) => p.ref.type === 'store')?.unreadCount).toBe(0);
      await m.core.sendMessage(ADMIN, { conversationId: conversation.id, content: 'c' });
      const state = await m.core.markConversationRead(SAM, conversation.id);
      expect(state).toMatchObject({ conversationId: conversation.id, unreadCount: 0 });
      expect((await m.core.getUnreadCount(SAM)).totalUnread).toBe(0);
      expect(m.events.ofType('conversation.read').length).toBe(2);
    });

    it('marks read up to a seq, forward only, and refuses a seq that is not a positive integer', async () => {
      const { conversation } = await adminToSam('a'); // 1
      await m.core.sendMessage(ADMIN, { conversationId: conversation.id, content: 'b' }); // 2
      await m.core.sendMessage(ADMIN, { conversationId: conversation.id, content: 'c' }); // 3
      expect(await m.core.markConversationRead(SAM, conversation.id, { upToSeq: 2 })).toMatchObject({
        unreadCount: 1,
        lastReadSeq: 2,
      });
      expect(await m.core.markConversationRead(SAM, conversation.id, { upToSeq: 1 })).toMatchObject({
        unreadCount: 1,
        lastReadSeq: 2,
      });
      expect((await m.core.getUnreadCount(SAM)).totalUnread).toBe(1);
      for (const upToSeq of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
        expect(await failure(m.core.markConversationRead(SAM, conversation.id, { upToSeq }))).toMatchObject({
          code: 'VALIDATION',
          field: 'up_to_seq',
        });
      }
      // Opening with markRead reads up to the newest message shown.
      const opened = await m.core.getConversation(SAM, conversation.id, { markRead: true });
      expect([opened.unreadCount, opened.lastReadSeq]).toEqual([0, 3]);
      expect(opened.messages.map((msg) => msg.seq)).toEqual([1, 2, 3]);
      expect(opened.lastMessage).toMatchObject({ seq: 3, content: 'c' });
    });

    it('mutes: the badge drops, the conversation keeps its count', async () => {
      const { conversation } = await adminToSam('a');
      expect(await m.core.updatePreferences(SAM, conversation.id, { muted: true })).toEqual({
        emailNotifications: true,
        muted: true,
      });
      expect((await m.core.getUnreadCount(SAM)).totalUnread).toBe(0);
      expect((await m.core.getConversation(SAM, conversation.id)).unreadCount).toBe(1);
      expect(await m.core.updatePreferences(SAM, conversation.id, { emailNotifications: false })).toEqual({
        emailNotifications: false,
        muted: true,
      });
      expect(await failure(m.core.updatePreferences(SAM, conversation.id, {}))).toMatchObject({
        code: 'VALIDATION',
      });
      expect(m.events.ofType('participant.preferences_updated').length).toBe(2);
    });
  });

  describe('history and deletion', () => {
    it('pages history newest first and rejects a cursor from another conversation', async () => {
      const { conversation } = await adminToSam('m0');
      for (let i = 1; i < 8; i += 1)
        await m.core.sendMessage(i % 2 ? SAM : ADMIN, { conversationId: conversation.id, content: `m${i}` });
      const detail = await m.core.getConversation(ADMIN, conversation.id, { messageLimit: 3 });
      expect(detail.messages.map((x) => x.content)).toEqual(['m5', 'm6', 'm7']);
      const older = await m.core.listMessages(ADMIN, conversation.id, {
        cursor: detail.nextCursor!,
        limit: 3,
      });
      expect(older.messages.map((x) => x.content)).toEqual(['m4', 'm3', 'm2']);
      const oldest = await m.core.listMessages(ADMIN, conversation.id, {
        cursor: older.nextCursor!,
        limit: 3,
      });
      expect(oldest.messages.map((x) => x.content)).toEqual(['m1', 'm0']);
      expect(oldest.nextCursor).toBeNull();
      const other = await m.core.createConversation(ADMIN, {
        conversationType: 'admin_customer',
        subject: 'x',
        recipient: { type: 'customer', id: 'c-ana' },
      });
      expect(
        await failure(m.core.listMessages(ADMIN, other.conversation.id, { cursor: detail.nextCursor! })),
      ).toMatchObject({ code: 'VALIDATION', field: 'cursor' });
      expect(
        await failure(m.core.listMessages(ADMIN, conversation.id, { cursor: 'garbage!' })),
      ).toMatchObject({ code: 'VALIDATION', field: 'cursor' });
      expect(await failure(m.core.listMessages(ADMIN, conversation.id, { limit: 101 }))).toMatchObject({
        code: 'VALIDATION',
        field: 'limit',
      });
    });

    it('soft-deletes by the sender or an admin, hiding content everywhere and keeping who and when', async () => {
      const { conversation } = await adminToSam();
      const { message } = await m.core.sendMessage(SAM, {
        conversationId: conversation.id,
        content: 'oops, my password',
      });
      expect(await failure(m.core.deleteMessage(ADMIN, conversation.id, 'missing'))).toMatchObject({
        code: 'NOT_FOUND',
      });
      const deleted = await m.core.deleteMessage(SAM, conversation.id, message.id);
      expect(deleted).toMatchObject({
        content: '',
        isDeleted: true,
        deletedBy: { type: 'store', id: 'u-sam' },
      });
      expect((await m.core.listMessages(ADMIN, conversation.id)).messages[0]).toMatchObject({
        content: '',
        isDeleted: true,
      });
      const inbox = await m.core.listConversations(ADMIN);
      expect(inbox.conversations[0]?.lastMessage).toMatchObject({ content: '', isDeleted: true });
      const raw = await m.store.raw.messages(conversation.id);
      expect(raw[0]).toMatchObject({ content: 'oops, my password', isDeleted: true });

      const { message: adminMessage } = await m.core.sendMessage(ADMIN, {
        conversationId: conversation.id,
        content: 'from admin',
      });
      expect(await failure(m.core.deleteMessage(SAM, conversation.id, adminMessage.id))).toMatchObject({
        code: 'FORBIDDEN',
      });
      const { message: samMessage } = await m.core.sendMessage(SAM, {
        conversationId: conversation.id,
        content: 'by sam',
      });
      expect((await m.core.deleteMessage(ADMIN, conversation.id, samMessage.id)).deletedBy).toEqual({
        type: 'admin',
        id: 'u-admin',
      });
      expect(m.events.ofType('message.deleted').length).toBe(2);
    });
  });

  describe('recipients', () => {
    it('lists store users and customers for admins, own customers for stores, nothing for customers', async () => {
      const ids = async (actor: Actor, recipientType: string, query?: string) =>
        (await m.core.listRecipients(actor, { recipientType, ...(query ? { query } : {}) })).map(
          (e) => e.ref.id,
        );
      expect(await ids(ADMIN, 'store')).toEqual(['u-bea', 'u-sam']);
      expect(await ids(ADMIN, 'customer')).toEqual(['c-ana', 'c-cleo']);
      expect(await ids(ADMIN, 'customer', 'CLEO')).toEqual(['c-cleo']);
      expect(await ids(SAM, 'customer')).toEqual(['c-ana']);
      expect(await failure(m.core.listRecipients(SAM, { recipientType: 'store' }))).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(await failure(m.core.listRecipients(CLEO, { recipientType: 'store' }))).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(await failure(m.core.listRecipients(ADMIN, { recipientType: 'robot' }))).toMatchObject({
        code: 'VALIDATION',
        field: 'recipient_type',
      });
    });
  });

  describe('platform settings', () => {
    it('serves defaults, validates updates and applies them at once', async () => {
      expect(await m.core.settings.get('message_attachment_max_size_mb')).toEqual({
        key: 'message_attachment_max_size_mb',
        value: 10,
        category: 'messaging',
        isDefault: true,
      });
      expect(await failure(m.core.settings.update('message_attachment_max_size_mb', 0))).toMatchObject({
        code: 'VALIDATION',
        field: 'value',
      });
      expect(await failure(m.core.settings.update('message_attachment_max_size_mb', '5'))).toMatchObject({
        code: 'VALIDATION',
        field: 'value',
      });
      expect(await failure(m.core.settings.update('nope', 1))).toMatchObject({ code: 'NOT_FOUND' });
      await m.core.settings.update('message_attachment_max_size_mb', 2);
      expect(await m.core.settings.number('message_attachment_max_size_mb')).toBe(2);
      expect((await m.settings.raw.setting('message_attachment_max_size_mb'))?.value).toBe(2);
    });
  });
});

describe('resolveActor and the settings cache', () => {
  it('admits only participants the directory knows, in their own store, and carries their name', async () => {
    const m = createInMemoryMessaging({ clock: new FixedClock() });
    const at = new Date('2026-04-01T00:00:00.000Z');
    await m.directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, at);
    await m.directory.upsertStore({ id: 'bolt', name: 'Bolt', tier: 'business' }, at);
    await m.directory.upsertPlatformUser(
      { id: 'u-admin', name: 'Ada', email: 'ada@p.test', role: 'admin', storeId: null, locale: 'en' },
      at,
    );
    await m.directory.upsertPlatformUser(
      { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
      at,
    );
    await m.directory.upsertCustomer(
      { id: 'c-ana', storeId: 'acme', name: 'Ana', email: 'ana@mail.test', locale: 'fr' },
      at,
    );

    expect(await m.core.resolveActor({ type: 'store', id: 'u-sam', tenantId: 'acme' })).toEqual({
      type: 'store',
      id: 'u-sam',
      tenantId: 'acme',
      name: 'Sam',
    });
    expect(await m.core.resolveActor({ type: 'admin', id: 'u-admin', tenantId: null })).toMatchObject({
      name: 'Ada',
    });
    expect(await m.core.resolveActor({ type: 'customer', id: 'c-ana', tenantId: 'acme' })).toMatchObject({
      name: 'Ana',
    });
    for (const claims of [
      { type: 'store', id: 'u-sam', tenantId: 'bolt' },
      { type: 'admin', id: 'u-sam', tenantId: null },
      { type: 'store', id: 'u-admin', tenantId: 'acme' },
      { type: 'customer', id: 'c-ana', tenantId: 'bolt' },
      { type: 'customer', id: 'ghost', tenantId: 'acme' },
      { type: 'store', id: 'u-sam', tenantId: null },
    ]) {
      expect(await failure(m.core.resolveActor(claims)), JSON.stringify(claims)).toMatchObject({
        code: 'FORBIDDEN',
      });
    }
  });

  it('reuses a setting for the cache time, but an update applies at once', async () => {
    const clock = new FixedClock();
    const m = createInMemoryMessaging({ clock });
    const at = new Date();
    expect(await m.core.settings.number('message_max_length')).toBe(10_000);
    // Written around the cache (another process): seen once the cache time has passed.
    await m.settings.set({ key: 'message_max_length', value: 50, category: 'messaging', updatedAt: at });
    expect(await m.core.settings.number('message_max_length')).toBe(10_000);
    clock.advance(1000);
    expect(await m.core.settings.number('message_max_length')).toBe(50);
    await m.core.settings.update('message_max_length', 60);
    expect(await m.core.settings.number('message_max_length')).toBe(60);
  });
});
