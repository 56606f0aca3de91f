import {
  createMessagingCore,
  type MessagingCore,
  type MessagingCoreDependencies,
} from '../conversations/messaging-core.js';
import type { DomainEventType, LoggedEvent } from '../conversations/model/domain-event.js';
import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import type { MediaInspector } from '../conversations/ports/media-inspector.js';
import { InMemoryAttachmentStorage } from '../conversations/testing/in-memory-attachment-storage.js';
import { InMemoryMediaInspector } from '../conversations/testing/in-memory-media-inspector.js';
import { InMemoryMailTransport } from '../email/testing/in-memory-mail-transport.js';
import { createEventDispatcher, type EventDispatcher } from '../kernel/events/event-dispatcher.js';
import type { Clock } from '../kernel/ports/clock.js';
import type { IdGenerator } from '../kernel/ports/id-generator.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { InMemorySettingsStore } from '../kernel/testing/in-memory-settings-store.js';
import { emailNotificationSubscriber } from '../notifications/use-cases/email-notification-subscriber.js';
import { InMemoryMessagingStore } from './in-memory-messaging-store.js';

export interface InMemoryMessagingOptions {
  readonly policy?: AccessPolicy;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Default: `InMemoryMediaInspector` (magic numbers and header sizes, no decoding). */
  readonly mediaInspector?: MediaInspector;
  /** Content moderation (see `MessagingCoreDependencies.moderation`); absent: none. */
  readonly moderation?: MessagingCoreDependencies['moderation'];
}

/** The core with every port in memory, and the adapters at hand for assertions. */
export interface InMemoryMessaging {
  readonly core: MessagingCore;
  readonly store: InMemoryMessagingStore;
  readonly directory: InMemoryMarketplaceDirectory;
  readonly settings: InMemorySettingsStore;
  /** The events recorded so far, for assertions. */
  readonly events: RecordedEvents;
  /** Feeds the email subscriber (and nothing else) from the store's event log; call `drain()`. */
  readonly dispatcher: EventDispatcher;
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
  const directory = new InMemoryMarketplaceDirectory();
  const store = new InMemoryMessagingStore({ directory });
  const settings = new InMemorySettingsStore({ audit: store.audit });
  const events = new RecordedEvents(store);
  const dispatcher = createEventDispatcher({ store, subscribers: [emailNotificationSubscriber()] });
  const attachments = new InMemoryAttachmentStorage(options.clock ? { clock: options.clock } : {});
  const core = createMessagingCore({
    store,
    directory,
    settings,
    attachmentStorage: attachments,
    mediaInspector: options.mediaInspector ?? new InMemoryMediaInspector(),
    search: store.search,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
    ...(options.moderation ? { moderation: options.moderation } : {}),
  });
  return {
    core,
    store,
    directory,
    settings,
    events,
    dispatcher,
    attachments,
    mail: new InMemoryMailTransport(),
  };
}

/**
 * The store's event log as a list, for assertions (reads the store's state; `clear` only moves
 * where the list starts).
 *
 * @example
 * ```ts
 * recipientsOf(m.events.ofType('message.sent')[0]!.payload, members);
 * ```
 */
export class RecordedEvents {
  readonly #store: InMemoryMessagingStore;
  #after = 0;

  constructor(store: InMemoryMessagingStore) {
    this.#store = store;
  }

  /** Every event recorded since the last `clear`, in log order. */
  get events(): LoggedEvent[] {
    return this.#store.recordedEvents().filter((e) => Number(e.id) > this.#after);
  }

  ofType<TType extends DomainEventType>(type: TType): Extract<LoggedEvent, { type: TType }>[] {
    return this.events.filter((e): e is Extract<LoggedEvent, { type: TType }> => e.type === type);
  }

  clear(): void {
    this.#after = Math.max(this.#after, ...this.#store.recordedEvents().map((e) => Number(e.id)));
  }
}
