import {
  type Actor,
  type ActorClaims,
  type ClientPresenceStatus,
  comparePositions,
  type EventPosition,
  isMessagingError,
  type LiveAudience,
  type LiveBatch,
  type LiveDelivery,
  type LiveFeed,
  participantKey,
  type TypingState,
} from '@parley/messaging-core';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ParleyMetrics } from '../plugins/metrics.js';
import type { ClientFrame } from './client-frames.js';
import {
  CLOSE_CODES,
  LiveConnection,
  type LiveSink,
  type ServerFrame,
  TokenBucket,
} from './live-connection.js';

/**
 * Typing and presence, as the hub hands them over (`LiveSignals` implements it): told of every
 * connection that opens and ends, of the client frames about them, and of every durable delivery
 * (membership changes move whose presence a person may see).
 */
export interface EphemeralRelay {
  /** Starts listening to the other instances (before the hub admits connections). */
  start(): Promise<void>;
  connected(connection: LiveConnection): void;
  /** Activity on a connection (any accepted client frame): moves its person's `last_active_at`. */
  touch(connection: LiveConnection): void;
  disconnected(connection: LiveConnection, clean: boolean): void;
  /** Relays a typing frame; throws a `MessagingError` when the sender may not send there. */
  typing(connection: LiveConnection, conversationId: string, state: TypingState): Promise<void>;
  presence(connection: LiveConnection, status: ClientPresenceStatus): void;
  observe(delivery: LiveDelivery): void;
  /** Says goodbye to the other instances (`instance_down`) and stops its timers. */
  stop(): Promise<void>;
}

/** One delivery acknowledged by a client: the person has the conversation's messages up to `seq`. */
export interface DeliveredEntry {
  readonly actor: Actor;
  readonly conversationId: string;
  readonly seq: number;
}

export interface RealtimeHubSettings {
  /** Read the log this often when nothing woke the hub. */
  readonly pollIntervalMs: number;
  /** Events per read of the log. */
  readonly batchSize: number;
  /** Re-check each connected person against the directory this often (4401 when gone). */
  readonly recheckIntervalMs: number;
  /** A connection with more unsent bytes than this is closed (1013) instead of buffering more. */
  readonly maxPendingBytes: number;
  /** Longest gap a resume covers (`LiveFeed.replay`'s `maxEvents`). */
  readonly replayMaxEvents: number;
  /**
   * Replays this instance runs at once; more wait their turn (their live deliveries held). When
   * an instance dies its clients all resume on the survivors at once: unbounded, 2,000 parallel
   * replays took 2.3–2.7 GiB and starved sends (docs/benchmarks.md, issue 12).
   */
  readonly replayConcurrency: number;
  /** Acks are collected this long, then written with one `markDelivered`. */
  readonly ackFlushMs: number;
  /** Client frames per second per connection (bursts of twice that). */
  readonly framesPerSecond: number;
  /** Connections this instance accepts. */
  readonly maxConnections: number;
}

export const DEFAULT_HUB_SETTINGS: RealtimeHubSettings = {
  pollIntervalMs: 1_000,
  batchSize: 500,
  recheckIntervalMs: 60_000,
  maxPendingBytes: 4 * 1024 * 1024,
  replayMaxEvents: 10_000,
  replayConcurrency: 4,
  ackFlushMs: 250,
  framesPerSecond: 10,
  maxConnections: 20_000,
};

export interface RealtimeHubDependencies {
  readonly feed: LiveFeed;
  /** The wire frame of a durable delivery (`toLiveFrame`). */
  readonly toFrame: (delivery: LiveDelivery) => ServerFrame;
  /** Where the tail starts: the log's end at boot. */
  readonly startPosition: () => Promise<EventPosition>;
  /** The directory check of a connected person (`core.resolveActor`): a `FORBIDDEN` ends their connections. */
  readonly resolveActor: (claims: ActorClaims) => Promise<Actor>;
  /** Records acknowledged deliveries (`core.markDelivered`); absent: acks are accepted and dropped. */
  readonly markDelivered?: (entries: DeliveredEntry[]) => Promise<unknown>;
  readonly metrics?: Pick<ParleyMetrics, 'countRealtimeConnection' | 'countRealtimeFrames'>;
  readonly logger: {
    error(object: object, message: string): void;
    warn(object: object, message: string): void;
  };
  /** Monotonic enough wall clock in ms (tests may pass their own). */
  readonly now?: () => number;
  /**
   * Sees every event the tail reads, in log order, before they are delivered (the process's
   * caches drop what `directory.changed` names). Must not throw.
   */
  readonly onEventsRead?: (events: LiveBatch['events']) => void;
}

