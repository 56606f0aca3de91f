import type { Message, SettingValue } from '@parley/messaging-core';
import type {
  NotifyingMessagingStoreRawReader,
  SettingsStoreRawReader,
} from '@parley/messaging-core/testing/contracts';
import { type Kysely, sql } from 'kysely';
import { EVENT_COLUMNS, toLoggedEvent } from '../conversations/kysely-event-log.js';
import {
  toAttachment,
  toConversation,
  toMessage,
  toMessageRevision,
  toNumber,
  toParticipant,
} from '../conversations/row-mappers.js';
import type { Database } from '../database-types.js';
import { toNotificationJob } from '../notifications/kysely-notification-queue.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads the messaging tables and the notification outbox straight with SQL, bypassing the
 * repositories, so contract tests check a write without trusting the adapter's own reads.
 *
 * @example
 * ```ts
 * const raw = createMessagingStoreRawReader(database.db);
 * (await raw.counts()).messages; // 0
 * ```
 */
export function createMessagingStoreRawReader(db: Kysely<Database>): NotifyingMessagingStoreRawReader {
  return {
    async conversation(id) {
      if (!UUID.test(id)) return null;
      const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toConversation(row);
    },
    async participants(conversationId) {
      if (!UUID.test(conversationId)) return [];
      const rows = await db
        .selectFrom('conversation_participants')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .orderBy(sql`participant_type collate "C"`)
        .orderBy(sql`participant_id collate "C"`)
        .execute();
      return rows.map(toParticipant);
    },
    async messages(conversationId) {
      if (!UUID.test(conversationId)) return [];
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .orderBy('seq')
        .execute();
      const attachments =
        rows.length === 0
          ? []
          : await db
              .selectFrom('message_attachments')
              .selectAll()
              .where(
                'message_id',
                'in',
                rows.map((row) => row.id),
              )
              .orderBy('position')
              .execute();
      return rows.map(
        (row): Message =>
          toMessage(row, attachments.filter((a) => a.message_id === row.id).map(toAttachment)),
      );
    },
    async messageRevisions(messageId) {
      if (!UUID.test(messageId)) return [];
      const rows = await db
        .selectFrom('message_revisions')
        .selectAll()
        .where('message_id', '=', messageId)
        .orderBy('revision')
        .execute();
      return rows.map(toMessageRevision);
    },
    async idempotencyKey(sender, key) {
      const row = await db
        .selectFrom('send_idempotency_keys')
        .select(['message_id', 'request_hash'])
        .where('sender_type', '=', sender.type)
        .where('sender_id', '=', sender.id)
        .where('key', '=', key)
        .executeTakeFirst();
      return row === undefined ? null : { messageId: row.message_id, requestHash: row.request_hash };
    },
    async notificationJobs(messageId) {
      if (!UUID.test(messageId)) return [];
      const rows = await db
        .selectFrom('notification_jobs')
        .selectAll()
        .where('message_id', '=', messageId)
        .orderBy('recipient_type')
        .orderBy('recipient_id')
        .execute();
      return rows.map(toNotificationJob);
    },
    async events() {
      const { rows } = await sql<Parameters<typeof toLoggedEvent>[0]>`
        select ${EVENT_COLUMNS} from events order by xid, id`.execute(db);
      return rows.map(toLoggedEvent);
    },
    async eventCursor(subscriber) {
      const row = await db
        .selectFrom('event_subscribers')
        .select([sql<string>`position_xid::text`.as('xid'), sql<string>`position_id::text`.as('id')])
        .where('name', '=', subscriber)
        .executeTakeFirst();
      return row === undefined ? null : { xid: row.xid, id: row.id };
    },
    async counts() {
      const { rows } = await sql<Record<string, string | number>>`
        select
          (select count(*) from conversations) as conversations,
          (select count(*) from conversation_participants) as participants,
          (select count(*) from messages) as messages,
          (select count(*) from message_attachments) as attachments,
          (select count(*) from send_idempotency_keys) as idempotency_keys,
          (select count(*) from notification_jobs) as notification_jobs,
          (select count(*) from events) as events`.execute(db);
      const row = rows[0] ?? {};
      return {
        conversations: toNumber(row.conversations),
        participants: toNumber(row.participants),
        messages: toNumber(row.messages),
        attachments: toNumber(row.attachments),
        idempotencyKeys: toNumber(row.idempotency_keys),
        notificationJobs: toNumber(row.notification_jobs),
        events: toNumber(row.events),
      };
    },
  };
}

/**
 * Reads `platform_settings` straight with SQL.
 *
 * @example
 * ```ts
 * const raw = createSettingsStoreRawReader(database.db);
 * await raw.setting('message_max_length');
 * ```
 */
export function createSettingsStoreRawReader(db: Kysely<Database>): SettingsStoreRawReader {
  return {
    async setting(key) {
      const row = await db
        .selectFrom('platform_settings')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      return row === undefined
        ? null
        : {
            key: row.key,
            value: row.value as SettingValue,
            category: row.category,
            updatedAt: row.updated_at,
          };
    },
  };
}
