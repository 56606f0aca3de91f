import { type Kysely, sql } from 'kysely';
import { seedDefaultEmailTemplates } from '../../email/migrations/0006-email-templates.js';

/**
 * Global notification preferences and digests (issue 14):
 * - `notification_preferences`: one row per person who saved any (email frequency, IANA time
 *   zone, digest hour and ISO weekday); a partial index serves the digest worker's walk over the
 *   people who chose a digest.
 * - `notification_digests`: one row per digest, unique on (participant, period, period start) —
 *   the key that makes a digest go out at most once per person and period, whatever the number
 *   of workers; claims are leased and fenced like notification jobs.
 * - the `digest_daily` and `digest_weekly` templates (en, fr, de), seeded where missing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notification_preferences (
      participant_type text not null,
      participant_id text not null,
      tenant_id text,
      email_frequency text not null,
      time_zone text not null,
      digest_hour smallint not null,
      digest_weekday smallint not null,
      updated_at timestamptz not null,
      constraint notification_preferences_pkey primary key (participant_type, participant_id),
      constraint notification_preferences_frequency_check
        check (email_frequency in ('immediate', 'daily', 'weekly', 'off')),
      constraint notification_preferences_hour_check check (digest_hour between 0 and 23),
      constraint notification_preferences_weekday_check check (digest_weekday between 1 and 7)
    )`.execute(db);
  await sql`
    create index notification_preferences_digest_idx
      on notification_preferences (participant_type, participant_id)
      where email_frequency in ('daily', 'weekly')`.execute(db);
  await sql`
    create table notification_digests (
      id uuid primary key default gen_random_uuid(),
      participant_type text not null,
      participant_id text not null,
      period text not null,
      period_start date not null,
      status text not null default 'pending',
      attempts integer not null default 1,
      lease_token text not null,
      locked_until timestamptz not null,
      locked_by text not null,
      email_log_id text,
      conversation_count integer not null default 0,
      last_error text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint notification_digests_key unique (participant_type, participant_id, period, period_start),
      constraint notification_digests_period_check check (period in ('daily', 'weekly')),
      constraint notification_digests_status_check
        check (status in ('pending', 'sent', 'empty', 'skipped', 'failed'))
    )`.execute(db);
  await seedDefaultEmailTemplates(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table notification_digests`.execute(db);
  await sql`drop table notification_preferences`.execute(db);
  await sql`delete from email_templates where code in ('digest_daily', 'digest_weekly')`.execute(db);
}
