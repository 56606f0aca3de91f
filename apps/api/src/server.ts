import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  registerAjvFormats,
  type TypeBoxTypeProvider,
  TypeBoxValidatorCompiler,
} from '@fastify/type-provider-typebox';
import {
  type AdminNotificationsCore,
  type Clock,
  type EmailCore,
  type EmailTemplatesCore,
  isValidEmail,
  type MarketplaceDirectory,
  type MessagingCore,
  systemClock,
} from '@parley/messaging-core';
import Fastify, { type RouteOptions } from 'fastify';
import { Type } from 'typebox';
import Format from 'typebox/format';
import { authPlugin, secretKey } from './auth.js';
import type { LogLevel } from './config.js';
import { HttpProblem } from './http-errors.js';
import { createMetrics, metricsPlugin, type ParleyMetrics } from './plugins/metrics.js';
import {
  answerClientError,
  answerFrameworkError,
  problemHandlingPlugin,
  routeNotFound,
} from './plugins/problem-handling.js';
import { textInputGuardPlugin } from './plugins/text-input-guard.js';
import { adminNotificationRoutes, platformNotificationRoutes } from './routes/admin-notification-routes.js';
import { conversationMembershipRoutes } from './routes/conversation-membership-routes.js';
import { CONVERSATIONS_TAG, conversationRoutes } from './routes/conversation-routes.js';
import { adminEmailRoutes, storeEmailRoutes } from './routes/email-settings-routes.js';
import { adminEmailTemplateRoutes, storeEmailTemplateRoutes } from './routes/email-template-routes.js';
import { type EmailWebhookDependencies, emailWebhookRoutes } from './routes/email-webhook-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { inboxRoutes } from './routes/inbox-routes.js';
import { absentManagementRoutes, messagingRoutes } from './routes/messaging-routes.js';
import { platformRoutes } from './routes/platform-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { isStorableDateTime } from './schemas/common.js';

/** What the routes run against: the core and the ports the HTTP layer talks to directly. */
export interface ServerDependencies {
  readonly core: MessagingCore;
  /** The directory's write side, for the platform routes and token checks. */
  readonly directory: MarketplaceDirectory;
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
  readonly adminNotifications?: AdminNotificationsCore;
  /** Prometheus metrics (`createMetrics`); absent: a registry of its own with HTTP and process metrics only. */
  readonly metrics?: ParleyMetrics;
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
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
  /** Email template previews per window per store (or per admin), on top of `rateLimit`; null: none. */
  readonly templatePreviewRateLimit?: { readonly max: number; readonly windowMs: number } | null;
  /** Largest request body in bytes (default 1 MiB). */
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

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Longest path parameter the router accepts, as sent (percent-encoded); longer is a 414. */
export const MAX_PARAM_LENGTH = 2048;

/**
 * Routes whose query strings stay open: callers we do not control (providers signing webhooks
 * may append parameters), and what is not the JSON API (docs, the OpenAPI document, the inbox
 * page, metrics, probes). Listed in docs/api.md.
 */
const OPEN_QUERY_ROUTES =
  /^\/(?:api\/v1\/webhooks\/|docs(?:\/|$)|openapi\.json$|inbox(?:\/|$)|metrics$|healthz$|readyz$)/;

/**
 * `onRoute` hook: makes a route's querystring schema strict, so an unknown parameter is a 400
 * naming it, like an unknown body field. A route without a querystring schema gets an empty
 * strict one. Leaves alone `OPEN_QUERY_ROUTES`, routes hidden from the OpenAPI document, wildcard routes (CORS preflight, whose URL
 * carries the real request's query) and OPTIONS.
 */
export function strictQuerystring(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.includes('OPTIONS') || route.url.includes('*') || OPEN_QUERY_ROUTES.test(route.url)) return;
  const schema = route.schema ?? {};
  // Hidden routes are not the documented JSON API; one of them stands in for an absent route and
  // must answer exactly like one (404), whatever the query.
  if (schema.hide === true) return;
  const query = schema.querystring as Record<string, unknown> | undefined;
  if (query?.additionalProperties === false) return;
  // A copy keeping TypeBox's non-enumerable markers (a spread would drop them, and with them the
  // conversion of query strings to numbers and booleans); the schema may be shared by routes.
  const strict =
    query === undefined
      ? Type.Object({}, { additionalProperties: false })
      : Object.create(Object.getPrototypeOf(query), {
          ...Object.getOwnPropertyDescriptors(query),
          additionalProperties: { value: false, enumerable: true, writable: true, configurable: true },
        });
  route.schema = { ...schema, querystring: strict };
}

