import type { Clock, DispatchRound, EventDispatcher, EventLog } from '@parley/messaging-core';
import type { FastifyBaseLogger } from 'fastify';

export interface EventDispatchLoopOptions {
  /** Poll the log this often when nothing woke the loop; null: never on its own (tests call `drain`). */
  readonly pollIntervalMs: number | null;
  /** Events older than this many days are pruned. */
  readonly retentionDays: number;
  /** How often pruning runs; null: never. Default hourly. */
  readonly pruneIntervalMs?: number | null;
  /**
   * Delay before the next round when the last one left events waiting behind an older running
   * transaction (they become readable when it ends). Default 20 ms.
   */
  readonly settleMs?: number;
  /**
   * How long `drain` keeps retrying while events wait behind an older running transaction (on a
   * shared server, any transaction of the cluster). Default 2000 ms.
   */
  readonly drainPatienceMs?: number;
  /**
   * At most one woken round per this many milliseconds: a wake-up after a quiet spell runs its
   * round at once, while under load the commits that arrive within the window of the last round
   * wait for the window's end and are handled as one batch (one transaction) instead of one round
   * each. Default 50 ms; 0: every wake-up at once.
   */
  readonly batchWindowMs?: number;
}

/** A running event dispatcher: wake-ups, polling and retention. */
export interface EventDispatchLoop {
  /** Runs a round soon (coalesced: a wake during a round runs one more round after it). Never throws. */
  wake(): void;
  /**
   * Rounds until no subscriber has anything left (tests, the notification worker's `runOnce`),
   * waiting up to `drainPatienceMs` for events held behind an older running transaction.
   */
  drain(): Promise<DispatchRound>;
  /** Prunes events older than the retention now; returns how many were deleted. */
  prune(): Promise<number>;
  /** Stops the timers and waits for the round in progress. */
  stop(): Promise<void>;
}

const PRUNE_BATCH = 10_000;

/**
 * Drives an `EventDispatcher`: a round on every `wake()` (a local commit of events, or
 * `LISTEN/NOTIFY` from another process), on a polling interval as the fallback, and again after
 * `settleMs` while events wait behind an older running transaction (backing off to the polling
 * interval while such rounds deliver nothing). A failing subscriber is
 * logged and retried at the next poll, never in a tight loop. Every `pruneIntervalMs` it deletes
 * events older than `retentionDays` in batches. Timers are unref'd.
 *
 * @example
 * ```ts
 * const loop = startEventDispatchLoop(dispatcher, store.events, { pollIntervalMs: 1_000, retentionDays: 7 }, clock, app.log);
 * // KyselyMessagingStore({ db, onEventsCommitted: () => loop.wake() })
 * ```
 */
export function startEventDispatchLoop(
  dispatcher: EventDispatcher,
  log: Pick<EventLog, 'prune'>,
  options: EventDispatchLoopOptions,
  clock: Clock,
  logger: Pick<FastifyBaseLogger, 'error' | 'info'>,
): EventDispatchLoop {
  const settleMs = options.settleMs ?? 20;
  const batchWindowMs = options.batchWindowMs ?? 50;
  // When the last round started, on the monotonic wall clock (`clock` is domain time; tests freeze it).
  let lastRoundAt = Number.NEGATIVE_INFINITY;
  let stopped = false;
  let windowTimer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let settle: NodeJS.Timeout | null = null;
  // Doubles while rounds find events held back but deliver nothing (a long writing transaction
  // somewhere on the server), up to the polling interval; back to `settleMs` once they deliver.
  let settleDelay = settleMs;
  const maxSettle = Math.max(settleMs, options.pollIntervalMs ?? 1_000);

  const round = (): void => {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    again = false;
    lastRoundAt = performance.now();
    running = (async () => {
      let next: 'now' | 'settle' | 'idle' = 'idle';
      try {
        const result = await dispatcher.runRound();
        if (result.failed.length === 0 && result.more) next = 'settle';
        if (result.delivered > 0 || !result.more) settleDelay = settleMs;
      } catch (error) {
        logger.error({ err: error }, 'event dispatch round failed');
      } finally {
        running = null;
      }
      if (again) next = 'now';
      if (next === 'now') wake();
      else if (next === 'settle' && settle === null && !stopped) {
        settle = setTimeout(() => {
          settle = null;
          round();
        }, settleDelay);
        settle.unref();
        settleDelay = Math.min(maxSettle, settleDelay * 2);
      }
    })();
  };

  // Wake-ups (local commits, NOTIFY) run a round at once after a quiet spell; within
  // `batchWindowMs` of the last round they wait for the window's end, so under load a round takes
  // the events of many sends in one transaction (the dispatcher's cost per send falls as the load
  // rises) while a lone send is still dispatched without delay.
  const wake = (): void => {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    if (windowTimer !== null) return;
    const wait = lastRoundAt + batchWindowMs - performance.now();
    if (wait <= 0) {
      round();
      return;
    }
    windowTimer = setTimeout(() => {
      windowTimer = null;
      round();
    }, wait);
    windowTimer.unref();
  };

  const prune = async (): Promise<number> => {
    const before = new Date(clock.now().getTime() - options.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const deleted = await log.prune(before, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH || stopped) return total;
    }
  };

  const poll = options.pollIntervalMs === null ? null : setInterval(() => round(), options.pollIntervalMs);
  poll?.unref();
  const pruneEvery = options.pruneIntervalMs === undefined ? 3_600_000 : options.pruneIntervalMs;
  const pruning =
    pruneEvery === null
      ? null
      : setInterval(() => {
          prune()
            .then((deleted) => {
              if (deleted > 0) logger.info({ deleted }, 'pruned events past their retention');
            })
            .catch((error: unknown) => logger.error({ err: error }, 'pruning the event log failed'));
        }, pruneEvery);
  pruning?.unref();
  round();

  return {
    wake,
    drain: async () => {
      await running;
      // The wall clock, not `clock` (tests freeze that one): this waits on the database.
      const deadline = Date.now() + (options.drainPatienceMs ?? 2_000);
      let result = await dispatcher.drain();
      let delivered = result.delivered;
      while (result.more && result.failed.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, settleMs));
        result = await dispatcher.drain();
        delivered += result.delivered;
      }
      return { ...result, delivered };
    },
    prune,
    stop: async () => {
      stopped = true;
      if (poll) clearInterval(poll);
      if (pruning) clearInterval(pruning);
      if (settle) clearTimeout(settle);
      if (windowTimer) clearTimeout(windowTimer);
      await running;
    },
  };
}
