import type { LiveSignal } from '../model/live-signal.js';
import { deliverLiveSignal, encodeLiveSignal } from '../model/signal-codec.js';
import type { LiveSignalBus } from '../ports/live-signal-bus.js';

type Receiver = (json: string) => void;

/**
 * What several `InMemoryLiveSignalBus`es share to hear each other: one hub is one "deployment"
 * (a PostgreSQL server, a Redis), its channels are the buses' channels.
 */
export class InMemorySignalHub {
  readonly #channels = new Map<string, Set<Receiver>>();

  /** @internal Adds a started bus to a channel; returns the function that removes it. */
  join(channel: string, receiver: Receiver): () => void {
    let receivers = this.#channels.get(channel);
    if (receivers === undefined) {
      receivers = new Set();
      this.#channels.set(channel, receivers);
    }
    receivers.add(receiver);
    return () => {
      receivers.delete(receiver);
      if (receivers.size === 0) this.#channels.delete(channel);
    };
  }

  /** @internal Hands `json` to every bus on the channel, in a later microtask (as a network would). */
  send(channel: string, json: string): void {
    for (const receiver of this.#channels.get(channel) ?? []) queueMicrotask(() => receiver(json));
  }
}

export interface InMemoryLiveSignalBusOptions {
  /** Buses on one hub and channel hear each other. Default: a hub of this bus's own. */
  readonly hub?: InMemorySignalHub;
  /** Default `parley_signals`. */
  readonly channel?: string;
  /** A listener threw (the other listeners still receive the signal). */
  readonly onError?: (error: Error) => void;
}

/**
 * The `LiveSignalBus` of one process (PGlite deployments, tests): buses sharing an
 * `InMemorySignalHub` stand for API instances sharing a backing service. Signals travel as JSON
 * (each listener gets its own copy, sizes are checked as the real buses check them) and arrive
 * in a later microtask, in publishing order.
 *
 * @example
 * ```ts
 * const hub = new InMemorySignalHub();
 * const one = new InMemoryLiveSignalBus({ hub });
 * const two = new InMemoryLiveSignalBus({ hub });
 * await Promise.all([one.start(), two.start()]);
 * two.subscribe((signal) => console.log(signal.origin)); // "api-1"
 * await one.publish({ kind: 'presence_sync', origin: 'api-1' });
 * ```
 */
export class InMemoryLiveSignalBus implements LiveSignalBus {
  readonly #hub: InMemorySignalHub;
  readonly #channel: string;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #listeners = new Set<(signal: LiveSignal) => void>();
  #leave: (() => void) | null = null;
  #closed = false;

  constructor(options: InMemoryLiveSignalBusOptions = {}) {
    this.#hub = options.hub ?? new InMemorySignalHub();
    this.#channel = options.channel ?? 'parley_signals';
    this.#onError = options.onError;
  }

  /** Joins the hub's channel (at once). */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('live signal bus is closed');
    this.#leave ??= this.#hub.join(this.#channel, (json) => this.#receive(json));
  }

  /** Sends to every bus on the channel, this one included; rejects `RangeError` when too large. */
  async publish(signal: LiveSignal): Promise<void> {
    if (this.#closed) throw new Error('live signal bus is closed');
    this.#hub.send(this.#channel, encodeLiveSignal(signal));
  }

  subscribe(listener: (signal: LiveSignal) => void): () => void {
    // Wrapped so that subscribing the same function twice gives two independent subscriptions.
    const entry = (signal: LiveSignal) => listener(signal);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Leaves the channel; signals already on their way to this bus are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#leave?.();
    this.#leave = null;
  }

  #receive(json: string): void {
    if (this.#closed) return;
    deliverLiveSignal(this.#listeners, json, this.#onError);
  }
}
