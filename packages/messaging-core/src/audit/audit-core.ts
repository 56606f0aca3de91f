import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import { requireCapability } from '../conversations/policy/require-capability.js';
import type { AuditRecord } from '../kernel/audit/audit-entry.js';
import type { AuditLog, AuditQuery } from '../kernel/audit/audit-log.js';
import { MessagingError } from '../kernel/errors.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { decodeCursor, encodeCursor, invalidCursor } from '../kernel/paging/cursor-codec.js';
import { parseLimit } from '../kernel/paging/parse-limit.js';
import type { Clock } from '../kernel/ports/clock.js';
import type { PlatformSettings } from '../kernel/settings/platform-settings.js';

export interface AuditDependencies {
  readonly policy: AccessPolicy;
  readonly auditLog: AuditLog;
  /** Where `audit_log_retention_days` is read. */
  readonly settings: PlatformSettings;
  readonly clock: Clock;
}

/** Filters of a listing or an export; every one optional. */
export interface AuditLogFilters {
  /** Platform readers only: one tenant's rows. Tenant-bound readers always see their own tenant's. */
  readonly tenantId?: string;
  readonly actorType?: string;
  readonly actorId?: string;
  /** One action, or `noun.*` for every action of a noun. */
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** Occurred at or after. */
  readonly from?: Date;
  /** Occurred before. */
  readonly to?: Date;
}

export interface ListAuditLogInput extends AuditLogFilters {
  readonly cursor?: string;
  /** 1..100, default 50. */
  readonly limit?: number;
}

export interface AuditLogPage {
  /** Newest first. */
  readonly items: AuditRecord[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface AuditCore {
  /**
   * The audit log, newest first in keyset pages: platform readers (`read_audit_log` without a
   * tenant) see every tenant's, optionally one; tenant-bound readers their own tenant's only;
   * anyone else is `FORBIDDEN`. Reads only.
   *
   * @example
   * ```ts
   * const page = await audit.listAuditLog(admin, { action: 'conversation.*', limit: 20 });
   * const next = await audit.listAuditLog(admin, { action: 'conversation.*', cursor: page.nextCursor ?? undefined });
   * ```
   */
  listAuditLog(actor: Actor, input?: ListAuditLogInput): Promise<AuditLogPage>;
  /**
   * Every row matching the filters, newest first, read in keyset pages of 500 as the consumer
   * pulls (an export streams, it never holds the log in memory). Permission and filters are
   * checked before the first row, so a refusal is an error, not an empty stream. Reads only.
   *
   * @example
   * ```ts
   * for await (const row of await audit.exportAuditLog(admin, { from })) write(JSON.stringify(row));
   * ```
   */
  exportAuditLog(actor: Actor, filters?: AuditLogFilters): Promise<AsyncIterable<AuditRecord>>;
  /**
   * The retention sweep (the worker runs it): deletes rows older than the platform setting
   * `audit_log_retention_days`, up to `limit` (default 10,000) per call, oldest first; returns how
   * many went. The only delete the audit log allows.
   */
  sweepAuditLog(limit?: number): Promise<number>;
}

const CURSOR_TAG = 'audit1';
const EXPORT_PAGE = 500;
const DAY_MS = 86_400_000;

function validDate(value: Date | undefined, field: string): void {
  if (value !== undefined && Number.isNaN(value.getTime()))
    throw MessagingError.validation(field, `${field} must be a valid date`);
}

function text(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length > 255) throw MessagingError.validation(field, `${field} must be at most 255 characters`);
  return trimmed;
}

function decodeAuditCursor(cursor: string): string {
  const [tag, id] = decodeCursor(cursor, 'cursor');
  if (tag !== CURSOR_TAG || typeof id !== 'string' || !/^[1-9][0-9]{0,18}$/.test(id))
    throw invalidCursor('cursor');
  return id;
}

/**
 * The audit log's use cases: listing and exporting for those the policy lets read it
 * (`read_audit_log`), and the retention sweep. Rows are written by the changes themselves (see
 * `AuditLog`), never here.
 *
 * @example
 * ```ts
 * const audit = createAuditCore({ policy: core.policy, auditLog, settings, clock });
 * ```
 */
export function createAuditCore(deps: AuditDependencies): AuditCore {
  const scoped = (actor: Actor, filters: AuditLogFilters): Omit<AuditQuery, 'limit'> => {
    requireCapability(
      deps.policy,
      actor,
      'read_audit_log',
      filters.tenantId === undefined ? {} : { tenantId: filters.tenantId },
    );
    // A tenant-bound reader sees its own tenant's rows only, whatever the definition's rows say.
    const tenantId = deps.policy.isTenantBound(actor.type)
      ? (actor.tenantId ?? '')
      : text(filters.tenantId, 'tenant_id');
    validDate(filters.from, 'from');
    validDate(filters.to, 'to');
    if (filters.from && filters.to && filters.from.getTime() > filters.to.getTime())
      throw MessagingError.validation('to', 'to must not be before from');
    const fields = {
      tenantId,
      actorType: text(filters.actorType, 'actor_type'),
      actorId: text(filters.actorId, 'actor_id'),
      action: text(filters.action, 'action'),
      targetType: text(filters.targetType, 'target_type'),
      targetId: text(filters.targetId, 'target_id'),
      from: filters.from,
      to: filters.to,
    };
    return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Omit<
      AuditQuery,
      'limit'
    >;
  };

  return {
    async listAuditLog(actor, input = {}) {
      const query = scoped(actor, input);
      const limit = parseLimit(input.limit, 50);
      const beforeId = input.cursor === undefined ? undefined : decodeAuditCursor(input.cursor);
      const rows = await deps.auditLog.list({
        ...query,
        limit: limit + 1,
        ...(beforeId === undefined ? {} : { beforeId }),
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor([CURSOR_TAG, last.id]) : null,
      };
    },

    async exportAuditLog(actor, filters = {}) {
      const query = scoped(actor, filters);
      const { auditLog } = deps;
      return {
        async *[Symbol.asyncIterator]() {
          let beforeId: string | undefined;
          for (;;) {
            const rows = await auditLog.list({
              ...query,
              limit: EXPORT_PAGE,
              ...(beforeId === undefined ? {} : { beforeId }),
            });
            yield* rows;
            const last = rows.at(-1);
            if (rows.length < EXPORT_PAGE || last === undefined) return;
            beforeId = last.id;
          }
        },
      };
    },

    async sweepAuditLog(limit = 10_000) {
      const days = await deps.settings.number('audit_log_retention_days');
      return deps.auditLog.prune(new Date(deps.clock.now().getTime() - days * DAY_MS), limit);
    },
  };
}
