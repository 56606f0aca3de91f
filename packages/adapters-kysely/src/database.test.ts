import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchemaName, createDatabase } from './database.js';
import { KyselySettingsStore } from './kernel/kysely-settings-store.js';
import { migrateToLatest } from './migrator.js';
import { readTestDatabaseEnv } from './testing/config.js';

describe('createDatabase', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-pglite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists PGlite to its data directory across restarts', async () => {
    const dataDir = join(dir, 'nested', 'data'); // parents created on first use
    const first = createDatabase({ kind: 'pglite', dataDir });
    expect(first.kind).toBe('pglite');
    await migrateToLatest(first);
    await new KyselySettingsStore({ db: first.db }).set({
      key: 'message_max_length',
      value: 500,
      category: 'messaging',
      updatedAt: new Date('2026-03-01T10:00:00Z'),
    });
    await first.destroy();

    const second = createDatabase({ kind: 'pglite', dataDir });
    expect((await migrateToLatest(second)).applied).toEqual([]);
    expect(await new KyselySettingsStore({ db: second.db }).get('message_max_length')).toEqual({
      key: 'message_max_length',
      value: 500,
      category: 'messaging',
      updatedAt: new Date('2026-03-01T10:00:00Z'),
    });
    await second.destroy();
  });

  it('puts the tables and the migration bookkeeping in the configured schema', async () => {
    const database = createDatabase({ kind: 'pglite', schema: 'tenant_a' });
    expect(database.schema).toBe('tenant_a');
    await migrateToLatest(database);
    const { rows } = await sql<{ table_schema: string; count: number }>`
      select table_schema, count(*)::int as count from information_schema.tables
      where table_schema in ('public', 'tenant_a') group by table_schema`.execute(database.db);
    // 38 Parley tables plus Kysely's two bookkeeping tables, nothing in public.
    expect(rows).toEqual([{ table_schema: 'tenant_a', count: 40 }]);
    await database.destroy();
  });

  it('refuses schema names that are not plain identifiers', () => {
    expect(assertSchemaName('t_0a1b')).toBe('t_0a1b');
    for (const bad of ['', 'Tenant', 'a-b', 'x; drop table messages', '1abc']) {
      expect(() => assertSchemaName(bad)).toThrow(/invalid schema name/);
    }
  });

  it('reads the test database choice from the environment it is given', () => {
    expect(readTestDatabaseEnv({ DATABASE_URL: 'postgres://a/b', PARLEY_TEST_DB: 'pglite' })).toEqual({
      databaseUrl: 'postgres://a/b',
      forced: 'pglite',
      dockerHost: undefined,
    });
    expect(readTestDatabaseEnv({ PARLEY_DATABASE_URL: 'postgres://c/d' }).databaseUrl).toBe('postgres://c/d');
    expect(readTestDatabaseEnv({})).toEqual({
      databaseUrl: undefined,
      forced: undefined,
      dockerHost: undefined,
    });
  });
});
