import { beforeEach, describe, expect, it } from 'vitest';
import { AUDITED_EVENTS, auditEntryOf } from '../kernel/audit/audited-events.js';
import { isMessagingError } from '../kernel/errors.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import type { RequestOrigin } from '../kernel/model/request-origin.js';
import { uuidV7Ids } from '../kernel/ports/id-generator.js';
import { PlatformSettings } from '../kernel/settings/platform-settings.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../testing/in-memory-messaging.js';
import { type AuditCore, createAuditCore } from './audit-core.js';

const origin = (requestId: string, actorRole: string): RequestOrigin => ({
  requestId,
  ip: '192.0.2.10',
  userAgent: 'vitest/1',
  actorRole,
});
const ADMIN: Actor = { type: 'admin', id: 'u-admin', tenantId: null, origin: origin('r-admin', 'admin') };
const SAM: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme', origin: origin('r-sam', 'store') };
const ANA: Actor = { type: 'customer', id: 'c-ana', tenantId: 'acme' };

async function failure(promise: Promise<unknown>): Promise<{ code: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    if (isMessagingError(error)) return { code: error.code, ...(error.field ? { field: error.field } : {}) };
    throw error;
  }
  throw new Error('expected a MessagingError');
}

describe('audit log on in-memory adapters', () => {
  let m: InMemoryMessaging;
  let audit: AuditCore;
  let clock: FixedClock;

  beforeEach(async () => {
    clock = new FixedClock(new Date('2026-05-01T09:00:00.000Z'), { autoAdvanceMs: 1000 });
    m = createInMemoryMessaging({ clock, ids: uuidV7Ids });
    const at = new Date('2026-04-01T00:00:00.000Z');
    await m.directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, at);
    await m.directory.upsertStore({ id: 'bolt', name: 'Bolt', tier: 'essential' }, at);
    for (const [id, role, storeId] of [
      ['u-admin', 'admin', null],
      ['u-sam', 'store', 'acme'],
      ['u-bea', 'store', 'bolt'],
    ] as const) {
      await m.directory.upsertPlatformUser(
        { id, name: id, email: `${id}@p.test`, role, storeId, locale: 'en' },
        at,
      );
    }
    await m.directory.upsertCustomer(
      { id: 'c-ana', storeId: 'acme', name: 'Ana', email: 'ana@mail.test', locale: 'en' },
      at,
    );
    audit = createAuditCore({
      policy: m.core.policy,
      auditLog: m.store.audit,
      settings: new PlatformSettings(m.settings, clock, { cacheTtlMs: 0 }),
      clock,
    });
  });

  async function start(): Promise<string> {
    const detail = await m.core.createConversation(SAM, {
      conversationType: 'store_customer',
      subject: 'Order 7',
      recipient: { type: 'customer', id: 'c-ana' },
      initialMessage: 'Hello',
    });
    return detail.conversation.id;
  }

  it('records create and close with the actor, request and diff; not the send; nothing for a refused change', async () => {
    const id = await start();
    await m.core.sendMessage(ANA, { conversationId: id, content: 'Hi' });
    await m.core.closeConversation(SAM, id);
    const conflict = await failure(m.core.closeConversation(SAM, id));
    expect(conflict.code).toBe('CONFLICT');
    const { items } = await audit.listAuditLog(ADMIN);
    expect(items.map((row) => row.action)).toEqual(['conversation.close', 'conversation.create']);
    expect(items[0]).toMatchObject({
      actor: { type: 'store', id: 'u-sam', role: 'store' },
      tenantId: 'acme',
      target: { type: 'conversation', id },
      requestId: 'r-sam',
      ip: '192.0.2.10',
      userAgent: 'vitest/1',
    });
    expect(items[1]?.diff).toMatchObject({ subject: 'Order 7', conversation_type: 'store_customer' });
  });

  it('a change without a request (a worker) is audited with null request columns', async () => {
    const id = await start();
    await m.core.closeConversation({ type: 'store', id: 'u-sam', tenantId: 'acme' }, id);
    const [row] = (await audit.listAuditLog(ADMIN, { action: 'conversation.close' })).items;
    expect(row).toMatchObject({
      actor: { type: 'store', id: 'u-sam', role: null },
      requestId: null,
      ip: null,
    });
  });

  it('scopes readers: admins all (or one tenant), store users their own tenant, customers none', async () => {
    await start();
    await m.core.createConversation(ADMIN, {
      conversationType: 'admin_store',
      subject: 'Bolt audit',
      recipient: { type: 'store', id: 'u-bea' },
      initialMessage: 'Hi',
    });
    expect((await audit.listAuditLog(ADMIN)).items).toHaveLength(2);
    expect((await audit.listAuditLog(ADMIN, { tenantId: 'bolt' })).items.map((r) => r.tenantId)).toEqual([
      'bolt',
    ]);
    expect((await audit.listAuditLog(SAM)).items.map((r) => r.tenantId)).toEqual(['acme']);
    // A store user naming another tenant is refused, never shown it.
    expect((await failure(audit.listAuditLog(SAM, { tenantId: 'bolt' }))).code).toBe('FORBIDDEN');
    expect((await failure(audit.listAuditLog(ANA))).code).toBe('FORBIDDEN');
  });

  it('pages newest first with a cursor, and exports every row in pages', async () => {
    for (let i = 0; i < 5; i += 1) await start().then((id) => m.core.closeConversation(SAM, id));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit.listAuditLog(ADMIN, { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((row) => row.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(10);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
    const exported: string[] = [];
    for await (const row of await audit.exportAuditLog(ADMIN, { action: 'conversation.close' }))
      exported.push(row.action);
    expect(exported).toEqual(Array(5).fill('conversation.close'));
    expect((await failure(audit.listAuditLog(ADMIN, { cursor: 'nope!' }))).field).toBe('cursor');
    expect((await failure(audit.listAuditLog(ADMIN, { limit: 0 }))).field).toBe('limit');
    expect(
      (await failure(audit.listAuditLog(ADMIN, { from: new Date('2026-02-01'), to: new Date('2026-01-01') })))
        .field,
    ).toBe('to');
  });

  it('audits a settings change with the value diff, and sweeps rows past the retention setting', async () => {
    const settings = new PlatformSettings(m.settings, clock, { cacheTtlMs: 0 });
    await start();
    await settings.update('audit_log_retention_days', 30, ADMIN);
    const [row] = (await audit.listAuditLog(ADMIN, { action: 'settings.update' })).items;
    expect(row).toMatchObject({
      target: { type: 'setting', id: 'audit_log_retention_days' },
      tenantId: null,
      requestId: 'r-admin',
      diff: { value: { from: 365, to: 30 } },
    });
    clock.set(new Date('2026-06-15T00:00:00.000Z'));
    await settings.update('message_max_length', 500, ADMIN);
    expect(await audit.sweepAuditLog()).toBe(2);
    expect((await audit.listAuditLog(ADMIN)).items.map((r) => r.target.id)).toEqual(['message_max_length']);
  });

  it('maps moderation and GDPR event types by their strings, without their content', () => {
    const base = {
      tenantId: 's1',
      conversationId: 'c1',
      actor: { type: 'admin', id: 'a1' },
      occurredAt: new Date('2026-05-01T00:00:00.000Z'),
    };
    for (const type of ['message.flagged', 'message.held', 'message.approved', 'message.rejected']) {
      const entry = auditEntryOf({
        ...base,
        type,
        payload: { message_id: 'm1', content: 'secret words', reason: 'spam' },
      });
      expect(entry?.target).toEqual({ type: 'message', id: 'm1' });
      expect(JSON.stringify(entry?.diff)).not.toContain('secret words');
    }
    const erased = auditEntryOf({
      ...base,
      conversationId: null,
      type: 'participant.erased',
      payload: { participant: { type: 'customer', id: 'c9' }, name: 'Erased Name' },
    });
    expect(erased).toMatchObject({
      action: 'participant.erase',
      target: { type: 'participant', id: 'customer:c9' },
      diff: {},
    });
    expect(
      auditEntryOf({ ...base, type: 'conversation.monitored', payload: { message_count: 4 } }),
    ).toMatchObject({
      action: 'conversation.monitor',
      target: { type: 'conversation', id: 'c1' },
      diff: { message_count: 4 },
    });
    expect(
      auditEntryOf({
        ...base,
        conversationId: null,
        type: 'participant.blocked',
        payload: { blocked: { type: 'user', id: 'u7' } },
      }),
    ).toMatchObject({ action: 'participant.block', target: { type: 'participant', id: 'user:u7' } });
    expect(auditEntryOf({ ...base, type: 'message.sent', payload: {} })).toBeNull();
    expect(Object.keys(AUDITED_EVENTS)).toContain('participant.exported');
  });
});
