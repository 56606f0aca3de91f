import type { NotificationJob } from '../model/notification-job.js';
import type { ParticipantRef } from '../model/participant-ref.js';

/** The pending jobs of one (recipient, conversation), claimed together: they make one email. */
export interface NotificationGroup {
  readonly recipient: ParticipantRef;
  readonly conversationId: string;
  readonly storeId: string | null;
  /** Oldest first on (createdAt, id); never empty. */
  readonly jobs: readonly NotificationJob[];
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

/** How a claimed group ended. */
export interface CompleteNotificationsInput {
  readonly workerId: string;
  readonly status: 'sent' | 'skipped';
  readonly emailLogId: string | null;
  /** When the email went out (opens the next batching window when `sent`). */
  readonly at: Date;
}

export interface RescheduleNotificationsInput {
  readonly workerId: string;
  readonly availableAt: Date;
  readonly error: string;
  readonly emailLogId: string | null;
  readonly at: Date;
}

export interface FailNotificationsInput {
  readonly workerId: string;
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

/**
 * The notification outbox as workers see it. Jobs are written by `MessageRepository.append`;
 * workers claim due groups under a lease, then complete, reschedule or fail them. Every write
 * after the claim applies only to jobs still `pending` and leased by that worker, so a worker
 * whose lease expired changes nothing.
 *
 * @example
 * ```ts
 * const groups = await queue.claimDue({ workerId: 'w1', now, leaseMs: 60_000, windowMs: 300_000, limit: 10 });
 * for (const g of groups) await queue.complete(g.jobs.map((j) => j.id), { workerId: 'w1', status: 'sent', emailLogId, at: now });
 * ```
 */
export interface NotificationQueue {
  /**
   * Leases due groups: pending jobs with `availableAt <= now`, not leased (or lease expired), whose
   * (recipient, conversation) window has passed. Increments each claimed job's `attempts`.
   *
   * @example
   * ```ts
   * const groups = await queue.claimDue({ workerId: 'w1', now, leaseMs: 60_000, windowMs: 300_000, limit: 10 });
   * ```
   */
  claimDue(input: ClaimNotificationsInput): Promise<NotificationGroup[]>;

  /**
   * Marks leased jobs `sent` or `skipped`; `sent` records the window's last send.
   *
   * @example
   * ```ts
   * await queue.complete(['j1'], { workerId: 'w1', status: 'sent', emailLogId: 'j1', at: now });
   * ```
   */
  complete(jobIds: readonly string[], input: CompleteNotificationsInput): Promise<void>;

  /**
   * Releases leased jobs to run again at `availableAt`, recording the error.
   *
   * @example
   * ```ts
   * await queue.reschedule(['j1'], { workerId: 'w1', availableAt: later, error: 'timeout', emailLogId: 'j1', at: now });
   * ```
   */
  reschedule(jobIds: readonly string[], input: RescheduleNotificationsInput): Promise<void>;

  /**
   * Marks leased jobs `failed` for good.
   *
   * @example
   * ```ts
   * await queue.fail(['j1'], { workerId: 'w1', error: 'mailbox unavailable', emailLogId: 'j1', at: now });
   * ```
   */
  fail(jobIds: readonly string[], input: FailNotificationsInput): Promise<void>;

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
