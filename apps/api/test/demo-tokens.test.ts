import { createInMemoryMessaging } from '@parley/messaging-core/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, type DemoToken, demoTokens, seedDemoDirectory } from '../src/demo-seed.js';
import { secretKey } from '../src/plugins/authentication.js';
import { buildHarness } from './support/build-harness.js';
import { type Call, client } from './support/client.js';
import type { ApiHarness } from './support/harness.js';

// "The token it prints works against every route": each demo token on every route of its audience.
describe('demo seed and tokens', () => {
  let harness: ApiHarness;
  let call: Call;
  let tokens: Record<DemoToken['role'], string>;

  beforeAll(async () => {
    const { core, directory } = createInMemoryMessaging();
    harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} });
    call = client(harness);
    expect(await seedDemoDirectory(directory, new Date())).toBe(true);
    expect(await seedDemoDirectory(directory, new Date())).toBe(false);
    const issued = await demoTokens(secretKey(harness.jwtSecret), directory);
    tokens = Object.fromEntries(issued.map((t) => [t.role, t.token])) as Record<DemoToken['role'], string>;
  });
  afterAll(() => harness.close());

  async function walk(base: string, token: string, recipient: Record<string, string> | null) {
    const statuses: Record<string, number> = {};
    const record = async (name: string, response: Promise<{ status: number; body: { id?: string } }>) => {
      const result = await response;
      statuses[name] = result.status;
      return result.body;
    };
    let id: string;
    if (recipient) {
      const created = await record(
        'create',
        call('POST', base, { token, body: { subject: 'Demo', initial_message: 'Hello', ...recipient } }),
      );
      id = created.id as string;
      await record('recipients', call('GET', `${base}/recipients?recipient_type=customer`, { token }));
    } else {
      const inbox = await call('GET', base, { token });
      id = inbox.body.conversations[0].id;
    }
    await record('list', call('GET', base, { token }));
    await record('unread', call('GET', `${base}/unread-count`, { token }));
    await record('detail', call('GET', `${base}/${id}?mark_read=true`, { token }));
    await record('history', call('GET', `${base}/${id}/messages`, { token }));
    await record(
      'send',
      call('POST', `${base}/${id}/messages`, {
        token,
        body: { content: 'Hi' },
        headers: { 'idempotency-key': `demo-${base}` },
      }),
    );
    await record('read', call('PUT', `${base}/${id}/read`, { token }));
    await record('preferences', call('PUT', `${base}/${id}/preferences`, { token, body: { muted: false } }));
    if (recipient) {
      await record('close', call('POST', `${base}/${id}/close`, { token }));
      await record('reopen', call('POST', `${base}/${id}/reopen`, { token }));
    }
    return statuses;
  }

  it('the admin token works on every admin route', async () => {
    expect(
      await walk('/api/v1/admin/messages', tokens.admin, {
        conversation_type: 'admin_store',
        recipient_type: 'store',
        recipient_id: DEMO.storeUser.id,
      }),
    ).toEqual({
      create: 201,
      recipients: 200,
      list: 200,
      unread: 200,
      detail: 200,
      history: 200,
      send: 201,
      read: 200,
      preferences: 200,
      close: 200,
      reopen: 200,
    });
  });

  it('the store token works on every store route', async () => {
    const statuses = await walk('/api/v1/store/messages', tokens.store, {
      conversation_type: 'store_customer',
      recipient_type: 'customer',
      recipient_id: DEMO.customers[0].id,
    });
    expect(Object.values(statuses).every((s) => s === 200 || s === 201)).toBe(true);
    expect(Object.keys(statuses)).toHaveLength(11);
  });

  it('the customer token works on every storefront route', async () => {
    const statuses = await walk('/api/v1/storefront/messages', tokens.customer, null);
    expect(statuses).toEqual({
      list: 200,
      unread: 200,
      detail: 200,
      history: 200,
      send: 201,
      read: 200,
      preferences: 200,
    });
  });

  it('the admin, store and customer tokens work on the generic conversation routes', async () => {
    const base = '/api/v1/conversations';
    // Conversations of its own, so this test does not lean on the others'.
    const opened = async (audience: string, token: string, body: Record<string, string>) => {
      const response = await call('POST', audience, { token, body: { subject: 'Generic', ...body } });
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    const adminStore = await opened('/api/v1/admin/messages', tokens.admin, {
      conversation_type: 'admin_store',
      recipient_type: 'store',
      recipient_id: DEMO.storeUser.id,
    });
    const storeCustomer = await opened('/api/v1/store/messages', tokens.store, {
      conversation_type: 'store_customer',
      recipient_type: 'customer',
      recipient_id: DEMO.customers[0].id,
    });
    for (const role of ['admin', 'store', 'customer'] as const) {
      const token = tokens[role];
      const id = role === 'customer' ? storeCustomer : adminStore;
      const inbox = await call('GET', base, { token });
      expect(inbox.status, role).toBe(200);
      expect(inbox.body.conversations.map((c: { id: string }) => c.id)).toContain(id);
      const statuses = [
        (await call('GET', `${base}/unread-count`, { token })).status,
        (await call('GET', `${base}/${id}?mark_read=true`, { token })).status,
        (await call('GET', `${base}/${id}/messages`, { token })).status,
        (await call('POST', `${base}/${id}/messages`, { token, body: { content: `Hi from ${role}` } }))
          .status,
        (await call('POST', `${base}/${id}/read`, { token })).status,
        (await call('PATCH', `${base}/${id}/preferences`, { token, body: { muted: false } })).status,
      ];
      expect(statuses, role).toEqual([200, 200, 200, 201, 200, 200]);
    }
    expect((await call('GET', base, { token: tokens.service })).status).toBe(403);
  });

  it('the service token works on every platform route', async () => {
    const put = (path: string, body: unknown) =>
      call('PUT', `/api/v1/platform${path}`, { token: tokens.service, body });
    const get = (path: string) => call('GET', `/api/v1/platform${path}`, { token: tokens.service });
    const statuses = [
      (await put('/stores/demo-store-2', { name: 'Second Store' })).status,
      (await get('/stores/demo-store')).status,
      (
        await put('/users/demo-staff-2', {
          name: 'Kim',
          email: 'kim@demo.test',
          role: 'store',
          store_id: 'demo-store-2',
        })
      ).status,
      (await get(`/users/${DEMO.admin.id}`)).status,
      (
        await put('/customers/demo-customer-3', {
          store_id: 'demo-store-2',
          name: 'Lee',
          email: 'lee@demo.test',
        })
      ).status,
      (await get(`/customers/${DEMO.customers[1].id}`)).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('asks the policy which tokens carry a tenant claim, and skips a participant the directory no longer knows', async () => {
    const { directory } = createInMemoryMessaging();
    await seedDemoDirectory(directory, new Date());
    const claims = async (tenantBound: (type: string) => boolean) =>
      Object.fromEntries(
        (
          await demoTokens(secretKey(harness.jwtSecret), directory, {
            policy: { isTenantBound: tenantBound },
          })
        ).map((t) => [t.role, decodeJwt(t.token).store_id ?? null]),
      );
    expect(await claims((type) => type !== 'admin')).toEqual({
      admin: null,
      store: DEMO.store.id,
      customer: DEMO.store.id,
      service: null,
    });
    // Another policy's answer, not a role name, decides: no type tenant-bound, no store_id anywhere.
    expect(await claims(() => false)).toEqual({ admin: null, store: null, customer: null, service: null });
    const issued = await demoTokens(secretKey(harness.jwtSecret), createInMemoryMessaging().directory);
    expect(issued.map((t) => [t.role, t.participant])).toEqual([['service', false]]);
  });
});
