import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  type AdminNotificationsCore,
  type AuditCore,
  type Clock,
  careTeamPolicy,
  type EmailCore,
  type EmailTemplatesCore,
  type MarketplaceDirectory,
  type MessagingCore,
  type NotificationPreferencesCore,
  type PeopleDirectory,
  type PrivacyCore,
  systemClock,
  type WebhooksCore,
} from '@parley/messaging-core';
import Fastify from 'fastify';
import { type LogLevel, SERVER_DEFAULTS } from './config.js';
import { authPlugin, secretKey } from './plugins/authentication.js';
import { contentTypesPlugin } from './plugins/content-types.js';
import { corsPlugin } from './plugins/cors.js';
import { gracefulShutdownPlugin } from './plugins/graceful-shutdown.js';
import { createMetrics, metricsPlugin, type ParleyMetrics } from './plugins/metrics.js';
import { openApiPlugin } from './plugins/openapi.js';
import {
  answerClientError,
  answerFrameworkError,
  problemHandlingPlugin,
  routeNotFoundPlugin,
} from './plugins/problem-handling.js';
import { type RateLimitCounterBackend, rateLimitPlugin } from './plugins/rate-limit.js';
import { requestIdOf, requestIdPlugin } from './plugins/request-id.js';
import { requestValidationPlugin } from './plugins/request-validation.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { strictQuerystringPlugin } from './plugins/strict-querystring.js';
import { textInputGuardPlugin } from './plugins/text-input-guard.js';
import { type Realtime, realtimePlugin } from './realtime/realtime-service.js';
import { adminNotificationRoutes, platformNotificationRoutes } from './routes/admin-notification-routes.js';
import { auditLogRoutes } from './routes/audit-log-routes.js';
import { careTeamRoutes } from './routes/care-team-routes.js';
import { conversationMembershipRoutes } from './routes/conversation-membership-routes.js';
import { conversationRoutes } from './routes/conversation-routes.js';
import { adminEmailRoutes, storeEmailRoutes } from './routes/email-settings-routes.js';
import { adminEmailTemplateRoutes, storeEmailTemplateRoutes } from './routes/email-template-routes.js';
import { type EmailWebhookDependencies, emailWebhookRoutes } from './routes/email-webhook-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { type InboundMailDependencies, inboundMailRoutes } from './routes/inbound-mail-routes.js';
import { inboxRoutes } from './routes/inbox-routes.js';
import { absentManagementRoutes, messagingRoutes } from './routes/messaging-routes.js';
import {
  adminModerationSettingsRoutes,
  moderationQueueRoutes,
  storeModerationSettingsRoutes,
} from './routes/moderation-routes.js';
import { notificationPreferencesRoutes } from './routes/notification-preferences-routes.js';
import { platformPeopleRoutes } from './routes/platform-people-routes.js';
import { platformPrivacyRoutes } from './routes/platform-privacy-routes.js';
import { platformRoutes } from './routes/platform-routes.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { platformWebhookRoutes, storeWebhookRoutes } from './routes/webhook-routes.js';

/**
 * The directory the host platform writes through the platform routes: the marketplace's own
 * (`/platform/stores|users|customers`, with the marketplace's audience facade) or the people
 * directory of the other presets (`/platform/tenants`, `/platform/people/{type}/{id}`). Tokens
 * are checked through the core (`resolveActor`), whichever it is.
 */
export type ServerDirectory =
  | { readonly directory: MarketplaceDirectory; readonly people?: never }
  | { readonly people: PeopleDirectory; readonly directory?: never };

/** What the routes run against: the core and the ports the HTTP layer talks to directly. */
export type ServerDependencies = ServerDirectory & ServerPorts;

export interface ServerPorts {
  readonly core: MessagingCore;
  /** Resolves when the database answers (for `/readyz`). */
  readonly checkDatabase: () => Promise<void>;
  /** Shown by `/readyz`: `postgres`, `pglite`, `memory`. */
  readonly databaseKind: string;
  /** The HS256 secret shared with the platform that issues tokens. */
  readonly jwtSecret: string;
  /** Timestamps directory upserts (default: the wall clock). */
  readonly clock?: Clock;
  /**
   * The email tracking webhooks (`/api/v1/webhooks/email/*`): `applyDeliveryEvents` and a
   * verifier per configured provider. Absent (or a provider absent): those routes answer 404.
   */
  readonly emailWebhooks?: EmailWebhookDependencies;
  /** Store email settings and the email log routes; absent: those routes are not registered. */
  readonly email?: EmailCore;
  /** Platform email templates and store overrides; absent: those routes are not registered. */
  readonly emailTemplates?: EmailTemplatesCore;
  /** Admin notifications (admin routes and the services' POST); absent: not registered. */
  /** Reply by email (`/api/v1/inbound/*`); absent or null: those routes answer 404. */
  readonly inboundMail?: InboundMailDependencies | null;
  readonly adminNotifications?: AdminNotificationsCore;
  /** Prometheus metrics (`createMetrics`); absent: a registry of its own with HTTP and process metrics only. */
  readonly metrics?: ParleyMetrics;
  /** Real-time delivery (`createRealtime`, started by its owner); absent: no real-time routes. */
  readonly realtime?: Realtime;
  /** Webhooks to the host platform (platform and store routes); absent: not registered. */
  readonly webhooks?: WebhooksCore;
  /** The audit log (`/api/v1/admin/audit-log`, read-only); absent: not registered. */
  readonly audit?: AuditCore;
  /** Global notification preferences (`/api/v1/me/notification-preferences`); absent: not registered. */
  readonly notificationPreferences?: NotificationPreferencesCore;
  /** GDPR export and erasure (platform routes); absent: not registered. */
  readonly privacy?: PrivacyCore;
}

