import {
  type AuditEntry,
  type AuditLog,
  type AuditQuery,
  type AuditRecord,
  maskSecrets,
} from '@parley/messaging-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database-types.js';

/** One `audit_log` row as the reads select it. */
interface AuditRow {
  readonly id: string;
  readonly occurred_at: Date | string;
  readonly tenant_id: string | null;
  readonly actor_type: string;
  readonly actor_id: string;
  readonly actor_role: string | null;
  readonly action: string;
  readonly target_type: string;
  readonly target_id: string;
  readonly request_id: string | null;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly diff: unknown;
}

/** The `audit_log` columns every insert names, in `auditValues` order. */
export const AUDIT_COLUMNS = sql`(occurred_at, tenant_id, actor_type, actor_id, actor_role, action, target_type,
  target_id, request_id, ip, user_agent, diff)`;

/** One entry as a `values` tuple (diff masked here, so no writer can store a secret). */
export function auditValues(entry: AuditEntry): RawBuilder<unknown> {
  return sql`(${entry.occurredAt.toISOString()}::timestamptz, ${entry.tenantId}::text, ${entry.actor.type}::text,
    ${entry.actor.id}::text, ${entry.actor.role}::text, ${entry.action}::text, ${entry.target.type}::text,
    ${entry.target.id}::text, ${entry.requestId}::text, ${entry.ip}::text, ${entry.userAgent}::text,
    ${JSON.stringify(maskSecrets(entry.diff))}::jsonb)`;
}

/** Appends entries in one statement through `db` (a transaction, for the change's own). */
export async function insertAuditEntries(
  db: Kysely<Database>,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await sql`insert into audit_log ${AUDIT_COLUMNS} values ${sql.join(entries.map(auditValues))}`.execute(db);
}

function toAuditRecord(row: AuditRow): AuditRecord {
  const diff = typeof row.diff === 'string' ? JSON.parse(row.diff) : row.diff;
  return {
    id: row.id,
    actor: { type: row.actor_type, id: row.actor_id, role: row.actor_role },
    tenantId: row.tenant_id,
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    requestId: row.request_id,
    ip: row.ip,
    userAgent: row.user_agent,
    occurredAt: new Date(row.occurred_at),
    diff: (diff ?? {}) as AuditRecord['diff'],
  };
}

/**
 * The audit log in PostgreSQL (and PGlite): the `audit_log` table of migration 0025. Built per
 * connection: over the pool, or over a transaction so an explicit entry commits with its change.
 * Rows derived from events are written by `KyselyEventLog.append` and the kernel change log in
 * the event's own statement; this class appends the others, lists, and prunes.
 *
 * @example
 * ```ts
 * const audit = new KyselyAuditLog({ db });
 * const page = await audit.list({ tenantId: 's1', limit: 50 });
 * ```
 */
export class KyselyAuditLog implements AuditLog {
  readonly #db: Kysely<Database>;

  constructor(options: { readonly db: Kysely<Database> }) {
    this.#db = options.db;
  }

  /**
   * One `insert` of every entry.
   *
   * @example
   * ```ts
   * await new KyselyAuditLog({ db: trx }).append([entry]); // with the change, in `trx`
   * ```
   */
  append(entries: readonly AuditEntry[]): Promise<void> {
    return insertAuditEntries(this.#db, entries);
  }

  /**
   * One range scan, newest first by id (`audit_log_tenant_id_idx` for one tenant's rows).
   *
   * @example
   * ```ts
   * await audit.list({ action: 'conversation.*', beforeId: '1042', limit: 50 });
   * ```
   */
  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const size = Math.max(0, Math.floor(query.limit));
    if (size === 0) return [];
    const where: RawBuilder<unknown>[] = [sql`true`];
    if (query.beforeId !== undefined) where.push(sql`id < ${query.beforeId}::bigint`);
    if (query.tenantId !== undefined) where.push(sql`tenant_id = ${query.tenantId}`);
    if (query.actorType !== undefined) where.push(sql`actor_type = ${query.actorType}`);
    if (query.actorId !== undefined) where.push(sql`actor_id = ${query.actorId}`);
    if (query.action !== undefined) {
      where.push(
        query.action.endsWith('.*')
          ? sql`starts_with(action, ${query.action.slice(0, -1)})`
          : sql`action = ${query.action}`,
      );
    }
    if (query.targetType !== undefined) where.push(sql`target_type = ${query.targetType}`);
    if (query.targetId !== undefined) where.push(sql`target_id = ${query.targetId}`);
    if (query.from !== undefined) where.push(sql`occurred_at >= ${query.from.toISOString()}::timestamptz`);
    if (query.to !== undefined) where.push(sql`occurred_at < ${query.to.toISOString()}::timestamptz`);
    const { rows } = await sql<AuditRow>`
      select id::text as id, occurred_at, tenant_id, actor_type, actor_id, actor_role, action, target_type,
        target_id, request_id, ip, user_agent, diff
      from audit_log where ${sql.join(where, sql` and `)}
      order by id desc limit ${size}`.execute(this.#db);
    return rows.map(toAuditRecord);
  }

  /**
   * In one transaction: marks it as the retention sweep (`parley.audit_retention`, which the
   * append-only trigger lets delete), then deletes the oldest rows before `before`.
   *
   * @example
   * ```ts
   * await audit.prune(new Date(Date.now() - 365 * 86_400_000), 10_000);
   * ```
   */
  async prune(before: Date, limit: number): Promise<number> {
    const size = Math.max(0, Math.floor(limit));
    if (size === 0) return 0;
    const run = async (trx: Kysely<Database>) => {
      await sql`select set_config('parley.audit_retention', 'on', true)`.execute(trx);
      const { rows } = await sql<{ count: string | number }>`
        with doomed as (
          delete from audit_log where id in (
            select id from audit_log where occurred_at < ${before.toISOString()}::timestamptz order by id limit ${size}
          )
          returning 1
        )
        select count(*) as count from doomed`.execute(trx);
      await sql`select set_config('parley.audit_retention', '', true)`.execute(trx);
      return Number(rows[0]?.count ?? 0);
    };
    return this.#db.isTransaction ? run(this.#db) : this.#db.transaction().execute(run);
  }
}
