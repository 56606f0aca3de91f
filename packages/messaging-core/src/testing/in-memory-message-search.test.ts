import { messageSearchContract } from '../conversations/testing/contracts/message-search-contract.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { InMemoryMessagingStore } from './in-memory-messaging-store.js';

// The reference implementation of message search and the inbox query filter.
messageSearchContract({
  name: 'in-memory',
  setup: async () => {
    const directory = new InMemoryMarketplaceDirectory();
    const store = new InMemoryMessagingStore({ directory });
    return { store, search: store.search, directory };
  },
});
