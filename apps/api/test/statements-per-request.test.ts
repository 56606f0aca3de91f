// How many SQL statements the hot requests cost (issue "Performance"): each round trip is latency
// and pool time, so the counts are pinned here and can only go down. A change that adds one fails
// this test and must say why (raise the budget in the same commit, with the reason).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedApi } from '../src/composition-root.js';
import { demoTokens } from '../src/demo-seed.js';
import { secretKey } from '../src/plugins/authentication.js';
import { composeForTest } from './support/composed-api.js';

/**
 * Statements per request once the process is warm (tokens verified, directory entries and settings
 * cached), as measured when the budget was set (lower is welcome). Before the caches: create 12,
 * send 3, inbox 5, badge 2, detail 6.
 */
const BUDGET = {
  // begin, the conversation with its members, the event, the first message, commit; then the
  // answer's conversation and messages.
  create: 7,
  // the conversation with its members, then one statement: message, counters, read state, event.
  send: 2,
  // the page, and the badge total.
  inbox: 2,
  // one partial-index sum.
  badge: 1,
  // the conversation, its messages, its members' read and delivery state.
  detail: 3,
} as const;

/**
 * Every request also spends its caller's rate-limit budget, shared by every instance in
 * `rate_limit_counters` (issue 15), claimed in blocks that grow to 16 positions
 * (`BatchedRateLimitCounters`): counted apart, per caller over a run of requests.
 */
const RATE_LIMIT_STATEMENTS_PER_40_REQUESTS = 6;
const isRateLimit = (sql: string) => sql.includes('rate_limit_counters');

const engines = [...(process.env.DATABASE_URL ? (['postgres'] as const) : []), 'pglite' as const];

describe.each(engines)('statements per request on %s', (database) => {
  let api: ComposedApi;
  let close: () => Promise<void>;
  let statements: string[] = [];
  let recording = false;
  let store: string;
  let customer: string;
  let conversationId: string;

  /**
   * The statements one request ran. The event dispatcher and the real-time tail are stopped first
   * (their rounds react to commits on timers of their own and would land in any request's count);
   * the worker and the sweep are off in tests.
   */
  async function count(request: () => Promise<{ statusCode: number; body: string }>) {
    statements = [];
    recording = true;
    const response = await request();
    recording = false;
    expect(response.statusCode, response.body).toBeLessThan(300);
    return statements.filter((sql) => !isRateLimit(sql));
  }

  beforeAll(async () => {
    ({ api, close } = await composeForTest({
      database,
      onStatement: (sql) => {
        if (recording) statements.push(sql);
      },
    }));
    await api.events.stop();
    await api.realtime.hub.stop();
    const tokens = await demoTokens(secretKey(api.jwtSecret.secret), api.directory);
    store = tokens.find((t) => t.role === 'store')?.token as string;
    customer = tokens.find((t) => t.role === 'customer')?.token as string;
  });
  afterAll(async () => close?.());

  const inject = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    api.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  it('stays within the budget for create, send, inbox, badge and detail', async () => {
    // Warm the token cache and anything read once per process, as a running server is.
    await inject(store, 'GET', '/api/v1/store/messages/unread-count');
    await inject(customer, 'GET', '/api/v1/storefront/messages/unread-count');
    const create = () =>
      inject(store, 'POST', '/api/v1/store/messages', {
        conversation_type: 'store_customer',
        subject: 'Your order',
        recipient_type: 'customer',
        recipient_id: 'demo-customer-1',
        initial_message: 'It shipped!',
      });
    await create();
    const created = await count(create);
    const list = await inject(store, 'GET', '/api/v1/store/messages?limit=20');
    conversationId = (JSON.parse(list.body) as { conversations: { id: string }[] }).conversations[0]
      ?.id as string;
    const sent = await count(() =>
      inject(customer, 'POST', `/api/v1/storefront/messages/${conversationId}/messages`, {
        content: 'Thanks!',
      }),
    );
    const inbox = await count(() => inject(store, 'GET', '/api/v1/store/messages?limit=20'));
    const badge = await count(() => inject(store, 'GET', '/api/v1/store/messages/unread-count'));
    const detail = await count(() => inject(store, 'GET', `/api/v1/store/messages/${conversationId}`));
    const measured = {
      create: created.length,
      send: sent.length,
      inbox: inbox.length,
      badge: badge.length,
      detail: detail.length,
    };
    const brief = (list: string[]) => list.map((sql) => sql.replace(/\s+/g, ' ').slice(0, 110)).join('\n  ');
    const listing = Object.entries({ create: created, send: sent, inbox, badge, detail })
      .map(([name, list]) => `${name}:\n  ${brief(list)}`)
      .join('\n');
    expect(measured, `statements per request (${database}):\n${listing}`).toEqual(BUDGET);
  });

  it('claims the shared rate-limit budget in blocks: 40 requests of a new caller, 6 counter statements', async () => {
    const tokens = await demoTokens(secretKey(api.jwtSecret.secret), api.directory);
    const admin = tokens.find((t) => t.role === 'admin')?.token as string;
    statements = [];
    recording = true;
    for (let i = 0; i < 40; i++) {
      const response = await inject(admin, 'GET', '/api/v1/admin/settings');
      expect(response.statusCode, response.body).toBe(200);
    }
    recording = false;
    // Blocks of 1, 2, 4, 8, 16, 16 cover 47 requests.
    expect(statements.filter(isRateLimit)).toHaveLength(RATE_LIMIT_STATEMENTS_PER_40_REQUESTS);
  });
});
