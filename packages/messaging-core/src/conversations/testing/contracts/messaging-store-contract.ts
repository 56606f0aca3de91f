import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../../kernel/errors.js';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { MessageAttachment } from '../../model/attachment.js';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import { messageSentPayload } from '../../model/domain-event.js';
import type { InboxEntry } from '../../ports/conversation-repository.js';
import type { AppendMessageInput, NewMessage } from '../../ports/message-repository.js';
import type { MessagingStore } from '../../ports/messaging-store.js';
import type { MessagingStoreRawReader } from './raw-readers.js';

export interface MessagingStoreContractTarget {
  readonly store: MessagingStore;
  readonly raw: MessagingStoreRawReader;
  /** Rows of conversations reference stores: called before a test creates conversations of this tenant. */
  readonly ensureStore?: (storeId: string) => Promise<void>;
  readonly teardown?: () => Promise<void>;
}

export interface MessagingStoreContractOptions {
  /** Shown in the test names, e.g. "in-memory" or "kysely (postgres)". */
  readonly name: string;
  /** A fresh, empty store for each test. */
  readonly setup: () => Promise<MessagingStoreContractTarget>;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

// UUID-shaped, time-ordered ids so SQL adapters can use uuid columns.
let sequence = 0;
function id(): string {
  sequence += 1;
  const hex = sequence.toString(16).padStart(12, '0');
  return `01900000-0000-7000-8000-${hex}`;
}

const ADMIN: ParticipantRef = { type: 'admin', id: 'admin-1' };
const STORE_USER: ParticipantRef = { type: 'store', id: 'store-user-1' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'customer-1' };
const STORE_ID = 'store-1';

function conversationRecord(overrides: Partial<Conversation> = {}): Conversation {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: id(),
    conversationType: 'admin_store',
    subject: 'Payout question',
    tenantId: STORE_ID,
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

function membership(
  conversation: Conversation,
  participant: ParticipantRef,
  storeId: string | null,
): ConversationParticipant {
  return {
    conversationId: conversation.id,
    participant,
    tenantId: storeId,
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: conversation.createdAt,
    joinedAt: conversation.createdAt,
    role: 'member',
    leftAt: null,
    visibleFromSeq: 1,
  };
}

function draft(
  conversationId: string,
  sender: ParticipantRef,
  createdAt: Date,
  overrides: Partial<NewMessage> = {},
): NewMessage {
  return {
    id: id(),
    conversationId,
    sender,
    content: 'hello',
    isSystemMessage: false,
    createdAt,
    attachments: [],
    ...overrides,
  };
}

function attachment(messageId: string, overrides: Partial<MessageAttachment> = {}): MessageAttachment {
  return {
    id: id(),
    messageId,
    filename: `${id()}.png`,
    originalFilename: 'photo.png',
    filePath: 'uploads/messages/2026/03/x/photo.png',
    fileSize: 1234,
    mimeType: 'image/png',
    isImage: true,
    imageWidth: 640,
    imageHeight: 480,
    thumbnailPath: 'uploads/messages/2026/03/x/photo.thumb.webp',
    createdAt: at(1),
    ...overrides,
  };
}

/**
 * The behaviour every `MessagingStore` adapter must show. Call it from a test file with a
 * `setup` that returns a fresh store and a raw reader over the same storage.
 *
 * @example
 * ```ts
 * messagingStoreContract({
 *   name: 'in-memory',
 *   setup: async () => { const store = new InMemoryMessagingStore(); return { store, raw: store.raw }; },
 * });
 * ```
 */
export function messagingStoreContract(options: MessagingStoreContractOptions): void {
  describe(`MessagingStore contract: ${options.name}`, () => {
    let target: MessagingStoreContractTarget;
    let store: MessagingStore;
    let raw: MessagingStoreRawReader;

    beforeEach(async () => {
      target = await options.setup();
      store = target.store;
      raw = target.raw;
      await target.ensureStore?.(STORE_ID);
      await target.ensureStore?.('store-2');
    });

    afterEach(async () => {
      await target.teardown?.();
    });

    async function createConversation(
      members: readonly [ParticipantRef, string | null][] = [
        [ADMIN, null],
        [STORE_USER, STORE_ID],
      ],
      overrides: Partial<Conversation> = {},
    ): Promise<Conversation> {
      const conversation = conversationRecord(overrides);
      await store.conversations.create(
        conversation,
        members.map(([ref, storeId]) => membership(conversation, ref, storeId)),
      );
      return conversation;
    }

    async function append(input: AppendMessageInput) {
      return store.messages.append(input);
    }

    async function send(
      conversationId: string,
      sender: ParticipantRef,
      seconds: number,
      overrides: Partial<NewMessage> = {},
    ) {
      const result = await append({
        message: draft(conversationId, sender, at(seconds), overrides),
        requireOpen: true,
      });
      if (result.status !== 'created') throw new Error(`expected created, got ${result.status}`);
      return result.message;
    }

    async function member(conversationId: string, ref: ParticipantRef): Promise<ConversationParticipant> {
      const found = (await raw.participants(conversationId)).find(
        (p) => p.participant.type === ref.type && p.participant.id === ref.id,
      );
      if (!found) throw new Error(`no membership for ${ref.type}:${ref.id}`);
      return found;
    }

    describe('conversations', () => {
      it('creates a conversation with its memberships, as the raw rows show', async () => {
        const conversation = await createConversation();
        expect(await raw.conversation(conversation.id)).toEqual(conversation);
        const members = await raw.participants(conversation.id);
        expect(members.map((m) => [m.participant.type, m.participant.id, m.tenantId, m.unreadCount])).toEqual(
          [
            ['admin', 'admin-1', null, 0],
            ['store', 'store-user-1', STORE_ID, 0],
          ],
        );
        expect(members.every((m) => m.emailNotifications && !m.muted && m.lastReadAt === null)).toBe(true);
        expect(members[0]?.lastActivityAt).toEqual(conversation.createdAt);
      });

      it('reads back what it wrote', async () => {
        const conversation = await createConversation();
        expect(await store.conversations.findById(conversation.id)).toEqual(conversation);
        const found = await store.conversations.findWithParticipants(conversation.id);
        expect(found?.conversation).toEqual(conversation);
        expect(found?.participants.map((p) => p.participant.id)).toEqual(['admin-1', 'store-user-1']);
        expect(await store.conversations.findById(id())).toBeNull();
        expect(await store.conversations.findWithParticipants(id())).toBeNull();
      });

      it('refuses a second conversation with the same id (CONFLICT) and keeps the first', async () => {
        const conversation = await createConversation();
        const error = await store.conversations
          .create({ ...conversation, subject: 'Other' }, [membership(conversation, CUSTOMER, STORE_ID)])
          .catch((e: unknown) => e);
        expect(isMessagingError(error) && error.code).toBe('CONFLICT');
        expect((await raw.conversation(conversation.id))?.subject).toBe('Payout question');
        expect((await raw.participants(conversation.id)).length).toBe(2);
      });

      it('closes and reopens, recording who and when', async () => {
        const conversation = await createConversation();
        const closed = await store.conversations.setClosed(conversation.id, {
          isClosed: true,
          at: at(5),
          by: STORE_USER,
        });
        expect(closed).toMatchObject({
          isClosed: true,
          closedAt: at(5),
          closedBy: STORE_USER,
          updatedAt: at(5),
        });
        expect(await raw.conversation(conversation.id)).toMatchObject({
          isClosed: true,
          closedAt: at(5),
          closedBy: STORE_USER,
        });
        const reopened = await store.conversations.setClosed(conversation.id, {
          isClosed: false,
          at: at(6),
          by: null,
        });
        expect(reopened).toMatchObject({ isClosed: false, closedAt: null, closedBy: null, updatedAt: at(6) });
        expect(
          await store.conversations.setClosed(id(), { isClosed: true, at: at(7), by: ADMIN }),
        ).toBeNull();
      });
    });

    describe('append', () => {
      it('stores the message and moves every counter in one step', async () => {
        const conversation = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        const result = await append({
          message: draft(conversation.id, ADMIN, at(10), { content: 'Hi there' }),
          requireOpen: true,
        });
        expect(result.status).toBe('created');
        if (result.status !== 'created') return;
        expect(result.message).toMatchObject({
          conversationId: conversation.id,
          sender: ADMIN,
          content: 'Hi there',
          isSystemMessage: false,
          isDeleted: false,
          deletedAt: null,
          deletedBy: null,
          createdAt: at(10),
          attachments: [],
        });
        expect(await raw.messages(conversation.id)).toEqual([result.message]);
        expect(await raw.conversation(conversation.id)).toMatchObject({
          messageCount: 1,
          lastMessageAt: at(10),
          updatedAt: at(10),
        });
        expect(await member(conversation.id, ADMIN)).toMatchObject({
          unreadCount: 0,
          lastReadAt: at(10),
          lastActivityAt: at(10),
        });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          unreadCount: 1,
          lastReadAt: null,
          lastDeliveredSeq: 0,
          lastDeliveredAt: null,
          lastActivityAt: at(10),
        });
        expect(await member(conversation.id, CUSTOMER)).toMatchObject({
          unreadCount: 1,
          lastReadAt: null,
          lastDeliveredSeq: 0,
          lastDeliveredAt: null,
          lastActivityAt: at(10),
        });

        await send(conversation.id, STORE_USER, 11);
        await send(conversation.id, ADMIN, 12);
        expect(await member(conversation.id, ADMIN)).toMatchObject({ unreadCount: 0, lastReadAt: at(12) });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          unreadCount: 1,
          lastReadAt: at(11),
        });
        expect(await member(conversation.id, CUSTOMER)).toMatchObject({ unreadCount: 3 });
        expect(await raw.conversation(conversation.id)).toMatchObject({
          messageCount: 3,
          lastMessageAt: at(12),
        });
      });

      it('counts a system message but changes no read state', async () => {
        const conversation = await createConversation();
        await send(conversation.id, STORE_USER, 1);
        const result = await append({
          message: draft(conversation.id, ADMIN, at(2), {
            isSystemMessage: true,
            content: 'Conversation closed',
          }),
          requireOpen: false,
        });
        expect(result.status).toBe('created');
        expect(await member(conversation.id, ADMIN)).toMatchObject({
          unreadCount: 1,
          lastReadAt: null,
          lastDeliveredSeq: 0,
          lastDeliveredAt: null,
          lastActivityAt: at(2),
        });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          unreadCount: 0,
          lastReadAt: at(1),
        });
        expect(await raw.conversation(conversation.id)).toMatchObject({
          messageCount: 2,
          lastMessageAt: at(2),
        });
        expect((await raw.messages(conversation.id)).map((m) => m.isSystemMessage)).toEqual([false, true]);
      });

