export type { SesFailureKind } from './ses-error-classifier.js';
export { classifySesFailure, SES_ERROR_KINDS, toSesMessagingError } from './ses-error-classifier.js';
export type { SesEventWebhookConfig, SesWebhookRequest, SesWebhookResult } from './ses-event-webhook.js';
export { parseSesEvent, SesEventWebhook } from './ses-event-webhook.js';
export type { SesMailTransportConfig } from './ses-mail-transport.js';
export {
  createSesClientConfig,
  SES_DEFAULT_CONNECTION_TIMEOUT_MS,
  SES_DEFAULT_REQUEST_TIMEOUT_MS,
  SesMailTransport,
} from './ses-mail-transport.js';
export type { SesSendEmailOptions } from './ses-message.js';
export {
  formatSesAddress,
  SES_EMAIL_ID_HEADER,
  SES_EMAIL_ID_TAG,
  SES_MAX_MESSAGE_TAGS,
  SES_TAG_MAX_LENGTH,
  sanitizeSesTag,
  toSesSendEmailRequest,
} from './ses-message.js';
export type {
  SnsFetchText,
  SnsMessage,
  SnsMessageType,
  SnsMessageVerifierConfig,
} from './sns-message-verifier.js';
export {
  defaultSnsFetchText,
  SNS_CERT_HOST_PATTERN,
  SnsMessageVerifier,
  snsStringToSign,
} from './sns-message-verifier.js';
