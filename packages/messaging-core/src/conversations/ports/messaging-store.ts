import type { BlockRepository } from './block-repository.js';
import type { ConversationRepository } from './conversation-repository.js';
import type { EventLog } from './event-log.js';
import type { MessageRepository } from './message-repository.js';
import type { ParticipantRepository } from './participant-repository.js';

/**
 * The repositories, bound either to the store's default connection or to one transaction. Only
 * this context's: a store that also holds another context's repositories in the same unit of work
 * declares a wider transaction in that context (e.g. `NotifyingMessagingStore`).
 */
export interface MessagingRepositories {
  readonly conversations: ConversationRepository;
  readonly participants: ParticipantRepository;
  readonly messages: MessageRepository;
  /** Who blocked whom (presets with blocking). */
  readonly blocks: BlockRepository;
  /** The event log: append a change's events through the same `tx` as the change. */
  readonly events: EventLog;
}

/**
 * Persistence of conversations, with an explicit unit of work. Outside `transaction`, each call
 * is atomic on its own; inside, every call made through `tx` commits together or not at all.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   await tx.conversations.setClosed(id, { isClosed: true, at, by: actor });
 *   await tx.messages.append({ message: systemMessage, requireOpen: false });
 *   await tx.events.append([closedEvent]);
 * }); // all or nothing
 * ```
 */
export interface MessagingStore extends MessagingRepositories {
  /**
   * Runs `work` in one transaction and returns its result. If `work` throws, everything it did
   * is rolled back and the error is rethrown. Transactions do not nest. After a repository call
   * fails inside `work`, the transaction is unusable (PostgreSQL aborts it): rethrow, don't
   * carry on.
   */
  transaction<T>(work: (tx: MessagingRepositories) => Promise<T>): Promise<T>;
}