/** Rate-limited frames in a row after which a connection is closed (1008). */
const MAX_STRIKES = 20;
/** `setTimeout`'s largest delay. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One per API instance: the real-time connections (WebSocket and SSE) of this instance and the
 * one tail of the event log that feeds them all.
 *
 * The tail reads the log from where it was at boot (`feed.next`, projected for the connected
 * people: the hub is the feed's `LiveAudience`) on every `wake()` — the same signals as the event
 * dispatcher: local commits and, on PostgreSQL, `LISTEN/NOTIFY` — and on a short poll as the
 * fallback; one read per wake-up serves every connection. Each delivery goes to its viewer's
 * connections; one that reads too slowly (more than `maxPendingBytes` unsent) is closed with 1013
 * rather than buffered without bound. A connection that resumes (`since`) replays first while its
 * live deliveries are held, then gets those after the replay's end: no gap, no duplicate.
 *
 * Each connected person is re-checked against the directory every `recheckIntervalMs` (once per
 * person, whatever their connection count) and each connection closes with 4401 when its token
 * expires. Acks are batched for `ackFlushMs` into one `markDelivered`. Typing and presence go to
 * the `EphemeralRelay` (see `attachRelay`).
 *
 * @example
 * ```ts
 * const hub = new RealtimeHub({ feed, toFrame, startPosition, resolveActor: core.resolveActor, logger }, settings);
 * await hub.start();
 * // KyselyMessagingStore({ onEventsCommitted: () => hub.wake() }); transports call hub.open(…)
 * ```
 */
export class RealtimeHub implements LiveAudience {
  readonly settings: RealtimeHubSettings;
  readonly #deps: RealtimeHubDependencies;
  readonly #now: () => number;
  readonly #byKey = new Map<string, Set<LiveConnection>>();
  readonly #byType = new Map<string, Map<string, Actor>>();
  #relay: EphemeralRelay | null = null;
  #position: EventPosition | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #poll: NodeJS.Timeout | null = null;
  #recheck: NodeJS.Timeout | null = null;
  #settle: NodeJS.Timeout | null = null;
  readonly #expiries = new Map<LiveConnection, NodeJS.Timeout>();
  #acks = new Map<string, DeliveredEntry>();
  #ackTimer: NodeJS.Timeout | null = null;
  #ackFlush: Promise<void> = Promise.resolve();
  #count = 0;
  readonly #replays: LimitFunction;

  constructor(deps: RealtimeHubDependencies, settings: Partial<RealtimeHubSettings> = {}) {
    this.#deps = deps;
    this.settings = { ...DEFAULT_HUB_SETTINGS, ...settings };
    this.#replays = pLimit(Math.max(1, this.settings.replayConcurrency));
    this.#now = deps.now ?? Date.now;
  }

  /** Hands typing and presence to `relay` (once, before `start`). */
  attachRelay(relay: EphemeralRelay): void {
    this.#relay = relay;
  }

  /** Starts the relay, finds the log's end, starts the tail, its poll and the directory re-check. */
  async start(): Promise<void> {
    await this.#relay?.start();
    this.#position = await this.#deps.startPosition();
    this.#poll = setInterval(() => this.wake(), this.settings.pollIntervalMs);
    this.#poll.unref();
    this.#recheck = setInterval(() => void this.#recheckDirectory(), this.settings.recheckIntervalMs);
    this.#recheck.unref();
    this.wake();
  }

  // --- LiveAudience -------------------------------------------------------------------------

  get(key: string): Actor | undefined {
    const connections = this.#byKey.get(key);
    if (!connections) return undefined;
    for (const connection of connections) return connection.viewer;
    return undefined;
  }

  ofType(type: string): Iterable<Actor> {
    return this.#byType.get(type)?.values() ?? [];
  }

  // --- connections --------------------------------------------------------------------------

  /** Open connections on this instance. */
  get size(): number {
    return this.#count;
  }

  /** Whether one more connection fits under `maxConnections`. */
  hasRoom(): boolean {
    return this.#count < this.settings.maxConnections && !this.#stopped;
  }

