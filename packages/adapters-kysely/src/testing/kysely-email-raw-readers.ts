import type {
  AdminNotificationRawReader,
  EmailLogRawReader,
  EmailTemplateRawReader,
  SendFailureStreakRawReader,
  StoreEmailSettingsRawReader,
  WebhookReplayGuardRawReader,
} from '@parley/messaging-core/testing/contracts';
import { type Kysely, sql } from 'kysely';
import {
  type AdminNotificationRow,
  toAdminNotification,
} from '../alerts/kysely-admin-notification-repository.js';
import { toNumber } from '../conversations/row-mappers.js';
import type { Database } from '../database-types.js';
import {
  type EmailLogRow,
  type StoreEmailSettingsRow,
  toEmailLog,
  toStoreEmailSettings,
} from '../email/email-row-mappers.js';
import {
  type EmailTemplateRow,
  type StoreEmailTemplateRow,
  toEmailTemplate,
  toStoreEmailTemplate,
} from '../email/kysely-email-template-repository.js';

/**
 * Reads `email_logs` and `email_delivery_events` with plain SQL, bypassing the repository.
 *
 * @example
 * ```ts
 * const raw = createEmailLogRawReader(database.db);
 * (await raw.log(id))?.status; // "sent"
 * ```
 */
export function createEmailLogRawReader(db: Kysely<Database>): EmailLogRawReader {
  return {
    async log(id) {
      const { rows } = await sql<EmailLogRow>`select * from email_logs where id = ${id}`.execute(db);
      return rows[0] === undefined ? null : toEmailLog(rows[0]);
    },
    async processedEvents(emailLogId) {
      const { rows } = await sql<{
        provider: string;
        event_id: string;
        event_type: string;
        processed_at: Date;
      }>`
        select provider, event_id, event_type, processed_at from email_delivery_events
        where email_log_id = ${emailLogId}
        order by provider collate "C", event_id collate "C"`.execute(db);
      return rows.map((r) => ({
        provider: r.provider,
        eventId: r.event_id,
        type: r.event_type,
        processedAt: r.processed_at,
      }));
    },
    async count() {
      const { rows } = await sql<{ n: string | number }>`select count(*) as n from email_logs`.execute(db);
      return toNumber(rows[0]?.n);
    },
  };
}

/**
 * Reads `store_email_settings` with plain SQL: secrets exactly as stored (tokens).
 *
 * @example
 * ```ts
 * (await createStoreEmailSettingsRawReader(db).settings('acme'))?.sendgridApiKey; // "v1.k1.…"
 * ```
 */
export function createStoreEmailSettingsRawReader(db: Kysely<Database>): StoreEmailSettingsRawReader {
  return {
    async settings(storeId) {
      const { rows } = await sql<StoreEmailSettingsRow>`
        select * from store_email_settings where store_id = ${storeId}`.execute(db);
      return rows[0] === undefined ? null : toStoreEmailSettings(rows[0]);
    },
  };
}

/**
 * Reads `email_templates` and `store_email_templates` with plain SQL, bypassing the repository.
 *
 * @example
 * ```ts
 * (await createEmailTemplateRawReader(database.db).platformTemplate('new_message', 'fr'))?.subject;
 * ```
 */
export function createEmailTemplateRawReader(db: Kysely<Database>): EmailTemplateRawReader {
  return {
    async platformTemplate(code, language) {
      const { rows } = await sql<EmailTemplateRow>`
        select * from email_templates where code = ${code} and language = ${language}`.execute(db);
      return rows[0] === undefined ? null : toEmailTemplate(rows[0]);
    },
    async storeTemplate(storeId, code, language) {
      const { rows } = await sql<StoreEmailTemplateRow>`
        select * from store_email_templates
        where store_id = ${storeId} and code = ${code} and language = ${language}`.execute(db);
      return rows[0] === undefined ? null : toStoreEmailTemplate(rows[0]);
    },
  };
}

/**
 * Reads `admin_notifications` with plain SQL, bypassing the repository.
 *
 * @example
 * ```ts
 * const raw = createAdminNotificationRawReader(database.db);
 * (await raw.notification(id))?.isRead; // false
 * ```
 */
export function createAdminNotificationRawReader(db: Kysely<Database>): AdminNotificationRawReader {
  return {
    async notification(id) {
      const { rows } = await sql<AdminNotificationRow>`
        select * from admin_notifications where id = ${id}`.execute(db);
      return rows[0] === undefined ? null : toAdminNotification(rows[0]);
    },
    async count() {
      const { rows } = await sql<{ count: number }>`
        select count(*)::int as count from admin_notifications`.execute(db);
      return toNumber(rows[0]?.count ?? 0);
    },
  };
}

/**
 * Reads `send_failure_streaks` with plain SQL, bypassing the repository.
 *
 * @example
 * ```ts
 * (await createSendFailureStreakRawReader(database.db).streak('acme'))?.alerted; // true
 * ```
 */
export function createSendFailureStreakRawReader(db: Kysely<Database>): SendFailureStreakRawReader {
  return {
    async streak(storeId) {
      const { rows } = await sql<{ failure_times: Date[]; alert_token: string | null }>`
        select failure_times, alert_token from send_failure_streaks where store_id = ${storeId}`.execute(db);
      const row = rows[0];
      return row === undefined
        ? null
        : { failureTimes: row.failure_times.map((t) => new Date(t)), alerted: row.alert_token !== null };
    },
  };
}

/**
 * Reads `webhook_replay_tokens` with plain SQL, bypassing the guard.
 *
 * @example
 * ```ts
 * await createWebhookReplayGuardRawReader(database.db).expiry('mailgun', token); // Date | null
 * ```
 */
export function createWebhookReplayGuardRawReader(db: Kysely<Database>): WebhookReplayGuardRawReader {
  return {
    async expiry(provider, token) {
      const { rows } = await sql<{ expires_at: Date }>`
        select expires_at from webhook_replay_tokens
        where provider = ${provider} and token = ${token}`.execute(db);
      return rows[0] === undefined ? null : new Date(rows[0].expires_at);
    },
    async count() {
      const { rows } = await sql<{ count: number }>`
        select count(*)::int as count from webhook_replay_tokens`.execute(db);
      return toNumber(rows[0]?.count ?? 0);
    },
  };
}
