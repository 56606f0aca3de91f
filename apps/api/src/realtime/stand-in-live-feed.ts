import {
  type EventPosition,
  type LiveDelivery,
  type LiveFeed,
  LOG_START,
  type MessagingStore,
  participantKey,
} from '@parley/messaging-core';

/**
 * TEMPORARY stand-in for `createLiveFeed` until the live feed lands: every active member of an
 * event's conversation sees it (no policy, no shaping). Removed at the merge.
 */
export function standInLiveFeed(store: MessagingStore): LiveFeed {
  const membersOf = async (conversationId: string | null) => {
    if (conversationId === null) return [];
    const found = await store.conversations.findWithParticipants(conversationId);
    return found?.participants.filter((p) => p.leftAt === null) ?? [];
  };
  return {
    async next(after, audience, limit) {
      const batch = await store.events.read(after, limit);
      const deliveries: LiveDelivery[] = [];
      for (const event of batch.events) {
        for (const member of await membersOf(event.conversationId)) {
          const viewer = audience.get(participantKey(member.participant));
          if (viewer) deliveries.push({ event, viewer, view: { type: event.type } });
        }
      }
      return { deliveries, position: batch.events.at(-1)?.position ?? after, more: batch.more };
    },
    async locate(eventId) {
      let at: EventPosition = LOG_START;
      for (;;) {
        const batch = await store.events.read(at, 1000);
        const found = batch.events.find((e) => e.id === eventId);
        if (found) return found.position;
        if (batch.events.length === 0) return null;
        at = batch.events.at(-1)?.position ?? at;
      }
    },
    async replay(viewer, sinceEventId, maxEvents) {
      const from = await this.locate(sinceEventId);
      if (from === null) return { kind: 'resync_required' };
      const batch = await store.events.read(from, maxEvents + 1);
      if (batch.events.length > maxEvents) return { kind: 'resync_required' };
      const deliveries: LiveDelivery[] = [];
      for (const event of batch.events) {
        const members = await membersOf(event.conversationId);
        if (members.some((m) => participantKey(m.participant) === participantKey(viewer)))
          deliveries.push({ event, viewer, view: { type: event.type } });
      }
      return { kind: 'replayed', deliveries, position: batch.events.at(-1)?.position ?? from };
    },
    async contactsOf() {
      return [];
    },
  };
}
