import { MessagingError } from '../../kernel/errors.js';
import type { DeliveryEvent } from '../model/delivery-event.js';
import type { EmailLog } from '../model/email-log.js';
import type {
  ApplyEventResult,
  DeliveryEventReducer,
  EmailLogQuery,
  EmailLogRepository,
  EmailSendOutcome,
} from '../ports/email-log-repository.js';
import type { EmailLogRawReader } from './contracts/raw-readers.js';

const eventKey = (provider: string, eventId: string) => JSON.stringify([provider, eventId]);

function newestFirst(a: EmailLog, b: EmailLog): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  return byTime !== 0 ? byTime : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The email log in memory (the reference the SQL adapter is held to by the contract suite).
 *
 * @example
 * ```ts
 * const logs = new InMemoryEmailLogRepository();
 * await logs.create(log);
 * (await logs.raw.log(log.id))?.status; // "pending"
 * ```
 */
export class InMemoryEmailLogRepository implements EmailLogRepository {
  readonly #logs = new Map<string, EmailLog>();
  /** (provider, eventId) → the log id and when it was processed. */
  readonly #processed = new Map<string, { emailLogId: string; type: string; processedAt: Date }>();

  /** Every log, in id order (for test adapters reading across contexts, e.g. GDPR exports). */
  all(): EmailLog[] {
    return [...this.#logs.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((log) => structuredClone(log));
  }

  /** Replaces a stored log by id (for test adapters that rewrite logs, e.g. GDPR erasure). */
  replace(log: EmailLog): void {
    if (!this.#logs.has(log.id)) throw MessagingError.notFound('email log', log.id);
    this.#logs.set(log.id, structuredClone(log));
  }

  async create(log: EmailLog): Promise<void> {
    if (this.#logs.has(log.id)) throw new MessagingError('CONFLICT', `email log ${log.id} already exists`);
    this.#logs.set(log.id, structuredClone(log));
  }

  async recordSendOutcome(id: string, outcome: EmailSendOutcome): Promise<EmailLog> {
    const log = this.#logs.get(id);
    if (!log) throw MessagingError.notFound('email log', id);
    const next: EmailLog =
      outcome.status === 'sent'
        ? {
            ...log,
            status: 'sent',
            provider: outcome.provider,
            providerMessageId: outcome.providerMessageId,
            sentAt: outcome.sentAt,
            errorMessage: null,
            updatedAt: outcome.updatedAt,
          }
        : {
            ...log,
            status: 'failed',
            provider: outcome.provider,
            errorMessage: outcome.errorMessage,
            retryCount: outcome.retryCount,
            updatedAt: outcome.updatedAt,
          };
    this.#logs.set(id, structuredClone(next));
    return structuredClone(next);
  }

  async findById(id: string): Promise<EmailLog | null> {
    const log = this.#logs.get(id);
    return log ? structuredClone(log) : null;
  }

  async findByProviderMessageId(provider: string, providerMessageId: string): Promise<EmailLog | null> {
    for (const log of this.#logs.values()) {
      if (log.provider === provider && log.providerMessageId === providerMessageId)
        return structuredClone(log);
    }
    return null;
  }

  async list(query: EmailLogQuery): Promise<EmailLog[]> {
    const recipient = query.recipient?.toLowerCase();
    return [...this.#logs.values()]
      .filter(
        (log) =>
          (query.status === undefined || log.status === query.status) &&
          (query.storeId === undefined || log.storeId === query.storeId) &&
          (recipient === undefined || log.recipient.toLowerCase() === recipient) &&
          (query.from === undefined || log.createdAt.getTime() >= query.from.getTime()) &&
          (query.to === undefined || log.createdAt.getTime() < query.to.getTime()) &&
          (query.after === undefined ||
            log.createdAt.getTime() < query.after.createdAt.getTime() ||
            (log.createdAt.getTime() === query.after.createdAt.getTime() && log.id < query.after.id)),
      )
      .sort(newestFirst)
      .slice(0, query.limit)
      .map((log) => structuredClone(log));
  }

  async applyEvent(event: DeliveryEvent, reduce: DeliveryEventReducer, at: Date): Promise<ApplyEventResult> {
    // No await below: the lookup, the duplicate check and the write happen in one turn.
    let log = event.emailId === null ? undefined : this.#logs.get(event.emailId);
    if (log === undefined && event.providerMessageId !== null) {
      log = [...this.#logs.values()].find(
        (l) => l.provider === event.provider && l.providerMessageId === event.providerMessageId,
      );
    }
    if (log === undefined) return { outcome: 'unmatched' };
    const key = eventKey(event.provider, event.eventId);
    const processed = this.#processed.get(key);
    if (processed) return { outcome: 'duplicate', emailLogId: processed.emailLogId };
    const next = reduce(structuredClone(log), event);
    if (next === null) return { outcome: 'unmatched' };
    this.#processed.set(key, { emailLogId: log.id, type: event.type, processedAt: at });
    this.#logs.set(log.id, structuredClone({ ...next, id: log.id }));
    return { outcome: 'applied', log: structuredClone(next) };
  }

  readonly raw: EmailLogRawReader = {
    log: async (id) => this.#logs.get(id) ?? null,
    processedEvents: async (emailLogId) =>
      [...this.#processed.entries()]
        .filter(([, p]) => p.emailLogId === emailLogId)
        .map(([key, p]) => {
          const [provider, eventId] = JSON.parse(key) as [string, string];
          return { provider, eventId, type: p.type, processedAt: p.processedAt };
        })
        .sort((a, b) => (a.provider + a.eventId < b.provider + b.eventId ? -1 : 1)),
    count: async () => this.#logs.size,
  };
}