/** How the server behaves; the composition root maps the `Config` onto this. */
export interface ServerOptions {
  readonly logLevel?: LogLevel;
  /** Where log lines go (default stdout); tests pass a stream to read them. */
  readonly logStream?: NodeJS.WritableStream;
  /** Public base URL, for the OpenAPI `servers` entry. */
  readonly publicUrl?: string;
  /** Allowed CORS origins; empty or absent: no CORS headers at all. */
  readonly corsOrigins?: readonly string[] | '*';
  /** Requests per window per caller (default `SERVER_DEFAULTS.rateLimit`, as `PARLEY_RATE_LIMIT_*` unset). */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
  /** Where rate-limit counters live, shared by every instance (database or Redis); absent: this process. */
  readonly rateLimitCounters?: RateLimitCounterBackend;
  /** Email template previews per window per store (or per admin), on top of `rateLimit`; null: none. */
  readonly templatePreviewRateLimit?: { readonly max: number; readonly windowMs: number } | null;
  /** Largest request body in bytes (default `SERVER_DEFAULTS.bodyLimit`, 1 MiB). */
  readonly bodyLimit?: number;
  /** API version shown in the OpenAPI document. */
  readonly version?: string;
  /** `GET /metrics` answers only to this bearer token; absent: the route does not exist (404). */
  readonly metricsToken?: string;
}

/** Pino paths never written to a log line: credentials in headers and any secret. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'authorization',
  'token',
  'jwtSecret',
  'secret',
  '*.authorization',
  '*.token',
  '*.jwtSecret',
  '*.secret',
];

/** Longest path parameter the router accepts, as sent (percent-encoded); longer is a 414. */
export const MAX_PARAM_LENGTH = 2048;

/** The audience prefixes of the marketplace facade and the participant type each serves. */
const AUDIENCE_ROUTES = [
  { prefix: '/api/v1/admin', role: 'admin', tag: 'Admin messages' },
  { prefix: '/api/v1/store', role: 'store', tag: 'Store messages' },
  { prefix: '/api/v1/storefront', role: 'customer', tag: 'Storefront messages' },
] as const;

/**
 * Builds the HTTP API over a core and its directory: Fastify with TypeBox schemas as the single
 * source of validation, serialization and the OpenAPI document. Does not listen; call
 * `app.listen` (or `app.inject` in tests).
 *
 * One plugin per concern (`./plugins/`), registered in the order their hooks must run — each
 * plugin's JSDoc says why it sits where it does — then the route plugins.
 *
 * @example
 * ```ts
 * const { core, directory } = createInMemoryMessaging();
 * const app = await buildServer({ core, directory, checkDatabase: async () => {}, databaseKind: 'memory', jwtSecret });
 * const response = await app.inject({ method: 'GET', url: '/healthz' });
 * ```
 */
