import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database-types.js';
import { PARLEY_MIGRATIONS } from './migrations/index.js';
import { createMigrator, migrateToLatest, rollback } from './migrator.js';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from './testing/test-database.js';

interface SchemaSnapshot {
  readonly tables: string[];
  readonly columns: string[];
  readonly constraints: string[];
  readonly indexes: string[];
}

/** Parley's tables, columns, constraints and indexes in the current schema, from the catalogs. */
async function snapshot(db: Kysely<Database>): Promise<SchemaSnapshot> {
  const notKysely = sql`not like 'kysely\\_%'`;
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_name ${notKysely}
    order by 1`.execute(db);
  const columns = await sql<{ line: string }>`
    select concat_ws(' ', table_name || '.' || column_name, data_type,
      case when is_nullable = 'NO' then 'not null' end, 'default ' || column_default) as line
    from information_schema.columns
    where table_schema = current_schema() and table_name ${notKysely}
    order by table_name, ordinal_position`.execute(db);
  const constraints = await sql<{ line: string }>`
    select cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid) as line
    from pg_constraint co
    join pg_class cl on cl.oid = co.conrelid
    where cl.relnamespace = current_schema()::regnamespace and cl.relname ${notKysely}
    order by 1`.execute(db);
  const indexes = await sql<{ line: string }>`
    select indexdef as line from pg_indexes
    where schemaname = current_schema() and tablename ${notKysely}
    order by indexname`.execute(db);
  return {
    tables: tables.rows.map((r) => r.name),
    columns: columns.rows.map((r) => r.line),
    constraints: constraints.rows.map((r) => r.line),
    indexes: indexes.rows.map((r) => r.line.replace(/ ON \S+\./, ' ON ')),
  };
}

const selected = await resolveTestDatabaseTarget();
const targets: ('auto' | 'pglite')[] = selected.kind === 'pglite' ? ['pglite'] : ['auto', 'pglite'];

describe.each(targets)('migrations on %s', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ target });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('goes up, down to nothing and up again to the identical schema', async () => {
    const first = await snapshot(database.db);
    expect(first.tables).toEqual([
      'admin_notifications',
      'conversation_participants',
      'conversations',
      'customers',
      'email_delivery_events',
      'email_logs',
      'email_templates',
      'message_attachments',
      'messages',
      'notification_jobs',
      'notification_windows',
      'platform_settings',
      'platform_users',
      'send_failure_streaks',
      'send_idempotency_keys',
      'store_email_settings',
      'store_email_templates',
      'stores',
      'webhook_replay_tokens',
    ]);

    const down = await rollback(database, { all: true });
    expect(down.applied.map((step) => `${step.direction} ${step.name}`)).toEqual([
      'Down 0012_shared_alert_state',
      'Down 0011_notification_fencing',
      'Down 0009_admin_notifications',
      'Down 0008_notifications',
      'Down 0007_inbox_badge_indexes',
      'Down 0006_email_templates',
      'Down 0005_email',
      'Down 0004_attachment_paths',
      'Down 0003_platform_settings',
      'Down 0002_directory',
      'Down 0001_messaging',
    ]);
    expect(await snapshot(database.db)).toEqual({ tables: [], columns: [], constraints: [], indexes: [] });

    const up = await migrateToLatest(database);
    expect(up.applied.map((step) => step.name)).toEqual(Object.keys(PARLEY_MIGRATIONS));
    expect(await snapshot(database.db)).toEqual(first);
    expect((await migrateToLatest(database)).applied).toEqual([]);
  });

  it('reverts and reapplies each migration on its own, one step at a time', async () => {
    const full = await snapshot(database.db);
    const names = Object.keys(PARLEY_MIGRATIONS);
    const seen: SchemaSnapshot[] = [];
    for (const name of [...names].reverse()) {
      const step = await rollback(database);
      expect(step.applied).toEqual([{ name, direction: 'Down' }]);
      seen.push(await snapshot(database.db));
    }
    expect(seen.at(-1)?.tables).toEqual([]);
    // Each down removed only its own tables (and indexes).
    const afterDown = (name: string) => seen[names.length - 1 - names.indexOf(name)];
    expect(afterDown('0012_shared_alert_state')?.tables).not.toContain('send_failure_streaks');
    expect(afterDown('0012_shared_alert_state')?.tables).not.toContain('webhook_replay_tokens');
    expect(afterDown('0012_shared_alert_state')?.columns.join('\n')).not.toContain('occurrences');
    expect(afterDown('0012_shared_alert_state')?.indexes.join('\n')).not.toContain(
      'admin_notifications_open_issue_idx',
    );
    expect(afterDown('0012_shared_alert_state')?.tables).toContain('admin_notifications');
    expect(afterDown('0011_notification_fencing')?.columns.join('\n')).not.toContain(
      'notification_jobs.lease_token',
    );
    expect(afterDown('0011_notification_fencing')?.tables).toContain('notification_jobs');
    expect(full.columns.join('\n')).toContain('notification_jobs.lease_token text');
    expect(afterDown('0009_admin_notifications')?.tables).not.toContain('admin_notifications');
    expect(afterDown('0009_admin_notifications')?.indexes.join('\n')).not.toContain('admin_notifications_');
    expect(afterDown('0008_notifications')?.tables).not.toContain('notification_jobs');
    expect(afterDown('0008_notifications')?.tables).not.toContain('notification_windows');
    expect(afterDown('0007_inbox_badge_indexes')?.columns.join('\n')).not.toContain('conversation_store_id');
    expect(afterDown('0007_inbox_badge_indexes')?.indexes.join('\n')).not.toContain(
      'conversation_participants_unread_idx',
    );
    expect(afterDown('0006_email_templates')?.tables).not.toContain('email_templates');
    expect(afterDown('0006_email_templates')?.tables).not.toContain('store_email_templates');
    expect(afterDown('0006_email_templates')?.tables).toContain('email_logs');
    expect(afterDown('0005_email')?.tables).not.toContain('email_logs');
    expect(afterDown('0005_email')?.tables).not.toContain('email_delivery_events');
    expect(afterDown('0005_email')?.tables).not.toContain('store_email_settings');
    expect(afterDown('0005_email')?.tables).toContain('stores');
    expect(afterDown('0004_attachment_paths')?.tables).toContain('message_attachments');
    expect(afterDown('0004_attachment_paths')?.indexes.join('\n')).not.toContain(
      'message_attachments_file_path_idx',
    );
    expect(afterDown('0003_platform_settings')?.tables).not.toContain('platform_settings');
    expect(afterDown('0003_platform_settings')?.tables).toContain('stores');
    expect(afterDown('0002_directory')?.tables).toEqual([
      'conversation_participants',
      'conversations',
      'message_attachments',
      'messages',
      'send_idempotency_keys',
    ]);
    for (const name of names) {
      const { results } = await createMigrator(database).migrateUp();
      expect(results?.map((r) => [r.migrationName, r.status])).toEqual([[name, 'Success']]);
    }
    expect(await snapshot(database.db)).toEqual(full);
  });

  it('declares the constraints and indexes the queries rely on', async () => {
    const { constraints, indexes, columns } = await snapshot(database.db);
    const has = (list: readonly string[], fragment: string) => list.some((line) => line.includes(fragment));
    expect(indexes).toContainEqual(
      expect.stringContaining(
        'conversation_participants_inbox_idx ON conversation_participants USING btree (participant_type, participant_id, last_activity_at DESC, conversation_id DESC) INCLUDE (conversation_store_id)',
      ),
    );
    expect(indexes).toContainEqual(
      expect.stringContaining(
        'conversation_participants_unread_idx ON conversation_participants USING btree (participant_type, participant_id, conversation_store_id) INCLUDE (unread_count) WHERE ((unread_count > 0) AND (NOT muted))',
      ),
    );
    expect(indexes).toContainEqual(
      expect.stringContaining(
        'messages_conversation_created_idx ON messages USING btree (conversation_id, created_at, id)',
      ),
    );
    expect(indexes).toContainEqual(
      expect.stringContaining(
        'conversations_type_store_idx ON conversations USING btree (conversation_type, store_id)',
      ),
    );
    expect(constraints).toContain(
      'conversation_participants conversation_participants_pkey PRIMARY KEY (conversation_id, participant_type, participant_id)',
    );
    expect(constraints).toContain(
      'send_idempotency_keys send_idempotency_keys_pkey PRIMARY KEY (sender_type, sender_id, key)',
    );
    expect(has(constraints, 'conversations_subject_length_check CHECK')).toBe(true);
    expect(
      has(
        constraints,
        "stores_tier_check CHECK ((tier = ANY (ARRAY['essential'::text, 'professional'::text, 'business'::text, 'enterprise'::text])))",
      ),
    ).toBe(true);
    expect(has(constraints, 'platform_users_store_check CHECK')).toBe(true);
    expect(constraints).toContain(
      'messages messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE',
    );
    expect(constraints).toContain(
      'customers customers_store_id_fkey FOREIGN KEY (store_id) REFERENCES stores(id)',
    );
    expect(columns).toContain('conversations.id uuid not null');
    expect(columns).toContain('messages.created_at timestamp with time zone not null');
    expect(columns).toContain('platform_settings.value jsonb not null');
    expect(columns).toContain('stores.id text not null');
    expect(indexes).toContainEqual(
      expect.stringContaining(
        'email_logs_provider_message_idx ON email_logs USING btree (provider, provider_message_id) WHERE (provider_message_id IS NOT NULL)',
      ),
    );
    expect(indexes).toContainEqual(
      expect.stringContaining(
        'email_logs_store_created_idx ON email_logs USING btree (store_id, created_at DESC, id DESC)',
      ),
    );
    expect(constraints).toContain(
      'email_delivery_events email_delivery_events_pkey PRIMARY KEY (provider, event_id)',
    );
    expect(constraints).toContain(
      'store_email_settings store_email_settings_store_id_fkey FOREIGN KEY (store_id) REFERENCES stores(id) ON DELETE CASCADE',
    );
    expect(has(constraints, 'store_email_settings_smtp_port_check CHECK')).toBe(true);
  });

  it('enforces the rules in the database itself', async () => {
    const { db } = database;
    await database.truncate();
    const at = new Date('2026-03-01T10:00:00Z');
    const conversation = {
      id: '01900000-0000-7000-8000-0000000000a1',
      conversation_type: 'admin_store',
      subject: 'ok',
      store_id: 's1',
      created_at: at,
      updated_at: at,
    };
    const violation = async (work: Promise<unknown>) => {
      const error = (await work.catch((e: unknown) => e)) as { code?: string; constraint?: string };
      return [error.code, error.constraint];
    };
    expect(
      await violation(
        db
          .insertInto('conversations')
          .values({ ...conversation, subject: '' })
          .execute(),
      ),
    ).toEqual(['23514', 'conversations_subject_length_check']);
    expect(
      await violation(
        db
          .insertInto('conversations')
          .values({ ...conversation, subject: 'x'.repeat(501) })
          .execute(),
      ),
    ).toEqual(['23514', 'conversations_subject_length_check']);
    await db
      .insertInto('conversations')
      .values({ ...conversation, subject: 'x'.repeat(500) })
      .execute();
    expect(
      await violation(
        db
          .insertInto('stores')
          .values({ id: 's1', name: 'Acme', tier: 'gold' as 'business', created_at: at, updated_at: at })
          .execute(),
      ),
    ).toEqual(['23514', 'stores_tier_check']);
    await db
      .insertInto('stores')
      .values({ id: 's1', name: 'Acme', tier: 'business', created_at: at, updated_at: at })
      .execute();
    const user = { id: 'u1', name: 'U', email: 'u@x.test', locale: 'en', created_at: at, updated_at: at };
    expect(
      await violation(
        db
          .insertInto('platform_users')
          .values({ ...user, role: 'store', store_id: null })
          .execute(),
      ),
    ).toEqual(['23514', 'platform_users_store_check']);
    expect(
      await violation(
        db
          .insertInto('platform_users')
          .values({ ...user, role: 'admin', store_id: 's1' })
          .execute(),
      ),
    ).toEqual(['23514', 'platform_users_store_check']);
    expect(
      await violation(
        db
          .insertInto('platform_users')
          .values({ ...user, role: 'store', store_id: 'ghost' })
          .execute(),
      ),
    ).toEqual(['23503', 'platform_users_store_id_fkey']);
    const membership = {
      conversation_id: conversation.id,
      participant_type: 'admin',
      participant_id: 'a1',
      last_activity_at: at,
      joined_at: at,
    };
    await db.insertInto('conversation_participants').values(membership).execute();
    expect(await violation(db.insertInto('conversation_participants').values(membership).execute())).toEqual([
      '23505',
      'conversation_participants_pkey',
    ]);
    expect(
      await violation(
        db
          .insertInto('messages')
          .values({
            id: '01900000-0000-7000-8000-0000000000b1',
            conversation_id: '01900000-0000-7000-8000-0000000000ff',
            sender_type: 'admin',
            sender_id: 'a1',
            content: 'x',
            created_at: at,
          })
          .execute(),
      ),
    ).toEqual(['23503', 'messages_conversation_id_fkey']);
  });
});
