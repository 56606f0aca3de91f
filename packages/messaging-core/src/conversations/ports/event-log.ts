import type { EventSubscriberOf } from '../../kernel/events/event-dispatcher.js';
import type { EventBatchOf, EventLogOf } from '../../kernel/ports/event-log.js';
import type { DomainEvent, LoggedEvent } from '../model/domain-event.js';
import type { MessagingRepositories } from './messaging-store.js';

/** One read of the log, in this context's vocabulary. */
export type EventBatch = EventBatchOf<LoggedEvent>;

/**
 * The kernel's durable event log (`EventLogOf`: ordering, visibility, cursors) bound to the
 * conversation events: appends `DomainEvent`s, reads `LoggedEvent`s.
 *
 * **Recording an event (for use cases).** Make the change and append its event through the same
 * `tx`, so both commit or neither:
 *
 * ```ts
 * await ctx.store.transaction(async (tx) => {
 *   await tx.conversations.setClosed(conversationId, { isClosed: true, at: now, by });
 *   await tx.events.append([
 *     { type: 'conversation.closed', occurredAt: now, actor: by, tenantId: conversation.storeId, conversationId, conversation },
 *   ]);
 * });
 * ```
 *
 * A use case whose change is a single repository call wraps it in `store.transaction` to do this.
 * Two hot paths write their event inside their own single statement instead:
 * `MessageRepository.append` (`message.sent`) and `ParticipantRepository.markRead`
 * (`conversation.read`).
 *
 * **A new event type** (e.g. `participant.added`): (1) add its interface to the `DomainEvent`
 * union (`model/domain-event.ts`, extending `EventBase`); (2) give it a payload in
 * `EventPayloads` and a case in `toEventRecord` (snake_case JSON, ISO timestamps; add fields
 * later, never rename); (3) append it as above. Adapters need no change: they store whatever
 * `toEventRecord` returns.
 */
export type EventLog = EventLogOf<DomainEvent, LoggedEvent>;

/**
 * A subscriber of the conversation events (see `EventSubscriberOf`), writing through `TTx`: the
 * messaging repositories, or a wider unit of work such as `NotifyingRepositories`.
 *
 * @example
 * ```ts
 * const auditTrail: EventSubscriber = {
 *   name: 'audit_trail',
 *   handle: async (events, tx) => { for (const e of events) await writeAudit(tx, e); },
 * };
 * ```
 */
export type EventSubscriber<TTx extends MessagingRepositories = MessagingRepositories> = EventSubscriberOf<
  LoggedEvent,
  TTx
>;
