import { auditLogContract, sampleAuditEntry } from '@parley/messaging-core/testing/contracts';
import { sql } from 'kysely';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { KyselyMessagingStore } from '../conversations/kysely-messaging-store.js';
import { KyselySettingsStore } from '../kernel/kysely-settings-store.js';
import { createMessagingStoreRawReader } from '../testing/kysely-raw-readers.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyAuditLog } from './kysely-audit-log.js';

// The audit log against the environment's database (DATABASE_URL, else PGlite) and, always, PGlite.
const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('audit log on %s', (target) => {
  let opened: Promise<TestDatabase> | undefined;
  const fresh = async (): Promise<TestDatabase> => {
    opened ??= openTestDatabase({ target });
    const database = await opened;
    await database.truncate();
    return database;
  };
  afterAll(async () => {
    await (await opened)?.destroy();
  });

  auditLogContract({
    name: target === 'pglite' ? 'kysely (pglite)' : `kysely (${selected.kind})`,
    setup: async () => {
      const { db } = await fresh();
      const raw = createMessagingStoreRawReader(db);
      return {
        auditLog: new KyselyAuditLog({ db }),
        store: new KyselyMessagingStore({ db }),
        rawEvents: () => raw.events(),
      };
    },
  });

  describe('append-only in the database', () => {
    let database: TestDatabase;
    beforeEach(async () => {
      database = await fresh();
      await new KyselyAuditLog({ db: database.db }).append([sampleAuditEntry()]);
    });

    it('refuses an update and a delete, whoever sends them', async () => {
      await expect(sql`update audit_log set action = 'x'`.execute(database.db)).rejects.toThrow(
        /audit_log rows cannot be changed/,
      );
      await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(
        /audit_log rows cannot be changed/,
      );
      const { rows } = await sql<{ action: string }>`select action from audit_log`.execute(database.db);
      expect(rows.map((row) => row.action)).toEqual(['email_settings.update']);
    });

    it('lets only the retention sweep delete, and only in its own transaction', async () => {
      const audit = new KyselyAuditLog({ db: database.db });
      expect(await audit.prune(new Date('2100-01-01T00:00:00.000Z'), 10)).toBe(1);
      await audit.append([sampleAuditEntry()]);
      // The sweep's flag ended with its transaction: a later plain delete is refused again.
      await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(/cannot be changed/);
    });

    it('revokes update and delete from PUBLIC', async () => {
      const { rows } = await sql<{ privilege_type: string }>`
        select privilege_type from information_schema.role_table_grants
        where table_name = 'audit_log' and grantee = 'PUBLIC'`.execute(database.db);
      expect(rows.map((row) => row.privilege_type)).not.toContain('UPDATE');
      expect(rows.map((row) => row.privilege_type)).not.toContain('DELETE');
    });
  });

  it('a settings write appends its audit row in the same transaction', async () => {
    const { db } = await fresh();
    const settings = new KyselySettingsStore({ db });
    const at = new Date('2026-05-01T00:00:00.000Z');
    await settings.set(
      { key: 'message_max_length', value: 500, category: 'messaging', updatedAt: at },
      sampleAuditEntry({
        tenantId: null,
        action: 'settings.update',
        target: { type: 'setting', id: 'message_max_length' },
        diff: { value: { from: 10_000, to: 500 } },
      }),
    );
    const rows = await new KyselyAuditLog({ db }).list({ limit: 5 });
    expect(rows.map((row) => [row.action, row.target.id, row.diff])).toEqual([
      ['settings.update', 'message_max_length', { value: { from: 10_000, to: 500 } }],
    ]);
  });
});
