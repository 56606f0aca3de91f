import { isMessagingError, MessagingError } from '../../kernel/errors.js';
import type { StoreTier } from '../../kernel/ports/marketplace-directory.js';
import type { EmailLog } from '../model/email-log.js';
import { isProviderAllowed, snakeCase } from '../model/email-settings-policy.js';
import type { StoreEmailSettings } from '../model/store-email-settings.js';
import { withStoreSignature } from '../model/store-signature.js';
import type { MailAddress, MailSendResult, MailTransport } from '../ports/mail-transport.js';
import type { StoreMailTransportConfig } from '../ports/mail-transport-factory.js';
import type { OutboundRefusalReason } from '../ports/outbound-address-guard.js';
import type { EmailContext } from './email-context.js';

/** One email to send (rendering is the caller's: templates come in the notifications issue). */
export interface SendEmailInput {
  /** The store it is sent for (its transport and sender when configured); null for platform mail. */
  readonly storeId: string | null;
  readonly to: MailAddress;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly templateCode?: string;
  /** The platform user or customer it goes to, when known. */
  readonly userId?: string;
  readonly relatedType?: string;
  readonly relatedId?: string;
  readonly extraData?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tags?: readonly string[];
  /**
   * Where replies go, instead of the store's (or platform's) reply-to: the notification pipeline
   * sets a per-recipient reply address here when reply by email is on.
   */
  readonly replyTo?: MailAddress;
  /**
   * Add the store's signature (`signature_text` / `signature_html` of its email settings) to the
   * body. Default true when `storeId` is set: it is the store's mail. The notification pipeline
   * turns it off for store staff and admins, who are told about the store's conversation rather
   * than written to by the store.
   */
  readonly storeSignature?: boolean;
  /**
   * A deterministic log id (e.g. the notification pipeline's): when a log with this id is already
   * `sent` (or further), nothing is sent again and that log is returned; when it exists after a
   * failed or interrupted attempt, the same row is reused and its `retryCount` keeps counting.
   */
  readonly logId?: string;
}

export interface SendEmailResult {
  /** The log as the attempt left it: `sent` (provider + message id) or `failed` (error message). */
  readonly log: EmailLog;
  /** Why it failed (`MAIL_RETRYABLE` / `MAIL_PERMANENT` / other), null when sent. */
  readonly error: MessagingError | null;
}

/** A transport and the sender that goes with it. */
export interface ChosenTransport {
  readonly transport: MailTransport;
  readonly from: MailAddress;
  readonly replyTo: MailAddress | null;
  /** `store` when the store's own provider is used. */
  readonly source: 'store' | 'platform';
  /**
   * Where the same email goes, at once, when this transport fails with `MAIL_RETRYABLE` (a
   * timeout, a 5xx, or its circuit breaker open): the store's `fallbackProvider`, resolved only
   * then (null when it cannot be used now).
   */
  readonly fallback?: () => Promise<ChosenTransport | null>;
}

/** AEAD context a secret field of a store is sealed with. */
export function secretContext(storeId: string, field: string): string {
  return `store_email_settings:${storeId}:${snakeCase(field)}`;
}

/**
 * Decrypts the store's secrets into the transport configuration (the only place they are
 * opened). `address` is where SMTP connects: an address the outbound guard just answered for
 * the SMTP host (see `checkStoreHost`).
 */
