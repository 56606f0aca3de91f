import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AccessPolicy } from '@parley/messaging-core';
import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { namedSchemas, referenceNamed } from '../schemas/named-schemas.js';

export interface OpenApiOptions {
  /** API version shown in the document. */
  readonly version: string;
  /** Public base URL, the document's `servers` entry; absent: the relative `/`. */
  readonly publicUrl?: string;
  /** The running preset's policy: the document lists its conversation and participant types and roles. */
  readonly policy: AccessPolicy;
}

/**
 * The OpenAPI 3.1 document, generated from the routes' TypeBox schemas, served at
 * `/openapi.json`, with Swagger UI at `/docs` (bundled assets only; no call to the public
 * swagger.io validator). Registered after the hooks every request runs and before the routes:
 * `@fastify/swagger` only documents routes added after it.
 *
 * The shared shapes are named (`components.schemas`, see `namedSchemas`): each is added with
 * `app.addSchema` under its `$id`, and the document's copy of a route's responses refers to it
 * wherever the route declares that very schema. Only the document changes: the routes keep their
 * own schemas for validation and serialization. Response headers, the download types, the
 * multipart send body, `servers`, the global bearer requirement and the license are declared here.
 * The shared schemas are added in a context of their own that no route inherits (the document
 * only needs them; every route's serializer build would otherwise carry them).
 *
 * @example
 * ```ts
 * await app.register(openApiPlugin, { version: '1.0.0', publicUrl: 'https://chat.example.com', policy: core.policy });
 * ```
 */
const openApi: FastifyPluginAsync<OpenApiOptions> = async (app, options) => {
  const named = namedSchemas(options.policy);
  const names = new Map<object, string>(named.map(({ name, schema }) => [schema, name]));
  await app.register(swagger, {
    // Components take the `$id` of their schema as their name (the default is `def-N`).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley API',
        version: options.version,
        summary: 'Conversations, messages and attachments for multi-tenant platforms.',
        description:
          'Messaging for multi-tenant platforms (marketplace, care-team and community presets): conversations between the participant types of the running preset, the platform directory, email settings and templates, and real-time delivery. Authenticate with a bearer JWT issued by the host platform. Errors are RFC 9457 problem+json; every answer carries X-Request-Id.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: options.publicUrl ?? '/' }],
      security: [{ bearerAuth: [] }],
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
        {
          name: 'Inbound mail',
          description:
            'Reply by email: replies to notification emails from SendGrid Inbound Parse, Mailgun routes and Amazon SES (through SNS), posted into the thread as the person the reply address names.',
        },
      ],
    },
    transform: ({ schema, url }) => ({ schema: documentedSchema(schema, names), url }),
    transformObject: (document) =>
      'openapiObject' in document
        ? withoutUnusedSchemas(declareHeaders(optionalBodies(document.openapiObject)))
        : document.swaggerObject,
  });
  // Bundled assets only; no call to the public swagger.io validator.
  // The named schemas live in a child context of their own, which @fastify/swagger reads (it
  // collects every registered context's schemas) and no route inherits: added to the root, they
  // would join every route's serializer build, which made building the app four times slower.
  await app.register(async (documentOnly) => {
    for (const { name, schema, definition } of named)
      documentOnly.addSchema({ ...(referenceNamed(definition ?? schema, names, true) as object), $id: name });
  });
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

/**
 * The document's copy of a route schema: responses refer to the named shapes, and a
 * `multipart/form-data` body declared with `x-multipart-body` (the handler streams its parts, so it
 * is no validation schema) sits next to the JSON body.
 */
