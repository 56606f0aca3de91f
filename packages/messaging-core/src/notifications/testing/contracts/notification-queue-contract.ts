import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, ConversationParticipant } from '../../../conversations/model/conversation.js';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { NotificationGroup, NotificationQueue } from '../../ports/notification-queue.js';
import type { NotifyingMessagingStore } from '../../ports/notifying-messaging-store.js';
import type { NotifyingMessagingStoreRawReader } from './raw-readers.js';

export interface NotificationQueueContractTarget {
  /** The store messages are appended to (the contract enqueues their jobs as the email subscriber would). */
  readonly store: NotifyingMessagingStore;
  readonly queue: NotificationQueue;
  readonly raw: NotifyingMessagingStoreRawReader;
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
 * `availableAt`, and writes after the claim are fenced: they apply only while the claim's lease
 * holds (its token, not ended), so an expired lease can neither renew nor complete, and the
 * successor's writes apply.
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
        tenantId: STORE_ID,
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
          tenantId: participant.type === 'admin' ? null : STORE_ID,
          unreadCount: 0,
          lastReadSeq: 0,
          lastReadAt: null,
          lastDeliveredSeq: 0,
          lastDeliveredAt: null,
          emailNotifications: true,
          muted: false,
          lastActivityAt: createdAt,
          joinedAt: createdAt,
          role: 'member',
          leftAt: null,
          visibleFromSeq: 1,
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
      // What the email subscriber does for the message's `message.sent` event.
      const members = await target.store.participants.listByConversation(conversationId);
      await queue.enqueue(
        members
          .filter((m) => m.emailNotifications && !m.muted)
          .filter((m) => m.participant.type !== sender.type || m.participant.id !== sender.id)
          .map((m) => ({
            messageId,
            conversationId,
            recipient: m.participant,
            storeId: STORE_ID,
            createdAt: at(seconds),
          })),
      );
      return messageId;
    }

    it('enqueues one pending job per (message, recipient), once however often it is asked', async () => {
      const c = await conversation([STORE_USER, CUSTOMER, ADMIN]);
      const m1 = await send(c, STORE_USER, 1);
      const again = [
        { messageId: m1, conversationId: c, recipient: CUSTOMER, storeId: STORE_ID, createdAt: at(1) },
        { messageId: m1, conversationId: c, recipient: ADMIN, storeId: STORE_ID, createdAt: at(1) },
      ];
      expect(await queue.enqueue(again)).toBe(0);
      const jobs = await target.raw.notificationJobs(m1);
      expect(jobs.map((job) => `${job.recipient.type}:${job.recipient.id}`)).toEqual([
        `${ADMIN.type}:${ADMIN.id}`,
        `${CUSTOMER.type}:${CUSTOMER.id}`,
      ]);
      for (const job of jobs) {
        expect(job).toMatchObject({
          messageId: m1,
          conversationId: c,
          storeId: STORE_ID,
          status: 'pending',
          attempts: 0,
          availableAt: at(1),
          lockedBy: null,
          lockedUntil: null,
          leaseToken: null,
          emailLogId: null,
        });
      }
      expect(await queue.enqueue([])).toBe(0);
    });

    const claim = (workerId: string, seconds: number, limit = 10) =>
      queue.claimDue({ workerId, now: at(seconds), leaseMs: LEASE, windowMs: WINDOW, limit });

    /** The fence of a claimed group, as its holder writes at `seconds`. */
    const fence = (group: NotificationGroup | undefined, workerId: string, seconds: number) => ({
      workerId,
      leaseToken: group?.leaseToken ?? 'none',
      now: at(seconds),
    });
    const jobIds = (group: NotificationGroup | undefined) => group?.jobs.map((job) => job.id) ?? [];

    it('claims a due group whole, oldest job first, under a lease', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const m2 = await send(c, STORE_USER, 2);
      expect(await claim('w1', 0)).toEqual([]);

      const groups = await claim('w1', 3);
      expect(groups).toHaveLength(1);
      const [group] = groups;
      expect(group).toMatchObject({
        recipient: CUSTOMER,
        conversationId: c,
        storeId: STORE_ID,
        leasedUntil: at(63),
      });
      expect(typeof group?.leaseToken).toBe('string');
      expect(group?.jobs.map((job) => job.messageId)).toEqual([m1, m2]);
      for (const job of group?.jobs ?? []) {
        expect(job).toMatchObject({
          status: 'pending',
          attempts: 1,
          lockedBy: 'w1',
          lockedUntil: at(63),
          leaseToken: group?.leaseToken,
        });
      }
      const [stored] = await target.raw.notificationJobs(m1);
      expect(stored).toMatchObject({
        attempts: 1,
        lockedBy: 'w1',
        lockedUntil: at(63),
        leaseToken: group?.leaseToken,
      });

      expect(await claim('w2', 30)).toEqual([]);
      const retaken = await claim('w2', 63);
      expect(retaken[0]?.jobs.map((job) => [job.messageId, job.attempts, job.lockedBy])).toEqual([
        [m1, 2, 'w2'],
        [m2, 2, 'w2'],
      ]);
      expect(retaken[0]?.leaseToken).not.toBe(group?.leaseToken);
      const done = await queue.complete([...jobIds(retaken[0])].reverse(), {
        ...fence(retaken[0], 'w2', 64),
        status: 'skipped',
        emailLogId: null,
        at: at(64),
      });
      expect(done.applied).toEqual([...jobIds(retaken[0])].reverse());
    });

    it('completes as sent, then holds the next messages until the window has passed', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const [group] = await claim('w1', 1);
      const done = await queue.complete(jobIds(group), {
        ...fence(group, 'w1', 2),
        status: 'sent',
        emailLogId: 'log-1',
        at: at(2),
      });
      expect(done.applied).toEqual(jobIds(group));
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        status: 'sent',
        emailLogId: 'log-1',
        lockedBy: null,
        lockedUntil: null,
        leaseToken: null,
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
      await queue.complete(jobIds(group), {
        ...fence(group, 'w1', 1),
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
      const ids = jobIds(group);
      await queue.reschedule(ids, {
        ...fence(group, 'w1', 1),
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
        ...fence(again, 'w1', 100),
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

    it('reports its depth and lag: pending jobs, and the oldest one available now', async () => {
      expect(await queue.stats(at(0))).toEqual({ pending: 0, available: 0, oldestAvailableAt: null });
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 5);
      await send(c, STORE_USER, 10);
      await send(c, CUSTOMER, 12);
      expect(await queue.stats(at(4))).toEqual({ pending: 3, available: 0, oldestAvailableAt: null });
      expect(await queue.stats(at(11))).toEqual({ pending: 3, available: 2, oldestAvailableAt: at(5) });
      // Leased jobs are still pending; completed ones leave the count.
      const groups = await claim('w1', 20);
      expect(await queue.stats(at(20))).toEqual({ pending: 3, available: 3, oldestAvailableAt: at(5) });
      const toCustomer = groups.find((g) => g.jobs.some((job) => job.messageId === m1));
      await queue.complete(toCustomer?.jobs.map((job) => job.id) ?? [], {
        workerId: 'w1',
        leaseToken: toCustomer?.leaseToken ?? 'none',
        now: at(21),
        status: 'sent',
        emailLogId: 'log-stats',
        at: at(21),
      });
      expect(await queue.stats(at(21))).toEqual({ pending: 1, available: 1, oldestAvailableAt: at(12) });
    });

    it("refuses every write of a lease that was taken over, and applies the successor's", async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const [first] = await claim('w1', 1);
      const [second] = await claim('w2', 62);
      const ids = jobIds(first);
      const stale = fence(first, 'w1', 63);
      expect((await queue.renewLease(ids, { ...stale, leaseMs: LEASE })).applied).toEqual([]);
      expect(
        (await queue.complete(ids, { ...stale, status: 'sent', emailLogId: 'stale', at: at(63) })).applied,
      ).toEqual([]);
      expect(
        (await queue.fail(ids, { ...stale, error: 'stale', emailLogId: null, at: at(63) })).applied,
      ).toEqual([]);
      expect(
        (
          await queue.reschedule(ids, {
            ...stale,
            availableAt: at(63),
            error: 'stale',
            emailLogId: null,
            at: at(63),
          })
        ).applied,
      ).toEqual([]);
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        status: 'pending',
        lockedBy: 'w2',
        leaseToken: second?.leaseToken,
        lockedUntil: at(122),
      });
      const done = await queue.complete(jobIds(second), {
        ...fence(second, 'w2', 64),
        status: 'sent',
        emailLogId: 'fresh',
        at: at(64),
      });
      expect(done.applied).toEqual(jobIds(second));
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        status: 'sent',
        emailLogId: 'fresh',
      });
    });

    it('refuses an expired lease even when nobody took it over, and even under the same worker id', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const [first] = await claim('w1', 1);
      const ids = jobIds(first);
      // The lease ends at 61: at 61 it no longer holds, nobody else claimed.
      expect((await queue.renewLease(ids, { ...fence(first, 'w1', 61), leaseMs: LEASE })).applied).toEqual(
        [],
      );
      expect(
        (
          await queue.complete(ids, {
            ...fence(first, 'w1', 61),
            status: 'sent',
            emailLogId: 'late',
            at: at(61),
          })
        ).applied,
      ).toEqual([]);
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        status: 'pending',
        emailLogId: null,
      });
      // The same worker id claims again: the old claim's token is still refused.
      const [again] = await claim('w1', 70);
      expect(again?.leaseToken).not.toBe(first?.leaseToken);
      expect(
        (
          await queue.complete(ids, {
            ...fence(first, 'w1', 71),
            status: 'sent',
            emailLogId: 'old',
            at: at(71),
          })
        ).applied,
      ).toEqual([]);
      expect(
        (
          await queue.complete(ids, {
            ...fence(again, 'w1', 71),
            status: 'sent',
            emailLogId: 'new',
            at: at(71),
          })
        ).applied,
      ).toEqual(ids);
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({ status: 'sent', emailLogId: 'new' });
    });

    it('renews a lease that still holds, which keeps other workers out until the new end', async () => {
      const c = await conversation();
      const m1 = await send(c, STORE_USER, 1);
      const [group] = await claim('w1', 1);
      const ids = jobIds(group);
      const renewed = await queue.renewLease(ids, { ...fence(group, 'w1', 50), leaseMs: LEASE });
      expect(renewed.applied).toEqual(ids);
      expect((await target.raw.notificationJobs(m1))[0]).toMatchObject({
        lockedBy: 'w1',
        lockedUntil: at(110),
        leaseToken: group?.leaseToken,
      });
      expect(await claim('w2', 100)).toEqual([]);
      const [taken] = await claim('w2', 110);
      expect(taken?.jobs.map((job) => job.messageId)).toEqual([m1]);
      expect((await queue.renewLease(ids, { ...fence(group, 'w1', 111), leaseMs: LEASE })).applied).toEqual(
        [],
      );
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
