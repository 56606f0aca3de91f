import { type ParticipantRef, participantKey } from '../kernel/model/participant-ref.js';
import type { Clock } from '../kernel/ports/clock.js';
import {
  type ClientPresenceStatus,
  type LiveSignal,
  MAX_SIGNAL_BYTES,
  type PresenceReport,
  type PresenceStatus,
} from './model/live-signal.js';
import { utf8Bytes } from './model/signal-codec.js';

/** A person's presence as everyone sees it (before a policy coarsens it: see `presenceAsSeen`). */
export interface PresenceView {
  readonly status: PresenceStatus;
  /** Their latest activity any instance reported; null when never seen. */
  readonly lastActiveAt: Date | null;
}

/** A person whose aggregate status changed: tell the people who may see them. */
export interface PresenceChange extends PresenceView {
  readonly participant: ParticipantRef;
}

/** What a call changed: whose aggregate status moved, and the signals to publish on the bus. */
export interface PresenceUpdate {
  readonly changes: readonly PresenceChange[];
  readonly signals: readonly LiveSignal[];
}

export interface PresenceTrackerOptions {
  /**
   * This API instance: the `origin` of its signals (its own are ignored when they come back).
   * New at every process start, so a restarted instance never answers for its predecessor.
   */
  readonly instanceId: string;
  readonly clock: Clock;
  /**
   * How long this instance's reports hold at the others unless repeated. Heartbeat (`heartbeat()`)
   * every `ttlMs / 3` so two lost heartbeats do not drop anyone. Default 60 000: a person whose
   * instance dies abruptly is offline everywhere within `ttlMs` plus one `expire()` interval.
   */
  readonly ttlMs?: number;
}

interface LocalConnection {
  readonly participant: ParticipantRef;
  readonly key: string;
  status: ClientPresenceStatus;
  lastActiveAt: number;
}

interface RemoteReport {
  readonly participant: ParticipantRef;
  readonly status: ClientPresenceStatus;
  readonly lastActiveAt: number;
  readonly expiresAt: number;
}

const NO_UPDATE: PresenceUpdate = { changes: [], signals: [] };

/**
 * Presence across API instances, as pure state: this instance's connections (told by the
 * transport) and the reports other instances publish (received from the `LiveSignalBus`). A
 * person is `online` when any connection of theirs anywhere is online, `away` when every one is
 * away, `offline` when none is alive (or the instances holding them stopped reporting for
 * `ttlMs`).
 *
 * Calls never publish or send anything themselves: each returns a `PresenceUpdate` whose
 * `signals` the caller publishes on the bus and whose `changes` it fans out to the people who
 * may see them. What this instance publishes:
 * - a `presence` signal with one report when a person's status at this instance changes (first
 *   connection `online`, all their connections here `away`, back `online`), and an `offline`
 *   report at once when their last connection here closes, so the others drop them without
 *   waiting for the ttl;
 * - its reports of everyone connected here on `heartbeat()` (every `ttlMs / 3`), and in answer to
 *   another instance's `presence_sync`;
 * - nothing on `touch()`: the new `lastActiveAt` travels with the next heartbeat.
 *
 * After the bus reconnects (signals may have been lost both ways) publish `heartbeat()` and a
 * `presence_sync`. Memory: one entry per connection here, per person reported by another
 * instance, and the last activity of every person seen since the process started.
 *
 * @example
 * ```ts
 * const presence = new PresenceTracker({ instanceId: 'api-1', clock: systemClock });
 * const { changes, signals } = presence.connect('conn-1', { type: 'user', id: 'ann' });
 * for (const signal of signals) await bus.publish(signal);
 * bus.subscribe((signal) => fanOut(presence.receive(signal).changes));
 * setInterval(() => { for (const s of presence.heartbeat()) void bus.publish(s); fanOut(presence.expire().changes); }, 20_000);
 * ```
 */
export class PresenceTracker {
  readonly #instanceId: string;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #local = new Map<string, LocalConnection>();
  /** Participant key → that person's connections here (indexed: 10 000 connections per instance). */
  readonly #people = new Map<string, Set<LocalConnection>>();
  /** origin → participant key → report. */
  readonly #remote = new Map<string, Map<string, RemoteReport>>();
  /** Aggregate status last announced per person (absent: offline). */
  readonly #shown = new Map<string, PresenceStatus>();
  /** Latest activity ever seen per person, kept after they go offline (`last_active_at`). */
  readonly #lastActive = new Map<string, number>();

