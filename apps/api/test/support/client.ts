import type { InjectOptions } from 'fastify';
import { issueToken, secretKey } from '../../src/plugins/authentication.js';
import type { ApiHarness } from './harness.js';

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  readonly body: any;
  readonly text: string;
}

/** A thin `inject` wrapper: JSON in, parsed JSON out (over a harness or a composed API). */
export function client(harness: Pick<ApiHarness, 'app'>) {
  return async function call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; payload?: string } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const request: InjectOptions = { method, url, headers };
    if (options.body !== undefined) request.payload = options.body as NonNullable<InjectOptions['payload']>;
    if (options.payload !== undefined) request.payload = options.payload;
    const response = await harness.app.inject(request);
    let body: unknown;
    try {
      body = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, headers: response.headers, body, text: response.body };
  };
}

export type Call = ReturnType<typeof client>;

/** The fixture directory every scenario starts from (written through the platform routes). */
export const FIXTURE = {
  stores: [
    { id: 's1', name: 'Acme', tier: 'business' },
    { id: 's2', name: 'Globex' },
  ],
  users: [
    { id: 'a1', name: 'Ada Admin', email: 'ada@platform.test', role: 'admin' },
    { id: 'u1', name: 'Sam Acme', email: 'sam@acme.test', role: 'store', store_id: 's1' },
    { id: 'u2', name: 'Gil Globex', email: 'gil@globex.test', role: 'store', store_id: 's2' },
  ],
  customers: [
    { id: 'c1', store_id: 's1', name: 'Carla', email: 'carla@mail.test', locale: 'fr' },
    { id: 'c2', store_id: 's1', name: 'Chris', email: 'chris@mail.test' },
    { id: 'c3', store_id: 's2', name: 'Cora', email: 'cora@mail.test' },
  ],
} as const;

export interface Tokens {
  readonly service: string;
  readonly admin: string;
  readonly store1: string;
  readonly store2: string;
  readonly customer1: string;
  readonly customer2: string;
  readonly customer3: string;
}

export async function tokensFor(secret: string): Promise<Tokens> {
  const key = secretKey(secret);
  return {
    service: await issueToken(key, { sub: 'platform', role: 'service' }),
    admin: await issueToken(key, { sub: 'a1', role: 'admin' }),
    store1: await issueToken(key, { sub: 'u1', role: 'store', storeId: 's1' }),
    store2: await issueToken(key, { sub: 'u2', role: 'store', storeId: 's2' }),
    customer1: await issueToken(key, { sub: 'c1', role: 'customer', storeId: 's1' }),
    customer2: await issueToken(key, { sub: 'c2', role: 'customer', storeId: 's1' }),
    customer3: await issueToken(key, { sub: 'c3', role: 'customer', storeId: 's2' }),
  };
}

/** Writes the fixture directory through `PUT /api/v1/platform/...` and checks each answer. */
export async function seedFixture(call: Call, serviceToken: string): Promise<void> {
  for (const { id, ...body } of FIXTURE.stores) {
    const response = await call('PUT', `/api/v1/platform/stores/${id}`, { token: serviceToken, body });
    if (response.status !== 200) throw new Error(`seeding store ${id}: ${response.status} ${response.text}`);
  }
  for (const { id, ...body } of FIXTURE.users) {
    const response = await call('PUT', `/api/v1/platform/users/${id}`, { token: serviceToken, body });
    if (response.status !== 200) throw new Error(`seeding user ${id}: ${response.status} ${response.text}`);
  }
  for (const { id, ...body } of FIXTURE.customers) {
    const response = await call('PUT', `/api/v1/platform/customers/${id}`, { token: serviceToken, body });
    if (response.status !== 200)
      throw new Error(`seeding customer ${id}: ${response.status} ${response.text}`);
  }
}
