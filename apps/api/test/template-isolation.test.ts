import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { DEMO, demoTokens } from '../src/demo-seed.js';
import { secretKey } from '../src/plugins/authentication.js';
import { PREVIEW_VARIABLES, WORST_CASE_TEMPLATE } from './support/worst-case-template.js';

/** The longest the event loop stood still while `work` ran, in milliseconds. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const result = await work();
    return { result, stallMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}

// The composed API on PGlite, as `pnpm start` wires it: store-authored templates render in the
// worker pools, previews have their own per-store budget, and neither a store's previews nor its
// notifications hold the event loop that serves every other tenant.
describe('untrusted templates cannot stall other tenants (composed API)', () => {
  let dir: string;
  let api: ComposedApi;
  let base: string;
  let token: (role: string) => string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-templates-'));
    const config = parseConfig(
      {
        PARLEY_LOG_LEVEL: 'silent',
        PARLEY_PORT: '0',
        PARLEY_NOTIFICATIONS_WORKER: 'off',
        PARLEY_TEMPLATE_RENDER_TIMEOUT: '1s',
        PARLEY_TEMPLATE_WORKERS: '2',
        PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: '5/1h',
      },
      dir,
    );
    api = await compose(config);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const tokens = await demoTokens(secretKey(api.jwtSecret.secret), api.directory);
    token = (role) => `Bearer ${tokens.find((t) => t.role === role)?.token}`;
    for (const language of ['en', 'fr']) {
      const saved = await api.app.inject({
        method: 'PUT',
        url: `/api/v1/store/email-templates/new_message/${language}`,
        headers: { authorization: token('store') },
        payload: { subject: 'Worst case', body_html: WORST_CASE_TEMPLATE },
      });
      expect(saved.statusCode).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const preview = () =>
    fetch(`${base}/api/v1/store/email-templates/new_message/en/preview`, {
      method: 'POST',
      headers: { authorization: token('store'), 'content-type': 'application/json' },
      body: JSON.stringify({ variables: PREVIEW_VARIABLES }),
    });

  it('answers a worst-case preview with 422 TEMPLATE_TIMEOUT naming body_html', async () => {
    const response = await preview();
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: 'urn:parley:problem:template-timeout',
      status: 422,
      code: 'TEMPLATE_TIMEOUT',
      field: 'body_html',
      detail: 'body_html: template took longer than 1000 ms to render',
    });
  }, 60_000);

  it('answers /healthz while four worst-case previews run, the event loop never stalling', async () => {
    let previewsDone = 0;
    const { result, stallMs } = await longestStall(async () => {
      const previews = [1, 2, 3, 4].map(() =>
        preview().then(async (response) => {
          previewsDone += 1;
          return response.status;
        }),
      );
      // Let the previews reach the workers first.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const health = await fetch(`${base}/healthz`);
      const doneWhenHealthAnswered = previewsDone;
      return { health: health.status, doneWhenHealthAnswered, statuses: await Promise.all(previews) };
    });
    expect(result.health).toBe(200);
    // Each preview holds a worker for a full second; /healthz did not wait for any of them.
    expect(result.doneWhenHealthAnswered).toBe(0);
    expect(result.statuses).toEqual([422, 422, 422, 422]);
    // In process, the loop would stand still for each 1 s render in turn. Generous bound.
    expect(stallMs).toBeLessThan(250);
  }, 60_000);

  it('limits previews per store (5 per hour here) with 429 RATE_LIMITED and rate-limit headers', async () => {
    // Five previews were spent above: the sixth is refused without rendering anything.
    const refused = await preview();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('5');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      detail: expect.stringMatching(
        /^template preview limit of 5 per hour for this store exceeded; retry in /,
      ),
    });
    // The rest of the API, for the same store, is not affected.
    const inbox = await api.app.inject({
      method: 'GET',
      url: '/api/v1/store/messages',
      headers: { authorization: token('store') },
    });
    expect(inbox.statusCode).toBe(200);
  });

  it('renders notifications off the event loop too: a worst-case override fails its email, the loop keeps going', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/store/messages',
      headers: { authorization: token('store') },
      payload: {
        conversation_type: 'store_customer',
        subject: 'Your order',
        recipient_type: 'customer',
        recipient_id: DEMO.customers[0].id,
        initial_message: 'It shipped!',
      },
    });
    expect(created.statusCode).toBe(201);
    const { result, stallMs } = await longestStall(() => api.notifications.runOnce());
    expect(result?.groups.map((g) => [g.recipient.id, g.outcome])).toEqual([
      [DEMO.customers[0].id, 'failed'],
    ]);
    expect(stallMs).toBeLessThan(250);
  }, 60_000);
});
