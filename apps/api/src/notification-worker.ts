import {
  type Clock,
  type NotificationDependencies,
  type ProcessNotificationsResult,
  processNotifications,
} from '@parley/messaging-core';
import type { FastifyBaseLogger } from 'fastify';
import { type PollingWorker, startPollingWorker } from './polling-worker.js';

export interface NotificationWorkerOptions {
  /** How often the queue is polled; null: never on its own (tests call `runOnce`). */
  readonly intervalMs: number | null;
  /** Most (recipient, conversation) groups per run. Default 50. */
  readonly batchSize?: number;
  /** Default: host, pid and a random suffix. */
  readonly workerId?: string;
  /** Runs before each run's claim (the event dispatcher's drain, so jobs just sent are there). */
  readonly beforeRun?: () => Promise<unknown>;
}

/** A running notification worker (`runOnce` never throws; it logs failures). */
export type NotificationWorker = PollingWorker<ProcessNotificationsResult>;

/**
 * Starts the notification loop: every `intervalMs`, claim due notification groups and send their
 * emails (`processNotifications`). The timer is unref'd (it never keeps the process alive) and
 * stops on `stop()`. Several workers, in one process or many, may run against one database:
 * claims are leased and a group is sent at most once.
 *
 * @example
 * ```ts
 * const worker = startNotificationWorker(deps, { intervalMs: 5_000 }, clock, app.log);
 * // on shutdown: await worker.stop();
 * ```
 */
export function startNotificationWorker(
  deps: NotificationDependencies,
  options: NotificationWorkerOptions,
  clock: Clock,
  log: Pick<FastifyBaseLogger, 'info' | 'error'>,
): NotificationWorker {
  return startPollingWorker(
    async (workerId) => {
      const result = await processNotifications(deps, {
        workerId,
        now: clock.now(),
        limit: options.batchSize ?? 50,
      });
      const failed = result.groups.filter((g) => g.outcome === 'failed' || g.outcome === 'retrying');
      if (failed.length > 0) {
        log.error(
          {
            groups: failed.map((g) => ({
              conversationId: g.conversationId,
              outcome: g.outcome,
              error: g.error,
            })),
          },
          'some notification emails failed',
        );
      }
      const lost = result.groups.filter((g) => g.outcome === 'lease_lost');
      if (lost.length > 0) {
        // Not an error: another worker holds these groups now. Frequent ones mean runs outlive
        // the lease (a slow provider or database).
        log.info(
          { groups: lost.map((g) => ({ conversationId: g.conversationId })) },
          'notification leases ended before this worker was done; left to their new holder',
        );
      }
      return result;
    },
    options,
    (error) => log.error({ err: error }, 'notification run failed'),
  );
}
