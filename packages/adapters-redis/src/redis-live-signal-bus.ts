import {
  deliverLiveSignal,
  encodeLiveSignal,
  type LiveSignal,
  type LiveSignalBus,
} from '@parley/messaging-core';
import { Redis } from 'ioredis';

export interface RedisLiveSignalBusOptions {
  /** The Redis server the API instances share, e.g. `redis://127.0.0.1:6379` (`PARLEY_REDIS_URL`). */
  readonly url: string;
  /** The pub/sub channel (letters, digits, `_ : . -`). Default `parley:signals`. */
  readonly channel?: string;
  /**
   * A connection failed (ioredis reconnects on its own with its back-off), a message on the
   * channel was not a signal, or a listener threw.
   */
  readonly onError?: (error: Error) => void;
  /**
   * Subscribed again after a lost connection: signals sent meanwhile are lost (e.g. publish a
   * `presence_sync` so the other instances repeat their presence now).
   */
  readonly onReconnect?: () => void;
  /**
   * Names both connections (`CLIENT SETNAME`, suffixed `:sub` and `:pub`) so `CLIENT LIST` shows
   * which instance holds them, e.g. the instance id. Default: unnamed.
   */
  readonly connectionName?: string;
}

/**
 * The `LiveSignalBus` over Redis pub/sub (ioredis), for deployments that set `PARLEY_REDIS_URL`:
 * signals stop loading PostgreSQL, which keeps serving the event log. Two connections per
 * instance, as Redis requires (a subscribed connection can issue nothing but subscriptions): one
 * `SUBSCRIBE`s to the channel, one `PUBLISH`es. Commands on one connection are answered in order,
 * which keeps one publisher's signals in order.
 *
 * ioredis reconnects a lost connection with its back-off and subscribes again (`onReconnect`
 * says when). While the publishing connection is down, `publish` rejects at once rather than
 * queueing (signals are best-effort and stale ones are worthless); messages published while the
 * subscriber was down are lost.
 *
 * @example
 * ```ts
 * const bus = new RedisLiveSignalBus({ url: 'redis://127.0.0.1:6379', onError: log.warn });
 * await bus.start();
 * bus.subscribe((signal) => tracker.receive(signal));
 * await bus.publish({ kind: 'presence_sync', origin: instanceId });
 * ```
 */
export class RedisLiveSignalBus implements LiveSignalBus {
  readonly #options: RedisLiveSignalBusOptions;
  readonly #channel: string;
  readonly #listeners = new Set<(signal: LiveSignal) => void>();
  readonly #subscriber: Redis;
  readonly #publisher: Redis;
  #started = false;
  #closed = false;

  constructor(options: RedisLiveSignalBusOptions) {
    this.#options = options;
    this.#channel = options.channel ?? 'parley:signals';
    if (!/^[A-Za-z0-9_:.-]{1,200}$/.test(this.#channel)) throw new Error(`invalid channel ${this.#channel}`);
    const connection = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 } as const;
    const name = (suffix: string) =>
      options.connectionName === undefined ? {} : { connectionName: `${options.connectionName}:${suffix}` };
    this.#subscriber = new Redis(options.url, { ...connection, ...name('sub') });
    this.#publisher = new Redis(options.url, { ...connection, ...name('pub') });
    const report = (error: Error) => {
      if (!this.#closed) options.onError?.(error);
    };
    this.#subscriber.on('error', report);
    this.#publisher.on('error', report);
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel || this.#closed) return;
      deliverLiveSignal(this.#listeners, message, options.onError);
    });
  }

  /** Connects both connections and subscribes; rejects when Redis cannot be reached. */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('live signal bus is closed');
    if (this.#started) return;
    try {
      await Promise.all([this.#subscriber.connect(), this.#publisher.connect()]);
      await this.#subscriber.subscribe(this.#channel);
    } catch (error) {
      // Without this, ioredis would keep retrying a server that is not there.
      this.#subscriber.disconnect();
      this.#publisher.disconnect();
      throw error;
    }
    this.#started = true;
    // ioredis resubscribes by itself on reconnection; every `ready` after the first is one.
    this.#subscriber.on('ready', () => {
      if (!this.#closed) this.#options.onReconnect?.();
    });
  }

  /** `PUBLISH`es the signal's JSON. Rejects `RangeError` when too large (nothing sent), or when closed or disconnected. */
  async publish(signal: LiveSignal): Promise<void> {
    if (this.#closed) throw new Error('live signal bus is closed');
    const payload = encodeLiveSignal(signal);
    await this.#publisher.publish(this.#channel, payload);
  }

  subscribe(listener: (signal: LiveSignal) => void): () => void {
    const entry = (signal: LiveSignal) => listener(signal);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Closes both connections at once (publishes in flight reject). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriber.disconnect();
    this.#publisher.disconnect();
  }
}
