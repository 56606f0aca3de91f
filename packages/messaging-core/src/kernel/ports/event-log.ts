import type { EventPosition } from '../model/event-envelope.js';
import type { ParticipantRef } from '../model/participant-ref.js';

/** One read of the log (`TLogged`: a context's logged event, e.g. `LoggedEventOf<Payloads>`). */
export interface EventBatchOf<TLogged> {
  /** In log order (`position` ascending), all after the position read from. */
  readonly events: readonly TLogged[];
  /**
   * More may be readable now: the batch was full, or committed events wait behind a transaction
   * that began earlier and is still running (they become readable when it ends). Read again soon.
   */
  readonly more: boolean;
}

/**
 * The durable event log: an append-only record of every domain event, written in the same
 * transaction as the change it describes, read by subscribers that each keep a durable cursor.
 * Generic over what a context appends (`TEvent`) and reads back (`TLogged`, envelope + payload,
 * see `LoggedEventOf`): the kernel knows envelopes, positions and cursors; the conversations
 * context binds it to its vocabulary as `EventLog` (= `EventLogOf<DomainEvent, LoggedEvent>`),
 * whose documentation says how a use case records an event and how to add an event type.
 *
 * Never append outside the transaction of the change (an event for a rolled-back change would
 * be delivered), and never publish "after commit" instead (a crash in between loses it).
 *
 * **Ordering and visibility.** Each event has a monotonic `id` and the id of the transaction that
 * wrote it; the log's order is `(xid, id)`. `read` returns only events of transactions that ended
 * before every transaction still running began, so no event is seen before it commits and none is
 * skipped when transactions commit out of id order: a cursor never passes a gap that could still
 * be filled.
 *
 * **Subscribers.** Each has a cursor row (`registerSubscribers`). A dispatcher, in one
 * transaction: `claim`s the cursor (refused while another transaction holds it), `read`s after
 * it, hands the batch to the subscriber (whose writes go through the same `tx`), and `advance`s.
 * Delivery is at-least-once: subscribers must be idempotent (see `createEventDispatcher`).
 */
export interface EventLogOf<TEvent, TLogged> {
  /**
   * Appends events in order, each with a new id, stamped with the current transaction. Writes
   * only the `events` rows (and, after commit, wakes local dispatchers); changes nothing else.
   */
  append(events: readonly TEvent[]): Promise<void>;

  /**
   * Up to `limit` committed events after `after`, in log order, and whether more may be waiting
   * (see `EventBatchOf.more`). Reads only.
   *
   * @example
   * ```ts
   * const { events, more } = await store.events.read(LOG_START, 100);
   * ```
   */
  read(after: EventPosition, limit: number): Promise<EventBatchOf<TLogged>>;

  /**
   * `read`, narrowed to what one participant could be shown: the events of conversations they
   * are or were a member of, and the events of no conversation. Page size and `more` count those
   * events only, so a resuming client's replay costs its own events, not the whole log's (the
   * database filters; nothing else crosses the wire). Who else may watch a conversation they are
   * not in (a monitoring admin) is the caller's business: use `read` for them. Reads only.
   *
   * @example
   * ```ts
   * const { events, more } = await store.events.readFor(since, { type: 'customer', id: 'c1' }, 500);
   * ```
   */
  readFor(after: EventPosition, participant: ParticipantRef, limit: number): Promise<EventBatchOf<TLogged>>;

  /**
   * Where the event with this id sits in the log, or null when no event has it (never appended,
   * pruned, or not a log id at all). Reads only; sees committed events whether or not `read` may
   * return them yet (a resuming client names an event it received, so it is readable).
   *
   * @example
   * ```ts
   * const since = await store.events.locate(lastEventId); // null: resync
   * ```
   */
  locate(id: string): Promise<EventPosition | null>;

  /** Creates the cursor rows of these subscribers at `LOG_START`, leaving existing ones as they are. */
  registerSubscribers(names: readonly string[]): Promise<void>;

  /** A subscriber's cursor without claiming it (monitoring, tests); null when not registered. */
  loadCursor(subscriber: string): Promise<EventPosition | null>;

  /**
   * Claims a subscriber's cursor for the rest of the current transaction and returns it. Null
   * when another transaction holds it (it is never waited for) or the subscriber is not
   * registered. Outside a transaction the claim ends with the call: only use it through `tx`.
   */
  claim(subscriber: string): Promise<EventPosition | null>;

  /** Moves a subscriber's cursor forward to `to`; a position behind the cursor changes nothing. */
  advance(subscriber: string, to: EventPosition): Promise<void>;

  /**
   * Deletes up to `limit` events that occurred before `before`, oldest first, and returns how many.
   * Subscribers whose cursor is behind them never see them (retention is the contract).
   */
  prune(before: Date, limit: number): Promise<number>;
}
