import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {
  EmailCore,
  EmailLog,
  StoreEmailSettingsView,
  UpdateStoreEmailSettingsInput,
} from '@parley/messaging-core';
import type { Static } from 'typebox';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import {
  AdminEmailLogQuery,
  AdminStoreParams,
  EmailLogListWire,
  type EmailLogWire,
  EmailSettingsBody,
  EmailSettingsWire,
  StoreEmailLogQuery,
  VerifyEmailSettingsWire,
} from '../schemas/email.js';

export interface EmailSettingsRoutesOptions {
  readonly email: EmailCore;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** Settings view → wire: snake_case, credentials as `{ is_set }` only. */
export function toEmailSettingsWire(view: StoreEmailSettingsView): Static<typeof EmailSettingsWire> {
  return {
    store_id: view.storeId,
    from_email: view.fromEmail,
    from_name: view.fromName,
    reply_to_email: view.replyToEmail,
    signature_text: view.signatureText,
    signature_html: view.signatureHtml,
    provider: view.provider,
    fallback_provider: view.fallbackProvider,
    smtp_host: view.smtpHost,
    smtp_port: view.smtpPort,
    smtp_username: view.smtpUsername,
    smtp_password: { is_set: view.smtpPassword.isSet },
    smtp_use_tls: view.smtpUseTls,
    smtp_use_ssl: view.smtpUseSsl,
    sendgrid_api_key: { is_set: view.sendgridApiKey.isSet },
    mailgun_api_key: { is_set: view.mailgunApiKey.isSet },
    mailgun_domain: view.mailgunDomain,
    mailgun_region: view.mailgunRegion,
    ses_access_key_id: { is_set: view.sesAccessKeyId.isSet },
    ses_secret_access_key: { is_set: view.sesSecretAccessKey.isSet },
    ses_region: view.sesRegion,
    is_configured: view.isConfigured,
    is_verified: view.isVerified,
    last_verified_at: iso(view.lastVerifiedAt),
    verification_error: view.verificationError,
    tier: view.tier,
    allowed_providers: view.allowedProviders,
    active_transport: view.activeTransport,
    created_at: iso(view.createdAt),
    updated_at: iso(view.updatedAt),
  };
}

export function toEmailLogWire(log: EmailLog): Static<typeof EmailLogWire> {
  return {
    id: log.id,
    template_code: log.templateCode,
    recipient: log.recipient,
    subject: log.subject,
    from_email: log.fromEmail,
    from_name: log.fromName,
    reply_to: log.replyTo,
    status: log.status,
    sent_at: iso(log.sentAt),
    delivered_at: iso(log.deliveredAt),
    opened_at: iso(log.openedAt),
    clicked_at: iso(log.clickedAt),
    bounced_at: iso(log.bouncedAt),
    complained_at: iso(log.complainedAt),
    error_message: log.errorMessage,
    retry_count: log.retryCount,
    provider: log.provider,
    provider_message_id: log.providerMessageId,
    store_id: log.storeId,
    user_id: log.userId,
    related_type: log.relatedType,
    related_id: log.relatedId,
    extra_data: { ...log.extraData },
    created_at: log.createdAt.toISOString(),
    updated_at: log.updatedAt.toISOString(),
  };
}

function toUpdateInput(body: Static<typeof EmailSettingsBody>): UpdateStoreEmailSettingsInput {
  const map = {
    from_email: 'fromEmail',
    from_name: 'fromName',
    reply_to_email: 'replyToEmail',
    signature_text: 'signatureText',
    signature_html: 'signatureHtml',
    provider: 'provider',
    fallback_provider: 'fallbackProvider',
    smtp_host: 'smtpHost',
    smtp_port: 'smtpPort',
    smtp_username: 'smtpUsername',
    smtp_password: 'smtpPassword',
    smtp_use_tls: 'smtpUseTls',
    smtp_use_ssl: 'smtpUseSsl',
    sendgrid_api_key: 'sendgridApiKey',
    mailgun_api_key: 'mailgunApiKey',
    mailgun_domain: 'mailgunDomain',
    mailgun_region: 'mailgunRegion',
    ses_access_key_id: 'sesAccessKeyId',
    ses_secret_access_key: 'sesSecretAccessKey',
    ses_region: 'sesRegion',
  } as const satisfies Record<keyof Static<typeof EmailSettingsBody>, keyof UpdateStoreEmailSettingsInput>;
  const input: Record<string, unknown> = {};
  for (const [wire, core] of Object.entries(map)) {
    const value = (body as Record<string, unknown>)[wire];
    if (value !== undefined) input[core] = value;
  }
  return input as UpdateStoreEmailSettingsInput;
}

function logFilters(query: Static<typeof AdminEmailLogQuery>) {
  return {
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.store_id === undefined ? {} : { storeId: query.store_id }),
    ...(query.recipient === undefined ? {} : { recipient: query.recipient }),
    ...(query.from === undefined ? {} : { from: new Date(query.from) }),
    ...(query.to === undefined ? {} : { to: new Date(query.to) }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
  };
}

/**
 * Store email settings (`/api/v1/store/email-settings`, store tokens) and the store's email log.
 *
 * @example
 * ```ts
 * await app.register(storeEmailRoutes, { prefix: '/api/v1/store', email });
 * ```
 */
export const storeEmailRoutes: FastifyPluginAsyncTypebox<EmailSettingsRoutesOptions> = async (
  app,
  options,
) => {
  const { email } = options;
  const base = { tags: ['Store email'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('manage_tenant_email'));

  app.get(
    '/email-settings',
    {
      schema: {
        ...base,
        operationId: 'storeGetEmailSettings',
        summary: "The store's email settings",
        description: 'Credentials are masked: only { is_set } is returned.',
        response: { 200: EmailSettingsWire, ...problemResponses(404) },
      },
    },
    async (request) => toEmailSettingsWire(await email.getStoreEmailSettings(actorOfRequest(request))),
  );

  app.put(
    '/email-settings',
    {
      schema: {
        ...base,
        operationId: 'storeUpdateEmailSettings',
        summary: "Update the store's email settings",
        description:
          'Partial update. Credentials are write-only (absent: kept, null: cleared). sendgrid, mailgun and ses need the business or enterprise tier (403 otherwise). Changing the sender, provider or a credential resets is_verified.',
        body: EmailSettingsBody,
        response: { 200: EmailSettingsWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toEmailSettingsWire(
        await email.updateStoreEmailSettings(actorOfRequest(request), toUpdateInput(request.body)),
      ),
  );

  app.post(
    '/email-settings/verify',
    {
      schema: {
        ...base,
        operationId: 'storeVerifyEmailSettings',
        summary: "Send a test email to the caller through the store's provider",
        description:
          'Records is_verified / last_verified_at, or verification_error when the provider refuses; the test email is in the email log either way.',
        response: { 200: VerifyEmailSettingsWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const result = await email.verifyStoreEmailSettings(actorOfRequest(request));
      return {
        verified: result.verified,
        settings: toEmailSettingsWire(result.settings),
        email_log: toEmailLogWire(result.emailLog),
      };
    },
  );

  app.get(
    '/email-logs',
    {
      schema: {
        ...base,
        operationId: 'storeListEmailLogs',
        summary: "The store's email log",
        description: 'Newest first, in cursor pages; filter by status, recipient and creation date.',
        querystring: StoreEmailLogQuery,
        response: { 200: EmailLogListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const page = await email.listEmailLogs(actorOfRequest(request), logFilters(request.query));
      return { email_logs: page.items.map(toEmailLogWire), next_cursor: page.nextCursor };
    },
  );
};

/**
 * Admin email routes: any store's settings (masked) and the platform-wide email log.
 *
 * @example
 * ```ts
 * await app.register(adminEmailRoutes, { prefix: '/api/v1/admin', email });
 * ```
 */
export const adminEmailRoutes: FastifyPluginAsyncTypebox<EmailSettingsRoutesOptions> = async (
  app,
  options,
) => {
  const { email } = options;
  const base = { tags: ['Admin email'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('view_any_tenant_email_settings'));

  app.get(
    '/stores/:store_id/email-settings',
    {
      schema: {
        ...base,
        operationId: 'adminGetStoreEmailSettings',
        summary: "A store's email settings and verification state",
        description: 'Credentials are masked: only { is_set } is returned.',
        params: AdminStoreParams,
        response: { 200: EmailSettingsWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toEmailSettingsWire(
        await email.getStoreEmailSettingsForAdmin(actorOfRequest(request), request.params.store_id),
      ),
  );

  app.get(
    '/email-logs',
    {
      schema: {
        ...base,
        operationId: 'adminListEmailLogs',
        summary: 'The email log of every store',
        description: 'Newest first, in cursor pages; filter by status, store, recipient and creation date.',
        querystring: AdminEmailLogQuery,
        response: { 200: EmailLogListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const page = await email.listEmailLogs(actorOfRequest(request), logFilters(request.query));
      return { email_logs: page.items.map(toEmailLogWire), next_cursor: page.nextCursor };
    },
  );
};
