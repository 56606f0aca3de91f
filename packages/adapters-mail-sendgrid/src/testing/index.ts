export type {
  AcceptedSendGridMail,
  LocalSendGridServerOptions,
  SendGridAddressJson,
  SendGridInjectedFailure,
  SendGridMailSendBody,
} from './local-sendgrid-server.js';
export {
  LocalSendGridServer,
  SENDGRID_TOO_MANY_REQUESTS_BODY,
  SENDGRID_UNAUTHORIZED_BODY,
  startLocalSendGridServer,
} from './local-sendgrid-server.js';
export type { SignedSendGridWebhook } from './sendgrid-webhook-signer.js';
export { SendGridWebhookSigner, sampleSendGridEvents } from './sendgrid-webhook-signer.js';
