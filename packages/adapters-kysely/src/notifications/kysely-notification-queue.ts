import { randomUUID } from 'node:crypto';
import type {
  ClaimNotificationsInput,
  CompleteNotificationsInput,
  FailNotificationsInput,
  FencedWriteResult,
  LeaseFence,
  NewNotificationJob,
  NotificationGroup,
  NotificationJob,
  NotificationJobStatus,
  NotificationQueue,
  NotificationQueueStats,
  RenewNotificationLeaseInput,
  RescheduleNotificationsInput,
} from '@parley/messaging-core';
import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, NotificationJobsTable } from '../database-types.js';

export type NotificationJobRow = Selectable<NotificationJobsTable>;

/** A `notification_jobs` row as the core's job. */
export function toNotificationJob(row: NotificationJobRow): NotificationJob {
  return {
    id: row.id,
    messageId: row.message_id,
    conversationId: row.conversation_id,
    recipient: { type: row.recipient_type, id: row.recipient_id },
    storeId: row.store_id,
    status: row.status as NotificationJobStatus,
    attempts: row.attempts,
    availableAt: new Date(row.available_at),
    lockedUntil: row.locked_until === null ? null : new Date(row.locked_until),
    lockedBy: row.locked_by,
    leaseToken: row.lease_token,
    emailLogId: row.email_log_id,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The notification outbox in PostgreSQL (`notification_jobs`, `notification_windows`). `claimDue`
 * is one statement: it picks due groups, takes a transaction-scoped advisory lock per group (so
 * two workers never split a group), locks the jobs `FOR UPDATE SKIP LOCKED` and leases them
 * under a new fencing token (`lease_token`). Every later write is one statement whose `where`
 * checks the token and `locked_until > now`, so a lease that ended can no longer renew, complete,
 * reschedule or fail. Works on PGlite too.
 *
 * @example
 * ```ts
 * const queue = new KyselyNotificationQueue(db);
 * const groups = await queue.claimDue({ workerId: 'w1', now: new Date(), leaseMs: 60_000, windowMs: 300_000, limit: 10 });
 * ```
 */
export class KyselyNotificationQueue implements NotificationQueue {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Inserts pending jobs in one statement; `on conflict do nothing` on the (message, recipient)
   * unique key makes a redelivered `message.sent` enqueue nothing twice.
   *
   * @example
   * ```ts
   * await queue.enqueue([{ messageId, conversationId, recipient, storeId: 'acme', createdAt }]);
   * ```
   */
  async enqueue(jobs: readonly NewNotificationJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const rows = jobs.map((job) => {
      const at = job.createdAt.toISOString();
      return sql`(gen_random_uuid(), ${job.messageId}::uuid, ${job.conversationId}::uuid,
        ${job.recipient.type}::text, ${job.recipient.id}::text, ${job.storeId}::text, 'pending', 0,
        ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz)`;
    });
    const result = await sql`
      insert into notification_jobs (id, message_id, conversation_id, recipient_type, recipient_id, store_id,
        status, attempts, available_at, created_at, updated_at)
      values ${sql.join(rows)}
      on conflict (message_id, recipient_type, recipient_id) do nothing`.execute(this.#db);
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * Pending jobs and the oldest available one (see `NotificationQueue.stats`): one read over the
   * partial index on pending jobs.
   *
   * @example
   * ```ts
   * const { pending, available, oldestAvailableAt } = await queue.stats(new Date());
   * ```
   */
  async stats(now: Date): Promise<NotificationQueueStats> {
    const at = now.toISOString();
    const { rows } = await sql<{ pending: number; available: number; oldest: Date | string | null }>`
      select count(*)::int as pending,
        (count(*) filter (where available_at <= ${at}::timestamptz))::int as available,
        min(available_at) filter (where available_at <= ${at}::timestamptz) as oldest
      from notification_jobs where status = 'pending'`.execute(this.#db);
    const row = rows[0];
    return {
      pending: row?.pending ?? 0,
      available: row?.available ?? 0,
      oldestAvailableAt: row?.oldest == null ? null : new Date(row.oldest),
    };
  }

  /**
   * Leases due groups (see `NotificationQueue.claimDue`).
   *
   * @example
   * ```ts
   * const groups = await queue.claimDue({ workerId: 'w1', now, leaseMs: 60_000, windowMs: 300_000, limit: 10 });
   * ```
   */
  async claimDue(input: ClaimNotificationsInput): Promise<NotificationGroup[]> {
    const now = input.now.toISOString();
    const windowStart = new Date(input.now.getTime() - input.windowMs).toISOString();
    const lockedUntil = new Date(input.now.getTime() + input.leaseMs).toISOString();
    const limit = Math.max(0, Math.floor(input.limit));
    const leaseToken = randomUUID();
    const claimable = sql`j.status = 'pending' and j.available_at <= ${now}::timestamptz
      and (j.locked_until is null or j.locked_until <= ${now}::timestamptz)`;
    const { rows } = await sql<NotificationJobRow>`
      with due as (
        select j.recipient_type, j.recipient_id, j.conversation_id, min(j.available_at) as first_at
        from notification_jobs j
        left join notification_windows w on w.recipient_type = j.recipient_type
          and w.recipient_id = j.recipient_id and w.conversation_id = j.conversation_id
        where ${claimable} and (w.last_sent_at is null or w.last_sent_at <= ${windowStart}::timestamptz)
        group by j.recipient_type, j.recipient_id, j.conversation_id
        order by first_at
        limit ${limit}
      ),
      owned as materialized (
        select * from due
        where pg_try_advisory_xact_lock(hashtext('parley.notifications'), hashtext(
          recipient_type || ':' || recipient_id || ':' || conversation_id::text))
      ),
      picked as (
        select j.id from notification_jobs j
        join owned o on o.recipient_type = j.recipient_type and o.recipient_id = j.recipient_id
          and o.conversation_id = j.conversation_id
        where ${claimable}
        for update of j skip locked
      )
      update notification_jobs j
      set attempts = j.attempts + 1, locked_by = ${input.workerId}::text,
        locked_until = ${lockedUntil}::timestamptz, lease_token = ${leaseToken}::text,
        updated_at = ${now}::timestamptz
      from picked where j.id = picked.id
      returning j.*`.execute(this.#db);
    const groups = new Map<string, NotificationJob[]>();
    for (const job of rows.map(toNotificationJob)) {
      const key = `${job.recipient.type}\u0000${job.recipient.id}\u0000${job.conversationId}`;
      const list = groups.get(key);
      if (list) list.push(job);
      else groups.set(key, [job]);
    }
    return [...groups.values()].map((jobs) => {
      jobs.sort((a, b) =>
        a.createdAt.getTime() !== b.createdAt.getTime()
          ? a.createdAt.getTime() - b.createdAt.getTime()
          : a.id < b.id
            ? -1
            : a.id > b.id
              ? 1
              : 0,
      );
      const first = jobs[0]!;
      return {
        recipient: first.recipient,
        conversationId: first.conversationId,
        storeId: first.storeId,
        jobs,
        leaseToken,
        leasedUntil: new Date(lockedUntil),
      };
    });
  }

  /**
   * Extends a lease that still holds (see `NotificationQueue.renewLease`): one fenced update.
   *
   * @example
   * ```ts
   * const { applied } = await queue.renewLease(ids, { workerId: 'w1', leaseToken, now, leaseMs: 60_000 });
   * ```
   */
  async renewLease(
    jobIds: readonly string[],
    input: RenewNotificationLeaseInput,
  ): Promise<FencedWriteResult> {
    const ids = jobIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return { applied: [] };
    const rows = await this.#db
      .updateTable('notification_jobs')
      .set({
        locked_until: new Date(input.now.getTime() + input.leaseMs),
        updated_at: input.now,
      })
      .where('id', 'in', ids)
      .where((eb) => fenced(eb, input))
      .returning('id')
      .execute();
    return inOrder(ids, rows);
  }

  /**
   * Marks leased jobs `sent` / `skipped`; `sent` moves the window in the same statement. Fenced.
   *
   * @example
   * ```ts
   * await queue.complete(ids, { workerId: 'w1', leaseToken, now, status: 'sent', emailLogId, at: now });
   * ```
   */
  async complete(jobIds: readonly string[], input: CompleteNotificationsInput): Promise<FencedWriteResult> {
    const ids = jobIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return { applied: [] };
    const at = input.at.toISOString();
    const window =
      input.status === 'sent'
        ? sql`, windows as (insert into notification_windows (recipient_type, recipient_id, conversation_id, last_sent_at)
          select distinct recipient_type, recipient_id, conversation_id, ${at}::timestamptz from done
          on conflict (recipient_type, recipient_id, conversation_id)
          do update set last_sent_at = greatest(notification_windows.last_sent_at, excluded.last_sent_at))`
        : sql``;
    const { rows } = await sql<{ id: string }>`
      with done as (
        update notification_jobs
        set status = ${input.status}::text, email_log_id = ${input.emailLogId}::text, locked_by = null,
          locked_until = null, lease_token = null, updated_at = ${at}::timestamptz
        where id in (${sql.join(ids.map((id) => sql`${id}::uuid`))}) and status = 'pending'
          and locked_by = ${input.workerId}::text and lease_token = ${input.leaseToken}::text
          and locked_until > ${input.now.toISOString()}::timestamptz
        returning id, recipient_type, recipient_id, conversation_id
      )${window}
      select id from done`.execute(this.#db);
    return inOrder(ids, rows);
  }

  /**
   * Releases leased jobs to run again at `availableAt`.
   *
   * @example
   * ```ts
   * await queue.reschedule(ids, { workerId: 'w1', availableAt, error: 'timeout', emailLogId, at: now });
   * ```
   */
  async reschedule(
    jobIds: readonly string[],
    input: RescheduleNotificationsInput,
  ): Promise<FencedWriteResult> {
    return this.#release(jobIds, input, {
      available_at: input.availableAt,
      last_error: input.error,
      email_log_id: input.emailLogId,
      updated_at: input.at,
    });
  }

  /**
   * Marks leased jobs `failed` for good.
   *
   * @example
   * ```ts
   * await queue.fail(ids, { workerId: 'w1', error: 'rejected', emailLogId, at: now });
   * ```
   */
  async fail(jobIds: readonly string[], input: FailNotificationsInput): Promise<FencedWriteResult> {
    return this.#release(jobIds, input, {
      status: 'failed',
      last_error: input.error,
      email_log_id: input.emailLogId,
      updated_at: input.at,
    });
  }

  async #release(
    jobIds: readonly string[],
    fence: LeaseFence,
    set: {
      status?: string;
      available_at?: Date;
      last_error: string;
      email_log_id: string | null;
      updated_at: Date;
    },
  ): Promise<FencedWriteResult> {
    const ids = jobIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return { applied: [] };
    const rows = await this.#db
      .updateTable('notification_jobs')
      .set({ ...set, locked_by: null, locked_until: null, lease_token: null })
      .where('id', 'in', ids)
      .where((eb) => fenced(eb, fence))
      .returning('id')
      .execute();
    return inOrder(ids, rows);
  }
}

/** The ids a fenced write changed, in the order the caller gave them. */
function inOrder(ids: readonly string[], rows: readonly { id: string }[]): FencedWriteResult {
  const changed = new Set(rows.map((row) => row.id.toLowerCase()));
  return { applied: ids.filter((id) => changed.has(id.toLowerCase())) };
}

/** The fence every write after the claim applies: still pending, same token, lease not ended. */
function fenced(eb: ExpressionBuilder<Database, 'notification_jobs'>, fence: LeaseFence) {
  return eb.and([
    eb('status', '=', 'pending'),
    eb('locked_by', '=', fence.workerId),
    eb('lease_token', '=', fence.leaseToken),
    eb('locked_until', '>', fence.now),
  ]);
}
