export type { SendGridApiError } from './sendgrid-errors.js';
export { classifySendGridError } from './sendgrid-errors.js';
export type { SendGridEventWebhookConfig, SendGridWebhookRequest } from './sendgrid-event-webhook.js';
export {
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  SENDGRID_WEBHOOK_DEFAULT_MAX_AGE_SECONDS,
  SendGridEventWebhook,
  sendGridMessageId,
} from './sendgrid-event-webhook.js';
export type { SendGridMailTransportConfig } from './sendgrid-mail-transport.js';
export {
  SENDGRID_DEFAULT_TIMEOUT_MS,
  SENDGRID_PARLEY_ID_ARG,
  SendGridMailTransport,
} from './sendgrid-mail-transport.js';
