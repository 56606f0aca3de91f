// @parley/messaging-core/email: this context's public names (the package index re-exports them).

export type { EmailCore, EmailCoreDependencies, SendFailureAlertOptions } from './email-core.js';
export { createEmailCore } from './email-core.js';
export type {
  EmailTemplatesCore,
  EmailTemplatesCoreDependencies,
  RenderEmailInput,
  RenderedEmail,
  SaveStoreEmailTemplateInput,
  StoreEmailTemplateView,
  UpdateEmailTemplateInput,
} from './email-templates-core.js';
export { createEmailTemplatesCore } from './email-templates-core.js';
export type { DefaultEmailTemplate } from './model/default-templates.js';
export { DEFAULT_EMAIL_TEMPLATES, INBOUND_BOUNCE_TEMPLATES } from './model/default-templates.js';
export type { DeliveryEvent, DeliveryEventType } from './model/delivery-event.js';
export { DELIVERY_EVENT_TYPES } from './model/delivery-event.js';
export { DELIVERY_EVENTS_KEY, reduceDeliveryEvent } from './model/delivery-event-reducer.js';
export { isValidEmail } from './model/email-address.js';
export type { EmailLog, EmailStatus } from './model/email-log.js';
export { EMAIL_STATUSES } from './model/email-log.js';
export type { EmailSettingsShape } from './model/email-settings-policy.js';
export {
  allowedProviders,
  assertProviderAllowed,
  EMAIL_PROVIDER_TIERS,
  isProviderAllowed,
  validateEmailSettings,
} from './model/email-settings-policy.js';
export type {
  EmailTemplate,
  EmailTemplateCategory,
  StoreEmailTemplate,
  TemplateScalar,
  TemplateVariable,
  TemplateVariables,
} from './model/email-template.js';
export { DEFAULT_TEMPLATE_LANGUAGE, EMAIL_TEMPLATE_CATEGORIES } from './model/email-template.js';
export { NETWORK_ERROR_CODES, TIMEOUT_ERROR_CODES } from './model/mail-failures.js';
export { prepareOutboundEmail, stripLineBreaks } from './model/outbound-email.js';
export type { ResolvedEmailTemplate } from './model/resolve-email-template.js';
export { missingVariables, resolveEmailTemplate } from './model/resolve-email-template.js';
export type { SendFailureAlertPolicy } from './model/send-failure-streaks.js';
export {
  assertSendFailureAlertPolicy,
  keepRecentFailures,
} from './model/send-failure-streaks.js';
export type {
  EmailProvider,
  EmailSecretField,
  MailgunRegion,
  StoreEmailSettings,
} from './model/store-email-settings.js';
export { EMAIL_PROVIDERS, EMAIL_SECRET_FIELDS, MAILGUN_REGIONS } from './model/store-email-settings.js';
export type { EmailBody } from './model/store-signature.js';
export { withStoreSignature } from './model/store-signature.js';
export type {
  ApplyEventResult,
  DeliveryEventReducer,
  EmailLogCursor,
  EmailLogQuery,
  EmailLogRepository,
  EmailSendOutcome,
} from './ports/email-log-repository.js';
export type { EmailTemplateRepository } from './ports/email-template-repository.js';
export type { HtmlSanitizer } from './ports/html-sanitizer.js';
export type { MailAddress, MailSendResult, MailTransport, OutboundEmail } from './ports/mail-transport.js';
export type { MailTransportFactory, StoreMailTransportConfig } from './ports/mail-transport-factory.js';
export type {
  OutboundAddressGuard,
  OutboundAddressVerdict,
  OutboundRefusalReason,
} from './ports/outbound-address-guard.js';
export { CLOUD_METADATA_ADDRESSES } from './ports/outbound-address-guard.js';
export type { SecretCipher } from './ports/secret-cipher.js';
export type {
  SendFailureStreakRepository,
  SendFailureStreakUpdate,
} from './ports/send-failure-streak-repository.js';
export type { StoreEmailSettingsRepository } from './ports/store-email-settings-repository.js';
export type { RenderOptions, TemplateRenderer, TemplateSyntaxError } from './ports/template-renderer.js';
export type { WebhookReplayClaim, WebhookReplayGuard } from './ports/webhook-replay-guard.js';
export type { DeliveryEventOutcome, DeliveryEventResult } from './use-cases/apply-delivery-events.js';
export { applyDeliveryEvents } from './use-cases/apply-delivery-events.js';
export type { EmailLogList, ListEmailLogsInput } from './use-cases/list-email-logs.js';
export type { ChosenTransport, SendEmailInput, SendEmailResult } from './use-cases/send-email.js';
export { EMAIL_SEND_FAILURES_ISSUE } from './use-cases/send-email.js';
export type {
  MaskedSecret,
  StoreEmailSettingsView,
  UpdateStoreEmailSettingsInput,
  VerifyStoreEmailSettingsResult,
} from './use-cases/store-email-settings-use-cases.js';
export { EMAIL_VERIFICATION_FAILED_ISSUE } from './use-cases/store-email-settings-use-cases.js';
