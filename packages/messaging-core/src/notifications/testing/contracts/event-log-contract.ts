import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, ConversationParticipant } from '../../../conversations/model/conversation.js';
import {
  type DomainEvent,
  type LoggedEvent,
  toEventRecord,
} from '../../../conversations/model/domain-event.js';
import type { EventSubscriber } from '../../../conversations/ports/event-log.js';
import { dispatchBatch } from '../../../kernel/events/event-dispatcher.js';
import { comparePositions, type EventPosition, LOG_START } from '../../../kernel/model/event-envelope.js';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type {
  NotifyingMessagingStore,
  NotifyingRepositories,
} from '../../ports/notifying-messaging-store.js';
import { emailNotificationSubscriber } from '../../use-cases/email-notification-subscriber.js';
import type { NotifyingMessagingStoreRawReader } from './raw-readers.js';

export interface EventLogContractTarget {
  /** The store whose `events` (and `tx.events`) is the log under test. */
  readonly store: NotifyingMessagingStore;
  readonly raw: NotifyingMessagingStoreRawReader;
  /** Creates the tenant row conversations refer to, when the adapter has one. */
  readonly ensureStore?: (storeId: string) => Promise<void>;
  readonly teardown?: () => Promise<void>;
}

export interface EventLogContractOptions {
  readonly name: string;
  /** A fresh, empty store for each test. */
  readonly setup: () => Promise<EventLogContractTarget>;
}

const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

let sequence = 0;
function uuid(): string {
  sequence += 1;
  return `01900000-0000-7000-a000-${sequence.toString(16).padStart(12, '0')}`;
}

const STORE_USER: ParticipantRef = { type: 'store', id: 'log-store-user' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'log-customer' };
const STORE_ID = 'log-store';

