import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import type { EventPosition, LoggedEvent } from '../../model/domain-event.js';
import type { EmailLog } from '../../model/email-log.js';
import type { EmailTemplate, StoreEmailTemplate } from '../../model/email-template.js';
import type { Message } from '../../model/message.js';
import type { NotificationJob } from '../../model/notification-job.js';
import type { ParticipantRef } from '../../model/participant-ref.js';
import type { StoreEmailSettings } from '../../model/store-email-settings.js';
import type { StoredSetting } from '../../ports/settings-store.js';

/**
 * Reads an adapter's state straight from its storage (SQL for a database, the maps for the
 * in-memory adapter), so a contract test checks a write without trusting the adapter's own reads.
 */
export interface MessagingStoreRawReader {
  conversation(id: string): Promise<Conversation | null>;
  /** Every membership row, former members included, ordered by participant type then id. */
  participants(conversationId: string): Promise<ConversationParticipant[]>;
  /** Oldest first (`seq` ascending), with attachments. */
  messages(conversationId: string): Promise<Message[]>;
  /** The message id recorded for a sender's idempotency key, or null. */
  idempotencyKey(
    sender: ParticipantRef,
    key: string,
  ): Promise<{ messageId: string; requestHash: string } | null>;
  /** Notification jobs enqueued for a message, ordered by recipient type then id. */
  notificationJobs(messageId: string): Promise<NotificationJob[]>;
  /** Every event in the log, in log order (`position` ascending). */
  events(): Promise<LoggedEvent[]>;
  /** A subscriber's stored cursor, or null when it has no row. */
  eventCursor(subscriber: string): Promise<EventPosition | null>;
  /** Rows in every table the store owns, for "nothing was written" checks. */
  counts(): Promise<{
    conversations: number;
    participants: number;
    messages: number;
    attachments: number;
    idempotencyKeys: number;
    notificationJobs: number;
    events: number;
  }>;
}

export interface SettingsStoreRawReader {
  setting(key: string): Promise<StoredSetting | null>;
}

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
