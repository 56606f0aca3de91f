import type { LiveSignal } from '../model/live-signal.js';

/**
 * Carries ephemeral signals (typing, presence) between the API instances that share a deployment:
 * in-process on PGlite, PostgreSQL `LISTEN/NOTIFY` by default, Redis pub/sub when configured.
 *
 * Delivery is best-effort and at most once: a signal published while a bus is disconnected is
 * lost, which is why presence is repeated by heartbeats and typing expires on its own. Signals of
 * one publisher arrive in the order it published them. Every subscriber of every bus on the same
 * channel receives every signal, the publisher's own included (consumers skip their own
 * `origin`).
 *
 * @example
 * ```ts
 * const bus = new InMemoryLiveSignalBus();
 * await bus.start();
 * const stop = bus.subscribe((signal) => console.log(signal.kind));
 * await bus.publish({ kind: 'presence_sync', origin: 'api-1' });
 * stop();
 * await bus.close();
 * ```
 */
export interface LiveSignalBus {
  /**
   * Connects and subscribes; resolves once a signal published afterwards by any bus on the
   * channel will reach this one's subscribers. Throws when the backing service cannot be reached.
   */
  start(): Promise<void>;
  /**
   * Sends a signal to every bus on the channel. Rejects (`RangeError`) a signal whose JSON is over
   * `MAX_SIGNAL_BYTES` and sends nothing; a send that fails for the connection rejects too.
   */
  publish(signal: LiveSignal): Promise<void>;
  /** Calls `listener` with each signal received; returns the function that stops it. */
  subscribe(listener: (signal: LiveSignal) => void): () => void;
  /** Stops listening and closes the connections; further publishes reject. Idempotent. */
  close(): Promise<void>;
}
