import type { MessagingStoreRawReader } from '../../../conversations/testing/contracts/raw-readers.js';
import type { NotificationJob } from '../../model/notification-job.js';

/**
 * Reads a `NotifyingMessagingStore`'s state straight from its storage: the messaging tables and
 * the notification outbox, so a contract test checks what a send and a dispatch wrote.
 */
export interface NotifyingMessagingStoreRawReader extends MessagingStoreRawReader {
  /** Notification jobs enqueued for a message, ordered by recipient type then id. */
  notificationJobs(messageId: string): Promise<NotificationJob[]>;
  /** As `MessagingStoreRawReader.counts`, with the outbox's rows. */
  counts(): Promise<Awaited<ReturnType<MessagingStoreRawReader['counts']>> & { notificationJobs: number }>;
}
