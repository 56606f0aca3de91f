import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookAttemptOutcome,
  WebhookDelivery,
  WebhookDeliveryQuery,
  WebhookDeliveryRepository,
} from '@parley/messaging-core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable } from '../database-types.js';

type DeliveryRow = Selectable<WebhookDeliveriesTable>;

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    messageId: row.message_id,
    eventType: row.event_type,
    orderingKey: row.ordering_key,
    body: row.body,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at,
    giveUpAt: row.give_up_at,
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
    seq: Number(row.seq),
  };
}

function toAttempt(row: Selectable<WebhookAttemptsTable>): WebhookAttempt {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    attemptedAt: row.attempted_at,
    statusCode: row.status_code,
    durationMs: row.duration_ms,
    error: row.error,
    responseSnippet: row.response_snippet,
  };
}

/**
 * `WebhookDeliveryRepository` on PostgreSQL or PGlite (`webhook_deliveries`, `webhook_attempts`;
 * migration 0023). Claims lock with `for update skip locked` and re-check the lease in the
 * update, so concurrent workers (any process) never share a delivery; recording an attempt is one
 * statement fenced by the lease token.
 *
 * @example
 * ```ts
 * const deliveries = new KyselyWebhookDeliveryRepository(db);
 * const claimed = await deliveries.claimDue(new Date(), 50, 60_000, 'worker-1:token');
 * ```
 */
export class KyselyWebhookDeliveryRepository implements WebhookDeliveryRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async enqueue(deliveries: readonly NewWebhookDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const inserted = await this.#db
      .insertInto('webhook_deliveries')
      .values(
        deliveries.map((d) => ({
          id: d.id,
          endpoint_id: d.endpointId,
          event_id: d.eventId,
          message_id: d.messageId,
          event_type: d.eventType,
          ordering_key: d.orderingKey,
          body: d.body,
          status: d.status,
          attempt_count: d.attemptCount,
          next_attempt_at: d.nextAttemptAt,
          give_up_at: d.giveUpAt,
          last_attempt_at: d.lastAttemptAt,
          last_status_code: d.lastStatusCode,
          last_error: d.lastError,
          delivered_at: d.deliveredAt,
          created_at: d.createdAt,
        })),
      )
      .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  }

  async claimDue(
    now: Date,
    limit: number,
    leaseMs: number,
    leaseToken: string,
  ): Promise<ClaimedWebhookDelivery[]> {
    const until = new Date(now.getTime() + leaseMs);
    // Heads first (the oldest pending of each endpoint and key), then those due and unleased;
    // the update re-checks the lease on the row it locked, so a claim that committed meanwhile wins.
    const { rows } = await sql<DeliveryRow>`
      with heads as (
        select distinct on (d.endpoint_id, d.ordering_key) d.id, d.seq, d.next_attempt_at, d.lease_until
        from webhook_deliveries d
        join webhook_endpoints e on e.id = d.endpoint_id and e.enabled
        where d.status = 'pending'
        order by d.endpoint_id, d.ordering_key, d.seq
      ),
      picked as (
        select d.id from webhook_deliveries d
        where d.id in (
          select id from heads
          where next_attempt_at <= ${now}::timestamptz
            and (lease_until is null or lease_until <= ${now}::timestamptz)
          order by seq
          limit ${limit}
        )
        for update of d skip locked
      )
      update webhook_deliveries d
      set lease_token = ${leaseToken}::text, lease_until = ${until}::timestamptz
      from picked
      where d.id = picked.id and d.status = 'pending'
        and (d.lease_until is null or d.lease_until <= ${now}::timestamptz)
      returning d.*`.execute(this.#db);
    return rows
      .map(toDelivery)
      .sort((a, b) => a.seq - b.seq)
      .map((delivery) => ({ delivery, leaseToken }));
  }

  async claimOne(
    deliveryId: string,
    now: Date,
    leaseMs: number,
    leaseToken: string,
  ): Promise<ClaimedWebhookDelivery | null> {
    const row = await this.#db
      .updateTable('webhook_deliveries')
      .set({ lease_token: leaseToken, lease_until: new Date(now.getTime() + leaseMs) })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : { delivery: toDelivery(row), leaseToken };
  }

  async recordAttempt(
    deliveryId: string,
    leaseToken: string,
    attempt: WebhookAttempt,
    outcome: WebhookAttemptOutcome,
  ): Promise<boolean> {
    const status =
      outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'failed' ? 'failed' : 'pending';
    const next = outcome.kind === 'retry' ? outcome.nextAttemptAt : null;
    const deliveredAt = outcome.kind === 'delivered' ? attempt.attemptedAt : null;
    const { rows } = await sql<{ id: string }>`
      with updated as (
        update webhook_deliveries
        set status = ${status}, attempt_count = attempt_count + 1,
          next_attempt_at = coalesce(${next}::timestamptz, next_attempt_at),
          last_attempt_at = ${attempt.attemptedAt}::timestamptz, last_status_code = ${attempt.statusCode}::integer,
          last_error = ${attempt.error}::text,
          delivered_at = coalesce(${deliveredAt}::timestamptz, delivered_at),
          lease_token = null, lease_until = null
        where id = ${deliveryId} and lease_token = ${leaseToken}::text
        returning id
      )
      insert into webhook_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error, response_snippet)
      select ${attempt.id}, updated.id, ${attempt.attemptedAt}::timestamptz, ${attempt.statusCode}::integer,
        ${Math.max(0, Math.round(attempt.durationMs))}::integer, ${attempt.error}::text, ${attempt.responseSnippet}::text
      from updated
      returning id`.execute(this.#db);
    return rows.length > 0;
  }

  async requeue(
    endpointId: string,
    deliveryId: string,
    now: Date,
    giveUpAt: Date,
  ): Promise<WebhookDelivery | null> {
    const row = await this.#db
      .updateTable('webhook_deliveries')
      .set({
        status: 'pending',
        next_attempt_at: now,
        give_up_at: giveUpAt,
        lease_token: null,
        lease_until: null,
      })
      .where('id', '=', deliveryId)
      .where('endpoint_id', '=', endpointId)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toDelivery(row);
  }

  async find(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    const row = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();
    return row === undefined ? null : toDelivery(row);
  }

  async list(endpointId: string, query: WebhookDeliveryQuery): Promise<WebhookDelivery[]> {
    const rows = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .$if(query.status !== undefined, (qb) => qb.where('status', '=', query.status ?? 'pending'))
      .$if(query.beforeSeq !== undefined, (qb) => qb.where('seq', '<', String(query.beforeSeq ?? 0)))
      .orderBy('seq', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map(toDelivery);
  }

  async attempts(deliveryId: string): Promise<WebhookAttempt[]> {
    const rows = await this.#db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('attempted_at')
      .orderBy('id')
      .execute();
    return rows.map(toAttempt);
  }
}
