// The per-process caches of directory entries and platform settings (issue "Performance"): a
// change made in this process shows on the next request, and a change made by another process
// shows as soon as this process's log tail reads its event — never only after the safety TTL.
import { KyselyMarketplaceDirectory, KyselySettingsStore } from '@parley/adapters-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedApi } from '../src/composition-root.js';
import { demoTokens } from '../src/demo-seed.js';
import { secretKey } from '../src/plugins/authentication.js';
import { composeForTest } from './support/composed-api.js';

const engines = [...(process.env.DATABASE_URL ? (['postgres'] as const) : []), 'pglite' as const];

describe.each(engines)('process caches on %s', (database) => {
  let api: ComposedApi;
  let close: () => Promise<void>;
  let tokens: Record<string, string>;
  let conversationId: string;

  const inject = (role: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    api.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[role]}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  /** The name the store's inbox shows for demo-customer-1. */
  async function customerName(): Promise<string | undefined> {
    const page = await inject('store', 'GET', '/api/v1/store/messages?limit=50');
    const { conversations } = JSON.parse(page.body) as {
      conversations: { id: string; other_participants: { id: string; name: string }[] }[];
    };
    return conversations
      .find((c) => c.id === conversationId)
      ?.other_participants.find((p) => p.id === 'demo-customer-1')?.name;
  }

  beforeAll(async () => {
    ({ api, close } = await composeForTest({ database }));
    tokens = Object.fromEntries(
      (await demoTokens(secretKey(api.jwtSecret.secret), api.directory)).map((t) => [t.role, t.token]),
    );
    const created = await inject('store', 'POST', '/api/v1/store/messages', {
      conversation_type: 'store_customer',
      subject: 'Caches',
      recipient_type: 'customer',
      recipient_id: 'demo-customer-1',
      initial_message: 'Hello',
    });
    expect(created.statusCode, created.body).toBe(201);
    conversationId = (JSON.parse(created.body) as { id: string }).id;
  });
  afterAll(async () => close?.());

  it('shows a directory change made through this process on the very next request', async () => {
    expect(await customerName()).toBe('Carla Customer');
    const renamed = await inject('service', 'PUT', '/api/v1/platform/customers/demo-customer-1', {
      store_id: 'demo-store',
      name: 'Carla Renamed',
      email: 'carla@example.test',
      locale: 'en',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await customerName()).toBe('Carla Renamed');
  });

  it("drops an entry when the log tail reads another process's directory.changed", async () => {
    expect(await customerName()).toBe('Carla Renamed');
    // Another instance's directory: same database, none of this process's callbacks.
    const elsewhere = new KyselyMarketplaceDirectory({ db: api.database.db });
    await elsewhere.upsertCustomer(
      {
        id: 'demo-customer-1',
        storeId: 'demo-store',
        name: 'Carla Elsewhere',
        email: 'carla@example.test',
        locale: 'en',
      },
      new Date(),
    );
    // Nothing calls this process: only its log tail can tell it (the entry is cached until then,
    // for the 60 s safety TTL).
    await api.realtime.hub.drain();
    expect(await customerName()).toBe('Carla Elsewhere');
  });

  it("applies another process's platform setting once the log tail reads settings.changed", async () => {
    const send = (content: string) =>
      inject('store', 'POST', `/api/v1/store/messages/${conversationId}/messages`, { content });
    expect((await send('a message of thirty characters!')).statusCode).toBe(201);
    await new KyselySettingsStore({ db: api.database.db }).set({
      key: 'message_max_length',
      value: 10,
      category: 'messaging',
      updatedAt: new Date(),
    });
    await api.realtime.hub.drain();
    const refused = await send('a message of thirty characters!');
    expect(refused.statusCode, refused.body).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'VALIDATION' });
  });
});
