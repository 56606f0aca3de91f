import {
  deliverLiveSignal,
  encodeLiveSignal,
  type LiveSignal,
  type LiveSignalBus,
} from '@parley/messaging-core';
import pg from 'pg';

export interface PostgresLiveSignalBusOptions {
  /** Connection string of the PostgreSQL server the API instances share. */
  readonly url: string;
  /** The `LISTEN/NOTIFY` channel (`[a-z_][a-z0-9_]*`, at most 63). Default `parley_signals`. */
  readonly channel?: string;
  /**
   * A connection failed (it reconnects on its own after `reconnectMs`), a message on the channel
   * was not a signal, or a listener threw.
   */
  readonly onError?: (error: Error) => void;
  /**
   * Listening again after a lost connection: signals sent meanwhile are lost (e.g. publish a
   * `presence_sync` so the other instances repeat their presence now).
   */
  readonly onReconnect?: () => void;
  /** Delay before reconnecting a lost connection. Default 1000. */
  readonly reconnectMs?: number;
}

/**
 * The `LiveSignalBus` over PostgreSQL `LISTEN/NOTIFY`, the default across API instances: no other
 * service to run. Two dedicated connections per instance, outside the database pool:
 *
 * - one `LISTEN`s on the channel and hands each notification to the subscribers (PostgreSQL also
 *   notifies the publishing instance, which is what the port asks for);
 * - one sends `select pg_notify($1, $2)`. One connection rather than a pool because a connection
 *   runs its queries in the order they were sent, which is what keeps one publisher's signals in
 *   order (a pool would let a later `NOTIFY` overtake an earlier one on another connection); and
 *   a separate one so that publishing neither waits behind the listener's reconnection nor takes
 *   a connection from the pool that serves requests.
 *
 * A lost connection is reported to `onError` and reopened after `reconnectMs`; signals sent or
 * published meanwhile are lost (the port is best-effort: presence heartbeats and typing expiry
 * repair it). Payloads are the signal's JSON, at most `MAX_SIGNAL_BYTES` (under `NOTIFY`'s 8000).
 * Not available on PGlite: a PGlite API uses the in-memory bus.
 *
 * @example
 * ```ts
 * const bus = new PostgresLiveSignalBus({ url: databaseUrl, onError: log.warn });
 * await bus.start();
 * bus.subscribe((signal) => tracker.receive(signal));
 * await bus.publish({ kind: 'presence_sync', origin: instanceId });
 * ```
 */
export class PostgresLiveSignalBus implements LiveSignalBus {
  readonly #options: PostgresLiveSignalBusOptions;
  readonly #channel: string;
  readonly #listeners = new Set<(signal: LiveSignal) => void>();
  #listener: pg.Client | null = null;
  #publisher: Promise<pg.Client> | null = null;
  #reconnect: NodeJS.Timeout | null = null;
  #tail: Promise<void> = Promise.resolve();
  #started = false;
  #closed = false;

  constructor(options: PostgresLiveSignalBusOptions) {
    this.#options = options;
    this.#channel = options.channel ?? 'parley_signals';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.#channel)) throw new Error(`invalid channel ${this.#channel}`);
  }

  /** Opens both connections and `LISTEN`s; rejects when the server cannot be reached. */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('live signal bus is closed');
    if (this.#started) return;
    await this.#listen();
    try {
      await this.#connection();
    } catch (error) {
      // Leave nothing open (nor reconnecting) behind a start that failed.
      const listener = this.#listener;
      this.#listener = null;
      await listener?.end().catch(() => undefined);
      throw error;
    }
    this.#started = true;
  }

  /**
   * `NOTIFY`s the signal's JSON on the publishing connection (opening it again if it was lost).
   * Rejects `RangeError` when too large (nothing sent), or when the bus is closed or the server
   * refuses.
   */
  async publish(signal: LiveSignal): Promise<void> {
    if (this.#closed) throw new Error('live signal bus is closed');
    const payload = encodeLiveSignal(signal);
    // One query at a time, in call order (`pg` deprecates queueing queries on a busy client).
    const sent = this.#tail.then(async () => {
      const client = await this.#connection();
      await client.query('select pg_notify($1, $2)', [this.#channel, payload]);
    });
    this.#tail = sent.catch(() => undefined);
    await sent;
  }

  subscribe(listener: (signal: LiveSignal) => void): () => void {
    const entry = (signal: LiveSignal) => listener(signal);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Ends both connections; publishes in flight may still complete. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconnect !== null) clearTimeout(this.#reconnect);
    this.#reconnect = null;
    const listener = this.#listener;
    const publisher = this.#publisher;
    this.#listener = null;
    this.#publisher = null;
    await Promise.all([
      listener?.end().catch(() => undefined),
      publisher?.then((client) => client.end()).catch(() => undefined),
    ]);
  }

  #connection(): Promise<pg.Client> {
    if (this.#publisher !== null) return this.#publisher;
    const client = new pg.Client({ connectionString: this.#options.url });
    const ready = client.connect().then(() => client);
    this.#publisher = ready;
    const lost = (error: Error | null) => {
      if (this.#publisher !== ready) return;
      // The next publish opens a new connection.
      this.#publisher = null;
      if (error !== null) this.#options.onError?.(error);
      client.end().catch(() => undefined);
    };
    client.on('error', lost);
    client.on('end', () => lost(null));
    ready.catch((error: Error) => lost(error));
    return ready;
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.url });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, null));
    client.on('notification', (message) => {
      if (message.channel !== this.#channel || this.#closed) return;
      deliverLiveSignal(this.#listeners, message.payload ?? '', this.#options.onError);
    });
    try {
      await client.connect();
      await client.query(`listen ${this.#channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listener = client;
  }

  #lost(client: pg.Client, error: Error | null): void {
    if (this.#listener !== client) return;
    this.#listener = null;
    this.#options.onError?.(error ?? new Error('live signal bus: listening connection ended'));
    client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnect !== null) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      if (this.#closed) return;
      this.#listen().then(
        () => {
          if (!this.#closed) this.#options.onReconnect?.();
        },
        (failure: Error) => {
          this.#options.onError?.(failure);
          this.#scheduleReconnect();
        },
      );
    }, this.#options.reconnectMs ?? 1_000);
    this.#reconnect.unref();
  }
}
