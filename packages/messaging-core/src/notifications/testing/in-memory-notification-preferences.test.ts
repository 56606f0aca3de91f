import { describe } from 'vitest';
import { LOG_START } from '../../kernel/model/event-envelope.js';
import { InMemoryMessagingStore } from '../../testing/in-memory-messaging-store.js';
import { digestLedgerContract } from './contracts/digest-ledger-contract.js';
import { notificationPreferencesRepositoryContract } from './contracts/notification-preferences-repository-contract.js';
import { InMemoryDigestLedger } from './in-memory-digest-ledger.js';
import { InMemoryNotificationPreferencesRepository } from './in-memory-notification-preferences-repository.js';

describe('in-memory notification preferences and digests', () => {
  notificationPreferencesRepositoryContract({
    name: 'in-memory',
    setup: async () => {
      const store = new InMemoryMessagingStore();
      return {
        repository: new InMemoryNotificationPreferencesRepository({ events: store.events }),
        loggedEvents: async () => (await store.events.read(LOG_START, 1000)).events,
      };
    },
  });
  digestLedgerContract({ name: 'in-memory', setup: async () => ({ ledger: new InMemoryDigestLedger() }) });
});
