import { requireCapability, tenantEmailOf } from '../../conversations/policy/require-capability.js';
import { type AuditEntry, type AuditJson, MASKED, originColumns } from '../../kernel/audit/audit-entry.js';
import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { StoreTier } from '../../kernel/ports/marketplace-directory.js';
import type { TenantSummary } from '../../kernel/ports/tenant-directory.js';
import type { EmailLog } from '../model/email-log.js';
import {
  allowedProviders,
  assertProviderAllowed,
  missingFields,
  refusedHostError,
  snakeCase,
  validateEmailSettings,
} from '../model/email-settings-policy.js';
import {
  EMAIL_FALLBACKS,
  EMAIL_PROVIDERS,
  EMAIL_SECRET_FIELDS,
  type EmailFallback,
  type EmailProvider,
  type EmailSecretField,
  type MailgunRegion,
  type StoreEmailSettings,
} from '../model/store-email-settings.js';
import type { EmailContext } from './email-context.js';
import { checkStoreHost, deliverThrough, secretContext, storeTransport } from './send-email.js';

/** A write-only secret as callers see it: whether it is set, never its value. */
export interface MaskedSecret {
  readonly isSet: boolean;
}

/** A store's email settings as every use case returns them: secrets masked. */
export interface StoreEmailSettingsView {
  readonly storeId: string;
  readonly fromEmail: string | null;
  readonly fromName: string | null;
  readonly replyToEmail: string | null;
  readonly signatureText: string | null;
  readonly signatureHtml: string | null;
  readonly provider: EmailProvider | null;
  readonly fallbackProvider: EmailFallback | null;
  readonly smtpHost: string | null;
  readonly smtpPort: number | null;
  readonly smtpUsername: string | null;
  readonly smtpPassword: MaskedSecret;
  readonly smtpUseTls: boolean;
  readonly smtpUseSsl: boolean;
  readonly sendgridApiKey: MaskedSecret;
  readonly mailgunApiKey: MaskedSecret;
  readonly mailgunDomain: string | null;
  readonly mailgunRegion: MailgunRegion | null;
  readonly sesAccessKeyId: MaskedSecret;
  readonly sesSecretAccessKey: MaskedSecret;
  readonly sesRegion: string | null;
  readonly isConfigured: boolean;
  readonly isVerified: boolean;
  readonly lastVerifiedAt: Date | null;
  readonly verificationError: string | null;
  /** The store's tier and the providers it may choose. */
  readonly tier: StoreTier;
  readonly allowedProviders: EmailProvider[];
  /** `store` when mail currently goes through the store's provider, else `platform`. */
  readonly activeTransport: 'store' | 'platform';
  /** Null while the store never saved settings. */
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

/**
 * A partial update: an absent field keeps its value, `null` clears it. Secrets are write-only:
 * absent keeps the stored one, `null` clears it, a string replaces it.
 */
export interface UpdateStoreEmailSettingsInput {
  readonly fromEmail?: string | null;
  readonly fromName?: string | null;
  readonly replyToEmail?: string | null;
  readonly signatureText?: string | null;
  readonly signatureHtml?: string | null;
  readonly provider?: EmailProvider | null;
  /**
   * Where mail goes when `provider` fails retryably or its breaker is open: another provider
   * (its credentials set in these settings, allowed for the tier) or `platform`; null: none.
   */
  readonly fallbackProvider?: EmailFallback | null;
  readonly smtpHost?: string | null;
  readonly smtpPort?: number | null;
  readonly smtpUsername?: string | null;
  readonly smtpPassword?: string | null;
  readonly smtpUseTls?: boolean;
  readonly smtpUseSsl?: boolean;
  readonly sendgridApiKey?: string | null;
  readonly mailgunApiKey?: string | null;
  readonly mailgunDomain?: string | null;
  readonly mailgunRegion?: MailgunRegion | null;
  readonly sesAccessKeyId?: string | null;
  readonly sesSecretAccessKey?: string | null;
  readonly sesRegion?: string | null;
}

export interface VerifyStoreEmailSettingsResult {
  readonly verified: boolean;
  readonly settings: StoreEmailSettingsView;
  /** The test email's log (`sent` or `failed`). */
  readonly emailLog: EmailLog;
}

/** The issue key of a store's failed provider verifications (one open notification per store). */
export const EMAIL_VERIFICATION_FAILED_ISSUE = 'email_verification_failed';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Changing any of these means the last verification no longer proves anything.
const TRANSPORT_FIELDS: readonly (keyof UpdateStoreEmailSettingsInput)[] = [
  'fromEmail',
  'provider',
  'smtpHost',
  'smtpPort',
  'smtpUsername',
  'smtpPassword',
  'smtpUseTls',
  'smtpUseSsl',
  'sendgridApiKey',
  'mailgunApiKey',
  'mailgunDomain',
  'mailgunRegion',
  'sesAccessKeyId',
  'sesSecretAccessKey',
  'sesRegion',
];

function blank(storeId: string, at: Date): StoreEmailSettings {
  return {
    storeId,
    fromEmail: null,
    fromName: null,
    replyToEmail: null,
    signatureText: null,
    signatureHtml: null,
    provider: null,
    fallbackProvider: null,
    smtpHost: null,
    smtpPort: null,
    smtpUsername: null,
    smtpPassword: null,
    smtpUseTls: false,
    smtpUseSsl: false,
    sendgridApiKey: null,
    mailgunApiKey: null,
    mailgunDomain: null,
    mailgunRegion: null,
    sesAccessKeyId: null,
    sesSecretAccessKey: null,
    sesRegion: null,
    isConfigured: false,
    isVerified: false,
    lastVerifiedAt: null,
    verificationError: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** A tenant as the email rules see it: its name and its plan (`essential` where the directory has none). */
interface EmailTenant {
  readonly id: string;
  readonly name: string;
  readonly tier: StoreTier;
}

function view(settings: StoreEmailSettings, store: EmailTenant, saved: boolean): StoreEmailSettingsView {
  const masked = (token: string | null): MaskedSecret => ({ isSet: token !== null });
  const active =
    settings.provider !== null &&
    settings.isConfigured &&
    settings.isVerified &&
    allowedProviders(store.tier).includes(settings.provider);
  return {
    storeId: settings.storeId,
    fromEmail: settings.fromEmail,
    fromName: settings.fromName,
    replyToEmail: settings.replyToEmail,
    signatureText: settings.signatureText,
    signatureHtml: settings.signatureHtml,
    provider: settings.provider,
    fallbackProvider: settings.fallbackProvider,
    smtpHost: settings.smtpHost,
    smtpPort: settings.smtpPort,
    smtpUsername: settings.smtpUsername,
    smtpPassword: masked(settings.smtpPassword),
    smtpUseTls: settings.smtpUseTls,
    smtpUseSsl: settings.smtpUseSsl,
    sendgridApiKey: masked(settings.sendgridApiKey),
    mailgunApiKey: masked(settings.mailgunApiKey),
    mailgunDomain: settings.mailgunDomain,
    mailgunRegion: settings.mailgunRegion,
    sesAccessKeyId: masked(settings.sesAccessKeyId),
    sesSecretAccessKey: masked(settings.sesSecretAccessKey),
    sesRegion: settings.sesRegion,
    isConfigured: settings.isConfigured,
    isVerified: settings.isVerified,
    lastVerifiedAt: settings.lastVerifiedAt,
    verificationError: settings.verificationError,
    tier: store.tier,
    allowedProviders: allowedProviders(store.tier),
    activeTransport: active ? 'store' : 'platform',
    createdAt: saved ? settings.createdAt : null,
    updatedAt: saved ? settings.updatedAt : null,
  };
}

/** The tenant through the port every directory implements; no plan means the base one. */
function emailTenant(tenant: TenantSummary): EmailTenant {
  return { id: tenant.id, name: tenant.name, tier: tenant.tier ?? 'essential' };
}

async function loadStore(ctx: EmailContext, storeId: string): Promise<EmailTenant> {
  const store = await ctx.directory.getTenant(storeId);
  if (!store) throw MessagingError.notFound('store', storeId);
  return emailTenant(store);
}

async function read(ctx: EmailContext, storeId: string): Promise<StoreEmailSettingsView> {
  const store = await loadStore(ctx, storeId);
  const stored = await ctx.emailSettings.get(storeId);
  return view(stored ?? blank(storeId, ctx.clock.now()), store, stored !== null);
}

/**
 * A store user's own store's email settings, secrets masked (`{ isSet }`).
 *
 * @example
 * ```ts
 * (await email.getStoreEmailSettings(storeUser)).sendgridApiKey; // { isSet: true }
 * ```
 */
export async function getStoreEmailSettings(
  ctx: EmailContext,
  actor: Actor,
): Promise<StoreEmailSettingsView> {
  return read(ctx, tenantEmailOf(ctx.policy, actor));
}

/**
 * Any store's email settings and verification state, for admins; secrets masked.
 *
 * @example `await email.getStoreEmailSettingsForAdmin(admin, 'acme')`
 */
export async function getStoreEmailSettingsForAdmin(
  ctx: EmailContext,
  actor: Actor,
  storeId: string,
): Promise<StoreEmailSettingsView> {
  requireCapability(ctx.policy, actor, 'view_any_tenant_email_settings', { tenantId: storeId });
  return read(ctx, storeId);
}

function normalized(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * A fallback names something other than the primary provider; a provider fallback must be
 * allowed for the tier (checked when it is being set) and have every field it needs.
 */
function validateFallback(settings: StoreEmailSettings, tier: StoreTier, changed: boolean): void {
  const fallback = settings.fallbackProvider;
  if (fallback === null || fallback === 'platform') return;
  if (!EMAIL_PROVIDERS.includes(fallback))
    throw MessagingError.validation(
      'fallback_provider',
      `fallback_provider must be one of ${EMAIL_FALLBACKS.join(', ')} or null`,
    );
  if (fallback === settings.provider)
    throw MessagingError.validation('fallback_provider', 'fallback_provider must differ from provider');
  if (changed) assertProviderAllowed(fallback, tier, 'fallback_provider');
  const missing = missingFields({ ...settings, provider: fallback }).filter(
    (field) => field !== 'from_email',
  );
  if (missing.length > 0)
    throw MessagingError.validation(
      missing[0] as string,
      `fallback_provider ${fallback} needs ${missing.join(', ')}`,
    );
}

/**
 * Partially updates the caller's store's settings. Validates the merged result (`VALIDATION`
 * naming the snake_case field), gates the provider by the store's tier (`FORBIDDEN` naming the
 * tiers), asks the outbound guard about a new SMTP host (DNS lookup; `VALIDATION` on
 * `smtp_host` when it is or resolves to a non-public address; a name that does not resolve yet
 * is accepted and checked again before every connection), encrypts new secrets, re-encrypts
 * kept ones sealed with a retired key, and resets verification when the sender, provider or any
 * credential changes.
 *
 * @example
 * ```ts
 * await email.updateStoreEmailSettings(storeUser, { provider: 'sendgrid', fromEmail: 'shop@acme.test', sendgridApiKey: 'SG.x' });
 * ```
 */
export async function updateStoreEmailSettings(
  ctx: EmailContext,
  actor: Actor,
  input: UpdateStoreEmailSettingsInput,
): Promise<StoreEmailSettingsView> {
  const storeId = tenantEmailOf(ctx.policy, actor);
  const store = await loadStore(ctx, storeId);
  const now = ctx.clock.now();
  const stored = await ctx.emailSettings.get(storeId);
  const current = stored ?? blank(storeId, now);
  const next: Mutable<StoreEmailSettings> = { ...current, updatedAt: now };
  if (input.provider !== undefined && input.provider !== null)
    assertProviderAllowed(input.provider, store.tier);

  const plain = [
    'fromEmail',
    'fromName',
    'replyToEmail',
    'smtpHost',
    'smtpUsername',
    'mailgunDomain',
    'sesRegion',
  ] as const;
  for (const field of plain) {
    const value = normalized(input[field]);
    if (value !== undefined) next[field] = value;
  }
  if (input.signatureText !== undefined) next.signatureText = input.signatureText;
  if (input.signatureHtml !== undefined) next.signatureHtml = input.signatureHtml;
  if (input.provider !== undefined) next.provider = input.provider;
  if (input.fallbackProvider !== undefined) next.fallbackProvider = input.fallbackProvider;
  if (input.smtpPort !== undefined) next.smtpPort = input.smtpPort;
  if (input.smtpUseTls !== undefined) next.smtpUseTls = input.smtpUseTls;
  if (input.smtpUseSsl !== undefined) next.smtpUseSsl = input.smtpUseSsl;
  if (input.mailgunRegion !== undefined) next.mailgunRegion = input.mailgunRegion;
  if (next.mailgunRegion !== null && typeof next.mailgunRegion === 'string')
    next.mailgunRegion = next.mailgunRegion.toLowerCase() as MailgunRegion;

  for (const field of EMAIL_SECRET_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (value !== null && (typeof value !== 'string' || value.trim() === '' || value.length > 4096))
      throw MessagingError.validation(
        snakeCase(field),
        `${snakeCase(field)} must be a non-empty string (at most 4096 characters); send null to clear it`,
      );
    next[field] = value === null ? null : '<set>';
  }
  validateEmailSettings(next);
  validateFallback(next, store.tier, input.fallbackProvider !== undefined);
  if (next.smtpHost !== null && (input.smtpHost !== undefined || input.provider === 'smtp')) {
    const verdict = await ctx.outboundGuard.check(next.smtpHost);
    if (!verdict.allowed && verdict.reason !== 'unresolvable')
      throw refusedHostError('smtp_host', next.smtpHost);
  }

  // Encrypt only after validation; rotate kept tokens sealed with a retired key.
  for (const field of EMAIL_SECRET_FIELDS) {
    const value = input[field];
    const context = secretContext(storeId, field);
    if (typeof value === 'string') next[field] = ctx.cipher.encrypt(value.trim(), context);
    else if (value === undefined) {
      const token: string | null = current[field as EmailSecretField];
      next[field] =
        token !== null && ctx.cipher.needsRotation(token)
          ? ctx.cipher.encrypt(ctx.cipher.decrypt(token, context), context)
          : token;
    }
  }
  next.isConfigured = next.provider !== null && missingFields(next).length === 0;
  const transportChanged = TRANSPORT_FIELDS.some((field) => {
    const value = input[field];
    if (value === undefined) return false;
    if ((EMAIL_SECRET_FIELDS as readonly string[]).includes(field)) return true;
    return next[field as keyof StoreEmailSettings] !== current[field as keyof StoreEmailSettings];
  });
  if (transportChanged || !next.isConfigured) {
    next.isVerified = false;
    next.verificationError = null;
  }
  const saved = await ctx.emailSettings.upsert(next, settingsAudit(actor, storeId, stored, next, input, now));
  return view(saved, store, true);
}

/** Fields an email settings change records in the audit log (secrets only as set / not set). */
const AUDITED_SETTINGS_FIELDS = [
  'fromEmail',
  'fromName',
  'replyToEmail',
  'signatureText',
  'signatureHtml',
  'provider',
  'fallbackProvider',
  'smtpHost',
  'smtpPort',
  'smtpUsername',
  'smtpUseTls',
  'smtpUseSsl',
  'mailgunDomain',
  'mailgunRegion',
  'sesRegion',
] as const;

/**
 * The audit row of an email settings update: `{ field: { from, to } }` for each changed field,
 * a credential as `[masked]` (set) or null (not set) on either side — never its value.
 */
function settingsAudit(
  actor: Actor,
  storeId: string,
  before: StoreEmailSettings | null,
  after: StoreEmailSettings,
  input: UpdateStoreEmailSettingsInput,
  now: Date,
): AuditEntry {
  const diff: Record<string, AuditJson> = {};
  for (const field of AUDITED_SETTINGS_FIELDS) {
    const from = (before?.[field] ?? null) as AuditJson;
    const to = (after[field] ?? null) as AuditJson;
    if (JSON.stringify(from) !== JSON.stringify(to)) diff[snakeCase(field)] = { from, to };
  }
  for (const field of EMAIL_SECRET_FIELDS) {
    if (input[field] === undefined) continue;
    diff[snakeCase(field)] = {
      from: before?.[field] == null ? null : MASKED,
      to: after[field] === null ? null : MASKED,
    };
  }
  const { role, ...request } = originColumns(actor.origin);
  return {
    actor: { type: actor.type, id: actor.id, role },
    tenantId: storeId,
    action: 'email_settings.update',
    target: { type: 'email_settings', id: storeId },
    ...request,
    occurredAt: now,
    diff,
  };
}

/**
 * Sends a test email to the caller's own address (from the directory) through the store's
 * configured provider, and records the outcome: `isVerified` + `lastVerifiedAt`, or
 * `verificationError`. The test email is logged like any other (`email_settings_verification`).
 * A failure raises a high `store_issue` admin notification with the issue key
 * `email_verification_failed`: repeated failures count on the store's unread one (occurrences,
 * last error) rather than adding one per attempt.
 *
 * The SMTP host is re-resolved through the outbound guard first and the connection goes to the
 * checked address. A host that now is or resolves to a non-public address fails with
 * `VALIDATION` on `smtp_host` (after marking the settings unverified, with that reason); one
 * that does not resolve, like any failure to connect, is recorded as "could not connect to the
 * SMTP server host:port", whatever the cause, so verification is no port scanner.
 *
 * @example
 * ```ts
 * const { verified, settings } = await email.verifyStoreEmailSettings(storeUser);
 * if (!verified) console.log(settings.verificationError);
 * ```
 */
export async function verifyStoreEmailSettings(
  ctx: EmailContext,
  actor: Actor,
): Promise<VerifyStoreEmailSettingsResult> {
  const storeId = tenantEmailOf(ctx.policy, actor);
  const store = await loadStore(ctx, storeId);
  const settings = await ctx.emailSettings.get(storeId);
  if (!settings?.provider || !settings.isConfigured)
    throw MessagingError.validation('provider', 'configure an email provider before verifying it');
  assertProviderAllowed(settings.provider, store.tier);
  const user = await ctx.directory.resolve(actor);
  if (!user || user.storeId !== storeId)
    throw MessagingError.forbidden(`store user ${actor.id} is not known`);
  if (user.email === null)
    throw MessagingError.validation(
      'email',
      `${actor.type} ${actor.id} has no email address to send the test to`,
    );

  let chosen: ReturnType<typeof storeTransport> | null = null;
  let setupError: string | null = null;
  const host = await checkStoreHost(ctx, settings);
  if (!host.allowed && host.reason !== 'unresolvable') {
    const refusal = refusedHostError(host.field, host.host);
    // Its DNS changed since it was saved: whatever was verified no longer holds.
    const latest = await ctx.emailSettings.get(storeId);
    if (latest !== null && latest.updatedAt.getTime() === settings.updatedAt.getTime())
      await ctx.emailSettings.upsert({
        ...latest,
        isVerified: false,
        verificationError: refusal.message,
        updatedAt: ctx.clock.now(),
      });
    throw refusal;
  }
  if (!host.allowed) setupError = `could not connect to the SMTP server ${host.host}:${settings.smtpPort}`;
  else
    try {
      chosen = storeTransport(ctx, settings, host.address);
    } catch (error) {
      setupError = `the configuration could not be used: ${error instanceof Error ? error.message : String(error)}`;
    }
  const input = {
    storeId,
    to: { address: user.email, name: user.name },
    subject: `Parley: email settings test for ${store.name}`,
    text: `This test email confirms that ${store.name} can send email through ${settings.provider}.`,
    html: `<p>This test email confirms that <strong>${escapeHtml(store.name)}</strong> can send email through ${settings.provider}.</p>`,
    templateCode: 'email_settings_verification',
    userId: user.ref.id,
    relatedType: 'store_email_settings',
    relatedId: storeId,
    tags: ['email_settings_verification'],
  } as const;
  let log: EmailLog;
  let error: string | null;
  if (chosen === null) {
    // Still leave a trace in the email log, as a failed attempt that never reached a provider.
    const failing = {
      transport: {
        provider: settings.provider,
        send: async () => {
          throw new MessagingError('MAIL_PERMANENT', setupError ?? 'invalid configuration');
        },
      },
      from: { address: settings.fromEmail ?? ctx.platformFrom.address },
      replyTo: null,
      source: 'store' as const,
    };
    const result = await deliverThrough(ctx, failing, input);
    log = result.log;
    error = setupError;
  } else {
    const result = await deliverThrough(ctx, chosen, input);
    log = result.log;
    error = result.error === null ? null : result.error.message;
  }

  const now = ctx.clock.now();
  const latest = (await ctx.emailSettings.get(storeId)) ?? settings;
  // Settings changed while the test email was in flight: the result proves nothing about them.
  const stale = latest.updatedAt.getTime() !== settings.updatedAt.getTime();
  const saved = stale
    ? latest
    : await ctx.emailSettings.upsert({
        ...latest,
        isVerified: error === null,
        lastVerifiedAt: error === null ? now : latest.lastVerifiedAt,
        verificationError: error,
        updatedAt: now,
      });
  // A stale result proves nothing about the current settings: no notification for it. Repeated
  // failures count on the store's open notification (issue key) instead of adding one each.
  if (error !== null && !stale && ctx.adminAlerts) {
    await ctx.adminAlerts.raise({
      issueKey: EMAIL_VERIFICATION_FAILED_ISSUE,
      lastError: error,
      type: 'store_issue',
      priority: 'high',
      title: `Email provider verification failed for ${store.name}`,
      message: `Store ${store.name} (${storeId}) could not verify its ${settings.provider} settings: ${error}`,
      actionRequired: true,
      actionUrl: `/api/v1/admin/stores/${encodeURIComponent(storeId)}/email-settings`,
      metadata: {
        store_id: storeId,
        reason: 'verification_failed',
        provider: settings.provider,
        error,
        email_log_id: log.id,
      },
      storeId,
    });
  }
  return { verified: error === null && !stale, settings: view(saved, store, true), emailLog: log };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
