import type { RaiseAdminNotificationInput } from '../../alerts/admin-notifications-core.js';
import type { AdminNotification } from '../../alerts/model/admin-notification.js';
import type { AccessPolicy } from '../../conversations/policy/access-policy.js';
import type { Clock } from '../../kernel/ports/clock.js';
import type { Directory } from '../../kernel/ports/directory.js';
import type { IdGenerator } from '../../kernel/ports/id-generator.js';
import type { TenantDirectory } from '../../kernel/ports/tenant-directory.js';
import type { SendFailureAlertPolicy } from '../model/send-failure-streaks.js';
import type { EmailLogRepository } from '../ports/email-log-repository.js';
import type { HtmlSanitizer } from '../ports/html-sanitizer.js';
import type { MailAddress } from '../ports/mail-transport.js';
import type { MailTransportFactory } from '../ports/mail-transport-factory.js';
import type { OutboundAddressGuard } from '../ports/outbound-address-guard.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import type { SendFailureStreakRepository } from '../ports/send-failure-streak-repository.js';
import type { StoreEmailSettingsRepository } from '../ports/store-email-settings-repository.js';

/** What the email use cases run against. */
export interface EmailContext {
  /** Who may manage which tenant's email settings and read which email log. */
  readonly policy: AccessPolicy;
  /**
   * Tenants (name and plan, `getTenant`) and people (`resolve`: a store user's own address for
   * the test email), from whichever directory the preset uses.
   */
  readonly directory: Pick<Directory, 'resolve'> & TenantDirectory;
  readonly emailSettings: StoreEmailSettingsRepository;
  readonly emailLogs: EmailLogRepository;
  readonly cipher: SecretCipher;
  readonly transports: MailTransportFactory;
  /** Judges every host a store may point Parley at (its SMTP host), when saved and before connecting. */
  readonly outboundGuard: OutboundAddressGuard;
  /** The platform's sender, used with the platform default transport. */
  readonly platformFrom: MailAddress;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Raises admin notifications for failing stores; absent: none are raised. */
  readonly adminAlerts?: EmailAdminAlerts;
  /** Cleans stores' HTML signatures; absent: HTML parts carry the escaped text signature. */
  readonly htmlSanitizer?: HtmlSanitizer;
}

/** How the email use cases tell admins about a store's failing provider. */
export interface EmailAdminAlerts {
  readonly raise: (input: RaiseAdminNotificationInput) => Promise<AdminNotification>;
  /** Null: failed sends raise nothing. */
  readonly sendFailures: {
    readonly policy: SendFailureAlertPolicy;
    readonly streaks: SendFailureStreakRepository;
  } | null;
}
