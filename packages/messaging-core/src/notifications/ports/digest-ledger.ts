import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { DigestPeriod } from '../model/digest-schedule.js';

/**
 * Where one digest stands: `pending` (claimed by a worker, or waiting for a retry), `sent`,
 * `empty` (nothing was unread: no email), `skipped` (the person has no address or left the
 * directory) or `failed` (for good).
 */
export type DigestStatus = 'pending' | 'sent' | 'empty' | 'skipped' | 'failed';

/** One digest: a person's period, keyed by (participant, period, period start). */
export interface DigestRecord {
  readonly id: string;
  readonly participant: ParticipantRef;
  readonly period: DigestPeriod;
  /** `YYYY-MM-DD` in the person's time zone when it was claimed. */
  readonly periodStart: string;
  readonly status: DigestStatus;
  /** Claims so far (1 after the first). */
  readonly attempts: number;
  /** The fencing token of the current claim (new at each claim). */
  readonly leaseToken: string;
  /** Until when the current claim holds (for a `pending` digest waiting to retry: when it may be retaken). */
  readonly lockedUntil: Date;
  readonly lockedBy: string;
  readonly emailLogId: string | null;
  /** How many conversations it listed (0 until sent). */
  readonly conversationCount: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ClaimDigestInput {
  readonly participant: ParticipantRef;
  readonly period: DigestPeriod;
  readonly periodStart: string;
  readonly workerId: string;
  readonly now: Date;
  readonly leaseMs: number;
  /** A `pending` digest claimed this many times already is not retaken. */
  readonly maxAttempts: number;
}

/** Every write after the claim carries the claim's token and the writer's time. */
export interface DigestFence {
  readonly leaseToken: string;
  readonly now: Date;
}

export interface FinishDigestInput extends DigestFence {
  readonly status: Exclude<DigestStatus, 'pending'>;
  readonly emailLogId: string | null;
  readonly conversationCount: number;
  readonly error: string | null;
}

export interface RetryDigestInput extends DigestFence {
  /** When another claim may take it again. */
  readonly availableAt: Date;
  readonly emailLogId: string | null;
  readonly error: string;
}

/**
 * The record of digests, whose unique key (participant, period, period start) is what makes a
 * digest go out at most once per person and period, however many workers race for it.
 *
 * @example
 * ```ts
 * const digest = await ledger.claim({ participant, period: 'daily', periodStart: '2026-03-29', workerId, now, leaseMs: 120_000, maxAttempts: 5 });
 * if (digest !== null) {
 *   // render and send with `logId: digest.id`, then:
 *   await ledger.finish(digest.id, { leaseToken: digest.leaseToken, now, status: 'sent', emailLogId: digest.id, conversationCount: 3, error: null });
 * }
 * ```
 */
export interface DigestLedger {
  /**
   * Takes the digest of (participant, period, period start) for this worker, atomically: inserts
   * it `pending` (attempt 1) when it does not exist; retakes it (attempts + 1) when it is still
   * `pending`, its lease has ended at `now` and it was claimed fewer than `maxAttempts` times.
   * Either way the claim gets a new `leaseToken` and `lockedUntil = now + leaseMs`. Returns null
   * when another claim holds it, or it is done: the caller must not send. Of concurrent callers
   * (any number of processes), exactly one gets it.
   */
  claim(input: ClaimDigestInput): Promise<DigestRecord | null>;

  /**
   * Ends a claimed digest (`sent`, `empty`, `skipped`, `failed`), recording the log id and the
   * conversation count. Fenced: applies only while the claim's token holds and its lease has not
   * ended at `now`; answers whether it applied.
   */
  finish(id: string, input: FinishDigestInput): Promise<boolean>;

  /** Leaves a claimed digest `pending`, to be retaken from `availableAt` (a retryable send failure). Fenced. */
  retry(id: string, input: RetryDigestInput): Promise<boolean>;

  /** The digest of (participant, period, period start), or null. Reads only. */
  find(participant: ParticipantRef, period: DigestPeriod, periodStart: string): Promise<DigestRecord | null>;
}
