import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Preset } from '@parley/messaging-core';
import pg from 'pg';
import { type ComposedApi, type ComposeOptions, compose } from '../../src/composition-root.js';
import { parseConfig } from '../../src/config.js';
import { demoTokens } from '../../src/demo-seed.js';
import { secretKey } from '../../src/plugins/authentication.js';

/** The Mailgun webhook signing key the composed API is configured with. */
export const COMPOSED_MAILGUN_SIGNING_KEY = 'key-composed-mailgun-0123456789';

/** The API exactly as `pnpm start` composes it, with a bearer token for every demo role. */
export interface ComposedHarness {
  readonly api: ComposedApi;
  /** `admin`, `store`, `customer`, `service` → a valid token of the demo directory. */
  readonly tokens: Readonly<Record<'admin' | 'store' | 'customer' | 'service', string>>;
  /** `pglite` or `postgres`. */
  readonly databaseKind: string;
  close(): Promise<void>;
}

/**
 * Composes the real API (composition root, migrations, demo seed) in a temp data dir: on
 * PostgreSQL when `DATABASE_URL` is set (a schema of its own, dropped on close) unless
 * `PARLEY_TEST_DB=pglite`, else on embedded PGlite. No background timers: the notification worker
 * and the sweep are off.
 */
export async function composedHarness(
  options: { database?: 'pglite' | 'postgres'; env?: Readonly<Record<string, string>> } = {},
): Promise<ComposedHarness> {
  const { api, close } = await composeForTest(options);
  const issued = await demoTokens(secretKey(api.jwtSecret.secret), api.directory);
  const token = (role: string) => {
    const found = issued.find((t) => t.role === role)?.token;
    if (!found) throw new Error(`no demo token for ${role}`);
    return found;
  };
  return {
    api,
    tokens: {
      admin: token('admin'),
      store: token('store'),
      customer: token('customer'),
      service: token('service'),
    },
    databaseKind: api.database.kind,
    close,
  };
}

/**
 * Composes the real API as `composedHarness` does (temp data dir; PostgreSQL in a schema of its
 * own or PGlite), ready, for any preset (`PARLEY_PRESET` in `env`; `preset` replaces the preset
 * object, e.g. with demo data of the test's own).
 */
export async function composeForTest(
  options: {
    database?: 'pglite' | 'postgres';
    env?: Readonly<Record<string, string>>;
    preset?: Preset;
    /** Real-time timings of the test's own (`ComposeOptions.realtime`). */
    realtime?: ComposeOptions['realtime'];
    /** Sees every statement's SQL (`ComposeOptions.onStatement`). */
    onStatement?: ComposeOptions['onStatement'];
  } = {},
): Promise<{ readonly api: ComposedApi; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-composed-'));
  const url = process.env.DATABASE_URL;
  const database =
    options.database ?? (url && process.env.PARLEY_TEST_DB !== 'pglite' ? 'postgres' : 'pglite');
  let dropSchema: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {
    PARLEY_LOG_LEVEL: 'silent',
    PARLEY_NOTIFICATIONS_WORKER: 'off',
    PARLEY_ATTACHMENT_SWEEP_INTERVAL: 'off',
    PARLEY_RATE_LIMIT_MAX: '1000000',
    PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: COMPOSED_MAILGUN_SIGNING_KEY,
    ...options.env,
  };
  if (database === 'postgres') {
    if (!url) throw new Error('composedHarness: database postgres needs DATABASE_URL');
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
    env.PARLEY_DATABASE_URL = url;
    env.PARLEY_DATABASE_SCHEMA = schema;
    env.PARLEY_DATABASE_POOL_SIZE = '4';
  }
  let api: ComposedApi;
  try {
    api = await compose(parseConfig(env, dir), {
      ...(options.preset ? { preset: options.preset } : {}),
      ...(options.realtime ? { realtime: options.realtime } : {}),
      ...(options.onStatement ? { onStatement: options.onStatement } : {}),
    });
  } catch (error) {
    await dropSchema?.();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  await api.app.ready();
  return {
    api,
    close: async () => {
      try {
        await api.close();
      } finally {
        await dropSchema?.();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
