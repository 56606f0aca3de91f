import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {
  EmailTemplate,
  EmailTemplatesCore,
  RenderedEmail,
  StoreEmailTemplateView,
  UpdateEmailTemplateInput,
} from '@parley/messaging-core';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Static } from 'typebox';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import {
  EmailTemplateListWire,
  EmailTemplateWire,
  PreviewEmailTemplateBody,
  RenderedEmailWire,
  SaveStoreEmailTemplateBody,
  StoreEmailTemplateListWire,
  StoreEmailTemplateWire,
  TemplateKeyParams,
  UpdateEmailTemplateBody,
} from '../schemas/email-templates.js';

export interface EmailTemplateRoutesOptions {
  readonly templates: EmailTemplatesCore;
  /**
   * Previews per window, per store (store routes) or per admin (admin routes); null or absent:
   * only the global rate limit applies.
   */
  readonly previewRateLimit?: { readonly max: number; readonly windowMs: number } | null;
}

/**
 * The preview budget, on top of the global rate limit: rendering is the one request whose cost a
 * store's own template decides, so one store (all its staff together) or one admin gets
 * `max` previews per window. 429 `RATE_LIMITED` with `Retry-After` past it.
 */
function previewLimiter(
  app: FastifyInstance,
  limit: EmailTemplateRoutesOptions['previewRateLimit'],
): onRequestAsyncHookHandler[] {
  if (!limit) return [];
  const window = humanDuration(limit.windowMs);
  return [
    app.rateLimit({
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: async (request) => {
        const credentials = await app.credentials(request);
        if (!credentials.ok) return `preview:ip:${request.ip}`;
        // One budget per tenant (all its staff share it); callers without one, per person.
        const { role, storeId, subject } = credentials.principal;
        return storeId ? `preview:tenant:${storeId}` : `preview:${role}:${subject}`;
      },
      errorResponseBuilder: (request, context) => ({
        statusCode: 429,
        code: 'RATE_LIMITED',
        message: `template preview limit of ${context.max} per ${window} ${
          request.url.startsWith('/api/v1/store/') ? 'for this store' : 'per admin'
        } exceeded; retry in ${context.after}`,
      }),
    }) as onRequestAsyncHookHandler,
  ];
}

function humanDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
  if (ms % 1_000 === 0) return ms === 1_000 ? 'second' : `${ms / 1_000} seconds`;
  return `${ms} ms`;
}

export function toEmailTemplateWire(template: EmailTemplate): Static<typeof EmailTemplateWire> {
  return {
    code: template.code,
    language: template.language,
    name: template.name,
    description: template.description,
    category: template.category,
    subject: template.subject,
    body_html: template.bodyHtml,
    body_text: template.bodyText,
    variables: template.variables.map((v) => ({ name: v.name, description: v.description })),
    required_variables: [...template.requiredVariables],
    is_active: template.isActive,
    is_platform_only: template.isPlatformOnly,
    created_at: template.createdAt.toISOString(),
    updated_at: template.updatedAt.toISOString(),
  };
}

function toStoreTemplateWire(view: StoreEmailTemplateView): Static<typeof StoreEmailTemplateWire> {
  const { override } = view;
  return {
    template: toEmailTemplateWire(view.template),
    override:
      override === null
        ? null
        : {
            subject: override.subject,
            body_html: override.bodyHtml,
            body_text: override.bodyText,
            is_active: override.isActive,
            created_at: override.createdAt.toISOString(),
            updated_at: override.updatedAt.toISOString(),
          },
  };
}

function toRenderedWire(email: RenderedEmail): Static<typeof RenderedEmailWire> {
  return {
    subject: email.subject,
    html: email.html,
    text: email.text,
    template_code: email.templateCode,
    language: email.language,
    source: email.source,
  };
}

function toUpdateInput(body: Static<typeof UpdateEmailTemplateBody>): UpdateEmailTemplateInput {
  return {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.description === undefined ? {} : { description: body.description }),
    ...(body.subject === undefined ? {} : { subject: body.subject }),
    ...(body.body_html === undefined ? {} : { bodyHtml: body.body_html }),
    ...(body.body_text === undefined ? {} : { bodyText: body.body_text }),
    ...(body.is_active === undefined ? {} : { isActive: body.is_active }),
    ...(body.is_platform_only === undefined ? {} : { isPlatformOnly: body.is_platform_only }),
    ...(body.category === undefined ? {} : { category: body.category }),
  };
}

