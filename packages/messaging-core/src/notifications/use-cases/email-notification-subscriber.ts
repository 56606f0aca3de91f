import type { ConversationParticipant } from '../../conversations/model/conversation.js';
import type { EventSubscriber } from '../../conversations/ports/event-log.js';
import { participantKey } from '../../kernel/model/participant-ref.js';
import type { NewNotificationJob } from '../ports/notification-queue.js';
import type { NotifyingRepositories } from '../ports/notifying-messaging-store.js';

/** The email subscriber's cursor name (never rename it: a new name starts from the oldest kept event). */
export const EMAIL_NOTIFICATIONS_SUBSCRIBER = 'email_notifications';

/**
 * The subscriber that turns `message.sent` into email notification jobs: one per recipient of
 * the event who, when the event is handled (normally moments after the send), is still a member
 * with email notifications on and the conversation not muted. Jobs are enqueued through the
 * dispatcher's transaction, so they commit with the cursor's advance; a redelivered batch
 * enqueues nothing twice (one job per (message, recipient), see `NotificationQueue.enqueue`).
 * Workers then send them (`processNotifications`). Other event types are passed over. Its store
 * must be a `NotifyingMessagingStore` (the outbox in the dispatcher's transaction).
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
      const members = new Map<string, ConversationParticipant[]>();
      const jobs: NewNotificationJob[] = [];
      for (const event of events) {
        // A message is always sent in a conversation; only conversation-less events (blocks) lack one.
        if (event.type !== 'message.sent' || event.conversationId === null) continue;
        const conversationId = event.conversationId;
        let current = members.get(conversationId);
        if (current === undefined) {
          current = await tx.participants.listByConversation(conversationId);
          members.set(conversationId, current);
        }
        const sender = participantKey(event.payload.sender);
        const recipients = new Set(event.payload.recipients.map(participantKey));
        for (const member of current) {
          const key = participantKey(member.participant);
          if (key === sender || !recipients.has(key)) continue;
          if (!member.emailNotifications || member.muted) continue;
          jobs.push({
            messageId: event.payload.message_id,
            conversationId,
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
