import {
  createAccessPolicy,
  type DemoPerson,
  marketplacePreset,
  type PolicyDefinition,
  PRESET_NAMES,
  type Preset,
  participantKey,
} from '@parley/messaging-core';
import { validate } from '@readme/openapi-parser';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedApi } from '../src/composition-root.js';
import { DEMO, demoParticipants, demoTokens, parseDemoRef, seedDemo } from '../src/demo-seed.js';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { type Call, client } from './support/client.js';
import { composeForTest } from './support/composed-api.js';

// Every preset composed as `pnpm start` does (PARLEY_PRESET), on PGlite and, with DATABASE_URL, on
// PostgreSQL: the demo seeds, every printed token authenticates, the platform routes write people,
// and each demo person sees exactly their demo conversations. The expectations come from
// `preset.demo` and the policy, so they hold whatever data the presets are given.

const url = process.env.DATABASE_URL;
const DATABASES: readonly ('pglite' | 'postgres')[] =
  url && process.env.PARLEY_TEST_DB !== 'pglite' ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A preset of this test's own, composed on the people directory: a platform-wide type and a
 * tenant-bound one, two tenants, and conversations between them, so seeding conversations
 * through the use cases and the tenant claim are exercised whatever the real presets' demo holds.
 */
const schoolDefinition: PolicyDefinition = {
  name: 'school',
  tenantLabel: 'school',
  participantTypes: [
    { type: 'staff', label: 'Staff', tenantBound: false },
    { type: 'student', label: 'Student', tenantBound: true },
  ],
  conversationTypes: [
    {
      type: 'direct',
      participantTypes: ['staff', 'student'],
      size: { min: 2, max: 2 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
    },
  ],
  permissions: [
    { who: '*', action: 'start', conversationType: 'direct' },
    { who: '*', action: ['view', 'send', 'read'], conversationType: '*' },
  ],
  capabilities: [],
};

const person = (type: string, id: string, name: string, tenantId: string | null): DemoPerson => ({
  type,
  id,
  name,
  email: `${id}@school.test`,
  locale: 'en',
  tenantId,
});

const schoolPreset: Preset = {
  name: 'school',
  description: 'A test preset with demo conversations.',
  definition: schoolDefinition,
  policy: createAccessPolicy(schoolDefinition),
  demo: {
    tenants: [
      { id: 'north', name: 'North School' },
      { id: 'south', name: 'South School' },
    ],
    people: [
      person('staff', 'pat', 'Pat Staff', null),
      person('staff', 'quinn', 'Quinn Staff', null),
      person('student', 'ana', 'Ana', 'north'),
      person('student', 'ben', 'Ben', 'north'),
      person('student', 'cleo', 'Cleo', 'south'),
    ],
    conversations: [
      {
        conversationType: 'direct',
        subject: 'Welcome',
        participants: ['staff:pat', 'student:ana'],
        messages: [
          { from: 'staff:pat', body: 'Welcome, Ana' },
          { from: 'student:ana', body: 'Thanks!' },
        ],
      },
      {
        conversationType: 'direct',
        subject: 'Homework',
        participants: ['student:ana', 'student:ben'],
        messages: [{ from: 'student:ana', body: 'Done?' }],
      },
      {
        conversationType: 'direct',
        subject: 'Staff room',
        participants: ['staff:quinn', 'staff:pat'],
        messages: [],
      },
    ],
  },
};

const CASES: readonly { label: string; env: string; preset?: Preset }[] = [
  ...PRESET_NAMES.map((name) => ({ label: name, env: name })),
  {
    label: 'a preset with demo conversations, on the people directory',
    env: 'community',
    preset: schoolPreset,
  },
];

/** A conversation as a person sees it, by what identifies it in demo data: type, subject, members. */
const conversationKey = (type: string, subject: string, members: readonly string[]) =>
  `${type}|${subject}|${[...members].sort().join(',')}`;

describe('the marketplace demo constants', () => {
  it('name the marketplace preset demo data', () => {
    const byKey = new Map(marketplacePreset.demo.people.map((p) => [participantKey(p), p]));
    expect(marketplacePreset.demo.tenants).toEqual([{ id: DEMO.store.id, name: DEMO.store.name }]);
    expect(byKey.get(`admin:${DEMO.admin.id}`)).toMatchObject({
      name: DEMO.admin.name,
      email: DEMO.admin.email,
    });
    expect(byKey.get(`store:${DEMO.storeUser.id}`)).toMatchObject({
      name: DEMO.storeUser.name,
      tenantId: DEMO.store.id,
    });
    for (const customer of DEMO.customers)
      expect(byKey.get(`customer:${customer.id}`)).toMatchObject({ ...customer, tenantId: DEMO.store.id });
  });
});

describe.each(DATABASES)('presets through HTTP on %s', (database) => {
  describe.each(CASES)('$label', ({ env, preset: override }) => {
    let api: ComposedApi;
    let close: () => Promise<void>;
    let call: Call;
    let key: Uint8Array;
    let preset: Preset;
    const tokenFor = (p: Pick<DemoPerson, 'type' | 'id' | 'tenantId'>) =>
      issueToken(key, { sub: p.id, role: p.type, ...(p.tenantId === null ? {} : { tenantId: p.tenantId }) });

    beforeAll(async () => {
      ({ api, close } = await composeForTest({
        database,
        env: { PARLEY_PRESET: env },
        ...(override ? { preset: override } : {}),
      }));
      call = client(api);
      key = secretKey(api.jwtSecret.secret);
      preset = api.preset;
    });
    afterAll(async () => {
      await close?.();
    });

    it('runs the chosen preset, seeds its demo people once, and knows every one of them', async () => {
      expect(api.preset.name).toBe(override?.name ?? env);
      expect(api.core.policy).toBe(preset.policy);
      expect(api.seeded).toBe(preset.demo.tenants.length + preset.demo.people.length > 0);
      expect(await api.directory.isEmpty()).toBe(
        preset.demo.tenants.length === 0 && preset.demo.people.length === 0,
      );
      const found = await api.directory.resolveMany(preset.demo.people);
      expect(found.size).toBe(preset.demo.people.length);
      for (const p of preset.demo.people) {
        expect(found.get(participantKey(p)), participantKey(p)).toMatchObject({
          name: p.name,
          email: p.email,
          locale: p.locale,
          storeId: p.tenantId,
        });
      }
      // The directory is no longer empty (when the demo has anyone): a second seed writes nothing.
      if (preset.demo.people.length > 0)
        expect(await seedDemo({ preset, directory: api.directory, core: api.core, at: new Date() })).toBe(
          false,
        );
    });

    it('prints one token per participant type of the preset (its first demo person) plus service, and each authenticates', async () => {
      const tokens = await demoTokens(key, api.directory, { preset, tenantClaim: api.directory.tenantClaim });
      const typesWithPeople = preset.policy.participantTypes.filter((type) =>
        preset.demo.people.some((p) => p.type === type),
      );
      expect(tokens.map((t) => t.role)).toEqual([...typesWithPeople, 'service']);
      expect(tokens.filter((t) => t.participant).map((t) => t.subject)).toEqual(
        demoParticipants(preset).map((p) => p.id),
      );
      for (const token of tokens) {
        const claims = decodeJwt(token.token);
        const demoPerson = preset.demo.people.find((p) => p.type === token.role && p.id === token.subject);
        const tenant = token.participant ? (demoPerson?.tenantId ?? null) : null;
        // Marketplace clients read store_id; every other preset's tokens say tenant_id.
        expect(claims[api.directory.tenantClaim] ?? null, token.role).toBe(tenant);
        const inbox = await call('GET', '/api/v1/conversations', { token: token.token });
        expect(inbox.status, token.role).toBe(token.participant ? 200 : 403);
      }
      const service = tokens.find((t) => t.role === 'service');
      const platformRead = api.peopleDirectory
        ? '/api/v1/platform/tenants/no-such-tenant'
        : '/api/v1/platform/stores/no-such-store';
      // Past authentication: the service token reaches the platform routes (the tenant is unknown).
      expect((await call('GET', platformRead, { token: service?.token ?? '' })).status).toBe(404);
    });

    it('seeds the demo blocks: the blocked person may not write to who blocked them (403)', async () => {
      for (const block of preset.demo.blocks ?? []) {
        const blocked = preset.demo.people.find((p) => participantKey(p) === block.blocked);
        const by = parseDemoRef(block.by);
        if (!blocked) throw new Error(`demo block names no person ${block.blocked}`);
        const type = preset.definition.conversationTypes.find(
          (c) => c.participantTypes.includes(blocked.type) && c.participantTypes.includes(by.type),
        );
        const response = await call('POST', '/api/v1/conversations', {
          token: await tokenFor(blocked),
          body: {
            conversation_type: type?.type,
            subject: 'Hello',
            participants: [{ type: by.type, id: by.id }],
            initial_message: 'Hello?',
          },
        });
        expect(response.status, `${block.blocked} → ${block.by}`).toBe(403);
      }
    });

    it("every demo person's token lists exactly the demo conversations they are in, or handle as a team", async () => {
      for (const p of preset.demo.people) {
        const me = participantKey(p);
        // A team member (an admin on support) also lists the team's conversations of their tenant.
        const onTeam = (c: (typeof preset.demo.conversations)[number]) =>
          preset.policy.team(c.conversationType)?.participantTypes.includes(p.type) === true &&
          c.participants.some((ref) => {
            const person = preset.demo.people.find((q) => participantKey(q) === ref);
            return person?.tenantId === p.tenantId;
          });
        const expected = preset.demo.conversations
          .filter((c) => c.participants.includes(me) || onTeam(c))
          .map((c) =>
            conversationKey(
              c.conversationType,
              c.subject,
              c.participants.includes(me) ? c.participants : [me, ...c.participants],
            ),
          );
        const response = await call('GET', '/api/v1/conversations?limit=100', { token: await tokenFor(p) });
        expect(response.status, me).toBe(200);
        const listed = (
          response.body.conversations as {
            conversation_type: string;
            subject: string;
            other_participants: { type: string; id: string }[];
            message_count: number;
          }[]
        ).map((c) =>
          conversationKey(c.conversation_type, c.subject, [me, ...c.other_participants.map(participantKey)]),
        );
        expect(listed.sort(), me).toEqual(expected.sort());
      }
      // Messages went in through the use cases, each by its author.
      for (const c of preset.demo.conversations) {
        const starter = parseDemoRef(c.participants[0] as string);
        const starterPerson = preset.demo.people.find((p) => participantKey(p) === participantKey(starter));
        if (!starterPerson) throw new Error(`demo conversation ${c.subject}: no person ${c.participants[0]}`);
        const token = await tokenFor(starterPerson);
        const inbox = await call('GET', '/api/v1/conversations?limit=100', { token });
        const summary = (inbox.body.conversations as { id: string; subject: string }[]).find(
          (s) => s.subject === c.subject,
        );
        const history = await call('GET', `/api/v1/conversations/${summary?.id}/messages?limit=100`, {
          token,
        });
        expect(history.status).toBe(200);
        const sent = (
          history.body.messages as {
            sender_type: string;
            sender_id: string;
            content: string;
            is_system_message: boolean;
          }[]
        )
          .filter((m) => !m.is_system_message)
          .map((m) => ({ from: `${m.sender_type}:${m.sender_id}`, body: m.content }));
        expect(sent, c.subject).toEqual(c.messages);
      }
    });

    it('documents its directory routes in a valid OpenAPI document', async () => {
      const document = (await call('GET', '/openapi.json')).body;
      expect((await validate(structuredClone(document))).valid).toBe(true);
      const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`),
      );
      const people = [
        'put /api/v1/platform/tenants/{tenant_id}',
        'get /api/v1/platform/tenants/{tenant_id}',
        'put /api/v1/platform/people/{type}/{id}',
        'get /api/v1/platform/people/{type}/{id}',
        'delete /api/v1/platform/people/{type}/{id}',
      ];
      const marketplace = ['put /api/v1/platform/stores/{store_id}', 'get /api/v1/admin/messages'];
      const generic = ['get /api/v1/conversations', 'post /api/v1/conversations'];
      const [present, absent] = api.peopleDirectory ? [people, marketplace] : [marketplace, people];
      for (const operation of [...present, ...generic]) expect(operations, operation).toContain(operation);
      for (const operation of absent) expect(operations, operation).not.toContain(operation);
    });

    it('the platform routes for people: written and read by service tokens, validated by the policy', async () => {
      const service = await issueToken(key, { sub: 'platform', role: 'service' });
      if (!api.peopleDirectory) {
        // The marketplace keeps its own directory routes and facade; the people routes do not exist.
        expect(
          (await call('PUT', '/api/v1/platform/tenants/t1', { token: service, body: { name: 'T' } })).status,
        ).toBe(404);
        expect(
          (await call('GET', '/api/v1/platform/people/admin/demo-admin', { token: service })).status,
        ).toBe(404);
        expect(
          (await call('GET', `/api/v1/platform/stores/${DEMO.store.id}`, { token: service })).status,
        ).toBe(200);
        return;
      }
      const put = (path: string, body: unknown, token = service) =>
        call('PUT', `/api/v1/platform${path}`, { token, body });
      const get = (path: string) => call('GET', `/api/v1/platform${path}`, { token: service });

      // Tenants.
      const tenant = await put('/tenants/route-tenant', { name: 'Route Tenant' });
      expect(tenant.status).toBe(200);
      expect(tenant.body).toMatchObject({ id: 'route-tenant', name: 'Route Tenant' });
      expect((await put('/tenants/route-tenant', { name: 'Route Tenant 2' })).body).toMatchObject({
        name: 'Route Tenant 2',
        created_at: tenant.body.created_at,
      });
      expect((await get('/tenants/route-tenant')).body.name).toBe('Route Tenant 2');
      const missingTenant = await get('/tenants/nowhere');
      expect([missingTenant.status, missingTenant.body.detail]).toEqual([404, 'tenant nowhere not found']);
      expect((await put('/tenants/t2', { name: '' })).status).toBe(400);
      expect((await put('/tenants/t2', { name: 'T', tier: 'gold' })).status).toBe(400);

      // Every participant type of the policy, with and without a tenant as the policy says.
      for (const type of preset.policy.participantTypes) {
        const bound = preset.policy.isTenantBound(type);
        const id = `route-${type}`;
        const body = {
          name: `Route ${type}`,
          email: `${id}@route.test`,
          ...(bound ? { tenant_id: 'route-tenant' } : {}),
        };
        const written = await put(`/people/${type}/${id}`, body);
        expect(written.status, type).toBe(200);
        expect(written.body, type).toMatchObject({
          type,
          id,
          name: `Route ${type}`,
          email: `${id}@route.test`,
          locale: 'en',
          tenant_id: bound ? 'route-tenant' : null,
        });
        expect((await get(`/people/${type}/${id}`)).body).toEqual(written.body);

        const wrongTenant = await put(
          `/people/${type}/${id}-x`,
          bound ? { name: 'X' } : { name: 'X', tenant_id: 'route-tenant' },
        );
        expect([wrongTenant.status, wrongTenant.body.field], type).toEqual([400, 'tenant_id']);
        if (bound) {
          const unknownTenant = await put(`/people/${type}/${id}-x`, { name: 'X', tenant_id: 'ghost' });
          expect([unknownTenant.status, unknownTenant.body.detail], type).toEqual([
            404,
            'tenant ghost not found',
          ]);
        }
        expect((await get(`/people/${type}/${id}-x`)).status, type).toBe(404);

        // The person signs in with a token of that type (and tenant), until removed.
        const token = await issueToken(key, {
          sub: id,
          role: type,
          ...(bound ? { tenantId: 'route-tenant' } : {}),
        });
        expect((await call('GET', '/api/v1/conversations', { token })).status, type).toBe(200);
        // A participant token may not write the directory.
        expect((await put(`/people/${type}/${id}`, body, token)).status, type).toBe(403);
        expect(
          (await call('DELETE', `/api/v1/platform/people/${type}/${id}`, { token: service })).status,
        ).toBe(204);
        expect((await get(`/people/${type}/${id}`)).status).toBe(404);
        expect(
          (await call('DELETE', `/api/v1/platform/people/${type}/${id}`, { token: service })).status,
        ).toBe(404);
        expect((await call('GET', '/api/v1/conversations', { token })).status, type).toBe(403);
      }

      // A type the policy does not know, a bad email, an extra field.
      const unknownType = await put('/people/robot/r1', { name: 'R' });
      expect([unknownType.status, unknownType.body.field]).toEqual([400, 'type']);
      expect(unknownType.body.detail).toContain(preset.policy.participantTypes.join(', '));
      expect((await get('/people/robot/r1')).status).toBe(400);
      const [someType] = preset.policy.participantTypes;
      const tenantFor = (type: string) =>
        preset.policy.isTenantBound(type) ? { tenant_id: 'route-tenant' } : {};
      const badEmail = await put(`/people/${someType}/e1`, {
        name: 'E',
        email: 'nope',
        ...tenantFor(someType as string),
      });
      expect([badEmail.status, badEmail.body.field]).toEqual([400, 'email']);
      const extra = await put(`/people/${someType}/e1`, {
        name: 'E',
        role: 'admin',
        ...tenantFor(someType as string),
      });
      expect(extra.status).toBe(400);
      // Without a token, or with a participant's: refused before anything is read.
      expect((await call('GET', '/api/v1/platform/tenants/route-tenant')).status).toBe(401);
      // The marketplace facade and directory routes are the marketplace's only.
      expect((await call('GET', '/api/v1/admin/messages', { token: service })).status).toBe(404);
      expect((await get('/stores/route-tenant')).status).toBe(404);
    });
  });
});