export async function buildServer(deps: ServerDependencies, options: ServerOptions = {}) {
  const app = Fastify({
    logger: {
      level: options.logLevel ?? SERVER_DEFAULTS.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: options.bodyLimit ?? SERVER_DEFAULTS.bodyLimit,
    // Any id (at most 255 characters) fits even percent-encoded, so a long one is a 400 naming
    // the field; only longer path parameters are a 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    requestIdHeader: false,
    genReqId: requestIdOf,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(requestValidationPlugin);
  await app.register(strictQuerystringPlugin);
  await app.register(contentTypesPlugin);
  await app.register(requestIdPlugin);
  await app.register(gracefulShutdownPlugin);
  await app.register(problemHandlingPlugin);
  await app.register(metricsPlugin, {
    metrics: deps.metrics ?? createMetrics(),
    token: options.metricsToken,
  });
  await app.register(textInputGuardPlugin);
  await app.register(securityHeadersPlugin, { https: options.publicUrl?.startsWith('https://') ?? false });
  await app.register(corsPlugin, { origins: options.corsOrigins ?? [] });
  await app.register(authPlugin, {
    key: secretKey(deps.jwtSecret),
    resolveActor: deps.core.resolveActor,
    policy: deps.core.policy,
  });
  await app.register(rateLimitPlugin, {
    ...(options.rateLimit ?? SERVER_DEFAULTS.rateLimit),
    ...(options.rateLimitCounters ? { counters: options.rateLimitCounters } : {}),
  });
  await app.register(routeNotFoundPlugin);
  await app.register(openApiPlugin, {
    version: options.version ?? '0.1.0',
    policy: deps.core.policy,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });

  await app.register(healthRoutes, { checkDatabase: deps.checkDatabase, databaseKind: deps.databaseKind });
  const core = deps.core;
  const clock = deps.clock ?? systemClock;
  if (deps.directory) {
    // The marketplace's audience routes (the seed's facade): one prefix per participant type. The
    // management routes (create, close, reopen, recipients) exist for the types the policy lets
    // start conversations; the others answer 404 on those paths.
    for (const { prefix, role, tag } of AUDIENCE_ROUTES) {
      const manage = core.policy.mayEver(role, 'start');
      await app.register(messagingRoutes, { prefix, core, role, manage, tag });
      if (!manage) await app.register(absentManagementRoutes, { prefix });
    }
  }
  await app.register(conversationRoutes, { prefix: '/api/v1/conversations', core });
  await app.register(conversationMembershipRoutes, { prefix: '/api/v1/conversations', core });
  await app.register(recipientRoutes, { prefix: '/api/v1/conversations', core });
  // The care-team platform's own API, for deployments of that preset only.
  if (core.policy.name === careTeamPolicy.name)
    await app.register(careTeamRoutes, { prefix: '/api/messages', core });
  await app.register(settingsRoutes, { prefix: '/api/v1/admin', core });
  await app.register(moderationQueueRoutes, { prefix: '/api/v1/admin', core });
  await app.register(adminModerationSettingsRoutes, { prefix: '/api/v1/admin', core });
  await app.register(storeModerationSettingsRoutes, { prefix: '/api/v1/store', core });
  if (deps.notificationPreferences)
    await app.register(notificationPreferencesRoutes, {
      prefix: '/api/v1/me',
      preferences: deps.notificationPreferences,
    });
  if (deps.directory) {
    await app.register(platformRoutes, {
      prefix: '/api/v1/platform',
      directory: deps.directory,
      clock,
      policy: core.policy,
    });
  } else {
    await app.register(platformPeopleRoutes, {
      prefix: '/api/v1/platform',
      directory: deps.people,
      clock,
      policy: core.policy,
    });
  }
  if (deps.email) {
    await app.register(storeEmailRoutes, { prefix: '/api/v1/store', email: deps.email });
    await app.register(adminEmailRoutes, { prefix: '/api/v1/admin', email: deps.email });
  }
  if (deps.emailTemplates) {
    const previewRateLimit = options.templatePreviewRateLimit ?? null;
    await app.register(storeEmailTemplateRoutes, {
      prefix: '/api/v1/store',
      templates: deps.emailTemplates,
      previewRateLimit,
    });
    await app.register(adminEmailTemplateRoutes, {
      prefix: '/api/v1/admin',
      templates: deps.emailTemplates,
      previewRateLimit,
    });
  }
  if (deps.adminNotifications) {
    await app.register(adminNotificationRoutes, {
      prefix: '/api/v1/admin',
      notifications: deps.adminNotifications,
    });
    await app.register(platformNotificationRoutes, {
      prefix: '/api/v1/platform',
      notifications: deps.adminNotifications,
    });
  }
  if (deps.webhooks) {
    await app.register(platformWebhookRoutes, { prefix: '/api/v1/platform', webhooks: deps.webhooks });
    await app.register(storeWebhookRoutes, { prefix: '/api/v1/store', webhooks: deps.webhooks });
  }
  if (deps.audit) await app.register(auditLogRoutes, { prefix: '/api/v1/admin', audit: deps.audit });
  if (deps.privacy)
    await app.register(platformPrivacyRoutes, {
      prefix: '/api/v1/platform',
      privacy: deps.privacy,
      policy: core.policy,
    });
  if (deps.realtime)
    await app.register(realtimePlugin, {
      realtime: deps.realtime,
      corsOrigins: options.corsOrigins ?? [],
      resolveActor: core.resolveActor,
    });
  await app.register(inboxRoutes, {
    basePath: options.publicUrl ? new URL(options.publicUrl).pathname.replace(/\/+$/, '') : '',
  });
  await app.register(emailWebhookRoutes, {
    prefix: '/api/v1/webhooks/email',
    webhooks: deps.emailWebhooks ?? { applyDeliveryEvents: async () => [] },
  });
  await app.register(inboundMailRoutes, { prefix: '/api/v1/inbound', inbound: deps.inboundMail ?? null });
  return app;
}

/** The API's Fastify instance, with its TypeBox type provider. */
export type ParleyApp = Awaited<ReturnType<typeof buildServer>>;
