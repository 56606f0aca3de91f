import type { MessagingRepositories, MessagingStore } from '../../conversations/ports/messaging-store.js';
import type { NotificationQueue } from './notification-queue.js';

/** The messaging repositories and the notification outbox, bound to the same connection or transaction. */
export interface NotifyingRepositories extends MessagingRepositories {
  /** The notification outbox: jobs enqueued through `tx` commit with the rest of the unit of work. */
  readonly notifications: NotificationQueue;
}

/**
 * A `MessagingStore` whose unit of work also holds the notification outbox, so a subscriber of
 * the event log enqueues its jobs in the transaction that advances its cursor (the jobs are kept
 * exactly when the cursor passes their event). Declared here, not in conversations, so the
 * conversation context never knows notifications exist; adapters whose storage holds both (the
 * in-memory store, the Kysely store) implement this one.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   const cursor = await tx.events.claim('email_notifications');
 *   // … read after it …
 *   await tx.notifications.enqueue(jobs);
 *   await tx.events.advance('email_notifications', last.position);
 * }); // jobs and cursor commit together, or neither
 * ```
 */
export interface NotifyingMessagingStore extends MessagingStore, NotifyingRepositories {
  /** As `MessagingStore.transaction`, with the outbox bound to the same transaction. */
  transaction<T>(work: (tx: NotifyingRepositories) => Promise<T>): Promise<T>;
}
