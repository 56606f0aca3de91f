import { auditLogContract } from '../audit/testing/contracts/audit-log-contract.js';
import { archiveAndEditsContract } from '../conversations/testing/contracts/archive-and-edits-contract.js';
import { attachmentStorageContract } from '../conversations/testing/contracts/attachment-storage-contract.js';
import { blockRepositoryContract } from '../conversations/testing/contracts/block-repository-contract.js';
import { careTeamContract } from '../conversations/testing/contracts/care-team-contract.js';
import { deliveryReceiptsContract } from '../conversations/testing/contracts/delivery-receipts-contract.js';
import { mediaInspectorContract } from '../conversations/testing/contracts/media-inspector-contract.js';
import { messagingStoreContract } from '../conversations/testing/contracts/messaging-store-contract.js';
import {
  moderationContract,
  moderationSettingsRepositoryContract,
} from '../conversations/testing/contracts/moderation-contract.js';
import { InMemoryAttachmentStorage } from '../conversations/testing/in-memory-attachment-storage.js';
import { fakePng, InMemoryMediaInspector } from '../conversations/testing/in-memory-media-inspector.js';
import { InMemoryModerationSettingsRepository } from '../conversations/testing/in-memory-moderation-settings-repository.js';
import { emailLogRepositoryContract } from '../email/testing/contracts/email-log-repository-contract.js';
import { mailTransportContract } from '../email/testing/contracts/mail-transport-contract.js';
import { outboundAddressGuardContract } from '../email/testing/contracts/outbound-address-guard-contract.js';
import { storeEmailSettingsRepositoryContract } from '../email/testing/contracts/store-email-settings-repository-contract.js';
import { InMemoryEmailLogRepository } from '../email/testing/in-memory-email-log-repository.js';
import { InMemoryMailTransport } from '../email/testing/in-memory-mail-transport.js';
import { InMemoryOutboundAddressGuard } from '../email/testing/in-memory-outbound-address-guard.js';
import { InMemoryStoreEmailSettingsRepository } from '../email/testing/in-memory-store-email-settings-repository.js';
import { uuidV7Ids } from '../kernel/ports/id-generator.js';
import { directoryContract } from '../kernel/testing/contracts/directory-contract.js';
import { idGeneratorContract } from '../kernel/testing/contracts/id-generator-contract.js';
import { peopleDirectoryContract } from '../kernel/testing/contracts/people-directory-contract.js';
import { settingsStoreContract } from '../kernel/testing/contracts/settings-store-contract.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { InMemoryPeopleDirectory } from '../kernel/testing/in-memory-people-directory.js';
import { InMemorySettingsStore } from '../kernel/testing/in-memory-settings-store.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { eventLogContract } from '../notifications/testing/contracts/event-log-contract.js';
import { notificationQueueContract } from '../notifications/testing/contracts/notification-queue-contract.js';
import { InMemoryMessagingStore } from './in-memory-messaging-store.js';

// The in-memory adapters are the reference implementation: they run every suite the
// database, filesystem and provider adapters run.
messagingStoreContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { store, raw: store.raw };
  },
});

deliveryReceiptsContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { store, raw: store.raw };
  },
});

archiveAndEditsContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { store, raw: store.raw };
  },
});

moderationContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { store, raw: store.raw };
  },
});

moderationSettingsRepositoryContract({
  name: 'in-memory',
  setup: async () => ({ repository: new InMemoryModerationSettingsRepository() }),
});

blockRepositoryContract({ name: 'in-memory', setup: async () => ({ store: new InMemoryMessagingStore() }) });

careTeamContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { store, raw: store.raw };
  },
});

notificationQueueContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { store, queue: store.notifications, raw: store.raw };
  },
});

eventLogContract({
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

peopleDirectoryContract({
  name: 'in-memory',
  setup: async () => ({ directory: new InMemoryPeopleDirectory() }),
});

settingsStoreContract({
  name: 'in-memory',
  setup: async () => {
    const settings = new InMemorySettingsStore();
    return { settings, raw: settings.raw };
  },
});

emailLogRepositoryContract({
  name: 'in-memory',
  setup: async () => {
    const logs = new InMemoryEmailLogRepository();
    return { logs, raw: logs.raw };
  },
});

storeEmailSettingsRepositoryContract({
  name: 'in-memory',
  setup: async () => {
    const directory = new InMemoryMarketplaceDirectory();
    const repository = new InMemoryStoreEmailSettingsRepository(directory);
    return {
      repository,
      raw: repository.raw,
      addStore: async (id) => {
        await directory.upsertStore({ id, name: id, tier: 'business' }, new Date('2026-01-01T00:00:00Z'));
      },
    };
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

mediaInspectorContract({
  name: 'in-memory',
  setup: async () => {
    const text = new TextEncoder();
    return {
      inspector: new InMemoryMediaInspector(),
      samples: [
        {
          name: 'a.png',
          bytes: fakePng(640, 480),
          mimeType: 'image/png',
          image: { width: 640, height: 480 },
        },
        { name: 'b.png', bytes: fakePng(1, 1), mimeType: 'image/png', image: { width: 1, height: 1 } },
        { name: 'c.pdf', bytes: text.encode('%PDF-1.4\n%%EOF\n'), mimeType: 'application/pdf' },
        { name: 'd.zip', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]), mimeType: 'application/zip' },
        { name: 'e.txt', bytes: text.encode('plain text'), mimeType: null },
      ],
      undecodable: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    };
  },
});

outboundAddressGuardContract({
  name: 'in-memory',
  create: ({ records, allowedCidrs }) => new InMemoryOutboundAddressGuard({ records, allowedCidrs }),
});

auditLogContract({
  name: 'in-memory',
  setup: async () => {
    const store = new InMemoryMessagingStore();
    return { auditLog: store.audit, store, rawEvents: () => store.raw.events() };
  },
});
