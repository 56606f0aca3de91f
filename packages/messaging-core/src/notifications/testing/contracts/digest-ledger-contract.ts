import { beforeEach, describe, expect, it } from 'vitest';
import type { ClaimDigestInput, DigestLedger } from '../../ports/digest-ledger.js';

export interface DigestLedgerContractTarget {
  readonly ledger: DigestLedger;
}

export interface DigestLedgerContractOptions {
  readonly name: string;
  /** A fresh, empty ledger for each test. */
  readonly setup: () => Promise<DigestLedgerContractTarget>;
}

const T0 = Date.parse('2026-03-29T06:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const LEASE = 60_000;

const claimOf = (change: Partial<ClaimDigestInput> = {}): ClaimDigestInput => ({
  participant: { type: 'customer', id: 'c-ana' },
  period: 'daily',
  periodStart: '2026-03-29',
  workerId: 'w1',
  now: at(0),
  leaseMs: LEASE,
  maxAttempts: 3,
  ...change,
});

/**
 * The `DigestLedger` contract: one claim per (participant, period, period start) — even when many
 * race —, a pending digest retaken only after its lease ends and while attempts remain, and
 * fenced writes (the claim's token, before its lease ends).
 *
 * @example
 * ```ts
 * digestLedgerContract({ name: 'in-memory', setup: async () => ({ ledger: new InMemoryDigestLedger() }) });
 * ```
 */
export function digestLedgerContract(options: DigestLedgerContractOptions): void {
  describe(`DigestLedger contract: ${options.name}`, () => {
    let ledger: DigestLedger;
    beforeEach(async () => {
      ({ ledger } = await options.setup());
    });

    it('claims a new digest once; a second claim of the same key gets nothing', async () => {
      const digest = await ledger.claim(claimOf());
      expect(digest).toMatchObject({
        participant: { type: 'customer', id: 'c-ana' },
        period: 'daily',
        periodStart: '2026-03-29',
        status: 'pending',
        attempts: 1,
        lockedBy: 'w1',
        emailLogId: null,
        conversationCount: 0,
      });
      expect(digest?.lockedUntil).toEqual(new Date(T0 + LEASE));
      expect(await ledger.claim(claimOf({ workerId: 'w2', now: at(1) }))).toBeNull();
      // Other keys are other digests.
      expect(await ledger.claim(claimOf({ periodStart: '2026-03-30' }))).not.toBeNull();
      expect(await ledger.claim(claimOf({ period: 'weekly' }))).not.toBeNull();
      expect(await ledger.claim(claimOf({ participant: { type: 'store', id: 'c-ana' } }))).not.toBeNull();
    });

    it('gives a digest to exactly one of many concurrent claims', async () => {
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ledger.claim(claimOf({ workerId: `w${i}` }))),
      );
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
    });

    it('finishes a claimed digest for good: no claim takes it again', async () => {
      const digest = await ledger.claim(claimOf());
      if (digest === null) throw new Error('not claimed');
      const fence = { leaseToken: digest.leaseToken, now: at(5) };
      expect(
        await ledger.finish(digest.id, {
          ...fence,
          status: 'sent',
          emailLogId: digest.id,
          conversationCount: 2,
          error: null,
        }),
      ).toBe(true);
      expect(await ledger.find(digest.participant, 'daily', '2026-03-29')).toMatchObject({
        status: 'sent',
        emailLogId: digest.id,
        conversationCount: 2,
      });
      expect(await ledger.claim(claimOf({ now: at(3600) }))).toBeNull();
      expect(
        await ledger.finish(digest.id, {
          ...fence,
          status: 'failed',
          emailLogId: null,
          conversationCount: 0,
          error: 'x',
        }),
      ).toBe(false);
    });

    it('retakes a pending digest whose lease ended, with a new token that fences the old holder out', async () => {
      const first = await ledger.claim(claimOf());
      if (first === null) throw new Error('not claimed');
      expect(await ledger.claim(claimOf({ now: at(59), workerId: 'w2' }))).toBeNull();
      const second = await ledger.claim(claimOf({ now: at(61), workerId: 'w2' }));
      expect(second).toMatchObject({ id: first.id, attempts: 2, lockedBy: 'w2' });
      expect(second?.leaseToken).not.toBe(first.leaseToken);
      expect(
        await ledger.finish(first.id, {
          leaseToken: first.leaseToken,
          now: at(62),
          status: 'sent',
          emailLogId: first.id,
          conversationCount: 1,
          error: null,
        }),
      ).toBe(false);
      // A lease that ended refuses its own holder too.
      expect(
        await ledger.finish(first.id, {
          leaseToken: second?.leaseToken ?? '',
          now: at(200),
          status: 'sent',
          emailLogId: first.id,
          conversationCount: 1,
          error: null,
        }),
      ).toBe(false);
    });

    it('waits out a retry, then gives up after maxAttempts claims', async () => {
      const first = await ledger.claim(claimOf());
      if (first === null) throw new Error('not claimed');
      expect(
        await ledger.retry(first.id, {
          leaseToken: first.leaseToken,
          now: at(1),
          availableAt: at(600),
          emailLogId: first.id,
          error: 'provider down',
        }),
      ).toBe(true);
      expect(await ledger.find(first.participant, 'daily', '2026-03-29')).toMatchObject({
        status: 'pending',
        lastError: 'provider down',
        emailLogId: first.id,
      });
      expect(await ledger.claim(claimOf({ now: at(599) }))).toBeNull();
      expect(await ledger.claim(claimOf({ now: at(600) }))).toMatchObject({ attempts: 2 });
      expect(await ledger.claim(claimOf({ now: at(700) }))).toMatchObject({ attempts: 3 });
      expect(await ledger.claim(claimOf({ now: at(800) }))).toBeNull();
    });
  });
}