  /** The connections of one person on this instance (tests, the SSE frames route). */
  connectionsOf(key: string): readonly LiveConnection[] {
    return [...(this.#byKey.get(key) ?? [])];
  }

  /** Every connected person's key on this instance. */
  connectedKeys(): IterableIterator<string> {
    return this.#byKey.keys();
  }

  /**
   * Registers a connection and starts it: live at once, or — with `since` — after replaying what
   * the viewer missed (or a `resync_required` frame). Returns at once; the replay runs behind.
   */
  open(
    viewer: Actor,
    claims: ActorClaims,
    sink: LiveSink,
    options: { readonly tokenExpiresAt: number; readonly since?: string },
  ): LiveConnection {
    const key = participantKey(viewer);
    const rate = this.settings.framesPerSecond;
    const connection = new LiveConnection(
      viewer,
      key,
      claims,
      sink,
      options.tokenExpiresAt,
      new TokenBucket(rate, rate * 2, this.#now),
    );
    if (options.since !== undefined) connection.held = [];
    let connections = this.#byKey.get(key);
    if (!connections) {
      connections = new Set();
      this.#byKey.set(key, connections);
      let ofType = this.#byType.get(viewer.type);
      if (!ofType) {
        ofType = new Map();
        this.#byType.set(viewer.type, ofType);
      }
      ofType.set(key, viewer);
    }
    connections.add(connection);
    this.#count += 1;
    this.#deps.metrics?.countRealtimeConnection(sink.transport, 1);
    const untilExpiry = options.tokenExpiresAt - this.#now();
    if (untilExpiry <= 0) {
      this.close(connection, CLOSE_CODES.unauthenticated, 'the token has expired');
      return connection;
    }
    const expiry = setTimeout(
      () => this.close(connection, CLOSE_CODES.unauthenticated, 'the token has expired'),
      Math.min(untilExpiry, MAX_TIMER_MS),
    );
    expiry.unref();
    this.#expiries.set(connection, expiry);
    this.#relay?.connected(connection);
    const since = options.since;
    if (since !== undefined) void this.#replays(() => this.#resume(connection, since));
    return connection;
  }

  /** Ends a connection from the server side (the sink's close comes back through `ended`). */
  close(connection: LiveConnection, code: number, reason: string): void {
    if (connection.closed) return;
    try {
      connection.sink.close(code, reason);
    } finally {
      // The server ended it on purpose: a clean end.
      this.ended(connection, true);
    }
  }

  /**
   * Forgets a connection that ended (the transport calls it on close; idempotent). `clean`: the
   * client or the server closed it on purpose — presence turns offline at once; an abrupt end
   * (a dead socket) leaves presence to expire with the heartbeats.
   */
  ended(connection: LiveConnection, clean: boolean): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.held = null;
    const expiry = this.#expiries.get(connection);
    if (expiry) clearTimeout(expiry);
    this.#expiries.delete(connection);
    const connections = this.#byKey.get(connection.key);
    connections?.delete(connection);
    if (connections?.size === 0) {
      this.#byKey.delete(connection.key);
      const ofType = this.#byType.get(connection.viewer.type);
      ofType?.delete(connection.key);
      if (ofType?.size === 0) this.#byType.delete(connection.viewer.type);
    }
    this.#count -= 1;
    this.#deps.metrics?.countRealtimeConnection(connection.sink.transport, -1);
    this.#relay?.disconnected(connection, clean);
  }

  /** Sends an ephemeral frame (typing, presence, pong, error) to one connection. */
  sendEphemeral(connection: LiveConnection, frame: ServerFrame, json = JSON.stringify(frame)): void {
    if (connection.closed) return;
    connection.sink.send(frame, json);
    this.#deps.metrics?.countRealtimeFrames('ephemeral', 1);
    this.#checkPressure(connection);
  }

  /** Sends an ephemeral frame to every connection of a person on this instance. */
  sendEphemeralTo(key: string, frame: ServerFrame): void {
    const connections = this.#byKey.get(key);
    if (!connections) return;
    const json = JSON.stringify(frame);
    for (const connection of connections) this.sendEphemeral(connection, frame, json);
  }

  /**
   * Takes one client frame of a connection: rate-limited (an `error` frame `rate_limited`, then a
   * 1008 close for a connection that keeps at it), then acted on. Returns the reply frame, if any
   * (`pong`, `error`); never throws.
   */
  async receive(connection: LiveConnection, frame: ClientFrame): Promise<ServerFrame | null> {
    if (!connection.bucket.take()) {
      connection.strikes += 1;
      if (connection.strikes > MAX_STRIKES) {
        this.close(connection, CLOSE_CODES.policyViolation, 'too many frames');
        return null;
      }
      return errorFrame('rate_limited', `at most ${this.settings.framesPerSecond} frames per second`);
    }
    connection.strikes = 0;
    this.#relay?.touch(connection);
    switch (frame.type) {
      case 'ping':
        return { type: 'pong' };
      case 'ack':
        return this.#ack(connection, frame.event_id);
      case 'presence':
        this.#relay?.presence(connection, frame.status);
        return null;
      case 'typing':
        if (!this.#relay) return null;
        try {
          await this.#relay.typing(connection, frame.conversation_id, frame.state);
          return null;
        } catch (error) {
          if (isMessagingError(error) && (error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN'))
            return errorFrame('not_allowed', `you may not type in conversation ${frame.conversation_id}`);
          if (isMessagingError(error) && error.code === 'CONVERSATION_CLOSED')
            return errorFrame('conversation_closed', error.message);
          this.#deps.logger.error({ err: error }, 'relaying a typing frame failed');
          return errorFrame('internal', 'the typing frame could not be relayed');
        }
    }
  }

  // --- the tail -----------------------------------------------------------------------------

  /** Reads the log soon (coalesced: a wake during a read runs one more read after it). */
  wake(): void {
    if (this.#stopped || this.#position === null) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pump().finally(() => {
      this.#running = null;
    });
  }

  /** Resolves once the tail has read everything committed so far (tests). */
  async drain(): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      await this.#running;
      this.#again = false;
      const more = await this.#read();
      if (!more) return;
    }
  }

  async #pump(): Promise<void> {
    for (;;) {
      this.#again = false;
      let more = false;
      try {
        more = await this.#read();
      } catch (error) {
        this.#deps.logger.error({ err: error }, 'reading the event log for real-time delivery failed');
        return;
      }
      if (this.#stopped) return;
      if (this.#again) continue;
      if (more) {
        // More may wait behind an older running transaction: look again shortly, not in a spin.
        if (!this.#settle) {
          this.#settle = setTimeout(() => {
            this.#settle = null;
            this.wake();
          }, 20);
          this.#settle.unref();
        }
      }
      return;
    }
  }

  async #read(): Promise<boolean> {
    const after = this.#position;
    if (after === null) return false;
    const batch = await this.#deps.feed.next(after, this, this.settings.batchSize);
    if (batch.events.length > 0) this.#deps.onEventsRead?.(batch.events);
    for (const delivery of batch.deliveries) this.#deliver(delivery);
    if (comparePositions(batch.position, after) > 0) this.#position = batch.position;
    return batch.more;
  }