      it('numbers messages 1, 2, 3 … and never lets time go backwards along them', async () => {
        const conversation = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        // Proposed times as requests that began earlier but reached the store later would carry.
        const first = await send(conversation.id, ADMIN, 10);
        const late = await send(conversation.id, CUSTOMER, 4);
        const system = await append({
          message: draft(conversation.id, ADMIN, at(2), { isSystemMessage: true }),
          requireOpen: false,
        });
        const next = await send(conversation.id, STORE_USER, 12);
        if (system.status !== 'created') throw new Error(system.status);
        expect([first, late, system.message, next].map((m) => [m.seq, m.createdAt])).toEqual([
          [1, at(10)],
          [2, at(10)],
          [3, at(10)],
          [4, at(12)],
        ]);
        expect((await raw.messages(conversation.id)).map((m) => [m.id, m.seq, m.createdAt])).toEqual(
          [first, late, system.message, next].map((m) => [m.id, m.seq, m.createdAt]),
        );
        expect(await raw.conversation(conversation.id)).toMatchObject({
          messageCount: 4,
          lastMessageAt: at(12),
        });
        // The sender has read up to their own message; the others count exactly what follows theirs.
        expect(await member(conversation.id, CUSTOMER)).toMatchObject({
          lastReadSeq: 2,
          lastReadAt: at(10),
          unreadCount: 1,
        });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          lastReadSeq: 4,
          lastReadAt: at(12),
          unreadCount: 0,
        });
        expect(await member(conversation.id, ADMIN)).toMatchObject({ lastReadSeq: 1, unreadCount: 2 });
        const inbox = await store.conversations.listInbox(ADMIN, {}, { limit: 5 });
        expect(inbox.entries[0]?.lastMessage?.id).toBe(next.id);
      });

      it('keeps a sender’s last read time from going back when their message is stamped earlier', async () => {
        const conversation = await createConversation();
        await send(conversation.id, ADMIN, 1);
        await store.participants.markRead(conversation.id, STORE_USER, at(20));
        const reply = await send(conversation.id, STORE_USER, 5);
        expect(reply.seq).toBe(2);
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          lastReadSeq: 2,
          lastReadAt: at(20),
          unreadCount: 0,
        });
      });

      it('gives the latest message as the preview: the highest seq, whatever the times', async () => {
        const conversation = await createConversation();
        await send(conversation.id, ADMIN, 9, { content: 'first' });
        const second = await send(conversation.id, STORE_USER, 3, { content: 'second' });
        const [entry] = (await store.conversations.listInbox(ADMIN, {}, { limit: 1 })).entries;
        expect(entry?.lastMessage).toMatchObject({ id: second.id, seq: 2, content: 'second' });
        expect(entry?.conversation.lastMessageAt).toEqual(second.createdAt);
      });

      it('refuses a closed conversation when asked to, writing nothing', async () => {
        const conversation = await createConversation();
        await store.conversations.setClosed(conversation.id, { isClosed: true, at: at(1), by: ADMIN });
        const before = await raw.counts();
        const refused = await append({
          message: draft(conversation.id, STORE_USER, at(2)),
          idempotency: { key: 'closed-key', requestHash: 'h' },
          requireOpen: true,
        });
        expect(refused).toEqual({ status: 'conversation_closed' });
        expect(await raw.counts()).toEqual(before);
        expect(await raw.idempotencyKey(STORE_USER, 'closed-key')).toBeNull();
        expect(await member(conversation.id, ADMIN)).toMatchObject({ unreadCount: 0 });

        const system = await append({
          message: draft(conversation.id, ADMIN, at(3), { isSystemMessage: true }),
          requireOpen: false,
        });
        expect(system.status).toBe('created');
      });

      it('reports a missing conversation and writes nothing', async () => {
        const before = await raw.counts();
        expect(await append({ message: draft(id(), ADMIN, at(1)), requireOpen: true })).toEqual({
          status: 'conversation_not_found',
        });
        expect(await raw.counts()).toEqual(before);
      });

      it('returns the first message for a repeated idempotency key and creates nothing', async () => {
        const conversation = await createConversation();
        const first = await append({
          message: draft(conversation.id, STORE_USER, at(1), { content: 'once' }),
          idempotency: { key: 'k-1', requestHash: 'hash-a' },
          requireOpen: true,
        });
        expect(first.status).toBe('created');
        const again = await append({
          message: draft(conversation.id, STORE_USER, at(2), { content: 'twice?' }),
          idempotency: { key: 'k-1', requestHash: 'hash-b' },
          requireOpen: true,
        });
        expect(again.status).toBe('duplicate');
        if (first.status !== 'created' || again.status !== 'duplicate') return;
        expect(again.message).toEqual(first.message);
        expect(again.requestHash).toBe('hash-a');
        expect((await raw.messages(conversation.id)).length).toBe(1);
        expect(await raw.conversation(conversation.id)).toMatchObject({ messageCount: 1 });
        expect(await member(conversation.id, ADMIN)).toMatchObject({ unreadCount: 1 });
        expect(await raw.idempotencyKey(STORE_USER, 'k-1')).toEqual({
          messageId: first.message.id,
          requestHash: 'hash-a',
        });
      });

      it('scopes idempotency keys to the sender', async () => {
        const conversation = await createConversation();
        const a = await append({
          message: draft(conversation.id, STORE_USER, at(1)),
          idempotency: { key: 'shared', requestHash: 'h' },
          requireOpen: true,
        });
        const b = await append({
          message: draft(conversation.id, ADMIN, at(2)),
          idempotency: { key: 'shared', requestHash: 'h' },
          requireOpen: true,
        });
        expect([a.status, b.status]).toEqual(['created', 'created']);
        expect((await raw.messages(conversation.id)).length).toBe(2);
      });

      it('creates exactly one message for concurrent sends with the same key', async () => {
        const conversation = await createConversation();
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            append({
              message: draft(conversation.id, STORE_USER, at(1 + i), { content: 'same' }),
              idempotency: { key: 'race', requestHash: 'h' },
              requireOpen: true,
            }),
          ),
        );
        expect(results.filter((r) => r.status === 'created').length).toBe(1);
        expect(results.filter((r) => r.status === 'duplicate').length).toBe(11);
        const ids = new Set(results.map((r) => ('message' in r ? r.message.id : null)));
        expect(ids.size).toBe(1);
        expect((await raw.messages(conversation.id)).length).toBe(1);
        expect(await raw.conversation(conversation.id)).toMatchObject({ messageCount: 1 });
        expect(await member(conversation.id, ADMIN)).toMatchObject({ unreadCount: 1 });
      });

      it('keeps counters exact under concurrent sends', async () => {
        const conversation = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        // Admin and store user race 30 sends; the customer only listens, so their count is exact.
        await Promise.all(
          Array.from({ length: 30 }, (_, i) => send(conversation.id, i % 2 ? ADMIN : STORE_USER, 1 + i)),
        );
        expect((await raw.messages(conversation.id)).length).toBe(30);
        expect(await raw.conversation(conversation.id)).toMatchObject({
          messageCount: 30,
          lastMessageAt: at(30),
        });
        expect(await member(conversation.id, CUSTOMER)).toMatchObject({
          unreadCount: 30,
          lastActivityAt: at(30),
        });
        for (const ref of [ADMIN, STORE_USER]) {
          const m = await member(conversation.id, ref);
          expect(m.unreadCount).toBeLessThanOrEqual(15);
          expect(m.lastReadAt).not.toBeNull();
        }
      });

      it('stores attachments with the message', async () => {
        const conversation = await createConversation();
        const message = draft(conversation.id, STORE_USER, at(1), { content: '' });
        const files = [
          attachment(message.id),
          attachment(message.id, {
            originalFilename: 'b.pdf',
            mimeType: 'application/pdf',
            isImage: false,
            imageWidth: null,
            imageHeight: null,
            thumbnailPath: null,
          }),
        ];
        const result = await append({ message: { ...message, attachments: files }, requireOpen: true });
        expect(result.status).toBe('created');
        if (result.status !== 'created') return;
        const sortById = (list: readonly MessageAttachment[]) =>
          [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
        expect(sortById(result.message.attachments)).toEqual(sortById(files));
        expect(sortById((await raw.messages(conversation.id))[0]!.attachments)).toEqual(sortById(files));
        expect(sortById((await store.messages.findById(conversation.id, message.id))!.attachments)).toEqual(
          sortById(files),
        );
        expect((await raw.counts()).attachments).toBe(2);
      });
    });

    describe('events written by append and markRead', () => {
      const sentEvents = async (messageId: string) =>
        (await raw.events()).filter((e) => e.type === 'message.sent' && e.payload.message_id === messageId);

      it("records message.sent with the message, in the same statement, for a participant's message", async () => {
        const conversation = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        const message = draft(conversation.id, STORE_USER, at(5));
        const result = await append({ message, requireOpen: true });
        expect(result.status).toBe('created');
        if (result.status !== 'created') return;
        const [event, ...others] = await sentEvents(message.id);
        expect(others).toEqual([]);
        expect(event).toMatchObject({
          type: 'message.sent',
          tenantId: STORE_ID,
          conversationId: conversation.id,
          actor: { type: STORE_USER.type, id: STORE_USER.id },
          occurredAt: result.message.createdAt,
          payload: messageSentPayload(result.message),
        });
        expect(event?.payload).toEqual(messageSentPayload(result.message));
      });

      it('records nothing for a system message, a refused one, a rolled back one or a duplicate', async () => {
        const conversation = await createConversation();
        const system = draft(conversation.id, ADMIN, at(1), { isSystemMessage: true });
        expect((await append({ message: system, requireOpen: false })).status).toBe('created');
        expect(await sentEvents(system.id)).toEqual([]);

        const rolledBack = draft(conversation.id, ADMIN, at(2));
        await store
          .transaction(async (tx) => {
            await tx.messages.append({ message: rolledBack, requireOpen: true });
            throw new Error('boom');
          })
          .catch(() => undefined);
        expect(await sentEvents(rolledBack.id)).toEqual([]);

        const first = draft(conversation.id, ADMIN, at(3));
        await append({ message: first, idempotency: { key: 'k', requestHash: 'h' }, requireOpen: true });
        const again = draft(conversation.id, ADMIN, at(4));
        expect(
          (await append({ message: again, idempotency: { key: 'k', requestHash: 'h' }, requireOpen: true }))
            .status,
        ).toBe('duplicate');
        expect(await sentEvents(first.id)).toHaveLength(1);
        expect(await sentEvents(again.id)).toEqual([]);

        await store.conversations.setClosed(conversation.id, { isClosed: true, at: at(5), by: ADMIN });
        const refused = draft(conversation.id, ADMIN, at(6));
        expect(await append({ message: refused, requireOpen: true })).toEqual({
          status: 'conversation_closed',
        });
        expect(await sentEvents(refused.id)).toEqual([]);
        expect((await raw.counts()).events).toBe(1);
      });

      it('records conversation.read with the new read state when markRead moves it', async () => {
        const conversation = await createConversation();
        await append({ message: draft(conversation.id, ADMIN, at(1)), requireOpen: true });
        const updated = await store.participants.markRead(conversation.id, STORE_USER, at(2));
        expect(updated?.lastReadSeq).toBe(1);
        const reads = (await raw.events()).filter((e) => e.type === 'conversation.read');
        expect(reads).toHaveLength(1);
        expect(reads[0]).toMatchObject({
          tenantId: conversation.tenantId,
          conversationId: conversation.id,
          actor: STORE_USER,
          occurredAt: at(2),
          payload: { read_at: at(2).toISOString(), last_read_seq: 1, unread_count: 0 },
        });
        expect(await store.participants.markRead(conversation.id, CUSTOMER, at(3))).toBeNull();
        expect((await raw.events()).filter((e) => e.type === 'conversation.read')).toHaveLength(1);
      });
    });

    describe('attachment rows', () => {
      async function messageWithFiles() {
        const conversation = await createConversation();
        const message = draft(conversation.id, STORE_USER, at(1), { content: '' });
        const image = attachment(message.id, {
          filePath: `uploads/messages/2026/03/${conversation.id}/img.png`,
          thumbnailPath: `uploads/messages/2026/03/${conversation.id}/img.thumb.webp`,
        });
        const pdf = attachment(message.id, {
          originalFilename: 'b.pdf',
          filePath: `uploads/messages/2026/03/${conversation.id}/doc.pdf`,
          mimeType: 'application/pdf',
          isImage: false,
          imageWidth: null,
          imageHeight: null,
          thumbnailPath: null,
        });
        const result = await append({
          message: { ...message, attachments: [image, pdf] },
          requireOpen: true,
        });
        expect(result.status).toBe('created');
        return { conversation, message, image, pdf };
      }

      it('finds one attachment by conversation and id, and nothing elsewhere', async () => {
        const { conversation, message, image } = await messageWithFiles();
        const other = await createConversation();
        expect(await store.messages.findAttachment(conversation.id, image.id)).toEqual(image);
        expect((await store.messages.findAttachment(conversation.id, image.id))?.messageId).toBe(message.id);
        expect(await store.messages.findAttachment(other.id, image.id)).toBeNull();
        expect(await store.messages.findAttachment(conversation.id, id())).toBeNull();
      });

      it('deletes chosen attachment rows and returns them', async () => {
        const { conversation, message, image, pdf } = await messageWithFiles();
        const other = await createConversation();
        expect(await store.messages.deleteAttachments(other.id, message.id, [image.id])).toEqual([]);
        expect(await store.messages.deleteAttachments(conversation.id, message.id, [image.id])).toEqual([
          image,
        ]);
        expect((await raw.messages(conversation.id))[0]!.attachments).toEqual([pdf]);
        expect((await raw.counts()).attachments).toBe(1);
        expect(await store.messages.deleteAttachments(conversation.id, message.id, [image.id])).toEqual([]);
      });

      it('deletes every attachment row of a message when no ids are given', async () => {
        const { conversation, message } = await messageWithFiles();
        const removed = await store.messages.deleteAttachments(conversation.id, message.id);
        expect(removed.map((a) => a.originalFilename).sort()).toEqual(['b.pdf', 'photo.png']);
        expect((await raw.messages(conversation.id))[0]!.attachments).toEqual([]);
        expect((await raw.counts()).attachments).toBe(0);
        expect((await raw.counts()).messages).toBe(1);
      });

      it('tells which paths an attachment row points to, thumbnails included', async () => {
        const { image, pdf } = await messageWithFiles();
        const orphan = 'uploads/messages/2026/03/x/orphan.png';
        expect(
          await store.messages.referencedPaths([image.filePath, image.thumbnailPath!, pdf.filePath, orphan]),
        ).toEqual(new Set([image.filePath, image.thumbnailPath!, pdf.filePath]));
        expect(await store.messages.referencedPaths([])).toEqual(new Set());
      });
    });

    describe('transactions', () => {
      it('commits everything done in the unit of work', async () => {
        const conversation = conversationRecord();
        const result = await store.transaction(async (tx) => {
          await tx.conversations.create(conversation, [
            membership(conversation, ADMIN, null),
            membership(conversation, STORE_USER, STORE_ID),
          ]);
          return tx.messages.append({ message: draft(conversation.id, ADMIN, at(1)), requireOpen: true });
        });
        expect(result.status).toBe('created');
        expect(await raw.counts()).toMatchObject({ conversations: 1, participants: 2, messages: 1 });
      });

      it('rolls back everything when the work throws', async () => {
        const existing = await createConversation();
        const before = await raw.counts();
        const conversation = conversationRecord();
        const error = await store
          .transaction(async (tx) => {
            await tx.conversations.create(conversation, [membership(conversation, ADMIN, null)]);
            await tx.messages.append({ message: draft(conversation.id, ADMIN, at(1)), requireOpen: true });
            await tx.messages.append({ message: draft(existing.id, ADMIN, at(2)), requireOpen: true });
            await tx.conversations.setClosed(existing.id, { isClosed: true, at: at(3), by: ADMIN });
            throw new Error('boom');
          })
          .catch((e: unknown) => e);
        expect((error as Error).message).toBe('boom');
        expect(await raw.counts()).toEqual(before);
        expect(await raw.conversation(conversation.id)).toBeNull();
        expect(await raw.conversation(existing.id)).toMatchObject({ isClosed: false, messageCount: 0 });
        expect(await member(existing.id, STORE_USER)).toMatchObject({ unreadCount: 0 });
      });
    });

    describe('read state and preferences', () => {
      it('marks read: unread to zero, read state at the latest seq, last read time set', async () => {
        const conversation = await createConversation();
        await send(conversation.id, ADMIN, 1);
        await send(conversation.id, ADMIN, 2);
        expect(await member(conversation.id, STORE_USER)).toMatchObject({ unreadCount: 2, lastReadSeq: 0 });
        const updated = await store.participants.markRead(conversation.id, STORE_USER, at(3));
        expect(updated).toMatchObject({
          unreadCount: 0,
          lastReadSeq: 2,
          lastReadAt: at(3),
          participant: STORE_USER,
        });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          unreadCount: 0,
          lastReadSeq: 2,
          lastReadAt: at(3),
        });
        expect(await member(conversation.id, ADMIN)).toMatchObject({
          unreadCount: 0,
          lastReadSeq: 2,
          lastReadAt: at(2),
        });
        expect(await store.participants.markRead(conversation.id, CUSTOMER, at(4))).toBeNull();
      });

      it('marks read up to a seq: unread counts what is left, and read state never moves back', async () => {
        const conversation = await createConversation();
        await send(conversation.id, ADMIN, 1); // 1
        await send(conversation.id, STORE_USER, 2); // 2: the store user has read 1 and 2
        await send(conversation.id, ADMIN, 3); // 3
        await append({
          message: draft(conversation.id, ADMIN, at(4), { isSystemMessage: true }),
          requireOpen: false,
        }); // 4: system, never unread
        await send(conversation.id, ADMIN, 5); // 5
        await send(conversation.id, ADMIN, 6); // 6
        expect(await member(conversation.id, STORE_USER)).toMatchObject({ unreadCount: 3, lastReadSeq: 2 });

        expect(await store.participants.markRead(conversation.id, STORE_USER, at(7), 4)).toMatchObject({
          unreadCount: 2,
          lastReadSeq: 4,
          lastReadAt: at(7),
        });
        // Backwards: nothing moves but the read time (a read happened), never back in time either.
        expect(await store.participants.markRead(conversation.id, STORE_USER, at(8), 1)).toMatchObject({
          unreadCount: 2,
          lastReadSeq: 4,
          lastReadAt: at(8),
        });
        expect(await store.participants.markRead(conversation.id, STORE_USER, at(6), 5)).toMatchObject({
          unreadCount: 1,
          lastReadSeq: 5,
          lastReadAt: at(8),
        });
        // Beyond the latest message counts as the latest.
        expect(await store.participants.markRead(conversation.id, STORE_USER, at(9), 99)).toMatchObject({
          unreadCount: 0,
          lastReadSeq: 6,
        });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          unreadCount: 0,
          lastReadSeq: 6,
          lastReadAt: at(9),
        });
        // The other member's read state is untouched.
        expect(await member(conversation.id, ADMIN)).toMatchObject({ unreadCount: 0, lastReadSeq: 6 });
      });

      it('updates only the preferences given', async () => {
        const conversation = await createConversation();
        expect(
          await store.participants.updatePreferences(conversation.id, STORE_USER, { muted: true }),
        ).toMatchObject({
          muted: true,
          emailNotifications: true,
        });
        expect(
          await store.participants.updatePreferences(conversation.id, STORE_USER, {
            emailNotifications: false,
          }),
        ).toMatchObject({ muted: true, emailNotifications: false });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({
          muted: true,
          emailNotifications: false,
        });
        expect(await member(conversation.id, ADMIN)).toMatchObject({
          muted: false,
          emailNotifications: true,
        });
        expect(
          await store.participants.updatePreferences(conversation.id, CUSTOMER, { muted: true }),
        ).toBeNull();
      });

      it('finds and lists memberships', async () => {
        const conversation = await createConversation();
        expect((await store.participants.find(conversation.id, STORE_USER))?.tenantId).toBe(STORE_ID);
        expect(await store.participants.find(conversation.id, CUSTOMER)).toBeNull();
        expect(
          (await store.participants.listByConversation(conversation.id)).map((p) => p.participant),
        ).toEqual([ADMIN, STORE_USER]);
      });
    });

    describe('membership changes', () => {
      const NEWCOMER: ParticipantRef = { type: 'customer', id: 'customer-2' };
      const join = (
        conversationId: string,
        ref: ParticipantRef,
        seconds: number,
        seesHistory = true,
        role = 'member',
      ) =>
        store.transaction((tx) =>
          tx.participants.join(
            conversationId,
            [{ participant: ref, storeId: STORE_ID, role, seesHistory }],
            at(seconds),
          ),
        );

      /** Others' non-system messages above the member's read state: what `unreadCount` must be. */
      async function recount(conversationId: string, ref: ParticipantRef): Promise<number> {
        const m = await member(conversationId, ref);
        return (await raw.messages(conversationId)).filter(
          (x) =>
            x.seq > m.lastReadSeq &&
            !x.isSystemMessage &&
            !(x.sender.type === ref.type && x.sender.id === ref.id),
        ).length;
      }

      it('joins a new member at the latest message: nothing unread, role and join time set', async () => {
        const conversation = await createConversation();
        await send(conversation.id, ADMIN, 1);
        await send(conversation.id, STORE_USER, 2);
        const joined = await join(conversation.id, NEWCOMER, 3, true, 'observer');
        expect(joined).toHaveLength(1);
        expect(joined?.[0]).toMatchObject({
          participant: NEWCOMER,
          tenantId: STORE_ID,
          role: 'observer',
          joinedAt: at(3),
          leftAt: null,
          unreadCount: 0,
          lastReadSeq: 2,
          visibleFromSeq: 1,
          emailNotifications: true,
          muted: false,
        });
        expect(await member(conversation.id, NEWCOMER)).toEqual(joined?.[0]);
        expect(
          (await store.participants.listByConversation(conversation.id)).map((p) => p.participant.id),
        ).toEqual(['admin-1', 'customer-2', 'store-user-1']);
        await send(conversation.id, ADMIN, 4);
        expect(await member(conversation.id, NEWCOMER)).toMatchObject({
          unreadCount: 1,
          lastActivityAt: at(4),
        });
        expect((await store.conversations.listInbox(NEWCOMER, {}, { limit: 10 })).entries).toHaveLength(1);
      });

      it('hides the earlier history when asked: visible from the next seq', async () => {
        const conversation = await createConversation();
        await send(conversation.id, ADMIN, 1);
        await send(conversation.id, STORE_USER, 2);
        const [joined] = (await join(conversation.id, NEWCOMER, 3, false)) ?? [];
        expect(joined).toMatchObject({ visibleFromSeq: 3, lastReadSeq: 2, unreadCount: 0 });
        await send(conversation.id, ADMIN, 4);
        const page = await store.messages.listByConversation(conversation.id, { limit: 10, fromSeq: 3 });
        expect(page.messages.map((m) => m.seq)).toEqual([3]);
        expect(page.hasMore).toBe(false);
      });

      it('refuses to join someone already active (CONFLICT), writing nothing', async () => {
        const conversation = await createConversation();
        const before = await raw.counts();
        const attempt = store.transaction((tx) =>
          tx.participants.join(
            conversation.id,
            [
              { participant: NEWCOMER, storeId: STORE_ID, role: 'member', seesHistory: true },
              { participant: STORE_USER, storeId: STORE_ID, role: 'member', seesHistory: true },
            ],
            at(1),
          ),
        );
        await expect(attempt).rejects.toSatisfy((e: unknown) => isMessagingError(e) && e.code === 'CONFLICT');
        expect(await raw.counts()).toEqual(before);
        expect(await store.participants.findAny(conversation.id, NEWCOMER)).toBeNull();
      });

      it('refuses a participant listed twice (CONFLICT), writing nothing', async () => {
        const conversation = await createConversation();
        const twice = { participant: NEWCOMER, storeId: STORE_ID, role: 'member', seesHistory: true };
        const attempt = store.transaction((tx) =>
          tx.participants.join(conversation.id, [twice, twice], at(1)),
        );
        await expect(attempt).rejects.toSatisfy((e: unknown) => isMessagingError(e) && e.code === 'CONFLICT');
        expect(await store.participants.findAny(conversation.id, NEWCOMER)).toBeNull();
      });

      it('joins nobody into a conversation that does not exist (null)', async () => {
        expect(await join(id(), NEWCOMER, 1)).toBeNull();
      });

      it('a leaver’s row is kept and frozen; they vanish from every list, count and send', async () => {
        const conversation = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        await send(conversation.id, ADMIN, 1);
        const left = await store.participants.leave(conversation.id, CUSTOMER, at(2));
        expect(left).toMatchObject({ leftAt: at(2), unreadCount: 1, lastReadSeq: 0 });
        await send(conversation.id, STORE_USER, 3);
        expect(await member(conversation.id, CUSTOMER)).toMatchObject({
          leftAt: at(2),
          unreadCount: 1,
          lastActivityAt: at(1),
        });
        // Subscribers read the active members: the leaver is not among them, in one conversation or many.
        const other = await createConversation();
        const missing = '01900000-0000-7000-8000-00000000dead';
        const listed = await store.participants.listByConversations([conversation.id, other.id, missing]);
        expect([...listed.keys()]).toEqual([conversation.id, other.id, missing]);
        expect(listed.get(conversation.id)?.map((p) => p.participant.id)).toEqual([
          'admin-1',
          'store-user-1',
        ]);
        expect(listed.get(other.id)).toEqual(await store.participants.listByConversation(other.id));
        expect(listed.get(missing)).toEqual([]);
        expect(await store.participants.find(conversation.id, CUSTOMER)).toBeNull();
        expect(await store.participants.findAny(conversation.id, CUSTOMER)).toMatchObject({ leftAt: at(2) });
        expect(
          (await store.participants.listByConversation(conversation.id)).map((p) => p.participant.id),
        ).toEqual(['admin-1', 'store-user-1']);
        const found = await store.conversations.findWithParticipants(conversation.id);
        expect(found?.participants.map((p) => p.participant.id)).toEqual(['admin-1', 'store-user-1']);
        expect((await store.conversations.listInbox(CUSTOMER, {}, { limit: 10 })).entries).toEqual([]);
        expect(await store.conversations.countInbox(CUSTOMER, {})).toEqual({ total: 0, totalUnread: 0 });
        expect(await store.conversations.unreadTotal(CUSTOMER, STORE_ID)).toBe(0);
        const inbox = await store.conversations.listInbox(ADMIN, {}, { limit: 10 });
        expect(inbox.entries[0]?.participants.map((p) => p.participant.id)).toEqual([
          'admin-1',
          'store-user-1',
        ]);
        expect(await store.participants.markRead(conversation.id, CUSTOMER, at(4))).toBeNull();
        expect(
          await store.participants.updatePreferences(conversation.id, CUSTOMER, { muted: true }),
        ).toBeNull();
        expect(await store.participants.changeRole(conversation.id, CUSTOMER, 'owner')).toBeNull();
        expect(await store.participants.leave(conversation.id, CUSTOMER, at(5))).toBeNull();
        expect(await member(conversation.id, CUSTOMER)).toMatchObject({
          leftAt: at(2),
          muted: false,
          role: 'member',
        });
      });

      it('re-adding a former member reactivates their row: new join time, caught up, preferences kept', async () => {
        const conversation = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        await store.participants.updatePreferences(conversation.id, CUSTOMER, { emailNotifications: false });
        await send(conversation.id, ADMIN, 1);
        await store.participants.leave(conversation.id, CUSTOMER, at(2));
        await send(conversation.id, ADMIN, 3);
        const [back] =
          (await store.transaction((tx) =>
            tx.participants.join(
              conversation.id,
              [{ participant: CUSTOMER, storeId: STORE_ID, role: 'observer', seesHistory: false }],
              at(4),
            ),
          )) ?? [];
        expect(back).toMatchObject({
          joinedAt: at(4),
          leftAt: null,
          role: 'observer',
          unreadCount: 0,
          lastReadSeq: 2,
          visibleFromSeq: 3,
          emailNotifications: false,
        });
        await send(conversation.id, ADMIN, 5);
        expect(await member(conversation.id, CUSTOMER)).toMatchObject({ unreadCount: 1 });
        expect(await store.conversations.unreadTotal(CUSTOMER)).toBe(1);
        expect((await raw.participants(conversation.id)).length).toBe(3);
      });

      it('changes an active member’s role', async () => {
        const conversation = await createConversation();
        expect(await store.participants.changeRole(conversation.id, STORE_USER, 'owner')).toMatchObject({
          participant: STORE_USER,
          role: 'owner',
        });
        expect(await member(conversation.id, STORE_USER)).toMatchObject({ role: 'owner' });
      });

      it('keeps every unread count exact while members join and leave during concurrent sends', async () => {
        const conversation = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        await Promise.all([
          ...Array.from({ length: 24 }, (_, i) => send(conversation.id, i % 2 ? ADMIN : STORE_USER, 1 + i)),
          join(conversation.id, NEWCOMER, 5),
          store.participants.leave(conversation.id, CUSTOMER, at(7)),
        ]);
        expect((await raw.conversation(conversation.id))?.messageCount).toBe(24);
        for (const ref of [ADMIN, STORE_USER, NEWCOMER, CUSTOMER]) {
          const m = await member(conversation.id, ref);
          if (m.leftAt === null) expect(m.unreadCount).toBe(await recount(conversation.id, ref));
          else expect(m.unreadCount).toBeLessThanOrEqual(await recount(conversation.id, ref));
        }
      });
    });

    describe('message history', () => {
      it('pages newest first by seq, whatever the proposed times and ids', async () => {
        const conversation = await createConversation();
        // Ids handed out in reverse and proposed times going back and forth: neither may order history.
        const ids = Array.from({ length: 7 }, () => id()).reverse();
        const proposed = [5, 3, 3, 9, 1, 9, 2];
        const sent = [];
        for (let i = 0; i < 7; i += 1)
          sent.push(await send(conversation.id, i % 2 ? ADMIN : STORE_USER, proposed[i]!, { id: ids[i]! }));
        expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        const expected = [...sent].reverse().map((m) => m.id);
        const first = await store.messages.listByConversation(conversation.id, { limit: 3 });
        expect(first.messages.map((m) => m.id)).toEqual(expected.slice(0, 3));
        expect(first.messages.map((m) => m.seq)).toEqual([7, 6, 5]);
        expect(first.hasMore).toBe(true);
        const second = await store.messages.listByConversation(conversation.id, {
          limit: 3,
          beforeSeq: first.messages.at(-1)!.seq,
        });
        expect(second.messages.map((m) => m.id)).toEqual(expected.slice(3, 6));
        const third = await store.messages.listByConversation(conversation.id, {
          limit: 3,
          beforeSeq: second.messages.at(-1)!.seq,
        });
        expect(third.messages.map((m) => m.id)).toEqual(expected.slice(6));
        expect(third.hasMore).toBe(false);
        expect((await raw.messages(conversation.id)).map((m) => m.id)).toEqual(sent.map((m) => m.id));
      });

      it('soft-deletes, keeping who and when, and the first deletion wins', async () => {
        const conversation = await createConversation();
        const message = await send(conversation.id, STORE_USER, 1, { content: 'secret' });
        const deleted = await store.messages.softDelete(conversation.id, message.id, {
          by: ADMIN,
          at: at(5),
        });
        expect(deleted).toMatchObject({
          id: message.id,
          isDeleted: true,
          deletedAt: at(5),
          deletedBy: ADMIN,
        });
        const again = await store.messages.softDelete(conversation.id, message.id, {
          by: STORE_USER,
          at: at(9),
        });
        expect(again).toMatchObject({ deletedAt: at(5), deletedBy: ADMIN });
        expect((await raw.messages(conversation.id))[0]).toMatchObject({
          isDeleted: true,
          deletedAt: at(5),
          deletedBy: ADMIN,
        });
        expect(await store.messages.softDelete(conversation.id, id(), { by: ADMIN, at: at(9) })).toBeNull();
        expect(await store.messages.findById(conversation.id, message.id)).toMatchObject({ isDeleted: true });
      });

      it('does not find a message through another conversation', async () => {
        const a = await createConversation();
        const b = await createConversation();
        const message = await send(a.id, ADMIN, 1);
        expect(await store.messages.findById(b.id, message.id)).toBeNull();
        expect(await store.messages.softDelete(b.id, message.id, { by: ADMIN, at: at(2) })).toBeNull();
      });
    });

    describe('batch reads (the live feed)', () => {
      it('finds conversations by id in one read, leaving out unknown and malformed ids', async () => {
        const a = await createConversation();
        const b = await createConversation([
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        const found = await store.conversations.findByIds([a.id, b.id, id(), 'not-a-uuid', a.id]);
        expect([...found.keys()].sort()).toEqual([a.id, b.id].sort());
        expect(found.get(a.id)).toEqual(a);
        expect(found.get(b.id)).toEqual(b);
        expect((await store.conversations.findByIds([])).size).toBe(0);
      });

      it('finds messages by id across conversations, with attachments, deleted ones as stored', async () => {
        const a = await createConversation();
        const b = await createConversation();
        const first = await send(a.id, ADMIN, 1, { content: 'first' });
        const messageId = id();
        const file = attachment(messageId);
        const second = await send(b.id, STORE_USER, 2, { id: messageId, attachments: [file] });
        await store.messages.softDelete(a.id, first.id, { by: ADMIN, at: at(3) });
        const found = await store.messages.findByIds([first.id, second.id, id(), 'nope']);
        expect([...found.keys()].sort()).toEqual([first.id, second.id].sort());
        expect(found.get(first.id)).toMatchObject({
          conversationId: a.id,
          content: 'first',
          isDeleted: true,
        });
        expect(found.get(second.id)).toEqual(second);
        expect(found.get(second.id)?.attachments).toEqual([file]);
        expect((await store.messages.findByIds([])).size).toBe(0);
      });

      it('finds the latest message of each conversation (the highest seq), none for an empty one', async () => {
        const a = await createConversation();
        const b = await createConversation();
        const empty = await createConversation();
        await send(a.id, ADMIN, 5);
        const latestOfA = await send(a.id, STORE_USER, 1, { content: 'newest' });
        const latestOfB = await send(b.id, ADMIN, 2);
        const found = await store.messages.latestByConversations([a.id, b.id, empty.id, id(), 'x']);
        expect([...found.keys()].sort()).toEqual([a.id, b.id].sort());
        expect(found.get(a.id)).toEqual(latestOfA);
        expect(found.get(b.id)).toEqual(latestOfB);
      });

      it('lists the people sharing an active conversation with someone, once each, ordered, limited', async () => {
        const OTHER: ParticipantRef = { type: 'customer', id: 'customer-2' };
        const STRANGER: ParticipantRef = { type: 'customer', id: 'customer-9' };
        const withAdmin = await createConversation();
        await createConversation([
          [STORE_USER, STORE_ID],
          [CUSTOMER, STORE_ID],
        ]);
        await createConversation([
          [STORE_USER, STORE_ID],
          [ADMIN, null],
        ]);
        const left = await createConversation([
          [STORE_USER, STORE_ID],
          [OTHER, STORE_ID],
        ]);
        await createConversation([
          [ADMIN, null],
          [STRANGER, STORE_ID],
        ]);
        await store.participants.leave(left.id, OTHER, at(4));
        expect(await store.participants.listContacts(STORE_USER, 10)).toEqual([ADMIN, CUSTOMER]);
        expect(await store.participants.listContacts(STORE_USER, 1)).toEqual([ADMIN]);
        expect(await store.participants.listContacts(ADMIN, 10)).toEqual([STRANGER, STORE_USER]);
        // A former member has no contacts there, and nobody sees them through it.
        expect(await store.participants.listContacts(OTHER, 10)).toEqual([]);
        await store.participants.leave(withAdmin.id, ADMIN, at(5));
        expect(await store.participants.listContacts(ADMIN, 10)).toEqual([STRANGER, STORE_USER]);
        expect(await store.participants.listContacts({ type: 'customer', id: 'nobody' }, 10)).toEqual([]);
        expect(await store.participants.listContacts(STORE_USER, 0)).toEqual([]);
      });
    });

    describe('inbox', () => {
      it('lists only the participant’s conversations, latest activity first, with members and the latest message', async () => {
        const first = await createConversation(
          [
            [ADMIN, null],
            [STORE_USER, STORE_ID],
          ],
          { createdAt: at(0) },
        );
        const second = await createConversation(
          [
            [ADMIN, null],
            [CUSTOMER, STORE_ID],
          ],
          { createdAt: at(1), conversationType: 'admin_customer' },
        );
        const third = await createConversation(
          [
            [STORE_USER, STORE_ID],
            [CUSTOMER, STORE_ID],
          ],
          { createdAt: at(2), conversationType: 'store_customer' },
        );
        const latest = await send(first.id, STORE_USER, 10, { content: 'latest' });

        const page = await store.conversations.listInbox(ADMIN, {}, { limit: 10 });
        expect(page.entries.map((e) => e.conversation.id)).toEqual([first.id, second.id]);
        expect(page.nextCursor).toBeNull();
        const top = page.entries[0] as InboxEntry;
        expect(top.membership.participant).toEqual(ADMIN);
        expect(top.membership.unreadCount).toBe(1);
        expect(top.participants.map((p) => p.participant)).toEqual([ADMIN, STORE_USER]);
        expect(top.lastMessage?.id).toBe(latest.id);
        expect(top.conversation.messageCount).toBe(1);
        expect(page.entries[1]?.lastMessage).toBeNull();
        expect(
          (await store.conversations.listInbox(CUSTOMER, {}, { limit: 10 })).entries.map(
            (e) => e.conversation.id,
          ),
        ).toEqual([third.id, second.id]);
      });

      it('filters by type, open/closed, unread and store', async () => {
        const a = await createConversation(
          [
            [ADMIN, null],
            [STORE_USER, STORE_ID],
          ],
          { createdAt: at(0) },
        );
        const b = await createConversation(
          [
            [ADMIN, null],
            [CUSTOMER, STORE_ID],
          ],
          { createdAt: at(1), conversationType: 'admin_customer' },
        );
        const c = await createConversation(
          [
            [ADMIN, null],
            [{ type: 'store', id: 'other-user' }, 'store-2'],
          ],
          {
            createdAt: at(2),
            tenantId: 'store-2',
          },
        );
        await send(b.id, CUSTOMER, 3);
        await store.conversations.setClosed(c.id, { isClosed: true, at: at(4), by: ADMIN });
        const ids = async (filter: Parameters<MessagingStore['conversations']['listInbox']>[1]) =>
          (await store.conversations.listInbox(ADMIN, filter, { limit: 10 })).entries.map(
            (e) => e.conversation.id,
          );
        expect(await ids({ conversationType: 'admin_store' })).toEqual([c.id, a.id]);
        expect(await ids({ isClosed: true })).toEqual([c.id]);
        expect(await ids({ isClosed: false })).toEqual([b.id, a.id]);
        expect(await ids({ unreadOnly: true })).toEqual([b.id]);
        expect(await ids({ storeId: 'store-2' })).toEqual([c.id]);
        expect(
          await ids({ storeId: STORE_ID, conversationType: 'admin_customer', unreadOnly: true }),
        ).toEqual([b.id]);
        expect(await store.conversations.countInbox(ADMIN, { isClosed: false })).toEqual({
          total: 2,
          totalUnread: 1,
        });
      });

      it('counts the badge over non-muted conversations only', async () => {
        const a = await createConversation();
        const b = await createConversation();
        await send(a.id, ADMIN, 1);
        await send(a.id, ADMIN, 2);
        await send(b.id, ADMIN, 3);
        expect(await store.conversations.unreadTotal(STORE_USER)).toBe(3);
        await store.participants.updatePreferences(a.id, STORE_USER, { muted: true });
        expect(await store.conversations.unreadTotal(STORE_USER)).toBe(1);
        expect(await store.conversations.countInbox(STORE_USER, {})).toEqual({ total: 2, totalUnread: 1 });
        expect(await member(a.id, STORE_USER)).toMatchObject({ unreadCount: 2, muted: true });
        expect(await store.conversations.unreadTotal(CUSTOMER)).toBe(0);
      });

      it('scopes the badge to a store when asked, ignoring the other filters', async () => {
        const home = await createConversation([
          [ADMIN, null],
          [STORE_USER, STORE_ID],
        ]);
        const away = await createConversation(
          [
            [ADMIN, null],
            [STORE_USER, 'store-2'],
          ],
          { tenantId: 'store-2' },
        );
        await send(home.id, ADMIN, 1);
        await send(away.id, ADMIN, 2);
        await send(away.id, ADMIN, 3);
        expect(await store.conversations.unreadTotal(STORE_USER)).toBe(3);
        expect(await store.conversations.unreadTotal(STORE_USER, STORE_ID)).toBe(1);
        expect(await store.conversations.unreadTotal(STORE_USER, 'store-2')).toBe(2);
        expect(
          await store.conversations.countInbox(STORE_USER, { storeId: 'store-2', isClosed: true }),
        ).toEqual({
          total: 0,
          totalUnread: 2,
        });
      });

      it('pages with a keyset cursor, each conversation exactly once', async () => {
        const created: string[] = [];
        for (let i = 0; i < 7; i += 1)
          created.push((await createConversation(undefined, { createdAt: at(i % 3) })).id);
        const seen: string[] = [];
        let page = await store.conversations.listInbox(ADMIN, {}, { limit: 3 });
        seen.push(...page.entries.map((e) => e.conversation.id));
        while (page.nextCursor) {
          page = await store.conversations.listInbox(ADMIN, {}, { limit: 3, cursor: page.nextCursor });
          seen.push(...page.entries.map((e) => e.conversation.id));
        }
        expect(seen.length).toBe(7);
        expect(new Set(seen)).toEqual(new Set(created));
        // Order: activity desc, then id desc.
        const expected = [...created]
          .map((cid, i) => ({ cid, t: i % 3 }))
          .sort((x, y) => y.t - x.t || (x.cid < y.cid ? 1 : -1));
        expect(seen).toEqual(expected.map((x) => x.cid));
      });

      it('returns every conversation once while messages arrive during the walk', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 9; i += 1) {
          const c = await createConversation(undefined, { createdAt: at(i) });
          ids.push(c.id);
          await send(c.id, STORE_USER, 10 + i);
        }
        const seen: string[] = [];
        let page = await store.conversations.listInbox(ADMIN, {}, { limit: 2 });
        seen.push(...page.entries.map((e) => e.conversation.id));
        let clock = 100;
        while (page.nextCursor) {
          // Bump the oldest not-yet-seen conversation and one already seen to the top.
          const unseen = ids.find((cid) => !seen.includes(cid));
          if (unseen) await send(unseen, STORE_USER, clock++);
          await send(seen[0]!, STORE_USER, clock++);
          page = await store.conversations.listInbox(ADMIN, {}, { limit: 2, cursor: page.nextCursor });
          seen.push(...page.entries.map((e) => e.conversation.id));
        }
        expect([...seen].sort()).toEqual([...ids].sort());
        expect(seen.length).toBe(9);
      });
    });

    describe('conversations handled by a team (support)', () => {
      // A team member of store-1 (any participant type the caller names as the team's).
      const TEAMMATE: ParticipantRef = { type: 'store', id: 'store-user-2' };
      const TEAM = { conversationTypes: ['support'], teamParticipantTypes: ['store'] } as const;
      const teamFilter = { storeId: STORE_ID, team: TEAM };

      async function ticket(storeId: string, seconds: number): Promise<Conversation> {
        const conversation = await createConversation([[CUSTOMER, storeId]], {
          conversationType: 'support',
          tenantId: storeId,
          createdAt: at(seconds),
        });
        await send(conversation.id, CUSTOMER, seconds + 1);
        return conversation;
      }

      it('renames: the subject and update time change, as stored; a missing conversation is null', async () => {
        const conversation = await createConversation();
        const renamed = await store.conversations.rename(conversation.id, 'Payout, again', at(9));
        expect(renamed).toMatchObject({ id: conversation.id, subject: 'Payout, again', updatedAt: at(9) });
        expect(await raw.conversation(conversation.id)).toMatchObject({ subject: 'Payout, again' });
        expect(await store.conversations.rename(id(), 'x', at(9))).toBeNull();
      });

      it("lists the tenant's team conversations the member has not joined, with a stand-in membership", async () => {
        const waiting = await ticket(STORE_ID, 0);
        await ticket('store-2', 1);
        const answered = await ticket(STORE_ID, 2);
        await store.transaction(async (tx) => {
          await tx.participants.join(
            answered.id,
            [{ participant: STORE_USER, storeId: STORE_ID, role: 'agent', seesHistory: true }],
            at(4),
          );
        });
        await send(answered.id, STORE_USER, 5);
        // A system message (a close, say) is no answer: the first ticket still waits for the team.
        await append({
          message: draft(waiting.id, STORE_USER, at(6), { isSystemMessage: true, content: 'Closed' }),
          requireOpen: false,
        });

        expect(
          (await store.conversations.listInbox(TEAMMATE, { storeId: STORE_ID }, { limit: 10 })).entries,
        ).toEqual([]);
        const page = await store.conversations.listInbox(TEAMMATE, teamFilter, { limit: 10 });
        expect(page.entries.map((e) => e.conversation.id)).toEqual([waiting.id, answered.id]);
        expect(page.entries.map((e) => e.membership.unreadCount)).toEqual([1, 0]);
        const top = page.entries[0] as InboxEntry;
        expect(top.membership).toMatchObject({
          conversationId: waiting.id,
          participant: TEAMMATE,
          role: 'none',
          lastReadSeq: 0,
          lastReadAt: null,
          lastDeliveredSeq: 0,
          lastDeliveredAt: null,
          muted: false,
          leftAt: null,
          visibleFromSeq: 1,
          lastActivityAt: at(6),
        });
        expect(top.participants.map((p) => p.participant)).toEqual([CUSTOMER]);
        expect(top.lastMessage?.content).toBe('Closed');
        expect(await store.conversations.countInbox(TEAMMATE, teamFilter)).toEqual({
          total: 2,
          totalUnread: 1,
        });
        expect(await store.conversations.unreadTotal(TEAMMATE, STORE_ID, TEAM)).toBe(1);
        expect(
          (
            await store.conversations.listInbox(TEAMMATE, { ...teamFilter, unreadOnly: true }, { limit: 10 })
          ).entries.map((e) => e.conversation.id),
        ).toEqual([waiting.id]);
        expect(
          (
            await store.conversations.listInbox(
              TEAMMATE,
              { ...teamFilter, conversationType: 'admin_store' },
              { limit: 10 },
            )
          ).entries,
        ).toEqual([]);

        // The customer writes again: it waits for the team again, the answering member included.
        await send(answered.id, CUSTOMER, 7);
        expect(await store.conversations.countInbox(TEAMMATE, teamFilter)).toEqual({
          total: 2,
          totalUnread: 2,
        });
        expect(await store.conversations.unreadTotal(STORE_USER, STORE_ID, TEAM)).toBe(2);

        // Once joined, the member's own row is listed instead of the stand-in, once.
        await store.transaction(async (tx) => {
          await tx.participants.join(
            waiting.id,
            [{ participant: TEAMMATE, storeId: STORE_ID, role: 'agent', seesHistory: true }],
            at(8),
          );
        });
        const joined = await store.conversations.listInbox(TEAMMATE, teamFilter, { limit: 10 });
        expect(
          joined.entries.map((e) => [e.conversation.id, e.membership.role, e.membership.unreadCount]),
        ).toEqual([
          // Joining is the member's latest activity (`join` sets it), so it comes first.
          [waiting.id, 'agent', 0],
          [answered.id, 'none', 1],
        ]);
      });

      it('pages memberships and team conversations together, each once, while messages arrive', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 4; i += 1) ids.push((await ticket(STORE_ID, i * 2)).id);
        for (let i = 0; i < 3; i += 1) {
          const own = await createConversation(
            [
              [TEAMMATE, STORE_ID],
              [CUSTOMER, STORE_ID],
            ],
            { createdAt: at(20 + i), conversationType: 'store_customer' },
          );
          ids.push(own.id);
        }
        const seen: string[] = [];
        let page = await store.conversations.listInbox(TEAMMATE, teamFilter, { limit: 2 });
        seen.push(...page.entries.map((e) => e.conversation.id));
        let clock = 100;
        while (page.nextCursor) {
          const unseen = ids.find((cid) => !seen.includes(cid));
          if (unseen) await send(unseen, CUSTOMER, clock++);
          page = await store.conversations.listInbox(TEAMMATE, teamFilter, {
            limit: 2,
            cursor: page.nextCursor,
          });
          seen.push(...page.entries.map((e) => e.conversation.id));
        }
        expect(seen.length).toBe(7);
        expect(new Set(seen)).toEqual(new Set(ids));
      });
    });
  });
}
