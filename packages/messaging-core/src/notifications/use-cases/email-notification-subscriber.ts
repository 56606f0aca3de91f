import { recipientsOf } from '../../conversations/model/domain-event.js';
import type { EventSubscriber } from '../../conversations/ports/event-log.js';
import type { NewNotificationJob } from '../ports/notification-queue.js';
import type { NotifyingRepositories } from '../ports/notifying-messaging-store.js';

/** The email subscriber's cursor name (never rename it: a new name starts from the oldest kept event). */
export const EMAIL_NOTIFICATIONS_SUBSCRIBER = 'email_notifications';

/**
 * The subscriber that turns `message.sent` into email notification jobs: one per recipient of
 * the message (`recipientsOf`) who, when the event is handled (normally moments after the send),
 * is still a member with email notifications on and the conversation not muted. The members of
 * every conversation of a batch are read at once. Jobs are enqueued through the dispatcher's
 * transaction, so they commit with the cursor's advance; a redelivered batch enqueues nothing
 * twice (one job per (message, recipient), see `NotificationQueue.enqueue`). Workers then send
 * them (`processNotifications`). Other event types are passed over. Its store must be a
 * `NotifyingMessagingStore` (the outbox in the dispatcher's transaction).
 *
 * @example
 * ```ts
 * const dispatcher = createEventDispatcher({ store, subscribers: [emailNotificationSubscriber()] });
 * ```
 */
export function emailNotificationSubscriber(): EventSubscriber<NotifyingRepositories> {
  return {
    name: EMAIL_NOTIFICATIONS_SUBSCRIBER,
    handle: async (events, tx) => {
      const sent = events.filter((event) => event.type === 'message.sent');
      if (sent.length === 0) return;
      const members = await tx.participants.listByConversations([
        ...new Set(sent.flatMap((event) => (event.conversationId === null ? [] : [event.conversationId]))),
      ]);
      const jobs: NewNotificationJob[] = [];
      for (const event of sent) {
        // A message is always sent in a conversation; only conversation-less events (blocks) lack one.
        if (event.type !== 'message.sent' || event.conversationId === null) continue;
        for (const member of recipientsOf(event.payload, members.get(event.conversationId) ?? [])) {
          if (!member.emailNotifications || member.muted) continue;
          jobs.push({
            messageId: event.payload.message_id,
            conversationId: event.conversationId,
            recipient: member.participant,
            storeId: event.tenantId,
            createdAt: new Date(event.payload.created_at),
          });
        }
      }
      if (jobs.length > 0) await tx.notifications.enqueue(jobs);
    },
  };
}
