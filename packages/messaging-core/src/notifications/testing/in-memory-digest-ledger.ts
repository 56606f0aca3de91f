import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { DigestPeriod } from '../model/digest-schedule.js';
import type {
  ClaimDigestInput,
  DigestFence,
  DigestLedger,
  DigestRecord,
  FinishDigestInput,
  RetryDigestInput,
} from '../ports/digest-ledger.js';

const keyOf = (participant: ParticipantRef, period: DigestPeriod, periodStart: string) =>
  JSON.stringify([participant.type, participant.id, period, periodStart]);

/**
 * `DigestLedger` in memory: a map on the unique key. Each call runs to completion before the next
 * (no await inside), which is what makes its claims exclusive.
 *
 * @example
 * ```ts
 * const ledger = new InMemoryDigestLedger();
 * ```
 */
export class InMemoryDigestLedger implements DigestLedger {
  readonly #rows = new Map<string, DigestRecord>();
  #next = 0;

  async claim(input: ClaimDigestInput): Promise<DigestRecord | null> {
    const key = keyOf(input.participant, input.period, input.periodStart);
    const existing = this.#rows.get(key);
    const lease = {
      leaseToken: `lease-${++this.#next}`,
      lockedUntil: new Date(input.now.getTime() + input.leaseMs),
      lockedBy: input.workerId,
      updatedAt: input.now,
    };
    if (existing === undefined) {
      const row: DigestRecord = {
        id: `digest-${String(this.#next).padStart(6, '0')}`,
        participant: { type: input.participant.type, id: input.participant.id },
        period: input.period,
        periodStart: input.periodStart,
        status: 'pending',
        attempts: 1,
        emailLogId: null,
        conversationCount: 0,
        lastError: null,
        createdAt: input.now,
        ...lease,
      };
      this.#rows.set(key, row);
      return row;
    }
    if (
      existing.status !== 'pending' ||
      existing.lockedUntil.getTime() > input.now.getTime() ||
      existing.attempts >= input.maxAttempts
    )
      return null;
    const row: DigestRecord = { ...existing, ...lease, attempts: existing.attempts + 1 };
    this.#rows.set(key, row);
    return row;
  }

  async finish(id: string, input: FinishDigestInput): Promise<boolean> {
    return this.#fenced(id, input, (row) => ({
      ...row,
      status: input.status,
      emailLogId: input.emailLogId,
      conversationCount: input.conversationCount,
      lastError: input.error,
      updatedAt: input.now,
    }));
  }

  async retry(id: string, input: RetryDigestInput): Promise<boolean> {
    return this.#fenced(id, input, (row) => ({
      ...row,
      lockedUntil: input.availableAt,
      emailLogId: input.emailLogId,
      lastError: input.error,
      updatedAt: input.now,
    }));
  }

  async find(
    participant: ParticipantRef,
    period: DigestPeriod,
    periodStart: string,
  ): Promise<DigestRecord | null> {
    return this.#rows.get(keyOf(participant, period, periodStart)) ?? null;
  }

  #fenced(id: string, fence: DigestFence, change: (row: DigestRecord) => DigestRecord): boolean {
    for (const [key, row] of this.#rows) {
      if (row.id !== id) continue;
      if (
        row.status !== 'pending' ||
        row.leaseToken !== fence.leaseToken ||
        row.lockedUntil.getTime() <= fence.now.getTime()
      )
        return false;
      this.#rows.set(key, change(row));
      return true;
    }
    return false;
  }
}
