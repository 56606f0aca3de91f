import type { EventPosition } from '../model/event-envelope.js';
import type { EventLogOf } from '../ports/event-log.js';

/** Repositories that include an event log reading `TLogged` (what a transaction must offer). */
export interface EventLogUnit<TLogged> {
  // `never`: the dispatcher only reads, claims and advances; it never appends.
  readonly events: EventLogOf<never, TLogged>;
}

/**
 * What the dispatcher needs of a store: its event log, and transactions whose repositories (`TTx`)
 * include the log. `TTx` is whatever the subscribers write through — e.g. `NotifyingRepositories`
 * for the email subscriber, which enqueues notification jobs in the same transaction.
 */
export interface EventStore<TLogged, TTx extends EventLogUnit<TLogged>> extends EventLogUnit<TLogged> {
  transaction<T>(work: (tx: TTx) => Promise<T>): Promise<T>;
}

/**
 * A consumer of the event log with its own durable cursor. Delivery is at-least-once: a batch
 * whose handling fails (or whose process dies) is delivered again from the cursor, so `handle`
 * must be idempotent — its writes go through `tx`, the dispatcher's transaction, and commit
 * together with the cursor's advance, so a batch's effects are kept exactly when the cursor
 * passes it. Generic over the logged event (`TLogged`) and the transaction's repositories
 * (`TTx`); the conversations context names its subscribers `EventSubscriber<TTx>`.
 */
export interface EventSubscriberOf<TLogged, TTx> {
  /** The cursor row's key: stable forever (a new name starts again from the oldest kept event). */
  readonly name: string;
  /** Handles events in log order; throw to have the whole batch rolled back and redelivered. */
  handle(events: readonly TLogged[], tx: TTx): Promise<void>;
}

/** What one dispatch of one subscriber did. */
export interface DispatchOutcome {
  readonly subscriber: string;
  /** `busy`: another transaction (another process) holds this subscriber's cursor right now. */
  readonly status: 'busy' | 'idle' | 'delivered';
  readonly delivered: number;
  /** More may be readable now (a full batch, or events waiting behind an older running transaction). */
  readonly more: boolean;
}

/**
 * Delivers the next batch to one subscriber, in one transaction of `store`: claims its cursor
 * (skipping it when another transaction holds it), reads up to `batchSize` events after it,
 * hands them to the subscriber and advances the cursor past them. If the subscriber throws,
 * nothing of the batch is kept (its writes and the advance roll back) and the error is rethrown.
 * Side effects: the subscriber's writes and the cursor row.
 *
 * @example
 * ```ts
 * const outcome = await dispatchBatch(store, emailNotificationSubscriber(), 100);
 * ```
 */
export function dispatchBatch<
  TLogged extends { readonly position: EventPosition },
  TTx extends EventLogUnit<TLogged>,
>(
  store: EventStore<TLogged, TTx>,
  subscriber: EventSubscriberOf<TLogged, TTx>,
  batchSize: number,
): Promise<DispatchOutcome> {
  return store.transaction(async (tx): Promise<DispatchOutcome> => {
    const name = subscriber.name;
    const cursor = await tx.events.claim(name);
    if (cursor === null) return { subscriber: name, status: 'busy', delivered: 0, more: false };
    const { events, more } = await tx.events.read(cursor, batchSize);
    const last = events.at(-1);
    if (last === undefined) return { subscriber: name, status: 'idle', delivered: 0, more };
    await subscriber.handle(events, tx);
    await tx.events.advance(name, last.position);
    return { subscriber: name, status: 'delivered', delivered: events.length, more };
  });
}

export interface EventDispatcherOptions<TLogged, TTx extends EventLogUnit<TLogged>> {
  readonly store: EventStore<TLogged, TTx>;
  readonly subscribers: readonly EventSubscriberOf<TLogged, TTx>[];
  /** Most events per subscriber transaction. Default 100. */
  readonly batchSize?: number;
  /** Most batches per subscriber in one round, so one busy subscriber cannot starve the others. Default 20. */
  readonly maxBatchesPerRound?: number;
  /** A subscriber's batch failed (it is retried from its cursor next round). Default: ignored. */
  readonly onError?: (subscriber: string, error: unknown) => void;
}

