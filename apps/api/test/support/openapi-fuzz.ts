import type { InjectOptions } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';

/** A small seeded PRNG (mulberry32): the same seed replays the same requests. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

export type Random = ReturnType<typeof seededRandom>;
type Schema = OpenAPIV3_1.SchemaObject & Record<string, unknown>;
type Json = unknown;

/** One operation of the OpenAPI document, as the fuzzer drives it. */
export interface FuzzOperation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly OpenAPIV3_1.ParameterObject[];
  /** The JSON body schema, when the operation takes one. */
  readonly body: Schema | undefined;
}

/** Every operation of the document. */
export function operationsOf(document: OpenAPIV3_1.Document): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item?.[method];
      if (!operation) continue;
      const body = (operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content?.[
        'application/json'
      ]?.schema as Schema | undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[],
        body,
      });
    }
  }
  return operations;
}

/** The first alternative of a union that is not `null`. */
function concrete(schema: Schema): Schema {
  const options = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (options) return concrete(options.find((o) => o.type !== 'null') ?? (options[0] as Schema));
  return schema;
}

/** A value the schema accepts (the baseline each malformed case departs from). */
export function validValue(input: Schema, name = ''): Json {
  const schema = concrete(input);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'email') return 'fuzz@mail.test';
      if (schema.format === 'date-time') return '2026-01-01T12:00:00.000Z';
      if (schema.format === 'uri') return 'https://example.test/';
      if (name === 'locale' || name === 'language') return 'en';
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test('fuzz')) return 'a1';
      return 'f'.repeat(Math.max(schema.minLength ?? 1, 4)).slice(0, schema.maxLength ?? 4);
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => validValue(schema.items as Schema));
    case 'object': {
      const value: Record<string, Json> = {};
      const required = new Set(schema.required ?? []);
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (required.has(key)) value[key] = validValue(property as Schema, key);
      }
      return value;
    }
    default:
      return 'fuzz';
  }
}

const HUGE = 'h'.repeat(200_000);

/** Strings nobody should send: NUL, unpaired surrogates, huge, traversal, control and odd Unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  HUGE,
  '../../etc/passwd',
  '%00',
  '\u202e\u0007\u001b[31m',
  '𝕏'.repeat(300),
  '{"$where":"1"}',
  "' or 1=1 --",
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:60Z',
  '-1',
  '1e309',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  'eyJ4IjoxfQ',
  'AAAA',
];

/** Path and query values: the strings above, percent-encoded or deliberately broken. */
const HOSTILE_URL_PARTS: readonly string[] = [
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%C3%28',
  '%E0%A4%A',
  '%',
  '%%',
  'x'.repeat(3000),
  'x'.repeat(256),
  '..%2F..%2Fetc',
  '%20',
  '-1',
  '0',
  '99999999999999999999',
  'true',
  '%F0%9F%98%80',
  'eyJzIjoiMjAyNi0wMS0wMSIsImEiOiIyMDI2In0',
  '0000-01-01T00%3A00%3A00Z',
  'null',
  '%5B%5D',
];

/** Every UTF-8 byte percent-encoded (a lone surrogate, which `encodeURIComponent` refuses, becomes U+FFFD). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/**
 * Cursors of the right shape (base64url of the core's JSON arrays) with forged contents: instants
 * no database stores, ids with NUL or that are no uuid, wrong types, another conversation's.
 */
export function forgedCursors(conversationId: string): string[] {
  const year0 = Date.parse('0000-01-01T00:00:00.000Z');
  const payloads: unknown[][] = [
    ['i1', year0, year0, conversationId],
    ['i1', 8.64e15, 8.64e15, conversationId],
    ['i1', 0, 0, 'a\u0000b'],
    ['i1', Date.now(), Date.now(), 'not-a-uuid'],
    ['i1', '0', {}, []],
    ['m1', conversationId, year0, conversationId],
    ['m1', conversationId, Date.now(), 'not-a-uuid'],
    ['m1', conversationId, Date.now(), '\u0000'],
    ['m1', '00000000-0000-0000-0000-000000000000', 0, conversationId],
    ['m2', conversationId, 0],
    ['m2', conversationId, 1e300],
    ['m2', conversationId, 1.5],
    ['m2', conversationId, Number.MAX_SAFE_INTEGER],
    ['m2', conversationId, '1'],
    ['e1', year0, 'x'],
    ['e1', 0, 'x\u0000'],
    ['e1', 8.64e15, '\ud800'],
    ['e1', 1.5, 'x'.repeat(1000)],
    [],
  ];
  return payloads.map((payload) => Buffer.from(JSON.stringify(payload)).toString('base64url'));
}