function documentedSchema(schema: FastifySchema, names: ReadonlyMap<object, string>): FastifySchema {
  // Routes without a schema reach here with none (`hide` routes, the docs' own).
  if (schema === undefined) return schema;
  const { 'x-multipart-body': multipart, ...rest } = schema as FastifySchema & Record<string, unknown>;
  const documented: Record<string, unknown> = { ...rest };
  if (rest.response !== undefined) documented.response = referenceNamed(rest.response, names);
  if (multipart !== undefined) {
    const body = rest.body as { content?: Record<string, unknown> } | undefined;
    documented.body = {
      ...body,
      content: { ...body?.content, 'multipart/form-data': { schema: multipart } },
    };
  }
  return documented as FastifySchema;
}

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** The response headers of the API, declared once and referred to by every response they apply to. */
const RESPONSE_HEADERS = {
  XRequestId: {
    description:
      'The request id: the caller’s own X-Request-Id when well-formed, else a generated one; the same as a problem’s `request_id` and in the logs.',
    schema: { type: 'string' },
  },
  XRateLimitLimit: {
    description: 'Requests the caller may make per window.',
    schema: { type: 'integer', minimum: 0 },
  },
  XRateLimitRemaining: {
    description: 'Requests left in the current window.',
    schema: { type: 'integer', minimum: 0 },
  },
  XRateLimitReset: {
    description: 'Seconds until the window resets.',
    schema: { type: 'integer', minimum: 0 },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 0 },
  },
  IdempotentReplayed: {
    description:
      '`true` when this answer replays the first request made with the same Idempotency-Key (nothing was done again); absent otherwise.',
    schema: { type: 'string', enum: ['true'] },
  },
  ContentDisposition: {
    description: '`attachment` with the original file name (RFC 6266 `filename*`).',
    schema: { type: 'string' },
  },
  Location: {
    description: 'The path of the created resource.',
    schema: { type: 'string', format: 'uri-reference' },
  },
} as const;

interface DocumentedResponse {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: { format?: string } }>;
}

interface DocumentedOperation {
  parameters?: { in?: string; name?: string }[];
  responses?: Record<string, DocumentedResponse>;
}

/**
 * Declares the response headers the plugins and handlers set: `X-Request-Id` on every answer, the
 * rate-limit headers and `Retry-After` on 429s, `Location` on 201s, `Idempotent-Replayed` on the
 * successes of operations that take an `Idempotency-Key`, `Content-Disposition` on file downloads.
 */
function declareHeaders<T extends { paths?: Record<string, unknown>; components?: object }>(openapi: T): T {
  const components = (openapi.components ?? {}) as Record<string, unknown>;
  components.headers = { ...(components.headers as object | undefined), ...RESPONSE_HEADERS };
  openapi.components = components;
  for (const item of Object.values(openapi.paths ?? {})) {
    for (const operation of Object.values((item ?? {}) as Record<string, DocumentedOperation>)) {
      if (typeof operation !== 'object' || operation?.responses === undefined) continue;
      const idempotent = (operation.parameters ?? []).some(
        (p) => p.in === 'header' && p.name?.toLowerCase() === 'idempotency-key',
      );
      for (const [status, response] of Object.entries(operation.responses)) {
        const headers: Record<string, unknown> = { 'X-Request-Id': header('XRequestId') };
        if (status === '429') {
          headers['X-RateLimit-Limit'] = header('XRateLimitLimit');
          headers['X-RateLimit-Remaining'] = header('XRateLimitRemaining');
          headers['X-RateLimit-Reset'] = header('XRateLimitReset');
          headers['Retry-After'] = header('RetryAfter');
        }
        if (status === '201') headers.Location = header('Location');
        if (idempotent && status.startsWith('2'))
          headers['Idempotent-Replayed'] = header('IdempotentReplayed');
        const binary = Object.values(response.content ?? {}).some((c) => c.schema?.format === 'binary');
        if (binary) headers['Content-Disposition'] = header('ContentDisposition');
        response.headers = { ...response.headers, ...headers };
      }
    }
  }
  return openapi;
}

/**
 * Drops the named schemas no operation of this document refers to (directly or through another
 * schema): the table names the shapes of every preset and configuration, a running API serves
 * only some of their routes.
 */
function withoutUnusedSchemas<T extends { paths?: unknown; components?: object }>(openapi: T): T {
  const schemas = (openapi.components as { schemas?: Record<string, unknown> } | undefined)?.schemas;
  if (schemas === undefined) return openapi;
  const prefix = '#/components/schemas/';
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith(prefix)) {
      const name = ref.slice(prefix.length);
      if (!used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      }
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(openapi.paths);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return openapi;
}