  constructor(options: PresenceTrackerOptions) {
    this.#instanceId = options.instanceId;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? 60_000;
    if (!(this.#ttlMs > 0)) throw new RangeError('ttlMs must be positive');
  }

  /** A connection of `participant` opened here (online, active now). Throws for a connection id already open. */
  connect(connectionId: string, participant: ParticipantRef): PresenceUpdate {
    if (this.#local.has(connectionId)) throw new Error(`connection ${connectionId} is already open`);
    const key = participantKey(participant);
    const before = this.#localStatus(key);
    const now = this.#now();
    const connection: LocalConnection = { participant, key, status: 'online', lastActiveAt: now };
    this.#local.set(connectionId, connection);
    let mine = this.#people.get(key);
    if (mine === undefined) {
      mine = new Set();
      this.#people.set(key, mine);
    }
    mine.add(connection);
    this.#noteActivity(key, now);
    return this.#localChanged(participant, before);
  }

  /** The client of a connection says it is online or away; online counts as activity. Unknown connections change nothing. */
  setStatus(connectionId: string, status: ClientPresenceStatus): PresenceUpdate {
    const connection = this.#local.get(connectionId);
    if (connection === undefined) return NO_UPDATE;
    const key = participantKey(connection.participant);
    const before = this.#localStatus(key);
    connection.status = status;
    if (status === 'online') {
      connection.lastActiveAt = this.#now();
      this.#noteActivity(key, connection.lastActiveAt);
    }
    return this.#localChanged(connection.participant, before);
  }

  /** Activity on a connection (a frame from its client): moves `lastActiveAt`, publishes nothing. */
  touch(connectionId: string): void {
    const connection = this.#local.get(connectionId);
    if (connection === undefined) return;
    connection.lastActiveAt = this.#now();
    this.#noteActivity(participantKey(connection.participant), connection.lastActiveAt);
  }

  /** A connection closed, cleanly or found dead. The person's last one here publishes their `offline` report. */
  disconnect(connectionId: string): PresenceUpdate {
    const connection = this.#local.get(connectionId);
    if (connection === undefined) return NO_UPDATE;
    const key = participantKey(connection.participant);
    const before = this.#localStatus(key);
    this.#local.delete(connectionId);
    const mine = this.#people.get(key);
    mine?.delete(connection);
    if (mine?.size === 0) this.#people.delete(key);
    return this.#localChanged(connection.participant, before);
  }

  /**
   * A signal from the bus. `presence` replaces the origin's reports of the people it names
   * (`offline` removes them); `instance_down` forgets every report of the origin;
   * `presence_sync` answers with this instance's heartbeat in `signals`. Typing signals and this
   * instance's own signals change nothing.
   */
  receive(signal: LiveSignal): PresenceUpdate {
    if (signal.origin === this.#instanceId) return NO_UPDATE;
    switch (signal.kind) {
      case 'presence': {
        const now = this.#now();
        let reports = this.#remote.get(signal.origin);
        if (reports === undefined) {
          reports = new Map();
          this.#remote.set(signal.origin, reports);
        }
        const touched: ParticipantRef[] = [];
        for (const report of signal.reports) {
          const key = participantKey(report.participant);
          const lastActiveAt = Date.parse(report.lastActiveAt);
          if (!Number.isNaN(lastActiveAt)) this.#noteActivity(key, lastActiveAt);
          if (report.status === 'offline') reports.delete(key);
          else
            reports.set(key, {
              participant: report.participant,
              status: report.status,
              lastActiveAt: Number.isNaN(lastActiveAt) ? now : lastActiveAt,
              expiresAt: now + signal.ttlMs,
            });
          touched.push(report.participant);
        }
        if (reports.size === 0) this.#remote.delete(signal.origin);
        return { changes: this.#changes(touched), signals: [] };
      }
      case 'instance_down': {
        const reports = this.#remote.get(signal.origin);
        if (reports === undefined) return NO_UPDATE;
        this.#remote.delete(signal.origin);
        return { changes: this.#changes([...reports.values()].map((r) => r.participant)), signals: [] };
      }
      case 'presence_sync':
        return { changes: [], signals: this.heartbeat() };
      default:
        return NO_UPDATE;
    }
  }

  /** Forgets the other instances' reports that were not repeated within their ttl (an instance that died). */
  expire(): PresenceUpdate {
    const now = this.#now();
    const touched: ParticipantRef[] = [];
    for (const [origin, reports] of this.#remote) {
      for (const [key, report] of reports) {
        if (report.expiresAt > now) continue;
        reports.delete(key);
        touched.push(report.participant);
      }
      if (reports.size === 0) this.#remote.delete(origin);
    }
    return { changes: this.#changes(touched), signals: [] };
  }

  /**
   * This instance's reports of everyone connected here, as `presence` signals each at most
   * `MAX_SIGNAL_BYTES` (none when nobody is connected). Publish them every `ttlMs / 3`.
   */
  heartbeat(): LiveSignal[] {
    return this.#signals(this.localParticipants().map((participant) => this.#report(participant)));
  }

  /** `{ type: 'instance_down' }` to publish when this instance stops cleanly, so the others forget its reports at once. */
  shutdown(): LiveSignal {
    return { kind: 'instance_down', origin: this.#instanceId };
  }

  /** A person's aggregate presence now. */
  statusOf(participant: ParticipantRef): PresenceView {
    const key = participantKey(participant);
    const lastActive = this.#lastActive.get(key);
    return {
      status: this.#aggregate(key),
      lastActiveAt: lastActive === undefined ? null : new Date(lastActive),
    };
  }

  /** The people connected to this instance (each once). */
  localParticipants(): ParticipantRef[] {
    const people: ParticipantRef[] = [];
    for (const mine of this.#people.values())
      for (const connection of mine) {
        people.push(connection.participant);
        break;
      }
    return people;
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #noteActivity(key: string, at: number): void {
    if (at > (this.#lastActive.get(key) ?? Number.NEGATIVE_INFINITY)) this.#lastActive.set(key, at);
  }

  /** The person's status from this instance's connections only. */
  #localStatus(key: string): PresenceStatus {
    let status: PresenceStatus = 'offline';
    for (const connection of this.#people.get(key) ?? []) {
      if (connection.status === 'online') return 'online';
      status = 'away';
    }
    return status;
  }

  #aggregate(key: string): PresenceStatus {
    let status = this.#localStatus(key);
    if (status === 'online') return status;
    for (const reports of this.#remote.values()) {
      const report = reports.get(key);
      if (report === undefined) continue;
      if (report.status === 'online') return 'online';
      status = 'away';
    }
    return status;
  }

  #report(participant: ParticipantRef): PresenceReport {
    const key = participantKey(participant);
    let lastActiveAt = Number.NEGATIVE_INFINITY;
    for (const connection of this.#people.get(key) ?? [])
      lastActiveAt = Math.max(lastActiveAt, connection.lastActiveAt);
    if (lastActiveAt === Number.NEGATIVE_INFINITY) lastActiveAt = this.#lastActive.get(key) ?? this.#now();
    return {
      participant,
      status: this.#localStatus(key),
      lastActiveAt: new Date(lastActiveAt).toISOString(),
    };
  }

  /** After a local change: publish the person's report here if it moved, and the aggregate change if any. */
  #localChanged(participant: ParticipantRef, before: PresenceStatus): PresenceUpdate {
    const after = this.#localStatus(participantKey(participant));
    return {
      changes: this.#changes([participant]),
      signals: after === before ? [] : this.#signals([this.#report(participant)]),
    };
  }

  /** Compares the aggregate of each person with what was last announced, and records the new one. */
  #changes(people: readonly ParticipantRef[]): PresenceChange[] {
    const changes: PresenceChange[] = [];
    const done = new Set<string>();
    for (const participant of people) {
      const key = participantKey(participant);
      if (done.has(key)) continue;
      done.add(key);
      const status = this.#aggregate(key);
      if (status === (this.#shown.get(key) ?? 'offline')) continue;
      if (status === 'offline') this.#shown.delete(key);
      else this.#shown.set(key, status);
      changes.push({ participant, ...this.statusOf(participant) });
    }
    return changes;
  }

  /** Reports packed into as few `presence` signals as fit under `MAX_SIGNAL_BYTES` each. */
  #signals(reports: readonly PresenceReport[]): LiveSignal[] {
    const signal = (chunk: PresenceReport[]): LiveSignal => ({
      kind: 'presence',
      origin: this.#instanceId,
      reports: chunk,
      ttlMs: this.#ttlMs,
    });
    const empty = utf8Bytes(JSON.stringify(signal([])));
    const signals: LiveSignal[] = [];
    let chunk: PresenceReport[] = [];
    let bytes = empty;
    for (const report of reports) {
      const size = utf8Bytes(JSON.stringify(report));
      // A report too large to travel alone (an absurd participant id) is not sent at all.
      if (empty + size > MAX_SIGNAL_BYTES) continue;
      const added = chunk.length === 0 ? size : size + 1; // the comma
      if (bytes + added > MAX_SIGNAL_BYTES) {
        signals.push(signal(chunk));
        chunk = [];
        bytes = empty;
      }
      bytes += chunk.length === 0 ? size : size + 1;
      chunk.push(report);
    }
    if (chunk.length > 0) signals.push(signal(chunk));
    return signals;
  }
}
