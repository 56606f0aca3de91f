import type {
  ConversationRepository,
  MessageRepository,
  MessagingRepositories,
  MessagingStore,
  ParticipantRepository,
} from '@parley/messaging-core';
import type { Kysely } from 'kysely';
import type { Database } from './database-types.js';
import { KyselyConversationRepository } from './kysely-conversation-repository.js';
import { KyselyMessageRepository } from './kysely-message-repository.js';
import { KyselyParticipantRepository } from './kysely-participant-repository.js';

export interface KyselyMessagingStoreConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
}

/** The three repositories over one connection: the store's pool, or one transaction. */
class KyselyRepositories implements MessagingRepositories {
  readonly conversations: ConversationRepository;
  readonly participants: ParticipantRepository;
  readonly messages: MessageRepository;

  constructor(db: Kysely<Database>) {
    this.conversations = new KyselyConversationRepository(db);
    this.participants = new KyselyParticipantRepository(db);
    this.messages = new KyselyMessageRepository(db);
  }
}

/**
 * `MessagingStore` over PostgreSQL or PGlite. Outside `transaction`, each call is one atomic
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
export class KyselyMessagingStore implements MessagingStore {
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

  constructor(config: KyselyMessagingStoreConfig) {
    this.#db = config.db;
    const repositories = new KyselyRepositories(config.db);
    this.conversations = repositories.conversations;
    this.participants = repositories.participants;
    this.messages = repositories.messages;
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
  transaction<T>(work: (tx: MessagingRepositories) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => work(new KyselyRepositories(trx)));
  }
}