/** A value of another JSON type than the schema asks for, or an absurd one. */
function wrongValue(random: Random): Json {
  return random.pick<() => Json>([
    () => random.pick(HOSTILE_STRINGS),
    () => random.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2]),
    () => random.pick([true, false, null]),
    () => [random.pick(HOSTILE_STRINGS)],
    () => ({ [random.pick(['a', '\u0000', '__proto__', 'constructor'])]: random.pick(HOSTILE_STRINGS) }),
    () => nested(random.int(10, 5000)),
    () => Array.from({ length: random.int(1000, 20_000) }, () => 'x'),
  ])();
}

// Deep nesting is spliced into the JSON text: JSON.stringify itself would overflow the stack.
const DEEP = /"\u2063deep:(\d+)"/g;

function nested(depth: number): Json {
  return `\u2063deep:${depth}`;
}

/** The body as JSON text, with each `nested(n)` expanded to n levels of arrays and objects. */
function serialize(body: Json): string {
  return JSON.stringify(body).replace(DEEP, (_match, depth: string) => {
    const n = Number(depth);
    const open: string[] = [];
    const close: string[] = [];
    for (let i = 0; i < n; i += 1) {
      open.push(i % 2 === 0 ? '[' : '{"k":');
      close.push(i % 2 === 0 ? ']' : '}');
    }
    return `${open.join('')}"leaf"${close.reverse().join('')}`;
  });
}

/** A malformed request for one operation: the description says how to replay it by hand. */
export interface FuzzCase {
  readonly description: string;
  readonly request: InjectOptions;
}

/**
 * One malformed request for `operation`, departing from a valid baseline (path values that exist,
 * a schema-valid body) by one or a few mutations of the path, the query, the headers or the body.
 */
