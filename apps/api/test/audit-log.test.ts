import {
  KyselyAuditLog,
  KyselyEmailTemplateRepository,
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
  KyselyStoreEmailSettingsRepository,
} from '@parley/adapters-kysely';
import {
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import {
  type AuditLog,
  createAuditCore,
  createEmailCore,
  createEmailTemplatesCore,
  createMessagingCore,
  type EmailTemplateRepository,
  type MarketplaceDirectory,
  type MessagingStore,
  type SettingsStore,
  type StoreEmailSettingsRepository,
} from '@parley/messaging-core';
import {
  FixedClock,
  InMemoryEmailLogRepository,
  InMemoryEmailTemplateRepository,
  InMemoryMailTransportFactory,
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemoryOutboundAddressGuard,
  InMemorySettingsStore,
  InMemoryStoreEmailSettingsRepository,
  InMemoryTemplateRenderer,
  ReversibleSecretCipher,
} from '@parley/messaging-core/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness } from './support/build-harness.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { type ApiHarness, TEST_SECRET } from './support/harness.js';

// Issue 14: the audit log through the HTTP API — every covered change writes one row with its
// actor, request id, address, user agent and diff, in the change's transaction; reads, filters,
// keyset pages and the NDJSON export; who may read it. In memory, and on the Kysely store on
// PostgreSQL (DATABASE_URL) and on PGlite.

const BASE = '/api/v1/conversations';
const AUDIT = '/api/v1/admin/audit-log';

interface Backend {
  readonly name: string;
  open(): Promise<{
    store: MessagingStore;
    directory: MarketplaceDirectory;
    settings: SettingsStore;
    auditLog: AuditLog;
    emailSettings: StoreEmailSettingsRepository;
    templates: EmailTemplateRepository;
    kind: string;
  }>;
}

const databases: TestDatabase[] = [];
const kyselyOn = (target: 'auto' | 'pglite'): Backend => {
  let database: TestDatabase | undefined;
  return {
    name: `Kysely (${target === 'auto' ? 'PostgreSQL' : 'PGlite'})`,
    async open() {
      if (!database) {
        database = await openTestDatabase({ target });
        databases.push(database);
      }
      await database.truncate();
      const db = database.db;
      return {
        store: new KyselyMessagingStore({ db }),
        directory: new KyselyMarketplaceDirectory({ db }),
        settings: new KyselySettingsStore({ db }),
        auditLog: new KyselyAuditLog({ db }),
        emailSettings: new KyselyStoreEmailSettingsRepository({ db }),
        templates: new KyselyEmailTemplateRepository({ db }),
        kind: database.kind,
      };
    },
  };
};

const selected = await resolveTestDatabaseTarget();
const backends: Backend[] = [
  {
    name: 'in memory',
    async open() {
      const store = new InMemoryMessagingStore();
      const directory = new InMemoryMarketplaceDirectory();
      return {
        store,
        directory,
        settings: new InMemorySettingsStore({ audit: store.audit }),
        auditLog: store.audit,
        emailSettings: new InMemoryStoreEmailSettingsRepository(directory, store.audit),
        templates: new InMemoryEmailTemplateRepository({ directory, audit: store.audit }),
        kind: 'memory',
      };
    },
  },
  ...(selected.kind === 'pglite' ? [kyselyOn('pglite')] : [kyselyOn('auto'), kyselyOn('pglite')]),
];

afterAll(async () => {
  for (const database of databases) await database.destroy();
});

/** A request as a browser would send it: its own request id and user agent. */
const from = (requestId: string, agent = 'AuditTest/1.0 (vitest)') => ({
  'x-request-id': requestId,
  'user-agent': agent,
});

describe.each(backends)('audit log ($name)', (backend) => {
  let harness: ApiHarness;
  let call: Call;
  let tokens: Tokens;

  beforeEach(async () => {
    const opened = await backend.open();
    const clock = new FixedClock(new Date('2026-05-04T09:00:00.000Z'), { autoAdvanceMs: 10 });
    const core = createMessagingCore({
      store: opened.store,
      directory: opened.directory,
      settings: opened.settings,
      clock,
      settingsCacheTtlMs: 0,
    });
    const audit = createAuditCore({
      policy: core.policy,
      auditLog: opened.auditLog,
      settings: core.settings,
      clock,
    });
    const email = createEmailCore({
      directory: opened.directory,
      emailSettings: opened.emailSettings,
      emailLogs: new InMemoryEmailLogRepository(),
      cipher: new ReversibleSecretCipher(),
      transports: new InMemoryMailTransportFactory(),
      outboundGuard: new InMemoryOutboundAddressGuard(),
      platformFrom: { address: 'no-reply@parley.test' },
      clock,
    });
    const emailTemplates = createEmailTemplatesCore({
      templates: opened.templates,
      renderer: new InMemoryTemplateRenderer(),
      clock,
    });
    harness = await buildHarness(
      core,
      opened.directory,
      { kind: opened.kind, check: async () => {} },
      { audit, email, emailTemplates },
    );
    call = client(harness);
    tokens = await tokensFor(TEST_SECRET);
    await seedFixture(call, tokens.service);
  });
  afterEach(async () => {
    await harness?.close();
  });

  async function conversation(requestId = 'req-create'): Promise<string> {
    const created = await call('POST', '/api/v1/store/messages', {
      token: tokens.store1,
      headers: from(requestId),
      body: {
        conversation_type: 'store_customer',
        subject: 'Your order',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'It shipped',
      },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function rows(query = '') {
    const answer = await call('GET', `${AUDIT}${query}`, { token: tokens.admin });
    expect(answer.status).toBe(200);
    return answer.body.entries as {
      id: string;
      action: string;
      actor: { type: string; id: string; role: string | null };
      tenant_id: string | null;
      target: { type: string; id: string };
      request_id: string | null;
      ip: string | null;
      user_agent: string | null;
      diff: Record<string, unknown>;
    }[];
  }

  it('records a created conversation with its actor, request id, address, user agent and diff', async () => {
    const id = await conversation();
    const entries = await rows();
    // The first message's send is not audited: one row.
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'conversation.create',
      actor: { type: 'store', id: 'u1', role: 'store' },
      tenant_id: 's1',
      target: { type: 'conversation', id },
      request_id: 'req-create',
      ip: '127.0.0.1',
      user_agent: 'AuditTest/1.0 (vitest)',
      diff: { conversation_type: 'store_customer', subject: 'Your order' },
    });
  });

  it('records close, reopen, edit, delete, archive and preferences, one row each, and nothing for a refused change', async () => {
    const id = await conversation();
    const sent = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.customer1,
      body: { content: 'Where is it?' },
    });
    const messageId: string = sent.body.id;
    const steps: [string, string, string, string, unknown?][] = [
      ['POST', `${BASE}/${id}/close`, 'store1', 'conversation.close'],
      ['POST', `${BASE}/${id}/reopen`, 'store1', 'conversation.reopen'],
      [
        'PATCH',
        `${BASE}/${id}/messages/${messageId}`,
        'customer1',
        'message.edit',
        { content: 'Where is it now?' },
      ],
      ['DELETE', `${BASE}/${id}/messages/${messageId}`, 'customer1', 'message.delete'],
      ['POST', `${BASE}/${id}/archive`, 'customer1', 'conversation.archive'],
      ['POST', `${BASE}/${id}/unarchive`, 'customer1', 'conversation.unarchive'],
      ['PATCH', `${BASE}/${id}/preferences`, 'customer1', 'participant.update_preferences', { muted: true }],
    ];
    for (const [method, url, who, action, body] of steps) {
      const answer = await call(method as 'POST', url, {
        token: tokens[who as keyof Tokens],
        headers: from(`req-${action}`),
        ...(body === undefined ? {} : { body }),
      });
      expect(answer.status, `${action}: ${answer.text}`).toBe(200);
      const [row] = await rows(`?action=${action}`);
      expect(row, action).toMatchObject({ action, request_id: `req-${action}`, ip: '127.0.0.1' });
    }
    // A refused change (closing twice; a customer closing) writes nothing.
    await call('POST', `${BASE}/${id}/close`, { token: tokens.store1 });
    expect((await call('POST', `${BASE}/${id}/close`, { token: tokens.store1 })).status).toBe(409);
    expect((await call('POST', `${BASE}/${id}/reopen`, { token: tokens.customer1 })).status).toBe(403);
    expect(await rows('?action=conversation.close')).toHaveLength(2);
    expect(await rows('?action=conversation.reopen')).toHaveLength(1);
    // Archiving twice records one change.
    await call('POST', `${BASE}/${id}/archive`, { token: tokens.customer1 });
    await call('POST', `${BASE}/${id}/archive`, { token: tokens.customer1 });
    expect(await rows('?action=conversation.archive')).toHaveLength(2);
    const [edit] = await rows('?action=message.edit');
    expect(edit?.target).toEqual({ type: 'message', id: messageId });
    expect(edit?.diff).toMatchObject({ revision: { from: 1, to: 2 } });
    // Message content never reaches the audit log.
    expect(JSON.stringify(await rows())).not.toMatch(/Where is it/);
  });

  it('records a platform setting change with the value diff; a refused value writes nothing', async () => {
    const changed = await call('PUT', '/api/v1/admin/settings/message_max_length', {
      token: tokens.admin,
      headers: from('req-setting'),
      body: { value: 500 },
    });
    expect(changed.status).toBe(200);
    const refused = await call('PUT', '/api/v1/admin/settings/message_max_length', {
      token: tokens.admin,
      body: { value: -1 },
    });
    expect(refused.status).toBe(400);
    const entries = await rows('?target_type=setting');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'settings.update',
      actor: { type: 'admin', id: 'a1', role: 'admin' },
      tenant_id: null,
      target: { type: 'setting', id: 'message_max_length' },
      request_id: 'req-setting',
      diff: { value: { from: 10_000, to: 500 } },
    });
  });

  it('records email settings changes without ever storing a credential', async () => {
    const secret = 'smtp-pa55word-never-logged';
    const put = await call('PUT', '/api/v1/store/email-settings', {
      token: tokens.store1,
      headers: from('req-email'),
      body: {
        provider: 'smtp',
        from_email: 'shop@acme.test',
        smtp_host: 'mail.acme.test',
        smtp_port: 587,
        smtp_username: 'acme-mailer',
        smtp_password: secret,
      },
    });
    expect(put.status, put.text).toBe(200);
    const refused = await call('PUT', '/api/v1/store/email-settings', {
      token: tokens.store1,
      body: { from_email: 'not an address' },
    });
    expect(refused.status).toBe(400);
    const entries = await rows('?action=email_settings.update');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: { type: 'store', id: 'u1', role: 'store' },
      tenant_id: 's1',
      target: { type: 'email_settings', id: 's1' },
      request_id: 'req-email',
      diff: {
        provider: { from: null, to: 'smtp' },
        smtp_host: { from: null, to: 'mail.acme.test' },
        smtp_password: { from: null, to: '[masked]' },
      },
    });
    const everything = await harness.app.inject({
      method: 'GET',
      url: `${AUDIT}/export`,
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expect(everything.body).not.toContain(secret);
  });

  it('records template writes by admins and stores; a refused delete writes nothing', async () => {
    const platform = await call('PUT', '/api/v1/admin/email-templates/new_message/en', {
      token: tokens.admin,
      headers: from('req-template'),
      // A body of our own: the in-memory renderer reads variables, not the seeded bodies' tags.
      body: { subject: '[Parley] {{ sender_name }} wrote', body_html: '<p>{{ message_preview }}</p>' },
    });
    expect(platform.status, platform.text).toBe(200);
    const override = await call('PUT', '/api/v1/store/email-templates/new_message/fr', {
      token: tokens.store1,
      body: { subject: 'Bonjour', body_html: '<p>ok</p>' },
    });
    expect(override.status, override.text).toBe(200);
    const removed = await call('DELETE', '/api/v1/store/email-templates/new_message/fr', {
      token: tokens.store1,
    });
    expect(removed.status).toBe(204);
    // Deleting what is not there (a 404) records nothing.
    const missing = await call('DELETE', '/api/v1/admin/email-templates/new_message/it', {
      token: tokens.admin,
    });
    expect(missing.status).toBe(404);
    const again = await call('DELETE', '/api/v1/store/email-templates/new_message/fr', {
      token: tokens.store1,
    });
    expect(again.status).toBe(404);
    const entries = await rows('?target_type=email_template');
    expect(entries.map((r) => [r.action, r.tenant_id, r.target.id])).toEqual([
      ['email_template_override.delete', 's1', 'new_message/fr'],
      ['email_template_override.save', 's1', 'new_message/fr'],
      ['email_template.update', null, 'new_message/en'],
    ]);
    expect(entries[2]).toMatchObject({
      request_id: 'req-template',
      diff: { subject: { to: '[Parley] {{ sender_name }} wrote' } },
    });
    // Store users see their own tenant's rows only.
    const store = await call('GET', `${AUDIT}?target_type=email_template`, { token: tokens.store1 });
    expect(store.body.entries.map((r: { action: string }) => r.action)).toEqual([
      'email_template_override.delete',
      'email_template_override.save',
    ]);
  });

  it('filters by actor, action, target, tenant and time, and pages with a keyset cursor', async () => {
    const first = await conversation('req-1');
    await call('POST', `${BASE}/${first}/close`, { token: tokens.store1 });
    const second = await call('POST', '/api/v1/store/messages', {
      token: tokens.store2,
      body: {
        conversation_type: 'store_customer',
        subject: 'Globex order',
        recipient_type: 'customer',
        recipient_id: 'c3',
        initial_message: 'Hi',
      },
    });
    expect(second.status).toBe(201);
    expect((await rows('?tenant_id=s2')).map((r) => r.target.id)).toEqual([second.body.id]);
    expect((await rows('?actor_type=store&actor_id=u1')).map((r) => r.action)).toEqual([
      'conversation.close',
      'conversation.create',
    ]);
    expect((await rows('?action=conversation.*')).length).toBe(3);
    expect((await rows(`?target_type=conversation&target_id=${first}`)).length).toBe(2);
    expect(await rows('?from=2030-01-01T00:00:00.000Z')).toEqual([]);
    expect((await rows('?to=2030-01-01T00:00:00.000Z')).length).toBe(3);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { entries: { id: string }[]; next_cursor: string | null } } =
        await call('GET', `${AUDIT}?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: tokens.admin });
      expect(page.status).toBe(200);
      seen.push(...page.body.entries.map((r) => r.id));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual((await rows()).map((r) => r.id));

    const bad = await call('GET', `${AUDIT}?cursor=nope`, { token: tokens.admin });
    expect(bad.status).toBe(400);
    expect(bad.body.field ?? bad.body.errors?.[0]?.field ?? bad.text).toMatch(/cursor/);
    expect((await call('GET', `${AUDIT}?limit=0`, { token: tokens.admin })).status).toBe(400);
    expect((await call('GET', `${AUDIT}?from=yesterday`, { token: tokens.admin })).status).toBe(400);
  });

  it('exports the rows as NDJSON, streamed, with the filters', async () => {
    const id = await conversation();
    await call('POST', `${BASE}/${id}/close`, { token: tokens.store1 });
    const exported = await harness.app.inject({
      method: 'GET',
      url: `${AUDIT}/export?action=conversation.*`,
      headers: { authorization: `Bearer ${tokens.admin}`, accept: 'application/x-ndjson' },
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = exported.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.action)).toEqual(['conversation.close', 'conversation.create']);
    expect(lines).toEqual(await rows('?action=conversation.*'));
    const refused = await call('GET', `${AUDIT}/export`, { token: tokens.customer1 });
    expect(refused.status).toBe(403);
  });

  it('lets admins read every tenant, store users their own only, and no one else', async () => {
    await conversation();
    const store = await call('GET', AUDIT, { token: tokens.store1 });
    expect(store.status).toBe(200);
    expect(store.body.entries.map((r: { tenant_id: string }) => r.tenant_id)).toEqual(['s1']);
    expect((await call('GET', AUDIT, { token: tokens.store2 })).body.entries).toEqual([]);
    expect((await call('GET', `${AUDIT}?tenant_id=s1`, { token: tokens.store2 })).status).toBe(403);
    expect((await call('GET', AUDIT, { token: tokens.customer1 })).status).toBe(403);
    expect((await call('GET', AUDIT, { token: tokens.service })).status).toBe(403);
    expect((await call('GET', AUDIT)).status).toBe(401);
    // No route changes a row.
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'] as const) {
      expect((await call(method, AUDIT, { token: tokens.admin, body: {} })).status).toBeGreaterThanOrEqual(
        404,
      );
    }
  });
});
