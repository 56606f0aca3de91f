import {
  type ApplyEventResult,
  type DeliveryEvent,
  type DeliveryEventReducer,
  type EmailLog,
  type EmailLogQuery,
  type EmailLogRepository,
  type EmailSendOutcome,
  MessagingError,
} from '@parley/messaging-core';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database-types.js';
import { emailLogRow, jsonb, toEmailLog } from './email-row-mappers.js';

export interface KyselyEmailLogRepositoryConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
}

/**
 * The email log in PostgreSQL (`email_logs`), with applied tracking events in
 * `email_delivery_events` (primary key `(provider, event_id)`).
 *
 * @example
 * ```ts
 * const logs = new KyselyEmailLogRepository({ db: database.db });
 * await logs.list({ storeId: 'acme', limit: 50 });
 * ```
 */
export class KyselyEmailLogRepository implements EmailLogRepository {
  readonly #db: Kysely<Database>;

  constructor(config: KyselyEmailLogRepositoryConfig) {
    this.#db = config.db;
  }

  /** @example `await logs.create(log)` */
  async create(log: EmailLog): Promise<void> {
    await this.#db.insertInto('email_logs').values(emailLogRow(log)).execute();
  }

  /** @example `await logs.recordSendOutcome(id, { status: 'sent', … })` */
  async recordSendOutcome(id: string, outcome: EmailSendOutcome): Promise<EmailLog> {
    const query = this.#db.updateTable('email_logs').where('id', '=', id);
    const row = await (outcome.status === 'sent'
      ? query.set({
          status: 'sent',
          provider: outcome.provider,
          provider_message_id: outcome.providerMessageId,
          sent_at: outcome.sentAt,
          error_message: null,
          updated_at: outcome.updatedAt,
        })
      : query.set({
          status: 'failed',
          provider: outcome.provider,
          error_message: outcome.errorMessage,
          retry_count: outcome.retryCount,
          updated_at: outcome.updatedAt,
        })
    )
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw MessagingError.notFound('email log', id);
    return toEmailLog(row);
  }

  /** @example `await logs.findById(id)` */
  async findById(id: string): Promise<EmailLog | null> {
    const row = await this.#db.selectFrom('email_logs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toEmailLog(row);
  }

  /** @example `await logs.findByProviderMessageId('ses', messageId)` */
  async findByProviderMessageId(provider: string, providerMessageId: string): Promise<EmailLog | null> {
    const row = await this.#db
      .selectFrom('email_logs')
      .selectAll()
      .where('provider', '=', provider)
      .where('provider_message_id', '=', providerMessageId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : toEmailLog(row);
  }

  /** Keyset page, newest first, on the `email_logs_*_created_idx` indexes. */
  async list(query: EmailLogQuery): Promise<EmailLog[]> {
    let select = this.#db.selectFrom('email_logs').selectAll();
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.storeId !== undefined) select = select.where('store_id', '=', query.storeId);
    if (query.recipient !== undefined)
      select = select.where(sql`lower(recipient)`, '=', query.recipient.toLowerCase());
    if (query.from !== undefined) select = select.where('created_at', '>=', query.from);
    if (query.to !== undefined) select = select.where('created_at', '<', query.to);
    if (query.after !== undefined) {
      const { createdAt, id } = query.after;
      select = select.where((eb) =>
        eb.or([
          eb('created_at', '<', createdAt),
          eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
        ]),
      );
    }
    const rows = await select
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map(toEmailLog);
  }

  /**
   * One transaction: the log row is locked (`for update`) so concurrent events on one email
   * serialize; the event id is checked and recorded under that lock.
   */
  async applyEvent(event: DeliveryEvent, reduce: DeliveryEventReducer, at: Date): Promise<ApplyEventResult> {
    return this.#db.transaction().execute(async (trx) => {
      const log = await lockLog(trx, event);
      if (log === null) return { outcome: 'unmatched' } as const;
      const seen = await trx
        .selectFrom('email_delivery_events')
        .select('email_log_id')
        .where('provider', '=', event.provider)
        .where('event_id', '=', event.eventId)
        .executeTakeFirst();
      if (seen !== undefined) return { outcome: 'duplicate', emailLogId: seen.email_log_id } as const;
      const next = reduce(log, event);
      if (next === null) return { outcome: 'unmatched' } as const;
      const claimed = await trx
        .insertInto('email_delivery_events')
        .values({
          provider: event.provider,
          event_id: event.eventId,
          email_log_id: log.id,
          event_type: event.type,
          occurred_at: event.occurredAt,
          processed_at: at,
        })
        .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
        .returning('email_log_id')
        .executeTakeFirst();
      if (claimed === undefined) {
        // The same event id was recorded for another log meanwhile.
        const other = await trx
          .selectFrom('email_delivery_events')
          .select('email_log_id')
          .where('provider', '=', event.provider)
          .where('event_id', '=', event.eventId)
          .executeTakeFirstOrThrow();
        return { outcome: 'duplicate', emailLogId: other.email_log_id } as const;
      }
      const row = await trx
        .updateTable('email_logs')
        .set({
          status: next.status,
          sent_at: next.sentAt,
          delivered_at: next.deliveredAt,
          opened_at: next.openedAt,
          clicked_at: next.clickedAt,
          bounced_at: next.bouncedAt,
          complained_at: next.complainedAt,
          error_message: next.errorMessage,
          retry_count: next.retryCount,
          extra_data: jsonb(next.extraData),
          updated_at: next.updatedAt,
        })
        .where('id', '=', log.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { outcome: 'applied', log: toEmailLog(row) } as const;
    });
  }
}

async function lockLog(trx: Transaction<Database>, event: DeliveryEvent): Promise<EmailLog | null> {
  if (event.emailId !== null) {
    const row = await trx
      .selectFrom('email_logs')
      .selectAll()
      .where('id', '=', event.emailId)
      .forUpdate()
      .executeTakeFirst();
    if (row !== undefined) return toEmailLog(row);
  }
  if (event.providerMessageId === null) return null;
  const row = await trx
    .selectFrom('email_logs')
    .selectAll()
    .where('provider', '=', event.provider)
    .where('provider_message_id', '=', event.providerMessageId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  return row === undefined ? null : toEmailLog(row);
}
