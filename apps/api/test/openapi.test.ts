import { ALLOWED_TYPES, marketplacePolicy } from '@parley/messaging-core';
import { validate } from '@readme/openapi-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness } from './support/build-harness.js';
import { client, seedFixture, tokensFor } from './support/client.js';
import type { ApiHarness } from './support/harness.js';
import { inMemoryServices } from './support/in-memory-services.js';

const MESSAGING_ROUTES = [
  'get /messages',
  'post /messages',
  'get /messages/unread-count',
  'get /messages/search',
  'get /messages/recipients',
  'get /messages/{id}',
  'get /messages/{id}/messages',
  'post /messages/{id}/messages',
  'post /messages/{id}/close',
  'post /messages/{id}/reopen',
  'put /messages/{id}/read',
  'put /messages/{id}/preferences',
  'get /messages/{id}/attachments/{attachment_id}',
  'get /messages/{id}/attachments/{attachment_id}/thumbnail',
  'delete /messages/{id}/attachments/{attachment_id}',
  'delete /messages/{id}/messages/{message_id}',
  'patch /messages/{id}/messages/{message_id}',
  'get /messages/{id}/messages/{message_id}/revisions',
  'post /messages/{id}/archive',
  'post /messages/{id}/unarchive',
];
const STOREFRONT_ROUTES = MESSAGING_ROUTES.filter(
  (route) => !['post /messages', 'get /messages/recipients'].includes(route) && !/close|reopen/.test(route),
);
const EXPECTED_ROUTES = [
  ...MESSAGING_ROUTES.map((r) => r.replace(' /', ' /api/v1/admin/')),
  ...MESSAGING_ROUTES.map((r) => r.replace(' /', ' /api/v1/store/')),
  ...STOREFRONT_ROUTES.map((r) => r.replace(' /', ' /api/v1/storefront/')),
  'post /api/v1/conversations',
  'patch /api/v1/conversations/{id}',
  'post /api/v1/conversations/{id}/participants',
  'delete /api/v1/conversations/{id}/participants/{type}/{participant_id}',
  'patch /api/v1/conversations/{id}/participants/{type}/{participant_id}',
  'put /api/v1/platform/stores/{store_id}',
  'get /api/v1/platform/stores/{store_id}',
  'put /api/v1/platform/users/{user_id}',
  'get /api/v1/platform/users/{user_id}',
  'put /api/v1/platform/customers/{customer_id}',
  'get /api/v1/platform/customers/{customer_id}',
  'post /api/v1/admin/messages/{id}/messages/{message_id}/purge-files',
  'get /api/v1/admin/settings',
  'get /api/v1/admin/settings/{key}',
  'put /api/v1/admin/settings/{key}',
  'get /api/v1/admin/moderation',
  'post /api/v1/admin/moderation/{message_id}/approve',
  'post /api/v1/admin/moderation/{message_id}/reject',
  'get /api/v1/admin/stores/{store_id}/moderation-settings',
  'put /api/v1/admin/stores/{store_id}/moderation-settings',
  'get /api/v1/store/moderation-settings',
  'put /api/v1/store/moderation-settings',
  'get /api/v1/store/email-settings',
  'put /api/v1/store/email-settings',
  'post /api/v1/store/email-settings/verify',
  'get /api/v1/store/email-logs',
  'get /api/v1/admin/stores/{store_id}/email-settings',
  'get /api/v1/admin/email-logs',
  'get /api/v1/admin/notifications',
  'get /api/v1/admin/notifications/unread-count',
  'put /api/v1/admin/notifications/{notification_id}/read',
  'put /api/v1/admin/notifications/read-all',
  'post /api/v1/platform/notifications',
  'get /api/v1/admin/email-templates',
  'get /api/v1/admin/email-templates/{code}/{language}',
  'put /api/v1/admin/email-templates/{code}/{language}',
  'delete /api/v1/admin/email-templates/{code}/{language}',
  'post /api/v1/admin/email-templates/{code}/{language}/preview',
  'get /api/v1/store/email-templates',
  'get /api/v1/store/email-templates/{code}/{language}',
  'put /api/v1/store/email-templates/{code}/{language}',
  'delete /api/v1/store/email-templates/{code}/{language}',
  'post /api/v1/store/email-templates/{code}/{language}/preview',
  'get /api/v1/conversations',
  'get /api/v1/conversations/unread-count',
  'get /api/v1/conversations/search',
  'get /api/v1/conversations/recipients',
  'get /api/v1/conversations/{id}',
  'get /api/v1/conversations/{id}/messages',
  'post /api/v1/conversations/{id}/messages',
  'delete /api/v1/conversations/{id}/messages/{message_id}',
  'post /api/v1/conversations/{id}/messages/{message_id}/purge-files',
  'get /api/v1/conversations/{id}/attachments/{attachment_id}',
  'get /api/v1/conversations/{id}/attachments/{attachment_id}/thumbnail',
  'delete /api/v1/conversations/{id}/attachments/{attachment_id}',
  'post /api/v1/conversations/{id}/close',
  'post /api/v1/conversations/{id}/reopen',
  'patch /api/v1/conversations/{id}/messages/{message_id}',
  'get /api/v1/conversations/{id}/messages/{message_id}/revisions',
  'post /api/v1/conversations/{id}/archive',
  'post /api/v1/conversations/{id}/unarchive',
  'post /api/v1/conversations/{id}/read',
  'patch /api/v1/conversations/{id}/preferences',
  'get /healthz',
  'get /readyz',
  'post /api/v1/webhooks/email/sendgrid',
  'post /api/v1/webhooks/email/mailgun',
  'post /api/v1/webhooks/email/ses',
  'post /api/v1/inbound/sendgrid',
  'post /api/v1/inbound/mailgun',
  'post /api/v1/inbound/ses',
].sort();

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

