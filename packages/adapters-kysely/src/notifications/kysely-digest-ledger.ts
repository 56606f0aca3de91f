import type {
  ClaimDigestInput,
  DigestFence,
  DigestLedger,
  DigestPeriod,
  DigestRecord,
  DigestStatus,
  FinishDigestInput,
  ParticipantRef,
  RetryDigestInput,
} from '@parley/messaging-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database-types.js';

interface DigestRow {
  readonly id: string;
  readonly participant_type: string;
  readonly participant_id: string;
  readonly period: string;
  readonly period_start: string;
  readonly status: string;
  readonly attempts: number;
  readonly lease_token: string;
  readonly locked_until: Date | string;
  readonly locked_by: string;
  readonly email_log_id: string | null;
  readonly conversation_count: number;
  readonly last_error: string | null;
  readonly created_at: Date | string;
  readonly updated_at: Date | string;
}

// The date as text: a `date` column would come back as a JS Date at local midnight.
const COLUMNS = sql`id::text as id, participant_type, participant_id, period,
  to_char(period_start, 'YYYY-MM-DD') as period_start, status, attempts, lease_token, locked_until,
  locked_by, email_log_id, conversation_count, last_error, created_at, updated_at`;

function toRecord(row: DigestRow): DigestRecord {
  return {
    id: row.id,
    participant: { type: row.participant_type, id: row.participant_id },
    period: row.period as DigestPeriod,
    periodStart: row.period_start,
    status: row.status as DigestStatus,
    attempts: Number(row.attempts),
    leaseToken: row.lease_token,
    lockedUntil: new Date(row.locked_until),
    lockedBy: row.locked_by,
    emailLogId: row.email_log_id,
    conversationCount: Number(row.conversation_count),
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * `DigestLedger` on `notification_digests` (migration 0026). A claim is one statement — an insert
 * that, on the (participant, period, period start) key, turns into a conditional retake — so
 * PostgreSQL's unique index decides between racing workers: the loser's insert waits for the
 * winner's transaction, then finds a live lease (or a finished digest) and returns nothing.
 *
 * @example
 * ```ts
 * const ledger = new KyselyDigestLedger({ db });
 * ```
 */
export class KyselyDigestLedger implements DigestLedger {
  readonly #db: Kysely<Database>;

  constructor(options: { readonly db: Kysely<Database> }) {
    this.#db = options.db;
  }

  async claim(input: ClaimDigestInput): Promise<DigestRecord | null> {
    const now = input.now.toISOString();
    const until = new Date(input.now.getTime() + input.leaseMs).toISOString();
    const { rows } = await sql<DigestRow>`
      insert into notification_digests as d (participant_type, participant_id, period, period_start,
        lease_token, locked_until, locked_by, created_at, updated_at)
      values (${input.participant.type}, ${input.participant.id}, ${input.period},
        ${input.periodStart}::date, gen_random_uuid()::text, ${until}::timestamptz, ${input.workerId},
        ${now}::timestamptz, ${now}::timestamptz)
      on conflict (participant_type, participant_id, period, period_start) do update set
        attempts = d.attempts + 1, lease_token = excluded.lease_token,
        locked_until = excluded.locked_until, locked_by = excluded.locked_by, updated_at = excluded.updated_at
      where d.status = 'pending' and d.locked_until <= ${now}::timestamptz
        and d.attempts < ${input.maxAttempts}
      returning ${COLUMNS}`.execute(this.#db);
    return rows[0] === undefined ? null : toRecord(rows[0]);
  }

  async finish(id: string, input: FinishDigestInput): Promise<boolean> {
    return this.#fenced(
      id,
      input,
      sql`status = ${input.status}, email_log_id = ${input.emailLogId},
        conversation_count = ${input.conversationCount}, last_error = ${input.error}`,
    );
  }

  async retry(id: string, input: RetryDigestInput): Promise<boolean> {
    return this.#fenced(
      id,
      input,
      sql`locked_until = ${input.availableAt.toISOString()}::timestamptz,
        email_log_id = ${input.emailLogId}, last_error = ${input.error}`,
    );
  }

  async find(
    participant: ParticipantRef,
    period: DigestPeriod,
    periodStart: string,
  ): Promise<DigestRecord | null> {
    const { rows } = await sql<DigestRow>`
      select ${COLUMNS} from notification_digests
      where participant_type = ${participant.type} and participant_id = ${participant.id}
        and period = ${period} and period_start = ${periodStart}::date`.execute(this.#db);
    return rows[0] === undefined ? null : toRecord(rows[0]);
  }

  async #fenced(id: string, fence: DigestFence, set: RawBuilder<unknown>): Promise<boolean> {
    // A malformed id is no digest of this ledger (and must not fail the cast).
    if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
    const now = fence.now.toISOString();
    const result = await sql`
      update notification_digests set ${set}, updated_at = ${now}::timestamptz
      where id = ${id}::uuid and status = 'pending' and lease_token = ${fence.leaseToken}
        and locked_until > ${now}::timestamptz`.execute(this.#db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }
}
