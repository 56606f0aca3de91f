import type { EmailLog, StoreEmailSettings } from '@parley/messaging-core';
import { type Insertable, type InsertObject, type Selectable, sql } from 'kysely';
import { toNumber } from '../conversations/row-mappers.js';
import type { Database, EmailLogsTable, StoreEmailSettingsTable } from '../database-types.js';

export type EmailLogRow = Selectable<EmailLogsTable>;
export type StoreEmailSettingsRow = Selectable<StoreEmailSettingsTable>;

/** A JSON value written the same way by both drivers (text cast to jsonb). */
export function jsonb(value: unknown) {
  return sql<string>`cast(${JSON.stringify(value)}::text as jsonb)`;
}

export function toEmailLog(row: EmailLogRow): EmailLog {
  return {
    id: row.id,
    templateCode: row.template_code,
    recipient: row.recipient,
    subject: row.subject,
    bodyHtml: row.body_html,
    bodyText: row.body_text,
    fromEmail: row.from_email,
    fromName: row.from_name,
    replyTo: row.reply_to,
    status: row.status,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    openedAt: row.opened_at,
    clickedAt: row.clicked_at,
    bouncedAt: row.bounced_at,
    complainedAt: row.complained_at,
    errorMessage: row.error_message,
    retryCount: toNumber(row.retry_count),
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    storeId: row.store_id,
    userId: row.user_id,
    relatedType: row.related_type,
    relatedId: row.related_id,
    extraData: (row.extra_data ?? {}) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function emailLogRow(log: EmailLog): InsertObject<Database, 'email_logs'> {
  return {
    id: log.id,
    template_code: log.templateCode,
    recipient: log.recipient,
    subject: log.subject,
    body_html: log.bodyHtml,
    body_text: log.bodyText,
    from_email: log.fromEmail,
    from_name: log.fromName,
    reply_to: log.replyTo,
    status: log.status,
    sent_at: log.sentAt,
    delivered_at: log.deliveredAt,
    opened_at: log.openedAt,
    clicked_at: log.clickedAt,
    bounced_at: log.bouncedAt,
    complained_at: log.complainedAt,
    error_message: log.errorMessage,
    retry_count: log.retryCount,
    provider: log.provider,
    provider_message_id: log.providerMessageId,
    store_id: log.storeId,
    user_id: log.userId,
    related_type: log.relatedType,
    related_id: log.relatedId,
    extra_data: jsonb(log.extraData),
    created_at: log.createdAt,
    updated_at: log.updatedAt,
  };
}

export function toStoreEmailSettings(row: StoreEmailSettingsRow): StoreEmailSettings {
  return {
    storeId: row.store_id,
    fromEmail: row.from_email,
    fromName: row.from_name,
    replyToEmail: row.reply_to_email,
    signatureText: row.signature_text,
    signatureHtml: row.signature_html,
    provider: row.provider,
    fallbackProvider: row.fallback_provider,
    smtpHost: row.smtp_host,
    smtpPort: row.smtp_port === null ? null : toNumber(row.smtp_port),
    smtpUsername: row.smtp_username,
    smtpPassword: row.smtp_password,
    smtpUseTls: row.smtp_use_tls,
    smtpUseSsl: row.smtp_use_ssl,
    sendgridApiKey: row.sendgrid_api_key,
    mailgunApiKey: row.mailgun_api_key,
    mailgunDomain: row.mailgun_domain,
    mailgunRegion: row.mailgun_region,
    sesAccessKeyId: row.ses_access_key_id,
    sesSecretAccessKey: row.ses_secret_access_key,
    sesRegion: row.ses_region,
    isConfigured: row.is_configured,
    isVerified: row.is_verified,
    lastVerifiedAt: row.last_verified_at,
    verificationError: row.verification_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function storeEmailSettingsRow(s: StoreEmailSettings): Insertable<StoreEmailSettingsTable> {
  return {
    store_id: s.storeId,
    from_email: s.fromEmail,
    from_name: s.fromName,
    reply_to_email: s.replyToEmail,
    signature_text: s.signatureText,
    signature_html: s.signatureHtml,
    provider: s.provider,
    fallback_provider: s.fallbackProvider,
    smtp_host: s.smtpHost,
    smtp_port: s.smtpPort,
    smtp_username: s.smtpUsername,
    smtp_password: s.smtpPassword,
    smtp_use_tls: s.smtpUseTls,
    smtp_use_ssl: s.smtpUseSsl,
    sendgrid_api_key: s.sendgridApiKey,
    mailgun_api_key: s.mailgunApiKey,
    mailgun_domain: s.mailgunDomain,
    mailgun_region: s.mailgunRegion,
    ses_access_key_id: s.sesAccessKeyId,
    ses_secret_access_key: s.sesSecretAccessKey,
    ses_region: s.sesRegion,
    is_configured: s.isConfigured,
    is_verified: s.isVerified,
    last_verified_at: s.lastVerifiedAt,
    verification_error: s.verificationError,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}
