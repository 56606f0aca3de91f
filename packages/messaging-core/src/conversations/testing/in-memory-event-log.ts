import { auditEntryOf } from '../../kernel/audit/audited-events.js';
import { comparePositions, type EventPosition, LOG_START } from '../../kernel/model/event-envelope.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import {
  type AuditLogState,
  appendAuditEntries,
  emptyAuditLogState,
} from '../../kernel/testing/in-memory-audit-log.js';
import {
  type DomainEvent,
  type EventRecord,
  type LoggedEvent,
  toEventRecord,
} from '../model/domain-event.js';
import type { EventBatch, EventLog } from '../ports/event-log.js';

/** The log's rows and the subscribers' cursors (part of a store's state, copied by its snapshots). */
export interface EventLogState {
  /** In append order, which is log order here (the store runs one unit of work at a time). */
  events: LoggedEvent[];
  cursors: Map<string, EventPosition>;
  /** The audit rows derived from audited events (`auditEntryOf`), and any appended beside them. */
  audit: AuditLogState;
}

export function emptyEventLogState(): EventLogState {
  return { events: [], cursors: new Map(), audit: emptyAuditLogState() };
}

export function copyEventLogState(state: EventLogState): EventLogState {
  return {
    events: [...state.events],
    cursors: new Map(state.cursors),
    audit: { rows: [...state.audit.rows], lastId: state.audit.lastId },
  };
}

/** What the owning store tells the log about the unit of work it runs in. */
export interface EventLogUnit {
  /** The current unit of work's transaction number (decimal). */
  xid(): string;
  /** A new event id (decimal, increasing; never reused, even after a rollback). */
  nextEventId(): string;
  /** Called for each event appended in the current unit (the store wakes dispatchers after commit). */
  appended(id: string): void;
}

/**
 * Appends one record in the current unit; also what the in-memory `append` and `markRead` call for
 * the events they write themselves.
 */
export function appendRecord(state: EventLogState, unit: EventLogUnit, record: EventRecord): LoggedEvent {
  const id = unit.nextEventId();
  const { origin: _origin, ...stored } = record;
  const logged = { ...stored, id, position: { xid: unit.xid(), id } } as LoggedEvent;
  // The audit row of an audited event, in the same unit (rolled back with it).
  const audited = auditEntryOf(record);
  if (audited !== null) appendAuditEntries(state.audit, [audited]);
  state.events.push(logged);
  unit.appended(id);
  return logged;
}

/**
 * The event log in memory. The owning store runs one transaction at a time, so every event of an
 * earlier unit has committed (or was rolled back with its state) when another unit reads; `read`
 * leaves out the current unit's own events, as a PostgreSQL transaction cannot see its own as safe.
 * `claim` always succeeds inside a transaction (nothing else runs meanwhile).
 *
 * @example
 * ```ts
 * const log = new InMemoryEventLog(() => state.log, unit);
 * await log.read(LOG_START, 100);
 * ```
 */
export class InMemoryEventLog implements EventLog {
  readonly #state: () => EventLogState;
  readonly #conversationsOf: (participant: ParticipantRef) => ReadonlySet<string>;
  readonly #unit: EventLogUnit;

  /**
   * @param conversationsOf the conversations a participant is or was a member of (`readFor`); the
   *   in-memory store passes its memberships. Without it, `readFor` sees conversation-less events only.
   */
  constructor(
    state: () => EventLogState,
    unit: EventLogUnit,
    conversationsOf: (participant: ParticipantRef) => ReadonlySet<string> = () => new Set(),
  ) {
    this.#conversationsOf = conversationsOf;
    this.#state = state;
    this.#unit = unit;
  }

  async append(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) appendRecord(this.#state(), this.#unit, toEventRecord(event));
  }

  async read(after: EventPosition, limit: number): Promise<EventBatch> {
    return this.#page(after, limit, () => true);
  }

  async readFor(after: EventPosition, participant: ParticipantRef, limit: number): Promise<EventBatch> {
    const conversations = this.#conversationsOf(participant);
    return this.#page(after, limit, (e) => e.conversationId === null || conversations.has(e.conversationId));
  }

  #page(after: EventPosition, limit: number, wanted: (event: LoggedEvent) => boolean): EventBatch {
    const current = this.#unit.xid();
    const found = this.#state()
      .events.filter(
        (e) => e.position.xid !== current && comparePositions(e.position, after) > 0 && wanted(e),
      )
      .sort((a, b) => comparePositions(a.position, b.position));
    const size = Math.max(0, Math.floor(limit));
    return { events: found.slice(0, size), more: found.length > size };
  }

  async locate(id: string): Promise<EventPosition | null> {
    const found = this.#state().events.find((e) => e.id === id);
    return found === undefined ? null : { xid: found.position.xid, id: found.position.id };
  }

  async registerSubscribers(names: readonly string[]): Promise<void> {
    const { cursors } = this.#state();
    for (const name of names) if (!cursors.has(name)) cursors.set(name, LOG_START);
  }

  async loadCursor(subscriber: string): Promise<EventPosition | null> {
    return this.#state().cursors.get(subscriber) ?? null;
  }

  async claim(subscriber: string): Promise<EventPosition | null> {
    return this.#state().cursors.get(subscriber) ?? null;
  }

  async advance(subscriber: string, to: EventPosition): Promise<void> {
    const { cursors } = this.#state();
    const current = cursors.get(subscriber);
    if (current !== undefined && comparePositions(to, current) > 0)
      cursors.set(subscriber, { xid: to.xid, id: to.id });
  }

  async prune(before: Date, limit: number): Promise<number> {
    const state = this.#state();
    const doomed = new Set(
      state.events
        .filter((e) => e.occurredAt.getTime() < before.getTime())
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
        .slice(0, Math.max(0, Math.floor(limit)))
        .map((e) => e.id),
    );
    state.events = state.events.filter((e) => !doomed.has(e.id));
    return doomed.size;
  }
}
