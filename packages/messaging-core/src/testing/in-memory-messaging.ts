import { createMessagingCore, type MessagingCore } from '../messaging-core.js';
import type { AccessPolicy } from '../policy/access-policy.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { MediaInspector } from '../ports/media-inspector.js';
import { InMemoryAttachmentStorage } from './in-memory-attachment-storage.js';
import { InMemoryEventPublisher } from './in-memory-event-publisher.js';
import { InMemoryMailTransport } from './in-memory-mail-transport.js';
import { InMemoryMarketplaceDirectory } from './in-memory-marketplace-directory.js';
import { InMemoryMediaInspector } from './in-memory-media-inspector.js';
import { InMemoryMessagingStore } from './in-memory-messaging-store.js';
import { InMemorySettingsStore } from './in-memory-settings-store.js';

export interface InMemoryMessagingOptions {
  readonly policy?: AccessPolicy;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Default: `InMemoryMediaInspector` (magic numbers and header sizes, no decoding). */
  readonly mediaInspector?: MediaInspector;
}

/** The core with every port in memory, and the adapters at hand for assertions. */
export interface InMemoryMessaging {
  readonly core: MessagingCore;
  readonly store: InMemoryMessagingStore;
  readonly directory: InMemoryMarketplaceDirectory;
  readonly settings: InMemorySettingsStore;
  readonly events: InMemoryEventPublisher;
  readonly attachments: InMemoryAttachmentStorage;
  readonly mail: InMemoryMailTransport;
}

/**
 * One call to get a working core for tests, no database needed.
 *
 * @example
 * ```ts
 * const { core, directory, events } = createInMemoryMessaging({ clock: new FixedClock() });
 * ```
 */
export function createInMemoryMessaging(options: InMemoryMessagingOptions = {}): InMemoryMessaging {
  const store = new InMemoryMessagingStore();
  const directory = new InMemoryMarketplaceDirectory();
  const settings = new InMemorySettingsStore();
  const events = new InMemoryEventPublisher();
  const attachments = new InMemoryAttachmentStorage(options.clock ? { clock: options.clock } : {});
  const core = createMessagingCore({
    store,
    directory,
    settings,
    events,
    attachmentStorage: attachments,
    mediaInspector: options.mediaInspector ?? new InMemoryMediaInspector(),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  return {
    core,
    store,
    directory,
    settings,
    events,
    attachments,
    mail: new InMemoryMailTransport(),
  };
}