export function transportConfig(
  ctx: EmailContext,
  s: StoreEmailSettings,
  address: string | null,
): StoreMailTransportConfig {
  // Also the fallback's configuration: callers pass the settings with `provider` set to it.
  const open = (field: keyof StoreEmailSettings & string, token: string | null): string | null =>
    token === null ? null : ctx.cipher.decrypt(token, secretContext(s.storeId, field));
  const need = <T>(value: T | null, field: string): T => {
    if (value === null)
      throw MessagingError.validation(field, `${field} is required for provider ${s.provider}`);
    return value;
  };
  switch (s.provider) {
    case 'smtp':
      return {
        provider: 'smtp',
        storeId: s.storeId,
        host: need(s.smtpHost, 'smtp_host'),
        address: need(address, 'smtp_host'),
        port: need(s.smtpPort, 'smtp_port'),
        username: s.smtpUsername,
        password: open('smtpPassword', s.smtpPassword),
        useTls: s.smtpUseTls,
        useSsl: s.smtpUseSsl,
      };
    case 'sendgrid':
      return {
        provider: 'sendgrid',
        storeId: s.storeId,
        apiKey: need(open('sendgridApiKey', s.sendgridApiKey), 'sendgrid_api_key'),
      };
    case 'mailgun':
      return {
        provider: 'mailgun',
        storeId: s.storeId,
        apiKey: need(open('mailgunApiKey', s.mailgunApiKey), 'mailgun_api_key'),
        domain: need(s.mailgunDomain, 'mailgun_domain'),
        region: need(s.mailgunRegion, 'mailgun_region'),
      };
    case 'ses':
      return {
        provider: 'ses',
        storeId: s.storeId,
        accessKeyId: need(open('sesAccessKeyId', s.sesAccessKeyId), 'ses_access_key_id'),
        secretAccessKey: need(open('sesSecretAccessKey', s.sesSecretAccessKey), 'ses_secret_access_key'),
        region: need(s.sesRegion, 'ses_region'),
      };
    default:
      throw MessagingError.validation('provider', 'no email provider is configured');
  }
}

/**
 * What the outbound guard says, right now, about the host a store's provider would connect to:
 * `{ allowed: true, address }` (the address to connect to; null for providers whose endpoint
 * the platform fixes), or the refusal. Side effect: a DNS lookup through the guard.
 */
export async function checkStoreHost(
  ctx: EmailContext,
  settings: StoreEmailSettings,
): Promise<
  | { readonly allowed: true; readonly address: string | null }
  | {
      readonly allowed: false;
      readonly field: string;
      readonly host: string;
      readonly reason: OutboundRefusalReason;
    }
> {
  // SendGrid, Mailgun (a region) and SES (a region) endpoints are the platform's, not the store's.
  if (settings.provider !== 'smtp' || settings.smtpHost === null) return { allowed: true, address: null };
  const verdict = await ctx.outboundGuard.check(settings.smtpHost);
  if (!verdict.allowed)
    return { allowed: false, field: 'smtp_host', host: settings.smtpHost, reason: verdict.reason };
  const address = verdict.addresses[0];
  return address === undefined
    ? { allowed: false, field: 'smtp_host', host: settings.smtpHost, reason: 'unresolvable' }
    : { allowed: true, address };
}

/** The store's own sender and transport, connecting to `address` (see `checkStoreHost`). */
export function storeTransport(
  ctx: EmailContext,
  settings: StoreEmailSettings,
  address: string | null,
): ChosenTransport {
  const transport = ctx.transports.forStore(transportConfig(ctx, settings, address));
  const fromEmail = settings.fromEmail;
  if (fromEmail === null) throw MessagingError.validation('from_email', 'from_email is required');
  return {
    transport,
    from:
      settings.fromName === null ? { address: fromEmail } : { address: fromEmail, name: settings.fromName },
    replyTo: settings.replyToEmail === null ? null : { address: settings.replyToEmail },
    source: 'store',
  };
}

/** The platform's transport, replies still going to the store when it has an address. */
function platformTransport(ctx: EmailContext, settings: StoreEmailSettings | null): ChosenTransport {
  const replyTo = settings?.replyToEmail ?? settings?.fromEmail ?? null;
  return {
    transport: ctx.transports.platformDefault(),
    from: ctx.platformFrom,
    replyTo: replyTo === null ? null : { address: replyTo },
    source: 'platform',
  };
}

/**
 * The store's fallback, when it names one that can be used now: `platform`, or a provider its
 * tier allows, whose host passes the outbound guard and whose credentials open. Null otherwise
 * (the send then fails over to nothing, as before fallbacks existed).
 */
async function fallbackTransport(
  ctx: EmailContext,
  settings: StoreEmailSettings,
  tier: StoreTier,
): Promise<ChosenTransport | null> {
  const fallback = settings.fallbackProvider;
  if (fallback === null || fallback === settings.provider) return null;
  if (fallback === 'platform') return platformTransport(ctx, settings);
  if (!isProviderAllowed(fallback, tier)) return null;
  const asFallback: StoreEmailSettings = { ...settings, provider: fallback };
  const host = await checkStoreHost(ctx, asFallback);
  if (!host.allowed) return null;
  try {
    return storeTransport(ctx, asFallback, host.address);
  } catch {
    return null;
  }
}

