import pg from 'pg';

export interface PostgresEventWakeupsOptions {
  /** Connection string of the database the event log lives in. */
  readonly url: string;
  /** The `LISTEN/NOTIFY` channel; one per event log (e.g. per schema). Default `parley_events`. */
  readonly channel?: string;
  /**
   * Another process committed events (`newestId`: the newest id it announced), or the connection
   * was (re)established and announcements may have been missed (`null`). Runs a dispatch round.
   */
  readonly onWake: (newestId: string | null) => void;
  /** The listening connection failed (it reconnects on its own; polling covers the gap). */
  readonly onError?: (error: Error) => void;
  /** At most one `NOTIFY` per this many milliseconds from this process. Default 10. */
  readonly coalesceMs?: number;
  /** Delay before reconnecting a lost listening connection. Default 1000. */
  readonly reconnectMs?: number;
}

/** The larger of two decimal ids (null: none yet). */
function newer(current: string | null, id: string): string {
  return current === null || BigInt(id) > BigInt(current) ? id : current;
}

/**
 * Wakes the event dispatchers of every process sharing a PostgreSQL database. One dedicated
 * connection per process `LISTEN`s on the channel and sends this process's announcements:
 * `notify(newestId)` after a local commit of events is coalesced to at most one `NOTIFY` per
 * `coalesceMs` carrying only the newest id (never the event itself: subscribers always read the
 * log). A process ignores its own announcements (it woke its dispatcher locally already).
 * Wake-ups are a latency optimisation only: a lost `NOTIFY` or connection delays delivery until
 * the dispatcher's next poll, it never loses an event.
 *
 * @example
 * ```ts
 * const wakeups = new PostgresEventWakeups({ url, onWake: () => loop.wake() });
 * await wakeups.start();
 * // after each local commit of events: wakeups.notify(newestId);
 * ```
 */
export class PostgresEventWakeups {
  readonly #options: PostgresEventWakeupsOptions;
  readonly #channel: string;
  readonly #coalesceMs: number;
  #client: pg.Client | null = null;
  #pending: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #sending = false;
  #reconnect: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: PostgresEventWakeupsOptions) {
    this.#options = options;
    this.#channel = options.channel ?? 'parley_events';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.#channel)) throw new Error(`invalid channel ${this.#channel}`);
    this.#coalesceMs = options.coalesceMs ?? 10;
  }

  /**
   * Opens the listening connection. When it cannot, reports to `onError` and retries every
   * `reconnectMs` (the dispatcher polls meanwhile); never rejects.
   */
  async start(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      this.#options.onError?.(error as Error);
      this.#scheduleReconnect();
    }
  }

  /**
   * Announces that events up to `newestId` committed here. Sends at once when no `NOTIFY` went
   * out in the last `coalesceMs`; otherwise keeps the newest id for the one sent when that
   * interval ends. Never throws (a failed `NOTIFY` is reported to `onError`).
   */
  notify(newestId: string): void {
    if (this.#closed) return;
    this.#pending = newer(this.#pending, newestId);
    if (this.#timer !== null) return;
    this.#flush();
  }

  /** Stops listening and drops announcements not yet sent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#reconnect !== null) clearTimeout(this.#reconnect);
    this.#timer = null;
    this.#reconnect = null;
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  #flush(): void {
    const id = this.#pending;
    if (id === null) return;
    const client = this.#client;
    // While the previous NOTIFY is still on the wire (a loaded server), the newest id waits for the
    // next tick: `pg` deprecates queueing a query on a busy client.
    if (!this.#sending) {
      this.#pending = null;
      if (client !== null) {
        this.#sending = true;
        client
          .query('select pg_notify($1, $2)', [this.#channel, id])
          .catch((error: Error) => this.#options.onError?.(error))
          .finally(() => {
            this.#sending = false;
          });
      }
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, this.#coalesceMs);
    this.#timer.unref();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.url });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, null));
    client.on('notification', (message) => {
      // `processID` (the backend's pid) is set by `pg` at connect time but missing from its types.
      const own = (client as unknown as { processID?: number }).processID;
      if (message.channel !== this.#channel || message.processId === own) return;
      this.#options.onWake(message.payload === undefined || message.payload === '' ? null : message.payload);
    });
    await client.connect();
    await client.query(`listen ${this.#channel}`);
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    // Announcements sent while this process was not listening are lost: catch up now.
    this.#options.onWake(null);
  }

  #lost(client: pg.Client, error: Error | null): void {
    if (this.#client !== client) return;
    this.#client = null;
    if (error !== null) this.#options.onError?.(error);
    client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnect !== null) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      if (this.#closed) return;
      this.#connect().catch((failure: Error) => {
        this.#options.onError?.(failure);
        this.#scheduleReconnect();
      });
    }, this.#options.reconnectMs ?? 1_000);
    this.#reconnect.unref();
  }
}
