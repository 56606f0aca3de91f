import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, demoTokens, issueToken, parseConfig, secretKey } from '@parley/api';
import pg from 'pg';

/** The API as `pnpm start` composes it, listening on a free port, with a token per demo role. */
export interface ComposedInbox {
  /** `http://127.0.0.1:{port}`. */
  readonly url: string;
  readonly tokens: Readonly<Record<'admin' | 'store' | 'customer', string>>;
  /**
   * A token for any person of the running preset (`PARLEY_PRESET` in the environment given), with
   * their tenant when they have one — the demo's other people too (`stu-ben`, `uma`).
   */
  tokenFor(type: string, id: string, tenant?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Composes the real API (composition root, migrations, demo seed) in a temp data dir — on
 * PostgreSQL in a schema of its own when `DATABASE_URL` is set, else on embedded PGlite — and
 * listens on 127.0.0.1, port 0. The same steps as the API's own test harness, kept here so the
 * web app does not import another app's test folder.
 */
export async function composedInbox(extraEnv: Readonly<Record<string, string>> = {}): Promise<ComposedInbox> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-web-'));
  const url = process.env.DATABASE_URL;
  const env: Record<string, string> = {
    PARLEY_LOG_LEVEL: 'silent',
    PARLEY_NOTIFICATIONS_WORKER: 'off',
    PARLEY_ATTACHMENT_SWEEP_INTERVAL: 'off',
    PARLEY_RATE_LIMIT_MAX: '1000000',
    ...extraEnv,
  };
  let dropSchema: (() => Promise<void>) | undefined;
  if (url && process.env.PARLEY_TEST_DB !== 'pglite') {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await admin(`create schema ${schema}`);
    dropSchema = () => admin(`drop schema if exists ${schema} cascade`);
    Object.assign(env, {
      PARLEY_DATABASE_URL: url,
      PARLEY_DATABASE_SCHEMA: schema,
      PARLEY_DATABASE_POOL_SIZE: '4',
    });
  }
  const cleanup = async () => {
    await dropSchema?.();
    await rm(dir, { recursive: true, force: true });
  };
  let api: Awaited<ReturnType<typeof compose>>;
  try {
    api = await compose(parseConfig(env, dir));
    await api.app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const key = secretKey(api.jwtSecret.secret);
  const issued = await demoTokens(key, api.directory, {
    preset: api.preset,
    tenantClaim: api.directory.tenantClaim,
  });
  // Another preset's roles: the marketplace's names stay empty there (use `tokenFor`).
  const token = (role: string) => issued.find((t) => t.role === role)?.token ?? '';
  const { port } = api.app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens: { admin: token('admin'), store: token('store'), customer: token('customer') },
    tokenFor: (type, id, tenant) =>
      issueToken(key, { sub: id, role: type, ...(tenant ? { tenantId: tenant } : {}) }),
    close: async () => {
      try {
        await api.close();
      } finally {
        await cleanup();
      }
    },
  };
}
