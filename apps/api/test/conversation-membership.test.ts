import {
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import { openTestDatabase, type TestDatabase } from '@parley/adapters-kysely/testing';
import { type AccessPolicy, createMessagingCore, marketplacePolicy } from '@parley/messaging-core';
import { createInMemoryMessaging, groupTestPolicy } from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness } from './support/build-harness.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import type { ApiHarness } from './support/harness.js';

// The generic conversation routes (create with a list, add / remove or leave / change role), with
// the actor from the token, over the marketplace (every membership change refused) and the group
// test policy; in memory and on the Kysely adapters (PostgreSQL when DATABASE_URL is set, else PGlite).

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

type Factory = (policy: AccessPolicy) => Promise<ApiHarness>;

const backends: [string, Factory][] = [
  [
    'in memory',
    async (policy) => {
      const { core, directory } = createInMemoryMessaging({ policy });
      return buildHarness(core, directory, { kind: 'memory', check: async () => {} });
    },
  ],
  [
    'Kysely',
    async (policy) => {
      await database.truncate();
      const directory = new KyselyMarketplaceDirectory({ db: database.db });
      const core = createMessagingCore({
        store: new KyselyMessagingStore({ db: database.db }),
        directory,
        settings: new KyselySettingsStore({ db: database.db }),
        policy,
      });
      const check = async () => {
        await sql`select 1`.execute(database.db);
      };
      return buildHarness(core, directory, { kind: database.kind, check });
    },
  ],
];

const BASE = '/api/v1/conversations';

