import type {
  DispatchRound,
  EventDispatcher,
  ProcessWebhooksResult,
  WebhooksCore,
} from '@parley/messaging-core';
import type { FastifyBaseLogger } from 'fastify';
import { type PollingWorker, startPollingWorker } from './polling-worker.js';

export interface WebhookWorkerOptions {
  /** How often due deliveries are looked for; null: never on its own (tests call `runOnce`). */
  readonly intervalMs: number | null;
  /** Most deliveries per run. Default 50. */
  readonly batchSize?: number;
  /** Default: host, pid and a random suffix. */
  readonly workerId?: string;
  /** Runs before each run's claim (the event dispatcher's drain, so events just committed are enqueued). */
  readonly beforeRun?: () => Promise<unknown>;
}

/** A running webhook delivery worker (`runOnce` never throws; it logs failures). */
export type WebhookWorker = PollingWorker<ProcessWebhooksResult>;

/**
 * Starts the webhook delivery loop: every `intervalMs`, claim due deliveries and attempt them
 * (`WebhooksCore.processDeliveries`). The timer is unref'd and stops on `stop()`. Any number of
 * workers, in one process or many, may run against one database: claims are leased, and each
 * endpoint's conversation is delivered one event at a time, in order.
 *
 * @example
 * ```ts
 * const worker = startWebhookWorker(webhooks, { intervalMs: 1_000 }, app.log);
 * // on shutdown: await worker.stop();
 * ```
 */
export function startWebhookWorker(
  webhooks: Pick<WebhooksCore, 'processDeliveries'>,
  options: WebhookWorkerOptions,
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>,
): WebhookWorker {
  return startPollingWorker(
    async (workerId) => {
      const result = await webhooks.processDeliveries({ workerId, limit: options.batchSize ?? 50 });
      if (result.errors.length > 0)
        log.error(
          { deliveries: result.errors },
          'some webhook deliveries failed unexpectedly; retried after their lease',
        );
      if (result.disabledEndpoints.length > 0)
        log.warn(
          { endpoints: result.disabledEndpoints },
          'webhook endpoints disabled: a delivery kept failing for 24 hours',
        );
      return result;
    },
    options,
    (error) => log.error({ err: error }, 'webhook delivery run failed'),
  );
}

/**
 * One `EventDispatcher` over several (each with its own store and subscribers): rounds and drains
 * run each in turn and add up, so one dispatch loop (wake-ups, polling) feeds them all.
 */
export function combineDispatchers(...dispatchers: readonly EventDispatcher[]): EventDispatcher {
  const sum = (rounds: readonly DispatchRound[]): DispatchRound => ({
    delivered: rounds.reduce((n, r) => n + r.delivered, 0),
    more: rounds.some((r) => r.more),
    failed: rounds.flatMap((r) => r.failed),
  });
  return {
    register: async () => {
      for (const dispatcher of dispatchers) await dispatcher.register();
    },
    runRound: async () => {
      const rounds: DispatchRound[] = [];
      for (const dispatcher of dispatchers) rounds.push(await dispatcher.runRound());
      return sum(rounds);
    },
    drain: async (maxRounds) => {
      const rounds: DispatchRound[] = [];
      for (const dispatcher of dispatchers) rounds.push(await dispatcher.drain(maxRounds));
      return sum(rounds);
    },
  };
}