function deleted(conversationId: string, seconds: number, messageId = uuid()): DomainEvent {
  return {
    type: 'message.deleted',
    occurredAt: at(seconds),
    actor: STORE_USER,
    tenantId: STORE_ID,
    conversationId,
    messageId,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads until nothing is held back: on a shared PostgreSQL server, any transaction still running
 * (in any database of the cluster) that began before ours keeps our committed events unreadable
 * until it ends — exactly the guarantee under test, so the test waits instead of failing.
 */
async function settledRead(store: NotifyingMessagingStore, after: EventPosition, limit: number) {
  for (let attempt = 0; ; attempt += 1) {
    const batch = await store.events.read(after, limit);
    if (!batch.more || batch.events.length === limit || attempt >= 400) return batch;
    await pause(25);
  }
}

/** Dispatches until the subscriber is caught up; returns the events delivered. */
async function dispatchAll(
  store: NotifyingMessagingStore,
  subscriber: EventSubscriber<NotifyingRepositories>,
  batchSize: number,
) {
  let delivered = 0;
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const outcome = await dispatchBatch(store, subscriber, batchSize);
    delivered += outcome.delivered;
    if (outcome.status === 'idle' && !outcome.more) return delivered;
    if (outcome.status !== 'delivered') await pause(25);
  }
  throw new Error(`${subscriber.name} did not catch up`);
}

/** What the log must give back for an appended event: its record, plus an id and a position. */
function stripped(event: LoggedEvent) {
  const { id: _id, position: _position, ...record } = event;
  return record;
}

/** A conversation row of the contract's store, open and empty. */
function conversationOf(id: string, subject = 'Order'): Conversation {
  return {
    id,
    conversationType: 'store_customer',
    subject,
    tenantId: STORE_ID,
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt: at(0),
    updatedAt: at(0),
  };
}

/** A membership since the start, with email on; `leftAt` for one who left. */
function memberOf(
  conversationId: string,
  participant: ParticipantRef,
  leftAt: Date | null = null,
): ConversationParticipant {
  return {
    conversationId,
    participant,
    tenantId: STORE_ID,
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
    leftAt,
    visibleFromSeq: 1,
  };
}

/**
 * The `EventLog` contract: events appended through a transaction are stored with their stable
 * payload and read back in log order only once committed (a rolled-back transaction leaves
 * none; a transaction never reads its own as safe); reads page by position; subscriber cursors
 * are registered once, claimed inside a transaction and only move forward; `prune` removes
 * events older than the retention, oldest first; and a subscriber that fails mid-batch keeps
 * nothing of it and gets it again, with its effects applied once.
 *
 * @example
 * ```ts
 * eventLogContract({ name: 'in-memory', setup: async () => { const store = new InMemoryMessagingStore(); return { store, raw: store.raw }; } });
 * ```
 */
export function eventLogContract(options: EventLogContractOptions): void {
  describe(`EventLog contract: ${options.name}`, () => {
    let target: EventLogContractTarget;
    let store: NotifyingMessagingStore;

    beforeEach(async () => {
      target = await options.setup();
      store = target.store;
      await target.ensureStore?.(STORE_ID);
    });

    afterEach(async () => {
      await target.teardown?.();
    });

    it('stores appended events with their payload, in order, readable once committed', async () => {
      const conversationId = uuid();
      const events: DomainEvent[] = [
        deleted(conversationId, 1),
        {
          type: 'participant.preferences_updated',
          occurredAt: at(2),
          actor: CUSTOMER,
          tenantId: null,
          conversationId,
          membership: {
            conversationId,
            participant: CUSTOMER,
            tenantId: STORE_ID,
            unreadCount: 0,
            lastReadSeq: 0,
            lastReadAt: null,
            lastDeliveredSeq: 0,
            lastDeliveredAt: null,
            emailNotifications: false,
            muted: true,
            lastActivityAt: at(0),
            joinedAt: at(0),
            role: 'member',
            leftAt: null,
            visibleFromSeq: 1,
          },
        },
      ];
      await store.transaction(async (tx) => {
        await tx.events.append(events);
        // Not safe to read before it commits, not even for its own transaction.
        expect((await tx.events.read(LOG_START, 10)).events).toEqual([]);
      });
      const stored = await target.raw.events();
      expect(stored.map(stripped)).toEqual(events.map(toEventRecord));
      const { events: read, more } = await settledRead(store, LOG_START, 10);
      expect(more).toBe(false);
      expect(read).toEqual(stored);
      expect(comparePositions(read[0]!.position, read[1]!.position)).toBeLessThan(0);
      expect(BigInt(read[0]!.id)).toBeLessThan(BigInt(read[1]!.id));
      expect(read[0]!.position.id).toBe(read[0]!.id);
    });

    it('keeps nothing of a rolled-back transaction', async () => {
      await store
        .transaction(async (tx) => {
          await tx.events.append([deleted(uuid(), 1)]);
          throw new Error('boom');
        })
        .catch(() => undefined);
      expect(await target.raw.events()).toEqual([]);
      expect((await settledRead(store, LOG_START, 10)).events).toEqual([]);
    });

    it('pages after a position, in log order, and says when more is there', async () => {
      const conversationId = uuid();
      for (let i = 0; i < 3; i += 1) {
        await store.transaction((tx) =>
          tx.events.append([deleted(conversationId, i), deleted(conversationId, i)]),
        );
      }
      const all = await target.raw.events();
      expect(all).toHaveLength(6);
      const first = await settledRead(store, LOG_START, 4);
      expect(first.events).toEqual(all.slice(0, 4));
      expect(first.more).toBe(true);
      const rest = await settledRead(store, first.events[3]!.position, 4);
      expect(rest.events).toEqual(all.slice(4));
      expect(rest.more).toBe(false);
      expect((await settledRead(store, all[5]!.position, 4)).events).toEqual([]);
    });

    it('reads for one participant: their conversations (left ones too) and events of none, paged among those', async () => {
      const theirs = uuid();
      const left = uuid();
      const others = uuid();
      await store.conversations.create(conversationOf(theirs), [
        memberOf(theirs, STORE_USER),
        memberOf(theirs, CUSTOMER),
      ]);
      await store.conversations.create(conversationOf(left), [
        memberOf(left, STORE_USER),
        memberOf(left, CUSTOMER, at(1)),
      ]);
      await store.conversations.create(conversationOf(others), [memberOf(others, STORE_USER)]);
      const unscoped: DomainEvent = {
        type: 'participant.blocked',
        occurredAt: at(9),
        actor: STORE_USER,
        tenantId: STORE_ID,
        conversationId: null,
        blocked: { type: 'customer', id: 'someone' },
      };
      await store.transaction((tx) =>
        tx.events.append([deleted(others, 1), deleted(theirs, 2), deleted(others, 3), deleted(left, 4)]),
      );
      await store.transaction((tx) => tx.events.append([deleted(others, 5), unscoped, deleted(theirs, 6)]));
      const all = await target.raw.events();
      const forCustomer = all.filter((e) => e.conversationId !== others);
      expect(forCustomer.map((e) => e.conversationId)).toEqual([theirs, left, null, theirs]);

      let batch = await store.events.readFor(LOG_START, CUSTOMER, 10);
      for (let attempt = 0; batch.more && attempt < 400; attempt += 1) {
        await pause(25);
        batch = await store.events.readFor(LOG_START, CUSTOMER, 10);
      }
      expect(batch.events).toEqual(forCustomer);
      expect(batch.more).toBe(false);
      // Pages count the participant's events only.
      const first = await store.events.readFor(LOG_START, CUSTOMER, 2);
      expect(first.events).toEqual(forCustomer.slice(0, 2));
      expect(first.more).toBe(true);
      const rest = await store.events.readFor(first.events[1]!.position, CUSTOMER, 2);
      expect(rest.events).toEqual(forCustomer.slice(2));
      // Someone in no conversation sees the conversation-less events alone; read gives everyone's.
      expect((await store.events.readFor(LOG_START, { type: 'customer', id: 'nobody' }, 10)).events).toEqual(
        all.filter((e) => e.conversationId === null),
      );
      expect((await settledRead(store, LOG_START, 10)).events).toEqual(all);
    });

    it('locates an event by id, and answers null for an unknown, malformed or pruned id', async () => {
      const conversationId = uuid();
      await store.transaction((tx) =>
        tx.events.append([deleted(conversationId, 1), deleted(conversationId, 20)]),
      );
      const [first, second] = await target.raw.events();
      expect(await store.events.locate(first!.id)).toEqual(first!.position);
      expect(await store.events.locate(second!.id)).toEqual(second!.position);
      const unknown = (BigInt(second!.id) + 1000n).toString();
      for (const id of [unknown, '0', '-1', 'abc', '', '1e3', '99999999999999999999999'])
        expect(await store.events.locate(id)).toBeNull();
      expect(await store.events.prune(at(5), 10)).toBe(1);
      expect(await store.events.locate(first!.id)).toBeNull();
      expect(await store.events.locate(second!.id)).toEqual(second!.position);
    });

    it('registers cursors once, claims them in a transaction and only moves them forward', async () => {
      expect(await store.events.loadCursor('s1')).toBeNull();
      await store.events.registerSubscribers(['s1', 's2']);
      expect(await store.events.loadCursor('s1')).toEqual(LOG_START);
      const conversationId = uuid();
      await store.transaction((tx) =>
        tx.events.append([deleted(conversationId, 1), deleted(conversationId, 2)]),
      );
      const [a, b] = await target.raw.events();
      await store.transaction(async (tx) => {
        expect(await tx.events.claim('s1')).toEqual(LOG_START);
        expect(await tx.events.claim('unknown')).toBeNull();
        await tx.events.advance('s1', b!.position);
      });
      expect(await target.raw.eventCursor('s1')).toEqual(b!.position);
      await store.events.advance('s1', a!.position);
      expect(await store.events.loadCursor('s1')).toEqual(b!.position);
      await store.events.registerSubscribers(['s1']);
      expect(await store.events.loadCursor('s1')).toEqual(b!.position);
      expect(await store.events.loadCursor('s2')).toEqual(LOG_START);
    });

    it('prunes events older than the retention, oldest first, up to the limit', async () => {
      const conversationId = uuid();
      await store.transaction((tx) =>
        tx.events.append([
          deleted(conversationId, 1),
          deleted(conversationId, 2),
          deleted(conversationId, 3),
        ]),
      );
      await store.transaction((tx) => tx.events.append([deleted(conversationId, 10)]));
      const all = await target.raw.events();
      expect(await store.events.prune(at(5), 2)).toBe(2);
      expect(await target.raw.events()).toEqual(all.slice(2));
      expect(await store.events.prune(at(5), 100)).toBe(1);
      expect(await target.raw.events()).toEqual(all.slice(3));
      expect(await store.events.prune(at(5), 100)).toBe(0);
    });

    it('redelivers a batch whose subscriber failed halfway, and its effects land once', async () => {
      const conversation = conversationOf(uuid(), 'Order 7');
      const member = (participant: ParticipantRef) => memberOf(conversation.id, participant);
      await store.conversations.create(conversation, [member(STORE_USER), member(CUSTOMER)]);
      const messageIds: string[] = [];
      for (let i = 1; i <= 4; i += 1) {
        const id = uuid();
        messageIds.push(id);
        const sender = i % 2 === 0 ? CUSTOMER : STORE_USER;
        const result = await store.messages.append({
          message: {
            id,
            conversationId: conversation.id,
            sender,
            content: `m${i}`,
            isSystemMessage: false,
            createdAt: at(i),
            attachments: [],
          },
          requireOpen: true,
        });
        expect(result.status).toBe('created');
      }
      const email = emailNotificationSubscriber();
      await store.events.registerSubscribers([email.name]);
      const dying: EventSubscriber<NotifyingRepositories> = {
        name: email.name,
        handle: async (events, tx) => {
          await email.handle(events.slice(0, 2), tx);
          throw new Error('died mid-batch');
        },
      };
      await expect(dispatchBatch(store, dying, 10)).rejects.toThrow('died mid-batch');
      expect(await store.events.loadCursor(email.name)).toEqual(LOG_START);
      for (const id of messageIds) expect(await target.raw.notificationJobs(id)).toEqual([]);

      // Redelivered from the cursor (in batches of 3), each event once; handling everything again
      // (a redelivery after a crash between the handler and the commit) changes nothing.
      expect(await dispatchAll(store, email, 3)).toBe(4);
      const all = await target.raw.events();
      expect(await store.events.loadCursor(email.name)).toEqual(all.at(-1)!.position);
      await store.transaction((tx) => email.handle(all, tx));
      for (const [i, id] of messageIds.entries()) {
        const jobs = await target.raw.notificationJobs(id);
        expect(jobs.map((job) => job.recipient)).toEqual([i % 2 === 0 ? CUSTOMER : STORE_USER]);
        expect(jobs[0]).toMatchObject({ status: 'pending', storeId: STORE_ID, availableAt: at(i + 1) });
      }
    });
  });
}
