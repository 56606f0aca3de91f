import {
  type AuditEntry,
  auditEntryOf,
  type DomainEvent,
  type EventBatch,
  type EventLog,
  type EventPosition,
  type LoggedEvent,
  type ParticipantRef,
  toEventRecord,
} from '@parley/messaging-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { AUDIT_COLUMNS, auditValues } from '../audit/kysely-audit-log.js';
import type { Database } from '../database-types.js';

/** One `events` row as the reads select it. */
interface EventRow {
  readonly id: string;
  readonly xid: string;
  readonly tenant_id: string | null;
  readonly conversation_id: string;
  readonly type: string;
  readonly actor_type: string;
  readonly actor_id: string;
  readonly payload: unknown;
  readonly occurred_at: Date | string;
}

/** Columns of `events` as `LoggedEvent`s are read from them (ids and xids as decimal text). */
export const EVENT_COLUMNS = sql`id::text as id, xid::text as xid, tenant_id, conversation_id::text as conversation_id,
  type, actor_type, actor_id, payload, occurred_at`;

/** An `events` row as the core reads it. */
export function toLoggedEvent(row: EventRow): LoggedEvent {
  const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
  return {
    id: row.id,
    position: { xid: row.xid, id: row.id },
    type: row.type,
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    actor: { type: row.actor_type, id: row.actor_id },
    occurredAt: new Date(row.occurred_at),
    payload,
  } as LoggedEvent;
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * The first key of the subscribers' advisory locks (`claim`); the second hashes the schema and the
 * name, since advisory locks belong to the database, not to a schema (deployments and test files
 * share databases, one schema each).
 */
const SUBSCRIBER_LOCK_CLASS = 0x7061726c; // 'parl'

/**
 * Visible to a statement and committed, but written by a transaction that is not yet below the
 * oldest running one's id: readable as soon as that older transaction ends.
 */
const SAFE = sql`xid < pg_snapshot_xmin(pg_current_snapshot())`;

/**
 * The event log in PostgreSQL (and PGlite): the `events` and `event_subscribers` tables of
 * migration 0013. Each event row carries the writing transaction's id (`pg_current_xact_id()`,
 * the column default); reads return only rows whose transaction id is below the statement
 * snapshot's `xmin`, in `(xid, id)` order, so a row is never read before it commits and a reader
 * never passes a row of a transaction that is still running (see `EventLog`).
 *
 * Built per connection: over the pool (each call its own transaction) or over one transaction
 * (`KyselyMessagingStore.transaction`), where `claim` holds the subscriber
 * (a transaction-scoped advisory lock, never waited for) until commit.
 *
 * @example
 * ```ts
 * const log = new KyselyEventLog(db);
 * const { events, more } = await log.read(LOG_START, 100);
 * ```
 */
export class KyselyEventLog implements EventLog {
  readonly #db: Kysely<Database>;
  readonly #recorded: (id: string) => void;

  /**
   * @param recorded called with the id of each event appended (the store reports the newest one
   *   after commit, to wake dispatchers).
   */
  constructor(db: Kysely<Database>, recorded: (id: string) => void = () => {}) {
    this.#db = db;
    this.#recorded = recorded;
  }

  /**
   * Inserts the events in one statement, in order, and in the same statement the audit row of
   * each audited one (`auditEntryOf`: its origin goes there, never into `events`).
   *
   * @example
   * ```ts
   * await tx.events.append([{ type: 'message.deleted', occurredAt, actor, tenantId, conversationId, messageId }]);
   * ```
   */
  async append(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const audited: AuditEntry[] = [];
    const rows = events.map((event) => {
      const record = toEventRecord(event);
      const entry = auditEntryOf(record);
      if (entry !== null) audited.push(entry);
      return sql`(${record.tenantId}::text, ${record.conversationId}::uuid, ${record.type}::text,
        ${record.actor.type}::text, ${record.actor.id}::text, ${JSON.stringify(record.payload)}::jsonb,
        ${record.occurredAt.toISOString()}::timestamptz)`;
    });
    const insertEvents = sql`
      insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
      values ${sql.join(rows)}
      returning id::text as id`;
    // One statement either way: outside a transaction too, the audit rows commit with the events.
    const { rows: inserted } = await (audited.length === 0
      ? sql<{ id: string }>`${insertEvents}`
      : sql<{ id: string }>`
          with inserted as (${insertEvents}),
          audited as (insert into audit_log ${AUDIT_COLUMNS} values ${sql.join(audited.map(auditValues))} returning 1)
          select id from inserted order by id::bigint`
    ).execute(this.#db);
    for (const row of inserted) this.#recorded(row.id);
  }

  /**
   * One statement: the page after `after` (one range scan of `events_xid_id_idx`) and whether
   * committed rows wait behind a running transaction.
   *
   * @example
   * ```ts
   * const { events, more } = await log.read(cursor, 100);
   * ```
   */
  async read(after: EventPosition, limit: number): Promise<EventBatch> {
    return this.#page(after, limit, sql`true`);
  }

  /**
   * `read` with one more condition in the same range scan: the event's conversation is one of the
   * participant's memberships (left ones included: `conversation_participants_participant_idx`),
   * or it has none. `held` still looks at the whole log: a running transaction may hold back an
   * event of theirs as well as anyone's.
   *
   * @example
   * ```ts
   * const { events } = await log.readFor(since, { type: 'customer', id: 'c1' }, 500);
   * ```
   */
  async readFor(after: EventPosition, participant: ParticipantRef, limit: number): Promise<EventBatch> {
    return this.#page(
      after,
      limit,
      sql`(conversation_id is null or conversation_id in (
        select conversation_id from conversation_participants
        where participant_type = ${participant.type} and participant_id = ${participant.id}))`,
    );
  }

  async #page(after: EventPosition, limit: number, wanted: RawBuilder<unknown>): Promise<EventBatch> {
    const size = Math.max(0, Math.floor(limit));
    const { rows } = await sql<Partial<EventRow> & { held: boolean }>`
      with held as (
        select exists (select from events where not (${SAFE})) as held
      ), page as (
        select ${EVENT_COLUMNS}, xid as xid8 from events
        where (xid, id) > (${after.xid}::xid8, ${after.id}::bigint) and ${SAFE} and ${wanted}
        order by xid, id
        limit ${size + 1}
      )
      select held.held, page.id, page.xid, page.tenant_id, page.conversation_id, page.type, page.actor_type,
        page.actor_id, page.payload, page.occurred_at
      from held left join page on true
      order by page.xid8, page.id::bigint`.execute(this.#db);
    const held = rows[0]?.held ?? false;
    const found = rows.filter((row): row is EventRow & { held: boolean } => row.id != null);
    return {
      events: found.slice(0, size).map(toLoggedEvent),
      more: held || found.length > size,
    };
  }

  /**
   * One probe of the primary key; an id that is not a positive 64-bit decimal answers null
   * without a query (clients send it).
   *
   * @example
   * ```ts
   * const since = await log.locate('1042'); // { xid: '7781', id: '1042' } or null
   * ```
   */
  async locate(id: string): Promise<EventPosition | null> {
    if (!/^[1-9][0-9]{0,18}$/.test(id) || BigInt(id) > MAX_BIGINT) return null;
    const { rows } = await sql<{ xid: string; id: string }>`
      select xid::text as xid, id::text as id from events where id = ${id}::bigint`.execute(this.#db);
    const row = rows[0];
    return row === undefined ? null : { xid: row.xid, id: row.id };
  }

  /**
   * @example
   * ```ts
   * await log.registerSubscribers(['email_notifications']);
   * ```
   */
  async registerSubscribers(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await sql`
      insert into event_subscribers (name)
      select unnest(${[...names]}::text[])
      on conflict (name) do nothing`.execute(this.#db);
  }

  /**
   * @example
   * ```ts
   * const cursor = await log.loadCursor('email_notifications');
   * ```
   */
  async loadCursor(subscriber: string): Promise<EventPosition | null> {
    const row = await this.#db
      .selectFrom('event_subscribers')
      .select([sql<string>`position_xid::text`.as('xid'), sql<string>`position_id::text`.as('id')])
      .where('name', '=', subscriber)
      .executeTakeFirst();
    return row === undefined ? null : { xid: row.xid, id: row.id };
  }

  /**
   * Claims the subscriber with a transaction-scoped advisory lock (`pg_try_advisory_xact_lock`,
   * never waited for: held elsewhere → null), then reads its cursor in a statement of its own,
   * whose snapshot is taken after the lock: the previous holder committed its advance before its
   * lock was released, so the cursor returned includes it.
   *
   * Why not `select … for update skip locked`: a row lock gives the transaction an id at once, and
   * every reader of the log (the live tail, other subscribers) waits for each transaction holding
   * an id older than its snapshot (`xid < pg_snapshot_xmin`). Claimed that way, a whole batch held
   * back every live frame; now the transaction takes an id only at the subscriber's first write.
   *
   * @example
   * ```ts
   * await store.transaction(async (tx) => { const cursor = await tx.events.claim('email_notifications'); });
   * ```
   */
  async claim(subscriber: string): Promise<EventPosition | null> {
    const { rows: locks } = await sql<{ claimed: boolean }>`
      select pg_try_advisory_xact_lock(${SUBSCRIBER_LOCK_CLASS}, hashtext(current_schema() || '.' || ${subscriber})) as claimed`.execute(
      this.#db,
    );
    if (locks[0]?.claimed !== true) return null;
    const { rows } = await sql<{ xid: string; id: string }>`
      select position_xid::text as xid, position_id::text as id from event_subscribers
      where name = ${subscriber}`.execute(this.#db);
    const row = rows[0];
    return row === undefined ? null : { xid: row.xid, id: row.id };
  }

  /**
   * @example
   * ```ts
   * await tx.events.advance('email_notifications', lastEvent.position);
   * ```
   */
  async advance(subscriber: string, to: EventPosition): Promise<void> {
    await sql`
      update event_subscribers
      set position_xid = ${to.xid}::xid8, position_id = ${to.id}::bigint, updated_at = now()
      where name = ${subscriber} and (position_xid, position_id) < (${to.xid}::xid8, ${to.id}::bigint)`.execute(
      this.#db,
    );
  }

  /**
   * Deletes the oldest events before `before` (by id), up to `limit`, in one statement.
   *
   * @example
   * ```ts
   * await log.prune(new Date(Date.now() - 7 * 86_400_000), 10_000);
   * ```
   */
  async prune(before: Date, limit: number): Promise<number> {
    const size = Math.max(0, Math.floor(limit));
    if (size === 0) return 0;
    const { rows } = await sql<{ count: string | number }>`
      with doomed as (
        delete from events where id in (
          select id from events where occurred_at < ${before.toISOString()}::timestamptz order by id limit ${size}
        )
        returning 1
      )
      select count(*) as count from doomed`.execute(this.#db);
    return Number(rows[0]?.count ?? 0);
  }
}
