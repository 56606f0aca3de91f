import { describe, expect, it } from 'vitest';
import { ParleyApiError } from './parley-api-error.js';

describe('ParleyApiError.fromResponse', () => {
  it('keeps the problem+json body, its field, request id and Retry-After', async () => {
    const problem = {
      type: 'urn:parley:problem:rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: 'slow down',
      code: 'RATE_LIMITED',
      field: 'body',
      request_id: 'r-1',
    };
    const error = await ParleyApiError.fromResponse(
      new Response(JSON.stringify(problem), {
        status: 429,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '7' },
      }),
    );
    expect(error).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      field: 'body',
      requestId: 'r-1',
      retryAfter: 7,
    });
    expect(error.problem).toEqual(problem);
    expect(error.message).toBe('429 RATE_LIMITED: slow down');
  });

  it('makes a problem from the status when the body is not one (a proxy page)', async () => {
    const error = await ParleyApiError.fromResponse(
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect(error).toMatchObject({
      status: 502,
      code: 'HTTP_502',
      title: 'Bad Gateway',
      detail: '<html>Bad gateway</html>',
      field: undefined,
      retryAfter: undefined,
    });
  });
});
