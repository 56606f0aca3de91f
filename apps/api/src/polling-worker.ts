import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** A polling loop: one run at a time, on a timer and on demand. */
export interface PollingWorker<T> {
  readonly workerId: string;
  /** One run now (what the timer calls); never throws (a failure is reported and answers null). Runs never overlap. */
  runOnce(): Promise<T | null>;
  /** Stops the timer and waits for the run in progress. */
  stop(): Promise<void>;
}

/** A worker id unique across hosts and processes: host, pid and a random suffix. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * The loop the notification and webhook workers share: `run` every `intervalMs` (null: only when
 * `runOnce` is called), never two at once (a call during a run joins it), `beforeRun` first, a
 * thrown error handed to `onFailure`. The timer is unref'd: it never keeps the process alive.
 *
 * @example
 * ```ts
 * const worker = startPollingWorker((id) => core.processDeliveries({ workerId: id }), { intervalMs: 1_000 }, (error) => log.error({ err: error }, 'run failed'));
 * ```
 */
export function startPollingWorker<T>(
  run: (workerId: string) => Promise<T>,
  options: {
    readonly intervalMs: number | null;
    readonly workerId?: string;
    readonly beforeRun?: () => Promise<unknown>;
  },
  onFailure: (error: unknown) => void,
): PollingWorker<T> {
  const workerId = options.workerId ?? defaultWorkerId();
  let running: Promise<T | null> | null = null;
  let stopped = false;
  const runOnce = () => {
    running ??= (async () => {
      try {
        await options.beforeRun?.();
        return await run(workerId);
      } catch (error) {
        onFailure(error);
        return null;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer =
    options.intervalMs === null
      ? null
      : setInterval(() => {
          if (!stopped) void runOnce();
        }, options.intervalMs);
  timer?.unref();
  return {
    workerId,
    runOnce,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
