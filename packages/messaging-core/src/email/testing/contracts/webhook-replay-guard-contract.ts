import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookReplayGuard } from '../../ports/webhook-replay-guard.js';

/** Reads stored claims directly (SQL for a database, the map in memory). */
export interface WebhookReplayGuardRawReader {
  /** The claim's expiry, or null when nothing is stored for it. */
  expiry(provider: string, token: string): Promise<Date | null>;
  /** Number of claims stored. */
  count(): Promise<number>;
}

export interface WebhookReplayGuardContractTarget {
  /** A guard over empty storage. */
  readonly guard: WebhookReplayGuard;
  readonly raw: WebhookReplayGuardRawReader;
  /** A second guard over the same storage (another process), when the adapter has one. */
  readonly second?: WebhookReplayGuard;
  readonly teardown?: () => Promise<void>;
}

export interface WebhookReplayGuardContractOptions {
  readonly name: string;
  readonly setup: () => Promise<WebhookReplayGuardContractTarget>;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/**
 * The behaviour every `WebhookReplayGuard` adapter must show: first claim wins (also across
 * guards and under concurrency), providers apart, expired claims forgotten and pruned.
 *
 * @example
 * ```ts
 * webhookReplayGuardContract({ name: 'in-memory', setup: async () => { … } });
 * ```
 */
export function webhookReplayGuardContract(options: WebhookReplayGuardContractOptions): void {
  describe(`WebhookReplayGuard contract: ${options.name}`, () => {
    let target: WebhookReplayGuardContractTarget;
    let guard: WebhookReplayGuard;
    beforeEach(async () => {
      target = await options.setup();
      guard = target.guard;
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('accepts a token once until it expires, and stores it with its expiry', async () => {
      const claim = { provider: 'mailgun', token: 'tok-1', expiresAt: at(300), now: at(0) };
      expect(await guard.claim(claim)).toBe(true);
      expect(await target.raw.expiry('mailgun', 'tok-1')).toEqual(at(300));
      expect(await guard.claim(claim)).toBe(false);
      expect(await guard.claim({ ...claim, now: at(299), expiresAt: at(900) })).toBe(false);
      // A refused replay does not extend the claim.
      expect(await target.raw.expiry('mailgun', 'tok-1')).toEqual(at(300));
      expect(await guard.claim({ ...claim, provider: 'other' })).toBe(true);
      expect(await guard.claim({ ...claim, token: 'tok-2' })).toBe(true);
      expect(await target.raw.count()).toBe(3);
    });

    it('forgets a claim once expired: claimable again, and expired rows are pruned', async () => {
      expect(await guard.claim({ provider: 'mailgun', token: 'old', expiresAt: at(10), now: at(0) })).toBe(
        true,
      );
      expect(await guard.claim({ provider: 'mailgun', token: 'gone', expiresAt: at(10), now: at(0) })).toBe(
        true,
      );
      expect(await guard.claim({ provider: 'mailgun', token: 'old', expiresAt: at(20), now: at(10) })).toBe(
        true,
      );
      expect(await target.raw.expiry('mailgun', 'old')).toEqual(at(20));
      expect(await target.raw.expiry('mailgun', 'gone')).toBeNull();
      expect(await target.raw.count()).toBe(1);
    });

    it('concurrent claims of one token (through two guards when the adapter has them): exactly one wins', async () => {
      const second = target.second ?? guard;
      const claim = { provider: 'mailgun', token: 'race', expiresAt: at(300), now: at(0) };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? guard : second).claim(claim)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await target.raw.count()).toBe(1);
    });
  });
}
