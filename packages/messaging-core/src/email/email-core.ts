import type { AdminNotificationsCore } from '../alerts/admin-notifications-core.js';
import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import { marketplacePolicy } from '../conversations/policy/marketplace-policy.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { type Clock, systemClock } from '../kernel/ports/clock.js';
import type { Directory } from '../kernel/ports/directory.js';
import { type IdGenerator, uuidV7Ids } from '../kernel/ports/id-generator.js';
import type { TenantDirectory } from '../kernel/ports/tenant-directory.js';
import type { DeliveryEvent } from './model/delivery-event.js';
import { assertSendFailureAlertPolicy, type SendFailureAlertPolicy } from './model/send-failure-streaks.js';
import type { EmailLogRepository } from './ports/email-log-repository.js';
import type { HtmlSanitizer } from './ports/html-sanitizer.js';
import type { MailAddress } from './ports/mail-transport.js';
import type { MailTransportFactory } from './ports/mail-transport-factory.js';
import type { OutboundAddressGuard } from './ports/outbound-address-guard.js';
import type { SecretCipher } from './ports/secret-cipher.js';
import type { SendFailureStreakRepository } from './ports/send-failure-streak-repository.js';
import type { StoreEmailSettingsRepository } from './ports/store-email-settings-repository.js';
import { applyDeliveryEvents, type DeliveryEventResult } from './use-cases/apply-delivery-events.js';
import type { EmailContext } from './use-cases/email-context.js';
import { type EmailLogList, type ListEmailLogsInput, listEmailLogs } from './use-cases/list-email-logs.js';
import { type SendEmailInput, type SendEmailResult, sendEmail } from './use-cases/send-email.js';
import {
  getStoreEmailSettings,
  getStoreEmailSettingsForAdmin,
  type StoreEmailSettingsView,
  type UpdateStoreEmailSettingsInput,
  updateStoreEmailSettings,
  type VerifyStoreEmailSettingsResult,
  verifyStoreEmailSettings,
} from './use-cases/store-email-settings-use-cases.js';

export interface EmailCoreDependencies {
  /** Who may manage which tenant's email; defaults to `marketplacePolicy`. */
  readonly policy?: AccessPolicy;
  /**
   * Tenants (name and plan, `getTenant`) and people (`resolve`: a store user's own address for
   * the test email), from whichever directory the preset uses.
   */
  readonly directory: Pick<Directory, 'resolve'> & TenantDirectory;
  readonly emailSettings: StoreEmailSettingsRepository;
  readonly emailLogs: EmailLogRepository;
  readonly cipher: SecretCipher;
  readonly transports: MailTransportFactory;
  /**
   * Refuses store-chosen hosts on loopback, private, link-local, CGNAT, multicast, unspecified or
   * cloud metadata addresses: checked when a store saves its SMTP host and again before every
   * connection (verify and send), which then goes to the checked address.
   */
  readonly outboundGuard: OutboundAddressGuard;
  /** The sender of platform mail (config `PARLEY_MAIL_FROM`). */
  readonly platformFrom: MailAddress;
  /** Defaults to the wall clock. */
  readonly clock?: Clock;
  /** Defaults to UUIDv7. */
  readonly ids?: IdGenerator;
  /**
   * Admin notifications raised when a store's provider fails verification or keeps failing
   * sends; absent: none are raised.
   */
  readonly adminNotifications?: Pick<AdminNotificationsCore, 'raiseAdminNotification'>;
  /**
   * When failed sends raise a notification (config `PARLEY_ADMIN_ALERT_SEND_FAILURES` and
   * `…_WINDOW`) and where the streaks are counted (the database, so every process shares them);
   * absent: never.
   */
  readonly sendFailureAlert?: SendFailureAlertOptions;
  /**
   * Cleans stores' HTML signatures before they are added to their emails; absent: the HTML part
   * gets the store's text signature, escaped, instead.
   */
  readonly htmlSanitizer?: HtmlSanitizer;
}

/** The send-failure alert rule and the streaks it counts in. */
export interface SendFailureAlertOptions extends SendFailureAlertPolicy {
  readonly streaks: SendFailureStreakRepository;
}

/** Parley's email use cases, bound to their ports. Failures are `MessagingError`s. */
export interface EmailCore {
  getStoreEmailSettings(actor: Actor): Promise<StoreEmailSettingsView>;
  updateStoreEmailSettings(
    actor: Actor,
    input: UpdateStoreEmailSettingsInput,
  ): Promise<StoreEmailSettingsView>;
  verifyStoreEmailSettings(actor: Actor): Promise<VerifyStoreEmailSettingsResult>;
  getStoreEmailSettingsForAdmin(actor: Actor, storeId: string): Promise<StoreEmailSettingsView>;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
  applyDeliveryEvents(events: readonly DeliveryEvent[]): Promise<DeliveryEventResult[]>;
  listEmailLogs(actor: Actor, input?: ListEmailLogsInput): Promise<EmailLogList>;
}

/**
 * Builds the email use cases from their ports (the composition root calls this once).
 *
 * @example
 * ```ts
 * const email = createEmailCore({
 *   directory, emailSettings: new InMemoryStoreEmailSettingsRepository(directory),
 *   emailLogs: new InMemoryEmailLogRepository(), cipher, transports,
 *   platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
 * });
 * await email.applyDeliveryEvents(events);
 * ```
 */
export function createEmailCore(deps: EmailCoreDependencies): EmailCore {
  const alert = deps.sendFailureAlert;
  if (alert) assertSendFailureAlertPolicy(alert);
  const ctx: EmailContext = {
    policy: deps.policy ?? marketplacePolicy,
    directory: deps.directory,
    emailSettings: deps.emailSettings,
    emailLogs: deps.emailLogs,
    cipher: deps.cipher,
    transports: deps.transports,
    outboundGuard: deps.outboundGuard,
    platformFrom: deps.platformFrom,
    clock: deps.clock ?? systemClock,
    ids: deps.ids ?? uuidV7Ids,
    ...(deps.htmlSanitizer ? { htmlSanitizer: deps.htmlSanitizer } : {}),
    ...(deps.adminNotifications
      ? {
          adminAlerts: {
            raise: deps.adminNotifications.raiseAdminNotification,
            sendFailures: alert
              ? {
                  policy: { threshold: alert.threshold, windowMs: alert.windowMs },
                  streaks: alert.streaks,
                }
              : null,
          },
        }
      : {}),
  };
  return {
    getStoreEmailSettings: (actor) => getStoreEmailSettings(ctx, actor),
    updateStoreEmailSettings: (actor, input) => updateStoreEmailSettings(ctx, actor, input),
    verifyStoreEmailSettings: (actor) => verifyStoreEmailSettings(ctx, actor),
    getStoreEmailSettingsForAdmin: (actor, storeId) => getStoreEmailSettingsForAdmin(ctx, actor, storeId),
    sendEmail: (input) => sendEmail(ctx, input),
    applyDeliveryEvents: (events) => applyDeliveryEvents(ctx, events),
    listEmailLogs: (actor, input) => listEmailLogs(ctx, actor, input),
  };
}
