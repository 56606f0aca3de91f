import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ConversationParticipant,
  createEventDispatcher,
  type DomainEvent,
  type EventSubscriber,
  emailNotificationSubscriber,
  LOG_START,
  type LoggedEvent,
  type ParticipantRef,
} from '@parley/messaging-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ParleyDatabase } from '../database.js';
import { createMessagingStoreRawReader } from '../testing/kysely-raw-readers.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyEventLog } from './kysely-event-log.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';
import { PostgresEventWakeups } from './postgres-event-wakeups.js';

// What only a real server can show: transactions running side by side on several connections.
const selected = await resolveTestDatabaseTarget();
const url = selected.kind === 'postgres' ? selected.url : null;
if (url === null) {
  console.info('[parley] event log concurrency tests skipped: they need PostgreSQL (set DATABASE_URL)');
}

// src/ (this file sits in src/conversations/), as the child-process paths below expect.
const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = join(HERE, '..', 'node_modules', '.bin', 'tsx');
const DYING = join(HERE, 'testing', 'dying-subscriber-process.ts');

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STORE_USER: ParticipantRef = { type: 'store', id: 'u1' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'c1' };

function deleted(conversationId: string, messageId: string): DomainEvent {
  return {
    type: 'message.deleted',
    occurredAt: new Date(),
    actor: STORE_USER,
    tenantId: 's1',
    conversationId,
    messageId,
  };
}

