export type { SendGridApiError } from './sendgrid-errors.js';
export { classifySendGridError } from './sendgrid-errors.js';
export type { SendGridMailTransportConfig } from './sendgrid-mail-transport.js';
export {
  SENDGRID_DEFAULT_TIMEOUT_MS,
  SENDGRID_PARLEY_ID_ARG,
  SendGridMailTransport,
} from './sendgrid-mail-transport.js';
