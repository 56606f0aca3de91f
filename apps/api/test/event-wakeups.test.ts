import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { client, seedFixture, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';

// Two API processes on one PostgreSQL database: a send on one wakes the other's dispatcher by
// LISTEN/NOTIFY, long before either would poll.
const url = process.env.DATABASE_URL;
if (!url)
  console.info('[parley] cross-process event wake-up test skipped: it needs PostgreSQL (set DATABASE_URL)');

describe.runIf(url !== undefined)('event dispatch across API processes (postgres)', () => {
  const schema = `t_wake_${Math.random().toString(36).slice(2, 10)}`;
  let dir: string;
  const open: ComposedApi[] = [];

  const start = async () => {
    const api = await compose(
      parseConfig(
        {
          PARLEY_DATABASE_URL: url ?? '',
          PARLEY_DATABASE_SCHEMA: schema,
          PARLEY_LOG_LEVEL: 'silent',
          PARLEY_SEED_DEMO: 'false',
          PARLEY_NOTIFICATIONS_WORKER: 'off',
          // Polling would take an hour: only a wake-up can deliver in time.
          PARLEY_EVENT_POLL_INTERVAL: '1h',
        },
        dir,
      ),
    );
    open.push(api);
    return api;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-wake-'));
  });
  afterAll(async () => {
    // Stopped first: a running instance's tails lock the tables the drop takes (a deadlock).
    const started = open.length > 0;
    for (const api of open.splice(0)) await api.close();
    if (started) await dropSchema(schema);
    await rm(dir, { recursive: true, force: true });
  });

  it("a send on one process is dispatched by the other's dispatcher, woken by NOTIFY", async () => {
    const sender = await start();
    const other = await start();
    const call = client(sender);
    const tokens = await tokensFor(sender.jwtSecret.secret);
    await seedFixture(call, tokens.service);
    // The sending process no longer dispatches: only the other one can enqueue the email job.
    await sender.events.stop();

    const created = await call('POST', '/api/v1/store/messages', {
      token: tokens.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Order #7',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'It shipped.',
      },
    });
    expect(created.status).toBe(201);
    const jobs = async () =>
      (await sql<{ n: string }>`select count(*)::text as n from notification_jobs`.execute(other.database.db))
        .rows[0]?.n;
    const began = Date.now();
    while ((await jobs()) !== '1' && Date.now() - began < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(await jobs()).toBe('1');
    const cursor = await other.database.db
      .selectFrom('event_subscribers')
      .select(sql<string>`position_id::text`.as('id'))
      .where('name', '=', 'email_notifications')
      .executeTakeFirst();
    const newest = await sql<{ id: string }>`select max(id)::text as id from events`.execute(
      other.database.db,
    );
    expect(cursor?.id).toBe(newest.rows[0]?.id);
    console.info(`[parley] dispatched by the other process ${Date.now() - began} ms after the send`);
  }, 60_000);
});
