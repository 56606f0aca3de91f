import type { AuditEntry, AuditRecord } from './audit-entry.js';

/** Which rows a listing reads: every filter optional, newest first, keyset-paged by id. */
export interface AuditQuery {
  /** Only this tenant's rows (tenant-bound readers are always limited to theirs). */
  readonly tenantId?: string;
  readonly actorType?: string;
  readonly actorId?: string;
  /** One action (`conversation.close`) or every action of a noun (`conversation.*`). */
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** Occurred at or after. */
  readonly from?: Date;
  /** Occurred before. */
  readonly to?: Date;
  /** Only rows older than this id (the previous page's last). */
  readonly beforeId?: string;
  readonly limit: number;
}

/**
 * The append-only audit log: one row per audited change, written in the change's own transaction.
 * Most rows are derived where events are appended (the event log's adapters call `auditEntryOf`
 * on each event); changes without an event write theirs through `append` with the same `tx`.
 * There is no update and no delete but `prune` (retention): the database refuses the others.
 *
 * @example
 * ```ts
 * await auditLog.append([{ actor, tenantId, action: 'email_settings.update', target, requestId, ip, userAgent, occurredAt, diff }]);
 * const page = await auditLog.list({ tenantId: 's1', limit: 50 });
 * ```
 */
export interface AuditLog {
  /**
   * Appends the entries, in order, each with a new id; masks secrets in their diffs
   * (`maskSecrets`) first. Writes only `audit_log` rows.
   */
  append(entries: readonly AuditEntry[]): Promise<void>;

  /** Up to `limit` rows matching the query, newest (highest id) first. Reads only. */
  list(query: AuditQuery): Promise<AuditRecord[]>;

  /**
   * Deletes up to `limit` rows that occurred before `before`, oldest first, and returns how many:
   * the retention sweep, the only delete the log allows.
   */
  prune(before: Date, limit: number): Promise<number>;
}
