import {
  type AuditEntry,
  auditEntryOf,
  DIRECTORY_CHANGED,
  type DirectoryChangedPayload,
  type SETTINGS_CHANGED,
  type SettingsChangedPayload,
} from '@parley/messaging-core';
import { type Kysely, sql, type Transaction } from 'kysely';
import { insertAuditEntries } from '../audit/kysely-audit-log.js';
import type { Database } from '../database-types.js';

/** A kernel change other processes must hear about (their caches drop what it names). */
export type KernelChange =
  | {
      readonly type: typeof DIRECTORY_CHANGED;
      readonly tenantId: string | null;
      readonly payload: DirectoryChangedPayload;
    }
  | {
      readonly type: typeof SETTINGS_CHANGED;
      readonly tenantId: null;
      readonly payload: SettingsChangedPayload;
    };

/**
 * Runs a kernel write (directory, settings) and, when it reports a change, appends that event to
 * the log in the same transaction; after the commit, `committed` gets the event's id and the
 * change (the local log tails wake at once, and on PostgreSQL the other processes' through
 * `NOTIFY`; this process's caches can drop what changed without waiting for its tail).
 *
 * Audit rows commit in the same transaction: the `audit` entries `work` returns (a settings
 * update names its admin and the value's diff), else the row derived from the change's event when
 * its type is audited (`auditEntryOf`; kernel events carry no request, so the actor is the
 * platform service).
 */
export async function writeKernelChange<T>(
  db: Kysely<Database>,
  committed: ((newestId: string, change: KernelChange) => void) | undefined,
  at: Date,
  work: (trx: Transaction<Database>) => Promise<{
    readonly value: T;
    readonly change: KernelChange | null;
    readonly audit?: readonly AuditEntry[];
  }>,
): Promise<T> {
  let written: { readonly id: string; readonly change: KernelChange } | null = null;
  const value = await db.transaction().execute(async (trx) => {
    const { value, change, audit } = await work(trx);
    const derived =
      audit === undefined && change !== null
        ? auditEntryOf({
            ...change,
            conversationId: null,
            actor: { type: 'service', id: 'platform' },
            occurredAt: at,
          })
        : null;
    await insertAuditEntries(trx, audit ?? (derived === null ? [] : [derived]));
    if (change !== null) {
      const { rows } = await sql<{ id: string }>`
        insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
        values (${change.tenantId}::text, null, ${change.type}::text, 'service', 'platform',
          ${JSON.stringify(change.payload)}::jsonb, ${at.toISOString()}::timestamptz)
        returning id::text as id`.execute(trx);
      const id = rows[0]?.id;
      if (id !== undefined) written = { id, change };
    }
    return value;
  });
  const done = written as { readonly id: string; readonly change: KernelChange } | null;
  if (done !== null) committed?.(done.id, done.change);
  return value;
}

/** The `directory.changed` change of participant `id`. */
export function directoryChange(
  participantId: string,
  tenantId: string | null,
  change: DirectoryChangedPayload['change'],
): KernelChange {
  return { type: DIRECTORY_CHANGED, tenantId, payload: { participant_id: participantId, change } };
}
