import { createAccessPolicy, marketplaceDefinition } from '@parley/messaging-core';
import { createInMemoryMessaging } from '@parley/messaging-core/testing';
import Fastify from 'fastify';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actorOf,
  authPlugin,
  issueToken,
  principalOf,
  ROLES,
  secretKey,
  tokenRoles,
  verifyAuthorization,
} from './authentication.js';
import { problemHandlingPlugin } from './problem-handling.js';

const key = secretKey('unit-test-secret-unit-test-secret-0123');
const NOW = new Date('2026-03-01T12:00:00Z');
const now = () => NOW;

async function verify(token: string, at: () => Date = now) {
  return verifyAuthorization(`Bearer ${token}`, key, at);
}

function sign(payload: Record<string, unknown>, alg = 'HS256', signKey = key) {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(signKey);
}

const exp = Math.floor(NOW.getTime() / 1000) + 3600;

describe('verifyAuthorization', () => {
  it('accepts a valid token and reads sub, role and store_id', async () => {
    const token = await issueToken(key, { sub: 'u1', role: 'store', storeId: 's1', issuedAt: NOW });
    expect(await verify(token)).toEqual({
      ok: true,
      principal: { role: 'store', subject: 'u1', storeId: 's1' },
    });
    const lower = await verifyAuthorization(`bearer   ${token}`, key, now);
    expect(lower.ok).toBe(true);
  });

  it('ignores store_id for admins and services', async () => {
    const admin = await sign({ sub: 'a1', role: 'admin', store_id: 's1', exp });
    expect(await verify(admin)).toEqual({
      ok: true,
      principal: { role: 'admin', subject: 'a1', storeId: null },
    });
  });

  it('honours exp (with 5 s of clock tolerance)', async () => {
    const token = await issueToken(key, {
      sub: 'c1',
      role: 'customer',
      storeId: 's1',
      issuedAt: NOW,
      expiresInSeconds: 60,
    });
    expect((await verify(token, () => new Date(NOW.getTime() + 64_000))).ok).toBe(true);
    const late = await verify(token, () => new Date(NOW.getTime() + 66_000));
    expect(late).toMatchObject({
      ok: false,
      problem: { code: 'UNAUTHENTICATED', message: 'the token has expired' },
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dTE6cHc='],
    ['a bearer without a JWT', 'Bearer abc'],
  ])('rejects %s', async (_label, header) => {
    const result = await verifyAuthorization(header, key, now);
    expect(result).toMatchObject({ ok: false, problem: { code: 'UNAUTHENTICATED', statusCode: 401 } });
  });

  it.each([
    ['a bad signature', () => sign({ sub: 'u1', role: 'admin', exp }, 'HS256', secretKey('x'.repeat(40)))],
    ['another algorithm', () => sign({ sub: 'u1', role: 'admin', exp }, 'HS512')],
    ['no exp', () => sign({ sub: 'u1', role: 'admin' })],
    ['no sub', () => sign({ role: 'admin', exp })],
    ['an empty sub', () => sign({ sub: '', role: 'admin', exp })],
    ['a numeric sub', () => sign({ sub: 42, role: 'admin', exp })],
    ['an overlong sub', () => sign({ sub: 'x'.repeat(256), role: 'admin', exp })],
    ['an unknown role', () => sign({ sub: 'u1', role: 'owner', exp })],
    ['no role', () => sign({ sub: 'u1', exp })],
    ['a store token without store_id', () => sign({ sub: 'u1', role: 'store', exp })],
    [
      'a customer token with an empty store_id',
      () => sign({ sub: 'c1', role: 'customer', store_id: '', exp }),
    ],
    ['a not-yet-valid token', () => sign({ sub: 'u1', role: 'admin', exp, nbf: exp - 60 })],
  ])('rejects %s with 401', async (_label, make) => {
    const result = await verify(await make());
    expect(result).toMatchObject({ ok: false, problem: { code: 'UNAUTHENTICATED' } });
  });

  it('builds the core actor from the principal', () => {
    expect(actorOf({ role: 'customer', subject: 'c1', storeId: 's1' })).toEqual({
      type: 'customer',
      id: 'c1',
      tenantId: 's1',
    });
  });
});

describe('authenticate(role)', () => {
  const { core, directory } = createInMemoryMessaging();
  const app = Fastify({ logger: false });

  beforeAll(async () => {
    const at = new Date();
    await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'essential' }, at);
    await directory.upsertStore({ id: 's2', name: 'Globex', tier: 'essential' }, at);
    await directory.upsertPlatformUser(
      { id: 'a1', name: 'A', email: 'a@x.test', role: 'admin', storeId: null, locale: 'en' },
      at,
    );
    await directory.upsertPlatformUser(
      { id: 'u1', name: 'U', email: 'u@x.test', role: 'store', storeId: 's1', locale: 'en' },
      at,
    );
    await directory.upsertCustomer(
      { id: 'c1', storeId: 's1', name: 'C', email: 'c@x.test', locale: 'en' },
      at,
    );
    await app.register(problemHandlingPlugin);
    await app.register(authPlugin, { key, resolveActor: core.resolveActor });
    for (const role of ['admin', 'store', 'customer', 'service'] as const) {
      app.get(`/${role}`, { onRequest: app.authenticate(role) }, async (request) => principalOf(request));
    }
    app.get('/participant', { onRequest: app.authenticateParticipant() }, async (request) => ({
      principal: principalOf(request),
      actor: request.actor,
    }));
    await app.ready();
  });

  async function status(path: string, claims: Parameters<typeof issueToken>[1]) {
    const token = await issueToken(key, claims);
    const response = await app.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.statusCode, body: response.json() };
  }

  it('admits a token of the route role the directory knows, exposing the principal', async () => {
    expect(await status('/store', { sub: 'u1', role: 'store', storeId: 's1' })).toEqual({
      status: 200,
      body: { role: 'store', subject: 'u1', storeId: 's1' },
    });
    expect((await status('/admin', { sub: 'a1', role: 'admin' })).status).toBe(200);
    expect((await status('/customer', { sub: 'c1', role: 'customer', storeId: 's1' })).status).toBe(200);
    expect((await status('/service', { sub: 'anything', role: 'service' })).status).toBe(200);
  });

  it('admits any participant token the directory knows on participant routes, with its actor', async () => {
    expect(await status('/participant', { sub: 'c1', role: 'customer', storeId: 's1' })).toEqual({
      status: 200,
      body: {
        principal: { role: 'customer', subject: 'c1', storeId: 's1' },
        // The request it acts in travels with the actor, for the audit log.
        actor: {
          type: 'customer',
          id: 'c1',
          tenantId: 's1',
          name: 'C',
          origin: {
            requestId: expect.any(String),
            ip: '127.0.0.1',
            userAgent: expect.any(String),
            actorRole: 'customer',
          },
        },
      },
    });
    expect((await status('/participant', { sub: 'u1', role: 'store', storeId: 's1' })).status).toBe(200);
    expect((await status('/participant', { sub: 'a1', role: 'admin' })).status).toBe(200);
  });

  it('refuses service tokens (403), unknown participants (403) and no token (401) on participant routes', async () => {
    expect(await status('/participant', { sub: 'platform', role: 'service' })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN', detail: 'these routes are for participant tokens, not service' },
    });
    expect(await status('/participant', { sub: 'u1', role: 'store', storeId: 's2' })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    const anonymous = await app.inject({ method: 'GET', url: '/participant' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['a customer on admin routes', '/admin', { sub: 'c1', role: 'customer' as const, storeId: 's1' }],
    ['a store user on admin routes', '/admin', { sub: 'u1', role: 'store' as const, storeId: 's1' }],
    ['an admin on store routes', '/store', { sub: 'a1', role: 'admin' as const }],
    ['an admin on platform routes', '/service', { sub: 'a1', role: 'admin' as const }],
    ['a store token naming another store', '/store', { sub: 'u1', role: 'store' as const, storeId: 's2' }],
    ['a store token for an admin', '/store', { sub: 'a1', role: 'store' as const, storeId: 's1' }],
    ['an admin token for a store user', '/admin', { sub: 'u1', role: 'admin' as const }],
    ['an admin token nobody knows', '/admin', { sub: 'ghost', role: 'admin' as const }],
    [
      'a customer token naming another store',
      '/customer',
      { sub: 'c1', role: 'customer' as const, storeId: 's2' },
    ],
    ['a customer token nobody knows', '/customer', { sub: 'c9', role: 'customer' as const, storeId: 's1' }],
  ])('403s %s', async (_label, path, claims) => {
    const { status: code, body } = await status(path, claims);
    expect(code).toBe(403);
    expect(body).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });
});

// Token roles and tenant claims come from the policy: another preset, another set of roles.
const clinic = createAccessPolicy({
  name: 'clinic',
  tenantLabel: 'clinic',
  participantTypes: [
    { type: 'clinician', label: 'Clinician', tenantBound: true },
    { type: 'patient', label: 'Patient', tenantBound: true },
    { type: 'auditor', label: 'Auditor', tenantBound: false },
  ],
  conversationTypes: [
    {
      type: 'direct',
      participantTypes: ['clinician', 'patient'],
      size: { min: 2, max: 2 },
      memberRoles: ['member'],
      historyVisibleToNewMembers: true,
    },
  ],
  permissions: [{ who: '*', action: ['view', 'send'], conversationType: '*' }],
  capabilities: [{ who: 'auditor', capability: 'view_admin_notifications' }],
});

describe('token roles from the policy', () => {
  it('the marketplace roles are its participant types plus service', () => {
    expect(ROLES).toEqual(['admin', 'store', 'customer', 'service']);
    expect(tokenRoles(clinic)).toEqual(['clinician', 'patient', 'auditor', 'service']);
  });

  it("another policy's roles are accepted, and its tenant-bound roles need a tenant_id (or store_id) claim", async () => {
    const verifyWith = async (payload: Record<string, unknown>) =>
      verifyAuthorization(`Bearer ${await sign({ ...payload, sub: 'p1', exp })}`, key, now, clinic);
    expect(await verifyWith({ role: 'patient', store_id: 'c-1' })).toEqual({
      ok: true,
      principal: { role: 'patient', subject: 'p1', storeId: 'c-1' },
    });
    expect(await verifyWith({ role: 'auditor', store_id: 'ignored' })).toEqual({
      ok: true,
      principal: { role: 'auditor', subject: 'p1', storeId: null },
    });
    const missingTenant = await verifyWith({ role: 'clinician' });
    expect(missingTenant.ok ? null : missingTenant.problem.message).toBe(
      'a clinician token needs a tenant_id (or store_id) claim',
    );
    expect(await verifyWith({ role: 'patient', tenant_id: 'c-2' })).toEqual({
      ok: true,
      principal: { role: 'patient', subject: 'p1', storeId: 'c-2' },
    });
    expect(await verifyWith({ role: 'patient', tenant_id: 'c-2', store_id: 'c-2' })).toMatchObject({
      ok: true,
      principal: { storeId: 'c-2' },
    });
    expect(await verifyWith({ role: 'patient', tenant_id: null, store_id: 'c-1' })).toMatchObject({
      ok: true,
      principal: { storeId: 'c-1' },
    });
    const twoTenants = await verifyWith({ role: 'patient', tenant_id: 'c-2', store_id: 'c-1' });
    expect(twoTenants.ok ? null : twoTenants.problem.message).toBe(
      'the token names two tenants: tenant_id and store_id differ',
    );
    const badTenant = await verifyWith({ role: 'patient', tenant_id: 42 });
    expect(badTenant.ok ? null : badTenant.problem.message).toBe(
      'a patient token needs a tenant_id (or store_id) claim',
    );
    const marketplaceRole = await verifyWith({ role: 'admin' });
    expect(marketplaceRole.ok ? null : marketplaceRole.problem.message).toBe(
      "the token's role claim must be one of clinician, patient, auditor, service",
    );
  });
});

describe('authorize(capability)', () => {
  const { core, directory } = createInMemoryMessaging({ policy: createAccessPolicy(marketplaceDefinition) });
  const app = Fastify({ logger: false });

  beforeAll(async () => {
    const at = new Date();
    await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'essential' }, at);
    await directory.upsertPlatformUser(
      { id: 'a1', name: 'A', email: 'a@x.test', role: 'admin', storeId: null, locale: 'en' },
      at,
    );
    await directory.upsertPlatformUser(
      { id: 'u1', name: 'U', email: 'u@x.test', role: 'store', storeId: 's1', locale: 'en' },
      at,
    );
    await app.register(problemHandlingPlugin);
    await app.register(authPlugin, { key, resolveActor: core.resolveActor, policy: core.policy });
    app.get('/alerts', { onRequest: app.authorize('view_admin_notifications') }, async (r) => principalOf(r));
    app.get('/store-email', { onRequest: app.authorize('manage_tenant_email') }, async (r) => principalOf(r));
    await app.ready();
  });

  async function call(path: string, claims: Parameters<typeof issueToken>[1]) {
    const token = await issueToken(key, claims);
    const response = await app.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  }

  it('admits the types the policy grants the capability, with the same 403 as a role mismatch otherwise', async () => {
    expect((await call('/alerts', { sub: 'a1', role: 'admin' })).status).toBe(200);
    expect((await call('/store-email', { sub: 'u1', role: 'store', storeId: 's1' })).status).toBe(200);
    const store = await call('/alerts', { sub: 'u1', role: 'store', storeId: 's1' });
    expect(store).toMatchObject({
      status: 403,
      body: { detail: 'these routes are for admin tokens, not store' },
    });
    const admin = await call('/store-email', { sub: 'a1', role: 'admin' });
    expect(admin).toMatchObject({
      status: 403,
      body: { detail: 'these routes are for store tokens, not admin' },
    });
    const service = await call('/alerts', { sub: 'host', role: 'service' });
    expect(service).toMatchObject({
      status: 403,
      body: { detail: 'these routes are for admin tokens, not service' },
    });
  });
});