describe.each(backends)('conversation membership routes (%s)', (_name, factory) => {
  let harness: ApiHarness;
  let call: Call;
  let tokens: Tokens;

  async function open(policy: AccessPolicy): Promise<void> {
    harness = await factory(policy);
    call = client(harness);
    tokens = await tokensFor(harness.jwtSecret);
    await seedFixture(call, tokens.service);
  }

  afterEach(async () => {
    await harness?.close();
  });

  describe('marketplace policy', () => {
    let id: string;
    beforeEach(async () => {
      await open(marketplacePolicy);
      const created = await call('POST', BASE, {
        token: tokens.store1,
        body: {
          conversation_type: 'store_customer',
          subject: 'Your order',
          participants: [{ type: 'customer', id: 'c1' }],
          initial_message: 'Hello',
        },
      });
      expect(created.status).toBe(201);
      id = created.body.id;
    });

    it('creates with a list of one; members carry role, joined_at and left_at', async () => {
      const detail = await call('GET', `/api/v1/storefront/messages/${id}`, { token: tokens.customer1 });
      expect(detail.status).toBe(200);
      expect(
        detail.body.participants.map((p: { id: string; role: string; left_at: unknown }) => [
          p.id,
          p.role,
          p.left_at,
        ]),
      ).toEqual([
        ['c1', 'member', null],
        ['u1', 'member', null],
      ]);
      expect(typeof detail.body.participants[0].joined_at).toBe('string');
      expect(detail.body.unread_count).toBe(1);
    });

    it('refuses every membership change to a member (403) and hides the conversation from others (404)', async () => {
      const add = (token: string) =>
        call('POST', `${BASE}/${id}/participants`, {
          token,
          body: { participants: [{ type: 'customer', id: 'c2' }] },
        });
      const forbidden = await add(tokens.store1);
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers['content-type']).toContain('application/problem+json');
      expect(
        (await call('DELETE', `${BASE}/${id}/participants/customer/c1`, { token: tokens.store1 })).status,
      ).toBe(403);
      expect(
        (await call('DELETE', `${BASE}/${id}/participants/customer/c1`, { token: tokens.customer1 })).status,
      ).toBe(403);
      const patch = await call('PATCH', `${BASE}/${id}/participants/customer/c1`, {
        token: tokens.store1,
        body: { role: 'member' },
      });
      expect(patch.status).toBe(403);

      const stranger = await add(tokens.customer2);
      const missing = await call('POST', `${BASE}/00000000-0000-7000-8000-000000000000/participants`, {
        token: tokens.customer2,
        body: { participants: [{ type: 'customer', id: 'c2' }] },
      });
      expect(stranger.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(stranger.body.detail).toBe(`conversation ${id} not found`);
      expect(missing.body.detail).toBe('conversation 00000000-0000-7000-8000-000000000000 not found');
      expect((await add(tokens.admin)).status).toBe(404);
      expect((await add(tokens.store2)).status).toBe(404);
    });

    it('refuses a second participant, a service token and bad bodies with the field named', async () => {
      const two = await call('POST', BASE, {
        token: tokens.store1,
        body: {
          conversation_type: 'store_customer',
          subject: 'x',
          participants: [
            { type: 'customer', id: 'c1' },
            { type: 'customer', id: 'c2' },
          ],
        },
      });
      expect(two.status).toBe(400);
      expect(two.body).toMatchObject({ code: 'VALIDATION', field: 'participants' });
      const service = await call('POST', BASE, {
        token: tokens.service,
        body: {
          conversation_type: 'store_customer',
          subject: 'x',
          participants: [{ type: 'customer', id: 'c1' }],
        },
      });
      expect(service.status).toBe(403);
      const empty = await call('POST', `${BASE}/${id}/participants`, {
        token: tokens.store1,
        body: { participants: [] },
      });
      expect(empty.status).toBe(400);
      expect(JSON.stringify(empty.body)).toContain('participants');
      const extra = await call('PATCH', `${BASE}/${id}/participants/customer/c1`, {
        token: tokens.store1,
        body: { role: 'member', colour: 'red' },
      });
      expect(extra.status).toBe(400);
      expect(JSON.stringify(extra.body)).toContain('colour');
      const unauthenticated = await call('POST', `${BASE}/${id}/participants`, {
        body: { participants: [{ type: 'customer', id: 'c2' }] },
      });
      expect(unauthenticated.status).toBe(401);
    });

    it('keeps the audience create route working with one recipient', async () => {
      const created = await call('POST', '/api/v1/store/messages', {
        token: tokens.store1,
        body: {
          conversation_type: 'store_customer',
          subject: 'Again',
          recipient_type: 'customer',
          recipient_id: 'c2',
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.participants.map((p: { role: string }) => p.role)).toEqual(['member', 'member']);
    });
  });

  describe('group test policy', () => {
    let id: string;
    beforeEach(async () => {
      await open(groupTestPolicy);
      const created = await call('POST', BASE, {
        token: tokens.customer1,
        body: {
          conversation_type: 'group',
          subject: 'Spring sale',
          participants: [{ type: 'customer', id: 'c2' }],
          initial_message: 'Welcome',
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.participants.map((p: { id: string; role: string }) => [p.id, p.role])).toEqual([
        ['c1', 'owner'],
        ['c2', 'member'],
      ]);
      id = created.body.id;
    });

    it('the owner adds, changes roles and removes; members may not; outsiders are not found', async () => {
      const added = await call('POST', `${BASE}/${id}/participants`, {
        token: tokens.customer1,
        body: { participants: [{ type: 'store', id: 'u1', role: 'observer' }] },
      });
      expect(added.status).toBe(201);
      expect(added.body.participants.map((p: { id: string; role: string }) => [p.id, p.role])).toEqual([
        ['c1', 'owner'],
        ['c2', 'member'],
        ['u1', 'observer'],
      ]);
      const again = await call('POST', `${BASE}/${id}/participants`, {
        token: tokens.customer1,
        body: { participants: [{ type: 'store', id: 'u1' }] },
      });
      expect(again.status).toBe(409);
      const byMember = await call('POST', `${BASE}/${id}/participants`, {
        token: tokens.customer2,
        body: { participants: [{ type: 'customer', id: 'c3' }] },
      });
      expect(byMember.status).toBe(403);
      const outsider = await call('POST', `${BASE}/${id}/participants`, {
        token: tokens.customer1,
        body: { participants: [{ type: 'customer', id: 'c3' }] },
      });
      expect(outsider.status).toBe(404);
      expect(outsider.body.detail).toBe('customer c3 not found');

      const observerSends = await call('POST', `/api/v1/store/messages/${id}/messages`, {
        token: tokens.store1,
        body: { content: 'May I?' },
      });
      expect(observerSends.status).toBe(403);
      const promoted = await call('PATCH', `${BASE}/${id}/participants/store/u1`, {
        token: tokens.customer1,
        body: { role: 'member' },
      });
      expect(promoted.status).toBe(200);
      expect(promoted.body.participants.find((p: { id: string }) => p.id === 'u1').role).toBe('member');
      const badRole = await call('PATCH', `${BASE}/${id}/participants/store/u1`, {
        token: tokens.customer1,
        body: { role: 'king' },
      });
      expect(badRole.status).toBe(400);
      expect(badRole.body).toMatchObject({ field: 'role' });

      const removed = await call('DELETE', `${BASE}/${id}/participants/customer/c2`, {
        token: tokens.customer1,
      });
      expect(removed.status).toBe(204);
      const former = await call('GET', `/api/v1/storefront/messages/${id}`, { token: tokens.customer2 });
      const stranger = await call('GET', `/api/v1/storefront/messages/${id}`, { token: tokens.customer3 });
      expect(former.status).toBe(404);
      expect({ ...former.body, request_id: null }).toEqual({ ...stranger.body, request_id: null });
      expect(
        (await call('GET', '/api/v1/storefront/messages/unread-count', { token: tokens.customer2 })).body,
      ).toEqual({
        total_unread: 0,
      });
    });

    it('DELETE of oneself is leaving: 204, then 404 like a stranger; the others see a system message', async () => {
      const left = await call('DELETE', `${BASE}/${id}/participants/customer/c2`, {
        token: tokens.customer2,
      });
      expect(left.status).toBe(204);
      expect(
        (await call('GET', `/api/v1/storefront/messages/${id}`, { token: tokens.customer2 })).status,
      ).toBe(404);
      const detail = await call('GET', `/api/v1/storefront/messages/${id}`, { token: tokens.customer1 });
      expect(detail.body.participants.map((p: { id: string }) => p.id)).toEqual(['c1']);
      expect(detail.body.messages.at(-1)).toMatchObject({ content: 'Chris left', is_system_message: true });
      const again = await call('DELETE', `${BASE}/${id}/participants/customer/c2`, {
        token: tokens.customer2,
      });
      expect(again.status).toBe(404);
    });
  });
});
