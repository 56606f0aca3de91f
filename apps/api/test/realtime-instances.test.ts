import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';
import { listen, TestSocket } from './support/realtime-clients.js';

// Two composed APIs in one process on one PostgreSQL schema (as two instances behind a load
// balancer): durable events reach the other instance's clients through the log, typing and
// presence through the signal bus — PostgreSQL NOTIFY, and Redis when REDIS_URL is set.
const url = process.env.DATABASE_URL;
const redis = process.env.REDIS_URL;
if (!url)
  console.info('[parley] two-instance real-time test skipped: it needs PostgreSQL (set DATABASE_URL)');
const buses = ['postgres', ...(redis ? ['redis'] : [])];

describe.runIf(url !== undefined).each(buses)(
  'two API instances on one PostgreSQL (signals over %s)',
  (bus) => {
    const schema = `t_rt_${bus}_${Math.random().toString(36).slice(2, 10)}`;
    let dir: string;
    let one: ComposedApi;
    let two: ComposedApi;
    let baseOne: string;
    let baseTwo: string;
    let t: Tokens;
    const sockets: TestSocket[] = [];

    const start = () =>
      compose(
        parseConfig(
          {
            PARLEY_DATABASE_URL: url ?? '',
            PARLEY_DATABASE_SCHEMA: schema,
            PARLEY_LOG_LEVEL: 'silent',
            PARLEY_SEED_DEMO: 'false',
            PARLEY_NOTIFICATIONS_WORKER: 'off',
            PARLEY_ATTACHMENT_SWEEP_INTERVAL: 'off',
            // Only a wake-up (NOTIFY) can deliver in time.
            PARLEY_EVENT_POLL_INTERVAL: '1h',
            ...(bus === 'redis' && redis ? { PARLEY_REDIS_URL: redis } : {}),
          },
          dir,
        ),
      );

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'parley-rt-'));
      one = await start();
      two = await start();
      const call = client(one);
      t = await tokensFor(one.jwtSecret.secret);
      await seedFixture(call, t.service);
      baseOne = await listen(one);
      baseTwo = await listen(two);
    });
    afterAll(async () => {
      for (const socket of sockets) await socket.close();
      // Stopped first: a running instance's tails lock the tables the drop takes (a deadlock).
      await two.close();
      await one.close();
      await dropSchema(schema);
      await rm(dir, { recursive: true, force: true });
    });

    it('a message sent through one instance reaches clients of the other; typing and presence cross; a clean stop says offline', async () => {
      const customerOnTwo = await TestSocket.connect(baseTwo, { token: t.customer1 });
      sockets.push(customerOnTwo);
      const created = await client(one)('POST', '/api/v1/store/messages', {
        token: t.store1,
        body: {
          conversation_type: 'store_customer',
          subject: 'Across',
          recipient_type: 'customer',
          recipient_id: 'c1',
          initial_message: 'From instance one',
        },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(
        await customerOnTwo.next((f) => f.type === 'conversation.created' && f.conversation_id === id),
      ).toBeDefined();
      const storeOnOne = await TestSocket.connect(baseOne, { token: t.store1 });
      expect(
        await customerOnTwo.next(
          (f) => f.type === 'presence' && f.participant.id === 'u1' && f.status === 'online',
        ),
      ).toBeDefined();
      storeOnOne.send({ type: 'typing', conversation_id: id, state: 'start' });
      expect(await customerOnTwo.next((f) => f.type === 'typing' && f.state === 'start')).toMatchObject({
        participant: { type: 'store', id: 'u1' },
      });
      await one.realtime.stop();
      expect(await storeOnOne.closed).toBe(1001);
      expect(
        await customerOnTwo.next(
          (f) => f.type === 'presence' && f.participant.id === 'u1' && f.status === 'offline',
        ),
      ).toBeDefined();
    });
  },
);