let formatsRegistered = false;

/**
 * String formats for request validation: ajv-formats' set, with the core's email rule, and
 * `date-time` narrowed to instants the database stores (`isStorableDateTime`).
 */
function registerFormats(): void {
  if (formatsRegistered) return;
  registerAjvFormats();
  Format.Set('email', isValidEmail);
  const isDateTime = Format.Get('date-time') ?? (() => true);
  Format.Set('date-time', (value) => isDateTime(value) && isStorableDateTime(value));
  formatsRegistered = true;
}

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
 * @example
 * ```ts
 * const { core, directory } = createInMemoryMessaging();
 * const app = await buildServer({ core, directory, checkDatabase: async () => {}, databaseKind: 'memory', jwtSecret });
 * const response = await app.inject({ method: 'GET', url: '/healthz' });
 * ```
 */
export async function buildServer(deps: ServerDependencies, options: ServerOptions = {}) {
  registerFormats();
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Any id (at most 255 characters) fits even percent-encoded, so a long one is a 400 naming
    // the field; only longer path parameters are a 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Before any route: every later route's querystring refuses unknown parameters.
  app.addHook('onRoute', strictQuerystring);

  // JSON only (multipart arrives with attachments): other media types are 415s. An empty JSON
  // body (a POST with Content-Type: application/json and nothing else) is no body.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
  // multipart/form-data for sends with attachments: parts are streamed by the route, never
  // buffered; its limits (file size and count from the platform settings) are set per request.
  await app.register(multipart, { throwFileSizeLimit: true });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Graceful shutdown: responses finishing after close() began ask the client to drop the
  // connection, so keep-alive sockets do not hold the shutdown open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  await app.register(problemHandlingPlugin);
  // Before every route, so each one is timed.
  await app.register(metricsPlugin, {
    metrics: deps.metrics ?? createMetrics(),
    token: options.metricsToken,
  });
  await app.register(textInputGuardPlugin);
  // Over plain http (local runs), asking browsers to upgrade to https would break /docs.
  const https = options.publicUrl?.startsWith('https://') ?? false;
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  const origins = options.corsOrigins ?? [];
  if (origins === '*' || origins.length > 0) {
    await app.register(cors, {
      origin: origins === '*' ? '*' : [...origins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: [
        'Retry-After',
        'Idempotent-Replayed',
        'X-Request-Id',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
      ],
      maxAge: 600,
    });
  }
  await app.register(authPlugin, {
    key: secretKey(deps.jwtSecret),
    resolveActor: deps.core.resolveActor,
    policy: deps.core.policy,
  });
  await app.register(rateLimit, {
    // Not per route: the global budget is counted by the root hook below. Routes with a budget of
    // their own (`config.rateLimit` an object, or hooks from `app.rateLimit(...)`) keep the plugin's.
    global: false,
    max: options.rateLimit?.max ?? 600,
    timeWindow: options.rateLimit?.windowMs ?? 60_000,
    // Per token subject when the token verifies (refreshing a token keeps the budget), else per IP.
    keyGenerator: async (request) => {
      const credentials = await app.credentials(request);
      if (!credentials.ok) return `ip:${request.ip}`;
      const { role, storeId, subject } = credentials.principal;
      return `${role}:${storeId ?? ''}:${subject}`;
    },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `rate limit of ${context.max} requests exceeded; retry in ${context.after}`,
    }),
  });

  // The global budget, counted here before any route's authentication hook: a request without a
  // valid token spends its IP's budget even though it ends in a 401 (a per-route hook would run
  // after the route's own hooks and never see it). Routes exempt (`rateLimit: false`) or with a
  // budget of their own (an object) are left out. `createRateLimit` only counts, so the routes'
  // extra limiters (template previews) still run after this one.
  const globalLimit = app.createRateLimit();
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.rateLimit !== undefined) return;
    const result = await globalLimit(request);
    if (result.isAllowed) return;
    reply.header('x-ratelimit-limit', result.max);
    reply.header('x-ratelimit-remaining', result.remaining);
    reply.header('x-ratelimit-reset', result.ttlInSeconds);
    if (!result.isExceeded) return;
    reply.header('retry-after', result.ttlInSeconds);
    throw new HttpProblem(
      'RATE_LIMITED',
      `rate limit of ${result.max} requests exceeded; retry in ${result.ttlInSeconds} seconds`,
    );
  });

  app.setNotFoundHandler(async (request) => {
    throw routeNotFound(request.method, request.url);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley API',
        version: options.version ?? '0.1.0',
        description:
          'Messaging for multi-tenant marketplaces: admin, store and storefront conversations, and the platform directory. Errors are RFC 9457 problem+json.',
      },
      ...(options.publicUrl ? { servers: [{ url: options.publicUrl }] } : {}),
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'HS256 JWT issued by the host platform: sub, role, store_id (store, customer), exp.',
          },
        },
      },
      tags: [
        { name: 'Admin messages', description: 'Platform admins (role admin).' },
        { name: 'Store messages', description: 'Store staff (role store).' },
        { name: 'Storefront messages', description: 'Customers (role customer).' },
        {
          name: CONVERSATIONS_TAG,
          description:
            'Every participant (admin, store, customer tokens; not service): the same conversations as the audience routes, whatever the preset, the actor taken from the token.',
        },
        { name: 'Admin settings', description: 'Platform settings (role admin).' },
        { name: 'Platform directory', description: 'The host platform (role service).' },
        {
          name: 'Admin notifications',
          description: 'Admins: store issues, system alerts and import failures; mark them read.',
        },
        { name: 'Health', description: 'Liveness and readiness.' },
        {
          name: 'Store email',
          description: "Store staff: the store's email provider settings and email log.",
        },
        {
          name: 'Admin email',
          description: "Admins: any store's email settings (masked) and the email log.",
        },
        {
          name: 'Store email templates',
          description: "Store staff: override the platform's email templates (Liquid) and preview them.",
        },
        {
          name: 'Admin email templates',
          description: 'Admins: the platform email templates (Liquid), and previews with sample variables.',
        },
        {
          name: 'Email webhooks',
          description:
            'Delivery tracking from SendGrid, Mailgun and Amazon SES (verified by signature, no bearer token).',
        },
      ],
    },
    transformObject: (document) =>
      'openapiObject' in document ? optionalBodies(document.openapiObject) : document.swaggerObject,
  });
  // Bundled assets only; no call to the public swagger.io validator.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { checkDatabase: deps.checkDatabase, databaseKind: deps.databaseKind });
  const core = deps.core;
  // The marketplace's audience routes (the seed's facade): one prefix per participant type. The
  // management routes (create, close, reopen, recipients) exist for the types the policy lets
  // start conversations; the others answer 404 on those paths.
  for (const { prefix, role, tag } of AUDIENCE_ROUTES) {
    const manage = core.policy.mayEver(role, 'start');
    await app.register(messagingRoutes, { prefix, core, role, manage, tag });
    if (!manage) await app.register(absentManagementRoutes, { prefix });
  }
  await app.register(conversationRoutes, { prefix: '/api/v1/conversations', core });
  await app.register(conversationMembershipRoutes, { prefix: '/api/v1/conversations', core });
  await app.register(settingsRoutes, { prefix: '/api/v1/admin', core });
  await app.register(platformRoutes, {
    prefix: '/api/v1/platform',
    directory: deps.directory,
    clock: deps.clock ?? systemClock,
    policy: core.policy,
  });
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
  await app.register(inboxRoutes, {
    basePath: options.publicUrl ? new URL(options.publicUrl).pathname.replace(/\/+$/, '') : '',
  });
  await app.register(emailWebhookRoutes, {
    prefix: '/api/v1/webhooks/email',
    webhooks: deps.emailWebhooks ?? { applyDeliveryEvents: async () => [] },
  });
  return app;
}

/** The API's Fastify instance, with its TypeBox type provider. */
export type ParleyApp = Awaited<ReturnType<typeof buildServer>>;

/**
 * Fastify always hands a route with a body schema a body, so `@fastify/swagger` marks every
 * request body required; routes that default a missing body (`x-body-optional: true` in their
 * schema) are documented as optional instead.
 */
function optionalBodies<T extends { paths?: Record<string, unknown> }>(openapi: T): T {
  for (const item of Object.values(openapi.paths ?? {})) {
    for (const operation of Object.values((item ?? {}) as Record<string, Record<string, unknown>>)) {
      if (operation?.['x-body-optional'] !== true) continue;
      delete operation['x-body-optional'];
      const body = operation.requestBody as { required?: boolean } | undefined;
      if (body !== undefined) body.required = false;
    }
  }
  return openapi;
}
