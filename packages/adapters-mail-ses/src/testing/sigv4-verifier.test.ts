import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SigV4Request } from './sigv4-verifier.js';
import { SigV4Verifier } from './sigv4-verifier.js';

// The published AWS Signature V4 test suite: key pair, time, region and service of every vector.
const SUITE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  now: () => new Date('2015-08-30T12:36:00Z'),
};
const suiteVerifier = (overrides: Partial<typeof SUITE> = {}) => {
  const s = { ...SUITE, ...overrides };
  return new SigV4Verifier({
    credentials: [{ accessKeyId: SUITE.accessKeyId, secretAccessKey: SUITE.secretAccessKey }],
    region: s.region,
    service: s.service,
    now: s.now,
  });
};

const vector = (method: string, url: string, signature: string): SigV4Request => ({
  method,
  url,
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
  },
  body: Buffer.alloc(0),
});

const GET_VANILLA = vector('GET', '/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');

/** Signs like a client would, with node:crypto, so tampering tests start from a valid request. */
function sign(
  request: { method: string; url: string; body: string; headers: Record<string, string> },
  secret: string,
  keyId: string,
  date = '20150830T123600Z',
  region = 'us-east-1',
): SigV4Request {
  const headers: Record<string, string> = {
    host: 'example.amazonaws.com',
    'x-amz-date': date,
    ...request.headers,
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    request.method,
    request.url,
    '',
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    names.join(';'),
    createHash('sha256').update(request.body).digest('hex'),
  ].join('\n');
  const scope = `${date.slice(0, 8)}/${region}/service/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  const h = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d).digest();
  const key = h(h(h(h(`AWS4${secret}`, date.slice(0, 8)), region), 'service'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    method: request.method,
    url: request.url,
    headers: {
      ...headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${keyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    },
    body: Buffer.from(request.body),
  };
}

const POST = {
  method: 'POST',
  url: '/v2/email/outbound-emails',
  body: '{"a":1}',
  headers: { 'content-type': 'application/json' },
};

describe('SigV4Verifier', () => {
  it.each([
    ['get-vanilla', GET_VANILLA],
    ['post-vanilla', vector('POST', '/', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b')],
    [
      'get-vanilla-query-order-key-case',
      vector(
        'GET',
        '/?Param2=value2&Param1=value1',
        'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
      ),
    ],
  ])('accepts the published AWS test-suite vector %s', (_name, request) => {
    expect(suiteVerifier().verify(request)).toEqual({
      ok: true,
      accessKeyId: 'AKIDEXAMPLE',
      region: 'us-east-1',
      signedHeaders: ['host', 'x-amz-date'],
    });
  });

  it('accepts a signed POST with a body and refuses it once the body, a signed header or the path changes', () => {
    const verifier = suiteVerifier();
    const signed = sign(POST, SUITE.secretAccessKey, SUITE.accessKeyId);
    expect(verifier.verify(signed).ok).toBe(true);
    const mismatch = {
      ok: false,
      errorType: 'InvalidSignatureException',
      message: expect.stringContaining('does not match the signature you provided'),
    };
    expect(verifier.verify({ ...signed, body: Buffer.from('{"a":2}') })).toEqual(mismatch);
    expect(
      verifier.verify({ ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } }),
    ).toEqual(mismatch);
    expect(verifier.verify({ ...signed, url: '/v2/email/outbound-emails?x=1' })).toEqual(mismatch);
    expect(verifier.verify({ ...signed, method: 'PUT' })).toEqual(mismatch);
  });

  it('refuses a wrong secret as InvalidSignatureException and an unknown key as UnrecognizedClientException', () => {
    const verifier = suiteVerifier();
    expect(verifier.verify(sign(POST, 'not-the-secret', SUITE.accessKeyId))).toMatchObject({
      ok: false,
      errorType: 'InvalidSignatureException',
    });
    expect(verifier.verify(sign(POST, SUITE.secretAccessKey, 'AKIDUNKNOWN'))).toEqual({
      ok: false,
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('refuses a session token it never issued', () => {
    const signed = sign(
      { ...POST, headers: { ...POST.headers, 'x-amz-security-token': 'from-the-env' } },
      SUITE.secretAccessKey,
      SUITE.accessKeyId,
    );
    expect(suiteVerifier().verify(signed)).toMatchObject({
      ok: false,
      errorType: 'UnrecognizedClientException',
    });
  });

  it('refuses a credential scope for another region', () => {
    const signed = sign(POST, SUITE.secretAccessKey, SUITE.accessKeyId, '20150830T123600Z', 'eu-west-1');
    expect(suiteVerifier().verify(signed)).toMatchObject({
      ok: false,
      errorType: 'InvalidSignatureException',
      message: expect.stringContaining('Credential should be scoped to a valid region'),
    });
  });

  it('refuses a signature older than five minutes but accepts one within', () => {
    const signed = sign(POST, SUITE.secretAccessKey, SUITE.accessKeyId);
    expect(suiteVerifier({ now: () => new Date('2015-08-30T12:40:59Z') }).verify(signed).ok).toBe(true);
    expect(suiteVerifier({ now: () => new Date('2015-08-30T12:41:01Z') }).verify(signed)).toMatchObject({
      ok: false,
      errorType: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired/),
    });
  });

  it('refuses a request without Authorization, or with host unsigned', () => {
    const { authorization: _, ...unsigned } = GET_VANILLA.headers;
    expect(suiteVerifier().verify({ ...GET_VANILLA, headers: unsigned })).toEqual({
      ok: false,
      errorType: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    const hostUnsigned = {
      ...GET_VANILLA,
      headers: {
        ...GET_VANILLA.headers,
        authorization: String(GET_VANILLA.headers.authorization).replace(
          'SignedHeaders=host;x-amz-date',
          'SignedHeaders=x-amz-date',
        ),
      },
    };
    expect(suiteVerifier().verify(hostUnsigned)).toMatchObject({
      ok: false,
      errorType: 'IncompleteSignatureException',
    });
  });
});