const PREVIEW_DESCRIPTION =
  'Renders with the given sample variables: subject and text as is, every HTML output escaped, text generated from the HTML when the template has none. 400 naming the missing ones when required variables are absent. Rendering runs in worker threads with a time limit (422 TEMPLATE_TIMEOUT) and memory and output limits (422 TEMPLATE_TOO_LARGE), `field` naming subject, body_html or body_text; 503 TEMPLATE_RENDERER_BUSY when too many renders are waiting. Previews have their own rate limit (PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: per store for store staff, per admin for admins): 429 RATE_LIMITED past it.';

/**
 * Platform email templates (`/api/v1/admin/email-templates`, admin tokens).
 *
 * @example
 * ```ts
 * await app.register(adminEmailTemplateRoutes, { prefix: '/api/v1/admin', templates });
 * ```
 */
export const adminEmailTemplateRoutes: FastifyPluginAsyncTypebox<EmailTemplateRoutesOptions> = async (
  app,
  options,
) => {
  const { templates } = options;
  const base = { tags: ['Admin email templates'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('manage_platform_email_templates'));

  app.get(
    '/email-templates',
    {
      schema: {
        ...base,
        operationId: 'adminListEmailTemplates',
        summary: 'Every platform email template',
        description: 'Ordered by code, then language.',
        response: { 200: EmailTemplateListWire, ...problemResponses() },
      },
    },
    async (request) => ({
      email_templates: (await templates.listPlatformTemplates(actorOfRequest(request))).map(
        toEmailTemplateWire,
      ),
    }),
  );

  app.get(
    '/email-templates/:code/:language',
    {
      schema: {
        ...base,
        operationId: 'adminGetEmailTemplate',
        summary: 'One platform email template',
        params: TemplateKeyParams,
        response: { 200: EmailTemplateWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toEmailTemplateWire(
        await templates.getPlatformTemplate(
          actorOfRequest(request),
          request.params.code,
          request.params.language,
        ),
      ),
  );

  app.put(
    '/email-templates/:code/:language',
    {
      schema: {
        ...base,
        operationId: 'adminUpdateEmailTemplate',
        summary: 'Create or update a platform email template',
        description:
          'Any code (snake_case) and language tag, 200 either way. An existing one: partial update (absent: kept). A new one is created — a new language of a known code takes its name, description, category, variables and flags unless given; the first language of a new code needs `category`; both need `subject` and `body_html` (400 naming them). Sources are checked as Liquid: a syntax error is a 400 naming subject, body_html or body_text.',
        params: TemplateKeyParams,
        body: UpdateEmailTemplateBody,
        response: { 200: EmailTemplateWire, ...problemResponses(404, 422, 503) },
      },
    },
    async (request) => {
      // Created or updated, the answer is the template as stored (one success status per route).
      const { template } = await templates.savePlatformTemplate(
        actorOfRequest(request),
        request.params.code,
        request.params.language,
        toUpdateInput(request.body),
      );
      return toEmailTemplateWire(template);
    },
  );

  app.delete(
    '/email-templates/:code/:language',
    {
      schema: {
        ...base,
        operationId: 'adminDeleteEmailTemplate',
        summary: 'Delete one language version of a platform email template',
        description:
          "409 when it is the last language of a template in use: one Parley sends itself (`new_message`) or one a store overrides. Stores' overrides of that language stay (unused without it).",
        params: TemplateKeyParams,
        response: {
          204: { type: 'null', description: 'Deleted.' },
          ...problemResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      await templates.deletePlatformTemplate(
        actorOfRequest(request),
        request.params.code,
        request.params.language,
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/email-templates/:code/:language/preview',
    {
      onRequest: previewLimiter(app, options.previewRateLimit),
      schema: {
        ...base,
        operationId: 'adminPreviewEmailTemplate',
        summary: 'Render a platform email template with sample variables',
        description: PREVIEW_DESCRIPTION,
        params: TemplateKeyParams,
        body: PreviewEmailTemplateBody,
        response: { 200: RenderedEmailWire, ...problemResponses(404, 422, 503) },
      },
    },
    async (request) =>
      toRenderedWire(
        await templates.previewPlatformTemplate(
          actorOfRequest(request),
          request.params.code,
          request.params.language,
          request.body.variables,
        ),
      ),
  );
};

/**
 * A store's overrides of the platform templates (`/api/v1/store/email-templates`, store tokens).
 *
 * @example
 * ```ts
 * await app.register(storeEmailTemplateRoutes, { prefix: '/api/v1/store', templates });
 * ```
 */
export const storeEmailTemplateRoutes: FastifyPluginAsyncTypebox<EmailTemplateRoutesOptions> = async (
  app,
  options,
) => {
  const { templates } = options;
  const base = { tags: ['Store email templates'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('manage_tenant_email'));

  app.get(
    '/email-templates',
    {
      schema: {
        ...base,
        operationId: 'storeListEmailTemplates',
        summary: 'The templates the store may override, with its overrides',
        description: 'Platform-only templates are left out.',
        response: { 200: StoreEmailTemplateListWire, ...problemResponses() },
      },
    },
    async (request) => ({
      email_templates: (await templates.listStoreTemplates(actorOfRequest(request))).map(toStoreTemplateWire),
    }),
  );

  app.get(
    '/email-templates/:code/:language',
    {
      schema: {
        ...base,
        operationId: 'storeGetEmailTemplate',
        summary: 'A platform template and the store’s override of it',
        description: '403 for a platform-only template.',
        params: TemplateKeyParams,
        response: { 200: StoreEmailTemplateWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toStoreTemplateWire(
        await templates.getStoreTemplate(
          actorOfRequest(request),
          request.params.code,
          request.params.language,
        ),
      ),
  );

  app.put(
    '/email-templates/:code/:language',
    {
      schema: {
        ...base,
        operationId: 'storeSaveEmailTemplate',
        summary: 'Create or replace the store’s override',
        description:
          'Needs a platform template of that code and language that is not platform-only (403). Sources are checked as Liquid: a syntax error is a 400 naming subject, body_html or body_text.',
        params: TemplateKeyParams,
        body: SaveStoreEmailTemplateBody,
        response: { 200: StoreEmailTemplateWire, ...problemResponses(404, 422, 503) },
      },
    },
    async (request) =>
      toStoreTemplateWire(
        await templates.saveStoreTemplate(
          actorOfRequest(request),
          request.params.code,
          request.params.language,
          {
            subject: request.body.subject,
            bodyHtml: request.body.body_html,
            ...(request.body.body_text === undefined ? {} : { bodyText: request.body.body_text }),
            ...(request.body.is_active === undefined ? {} : { isActive: request.body.is_active }),
          },
        ),
      ),
  );

  app.delete(
    '/email-templates/:code/:language',
    {
      schema: {
        ...base,
        operationId: 'storeDeleteEmailTemplate',
        summary: 'Delete the store’s override (back to the platform template)',
        params: TemplateKeyParams,
        response: {
          204: { type: 'null', description: 'Deleted: the platform template applies again.' },
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      await templates.deleteStoreTemplate(
        actorOfRequest(request),
        request.params.code,
        request.params.language,
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/email-templates/:code/:language/preview',
    {
      onRequest: previewLimiter(app, options.previewRateLimit),
      schema: {
        ...base,
        operationId: 'storePreviewEmailTemplate',
        summary: 'Render a template as the store’s recipients in that language get it',
        description: `Resolution: the store's override in the language → the platform template in the language → the override in en → the platform template in en (inactive ones skipped; platform-only templates ignore overrides). ${PREVIEW_DESCRIPTION}`,
        params: TemplateKeyParams,
        body: PreviewEmailTemplateBody,
        response: { 200: RenderedEmailWire, ...problemResponses(404, 422, 503) },
      },
    },
    async (request) =>
      toRenderedWire(
        await templates.previewStoreTemplate(
          actorOfRequest(request),
          request.params.code,
          request.params.language,
          request.body.variables,
        ),
      ),
  );
};
