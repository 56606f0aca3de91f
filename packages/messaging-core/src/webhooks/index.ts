// @parley/messaging-core/webhooks: this context's public names (the package index re-exports them).

export type {
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
} from './model/webhook-delivery.js';
export {
  RESPONSE_SNIPPET_MAX,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_PING_TYPE,
  WEBHOOK_RETRY_WINDOW_MS,
  webhookRetryDelayMs,
} from './model/webhook-delivery.js';
export type {
  WebhookDisabledReason,
  WebhookEndpoint,
  WebhookOwner,
  WebhookSecret,
} from './model/webhook-endpoint.js';
export {
  ALL_WEBHOOK_EVENTS,
  endpointReceives,
  WEBHOOK_SECRET_OVERLAP_MS,
  webhookSecretContext,
} from './model/webhook-endpoint.js';
export type { WebhookBody } from './model/webhook-payload.js';
export { eventWebhookBody, orderingKeyOf, pingWebhookBody } from './model/webhook-payload.js';
export type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookAttemptOutcome,
  WebhookDeliveryQuery,
  WebhookDeliveryRepository,
} from './ports/webhook-delivery-repository.js';
export type {
  WebhookEndpointChanges,
  WebhookEndpointCursor,
  WebhookEndpointRepository,
} from './ports/webhook-endpoint-repository.js';
export type { WebhookRepositories, WebhookStore } from './ports/webhook-store.js';
export type {
  WebhookRequest,
  WebhookResponse,
  WebhookSecretGenerator,
  WebhookTransport,
} from './ports/webhook-transport.js';
export { WEBHOOK_SUBSCRIBER, webhookEventSubscriber } from './use-cases/webhook-event-subscriber.js';
export type {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  ProcessWebhooksResult,
  RotatedWebhookSecret,
  UpdateWebhookEndpointInput,
  WebhookDeliveryDetail,
  WebhookDeliveryPage,
  WebhookEndpointPage,
  WebhooksCore,
  WebhooksDependencies,
} from './webhooks-core.js';
export { createWebhooksCore } from './webhooks-core.js';
