import { MessagingError } from '../../kernel/errors.js';
import type { StoreTier } from '../../kernel/ports/marketplace-directory.js';
import { isValidEmail } from './email-address.js';
import {
  EMAIL_PROVIDERS,
  type EmailProvider,
  MAILGUN_REGIONS,
  type StoreEmailSettings,
} from './store-email-settings.js';

/** The tiers each provider is open to: the API providers are a paid feature, SMTP is for all. */
export const EMAIL_PROVIDER_TIERS: Readonly<Record<EmailProvider, readonly StoreTier[]>> = {
  smtp: ['essential', 'professional', 'business', 'enterprise'],
  sendgrid: ['business', 'enterprise'],
  mailgun: ['business', 'enterprise'],
  ses: ['business', 'enterprise'],
};

/** @example `isProviderAllowed('sendgrid', 'essential')` → false */
export function isProviderAllowed(provider: EmailProvider, tier: StoreTier): boolean {
  return EMAIL_PROVIDER_TIERS[provider].includes(tier);
}

/** The providers a tier may choose, in `EMAIL_PROVIDERS` order. */
export function allowedProviders(tier: StoreTier): EmailProvider[] {
  return EMAIL_PROVIDERS.filter((p) => isProviderAllowed(p, tier));
}

/**
 * `FORBIDDEN` naming the tiers the provider needs, when the store's tier is not among them.
 *
 * @example
 * ```ts
 * assertProviderAllowed('ses', 'professional');
 * // MessagingError FORBIDDEN: "provider ses requires the business or enterprise tier; this store is on the professional tier"
 * ```
 */
export function assertProviderAllowed(provider: EmailProvider, tier: StoreTier, field = 'provider'): void {
  if (isProviderAllowed(provider, tier)) return;
  const tiers = EMAIL_PROVIDER_TIERS[provider];
  const named = tiers.length > 1 ? `${tiers.slice(0, -1).join(', ')} or ${tiers.at(-1)}` : tiers[0];
  throw new MessagingError(
    'FORBIDDEN',
    `provider ${provider} requires the ${named} tier; this store is on the ${tier} tier`,
    { field, details: { provider, required_tiers: [...tiers], current_tier: tier } },
  );
}

/**
 * `VALIDATION` naming the field, for a host the outbound guard refused (`forbidden_address` or
 * `invalid_host`). The message says what is wrong without the address DNS answered.
 *
 * @example
 * ```ts
 * refusedHostError('smtp_host', '10.0.0.1').message;
 * // "smtp_host 10.0.0.1 is not a public host: …"
 * ```
 */
export function refusedHostError(field: string, host: string): MessagingError {
  return MessagingError.validation(
    field,
    `${field} ${host} is not a public host: it is, or resolves to, a loopback, private, link-local, shared (CGNAT), multicast, reserved or cloud metadata address, which stores may not use`,
  );
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

/** The stored-or-input shape of every field checked by `validateEmailSettings` (secrets: set or not). */
export type EmailSettingsShape = Omit<StoreEmailSettings, 'createdAt' | 'updatedAt'>;

const REQUIRED: Readonly<Record<EmailProvider, readonly (keyof EmailSettingsShape)[]>> = {
  smtp: ['smtpHost', 'smtpPort'],
  sendgrid: ['sendgridApiKey'],
  mailgun: ['mailgunApiKey', 'mailgunDomain', 'mailgunRegion'],
  ses: ['sesAccessKeyId', 'sesSecretAccessKey', 'sesRegion'],
};

/** camelCase field → the snake_case name callers use. */
export function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The provider's required fields that are still empty, snake_case. */
export function missingFields(settings: EmailSettingsShape): string[] {
  if (settings.provider === null) return [];
  const required: (keyof EmailSettingsShape)[] = ['fromEmail', ...REQUIRED[settings.provider]];
  return required.filter((f) => settings[f] === null || settings[f] === '').map(snakeCase);
}

function text(value: string | null, field: string, max: number, singleLine: boolean): void {
  if (value === null) return;
  if (value.length > max)
    throw MessagingError.validation(field, `${field} must be at most ${max} characters`);
  if (singleLine && LINE_BREAK.test(value))
    throw MessagingError.validation(field, `${field} must not contain line breaks`);
}

/**
 * Checks a complete settings value (after a partial update is merged): valid addresses, hosts
 * and ports, known regions, and every field the chosen provider needs. Fails with `VALIDATION`
 * naming the snake_case field.
 *
 * @example
 * ```ts
 * validateEmailSettings({ ...settings, smtpPort: 70000 }); // VALIDATION, field "smtp_port"
 * ```
 */
export function validateEmailSettings(settings: EmailSettingsShape): void {
  if (settings.provider !== null && !EMAIL_PROVIDERS.includes(settings.provider))
    throw MessagingError.validation('provider', `provider must be one of ${EMAIL_PROVIDERS.join(', ')}`);
  for (const [field, value] of [
    ['from_email', settings.fromEmail],
    ['reply_to_email', settings.replyToEmail],
  ] as const) {
    if (value !== null && !isValidEmail(value))
      throw MessagingError.validation(field, `${field} is not a valid email address`);
  }
  text(settings.fromName, 'from_name', 200, true);
  text(settings.signatureText, 'signature_text', 10_000, false);
  text(settings.signatureHtml, 'signature_html', 50_000, false);
  text(settings.smtpUsername, 'smtp_username', 320, true);
  if (settings.smtpHost !== null && !HOSTNAME.test(settings.smtpHost))
    throw MessagingError.validation('smtp_host', 'smtp_host must be a host name or an IPv4 address');
  if (
    settings.smtpPort !== null &&
    (!Number.isInteger(settings.smtpPort) || settings.smtpPort < 1 || settings.smtpPort > 65_535)
  )
    throw MessagingError.validation('smtp_port', 'smtp_port must be an integer between 1 and 65535');
  if (settings.smtpUseTls && settings.smtpUseSsl)
    throw MessagingError.validation(
      'smtp_use_ssl',
      'choose smtp_use_tls (STARTTLS, port 587) or smtp_use_ssl (implicit TLS, port 465), not both',
    );
  if (settings.mailgunDomain !== null && !HOSTNAME.test(settings.mailgunDomain))
    throw MessagingError.validation('mailgun_domain', 'mailgun_domain must be a domain name');
  if (settings.mailgunRegion !== null && !MAILGUN_REGIONS.includes(settings.mailgunRegion))
    throw MessagingError.validation(
      'mailgun_region',
      `mailgun_region must be one of ${MAILGUN_REGIONS.join(', ')}`,
    );
  if (settings.sesRegion !== null && !AWS_REGION.test(settings.sesRegion))
    throw MessagingError.validation('ses_region', 'ses_region must be an AWS region such as eu-west-1');
  const missing = missingFields(settings);
  if (missing.length > 0)
    throw MessagingError.validation(
      missing[0] as string,
      `provider ${settings.provider} needs ${missing.join(', ')}`,
    );
}
