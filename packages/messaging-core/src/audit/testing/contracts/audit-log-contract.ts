import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../conversations/model/domain-event.js';
import type { MessagingStore } from '../../../conversations/ports/messaging-store.js';
import { type AuditEntry, MASKED } from '../../../kernel/audit/audit-entry.js';
import type { AuditLog } from '../../../kernel/audit/audit-log.js';
import type { RequestOrigin } from '../../../kernel/model/request-origin.js';

export interface AuditLogContractTarget {
  /** An audit log over empty storage. */
  readonly auditLog: AuditLog;
  /**
   * A messaging store over the same storage: events appended through it derive audit rows in the
   * same transaction (`auditEntryOf`).
   */
  readonly store: MessagingStore;
  /**
   * Every stored event, read directly (not through `read`, whose visibility horizon is the whole
   * server's: another client's long transaction would hide them for a while).
   */
  readonly rawEvents: () => Promise<readonly unknown[]>;
  readonly teardown?: () => Promise<void>;
}

export interface AuditLogContractOptions {
  readonly name: string;
  readonly setup: () => Promise<AuditLogContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

/** An entry with every field set; override what a test needs. */
export function sampleAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: { type: 'admin', id: 'a1', role: 'admin' },
    tenantId: 's1',
    action: 'email_settings.update',
    target: { type: 'email_settings', id: 's1' },
    requestId: 'req-1',
    ip: '203.0.113.7',
    userAgent: 'contract/1.0',
    occurredAt: at(0),
    diff: { from_name: { from: null, to: 'Shop' } },
    ...overrides,
  };
}

const ORIGIN: RequestOrigin = {
  requestId: 'req-42',
  ip: '198.51.100.9',
  userAgent: 'Mozilla/5.0 contract',
  actorRole: 'store',
};

/**
 * The contract every `AuditLog` adapter meets, and the audit rows its event log derives: append
 * and read back, filters and keyset order, masking, retention, and one row per audited event in
 * the event's own transaction (none for a rolled-back one, none for `message.sent`).
 */