/** A gate a transaction waits on, opened from outside. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe.runIf(url !== null)('event log on PostgreSQL', () => {
  let database: TestDatabase;
  let other: ParleyDatabase;
  let store: KyselyMessagingStore;
  let otherStore: KyselyMessagingStore;

  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 8 });
    const second = database.connectAgain();
    if (second === null) throw new Error('a second pool needs PostgreSQL');
    other = second;
  });
  afterAll(async () => {
    await other?.destroy();
    await database?.destroy();
  });
  beforeEach(async () => {
    await database.truncate();
    store = new KyselyMessagingStore({ db: database.db });
    otherStore = new KyselyMessagingStore({ db: other.db });
  });

  it('claims a subscriber for one transaction without giving it an id, and the next claim sees its advance', async () => {
    await store.events.registerSubscribers(['probe']);
    const held = gate();
    const claimed = gate();
    const first = database.db.transaction().execute(async (trx) => {
      const log = new KyselyEventLog(trx);
      const cursor = await log.claim('probe');
      // No transaction id yet: the log's readers wait for transactions with an id, and a claim is none.
      const { rows } = await sql<{ xid: string | null }>`
        select pg_current_xact_id_if_assigned()::text as xid`.execute(trx);
      claimed.open();
      await held.wait;
      await log.advance('probe', { xid: '5', id: '7' });
      return { cursor, xid: rows[0]?.xid };
    });
    await claimed.wait;
    const claimOnOtherPool = () =>
      other.db.transaction().execute((trx) => new KyselyEventLog(trx).claim('probe'));
    // Held by the first transaction: skipped, never waited for.
    expect(await claimOnOtherPool()).toBeNull();
    held.open();
    expect(await first).toEqual({ cursor: LOG_START, xid: null });
    // The advance committed before the lock was released: the next claim starts from it.
    expect(await claimOnOtherPool()).toEqual({ xid: '5', id: '7' });
    expect(await other.db.transaction().execute((trx) => new KyselyEventLog(trx).claim('nobody'))).toBeNull();
  });

  it('delivers events of transactions that commit out of id order, each once, in (xid, id) order', async () => {
    const conversationId = crypto.randomUUID();
    const seen: LoggedEvent[] = [];
    const recorder: EventSubscriber = {
      name: 'recorder',
      handle: async (events) => {
        seen.push(...events);
      },
    };
    const dispatcher = createEventDispatcher({ store, subscribers: [recorder] });
    await dispatcher.register();

    // T1 appends first (the lower id) and stays open; T2 appends (a higher id) and commits first.
    const t1Appended = gate();
    const t1Release = gate();
    const t1 = store.transaction(async (tx) => {
      await tx.events.append([deleted(conversationId, 'early-id')]);
      t1Appended.open();
      await t1Release.wait;
    });
    await t1Appended.wait;
    try {
      await otherStore.transaction((tx) => tx.events.append([deleted(conversationId, 'late-id')]));
      // Committed and visible: only T2's row, whose id is the higher one.
      const visible = await sql<{ id: string }>`select id::text as id from events`.execute(database.db);
      expect(visible.rows.map((row) => row.id)).toEqual(['2']);

      // T2 has committed, but T1 (older, lower id) has not: nothing may be delivered yet, or the
      // cursor would pass T1's event.
      const held = await dispatcher.runRound();
      expect(held.delivered).toBe(0);
      expect(held.more).toBe(true);
      expect(seen).toEqual([]);
    } finally {
      t1Release.open();
      await t1;
    }
    for (let i = 0; i < 400 && seen.length < 2; i += 1) {
      await dispatcher.drain();
      if (seen.length < 2) await pause(25);
    }
    expect(seen.map((e) => (e.type === 'message.deleted' ? e.payload.message_id : e.type))).toEqual([
      'early-id',
      'late-id',
    ]);
    expect(BigInt(seen[0]!.position.xid)).toBeLessThan(BigInt(seen[1]!.position.xid));
    await dispatcher.drain();
    expect(seen).toHaveLength(2);
  });

  it('two dispatchers on two pools, racing concurrent sends, deliver each event once with effects once', async () => {
    const conversations: string[] = [];
    const at = new Date(Date.now() - 60_000);
    for (let i = 0; i < 6; i += 1) {
      const id = crypto.randomUUID();
      conversations.push(id);
      const member = (participant: ParticipantRef): ConversationParticipant => ({
        conversationId: id,
        participant,
        tenantId: 's1',
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
      await store.conversations.create(
        {
          id,
          conversationType: 'store_customer',
          subject: `Order ${i}`,
          tenantId: 's1',
          isClosed: false,
          closedAt: null,
          closedBy: null,
          lastMessageAt: null,
          messageCount: 0,
          createdAt: at,
          updatedAt: at,
        },
        [member(STORE_USER), member(CUSTOMER)],
      );
    }
    // The echo's effect is an event of its own (`message.deleted` per `message.sent`), in the
    // dispatcher's transaction: nothing but the claim and the cursor keeps it from doubling.
    const echo: EventSubscriber = {
      name: 'echo',
      handle: async (events, tx) => {
        const echoes = events.flatMap((e) =>
          e.type === 'message.sent' && e.conversationId !== null
            ? [deleted(e.conversationId, e.payload.message_id)]
            : [],
        );
        await tx.events.append(echoes);
      },
    };
    const subscribers = () => [emailNotificationSubscriber(), echo];
    const a = createEventDispatcher({
      store,
      subscribers: subscribers(),
      batchSize: 7,
      maxBatchesPerRound: 2,
    });
    const b = createEventDispatcher({
      store: otherStore,
      subscribers: subscribers(),
      batchSize: 7,
      maxBatchesPerRound: 2,
    });
    await a.register();

    let sending = true;
    const rounds = { a: 0, b: 0 };
    const race = async (dispatcher: typeof a, name: 'a' | 'b') => {
      while (sending) {
        const round = await dispatcher.runRound();
        if (round.delivered > 0) rounds[name] += 1;
        await pause(1);
      }
    };
    const racing = [race(a, 'a'), race(b, 'b')];
    const sends = 60;
    const messageIds: string[] = [];
    await Promise.all(
      Array.from({ length: sends }, async (_, i) => {
        const id = crypto.randomUUID();
        messageIds.push(id);
        const sender = i % 3 === 0 ? CUSTOMER : STORE_USER;
        const target = i % 2 === 0 ? store : otherStore;
        const result = await target.messages.append({
          message: {
            id,
            conversationId: conversations[i % conversations.length]!,
            sender,
            content: `m${i}`,
            isSystemMessage: false,
            createdAt: new Date(),
            attachments: [],
          },
          requireOpen: true,
        });
        expect(result.status).toBe('created');
      }),
    );
    // Let both catch up (another transaction anywhere on the server may hold reads back a moment).
    for (let i = 0; i < 400; i += 1) {
      const raw = createMessagingStoreRawReader(database.db);
      const echoes = (await raw.events()).filter((e) => e.type === 'message.deleted');
      const cursors = await Promise.all([raw.eventCursor('echo'), raw.eventCursor('email_notifications')]);
      const events = await raw.events();
      const last = events.at(-1)?.position;
      if (echoes.length >= sends && cursors.every((c) => c?.id === last?.id)) break;
      await pause(25);
    }
    sending = false;
    await Promise.all(racing);

    const raw = createMessagingStoreRawReader(database.db);
    const all = await raw.events();
    const echoed = all.flatMap((e) => (e.type === 'message.deleted' ? [e.payload.message_id] : []));
    expect(echoed.sort()).toEqual([...messageIds].sort());
    for (const [i, id] of messageIds.entries()) {
      const jobs = await raw.notificationJobs(id);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.status).toBe('pending');
      void i;
    }
    expect(rounds.a + rounds.b).toBeGreaterThan(0);
    console.info(`[parley] rounds that delivered: a=${rounds.a}, b=${rounds.b}`);
  }, 60_000);

  it('redelivers a batch whose process died mid-batch, and its effects land once', async () => {
    const conversationId = crypto.randomUUID();
    const at = new Date(Date.now() - 60_000);
    const member = (participant: ParticipantRef): ConversationParticipant => ({
      conversationId,
      participant,
      tenantId: 's1',
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
    await store.conversations.create(
      {
        id: conversationId,
        conversationType: 'store_customer',
        subject: 'Order 9',
        tenantId: 's1',
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: at,
        updatedAt: at,
      },
      [member(STORE_USER), member(CUSTOMER)],
    );
    const messageIds: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const id = crypto.randomUUID();
      messageIds.push(id);
      await store.messages.append({
        message: {
          id,
          conversationId,
          sender: STORE_USER,
          content: `m${i}`,
          isSystemMessage: false,
          createdAt: new Date(),
          attachments: [],
        },
        requireOpen: true,
      });
    }
    const email = emailNotificationSubscriber();
    const { code, signal, out } = await new Promise<{
      code: number | null;
      signal: string | null;
      out: string;
    }>((resolve, reject) => {
      const child = spawn(TSX, ['--conditions=@parley/source', DYING, url ?? '', database.schema], {
        cwd: join(HERE, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal, out }));
    });
    // Killed (tsx reports the child's SIGKILL as exit code 137) right after enqueuing half its batch.
    expect(signal === 'SIGKILL' || code === 137).toBe(true);
    expect(out.trim()).toBe('enqueued half of 4');
    const raw = createMessagingStoreRawReader(database.db);
    for (const id of messageIds) expect(await raw.notificationJobs(id)).toEqual([]);
    expect(await raw.eventCursor(email.name)).toEqual(LOG_START);

    // Another process picks the subscriber up from its cursor: every job once.
    const survivor = createEventDispatcher({ store, subscribers: [emailNotificationSubscriber()] });
    for (let i = 0; i < 400; i += 1) {
      await survivor.drain();
      const cursor = await raw.eventCursor(email.name);
      const last = (await raw.events()).at(-1)?.position;
      if (cursor?.id === last?.id) break;
      await pause(25);
    }
    for (const id of messageIds) {
      const jobs = await raw.notificationJobs(id);
      expect(jobs.map((job) => job.recipient)).toEqual([CUSTOMER]);
    }
  }, 60_000);

  it('wakes another process by LISTEN/NOTIFY, coalescing announcements to one per 10 ms', async () => {
    const channel = `parley_events_${database.schema}`.slice(0, 63);
    const woken: (string | null)[] = [];
    const listener = new PostgresEventWakeups({ url: url ?? '', channel, onWake: (id) => woken.push(id) });
    const sender = new PostgresEventWakeups({ url: url ?? '', channel, onWake: () => {} });
    await listener.start();
    await sender.start();
    try {
      expect(woken).toEqual([null]); // connected: catch up once
      for (let i = 1; i <= 50; i += 1) sender.notify(String(i));
      for (let i = 0; i < 100 && !woken.includes('50'); i += 1) await pause(10);
      // The first announcement goes out at once, the other 49 fold into one carrying the newest id.
      expect(woken).toEqual([null, '1', '50']);
    } finally {
      await listener.close();
      await sender.close();
    }
  });

  it('reads nothing of an open transaction, not even from its own connection pool', async () => {
    const release = gate();
    const appended = gate();
    const open = store.transaction(async (tx) => {
      await tx.events.append([deleted(crypto.randomUUID(), 'pending')]);
      appended.open();
      await release.wait;
    });
    await appended.wait;
    try {
      expect((await otherStore.events.read(LOG_START, 10)).events).toEqual([]);
      expect((await store.events.read(LOG_START, 10)).events).toEqual([]);
    } finally {
      release.open();
      await open;
    }
  });
});
