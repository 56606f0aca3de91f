import { type AuditEntry, type AuditRecord, maskSecrets } from '../audit/audit-entry.js';
import type { AuditLog, AuditQuery } from '../audit/audit-log.js';

/** The audit rows of an in-memory store (part of its state, so a rolled-back unit drops its rows). */
export interface AuditLogState {
  rows: AuditRecord[];
  /** The last id given (decimal counter). */
  lastId: number;
}

export function emptyAuditLogState(): AuditLogState {
  return { rows: [], lastId: 0 };
}

/** Appends entries to the state, each with the next id and a masked diff (what every writer does). */
export function appendAuditEntries(state: AuditLogState, entries: readonly AuditEntry[]): void {
  for (const entry of entries) {
    state.lastId += 1;
    state.rows = [...state.rows, { ...entry, diff: maskSecrets(entry.diff), id: String(state.lastId) }];
  }
}

function matchesAction(pattern: string, action: string): boolean {
  return pattern.endsWith('.*') ? action.startsWith(pattern.slice(0, -1)) : pattern === action;
}

/**
 * The audit log in memory: over a state of its own, or over an in-memory store's (`state`), so
 * rows derived from that store's events commit and roll back with them.
 *
 * @example
 * ```ts
 * const audit = new InMemoryAuditLog();
 * await audit.append([entry]);
 * await audit.list({ limit: 10 });
 * ```
 */
export class InMemoryAuditLog implements AuditLog {
  readonly #state: () => AuditLogState;

  constructor(state?: () => AuditLogState) {
    const own = emptyAuditLogState();
    this.#state = state ?? (() => own);
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    appendAuditEntries(this.#state(), entries);
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const before = query.beforeId === undefined ? null : BigInt(query.beforeId);
    return this.#state()
      .rows.filter(
        (row) =>
          (before === null || BigInt(row.id) < before) &&
          (query.tenantId === undefined || row.tenantId === query.tenantId) &&
          (query.actorType === undefined || row.actor.type === query.actorType) &&
          (query.actorId === undefined || row.actor.id === query.actorId) &&
          (query.action === undefined || matchesAction(query.action, row.action)) &&
          (query.targetType === undefined || row.target.type === query.targetType) &&
          (query.targetId === undefined || row.target.id === query.targetId) &&
          (query.from === undefined || row.occurredAt.getTime() >= query.from.getTime()) &&
          (query.to === undefined || row.occurredAt.getTime() < query.to.getTime()),
      )
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1))
      .slice(0, Math.max(0, Math.floor(query.limit)));
  }

  async prune(before: Date, limit: number): Promise<number> {
    const state = this.#state();
    const doomed = new Set(
      state.rows
        .filter((row) => row.occurredAt.getTime() < before.getTime())
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
        .slice(0, Math.max(0, Math.floor(limit)))
        .map((row) => row.id),
    );
    state.rows = state.rows.filter((row) => !doomed.has(row.id));
    return doomed.size;
  }
}