export function auditLogContract(options: AuditLogContractOptions): void {
  describe(`AuditLog contract: ${options.name}`, () => {
    let target: AuditLogContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('reads back what it appended, newest first, with increasing ids', async () => {
      await target.auditLog.append([
        sampleAuditEntry(),
        sampleAuditEntry({ action: 'template.update', occurredAt: at(1) }),
      ]);
      const rows = await target.auditLog.list({ limit: 10 });
      expect(rows.map((row) => row.action)).toEqual(['template.update', 'email_settings.update']);
      expect(BigInt(rows[0]!.id) > BigInt(rows[1]!.id)).toBe(true);
      expect(rows[1]).toEqual({ ...sampleAuditEntry(), id: rows[1]!.id });
    });

    it('masks secrets in diffs at any depth, whatever the caller passed', async () => {
      await target.auditLog.append([
        sampleAuditEntry({
          diff: {
            smtp_password: { from: null, to: 'hunter2' },
            sendgrid_api_key: { from: 'SG.old', to: 'SG.new' },
            nested: { webhook_secret: 'whsec_x', token: 'abc', name: 'kept' },
            smtp_host: { from: null, to: 'mx.example.com' },
          },
        }),
      ]);
      const [row] = await target.auditLog.list({ limit: 1 });
      expect(row?.diff).toEqual({
        smtp_password: { from: null, to: MASKED },
        sendgrid_api_key: { from: MASKED, to: MASKED },
        nested: { webhook_secret: MASKED, token: MASKED, name: 'kept' },
        smtp_host: { from: null, to: 'mx.example.com' },
      });
      expect(JSON.stringify(row)).not.toMatch(/hunter2|SG\.new|whsec_x/);
    });

    it('filters by tenant, actor, action (and noun.*), target and time, and pages by id', async () => {
      await target.auditLog.append([
        sampleAuditEntry({ tenantId: 's1', action: 'conversation.close', occurredAt: at(0) }),
        sampleAuditEntry({ tenantId: 's2', action: 'conversation.reopen', occurredAt: at(10) }),
        sampleAuditEntry({
          tenantId: 's1',
          actor: { type: 'store', id: 'u9', role: 'store' },
          action: 'message.delete',
          target: { type: 'message', id: 'm1' },
          occurredAt: at(20),
        }),
      ]);
      const actions = async (query: Parameters<AuditLog['list']>[0]) =>
        (await target.auditLog.list(query)).map((row) => row.action);
      expect(await actions({ tenantId: 's1', limit: 10 })).toEqual(['message.delete', 'conversation.close']);
      expect(await actions({ actorType: 'store', actorId: 'u9', limit: 10 })).toEqual(['message.delete']);
      expect(await actions({ action: 'conversation.*', limit: 10 })).toEqual([
        'conversation.reopen',
        'conversation.close',
      ]);
      expect(await actions({ action: 'conversation.close', limit: 10 })).toEqual(['conversation.close']);
      expect(await actions({ targetType: 'message', targetId: 'm1', limit: 10 })).toEqual(['message.delete']);
      expect(await actions({ from: at(10), to: at(20), limit: 10 })).toEqual(['conversation.reopen']);
      const first = await target.auditLog.list({ limit: 2 });
      const rest = await target.auditLog.list({ limit: 2, beforeId: first[1]!.id });
      expect([...first, ...rest].map((row) => row.action)).toEqual([
        'message.delete',
        'conversation.reopen',
        'conversation.close',
      ]);
    });

    it('prunes only rows older than the cut, oldest first, up to the limit', async () => {
      await target.auditLog.append([
        sampleAuditEntry({ occurredAt: at(0) }),
        sampleAuditEntry({ occurredAt: at(1) }),
        sampleAuditEntry({ occurredAt: at(100) }),
      ]);
      expect(await target.auditLog.prune(at(50), 1)).toBe(1);
      expect(await target.auditLog.prune(at(50), 10)).toBe(1);
      const rows = await target.auditLog.list({ limit: 10 });
      expect(rows.map((row) => row.occurredAt.toISOString())).toEqual([at(100).toISOString()]);
    });

    const closed = (conversationId: string): DomainEvent => ({
      type: 'conversation.closed',
      occurredAt: at(5),
      actor: { type: 'store', id: 'u1' },
      tenantId: 's1',
      conversationId,
      origin: ORIGIN,
      conversation: {
        id: conversationId,
        conversationType: 'store_customer',
        subject: 'Order 1',
        tenantId: 's1',
        isClosed: true,
        closedAt: at(5),
        closedBy: { type: 'store', id: 'u1' },
        createdAt: at(0),
        updatedAt: at(5),
        lastMessageAt: null,
        messageCount: 3,
      },
    });

    it('derives one row per audited event, with its origin, and keeps the origin out of the event', async () => {
      const conversationId = '00000000-0000-4000-8000-000000000001';
      await target.store.transaction(async (tx) => {
        await tx.events.append([closed(conversationId)]);
      });
      const rows = await target.auditLog.list({ limit: 10 });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actor: { type: 'store', id: 'u1', role: 'store' },
        tenantId: 's1',
        action: 'conversation.close',
        target: { type: 'conversation', id: conversationId },
        requestId: 'req-42',
        ip: '198.51.100.9',
        userAgent: 'Mozilla/5.0 contract',
        diff: { message_count: 3 },
      });
      const events = await target.rawEvents();
      expect(events).toHaveLength(1);
      expect(JSON.stringify(events[0])).not.toMatch(/req-42|198\.51\.100\.9|Mozilla/);
    });

    it('writes no row for an event whose transaction rolls back, nor for unaudited types', async () => {
      const conversationId = '00000000-0000-4000-8000-000000000002';
      await expect(
        target.store.transaction(async (tx) => {
          await tx.events.append([closed(conversationId)]);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      await target.store.events.append([
        {
          type: 'conversation.read',
          occurredAt: at(6),
          actor: { type: 'customer', id: 'c1' },
          tenantId: 's1',
          conversationId,
          readAt: at(6),
          lastReadSeq: 1,
          unreadCount: 0,
        },
      ]);
      expect(await target.auditLog.list({ limit: 10 })).toEqual([]);
    });
  });
}
