import type { EmailLog } from '../../model/email-log.js';
import type { EmailTemplate, StoreEmailTemplate } from '../../model/email-template.js';
import type { StoreEmailSettings } from '../../model/store-email-settings.js';

/** Reads the email log's storage directly (see `emailLogRepositoryContract`). */
export interface EmailLogRawReader {
  log(id: string): Promise<EmailLog | null>;
  /** Tracking events recorded as processed for a log, ordered by provider then event id. */
  processedEvents(
    emailLogId: string,
  ): Promise<{ provider: string; eventId: string; type: string; processedAt: Date }[]>;
  /** Number of logs stored. */
  count(): Promise<number>;
}

/** Reads stored email settings directly: secrets as stored (ciphertext tokens). */
export interface StoreEmailSettingsRawReader {
  settings(storeId: string): Promise<StoreEmailSettings | null>;
}

/** Reads the email template tables directly (see `emailTemplateRepositoryContract`). */
export interface EmailTemplateRawReader {
  platformTemplate(code: string, language: string): Promise<EmailTemplate | null>;
  storeTemplate(storeId: string, code: string, language: string): Promise<StoreEmailTemplate | null>;
}