  #deliver(delivery: LiveDelivery): void {
    this.#relay?.observe(delivery);
    const connections = this.#byKey.get(participantKey(delivery.viewer));
    if (!connections || connections.size === 0) return;
    const frame = this.#deps.toFrame(delivery);
    const json = JSON.stringify(frame);
    for (const connection of connections) {
      if (connection.held) connection.held.push({ delivery, frame, json });
      else this.#sendDurable(connection, delivery, frame, json);
    }
  }

  #sendDurable(connection: LiveConnection, delivery: LiveDelivery, frame: ServerFrame, json: string): void {
    if (connection.closed) return;
    const { event } = delivery;
    // In log order, once: whatever a replay or an earlier frame already covered is not sent again.
    if (connection.through !== null && comparePositions(event.position, connection.through) <= 0) return;
    connection.through = event.position;
    if (event.type === 'message.sent' && event.conversationId !== null)
      connection.rememberMessage(event.id, { conversationId: event.conversationId, seq: event.payload.seq });
    connection.sink.send(frame, json);
    this.#deps.metrics?.countRealtimeFrames('durable', 1);
    this.#checkPressure(connection);
  }

  #checkPressure(connection: LiveConnection): void {
    if (connection.sink.pending() > this.settings.maxPendingBytes)
      this.close(connection, CLOSE_CODES.tryAgainLater, 'the client reads too slowly; reconnect with since');
  }

  /** Replays what the connection missed after `since`, then releases the live deliveries held meanwhile. */
  async #resume(connection: LiveConnection, since: string): Promise<void> {
    // Closed while waiting for its turn: nobody to replay for.
    if (connection.closed) return;
    try {
      const replay = await this.#deps.feed.replay(connection.viewer, since, this.settings.replayMaxEvents);
      if (connection.closed) return;
      const held = connection.held ?? [];
      connection.held = null;
      if (replay.kind === 'resync_required') {
        this.sendEphemeral(connection, { type: 'resync_required' });
        for (const { delivery, frame, json } of held) this.#sendDurable(connection, delivery, frame, json);
        return;
      }
      for (const delivery of replay.deliveries) {
        const frame = this.#deps.toFrame(delivery);
        this.#sendDurable(connection, delivery, frame, JSON.stringify(frame));
      }
      // The replay covered the log up to its end, seen or not: the tail resumes after it.
      if (connection.through === null || comparePositions(replay.position, connection.through) > 0)
        connection.through = replay.position;
      // What the tail read while the replay ran: only what lies after the replay's end is new.
      for (const { delivery, frame, json } of held) {
        if (comparePositions(delivery.event.position, replay.position) > 0)
          this.#sendDurable(connection, delivery, frame, json);
      }
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'replaying events for a resuming connection failed');
      this.close(connection, CLOSE_CODES.internalError, 'the replay failed; reconnect with since');
    }
  }

  // --- acks -----------------------------------------------------------------------------------

  #ack(connection: LiveConnection, eventId: string): ServerFrame | null {
    const message = connection.messageOf(eventId);
    if (!message)
      return errorFrame('unknown_event', `no message.sent frame ${eventId} was sent on this connection`);
    if (!this.#deps.markDelivered) return null;
    const entryKey = `${connection.key}\u0000${message.conversationId}`;
    const previous = this.#acks.get(entryKey);
    if (!previous || previous.seq < message.seq)
      this.#acks.set(entryKey, {
        actor: connection.viewer,
        conversationId: message.conversationId,
        seq: message.seq,
      });
    if (!this.#ackTimer) {
      this.#ackTimer = setTimeout(() => this.#flushAcks(), this.settings.ackFlushMs);
      this.#ackTimer.unref();
    }
    return null;
  }

  #flushAcks(): Promise<void> {
    this.#ackTimer = null;
    const entries = [...this.#acks.values()];
    this.#acks = new Map();
    if (entries.length === 0 || !this.#deps.markDelivered) return this.#ackFlush;
    const markDelivered = this.#deps.markDelivered;
    this.#ackFlush = this.#ackFlush
      .then(() => markDelivered(entries))
      .then(
        () => undefined,
        (error: unknown) =>
          this.#deps.logger.error({ err: error }, 'recording acknowledged deliveries failed'),
      );
    return this.#ackFlush;
  }

  /** Writes the acks collected so far now (tests, shutdown). */
  flushAcks(): Promise<void> {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    return this.#flushAcks();
  }

  // --- directory ------------------------------------------------------------------------------

  async #recheckDirectory(): Promise<void> {
    for (const key of [...this.#byKey.keys()]) {
      const first = this.#byKey.get(key)?.values().next().value;
      if (!first) continue;
      try {
        await this.#deps.resolveActor(first.claims);
      } catch (error) {
        if (isMessagingError(error) && error.code === 'FORBIDDEN') {
          for (const connection of [...(this.#byKey.get(key) ?? [])])
            this.close(connection, CLOSE_CODES.unauthenticated, 'no longer in the directory');
        } else {
          this.#deps.logger.warn({ err: error }, 're-checking a connected person failed; kept connected');
        }
      }
    }
  }

  /** Runs the directory re-check now (tests). */
  recheckNow(): Promise<void> {
    return this.#recheckDirectory();
  }

  // --- shutdown -------------------------------------------------------------------------------

  /** Closes every connection with 1001, writes pending acks, stops the relay and the tail. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#recheck) clearInterval(this.#recheck);
    if (this.#settle) clearTimeout(this.#settle);
    for (const connections of [...this.#byKey.values()])
      for (const connection of [...connections])
        this.close(connection, CLOSE_CODES.goingAway, 'the server is shutting down; reconnect with since');
    await this.flushAcks();
    await this.#relay?.stop();
    await this.#running;
  }
}

/** An `error` frame: `{ type: "error", code, message }`. */
export function errorFrame(code: string, message: string): ServerFrame {
  return { type: 'error', code, message };
}
