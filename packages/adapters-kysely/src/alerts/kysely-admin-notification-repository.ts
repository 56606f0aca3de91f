import {
  type AdminNotification,
  type AdminNotificationQuery,
  type AdminNotificationRepository,
  MessagingError,
} from '@parley/messaging-core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AdminNotificationsTable, Database } from '../database-types.js';
import { jsonb } from '../email/email-row-mappers.js';

export interface KyselyAdminNotificationRepositoryConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
}

export type AdminNotificationRow = Selectable<AdminNotificationsTable>;

export function toAdminNotification(row: AdminNotificationRow): AdminNotification {
  return {
    id: row.id,
    type: row.type,
    priority: row.priority,
    title: row.title,
    message: row.message,
    isRead: row.is_read,
    readAt: row.read_at,
    readByUserId: row.read_by_user_id,
    actionRequired: row.action_required,
    actionUrl: row.action_url,
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
    storeId: row.store_id,
    createdAt: row.created_at,
    issueKey: row.issue_key,
    occurrences: Number(row.occurrences),
    lastError: row.last_error,
    lastOccurredAt: row.last_occurred_at,
  };
}

function toRow(n: AdminNotification) {
  return {
    id: n.id,
    type: n.type,
    priority: n.priority,
    title: n.title,
    message: n.message,
    is_read: n.isRead,
    read_at: n.readAt,
    read_by_user_id: n.readByUserId,
    action_required: n.actionRequired,
    action_url: n.actionUrl,
    metadata: jsonb(n.metadata),
    store_id: n.storeId,
    created_at: n.createdAt,
    issue_key: n.issueKey,
    occurrences: n.occurrences,
    last_error: n.lastError,
    last_occurred_at: n.lastOccurredAt,
  };
}

/**
 * Admin notifications in PostgreSQL (`admin_notifications`, migrations `0009_admin_notifications`
 * and `0012_shared_alert_state`). Marking read is a single conditional `update … where not
 * is_read`, so the first reader wins under concurrency and a repeat changes nothing. `raise` is
 * one `insert … on conflict (store_id, issue_key) where issue_key is not null and not is_read do
 * update`, inferred from the partial unique index: concurrent raises of one issue, from any
 * number of processes, fold into one open notification.
 *
 * @example
 * ```ts
 * const notifications = new KyselyAdminNotificationRepository({ db: database.db });
 * await notifications.countUnread();
 * ```
 */
export class KyselyAdminNotificationRepository implements AdminNotificationRepository {
  readonly #db: Kysely<Database>;

  constructor(config: KyselyAdminNotificationRepositoryConfig) {
    this.#db = config.db;
  }

  async create(n: AdminNotification): Promise<void> {
    await this.#db.insertInto('admin_notifications').values(toRow(n)).execute();
  }

  async raise(n: AdminNotification): Promise<AdminNotification> {
    // Without an issue key the partial unique index never applies: a plain insert.
    const row = await this.#db
      .insertInto('admin_notifications')
      .values(toRow(n))
      .onConflict((oc) =>
        oc
          .columns(['store_id', 'issue_key'])
          .where('issue_key', 'is not', null)
          .where('is_read', '=', false)
          .doUpdateSet((eb) => ({
            occurrences: sql<number>`admin_notifications.occurrences + 1`,
            priority: eb.ref('excluded.priority'),
            title: eb.ref('excluded.title'),
            message: eb.ref('excluded.message'),
            action_required: eb.ref('excluded.action_required'),
            action_url: eb.ref('excluded.action_url'),
            metadata: eb.ref('excluded.metadata'),
            last_error: eb.ref('excluded.last_error'),
            last_occurred_at: eb.ref('excluded.created_at'),
          })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAdminNotification(row);
  }

  async findById(id: string): Promise<AdminNotification | null> {
    const row = await this.#db
      .selectFrom('admin_notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toAdminNotification(row) : null;
  }

  async list(query: AdminNotificationQuery): Promise<AdminNotification[]> {
    let select = this.#db.selectFrom('admin_notifications').selectAll();
    if (query.unreadOnly) select = select.where('is_read', '=', false);
    if (query.priority !== undefined) select = select.where('priority', '=', query.priority);
    if (query.type !== undefined) select = select.where('type', '=', query.type);
    if (query.actionRequired !== undefined)
      select = select.where('action_required', '=', query.actionRequired);
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
    return rows.map(toAdminNotification);
  }

  async countUnread(): Promise<number> {
    const row = await this.#db
      .selectFrom('admin_notifications')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('is_read', '=', false)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async markRead(id: string, userId: string, at: Date): Promise<AdminNotification> {
    const updated = await this.#db
      .updateTable('admin_notifications')
      .set({ is_read: true, read_at: at, read_by_user_id: userId })
      .where('id', '=', id)
      .where('is_read', '=', false)
      .returningAll()
      .executeTakeFirst();
    if (updated) return toAdminNotification(updated);
    const existing = await this.findById(id);
    if (!existing) throw MessagingError.notFound('admin notification', id);
    return existing;
  }

  async markAllRead(userId: string, at: Date): Promise<number> {
    const result = await this.#db
      .updateTable('admin_notifications')
      .set({ is_read: true, read_at: at, read_by_user_id: userId })
      .where('is_read', '=', false)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