/**
 * The transport a store's mail goes through: its own settings when configured, verified,
 * allowed for its tier and its host still passes the outbound guard (re-resolved now; the
 * connection goes to the checked address); otherwise the platform default (replies then still
 * reach the store when it has a reply-to or from address).
 */
export async function chooseTransport(ctx: EmailContext, storeId: string | null): Promise<ChosenTransport> {
  const settings = storeId === null ? null : await ctx.emailSettings.get(storeId);
  if (settings?.provider && settings.isConfigured && settings.isVerified && storeId !== null) {
    const store = await ctx.directory.getTenant(storeId);
    const host =
      store && isProviderAllowed(settings.provider, store.tier ?? 'essential')
        ? await checkStoreHost(ctx, settings)
        : null;
    if (host?.allowed && store) {
      let chosen: ChosenTransport | null = null;
      try {
        chosen = storeTransport(ctx, settings, host.address);
      } catch {
        // Undecryptable or incomplete credentials: the platform still delivers the mail.
      }
      if (chosen !== null) {
        if (settings.fallbackProvider === null) return chosen;
        const tier = store.tier ?? 'essential';
        return { ...chosen, fallback: () => fallbackTransport(ctx, settings, tier) };
      }
    }
    // A host that now resolves to a forbidden address, or not at all: the platform delivers too.
  }
  return platformTransport(ctx, settings);
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 2000 ? `${message.slice(0, 1997)}...` : message;
}

/**
 * Sends through a given transport, writing the email log: `pending` first, then `sent` with the
 * provider's message id, or `failed` with the error. When the transport fails with
 * `MAIL_RETRYABLE` (its breaker open included) and `chosen.fallback` is set, the same email goes
 * through the fallback at once, and the log records the provider that actually sent (or the
 * fallback's error). Never throws for a provider failure.
 */
export async function deliverThrough(
  ctx: EmailContext,
  chosen: ChosenTransport,
  input: SendEmailInput,
): Promise<SendEmailResult> {
  const now = ctx.clock.now();
  const existing = input.logId === undefined ? null : await ctx.emailLogs.findById(input.logId);
  if (existing !== null && existing.status !== 'pending' && existing.status !== 'failed') {
    return { log: existing, error: null };
  }
  const log: EmailLog = existing ?? {
    id: input.logId ?? ctx.ids.next(),
    templateCode: input.templateCode ?? null,
    recipient: input.to.address.trim(),
    subject: input.subject,
    bodyHtml: input.html ?? null,
    bodyText: input.text,
    fromEmail: chosen.from.address,
    fromName: chosen.from.name ?? null,
    replyTo: input.replyTo?.address ?? chosen.replyTo?.address ?? null,
    status: 'pending',
    sentAt: null,
    deliveredAt: null,
    openedAt: null,
    clickedAt: null,
    bouncedAt: null,
    complainedAt: null,
    errorMessage: null,
    retryCount: 0,
    provider: null,
    providerMessageId: null,
    storeId: input.storeId,
    userId: input.userId ?? null,
    relatedType: input.relatedType ?? null,
    relatedId: input.relatedId ?? null,
    extraData: { ...(input.extraData ?? {}) },
    createdAt: now,
    updatedAt: now,
  };
  if (existing === null) await ctx.emailLogs.create(log);
  let through = chosen;
  const send = (via: ChosenTransport) =>
    via.transport.send({
      id: log.id,
      from: via.from,
      ...(input.replyTo !== undefined
        ? { replyTo: input.replyTo }
        : via.replyTo === null
          ? {}
          : { replyTo: via.replyTo }),
      to: [input.to],
      subject: input.subject,
      text: input.text,
      ...(input.html === undefined ? {} : { html: input.html }),
      ...(input.headers === undefined ? {} : { headers: input.headers }),
      ...(input.tags === undefined ? {} : { tags: input.tags }),
      metadata: {
        email_log_id: log.id,
        ...(input.storeId === null ? {} : { store_id: input.storeId }),
      },
    });
  try {
    let result: MailSendResult;
    try {
      result = await send(chosen);
    } catch (primaryError) {
      const retryable = isMessagingError(primaryError) && primaryError.code === 'MAIL_RETRYABLE';
      const fallback = retryable ? await chosen.fallback?.() : undefined;
      if (fallback === undefined || fallback === null) throw primaryError;
      through = fallback;
      result = await send(through);
    }
    const at = ctx.clock.now();
    const sent = await ctx.emailLogs.recordSendOutcome(log.id, {
      status: 'sent',
      provider: result.provider,
      providerMessageId: result.providerMessageId,
      sentAt: at,
      updatedAt: at,
    });
    return { log: sent, error: null };
  } catch (thrown) {
    const error = isMessagingError(thrown)
      ? thrown
      : new MessagingError('INTERNAL', messageOf(thrown), { cause: thrown });
    const failed = await ctx.emailLogs.recordSendOutcome(log.id, {
      status: 'failed',
      provider: through.transport.provider,
      errorMessage: messageOf(error),
      retryCount: log.retryCount + 1,
      updatedAt: ctx.clock.now(),
    });
    return { log: failed, error };
  }
}

