import type { Clock, MessagingCore } from '@parley/messaging-core';
import type { FastifyBaseLogger } from 'fastify';

export interface AttachmentSweepOptions {
  /** Between runs; null: never run. */
  readonly intervalMs: number | null;
  /** Only files written longer ago than this are removed. */
  readonly graceMs: number;
}

/** A running sweep. */
export interface AttachmentSweep {
  /** Runs one sweep now (what the timer calls); never throws, logs failures. */
  runOnce(): Promise<void>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Starts the periodic orphan-file sweep: every `intervalMs`, files under `uploads/messages/`
 * that no attachment row points to and that are older than `graceMs` are removed. The timer is
 * unref'd (it never keeps the process alive) and runs never overlap.
 *
 * @example
 * ```ts
 * const sweep = startAttachmentSweep(core, { intervalMs: 3_600_000, graceMs: 86_400_000 }, clock, app.log);
 * // on shutdown: await sweep.stop();
 * ```
 */
export function startAttachmentSweep(
  core: MessagingCore,
  options: AttachmentSweepOptions,
  clock: Clock,
  log: Pick<FastifyBaseLogger, 'info' | 'error'>,
): AttachmentSweep {
  let running: Promise<void> | null = null;
  const runOnce = () => {
    running ??= (async () => {
      try {
        const olderThan = new Date(clock.now().getTime() - options.graceMs);
        const { scanned, removed } = await core.sweepOrphanFiles({ olderThan });
        if (removed.length > 0)
          log.info({ scanned, removed: removed.length }, 'removed orphan attachment files');
      } catch (error) {
        log.error({ err: error }, 'attachment sweep failed');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = options.intervalMs === null ? null : setInterval(() => void runOnce(), options.intervalMs);
  timer?.unref();
  return {
    runOnce,
    stop: async () => {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
