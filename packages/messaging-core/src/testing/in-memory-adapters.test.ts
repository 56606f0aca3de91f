import { uuidV7Ids } from '../ports/id-generator.js';
import { attachmentStorageContract } from './contracts/attachment-storage-contract.js';
import { directoryContract } from './contracts/directory-contract.js';
import { idGeneratorContract } from './contracts/id-generator-contract.js';
import { mailTransportContract } from './contracts/mail-transport-contract.js';
import { messagingStoreContract } from './contracts/messaging-store-contract.js';
import { settingsStoreContract } from './contracts/settings-store-contract.js';
import { InMemoryAttachmentStorage } from './in-memory-attachment-storage.js';
import { InMemoryMailTransport } from './in-memory-mail-transport.js';
import { InMemoryMarketplaceDirectory } from './in-memory-marketplace-directory.js';
import { InMemoryMessagingStore } from './in-memory-messaging-store.js';
import { InMemorySettingsStore } from './in-memory-settings-store.js';
import { SequentialIds } from './sequential-ids.js';

// The in-memory adapters are the reference implementation: they run every suite the
// database, filesystem and provider adapters run.
messagingStoreContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { store, raw: store.raw };
  },
});

directoryContract({
  name: 'in-memory',
  setup: async () => ({ directory: new InMemoryMarketplaceDirectory() }),
});

settingsStoreContract({
  name: 'in-memory',
  setup: async () => {
    const settings = new InMemorySettingsStore();
    return { settings, raw: settings.raw };
  },
});

attachmentStorageContract({
  name: 'in-memory',
  setup: async () => ({ storage: new InMemoryAttachmentStorage() }),
});

mailTransportContract({
  name: 'in-memory',
  setup: async () => {
    const rejectedRecipient = 'bounce@mail.test';
    const transport = new InMemoryMailTransport({ rejectRecipients: [rejectedRecipient] });
    return {
      transport,
      rejectedRecipient,
      withBadCredentials: async () => new InMemoryMailTransport({ credentialsValid: false }),
      throttleNext: async () => transport.throttleNext(),
      hangNext: async () => transport.hangNext(),
      received: async () =>
        transport.sent.map((e) => ({
          from: e.from.address,
          ...(e.from.name === undefined ? {} : { fromName: e.from.name }),
          to: e.to.map((t) => t.address),
          ...(e.replyTo === undefined ? {} : { replyTo: e.replyTo.address }),
          subject: e.subject,
          text: e.text,
          ...(e.html === undefined ? {} : { html: e.html }),
          headers: Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
          parleyId: e.id,
        })),
    };
  },
});

idGeneratorContract({ name: 'uuidv7', create: () => uuidV7Ids });
idGeneratorContract({ name: 'sequential', create: () => new SequentialIds('t') });
