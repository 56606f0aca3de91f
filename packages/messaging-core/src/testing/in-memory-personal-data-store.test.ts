import { InMemoryEmailLogRepository } from '../email/testing/in-memory-email-log-repository.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { personalDataStoreContract } from './contracts/personal-data-store-contract.js';
import { InMemoryMessagingStore } from './in-memory-messaging-store.js';
import { InMemoryPersonalDataStore } from './in-memory-personal-data-store.js';

personalDataStoreContract({
  name: 'in-memory',
  setup: async () => {
    const messaging = new InMemoryMessagingStore();
    const directory = new InMemoryMarketplaceDirectory();
    const emailLogs = new InMemoryEmailLogRepository();
    return {
      store: new InMemoryPersonalDataStore({ messaging, directory, emailLogs }),
      messaging,
      raw: messaging.raw,
      directory,
      emailLogs,
    };
  },
});
