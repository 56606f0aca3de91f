import { randomInt } from 'node:crypto';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CODES } from '../src/http-errors.js';
import { type ComposedHarness, composedHarness } from './support/composed-api.js';
import { type FuzzOperation, malformedRequest, operationsOf, seededRandom } from './support/openapi-fuzz.js';

// Walks the OpenAPI document and sends malformed requests to every operation, with a valid token
// for its audience so they get past authentication: never a 5xx, and every 4xx is problem+json with
// a code. Seeded: the seed is printed, and FUZZ_SEED=<n> replays that run exactly.
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(1, 2 ** 31);
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 30);

const AUDIENCES: readonly (readonly [string, keyof ComposedHarness['tokens'] | null])[] = [
  ['/api/v1/admin/', 'admin'],
  ['/api/v1/storefront/', 'customer'],
  ['/api/v1/store/', 'store'],
  // Any participant: the store user who owns the fuzzed conversation.
  ['/api/v1/conversations', 'store'],
  ['/api/v1/platform/', 'service'],
  ['/api/v1/webhooks/', null],
  ['/', null],
];

let harness: ComposedHarness;
let operations: FuzzOperation[];
let pathValues: Record<string, string>;
let problemCodes: Set<string>;

beforeAll(async () => {
  console.log(`fuzz-openapi: FUZZ_SEED=${SEED} (${CASES_PER_OPERATION} cases per operation)`);
  harness = await composedHarness();
  const { app } = harness.api;
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenAPIV3_1.Document;
  operations = operationsOf(document);
  // The documented problem codes, read from the document's own problem schema.
  const problem = document.paths?.['/api/v1/store/messages']?.get?.responses?.[
    '400'
  ] as OpenAPIV3_1.ResponseObject;
  // Named schemas are `$ref`s into components.schemas (Problem, and its ProblemCode).
  const named = (schema: unknown) => {
    const ref = (schema as { $ref?: string } | undefined)?.$ref;
    const name = ref?.replace('#/components/schemas/', '');
    return (name === undefined ? schema : document.components?.schemas?.[name]) as
      | OpenAPIV3_1.SchemaObject
      | undefined;
  };
  const schema = named(problem.content?.['application/problem+json']?.schema);
  const codeSchema = named(schema?.properties?.code);
  problemCodes = new Set((codeSchema?.enum ?? []) as string[]);

  // Real ids, so malformed requests reach past "not found" into the use cases.
  const auth = (role: keyof ComposedHarness['tokens']) => ({
    authorization: `Bearer ${harness.tokens[role]}`,
  });
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/store/messages',
    headers: auth('store'),
    payload: {
      conversation_type: 'store_customer',
      subject: 'Fuzz',
      recipient_type: 'customer',
      recipient_id: 'demo-customer-1',
      initial_message: 'first',
    },
  });
  expect(created.statusCode).toBe(201);
  const conversationId = created.json().id as string;
  const sent = await app.inject({
    method: 'POST',
    url: `/api/v1/store/messages/${conversationId}/messages`,
    headers: { ...auth('store'), 'content-type': 'multipart/form-data; boundary=XX' },
    payload:
      '--XX\r\nContent-Disposition: form-data; name="content"\r\n\r\nwith a file\r\n--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n',
  });
  expect(sent.statusCode).toBe(201);
  const raised = await app.inject({
    method: 'POST',
    url: '/api/v1/platform/notifications',
    headers: auth('service'),
    payload: { type: 'system_alert', title: 'Fuzz', message: 'fuzz' },
  });
  expect(raised.statusCode).toBe(201);
  pathValues = {
    id: conversationId,
    message_id: sent.json().id,
    attachment_id: sent.json().attachments[0].id,
    store_id: 'demo-store',
    user_id: 'demo-store-user',
    customer_id: 'demo-customer-1',
    key: 'message_attachment_max_files',
    code: 'new_message',
    language: 'en',
    notification_id: raised.json().id,
  };
}, 180_000);
afterAll(async () => {
  await harness?.close();
});

describe(`every operation of /openapi.json under malformed input (FUZZ_SEED=${SEED})`, () => {
  it('covers the whole document', () => {
    expect(operations.length).toBeGreaterThan(70);
    expect(problemCodes).toContain(HTTP_ERROR_CODES.MALFORMED_REQUEST);
  });

  it('answers no 5xx, and problem+json with a known code on every 4xx', async () => {
    const random = seededRandom(SEED);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const operation of operations) {
      const role = AUDIENCES.find(([prefix]) => operation.path.startsWith(prefix))?.[1] ?? null;
      for (let i = 0; i < CASES_PER_OPERATION; i += 1) {
        const { description, request } = malformedRequest(operation, random, pathValues);
        if (role !== null) {
          request.headers = { ...request.headers, authorization: `Bearer ${harness.tokens[role]}` };
        }
        const response = await harness.api.app.inject(request);
        const status = response.statusCode;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) {
          failures.push(`${status} ← ${description}: ${response.body.slice(0, 300)}`);
          continue;
        }
        if (status < 400) continue;
        const type = String(response.headers['content-type'] ?? '');
        let code: unknown;
        try {
          code = (JSON.parse(response.body) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (
          !type.startsWith('application/problem+json') ||
          typeof code !== 'string' ||
          !problemCodes.has(code)
        ) {
          failures.push(`${status} not problem+json (${type}, code ${String(code)}) ← ${description}`);
        }
      }
    }
    console.log(
      `fuzz-openapi: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    expect(failures, `replay with FUZZ_SEED=${SEED}`).toEqual([]);
  }, 300_000);
});
