import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Call, client } from './support/client.js';
import { type ComposedHarness, composedHarness } from './support/composed-api.js';
import { unzip } from './support/zip.js';

// GDPR through the API as `pnpm start` composes it (PostgreSQL when DATABASE_URL is set, else
// PGlite): the erasure reaches the directory every request reads through its cache.

const CUSTOMER = { type: 'customer', id: 'demo-customer-1' };

describe('GDPR erasure through the composed API', () => {
  let harness: ComposedHarness;
  let call: Call;

  beforeAll(async () => {
    harness = await composedHarness();
    call = client(harness.api);
  });
  afterAll(() => harness.close());

  it('shows the erased person as Erased person at once (the cached entry is dropped) and their words as [erased]', async () => {
    const started = await call('POST', '/api/v1/conversations', {
      token: harness.tokens.store,
      body: {
        conversation_type: 'store_customer',
        subject: 'Your parcel',
        participants: [CUSTOMER],
        initial_message: 'It left the warehouse',
      },
    });
    expect(started.status).toBe(201);
    const id: string = started.body.id;
    const reply = await call('POST', `/api/v1/conversations/${id}/messages`, {
      token: harness.tokens.customer,
      body: { content: 'Thanks, my walrus will be pleased' },
    });
    expect(reply.status).toBe(201);
    // Read once: the directory cache now holds the customer's entry.
    const before = await call('GET', `/api/v1/conversations/${id}`, { token: harness.tokens.store });
    expect(JSON.stringify(before.body)).toContain('Carla Customer');
    // Global notification preferences are theirs too: the export carries them.
    const saved = await call('PUT', '/api/v1/me/notification-preferences', {
      token: harness.tokens.customer,
      body: { email_frequency: 'weekly', time_zone: 'Europe/Paris', digest_hour: 18, digest_weekday: 5 },
    });
    expect(saved.status).toBe(200);

    const exported = await harness.api.app.inject({
      method: 'GET',
      url: `/api/v1/platform/participants/customer/${CUSTOMER.id}/export`,
      headers: { authorization: `Bearer ${harness.tokens.service}` },
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.rawPayload.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    const entries = await unzip(exported.rawPayload);
    expect(JSON.parse(entries.get('notification_preferences.json')?.toString('utf8') ?? 'null')).toEqual([
      {
        email_frequency: 'weekly',
        time_zone: 'Europe/Paris',
        digest_hour: 18,
        digest_weekday: 5,
        updated_at: expect.any(String),
      },
    ]);

    const erased = await call('DELETE', `/api/v1/platform/participants/customer/${CUSTOMER.id}`, {
      token: harness.tokens.service,
    });
    expect(erased.status).toBe(204);
    // The audit log records the export and the erasure with the request that made them, without
    // the erased data.
    const audit = await call('GET', '/api/v1/admin/audit-log?target_type=participant', {
      token: harness.tokens.admin,
    });
    expect(audit.status).toBe(200);
    const recorded = (
      audit.body.entries as { action: string; request_id: string | null; ip: string | null }[]
    )
      .map((entry) => ({ action: entry.action, request: entry.request_id !== null, ip: entry.ip }))
      .sort((a, b) => a.action.localeCompare(b.action));
    expect(recorded).toEqual([
      { action: 'participant.erase', request: true, ip: '127.0.0.1' },
      { action: 'participant.export', request: true, ip: '127.0.0.1' },
    ]);
    expect(JSON.stringify(audit.body)).not.toContain('walrus');
    const after = await call('GET', `/api/v1/conversations/${id}`, { token: harness.tokens.store });
    const text = JSON.stringify(after.body);
    expect(text).not.toContain('Carla Customer');
    expect(text).toContain('Erased person');
    expect(text).not.toContain('walrus');
    expect(text).toContain('[erased]');
    expect(text).toContain('It left the warehouse');
    const search = await call('GET', '/api/v1/conversations/search?q=walrus', {
      token: harness.tokens.store,
    });
    expect(search.body.results).toEqual([]);
  });
});