/**
 * The one path every email takes: adds the store's signature (unless `storeSignature` is false;
 * its HTML sanitized), chooses the transport (`chooseTransport`), writes the email log (with the
 * body as sent) and sends. A provider failure is recorded on the log and returned, not thrown.
 *
 * @example
 * ```ts
 * const { log, error } = await email.sendEmail({
 *   storeId: 'acme', to: { address: 'ana@example.com', name: 'Ana' },
 *   subject: 'New message', text: 'You have a new message', templateCode: 'new_message',
 * });
 * log.status; // "sent" | "failed"
 * ```
 */
export async function sendEmail(ctx: EmailContext, input: SendEmailInput): Promise<SendEmailResult> {
  if (input.subject.trim() === '') throw MessagingError.validation('subject', 'subject is required');
  const body = await withSignature(ctx, input);
  const result = await deliverThrough(ctx, await chooseTransport(ctx, input.storeId), body);
  await trackSendOutcome(ctx, input.storeId, result);
  return result;
}

/** The issue key of a store's streak of failed sends (one open notification per store). */
export const EMAIL_SEND_FAILURES_ISSUE = 'email_send_failures';

async function withSignature(ctx: EmailContext, input: SendEmailInput): Promise<SendEmailInput> {
  if (input.storeId === null || input.storeSignature === false) return input;
  const settings = await ctx.emailSettings.get(input.storeId);
  const body = withStoreSignature(
    input.html === undefined ? { text: input.text } : { text: input.text, html: input.html },
    settings,
    ctx.htmlSanitizer,
  );
  return { ...input, text: body.text, ...(body.html === undefined ? {} : { html: body.html }) };
}

/**
 * Counts a store's consecutive failed sends in the shared streaks and raises one `store_issue`
 * admin notification per streak once it reaches the configured threshold (folded into the
 * store's open one while it is unread); a sent email ends the streak.
 */
async function trackSendOutcome(
  ctx: EmailContext,
  storeId: string | null,
  result: SendEmailResult,
): Promise<void> {
  const sendFailures = ctx.adminAlerts?.sendFailures;
  if (!ctx.adminAlerts || !sendFailures || storeId === null) return;
  if (result.error === null) {
    await sendFailures.streaks.recordSuccess(storeId);
    return;
  }
  const { failures, alert } = await sendFailures.streaks.recordFailure(
    storeId,
    ctx.clock.now(),
    sendFailures.policy,
  );
  if (!alert) return;
  const error = result.log.errorMessage ?? result.error.message;
  await ctx.adminAlerts.raise({
    type: 'store_issue',
    priority: 'high',
    title: `Email sending keeps failing for store ${storeId}`,
    message: `The last ${failures} emails of store ${storeId} failed to send. Latest error: ${error}`,
    actionRequired: true,
    actionUrl: `/api/v1/admin/stores/${encodeURIComponent(storeId)}/email-settings`,
    metadata: {
      store_id: storeId,
      reason: 'send_failures',
      consecutive_failures: failures,
      error,
      email_log_id: result.log.id,
      provider: result.log.provider,
    },
    storeId,
    issueKey: EMAIL_SEND_FAILURES_ISSUE,
    lastError: error,
  });
}