/** What a round did, summed over subscribers. */
export interface DispatchRound {
  readonly delivered: number;
  /** Some subscriber may have more to read now: run another round soon. */
  readonly more: boolean;
  /** Subscribers whose batch failed this round. */
  readonly failed: readonly string[];
}

/** Feeds every subscriber from the event log; see `createEventDispatcher`. */
export interface EventDispatcher {
  /** Creates the subscribers' cursor rows (at the start of the log) where missing; the first round does it too. */
  register(): Promise<void>;
  /**
   * One round: each subscriber in turn gets batches until it is caught up (or
   * `maxBatchesPerRound`). A failing subscriber is reported to `onError` and skipped until the
   * next round. Rounds of one dispatcher never overlap (a call during a round waits for it, then
   * runs its own).
   */
  runRound(): Promise<DispatchRound>;
  /**
   * Runs rounds until no subscriber has anything left to read right now (at most `maxRounds`,
   * default 50) — what tests and `runOnce`-style callers use.
   */
  drain(maxRounds?: number): Promise<DispatchRound>;
}

/**
 * The core of event dispatch, with no timers: the host decides when rounds run (on a wake-up
 * after a local commit, on `LISTEN/NOTIFY`, on a polling interval). Any number of dispatchers,
 * in one process or many, may feed the same subscribers: each batch claims the subscriber's
 * cursor for its transaction and a cursor held elsewhere is skipped, so a subscriber never runs
 * twice at once and every event reaches it (at least once) in log order.
 *
 * @example
 * ```ts
 * const dispatcher = createEventDispatcher({ store, subscribers: [emailNotificationSubscriber()] });
 * await dispatcher.register();
 * await dispatcher.drain();
 * ```
 */
export function createEventDispatcher<
  TLogged extends { readonly position: EventPosition },
  TTx extends EventLogUnit<TLogged>,
>(options: EventDispatcherOptions<TLogged, TTx>): EventDispatcher {
  const batchSize = options.batchSize ?? 100;
  const maxBatches = options.maxBatchesPerRound ?? 20;
  let current: Promise<DispatchRound> = Promise.resolve({ delivered: 0, more: false, failed: [] });
  let registered: Promise<void> | null = null;
  const register = (): Promise<void> => {
    registered ??= options.store.events
      .registerSubscribers(options.subscribers.map((s) => s.name))
      .catch((error: unknown) => {
        registered = null;
        throw error;
      });
    return registered;
  };

  const round = async (): Promise<DispatchRound> => {
    await register();
    let delivered = 0;
    let more = false;
    const failed: string[] = [];
    for (const subscriber of options.subscribers) {
      try {
        for (let batch = 0; batch < maxBatches; batch += 1) {
          const outcome = await dispatchBatch(options.store, subscriber, batchSize);
          delivered += outcome.delivered;
          if (outcome.status === 'busy') break;
          if (!outcome.more) break;
          // Events held back by an older running transaction are not ours to spin on here.
          if (outcome.status === 'idle') {
            more = true;
            break;
          }
          if (batch === maxBatches - 1) more = true;
        }
      } catch (error) {
        failed.push(subscriber.name);
        options.onError?.(subscriber.name, error);
      }
    }
    return { delivered, more, failed };
  };

  const runRound = (): Promise<DispatchRound> => {
    const next = current.then(round, round);
    current = next;
    return next;
  };

  return {
    register,
    runRound,
    drain: async (maxRounds = 50) => {
      let total = 0;
      let last: DispatchRound = { delivered: 0, more: false, failed: [] };
      for (let i = 0; i < maxRounds; i += 1) {
        last = await runRound();
        total += last.delivered;
        if (!last.more || last.failed.length > 0) break;
      }
      return { ...last, delivered: total };
    },
  };
}
