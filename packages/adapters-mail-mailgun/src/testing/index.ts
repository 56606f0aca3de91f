export type {
  AcceptedMailgunMessage,
  LocalMailgunServerOptions,
  MailgunFormField,
  MailgunInjectedFailure,
} from './local-mailgun-server.js';
export {
  LocalMailgunServer,
  MAILGUN_INVALID_TO_BODY,
  MAILGUN_TOO_MANY_REQUESTS_BODY,
  MAILGUN_UNAUTHORIZED_BODY,
  startLocalMailgunServer,
} from './local-mailgun-server.js';
export type { ParsedMailbox } from './mail-address-parser.js';
export { parseAddressList, parseMailbox } from './mail-address-parser.js';
export type { MailgunSignatureBlock, SampleMailgunEventOptions } from './mailgun-webhook-signer.js';
export { MailgunWebhookSigner, sampleMailgunEventData } from './mailgun-webhook-signer.js';
