import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import type { MessagingStore } from '../../ports/messaging-store.js';
import type {
  MessagingStoreContractOptions,
  MessagingStoreContractTarget,
} from './messaging-store-contract.js';
import type { MessagingStoreRawReader } from './raw-readers.js';

const T0 = Date.parse('2026-05-01T09:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

// UUID-shaped ids (SQL adapters use uuid columns), distinct from the other suites' ids.
let sequence = 0;
function id(): string {
  sequence += 1;
  return `01900000-0000-7000-8018-${sequence.toString(16).padStart(12, '0')}`;
}

const STORE_USER: ParticipantRef = { type: 'store', id: 'store-user-1' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'customer-1' };
const STRANGER: ParticipantRef = { type: 'customer', id: 'customer-9' };
const STORE_ID = 'store-1';

/**
 * Per-person archive and edits with history (issue 14) in every `MessagingStore` adapter:
 * `ParticipantRepository.setArchived`, the archive cleared by `MessageRepository.append`, the
 * inbox's `archived` filter, and `MessageRepository.edit` / `revisions` / `answeredAfter`
 * (concurrent edits of one revision: exactly one wins). Same options as `messagingStoreContract`.
 *
 * @example
 * ```ts
 * archiveAndEditsContract({
 *   name: 'in-memory',
 *   setup: async () => { const store = new InMemoryMessagingStore(); return { store, raw: store.raw }; },
 * });
 * ```
 */
export function archiveAndEditsContract(options: MessagingStoreContractOptions): void {
  describe(`MessagingStore archive and edits contract: ${options.name}`, () => {
    let target: MessagingStoreContractTarget;
    let store: MessagingStore;
    let raw: MessagingStoreRawReader;

    beforeEach(async () => {
      target = await options.setup();
      store = target.store;
      raw = target.raw;
      await target.ensureStore?.(STORE_ID);
    });

    afterEach(async () => {
      await target.teardown?.();
    });

    /** A `store_customer` conversation of STORE_USER and CUSTOMER, created at `at(seconds)`. */
    async function conversation(seconds = 0): Promise<Conversation> {
      const record: Conversation = {
        id: id(),
        conversationType: 'store_customer',
        subject: 'Archive and edits',
        tenantId: STORE_ID,
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: at(seconds),
        updatedAt: at(seconds),
      };
      const member = (participant: ParticipantRef): ConversationParticipant => ({
        conversationId: record.id,
        participant,
        tenantId: STORE_ID,
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: at(seconds),
        joinedAt: at(seconds),
        role: 'member',
        leftAt: null,
        visibleFromSeq: 1,
      });
      await store.conversations.create(record, [member(STORE_USER), member(CUSTOMER)]);
      return record;
    }

    async function send(
      conversationId: string,
      sender: ParticipantRef,
      seconds: number,
      content = `at ${seconds}`,
      isSystemMessage = false,
    ): Promise<string> {
      const messageId = id();
      const result = await store.messages.append({
        message: {
          id: messageId,
          conversationId,
          sender,
          content,
          isSystemMessage,
          createdAt: at(seconds),
          attachments: [],
        },
        requireOpen: false,
      });
      if (result.status !== 'created') throw new Error(`expected created, got ${result.status}`);
      return messageId;
    }

    async function membership(conversationId: string, ref: ParticipantRef): Promise<ConversationParticipant> {
      const found = (await raw.participants(conversationId)).find(
        (p) => p.participant.type === ref.type && p.participant.id === ref.id,
      );
      if (!found) throw new Error(`no membership for ${ref.type}:${ref.id}`);
      return found;
    }

    describe('setArchived', () => {
      it('archives for one member only, keeps the first time, and unarchives once', async () => {
        const c = await conversation();
        const first = await store.participants.setArchived(c.id, CUSTOMER, at(10));
        expect(first?.changed).toBe(true);
        expect(first?.membership.archivedAt).toEqual(at(10));
        expect((await membership(c.id, CUSTOMER)).archivedAt).toEqual(at(10));
        expect((await membership(c.id, STORE_USER)).archivedAt ?? null).toBeNull();

        const again = await store.participants.setArchived(c.id, CUSTOMER, at(20));
        expect(again?.changed).toBe(false);
        expect((await membership(c.id, CUSTOMER)).archivedAt).toEqual(at(10));

        const back = await store.participants.setArchived(c.id, CUSTOMER, null);
        expect(back?.changed).toBe(true);
        expect(back?.membership.archivedAt ?? null).toBeNull();
        expect((await membership(c.id, CUSTOMER)).archivedAt ?? null).toBeNull();
        expect((await store.participants.setArchived(c.id, CUSTOMER, null))?.changed).toBe(false);
      });

      it('answers null for someone who is not an active member, and writes nothing', async () => {
        const c = await conversation();
        expect(await store.participants.setArchived(c.id, STRANGER, at(5))).toBeNull();
        expect(await store.participants.setArchived(id(), CUSTOMER, at(5))).toBeNull();
        expect(await store.participants.setArchived('not-a-uuid', CUSTOMER, at(5))).toBeNull();
        await store.transaction(async (tx) => {
          await tx.participants.leave(c.id, CUSTOMER, at(6));
        });
        expect(await store.participants.setArchived(c.id, CUSTOMER, at(7))).toBeNull();
        expect((await membership(c.id, CUSTOMER)).archivedAt ?? null).toBeNull();
      });

      it('is undone by a message from someone else, not by the archiver’s own nor a system message', async () => {
        const c = await conversation();
        await store.participants.setArchived(c.id, CUSTOMER, at(1));
        await store.participants.setArchived(c.id, STORE_USER, at(1));
        await send(c.id, CUSTOMER, 2);
        expect((await membership(c.id, CUSTOMER)).archivedAt).toEqual(at(1));
        expect((await membership(c.id, STORE_USER)).archivedAt ?? null).toBeNull();
        await store.participants.setArchived(c.id, STORE_USER, at(3));
        await send(c.id, STORE_USER, 4, 'closed', true);
        expect((await membership(c.id, STORE_USER)).archivedAt).toEqual(at(3));
        expect((await membership(c.id, CUSTOMER)).archivedAt).toEqual(at(1));
        await send(c.id, STORE_USER, 5);
        expect((await membership(c.id, CUSTOMER)).archivedAt ?? null).toBeNull();
      });
    });

    describe('the inbox’s archived filter', () => {
      it('lists and counts archived conversations apart, the badge unchanged', async () => {
        const kept = await conversation(0);
        const archived = await conversation(1);
        await send(archived.id, STORE_USER, 2);
        await store.participants.setArchived(archived.id, CUSTOMER, at(3));

        const ids = async (archivedFilter: boolean | undefined) =>
          (
            await store.conversations.listInbox(
              CUSTOMER,
              archivedFilter === undefined ? {} : { archived: archivedFilter },
              { limit: 10 },
            )
          ).entries.map((e) => e.conversation.id);
        expect(await ids(false)).toEqual([kept.id]);
        expect(await ids(true)).toEqual([archived.id]);
        expect(await ids(undefined)).toEqual([archived.id, kept.id]);
        const counted = await store.conversations.countInbox(CUSTOMER, { archived: false });
        expect(counted).toEqual({ total: 1, totalUnread: 1 });
        expect((await store.conversations.countInbox(CUSTOMER, { archived: true })).total).toBe(1);
        const [entry] = (await store.conversations.listInbox(CUSTOMER, { archived: true }, { limit: 10 }))
          .entries;
        expect(entry?.membership.archivedAt).toEqual(at(3));
        // Someone else's inbox is not filtered by it.
        const theirs = await store.conversations.listInbox(STORE_USER, { archived: false }, { limit: 10 });
        expect(theirs.entries.map((e) => e.conversation.id)).toEqual([archived.id, kept.id]);
      });
    });

    describe('edit', () => {
      it('replaces the content, bumps the revision and keeps every version', async () => {
        const c = await conversation();
        const messageId = await send(c.id, CUSTOMER, 1, 'Helo');
        expect(await store.messages.revisions(c.id, messageId)).toEqual([]);
        const before = (await raw.messages(c.id))[0];
        expect(before?.revision ?? 1).toBe(1);
        expect(before?.editedAt ?? null).toBeNull();

        const result = await store.transaction((tx) =>
          tx.messages.edit(c.id, messageId, {
            content: 'Hello',
            editor: CUSTOMER,
            at: at(30),
            expectedRevision: 1,
          }),
        );
        expect(result.status).toBe('edited');
        if (result.status !== 'edited') return;
        expect(result.message).toMatchObject({ id: messageId, content: 'Hello', revision: 2, seq: 1 });
        expect(result.message.editedAt).toEqual(at(30));
        const [stored] = await raw.messages(c.id);
        expect(stored).toMatchObject({ content: 'Hello', revision: 2, editedAt: at(30), createdAt: at(1) });

        await store.messages.edit(c.id, messageId, {
          content: 'Hello!',
          editor: STORE_USER,
          at: at(40),
          expectedRevision: 2,
        });
        const history = [
          { messageId, revision: 1, content: 'Helo', editor: CUSTOMER, createdAt: at(1) },
          { messageId, revision: 2, content: 'Hello', editor: CUSTOMER, createdAt: at(30) },
          { messageId, revision: 3, content: 'Hello!', editor: STORE_USER, createdAt: at(40) },
        ];
        expect(await raw.messageRevisions(messageId)).toEqual(history);
        expect(await store.messages.revisions(c.id, messageId)).toEqual(history);
        // Through another conversation, nothing.
        const other = await conversation();
        expect(await store.messages.revisions(other.id, messageId)).toEqual([]);
      });

      it('writes nothing for a stale revision, a deleted or an unknown message', async () => {
        const c = await conversation();
        const messageId = await send(c.id, CUSTOMER, 1, 'first');
        const stale = await store.messages.edit(c.id, messageId, {
          content: 'nope',
          editor: CUSTOMER,
          at: at(2),
          expectedRevision: 2,
        });
        expect(stale).toMatchObject({ status: 'stale', message: { content: 'first' } });
        expect(await raw.messageRevisions(messageId)).toEqual([]);

        await store.messages.softDelete(c.id, messageId, { by: CUSTOMER, at: at(3) });
        const deleted = await store.messages.edit(c.id, messageId, {
          content: 'nope',
          editor: CUSTOMER,
          at: at(4),
          expectedRevision: 1,
        });
        expect(deleted.status).toBe('deleted');
        for (const [conversationId, message] of [
          [c.id, id()],
          [id(), messageId],
          ['nope', 'nope'],
        ] as const) {
          const missing = await store.messages.edit(conversationId, message, {
            content: 'nope',
            editor: CUSTOMER,
            at: at(5),
            expectedRevision: 1,
          });
          expect(missing.status).toBe('not_found');
        }
        expect((await raw.messages(c.id))[0]).toMatchObject({ content: 'first' });
        expect(await raw.messageRevisions(messageId)).toEqual([]);
      });

      it('lets exactly one of concurrent edits of the same revision win', async () => {
        const c = await conversation();
        const messageId = await send(c.id, CUSTOMER, 1, 'first');
        const results = await Promise.all(
          ['a', 'b', 'c', 'd'].map((content, i) =>
            store.transaction((tx) =>
              tx.messages.edit(c.id, messageId, {
                content,
                editor: CUSTOMER,
                at: at(10 + i),
                expectedRevision: 1,
              }),
            ),
          ),
        );
        const won = results.filter((r) => r.status === 'edited');
        expect(won).toHaveLength(1);
        expect(results.filter((r) => r.status === 'stale')).toHaveLength(3);
        const revisions = await raw.messageRevisions(messageId);
        expect(revisions.map((r) => r.revision)).toEqual([1, 2]);
        const [stored] = await raw.messages(c.id);
        expect(stored?.revision).toBe(2);
        expect(stored?.content).toBe(revisions[1]?.content);
      });
    });

    describe('answeredAfter', () => {
      it('is true only once someone else sent a non-system message after it', async () => {
        const c = await conversation();
        await send(c.id, CUSTOMER, 1);
        await send(c.id, CUSTOMER, 2);
        await send(c.id, STORE_USER, 3, 'closed', true);
        expect(await store.messages.answeredAfter(c.id, 1, CUSTOMER)).toBe(false);
        await send(c.id, STORE_USER, 4);
        expect(await store.messages.answeredAfter(c.id, 1, CUSTOMER)).toBe(true);
        expect(await store.messages.answeredAfter(c.id, 4, STORE_USER)).toBe(false);
        expect(await store.messages.answeredAfter(c.id, 3, STORE_USER)).toBe(false);
        expect(await store.messages.answeredAfter('nope', 1, CUSTOMER)).toBe(false);
      });
    });
  });
}
