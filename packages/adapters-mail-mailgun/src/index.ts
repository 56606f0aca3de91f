export { classifyMailgunError } from './mailgun-errors.js';
export type { MailgunMailTransportConfig } from './mailgun-mail-transport.js';
export {
  formatMailgunAddress,
  MAILGUN_DEFAULT_TIMEOUT_MS,
  MAILGUN_PARLEY_ID_VARIABLE,
  MailgunMailTransport,
} from './mailgun-mail-transport.js';
export type { MailgunEndpointConfig, MailgunRegion } from './mailgun-region.js';
export { MAILGUN_BASE_URLS, mailgunBaseUrl } from './mailgun-region.js';
export type { MailgunWebhookConfig, MailgunWebhookRequest } from './mailgun-webhook.js';
export { MAILGUN_WEBHOOK_DEFAULT_MAX_AGE_SECONDS, MailgunWebhook } from './mailgun-webhook.js';