const SCHEMAS = '#/components/schemas/';

/** The schema itself, or the named one a `$ref` points at (one level: what the response declares). */
function resolved(document: OpenAPIV3_1.Document, schema: unknown): OpenAPIV3_1.SchemaObject {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (ref === undefined) return schema as OpenAPIV3_1.SchemaObject;
  expect(ref.startsWith(SCHEMAS), ref).toBe(true);
  const target = document.components?.schemas?.[ref.slice(SCHEMAS.length)];
  expect(target, ref).toBeDefined();
  return target as OpenAPIV3_1.SchemaObject;
}

describe('OpenAPI document', () => {
  let harness: ApiHarness;
  let document: OpenAPIV3_1.Document;

  beforeAll(async () => {
    const { core, directory, ...services } = inMemoryServices();
    harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} }, services);
    const response = await harness.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.json();
  });
  afterAll(() => harness.close());

  it('is OpenAPI 3.1 and valid for an independent validator', async () => {
    expect(document.openapi).toBe('3.1.0');
    // The validator dereferences in place: hand it a copy.
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('keeps the named schemas to the document: no route context inherits them', () => {
    // Shared schemas join every route's serializer build: inherited by the routes, the ~55 named
    // shapes made building the app four times slower.
    expect(Object.keys(document.components?.schemas ?? {})).toContain('Message');
    expect(Object.keys(harness.app.getSchemas())).toEqual([]);
  });

  it('the validator is not a rubber stamp: a broken copy fails', async () => {
    const broken = structuredClone(document) as unknown as Record<string, unknown>;
    const paths = broken.paths as Record<string, Record<string, { operationId?: string }>>;
    const healthz = paths['/healthz']?.get;
    const readyz = paths['/readyz']?.get;
    if (!healthz || !readyz) throw new Error('health routes missing');
    readyz.operationId = healthz.operationId as string;
    const result = await validate(broken as never);
    expect(result.valid).toBe(false);
  });

  it('lists every route, and only those, the storefront without create, close, reopen, recipients', () => {
    const listed: string[] = [];
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) if (item?.[method]) listed.push(`${method} ${path}`);
    }
    expect(listed.sort()).toEqual(EXPECTED_ROUTES);
  });

  it('declares a JSON schema for every success response and problem+json for errors', () => {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        const operation = item?.[method];
        if (!operation) continue;
        const responses = operation.responses ?? {};
        // A file download also answers 206 (one byte range), checked below with the file's types.
        const success = Object.entries(responses).filter(([status]) => /^2/.test(status) && status !== '206');
        expect(success, `${method} ${path}`).toHaveLength(1);
        const [status, ok] = success[0] as [string, OpenAPIV3_1.ResponseObject];
        if (status === '204') expect(ok.content, `${method} ${path}`).toBeUndefined();
        else if (path.includes('/attachments/')) {
          // Downloads are the file's bytes, not JSON: the accepted types, a thumbnail's WebP or JPEG.
          const types = path.endsWith('/thumbnail')
            ? ['image/webp', 'image/jpeg']
            : Object.values(ALLOWED_TYPES).map((t) => t.mimeType);
          expect(Object.keys(ok.content ?? {}), `${method} ${path}`).toEqual(types);
          for (const type of types) {
            expect(ok.content?.[type]?.schema, `${method} ${path} ${type}`).toMatchObject({
              type: 'string',
              format: 'binary',
            });
          }
          expect(Object.keys(ok.headers ?? {}), `${method} ${path}`).toContain('Content-Disposition');
          const partial = responses['206'] as OpenAPIV3_1.ResponseObject | undefined;
          if (path.endsWith('/thumbnail')) expect(partial, `${method} ${path}`).toBeUndefined();
          else expect(Object.keys(partial?.content ?? {}), `${method} ${path} 206`).toEqual(types);
        } else expect(ok.content?.['application/json']?.schema, `${method} ${path}`).toBeDefined();
        const errors = Object.entries(responses).filter(([status]) => /^[45]/.test(status));
        expect(errors.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [status, response] of errors) {
          const content = (response as OpenAPIV3_1.ResponseObject).content ?? {};
          expect(Object.keys(content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
        }
        if (path.startsWith('/api/v1/webhooks/') || path.startsWith('/api/v1/inbound/')) {
          // Providers prove themselves by signature, not by bearer token.
          expect(operation.security, `${method} ${path}`).toEqual([]);
          expect(Object.keys(responses)).toEqual(expect.arrayContaining(['401', '404', '429']));
        } else if (path.startsWith('/api/')) {
          expect(operation.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
          expect(Object.keys(responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
        }
      }
    }
  });

  it('documents the bearer scheme, the problem shape and snake_case fields', () => {
    expect(document.components?.securitySchemes?.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const send = document.paths?.['/api/v1/store/messages/{id}/messages']?.post;
    const ok = send?.responses?.['201'] as OpenAPIV3_1.ResponseObject;
    const schema = resolved(document, ok.content?.['application/json']?.schema);
    expect(Object.keys(schema.properties ?? {})).toEqual([
      'id',
      'conversation_id',
      'seq',
      'sender_type',
      'sender_id',
      'sender_name',
      'content',
      'is_system_message',
      'is_deleted',
      'created_at',
      'edited_at',
      'revision',
      'attachments',
      'read_by',
      'delivered_to',
      'read_count',
      'delivered_count',
      'moderation',
    ]);
    const read = document.paths?.['/api/v1/store/messages/{id}/read']?.put;
    const readBody = (read?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content?.[
      'application/json'
    ]?.schema as OpenAPIV3_1.SchemaObject | undefined;
    expect(Object.keys(readBody?.properties ?? {})).toEqual(['up_to_seq']);
    expect((read?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.required).toBe(false);
    expect(read).not.toHaveProperty('x-body-optional');
    const readOk = read?.responses?.['200'] as OpenAPIV3_1.ResponseObject;
    const readSchema = resolved(document, readOk.content?.['application/json']?.schema);
    expect(Object.keys(readSchema.properties ?? {})).toEqual([
      'conversation_id',
      'unread_count',
      'last_read_seq',
      'last_read_at',
    ]);
    const parameters = (send?.parameters ?? []) as OpenAPIV3_1.ParameterObject[];
    expect(parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:id', 'header:idempotency-key']),
    );
    const conflict = send?.responses?.['409'] as OpenAPIV3_1.ResponseObject | undefined;
    const problem = resolved(document, conflict?.content?.['application/problem+json']?.schema);
    expect(problem.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
  });

  it('names the shared shapes and refers to them instead of repeating them', () => {
    const schemas = document.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'Problem',
        'ConversationSummary',
        'ConversationDetail',
        'ConversationPage',
        'Message',
        'MessagePage',
        'Attachment',
        'Participant',
        'ConversationMember',
        'UnreadCount',
        'ConversationType',
        'ParticipantType',
        'ParticipantRole',
      ]),
    );
    const json = (path: string, method: 'get' | 'post', status: string) =>
      (document.paths?.[path]?.[method]?.responses?.[status] as OpenAPIV3_1.ResponseObject | undefined)
        ?.content?.['application/json']?.schema;
    const ref = (name: string) => ({ $ref: `${SCHEMAS}${name}` });
    expect(json('/api/v1/store/messages/{id}/messages', 'post', '201')).toEqual(ref('Message'));
    expect(json('/api/v1/conversations/{id}/messages', 'post', '201')).toEqual(ref('Message'));
    expect(json('/api/v1/store/messages', 'get', '200')).toEqual(ref('ConversationPage'));
    expect(json('/api/v1/store/messages', 'post', '201')).toEqual(ref('ConversationDetail'));
    expect(json('/api/v1/storefront/messages/{id}', 'get', '200')).toEqual(ref('ConversationDetail'));
    expect(json('/api/v1/admin/messages/{id}/messages', 'get', '200')).toEqual(ref('MessagePage'));
    expect(json('/api/v1/conversations/unread-count', 'get', '200')).toEqual(ref('UnreadCount'));
    const message = schemas.Message as OpenAPIV3_1.SchemaObject;
    expect(message.properties?.attachments).toMatchObject({ type: 'array', items: ref('Attachment') });
    expect(message.properties?.sender_type).toEqual(ref('ParticipantType'));
    const page = schemas.ConversationPage as OpenAPIV3_1.SchemaObject;
    expect(page.properties?.conversations).toMatchObject({ items: ref('ConversationSummary') });
    const summary = schemas.ConversationSummary as OpenAPIV3_1.SchemaObject;
    expect(summary.properties?.other_participants).toMatchObject({ items: ref('Participant') });
    // Each shape is written once: the document holds one copy of a message's own field.
    expect(JSON.stringify(document).match(/"is_system_message":/g)).toHaveLength(1);
    // Every error of every operation is the one Problem schema.
    for (const item of Object.values(document.paths ?? {})) {
      for (const method of METHODS) {
        for (const [status, response] of Object.entries(item?.[method]?.responses ?? {})) {
          if (!/^[45]/.test(status)) continue;
          const content = (response as OpenAPIV3_1.ResponseObject).content ?? {};
          expect(content['application/problem+json']?.schema).toEqual(ref('Problem'));
        }
      }
    }
    // A named enumeration keeps its values.
    expect((schemas.ProblemCode as OpenAPIV3_1.SchemaObject).enum).toContain('NOT_FOUND');
  });

  it("lists the preset's conversation types, participant types and roles as enumerations", () => {
    const schemas = document.components?.schemas ?? {};
    const values = (name: string) => (schemas[name] as OpenAPIV3_1.SchemaObject | undefined)?.enum;
    expect(values('ConversationType')).toEqual(marketplacePolicy.conversationTypes.map((c) => c.type));
    expect(values('ParticipantType')).toEqual(['admin', 'store', 'customer']);
    expect(values('ParticipantRole')).toEqual(['member']);
  });

  it('declares the multipart send body beside the JSON one', () => {
    for (const path of ['/api/v1/store/messages/{id}/messages', '/api/v1/conversations/{id}/messages']) {
      const body = document.paths?.[path]?.post?.requestBody as OpenAPIV3_1.RequestBodyObject;
      expect(Object.keys(body.content), path).toEqual(['application/json', 'multipart/form-data']);
      const multipart = body.content['multipart/form-data']?.schema as OpenAPIV3_1.SchemaObject;
      expect(multipart.type).toBe('object');
      expect(multipart.properties?.content).toMatchObject({ type: 'string' });
      expect(multipart.properties?.file).toMatchObject({
        type: 'array',
        items: { type: 'string', format: 'binary' },
      });
    }
  });

  it('declares the response headers: request id, rate limit, idempotent replay, Location', () => {
    expect(Object.keys(document.components?.headers ?? {}).sort()).toEqual(
      [
        'ContentDisposition',
        'IdempotentReplayed',
        'Location',
        'RetryAfter',
        'XRateLimitLimit',
        'XRateLimitRemaining',
        'XRateLimitReset',
        'XRequestId',
      ].sort(),
    );
    let created = 0;
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        for (const [status, response] of Object.entries(item?.[method]?.responses ?? {})) {
          const headers = Object.keys((response as OpenAPIV3_1.ResponseObject).headers ?? {});
          const where = `${method} ${path} ${status}`;
          expect(headers, where).toContain('X-Request-Id');
          if (status === '429')
            expect(headers, where).toEqual(
              expect.arrayContaining([
                'X-RateLimit-Limit',
                'X-RateLimit-Remaining',
                'X-RateLimit-Reset',
                'Retry-After',
              ]),
            );
          if (status === '201') {
            created += 1;
            expect(headers, where).toContain('Location');
          }
        }
      }
    }
    expect(created).toBeGreaterThanOrEqual(5);
    const send = document.paths?.['/api/v1/store/messages/{id}/messages']?.post?.responses?.['201'];
    expect((send as OpenAPIV3_1.ResponseObject).headers?.['Idempotent-Replayed']).toEqual({
      $ref: '#/components/headers/IdempotentReplayed',
    });
  });

  it('has servers, a global bearer requirement (public routes opt out) and a license', () => {
    expect(document.servers).toEqual([{ url: '/' }]);
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths?.['/healthz']?.get?.security).toEqual([]);
    expect(document.paths?.['/readyz']?.get?.security).toEqual([]);
    expect(document.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(document.info.description).toEqual(expect.stringContaining('problem+json'));
  });

  it('a 201 names the created resource in Location, and that path leads to it', async () => {
    const call = client(harness);
    const tokens = await tokensFor(harness.jwtSecret);
    await seedFixture(call, tokens.service);
    const created = await call('POST', '/api/v1/store/messages', {
      token: tokens.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Where is it?',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'Hello',
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/store/messages/${created.body.id}`);
    const read = await call('GET', String(created.headers.location), { token: tokens.store1 });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(created.body.id);

    const sent = await call('POST', `/api/v1/conversations/${created.body.id}/messages`, {
      token: tokens.customer1,
      body: { content: 'Thanks' },
    });
    expect(sent.status).toBe(201);
    expect(sent.headers.location).toBe(`/api/v1/conversations/${created.body.id}/messages/${sent.body.id}`);
    // The message's own path: its sender deletes it there.
    const deleted = await call('DELETE', String(sent.headers.location), { token: tokens.customer1 });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: sent.body.id, is_deleted: true });
  });

  it('serves interactive docs at /docs from bundled assets (no network needed)', async () => {
    const page = await harness.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/docs/static/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/src="https?:\/\//);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-initializer.js']) {
      const response = await harness.app.inject({ method: 'GET', url: `/docs/static/${asset}` });
      expect(response.statusCode, asset).toBe(200);
      expect(response.body.length, asset).toBeGreaterThan(100);
    }
    const json = await harness.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.json().openapi).toBe('3.1.0');
  });
});
