import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import type { MessagingStore } from '../../ports/messaging-store.js';
import type {
  MessagingStoreContractOptions,
  MessagingStoreContractTarget,
} from './messaging-store-contract.js';
import type { MessagingStoreRawReader } from './raw-readers.js';

const T0 = Date.parse('2026-04-01T09:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

// UUID-shaped ids (SQL adapters use uuid columns), distinct from the other suites' ids.
let sequence = 0;
function id(): string {
  sequence += 1;
  return `01900000-0000-7000-8017-${sequence.toString(16).padStart(12, '0')}`;
}

const ADMIN: ParticipantRef = { type: 'admin', id: 'admin-1' };
const STORE_USER: ParticipantRef = { type: 'store', id: 'store-user-1' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'customer-1' };
const STRANGER: ParticipantRef = { type: 'customer', id: 'customer-9' };
const STORE_ID = 'store-1';

/**
 * Delivery receipts (issue 12) in every `MessagingStore` adapter: `ParticipantRepository`'s
 * `markDelivered` (forward only, capped, batched, with its advances and `conversation.delivered`
 * events) and `receiptTimes`. Same options as `messagingStoreContract`.
 *
 * @example
 * ```ts
 * deliveryReceiptsContract({
 *   name: 'in-memory',
 *   setup: async () => { const store = new InMemoryMessagingStore(); return { store, raw: store.raw }; },
 * });
 * ```
 */
export function deliveryReceiptsContract(options: MessagingStoreContractOptions): void {
  describe(`MessagingStore delivery receipts contract: ${options.name}`, () => {
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

    /** A conversation of ADMIN, STORE_USER and CUSTOMER with `messages` messages by ADMIN (seq 1…n). */
    async function conversationWith(messages: number): Promise<Conversation> {
      const conversation: Conversation = {
        id: id(),
        conversationType: 'admin_store',
        subject: 'Receipts',
        tenantId: STORE_ID,
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: at(0),
        updatedAt: at(0),
      };
      const member = (participant: ParticipantRef, tenantId: string | null): ConversationParticipant => ({
        conversationId: conversation.id,
        participant,
        tenantId,
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: at(0),
        joinedAt: at(0),
        role: 'member',
        leftAt: null,
        visibleFromSeq: 1,
      });
      await store.conversations.create(conversation, [
        member(ADMIN, null),
        member(STORE_USER, STORE_ID),
        member(CUSTOMER, STORE_ID),
      ]);
      for (let i = 1; i <= messages; i += 1) {
        const result = await store.messages.append({
          message: {
            id: id(),
            conversationId: conversation.id,
            sender: ADMIN,
            content: `message ${i}`,
            isSystemMessage: false,
            createdAt: at(i),
            attachments: [],
          },
          requireOpen: true,
        });
        if (result.status !== 'created') throw new Error(`expected created, got ${result.status}`);
      }
      return conversation;
    }

    async function membership(conversationId: string, ref: ParticipantRef): Promise<ConversationParticipant> {
      const found = (await raw.participants(conversationId)).find(
        (p) => p.participant.type === ref.type && p.participant.id === ref.id,
      );
      if (!found) throw new Error(`no membership for ${ref.type}:${ref.id}`);
      return found;
    }

    const deliveredEvents = async () =>
      (await raw.events()).filter((e) => e.type === 'conversation.delivered');

    it('starts every membership undelivered', async () => {
      const conversation = await conversationWith(1);
      const customer = await membership(conversation.id, CUSTOMER);
      expect(customer.lastDeliveredSeq).toBe(0);
      expect(customer.lastDeliveredAt).toBeNull();
    });

    it('moves the delivery state forward, records the advance and one conversation.delivered event', async () => {
      const conversation = await conversationWith(3);
      const moved = await store.participants.markDelivered([
        { conversationId: conversation.id, participant: CUSTOMER, upToSeq: 2, at: at(10) },
      ]);
      expect(moved).toHaveLength(1);
      expect(moved[0]).toMatchObject({
        conversationId: conversation.id,
        participant: CUSTOMER,
        lastDeliveredSeq: 2,
        lastDeliveredAt: at(10),
        lastReadSeq: 0,
      });
      expect(await membership(conversation.id, CUSTOMER)).toMatchObject({
        lastDeliveredSeq: 2,
        lastDeliveredAt: at(10),
      });
      const events = await deliveredEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        tenantId: STORE_ID,
        conversationId: conversation.id,
        actor: CUSTOMER,
        occurredAt: at(10),
        payload: { last_delivered_seq: 2, delivered_at: at(10).toISOString() },
      });
      expect(events[0]?.payload).toEqual({ last_delivered_seq: 2, delivered_at: at(10).toISOString() });
    });

    it('never moves back, ignores what is already covered and caps at the latest message', async () => {
      const conversation = await conversationWith(3);
      const advance = (upToSeq: number, seconds: number) =>
        store.participants.markDelivered([
          { conversationId: conversation.id, participant: CUSTOMER, upToSeq, at: at(seconds) },
        ]);
      expect(await advance(2, 10)).toHaveLength(1);
      expect(await advance(1, 11)).toEqual([]);
      expect(await advance(2, 12)).toEqual([]);
      const capped = await advance(99, 13);
      expect(capped.map((m) => m.lastDeliveredSeq)).toEqual([3]);
      expect(await advance(99, 14)).toEqual([]);
      expect(await membership(conversation.id, CUSTOMER)).toMatchObject({
        lastDeliveredSeq: 3,
        lastDeliveredAt: at(13),
      });
      expect((await deliveredEvents()).map((e) => e.payload)).toEqual([
        { last_delivered_seq: 2, delivered_at: at(10).toISOString() },
        { last_delivered_seq: 3, delivered_at: at(13).toISOString() },
      ]);
    });

    it('counts reading as delivery: a seq the read state covers moves nothing', async () => {
      const conversation = await conversationWith(3);
      await store.participants.markRead(conversation.id, CUSTOMER, at(10), 2);
      const moved = await store.participants.markDelivered([
        { conversationId: conversation.id, participant: CUSTOMER, upToSeq: 2, at: at(11) },
      ]);
      expect(moved).toEqual([]);
      expect((await membership(conversation.id, CUSTOMER)).lastDeliveredSeq).toBe(0);
      expect(await deliveredEvents()).toEqual([]);
      const beyond = await store.participants.markDelivered([
        { conversationId: conversation.id, participant: CUSTOMER, upToSeq: 3, at: at(12) },
      ]);
      expect(beyond.map((m) => m.lastDeliveredSeq)).toEqual([3]);
    });

    it('skips non-members, former members and unknown conversations without failing the batch', async () => {
      const conversation = await conversationWith(2);
      await store.participants.leave(conversation.id, STORE_USER, at(5));
      const before = (await raw.counts()).events;
      const moved = await store.participants.markDelivered([
        { conversationId: conversation.id, participant: STRANGER, upToSeq: 2, at: at(10) },
        { conversationId: conversation.id, participant: STORE_USER, upToSeq: 2, at: at(10) },
        { conversationId: id(), participant: CUSTOMER, upToSeq: 2, at: at(10) },
        { conversationId: 'not-a-uuid', participant: CUSTOMER, upToSeq: 2, at: at(10) },
        { conversationId: conversation.id, participant: CUSTOMER, upToSeq: 2, at: at(10) },
      ]);
      expect(moved.map((m) => `${m.participant.type}:${m.participant.id}`)).toEqual(['customer:customer-1']);
      expect((await membership(conversation.id, STORE_USER)).lastDeliveredSeq).toBe(0);
      expect((await raw.counts()).events).toBe(before + 1);
    });

    it('moves many members of many conversations in one call; one member listed twice counts once, at the highest', async () => {
      const first = await conversationWith(3);
      const second = await conversationWith(2);
      const moved = await store.participants.markDelivered([
        { conversationId: first.id, participant: CUSTOMER, upToSeq: 1, at: at(10) },
        { conversationId: first.id, participant: STORE_USER, upToSeq: 2, at: at(10) },
        { conversationId: second.id, participant: CUSTOMER, upToSeq: 2, at: at(10) },
        { conversationId: first.id, participant: CUSTOMER, upToSeq: 3, at: at(10) },
      ]);
      const key = (m: ConversationParticipant) =>
        `${m.conversationId === first.id ? 'first' : 'second'} ${m.participant.id} ${m.lastDeliveredSeq}`;
      expect(moved.map(key).sort()).toEqual([
        'first customer-1 3',
        'first store-user-1 2',
        'second customer-1 2',
      ]);
      const events = await deliveredEvents();
      expect(events).toHaveLength(3);
      expect(
        events
          .map(
            (e) =>
              `${e.conversationId === first.id ? 'first' : 'second'} ${e.actor.id} ${e.payload.last_delivered_seq}`,
          )
          .sort(),
      ).toEqual(['first customer-1 3', 'first store-user-1 2', 'second customer-1 2']);
    });

    it('lets concurrent batches over the same members (in any order) all finish, at the highest seq', async () => {
      const conversations = [await conversationWith(6), await conversationWith(6)];
      const entries = conversations.flatMap((c) =>
        [CUSTOMER, STORE_USER].map((participant) => ({ conversationId: c.id, participant })),
      );
      await Promise.all(
        Array.from({ length: 8 }, (_, round) => {
          const ordered = round % 2 === 0 ? entries : [...entries].reverse();
          return store.participants.markDelivered(
            ordered.map((e) => ({ ...e, upToSeq: round < 4 ? round + 1 : 6, at: at(10 + round) })),
          );
        }),
      );
      for (const c of conversations) {
        expect((await membership(c.id, CUSTOMER)).lastDeliveredSeq).toBe(6);
        expect((await membership(c.id, STORE_USER)).lastDeliveredSeq).toBe(6);
      }
      const events = await deliveredEvents();
      // One event per move, and every member's last one says 6.
      expect(events.length).toBeGreaterThanOrEqual(4);
      expect(events.length).toBeLessThanOrEqual(4 * 5);
    });

    it('writes nothing when its transaction rolls back', async () => {
      const conversation = await conversationWith(2);
      await store
        .transaction(async (tx) => {
          await tx.participants.markDelivered([
            { conversationId: conversation.id, participant: CUSTOMER, upToSeq: 2, at: at(10) },
          ]);
          throw new Error('boom');
        })
        .catch(() => undefined);
      expect((await membership(conversation.id, CUSTOMER)).lastDeliveredSeq).toBe(0);
      expect(await deliveredEvents()).toEqual([]);
      const times = await store.participants.receiptTimes(conversation.id, [CUSTOMER], [1]);
      expect(times.get('customer:customer-1')?.get(1)).toEqual({ readAt: null, deliveredAt: null });
    });

    it('tells when each member’s first read and delivery advance reached each seq', async () => {
      const conversation = await conversationWith(4);
      await store.participants.markDelivered([
        { conversationId: conversation.id, participant: CUSTOMER, upToSeq: 2, at: at(10) },
        { conversationId: conversation.id, participant: STORE_USER, upToSeq: 4, at: at(10) },
      ]);
      await store.participants.markDelivered([
        { conversationId: conversation.id, participant: CUSTOMER, upToSeq: 4, at: at(20) },
      ]);
      await store.participants.markRead(conversation.id, CUSTOMER, at(30), 1);
      await store.participants.markRead(conversation.id, CUSTOMER, at(40), 3);
      const times = await store.participants.receiptTimes(
        conversation.id,
        [CUSTOMER, STORE_USER, STRANGER],
        [1, 2, 3, 4],
      );
      expect([...(times.get('customer:customer-1')?.entries() ?? [])]).toEqual([
        [1, { readAt: at(30), deliveredAt: at(10) }],
        [2, { readAt: at(40), deliveredAt: at(10) }],
        [3, { readAt: at(40), deliveredAt: at(20) }],
        [4, { readAt: null, deliveredAt: at(20) }],
      ]);
      expect(times.get('store:store-user-1')?.get(4)).toEqual({ readAt: null, deliveredAt: at(10) });
      expect(times.get('customer:customer-9')?.get(1)).toEqual({ readAt: null, deliveredAt: null });
    });

    it('answers every participant and seq asked, even for an unknown conversation', async () => {
      const times = await store.participants.receiptTimes(id(), [CUSTOMER], [1, 2]);
      expect([...(times.get('customer:customer-1')?.keys() ?? [])].sort()).toEqual([1, 2]);
      expect(await store.participants.receiptTimes(id(), [], [1])).toEqual(new Map());
    });
  });
}