export function malformedRequest(
  operation: FuzzOperation,
  random: Random,
  pathValues: Readonly<Record<string, string>>,
): FuzzCase {
  const mutations: string[] = [];
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const headerParams = operation.parameters.filter((p) => p.in === 'header');

  const segments: Record<string, string> = {};
  for (const param of pathParams) segments[param.name] = encodeURIComponent(pathValues[param.name] ?? 'fuzz');
  const query: string[] = [];
  const headers: Record<string, string> = {};
  let payload: string | Buffer | undefined;
  let contentType: string | undefined;

  // How many mutations this case gets: mostly one, sometimes several at once.
  const rounds = random.chance(0.7) ? 1 : random.int(2, 4);
  for (let round = 0; round < rounds; round += 1) {
    const kinds = [
      ...(pathParams.length > 0 ? ['path', 'path'] : []),
      ...(queryParams.length > 0 ? ['query', 'query'] : []),
      'extra-query',
      ...(headerParams.length > 0 ? ['header'] : []),
      ...(operation.body ? ['body', 'body', 'body', 'body', 'raw-body'] : []),
      ...(operation.method !== 'GET' ? ['content-type'] : []),
    ];
    const kind = random.pick(kinds);
    if (kind === 'path') {
      const param = random.pick(pathParams);
      segments[param.name] = random.pick(HOSTILE_URL_PARTS);
      mutations.push(`path ${param.name}`);
    } else if (kind === 'query') {
      const param = random.pick(queryParams);
      const value =
        param.name === 'cursor' && random.chance(0.5)
          ? random.pick(forgedCursors(pathValues.id ?? 'fuzz'))
          : random.chance(0.5)
            ? random.pick(HOSTILE_URL_PARTS)
            : percentEncoded(random.pick(HOSTILE_STRINGS));
      query.push(`${param.name}=${value}`);
      if (random.chance(0.2)) query.push(`${param.name}=${random.pick(HOSTILE_URL_PARTS)}`);
      mutations.push(`query ${param.name}`);
    } else if (kind === 'extra-query') {
      query.push(
        `${random.pick(['x', '%00', '__proto__', 'a[b]', 'limit'])}=${random.pick(HOSTILE_URL_PARTS)}`,
      );
      mutations.push('extra query');
    } else if (kind === 'header') {
      const param = random.pick(headerParams);
      headers[param.name] = random.pick(['', ' ', 'x'.repeat(300), 'é', 'a b', '\t']);
      mutations.push(`header ${param.name}`);
    } else if (kind === 'body' && operation.body) {
      const { body, what } = mutateBody(operation.body, random);
      payload = serialize(body);
      contentType = 'application/json';
      mutations.push(what);
    } else if (kind === 'raw-body') {
      const raw = random.pick<() => [string | Buffer, string]>([
        () => ['{"a":', 'malformed JSON'],
        () => [
          Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]),
          'invalid UTF-8',
        ],
        () => ['"\\ud800"', 'a lone surrogate as the body'],
        () => ['[]', 'an array body'],
        () => ['null', 'a null body'],
        () => ['1e999', 'a number body'],
        () => [`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'deep nesting as the body'],
        () => ['{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}', 'prototype keys'],
      ])();
      payload = raw[0];
      contentType = 'application/json';
      mutations.push(raw[1]);
    } else if (kind === 'content-type') {
      const [type, body, what] = random.pick<[string, string, string]>([
        ['multipart/form-data', '--x\r\n', 'multipart without a boundary'],
        [
          'multipart/form-data; boundary=XX',
          '--XX\r\nContent-Disposition: form-data; name="content"\r\n\r\nhel',
          'multipart cut before its closing boundary',
        ],
        [
          'multipart/form-data; boundary=XX',
          '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nab',
          'multipart cut inside a file',
        ],
        [`multipart/form-data; boundary=${'b'.repeat(300)}`, 'x', 'multipart with a 300-character boundary'],
        [
          'multipart/form-data; boundary=XX',
          '--XX\r\nContent-Disposition: form-data; name="file"; filename="a\u0000.txt"\r\nContent-Type: text/plain\r\n\r\nab\r\n--XX\r\nContent-Disposition: form-data; name="con\u0000tent"\r\n\r\n\u0000\r\n--XX--\r\n',
          'multipart with NUL in a file name, a field name and a value',
        ],
        ['text/plain', 'hello', 'text/plain'],
        ['application/x-www-form-urlencoded', 'a=b', 'a form'],
        ['application/json; charset=latin1', '{}', 'JSON in latin1'],
        ['application/json', '', 'an empty JSON body'],
      ]);
      contentType = type;
      payload = body;
      mutations.push(what);
    }
  }

  if (payload === undefined && operation.body && operation.method !== 'GET') {
    payload = JSON.stringify(validValue(operation.body));
    contentType = 'application/json';
  }
  if (contentType !== undefined) headers['content-type'] = contentType;
  let url = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => segments[name] ?? 'fuzz');
  if (query.length > 0) url += `?${query.join('&')}`;
  const request: InjectOptions = {
    method: operation.method as NonNullable<InjectOptions['method']>,
    url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  };
  const shown = typeof payload === 'string' && payload.length > 160 ? `${payload.slice(0, 160)}…` : payload;
  return {
    description: `${operation.method} ${url.length > 200 ? `${url.slice(0, 200)}…` : url} [${mutations.join('; ')}]${
      shown === undefined ? '' : ` body: ${Buffer.isBuffer(shown) ? `<${shown.toString('hex')}>` : shown}`
    }`,
    request,
  };
}

/** The valid baseline body with one property made wrong, missing or extra, at any depth. */
function mutateBody(schema: Schema, random: Random): { body: Json; what: string } {
  const base = validValue(schema) as Record<string, Json>;
  const target = concrete(schema);
  const properties = Object.keys(target.properties ?? {});
  const choice = random.int(0, 5);
  if (choice === 0 && (target.required ?? []).length > 0) {
    const name = random.pick(target.required ?? []);
    delete base[name];
    return { body: base, what: `body without ${name}` };
  }
  if (choice === 1) {
    const name = random.pick(['extra', '\u0000', '__proto__', 'x'.repeat(1000)]);
    base[name] = random.pick(HOSTILE_STRINGS);
    return { body: base, what: 'body with an extra field' };
  }
  if (choice === 2) return { body: wrongValue(random), what: 'body of the wrong type' };
  if (properties.length === 0)
    return { body: { any: wrongValue(random) }, what: 'body with an unknown field' };
  const name = random.pick(properties);
  const property = concrete(target.properties?.[name] as Schema);
  if (choice === 3 && property.type === 'string') {
    base[name] = `${validValue(property, name)}${random.pick(['\u0000', '\ud800', HUGE, '\u0000\u0000'])}`;
    return { body: base, what: `body ${name} with NUL, a surrogate or huge` };
  }
  if (choice === 4 && (property.type === 'object' || property.patternProperties !== undefined)) {
    base[name] = { [random.pick(['k', '\u0000k', 'ж'])]: wrongValue(random) };
    return { body: base, what: `body ${name} with odd members` };
  }
  base[name] = wrongValue(random);
  return { body: base, what: `body ${name} of the wrong type` };
}
