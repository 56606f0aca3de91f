import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { NotificationJob } from '../model/notification-job.js';

/** The pending jobs of one (recipient, conversation), claimed together: they make one email. */
export interface NotificationGroup {
  readonly recipient: ParticipantRef;
  readonly conversationId: string;
  readonly storeId: string | null;
  /** Oldest first on (createdAt, id); never empty. */
  readonly jobs: readonly NotificationJob[];
  /**
   * The fencing token of this claim: new at every claim, so a worker whose lease expired (even one
   * with the same `workerId` claiming again later) can never pass for the current holder.
   */
  readonly leaseToken: string;
  /** When the lease ends unless renewed (`renewLease`). */
  readonly leasedUntil: Date;
}

export interface ClaimNotificationsInput {
  /** Who holds the lease. */
  readonly workerId: string;
  readonly now: Date;
  /** How long the claim holds before another worker may take the jobs again. */
  readonly leaseMs: number;
  /** A group is due only when its recipient was last emailed about it at least this long ago. */
  readonly windowMs: number;
  /** Most groups claimed. */
  readonly limit: number;
}

/**
 * What every write after the claim carries: the claim's fencing token and the writer's current
 * time. The write applies only to jobs still `pending`, holding that token, whose lease has not
 * ended at `now` (`lockedUntil > now`).
 */
export interface LeaseFence {
  readonly workerId: string;
  readonly leaseToken: string;
  /** The caller's clock at the write (not the time the run started). */
  readonly now: Date;
}

/** How a claimed group ended. */
export interface CompleteNotificationsInput extends LeaseFence {
  readonly status: 'sent' | 'skipped';
  readonly emailLogId: string | null;
  /** When the email went out (opens the next batching window when `sent`). */
  readonly at: Date;
}

export interface RescheduleNotificationsInput extends LeaseFence {
  readonly availableAt: Date;
  readonly error: string;
  readonly emailLogId: string | null;
  readonly at: Date;
}

export interface FailNotificationsInput extends LeaseFence {
  readonly error: string;
  readonly emailLogId: string | null;
  readonly at: Date;
}

/** How far behind the outbox is, for monitoring (`NotificationQueue.stats`). */
export interface NotificationQueueStats {
  /** Jobs still `pending` (due or not, leased or not). */
  readonly pending: number;
  /** Of those, the ones whose `availableAt` has passed (waiting for a worker or their batching window). */
  readonly available: number;
  /** The earliest `availableAt` among them; null when none is available. `now` minus it is the lag. */
  readonly oldestAvailableAt: Date | null;
}

export interface RenewNotificationLeaseInput extends LeaseFence {
  /** The lease then ends at `now + leaseMs`. */
  readonly leaseMs: number;
}

/** A notification owed, as the email subscriber enqueues it. */
export interface NewNotificationJob {
  readonly messageId: string;
  readonly conversationId: string;
  readonly recipient: ParticipantRef;
  readonly storeId: string | null;
  /** The message's time: the job is due from then, and its batching window counts from it. */
  readonly createdAt: Date;
}

/** What a fenced write did: the jobs it changed; the others were refused (lease lost, or done). */
export interface FencedWriteResult {
  /** In the order the caller gave them. */
  readonly applied: readonly string[];
}

/**
 * The notification outbox. Jobs are enqueued by the email subscriber of the event log (one per
 * `message.sent` recipient who wants email), in the transaction that advances its cursor;
 * workers claim due groups under a lease, then complete, reschedule or fail them.
 *
 * Leases are fenced: each claim gives the group a new `leaseToken`, and every write after the
 * claim (`renewLease`, `complete`, `reschedule`, `fail`) applies only to jobs still `pending`,
 * holding that token, whose lease has not ended at the write's `now`. A worker that outlived its
 * lease — stalled, paused, partitioned — is refused (nothing changes and `applied` is empty),
 * whether or not another worker took the group over meanwhile; the successor's writes apply.
 * Workers call `renewLease` in the statement just before sending, and do not send when it is
 * refused.
 *
 * @example
 * ```ts
 * const [group] = await queue.claimDue({ workerId: 'w1', now, leaseMs: 60_000, windowMs: 300_000, limit: 10 });
 * const fence = { workerId: 'w1', leaseToken: group.leaseToken, now: clock.now() };
 * const ids = group.jobs.map((j) => j.id);
 * if ((await queue.renewLease(ids, { ...fence, leaseMs: 60_000 })).applied.length === ids.length) {
 *   // send, then:
 *   await queue.complete(ids, { ...fence, now: clock.now(), status: 'sent', emailLogId, at: clock.now() });
 * }
 * ```
 */
export interface NotificationQueue {
  /**
   * Inserts one `pending` job per entry (due at its `createdAt`), skipping any whose (message,
   * recipient) already has a job, so a redelivered event enqueues nothing twice. Returns how many
   * were inserted.
   *
   * @example
   * ```ts
   * await tx.notifications.enqueue([{ messageId, conversationId, recipient, storeId: 'acme', createdAt }]);
   * ```
   */
  enqueue(jobs: readonly NewNotificationJob[]): Promise<number>;

  /**
   * Leases due groups: pending jobs with `availableAt <= now`, not leased (or lease expired), whose
   * (recipient, conversation) window has passed. Writes, per claimed job: `attempts + 1`,
   * `lockedBy`, `lockedUntil = now + leaseMs` and a new `leaseToken` (the group's).
   */
  claimDue(input: ClaimNotificationsInput): Promise<NotificationGroup[]>;

  /**
   * Extends a lease that still holds to `now + leaseMs` (the "mark sending" step: called right
   * before sending). Refused when the lease ended or was taken over: the caller must not send.
   */
  renewLease(jobIds: readonly string[], input: RenewNotificationLeaseInput): Promise<FencedWriteResult>;

  /**
   * Marks leased jobs `sent` or `skipped` and releases them; `sent` also records the window's last
   * send (`at`) for the (recipient, conversation). Fenced.
   */
  complete(jobIds: readonly string[], input: CompleteNotificationsInput): Promise<FencedWriteResult>;

  /** Releases leased jobs to run again at `availableAt`, recording the error and the log id. Fenced. */
  reschedule(jobIds: readonly string[], input: RescheduleNotificationsInput): Promise<FencedWriteResult>;

  /** Marks leased jobs `failed` for good, recording the error and the log id. Fenced. */
  fail(jobIds: readonly string[], input: FailNotificationsInput): Promise<FencedWriteResult>;

  /**
   * Counts pending jobs and finds the oldest one available at `now` (metrics: queue depth and
   * lag). Reads only; takes no lease and no lock.
   *
   * @example
   * ```ts
   * const { pending, oldestAvailableAt } = await queue.stats(new Date());
   * ```
   */
  stats(now: Date): Promise<NotificationQueueStats>;
}
