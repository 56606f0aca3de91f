import { LiquidTemplateRenderer } from '@parley/adapters-liquid';
import { createEmailTemplatesCore } from '@parley/messaging-core';
import { createInMemoryMessaging, InMemoryEmailTemplateRepository } from '@parley/messaging-core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { buildHarness } from './support/build-harness.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import type { ApiHarness } from './support/harness.js';

const VARIABLES = {
  conversation_subject: 'Order #42',
  sender_name: 'Sam',
  message_preview: 'Hello',
  reply_url: 'https://parley.test/r',
};

describe('template preview rate limit (per store, per admin)', () => {
  let harness: ApiHarness;
  let call: Call;
  let t: Tokens;
  let secondStaffOfStore1: string;
  beforeEach(async () => {
    const { core, directory } = createInMemoryMessaging();
    const emailTemplates = createEmailTemplatesCore({
      templates: new InMemoryEmailTemplateRepository({ directory }),
      renderer: new LiquidTemplateRenderer(),
    });
    harness = await buildHarness(
      core,
      directory,
      { kind: 'memory', check: async () => {} },
      { emailTemplates, templatePreviewRateLimit: { max: 2, windowMs: 60_000 } },
    );
    call = client(harness);
    t = await tokensFor(harness.jwtSecret);
    await seedFixture(call, t.service);
    await call('PUT', '/api/v1/platform/users/u3', {
      token: t.service,
      body: { name: 'Sue Acme', email: 'sue@acme.test', role: 'store', store_id: 's1' },
    });
    secondStaffOfStore1 = await issueToken(secretKey(harness.jwtSecret), {
      sub: 'u3',
      role: 'store',
      storeId: 's1',
    });
  });
  afterEach(() => harness.close());

  const storePreview = (token: string) =>
    call('POST', '/api/v1/store/email-templates/new_message/en/preview', {
      token,
      body: { variables: VARIABLES },
    });
  const adminPreview = (token: string) =>
    call('POST', '/api/v1/admin/email-templates/new_message/en/preview', {
      token,
      body: { variables: VARIABLES },
    });

  it('shares one budget among a store’s staff, leaves other stores alone, and answers 429 problem+json', async () => {
    const first = await storePreview(t.store1);
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('2');
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    expect((await storePreview(secondStaffOfStore1)).status).toBe(200);
    const refused = await storePreview(secondStaffOfStore1);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      detail: expect.stringMatching(
        /^template preview limit of 2 per minute for this store exceeded; retry in /,
      ),
    });
    expect((await storePreview(t.store1)).status).toBe(429);
    // Another store has its own budget, and the store's other routes are not limited by previews.
    expect((await storePreview(t.store2)).status).toBe(200);
    expect((await call('GET', '/api/v1/store/email-templates', { token: t.store1 })).status).toBe(200);
  });

  it('limits platform previews per admin', async () => {
    const otherAdmin = await issueToken(secretKey(harness.jwtSecret), { sub: 'a2', role: 'admin' });
    await call('PUT', '/api/v1/platform/users/a2', {
      token: t.service,
      body: { name: 'Al Admin', email: 'al@platform.test', role: 'admin' },
    });
    expect((await adminPreview(t.admin)).status).toBe(200);
    expect((await adminPreview(t.admin)).status).toBe(200);
    const refused = await adminPreview(t.admin);
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/^template preview limit of 2 per minute per admin exceeded/);
    expect((await adminPreview(otherAdmin)).status).toBe(200);
  });
});
