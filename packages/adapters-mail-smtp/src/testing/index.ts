export type {
  LocalSmtpAuthAttempt,
  LocalSmtpReceivedEmail,
  LocalSmtpServer,
  LocalSmtpServerOptions,
  LocalSmtpStage,
  LocalSmtpUser,
} from './local-smtp-server.js';
export { startLocalSmtpServer } from './local-smtp-server.js';
export type { ParsedEmail } from './received-email.js';
export { parseReceivedEmail } from './received-email.js';
export type { TestCertificate } from './test-certificate.js';
export { createTestCertificate } from './test-certificate.js';
