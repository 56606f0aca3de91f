import { MESSAGING_ERROR_CODES, MessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import {
  HTTP_ERROR_CODES,
  HttpProblem,
  problemType,
  rawClientErrorResponse,
  STATUS_BY_CODE,
  toProblem,
} from './http-errors.js';

describe('STATUS_BY_CODE', () => {
  it('maps every core and HTTP code', () => {
    for (const code of [...Object.values(MESSAGING_ERROR_CODES), ...Object.values(HTTP_ERROR_CODES)]) {
      expect(STATUS_BY_CODE[code], code).toBeGreaterThanOrEqual(400);
    }
    expect(STATUS_BY_CODE).toMatchObject({
      NOT_FOUND: 404,
      FORBIDDEN: 403,
      VALIDATION: 400,
      CONVERSATION_CLOSED: 409,
      CONFLICT: 409,
      IDEMPOTENCY_MISMATCH: 422,
      TEMPLATE_TIMEOUT: 422,
      TEMPLATE_TOO_LARGE: 422,
      TEMPLATE_RENDERER_BUSY: 503,
      UNAUTHENTICATED: 401,
      WEBHOOK_UNVERIFIED: 401,
      RATE_LIMITED: 429,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      INTERNAL: 500,
    });
  });
});

describe('toProblem', () => {
  it('maps core errors by code, keeping the detail and field', () => {
    const { status, problem } = toProblem(
      MessagingError.validation('subject', 'subject must be 1 to 500 characters'),
    );
    expect(status).toBe(400);
    expect(problem).toEqual({
      type: 'urn:parley:problem:validation',
      title: 'Invalid request',
      status: 400,
      detail: 'subject must be 1 to 500 characters',
      code: 'VALIDATION',
      field: 'subject',
    });
    expect(toProblem(new MessagingError('CONVERSATION_CLOSED', 'closed')).status).toBe(409);
    expect(
      toProblem(new MessagingError('IDEMPOTENCY_MISMATCH', 'reused', { field: 'idempotency_key' })),
    ).toMatchObject({
      status: 422,
      problem: { code: 'IDEMPOTENCY_MISMATCH', field: 'idempotency_key' },
    });
    expect(toProblem(MessagingError.notFound('conversation', 'x')).problem).not.toHaveProperty('field');
  });

  it('hides the cause of anything unexpected behind a 500', () => {
    for (const error of [
      new Error('connect ECONNREFUSED postgres://admin:pw@db'),
      new MessagingError('INTERNAL', 'adapter broke: row 7'),
      'a string',
      undefined,
    ]) {
      const { status, problem, serverError } = toProblem(error);
      expect(status).toBe(500);
      expect(serverError).toBe(true);
      expect(problem).toMatchObject({ code: 'INTERNAL', detail: 'an unexpected error occurred' });
    }
  });

  it('maps HTTP-layer problems', () => {
    expect(toProblem(new HttpProblem('UNAUTHENTICATED', 'token expired'))).toMatchObject({
      status: 401,
      serverError: false,
      problem: { code: 'UNAUTHENTICATED', detail: 'token expired', type: problemType('UNAUTHENTICATED') },
    });
    expect(toProblem({ statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' }).problem).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      detail: 'slow down',
    });
  });

  it("maps Fastify's parsing errors", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toProblem(tooLarge).problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const media = Object.assign(new Error('Unsupported Media Type'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(toProblem(media).problem).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const json = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    });
    expect(toProblem(json).problem).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    const other = Object.assign(new Error('Method Not Allowed'), { statusCode: 405 });
    expect(toProblem(other)).toMatchObject({ status: 405, problem: { status: 405 } });
  });

  describe('schema validation errors name the field', () => {
    const validation = (context: string, ...issues: object[]) =>
      toProblem(Object.assign(new Error('invalid'), { validation: issues, validationContext: context }))
        .problem;

    it('a missing property (TypeBox and Ajv shapes)', () => {
      const typebox = validation('body', {
        keyword: 'required',
        instancePath: '',
        schemaPath: '#',
        params: { requiredProperties: ['subject', 'recipient_id'] },
        message: 'must have required properties subject, recipient_id',
      });
      expect(typebox).toMatchObject({
        status: 400,
        code: 'VALIDATION',
        field: 'subject',
        detail: 'subject is required',
      });
      const ajv = validation('body', {
        keyword: 'required',
        instancePath: '',
        schemaPath: '#',
        params: { missingProperty: 'content' },
      });
      expect(ajv.field).toBe('content');
    });

    it('an unknown property, as sent', () => {
      const problem = validation(
        'body',
        {
          keyword: 'boolean',
          instancePath: '/initialMessage',
          schemaPath: '#/additionalProperties',
          params: {},
        },
        {
          keyword: 'additionalProperties',
          instancePath: '',
          schemaPath: '#',
          params: { additionalProperties: ['initialMessage'] },
        },
      );
      expect(problem).toMatchObject({
        field: 'initialMessage',
        detail: 'initialMessage is not a known field',
      });
    });

    it('a wrong type or bound, by its path', () => {
      const problem = validation('querystring', {
        keyword: 'maximum',
        instancePath: '/limit',
        schemaPath: '#/properties/limit',
        params: { limit: 100 },
        message: 'must be <= 100',
      });
      expect(problem).toMatchObject({ field: 'limit', detail: 'limit must be <= 100' });
      const nested = validation('body', {
        keyword: 'type',
        instancePath: '/a/b',
        schemaPath: '#',
        params: {},
        message: 'must be string',
      });
      expect(nested.field).toBe('a.b');
    });

    it('a value outside an enumeration, listing what is allowed', () => {
      const union = validation(
        'body',
        {
          keyword: 'const',
          instancePath: '/role',
          schemaPath: '#/anyOf/0',
          params: { allowedValue: 'admin' },
        },
        {
          keyword: 'const',
          instancePath: '/role',
          schemaPath: '#/anyOf/1',
          params: { allowedValue: 'store' },
        },
        { keyword: 'anyOf', instancePath: '/role', schemaPath: '#', params: {} },
      );
      expect(union).toMatchObject({ field: 'role', detail: 'role must be one of admin, store' });
      const enumeration = validation('body', {
        keyword: 'enum',
        instancePath: '/tier',
        schemaPath: '#',
        params: { allowedValues: ['essential', 'business'] },
      });
      expect(enumeration).toMatchObject({ field: 'tier', detail: 'tier must be one of essential, business' });
    });

    it('headers as snake_case fields; a whole-body error as "body"', () => {
      const header = validation('headers', {
        keyword: 'pattern',
        instancePath: '/idempotency-key',
        schemaPath: '#',
        params: {},
        message: 'must match pattern',
      });
      expect(header.field).toBe('idempotency_key');
      const body = validation('body', {
        keyword: 'type',
        instancePath: '',
        schemaPath: '#',
        params: {},
        message: 'must be object',
      });
      expect(body).toMatchObject({ field: 'body', detail: 'body must be object' });
    });
  });
});

describe('rawClientErrorResponse', () => {
  function parse(raw: string) {
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    return { head, body: JSON.parse(body) as Record<string, unknown>, length: Buffer.byteLength(body) };
  }

  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE', 'Request Header Fields Too Large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT', 'Request Timeout'],
    ['HPE_INVALID_HEADER_TOKEN', 400, 'MALFORMED_REQUEST', 'Bad Request'],
    [undefined, 400, 'MALFORMED_REQUEST', 'Bad Request'],
  ])('%s → %i %s as a complete HTTP/1.1 problem+json response', (code, status, problemCode, reason) => {
    const { head, body, length } = parse(rawClientErrorResponse(code === undefined ? {} : { code }, 'req-1'));
    expect(head.split('\r\n')).toEqual([
      `HTTP/1.1 ${status} ${reason}`,
      'Content-Type: application/problem+json; charset=utf-8',
      `Content-Length: ${length}`,
      'X-Request-Id: req-1',
      'Connection: close',
    ]);
    expect(body).toMatchObject({
      status,
      code: problemCode,
      type: problemType(problemCode as never),
      request_id: 'req-1',
    });
  });

  it('never echoes an odd error code into the detail', () => {
    const { body } = parse(rawClientErrorResponse({ code: 'x\r\nInjected: yes' }, 'req-2'));
    expect(body.detail).not.toContain('Injected');
  });
});
