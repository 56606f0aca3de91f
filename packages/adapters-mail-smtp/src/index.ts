export type { MailMessageOptions } from './mail-message.js';
export { buildMailMessage, PARLEY_MAIL_HEADERS, parleyMessageId } from './mail-message.js';
export type { SmtpErrorContext } from './smtp-errors.js';
export { isRetryableSmtpError, toSmtpMessagingError } from './smtp-errors.js';
export type { SmtpMailTransportConfig } from './smtp-mail-transport.js';
export { SmtpMailTransport } from './smtp-mail-transport.js';
