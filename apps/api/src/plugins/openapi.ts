import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface OpenApiOptions {
  /** API version shown in the document. */
  readonly version: string;
  /** Public base URL, the document's `servers` entry; absent: no `servers`. */
  readonly publicUrl?: string;
}

/**
 * The OpenAPI 3.1 document, generated from the routes' TypeBox schemas, served at
 * `/openapi.json`, with Swagger UI at `/docs` (bundled assets only; no call to the public
 * swagger.io validator). Registered after the hooks every request runs and before the routes:
 * `@fastify/swagger` only documents routes added after it.
 *
 * @example
 * ```ts
 * await app.register(openApiPlugin, { version: '1.0.0', publicUrl: 'https://chat.example.com' });
 * ```
 */
const openApi: FastifyPluginAsync<OpenApiOptions> = async (app, options) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley API',
        version: options.version,
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
            description:
              "HS256 JWT issued by the host platform: sub, role, exp, and for the preset's tenant-bound roles (store, customer in the marketplace) the tenant as tenant_id or store_id.",
          },
        },
      },
      tags: [
        { name: 'Admin messages', description: 'Platform admins (role admin).' },
        { name: 'Store messages', description: 'Store staff (role store).' },
        { name: 'Storefront messages', description: 'Customers (role customer).' },
        {
          name: 'Conversations',
          description:
            'Every participant (admin, store, customer tokens; not service): the same conversations as the audience routes, whatever the preset, the actor taken from the token.',
        },
        { name: 'Admin settings', description: 'Platform settings (role admin).' },
        { name: 'Platform directory', description: 'The host platform (role service).' },
        {
          name: 'Admin notifications',
          description: 'Admins: store issues, system alerts and import failures; mark them read.',
        },
        {
          name: 'Real-time',
          description:
            'Live events (WebSocket `GET /api/v1/realtime`, or Server-Sent Events), connection tickets for browsers, typing and presence: see docs/realtime.md.',
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
};

export const openApiPlugin = fp(openApi, { name: 'parley-openapi', fastify: '5.x' });

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
