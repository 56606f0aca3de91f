import type {
  BlockRepository,
  ConversationRepository,
  EventLog,
  MessageRepository,
  NotificationQueue,
  NotifyingMessagingStore,
  NotifyingRepositories,
  ParticipantRepository,
} from '@parley/messaging-core';
import type { Kysely } from 'kysely';
import type { Database } from '../database-types.js';
import { KyselyNotificationQueue } from '../notifications/kysely-notification-queue.js';
import { KyselyBlockRepository } from './kysely-block-repository.js';
import { KyselyConversationRepository } from './kysely-conversation-repository.js';
import { KyselyEventLog } from './kysely-event-log.js';
import { KyselyMessageRepository } from './kysely-message-repository.js';
import { KyselyParticipantRepository } from './kysely-participant-repository.js';

export interface KyselyMessagingStoreConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
  /**
   * Called after a statement or transaction that wrote events has committed, with the newest
   * event's id: how the host wakes its dispatcher (and sends its coalesced `NOTIFY`). Must not
   * throw; it runs on the caller's path, so it should only schedule work.
   */
  readonly onEventsCommitted?: (newestId: string) => void;
}

/** The repositories over one connection (the store's pool, or one transaction), the outbox included. */
class KyselyRepositories implements NotifyingRepositories {
  readonly conversations: ConversationRepository;
  readonly participants: ParticipantRepository;
  readonly messages: MessageRepository;
  readonly blocks: BlockRepository;
  readonly events: EventLog;
  readonly notifications: NotificationQueue;

  constructor(db: Kysely<Database>, recorded: (eventId: string) => void) {
    this.blocks = new KyselyBlockRepository(db);
    this.conversations = new KyselyConversationRepository(db);
    this.participants = new KyselyParticipantRepository(db, recorded);
    this.messages = new KyselyMessageRepository(db, recorded);
    this.events = new KyselyEventLog(db, recorded);
    this.notifications = new KyselyNotificationQueue(db);
  }
}

/** The larger of two decimal ids (null: none yet). */
function newer(current: string | null, id: string): string {
  return current === null || BigInt(id) > BigInt(current) ? id : current;
}

/**
 * `MessagingStore` over PostgreSQL or PGlite — a `NotifyingMessagingStore`: the notification
 * outbox lives in the same database, so its transactions carry it too. Outside `transaction`, each call is one atomic
 * statement (or a read); `transaction` runs its work in one database transaction
 * (read committed) with repositories bound to it.
 *
 * @example
 * ```ts
 * const database = createDatabase({ kind: 'pglite' });
 * await migrateToLatest(database);
 * const store = new KyselyMessagingStore({ db: database.db });
 * ```
 */
export class KyselyMessagingStore implements NotifyingMessagingStore {
  readonly #db: Kysely<Database>;
  /**
   * Conversations and inbox queries on the store's connection pool.
   *
   * @example
   * ```ts
   * const page = await store.conversations.listInbox(me, {}, { limit: 20 });
   * ```
   */
  readonly conversations: ConversationRepository;
  /**
   * Memberships (read state, preferences) on the store's connection pool.
   *
   * @example
   * ```ts
   * await store.participants.markRead(conversationId, me, clock.now());
   * ```
   */
  readonly participants: ParticipantRepository;
  /**
   * Messages on the store's connection pool; `append` is one atomic statement on its own.
   *
   * @example
   * ```ts
   * await store.messages.append({ message, requireOpen: true });
   * ```
   */
  readonly messages: MessageRepository;
  /**
   * Blocks on the store's connection pool.
   *
   * @example
   * ```ts
   * await store.blocks.blockersAmong(sender, [recipient]);
   * ```
   */
  readonly blocks: BlockRepository;
  /**
   * The event log on the store's connection pool (reads, cursors, pruning).
   *
   * @example
   * ```ts
   * const { events } = await store.events.read(LOG_START, 100);
   * ```
   */
  readonly events: EventLog;
  /**
   * The notification outbox on the store's connection pool.
   *
   * @example
   * ```ts
   * await store.notifications.stats(new Date());
   * ```
   */
  readonly notifications: NotificationQueue;
  readonly #onEventsCommitted: (newestId: string) => void;

  constructor(config: KyselyMessagingStoreConfig) {
    this.#db = config.db;
    const notify = config.onEventsCommitted ?? (() => {});
    this.#onEventsCommitted = notify;
    // Outside a transaction every write is its own statement, committed when it returns.
    const repositories = new KyselyRepositories(config.db, notify);
    this.conversations = repositories.conversations;
    this.participants = repositories.participants;
    this.messages = repositories.messages;
    this.blocks = repositories.blocks;
    this.events = repositories.events;
    this.notifications = repositories.notifications;
  }

  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back and rethrows when it throws.
   *
   * @example
   * ```ts
   * await store.transaction(async (tx) => {
   *   await tx.conversations.setClosed(id, { isClosed: true, at, by: actor });
   *   await tx.messages.append({ message: systemMessage, requireOpen: false });
   * });
   * ```
   */
  async transaction<T>(work: (tx: NotifyingRepositories) => Promise<T>): Promise<T> {
    let newest: string | null = null;
    const result = await this.#db.transaction().execute((trx) =>
      work(
        new KyselyRepositories(trx, (id) => {
          newest = newer(newest, id);
        }),
      ),
    );
    if (newest !== null) this.#onEventsCommitted(newest);
    return result;
  }
}
