import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, demoTokens, parseConfig, secretKey } from '@parley/api';
import pg from 'pg';

/** The API as `pnpm start` composes it, listening on a free port, with a token per demo role. */
export interface ComposedInbox {
  /** `http://127.0.0.1:{port}`. */
  readonly url: string;
  readonly tokens: Readonly<Record<'admin' | 'store' | 'customer', string>>;
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
  const issued = await demoTokens(secretKey(api.jwtSecret.secret), api.directory);
  const token = (role: string) => {
    const found = issued.find((t) => t.role === role)?.token;
    if (!found) throw new Error(`no demo token for ${role}`);
    return found;
  };
  const { port } = api.app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens: { admin: token('admin'), store: token('store'), customer: token('customer') },
    close: async () => {
      try {
        await api.close();
      } finally {
        await cleanup();
      }
    },
  };
}
