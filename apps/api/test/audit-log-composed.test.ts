import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '@parley/messaging-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';

const url = process.env.DATABASE_URL;
const usePostgres = url !== undefined && process.env.PARLEY_TEST_DB !== 'pglite';
const schema = `t_audit_${Math.random().toString(36).slice(2, 10)}`;
const databaseEnv: Record<string, string> = usePostgres
  ? { PARLEY_DATABASE_URL: url, PARLEY_DATABASE_SCHEMA: schema, PARLEY_DATABASE_POOL_SIZE: '4' }
  : {};

// The audit log as `pnpm start` composes it (PostgreSQL with DATABASE_URL, else PGlite): webhook
// endpoint writes (no secret in any row) and the retention sweep the worker runs.
describe(`audit log, composed (${usePostgres ? 'postgres' : 'pglite'})`, () => {
  let dir: string;
  let api: ComposedApi | undefined;
  let call: Call;
  let t: Tokens;
  const clock = new FixedClock(new Date('2026-06-01T10:00:00.000Z'));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-audit-'));
    api = await compose(
      parseConfig(
        {
          ...databaseEnv,
          PARLEY_LOG_LEVEL: 'silent',
          PARLEY_SEED_DEMO: 'false',
          PARLEY_NOTIFICATIONS_WORKER: 'off',
          PARLEY_OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
        },
        dir,
      ),
      { clock },
    );
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
  });

  afterAll(async () => {
    await api?.close();
    if (usePostgres) await dropSchema(schema);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const rows = async (query: string, token = t.admin) => {
    const answer = await call('GET', `/api/v1/admin/audit-log${query}`, { token });
    expect(answer.status, answer.text).toBe(200);
    return answer.body.entries as {
      action: string;
      actor: { type: string; id: string; role: string | null };
      tenant_id: string | null;
      target: { type: string; id: string };
      request_id: string | null;
      diff: Record<string, unknown>;
    }[];
  };

  it('records webhook endpoint writes by stores and services, never their secrets or URL queries', async () => {
    const created = await call('POST', '/api/v1/store/webhooks', {
      token: t.store1,
      headers: { 'x-request-id': 'req-hook' },
      body: { url: 'http://127.0.0.1:9/hook?token=query-secret', event_types: ['message.sent'] },
    });
    expect(created.status, created.text).toBe(201);
    const id: string = created.body.webhook.id;
    const secret: string = created.body.secret;
    const updated = await call('PATCH', `/api/v1/store/webhooks/${id}`, {
      token: t.store1,
      body: { description: 'orders' },
    });
    expect(updated.status, updated.text).toBe(200);
    const rotated = await call('POST', `/api/v1/store/webhooks/${id}/rotate-secret`, { token: t.store1 });
    expect(rotated.status, rotated.text).toBe(200);
    expect((await call('DELETE', `/api/v1/store/webhooks/${id}`, { token: t.store1 })).status).toBe(204);
    expect((await call('DELETE', `/api/v1/store/webhooks/${id}`, { token: t.store1 })).status).toBe(404);
    const platform = await call('POST', '/api/v1/platform/webhooks', {
      token: t.service,
      body: { url: 'http://127.0.0.1:9/platform', event_types: ['*'] },
    });
    expect(platform.status, platform.text).toBe(201);

    const entries = await rows('?target_type=webhook_endpoint');
    expect(entries.map((r) => [r.action, r.actor.type, r.tenant_id])).toEqual([
      ['webhook.create', 'service', null],
      ['webhook.delete', 'store', 's1'],
      ['webhook.rotate_secret', 'store', 's1'],
      ['webhook.update', 'store', 's1'],
      ['webhook.create', 'store', 's1'],
    ]);
    expect(entries[4]).toMatchObject({
      request_id: 'req-hook',
      actor: { id: 'u1', role: 'store' },
      diff: { url: { from: null, to: 'http://127.0.0.1:9/hook' } },
    });
    expect(entries[3]?.diff).toEqual({ description: { from: '', to: 'orders' } });
    expect(entries[0]).toMatchObject({ actor: { type: 'service', id: 'platform', role: 'service' } });
    const all = JSON.stringify(entries);
    for (const hidden of [secret, rotated.body.secret, 'query-secret']) expect(all).not.toContain(hidden);
  });

  it('the worker sweep deletes rows older than audit_log_retention_days, and only those', async () => {
    const retention = await call('PUT', '/api/v1/admin/settings/audit_log_retention_days', {
      token: t.admin,
      body: { value: 30 },
    });
    expect(retention.status, retention.text).toBe(200);
    const before = (await rows('?limit=100')).length;
    expect(before).toBeGreaterThan(0);
    clock.set(new Date('2026-07-15T10:00:00.000Z'));
    await call('PUT', '/api/v1/admin/settings/message_max_length', { token: t.admin, body: { value: 900 } });
    expect(await api!.audit.sweep.runOnce()).toBe(before);
    expect((await rows('')).map((r) => r.target.id)).toEqual(['message_max_length']);
  });
});
