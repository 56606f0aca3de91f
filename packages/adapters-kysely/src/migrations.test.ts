import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyMessagingStore } from './conversations/kysely-messaging-store.js';
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
      'audit_log',
      'conversation_pairs',
      'conversation_participants',
      'conversations',
      'customers',
      'delivery_advances',
      'directory_people',
      'directory_tenants',
      'email_delivery_events',
      'email_logs',
      'email_templates',
      'event_subscribers',
      'events',
      'message_attachments',
      'message_hides',
      'message_revisions',
      'messages',
      'moderation_settings',
      'notification_digests',
      'notification_jobs',
      'notification_preferences',
      'notification_windows',
      'participant_blocks',
      'platform_settings',
      'platform_users',
      'rate_limit_counters',
      'read_advances',
      'send_failure_streaks',
      'send_idempotency_keys',
      'store_email_settings',
      'store_email_templates',
      'stores',
      'webhook_attempts',
      'webhook_deliveries',
      'webhook_endpoints',
      'webhook_replay_tokens',
      'webhook_secrets',
    ]);

    const down = await rollback(database, { all: true });
    expect(down.applied.map((step) => `${step.direction} ${step.name}`)).toEqual([
      'Down 0031_participant_conversations_index',
      'Down 0030_message_search_recent',
      'Down 0029_rate_limit_counters',
      'Down 0028_inbound_bounce_templates',
      'Down 0027_personal_data',
      'Down 0026_notification_preferences',
      'Down 0025_audit_log',
      'Down 0024_moderation',
      'Down 0023_webhooks',
      'Down 0022_mail_fallback',
      'Down 0021_message_search',
      'Down 0019_message_revisions',
      'Down 0018_archive',
      'Down 0017_delivery_receipts',
      'Down 0016_care_team',
      'Down 0015_people_directory',
      'Down 0014_conversation_members',
      'Down 0013_event_log',
      'Down 0012_shared_alert_state',
      'Down 0011_notification_fencing',
      'Down 0010_message_seq',
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
    expect(afterDown('0023_webhooks')?.tables.filter((t) => t.startsWith('webhook_'))).toEqual([
      'webhook_replay_tokens',
    ]);
    expect(afterDown('0023_webhooks')?.tables).toContain('delivery_advances');
    expect(full.tables).toContain('rate_limit_counters');
    expect(full.indexes.join('\n')).toContain('conversation_participants_participant_idx');
    expect(afterDown('0031_participant_conversations_index')?.indexes.join('\n')).not.toContain(
      'conversation_participants_participant_idx',
    );
    expect(afterDown('0029_rate_limit_counters')?.tables).not.toContain('rate_limit_counters');
    expect(afterDown('0029_rate_limit_counters')?.tables).toContain('webhook_deliveries');
    expect(full.indexes.join('\n')).toContain('webhook_deliveries_pending_idx');
    expect(full.indexes.join('\n')).toContain('messages_sender_idx');
    expect(full.indexes.join('\n')).toContain('messages_store_recent_idx');
    expect(afterDown('0030_message_search_recent')?.indexes.join('\n')).not.toContain(
      'messages_store_recent_idx',
    );
    expect(afterDown('0030_message_search_recent')?.indexes.join('\n')).toContain('messages_search_idx');
    expect(afterDown('0027_personal_data')?.indexes.join('\n')).not.toContain('messages_sender_idx');
    expect(afterDown('0027_personal_data')?.indexes.join('\n')).not.toContain('email_logs_user_idx');
    expect(full.columns).toContain('conversation_participants.archived_at timestamp with time zone');
    expect(afterDown('0018_archive')?.columns.join('\n')).not.toContain('archived_at');
    expect(full.columns).toContain('messages.revision integer not null default 1');
    expect(afterDown('0019_message_revisions')?.tables).not.toContain('message_revisions');
    expect(afterDown('0019_message_revisions')?.columns.join('\n')).not.toContain('edited_at');
    expect(afterDown('0019_message_revisions')?.tables).toContain('messages');
    expect(afterDown('0015_people_directory')?.tables).not.toContain('directory_people');
    expect(afterDown('0015_people_directory')?.tables).not.toContain('directory_tenants');
    expect(afterDown('0015_people_directory')?.indexes.join('\n')).not.toContain('directory_people_');
    expect(afterDown('0015_people_directory')?.tables).toContain('customers');
    expect(afterDown('0014_conversation_members')?.columns.join('\n')).not.toContain('left_at');
    expect(afterDown('0014_conversation_members')?.columns.join('\n')).not.toContain('membership_version');
    expect(afterDown('0014_conversation_members')?.indexes.join('\n')).toContain(
      'INCLUDE (unread_count) WHERE ((unread_count > 0) AND (NOT muted))',
    );
    expect(full.columns).toContain("conversation_participants.role text not null default 'member'::text");
    expect(full.columns).toContain('conversation_participants.visible_from_seq integer not null default 1');
    expect(afterDown('0013_event_log')?.tables).not.toContain('events');
    expect(afterDown('0013_event_log')?.tables).not.toContain('event_subscribers');
    expect(afterDown('0013_event_log')?.tables).toContain('send_failure_streaks');
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
    expect(afterDown('0010_message_seq')?.columns.join('\n')).not.toContain('messages.seq');
    expect(afterDown('0010_message_seq')?.columns.join('\n')).not.toContain('last_read_seq');
    expect(afterDown('0010_message_seq')?.constraints.join('\n')).not.toContain(
      'messages_conversation_seq_key',
    );
    expect(afterDown('0010_message_seq')?.tables).toContain('admin_notifications');
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
        'conversation_participants_inbox_idx ON conversation_participants USING btree (participant_type, participant_id, last_activity_at DESC, conversation_id DESC) INCLUDE (conversation_store_id) WHERE (left_at IS NULL)',
      ),
    );
    expect(indexes).toContainEqual(
      expect.stringContaining(
        'conversation_participants_unread_idx ON conversation_participants USING btree (participant_type, participant_id, conversation_store_id) INCLUDE (unread_count) WHERE ((unread_count > 0) AND (NOT muted) AND (left_at IS NULL))',
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
    expect(constraints).toContain('messages messages_conversation_seq_key UNIQUE (conversation_id, seq)');
    expect(constraints).toContain('messages messages_seq_check CHECK ((seq >= 1))');
    expect(constraints).toContain(
      'conversation_participants conversation_participants_last_read_seq_check CHECK ((last_read_seq >= 0))',
    );
    expect(columns).toContain('messages.seq integer not null');
    expect(columns).toContain('conversation_participants.last_read_seq integer not null default 0');
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
            seq: 1,
            sender_type: 'admin',
            sender_id: 'a1',
            content: 'x',
            created_at: at,
          })
          .execute(),
      ),
    ).toEqual(['23503', 'messages_conversation_id_fkey']);
  });
  it('0010 numbers existing messages in history order, derives read state, recounts, and rolls back', async () => {
    const { db } = database;
    await database.truncate();
    const migrator = createMigrator(database);
    expect((await migrator.migrateTo('0009_admin_notifications')).error).toBeUndefined();
    const t = (s: number) => new Date(Date.parse('2026-03-01T10:00:00Z') + s * 1000);
    const conversationId = '01900000-0000-7000-8000-0000000000c1';
    const emptyId = '01900000-0000-7000-8000-0000000000c2';
    const legacy = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    // As concurrent sends left it: a counter out of step with history, a last read older than the
    // member's own last message, an unread count that disagrees with both.
    await legacy
      .insertInto('conversations')
      .values([
        {
          id: conversationId,
          conversation_type: 'store_customer',
          subject: 'legacy',
          store_id: 's1',
          last_message_at: t(4),
          message_count: 4,
          created_at: t(0),
          updated_at: t(4),
        },
        {
          id: emptyId,
          conversation_type: 'store_customer',
          subject: 'empty',
          store_id: 's1',
          message_count: 0,
          created_at: t(0),
          updated_at: t(0),
        },
      ])
      .execute();
    await legacy
      .insertInto('conversation_participants')
      .values([
        {
          conversation_id: conversationId,
          participant_type: 'store',
          participant_id: 'u1',
          store_id: 's1',
          unread_count: 0,
          last_read_at: t(2),
          last_activity_at: t(5),
          joined_at: t(0),
        },
        {
          conversation_id: conversationId,
          participant_type: 'customer',
          participant_id: 'c1',
          store_id: 's1',
          unread_count: 2,
          last_read_at: t(3),
          last_activity_at: t(5),
          joined_at: t(0),
        },
        {
          conversation_id: emptyId,
          participant_type: 'customer',
          participant_id: 'c1',
          store_id: 's1',
          unread_count: 0,
          last_read_at: null,
          last_activity_at: t(0),
          joined_at: t(0),
        },
      ])
      .execute();
    // Ids deliberately out of time order; two messages share a time (the id breaks the tie).
    const message = (n: string, sender: [string, string], at: Date, system = false) => ({
      id: `01900000-0000-7000-8000-0000000000${n}`,
      conversation_id: conversationId,
      sender_type: sender[0],
      sender_id: sender[1],
      content: `m${n}`,
      is_system_message: system,
      created_at: at,
    });
    const STAFF: [string, string] = ['store', 'u1'];
    const CUSTOMER: [string, string] = ['customer', 'c1'];
    await legacy
      .insertInto('messages')
      .values([
        message('f5', CUSTOMER, t(1)),
        message('f2', STAFF, t(2)),
        message('f1', CUSTOMER, t(3)),
        message('f4', STAFF, t(4), true),
        message('f3', STAFF, t(4)),
      ])
      .execute();

    expect((await migrator.migrateTo('0010_message_seq')).error).toBeUndefined();
    const messages = await sql<{ id: string; seq: number }>`
      select id, seq from messages where conversation_id = ${conversationId} order by seq`.execute(db);
    expect(messages.rows.map((m) => [m.id.slice(-2), m.seq])).toEqual([
      ['f5', 1],
      ['f2', 2],
      ['f1', 3],
      ['f3', 4],
      ['f4', 5],
    ]);
    const conversations = await sql<{ id: string; message_count: number }>`
      select id, message_count from conversations order by id`.execute(db);
    expect(conversations.rows.map((c) => c.message_count)).toEqual([5, 0]);
    const members = await sql<{ participant_id: string; last_read_seq: number; unread_count: number }>`
      select participant_id, last_read_seq, unread_count from conversation_participants
      order by conversation_id, participant_id`.execute(db);
    expect(members.rows.map((m) => [m.participant_id, m.last_read_seq, m.unread_count])).toEqual([
      // c1 read at t(3): up to seq 3 (its own message); after it, f3 by the store user (f4 is a system message).
      ['c1', 3, 1],
      // u1 read at t(2) (seq 2) but sent seq 4 since: read up to 4; nothing after.
      ['u1', 4, 0],
      ['c1', 0, 0],
    ]);

    // 0014 carries the memberships forward: the marketplace's one role, members from seq 1.
    expect((await migrator.migrateTo('0014_conversation_members')).error).toBeUndefined();
    const carried = await sql<{
      participant_id: string;
      role: string;
      left_at: Date | null;
      visible_from_seq: number;
    }>`
      select participant_id, role, left_at, visible_from_seq from conversation_participants
      order by conversation_id, participant_id`.execute(db);
    expect(carried.rows.map((m) => [m.participant_id, m.role, m.left_at, m.visible_from_seq])).toEqual([
      ['c1', 'member', null, 1],
      ['u1', 'member', null, 1],
      ['c1', 'member', null, 1],
    ]);

    // Appends carry on from the backfilled numbers (through today's statements, on today's schema).
    await migrateToLatest(database);
    const store = new KyselyMessagingStore({ db });
    const next = await store.messages.append({
      message: {
        id: '01900000-0000-7000-8000-0000000000f6',
        conversationId,
        sender: { type: 'customer', id: 'c1' },
        content: 'after',
        isSystemMessage: false,
        createdAt: t(3),
        attachments: [],
      },
      requireOpen: true,
    });
    expect(next.status === 'created' && [next.message.seq, next.message.createdAt]).toEqual([6, t(4)]);

    expect((await migrator.migrateTo('0009_admin_notifications')).error).toBeUndefined();
    const columns = await sql<{ name: string }>`
      select table_name || '.' || column_name as name from information_schema.columns
      where table_schema = current_schema() and column_name in ('seq', 'last_read_seq')`.execute(db);
    expect(columns.rows).toEqual([]);
    const kept = await sql<{ n: number | string }>`select count(*) as n from messages`.execute(db);
    expect(Number(kept.rows[0]?.n)).toBe(6);
    expect((await migrateToLatest(database)).applied.map((step) => step.name)).toContain('0010_message_seq');
  });
});
