import { type Kysely, sql } from 'kysely';

/**
 * The append-only `audit_log` (issue 14): one row per audited change, written in the change's
 * transaction (derived from its event where the event is appended, or written explicitly beside
 * changes without one). Request metadata (request id, IP, user agent) lives here only, never in
 * `events`, so webhooks and real-time frames cannot expose it.
 *
 * Rows cannot be changed:
 * - `revoke update, delete, truncate … from public`: roles other than the owner cannot (a
 *   deployment's read-only or reporting roles get `select` only);
 * - a row trigger refuses every `update`, and every `delete` except in a transaction that set
 *   `parley.audit_retention` to `on` (`set_config(…, true)`: transaction-local), which only the
 *   retention sweep (`KyselyAuditLog.prune`) does. The owner could drop the trigger; the point is
 *   that no code path of Parley, and no mistaken statement, changes history.
 *
 * PGlite runs the same statements (it has plpgsql and roles; the revoke changes nothing there
 * since it has a single user).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      occurred_at timestamptz not null,
      tenant_id text,
      actor_type text not null,
      actor_id text not null,
      actor_role text,
      action text not null,
      target_type text not null,
      target_id text not null,
      request_id text,
      ip text,
      user_agent text,
      diff jsonb not null default '{}'::jsonb
    )`.execute(db);
  // Listings are newest first by id, optionally one tenant's; the sweep deletes by time.
  await sql`create index audit_log_tenant_id_idx on audit_log (tenant_id, id)`.execute(db);
  await sql`create index audit_log_occurred_at_idx on audit_log (occurred_at)`.execute(db);
  await sql`create index audit_log_target_idx on audit_log (target_type, target_id, id)`.execute(db);
  await sql`create index audit_log_actor_idx on audit_log (actor_type, actor_id, id)`.execute(db);
  await sql`revoke update, delete, truncate on audit_log from public`.execute(db);
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and coalesce(current_setting('parley.audit_retention', true), '') = 'on' then
        return old;
      end if;
      raise exception 'audit_log rows cannot be changed (%)', lower(tg_op)
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists audit_log`.execute(db);
  await sql`drop function if exists audit_log_append_only()`.execute(db);
}
