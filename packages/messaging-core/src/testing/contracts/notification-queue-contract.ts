import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import type { ParticipantRef } from '../../model/participant-ref.js';
import type { MessagingStore } from '../../ports/messaging-store.js';
import type { NotificationQueue } from '../../ports/notification-queue.js';
import type { MessagingStoreRawReader } from './raw-readers.js';

export interface NotificationQueueContractTarget {
  /** The store whose `append` enqueues into `queue`. */
  readonly store: MessagingStore;
  readonly queue: NotificationQueue;
  readonly raw: MessagingStoreRawReader;
  readonly ensureStore?: (storeId: string) => Promise<void>;
  readonly teardown?: () => Promise<void>;
}

export interface NotificationQueueContractOptions {
  readonly name: string;
  /** A fresh, empty store and its queue for each test. */
  readonly setup: () => Promise<NotificationQueueContractTarget>;
}

const T0 = Date.parse('2026-04-01T09:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

let sequence = 0;
function id(): string {
  sequence += 1;
  return `01900000-0000-7000-9000-${sequence.toString(16).padStart(12, '0')}`;
}

const STORE_USER: ParticipantRef = { type: 'store', id: 'queue-store-user' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'queue-customer' };
const ADMIN: ParticipantRef = { type: 'admin', id: 'queue-admin' };
const STORE_ID = 'queue-store';
const LEASE = 60_000;
const WINDOW = 300_000;

/**
 * The `NotificationQueue` contract: claims lease whole due groups, honour the batching window and
 * `availableAt`, and writes after the claim apply only to the lease holder's pending jobs.
 *
 * @example
 * ```ts
 * notificationQueueContract({ name: 'in-memory', setup: async () => { const store = new InMemoryMessagingStore(); return { store, queue: store.notifications, raw: store.raw }; } });
 * ```
 */
export function notificationQueueContract(options: NotificationQueueContractOptions): void {
  describe(`NotificationQueue contract: ${options.name}`, () => {
    let target: NotificationQueueContractTarget;
    let queue: NotificationQueue;

    beforeEach(async () => {
      target = await options.setup();
      queue = target.queue;
      await target.ensureStore?.(STORE_ID);
    });

    afterEach(async () => {
      await target.teardown?.();
    });

    async function conversation(members: readonly ParticipantRef[] = [STORE_USER, CUSTOMER]) {
      const createdAt = at(0);
      const record: Conversation = {
        id: id(),
        conversationType: 'store_customer',
        subject: 'Order 42',
        storeId: STORE_ID,
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt,
        updatedAt: createdAt,
      };
      const memberships = members.map(
        (participant): ConversationParticipant => ({
          conversationId: record.id,
          participant,
          storeId: participant.type === 'admin' ? null : STORE_ID,
          unreadCount: 0,
          lastReadSeq: 0,
          lastReadAt: null,
          emailNotifications: true,
          muted: false,
          lastActivityAt: createdAt,
          joinedAt: createdAt,
        }),
      );
      await target.store.conversations.create(record, memberships);
      return record.id;
    }

    async function send(conversationId: string, sender: ParticipantRef, seconds: number): Promise<string> {
      const messageId = id();
      const result = await target.store.messages.append({
        message: {
          id: messageId,
          conversationId,
          sender,
          content: `message at ${seconds}`,
          isSystemMessage: false,
          createdAt: at(seconds),
          attachments: [],
        },
        requireOpen: true,
      });
      expect(result.status).toBe('created');
      return messageId;
    }

    const claim = (workerId: string, seconds: number, limit = 10) =>
      queue.claimDue({ workerId, now: at(seconds), leaseMs: LEASE, windowMs: WINDOW, limit });

    it('claims a due group whole, oldest job first, under a lease', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const m2 = await send(c, STORE_USER, 2);
      expect(await claim('w1', 0)).toEqual([]);

      const groups = await claim('w1', 3);
      expect(groups).toHaveLength(1);
      const [group] = groups;
      expect(group).toMatchObject({ recipient: CUSTOMER, conversationId: c, storeId: STORE_ID });
      expect(group?.jobs.map((job) => job.messageId)).toEqual([m1, m2]);
      for (const job of group?.jobs ?? []) {
        expect(job).toMatchObject({ status: 'pending', attempts: 1, lockedBy: 'w1', lockedUntil: at(63) });
      }
      const [stored] = await target.raw.notificationJobs(m1);
      expect(stored).toMatchObject({ attempts: 1, lockedBy: 'w1', lockedUntil: at(63) });

      expect(await claim('w2', 30)).toEqual([]);
      const retaken = await claim('w2', 63);
      expect(retaken[0]?.jobs.map((job) => [job.messageId, job.attempts, job.lockedBy])).toEqual([
        [m1, 2, 'w2'],
        [m2, 2, 'w2'],
      ]);
    });

    it('completes as sent, then holds the next messages until the window has passed', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const [group] = await claim('w1', 1);
      await queue.complete(group?.jobs.map((job) => job.id) ?? [], {
        workerId: 'w1',
        status: 'sent',
        emailLogId: 'log-1',
        at: at(2),
      });
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        status: 'sent',
        emailLogId: 'log-1',
        lockedBy: null,
        lockedUntil: null,
      });
      const m2 = await send(c, STORE_USER, 10);
      const m3 = await send(c, STORE_USER, 20);
      expect(await claim('w1', 301)).toEqual([]);
      const [later] = await claim('w1', 302);
      expect(later?.jobs.map((job) => job.messageId)).toEqual([m2, m3]);
    });

    it('skipping does not open a window', async () => {
      const c = await conversation();
      await send(c, STORE_USER, 1);
      const [group] = await claim('w1', 1);
      await queue.complete(group?.jobs.map((job) => job.id) ?? [], {
        workerId: 'w1',
        status: 'skipped',
        emailLogId: null,
        at: at(1),
      });
      const m2 = await send(c, STORE_USER, 2);
      const [next] = await claim('w1', 2);
      expect(next?.jobs.map((job) => job.messageId)).toEqual([m2]);
    });

    it('reschedules with the error, and fails for good', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const [group] = await claim('w1', 1);
      const ids = group?.jobs.map((job) => job.id) ?? [];
      await queue.reschedule(ids, {
        workerId: 'w1',
        availableAt: at(100),
        error: '429 too many requests',
        emailLogId: 'log-2',
        at: at(1),
      });
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        status: 'pending',
        availableAt: at(100),
        lastError: '429 too many requests',
        emailLogId: 'log-2',
        lockedBy: null,
      });
      expect(await claim('w1', 99)).toEqual([]);
      const [again] = await claim('w1', 100);
      expect(again?.jobs.map((job) => job.attempts)).toEqual([2]);
      await queue.fail(ids, {
        workerId: 'w1',
        error: 'mailbox unavailable',
        emailLogId: 'log-2',
        at: at(100),
      });
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        status: 'failed',
        lastError: 'mailbox unavailable',
      });
      expect(await claim('w1', 10_000)).toEqual([]);
    });

    it('ignores writes from a worker whose lease was taken over', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const [first] = await claim('w1', 1);
      await claim('w2', 62);
      const ids = first?.jobs.map((job) => job.id) ?? [];
      await queue.complete(ids, { workerId: 'w1', status: 'sent', emailLogId: 'stale', at: at(63) });
      await queue.fail(ids, { workerId: 'w1', error: 'stale', emailLogId: null, at: at(63) });
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({ status: 'pending', lockedBy: 'w2' });
    });

    it('groups per recipient and conversation, and honours the limit', async () => {
      const c1 = await conversation([STORE_USER, CUSTOMER, ADMIN]);
      const c2 = await conversation();
      await send(c1, STORE_USER, 1);
      await send(c2, STORE_USER, 2);
      const firstTwo = await claim('w1', 5, 2);
      expect(firstTwo).toHaveLength(2);
      const rest = await claim('w2', 5, 10);
      expect(rest).toHaveLength(1);
      const keys = [...firstTwo, ...rest].map((g) => `${g.recipient.type}:${g.conversationId}`).sort();
      expect(keys).toEqual([`admin:${c1}`, `customer:${c1}`, `customer:${c2}`].sort());
    });

    it('never hands the same job to two concurrent claims', async () => {
      const conversations = await Promise.all([conversation(), conversation(), conversation()]);
      for (const [index, c] of conversations.entries()) {
        await send(c, STORE_USER, index + 1);
        await send(c, STORE_USER, index + 2);
      }
      const claims = await Promise.all(['a', 'b', 'c', 'd'].map((worker) => claim(worker, 10)));
      const jobIds = claims.flat().flatMap((group) => group.jobs.map((job) => job.id));
      expect(jobIds).toHaveLength(6);
      expect(new Set(jobIds).size).toBe(6);
      const groupsSeen = claims.flat().map((group) => group.conversationId);
      expect(new Set(groupsSeen).size).toBe(groupsSeen.length);
    });
  });
}
