import type {
  EventLog,
  WebhookDeliveryRepository,
  WebhookEndpointRepository,
  WebhookRepositories,
  WebhookStore,
} from '@parley/messaging-core';
import type { Kysely } from 'kysely';
import { KyselyEventLog } from '../conversations/kysely-event-log.js';
import type { Database } from '../database-types.js';
import { KyselyWebhookDeliveryRepository } from './kysely-webhook-delivery-repository.js';
import { KyselyWebhookEndpointRepository } from './kysely-webhook-endpoint-repository.js';

/**
 * `WebhookStore` on PostgreSQL or PGlite: the event log and the webhook tables of one database,
 * so the webhook subscriber's deliveries commit with its cursor. Outside `transaction`, each call
 * is atomic on its own (one statement).
 *
 * @example
 * ```ts
 * const webhooks = new KyselyWebhookStore({ db: database.db });
 * createEventDispatcher({ store: webhooks, subscribers: [webhooksCore.subscriber()] });
 * ```
 */
export class KyselyWebhookStore implements WebhookStore {
  readonly #db: Kysely<Database>;
  /** The event log on the store's pool (the dispatcher reads and prunes nothing through it here). */
  readonly events: EventLog;
  /** Endpoints and secrets on the store's pool. */
  readonly webhookEndpoints: WebhookEndpointRepository;
  /** The delivery outbox on the store's pool. */
  readonly webhookDeliveries: WebhookDeliveryRepository;

  constructor(config: { readonly db: Kysely<Database> }) {
    this.#db = config.db;
    this.events = new KyselyEventLog(config.db);
    this.webhookEndpoints = new KyselyWebhookEndpointRepository(config.db);
    this.webhookDeliveries = new KyselyWebhookDeliveryRepository(config.db);
  }

  /** Runs `work` in one transaction with the log and the webhook tables bound to it. */
  async transaction<T>(work: (tx: WebhookRepositories) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) =>
      work({
        events: new KyselyEventLog(trx),
        webhookEndpoints: new KyselyWebhookEndpointRepository(trx),
        webhookDeliveries: new KyselyWebhookDeliveryRepository(trx),
      }),
    );
  }
}
