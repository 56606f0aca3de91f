import {
  type Clock,
  type DigestDependencies,
  type SendDigestsResult,
  sendDueDigests,
} from '@parley/messaging-core';
import type { FastifyBaseLogger } from 'fastify';
import { type PollingWorker, startPollingWorker } from './polling-worker.js';

export interface DigestWorkerOptions {
  /** How often due digests are looked for; null: never on its own (tests call `runOnce`). */
  readonly intervalMs: number | null;
  /** Default: host, pid and a random suffix. */
  readonly workerId?: string;
}

/** A running digest worker (`runOnce` never throws; it logs failures). */
export type DigestWorker = PollingWorker<SendDigestsResult>;

/**
 * Starts the digest loop: every `intervalMs`, send the daily and weekly digests that are due
 * (`sendDueDigests`). Several workers, in one process or many, may run against one database:
 * the digest ledger's unique key lets one claim each (person, period, local date).
 *
 * @example
 * ```ts
 * const worker = startDigestWorker(deps, { intervalMs: 60_000 }, clock, app.log);
 * // on shutdown: await worker.stop();
 * ```
 */
export function startDigestWorker(
  deps: DigestDependencies,
  options: DigestWorkerOptions,
  clock: Clock,
  log: Pick<FastifyBaseLogger, 'info' | 'error'>,
): DigestWorker {
  return startPollingWorker(
    async (workerId) => {
      const result = await sendDueDigests(deps, { workerId, now: clock.now() });
      const failed = result.digests.filter((d) => d.outcome === 'failed' || d.outcome === 'retrying');
      if (failed.length > 0)
        log.error(
          {
            digests: failed.map((d) => ({
              participant: d.participant,
              period: d.period,
              periodStart: d.periodStart,
              outcome: d.outcome,
              error: d.error,
            })),
          },
          'some digest emails failed',
        );
      return result;
    },
    options,
    (error) => log.error({ err: error }, 'digest run failed'),
  );
}
