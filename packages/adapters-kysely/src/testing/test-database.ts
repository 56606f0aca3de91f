import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type ParleyDatabase } from '../database.js';
import { seedDefaultEmailTemplates } from '../email/migrations/0006-email-templates.js';
import { migrateToLatest } from '../migrator.js';
import { readTestDatabaseEnv } from './config.js';

/** Where a test database comes from. */
export type TestDatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string; readonly source: 'DATABASE_URL' | 'testcontainers' }
  | { readonly kind: 'pglite'; readonly reason: string };

/** A migrated database of its own for one test file. */
export interface TestDatabase extends ParleyDatabase {
  /** What it runs on, for test names: `postgres (DATABASE_URL)`, `pglite`. */
  readonly label: string;
  /**
   * Empties every Parley table, so each test starts from nothing.
   *
   * @example
   * ```ts
   * beforeEach(() => database.truncate());
   * ```
   */
  truncate(): Promise<void>;
  /**
   * Another connection pool to the same database and schema — what a second process would see —
   * or null on PGlite (an in-memory instance belongs to one process). Destroy it when done.
   *
   * @example
   * ```ts
   * const other = database.connectAgain(); // PostgreSQL: its own pool over the same schema
   * ```
   */
  connectAgain(): ParleyDatabase | null;
}

export interface OpenTestDatabaseOptions {
  /** `auto` (default) picks as `resolveTestDatabaseTarget` does; `pglite` always embeds. */
  readonly target?: 'auto' | 'pglite';
  /** Pool size on PostgreSQL (default 10). */
  readonly poolSize?: number;
}

const DOCKER_SOCKET = '/var/run/docker.sock';

/** True when a Docker engine answers `/_ping` within a short timeout. */
async function dockerAnswers(dockerHost: string | undefined): Promise<boolean> {
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost === undefined || dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost?.slice('unix://'.length) ?? DOCKER_SOCKET;
    try {
      await stat(socketPath);
    } catch {
      return false;
    }
    target = { socketPath };
  } else {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    target = { host: url.hostname, port: Number(url.port || 2375) };
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

let containerUrl: Promise<string | null> | undefined;

/** One PostgreSQL container per test process, reaped by testcontainers when the process ends. */
function startContainer(): Promise<string | null> {
  containerUrl ??= (async () => {
    try {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:16-alpine').start();
      return container.getConnectionUri();
    } catch (error) {
      console.info(
        `[parley] testcontainers could not start PostgreSQL (${String(error)}); falling back to PGlite`,
      );
      return null;
    }
  })();
  return containerUrl;
}

let resolved: Promise<TestDatabaseTarget> | undefined;

/**
 * Chooses the test database once per process and prints the choice: `DATABASE_URL` (or
 * `PARLEY_DATABASE_URL`) when set; else a testcontainers PostgreSQL when a Docker engine
 * answers; else in-memory PGlite. `PARLEY_TEST_DB=pglite` forces PGlite.
 *
 * @example
 * ```ts
 * const target = await resolveTestDatabaseTarget();
 * if (target.kind === 'postgres') console.log(target.source);
 * ```
 */
export function resolveTestDatabaseTarget(): Promise<TestDatabaseTarget> {
  resolved ??= (async (): Promise<TestDatabaseTarget> => {
    const env = readTestDatabaseEnv();
    let target: TestDatabaseTarget;
    if (env.forced === 'pglite') {
      target = { kind: 'pglite', reason: 'PARLEY_TEST_DB=pglite' };
    } else if (env.databaseUrl !== undefined) {
      target = { kind: 'postgres', url: env.databaseUrl, source: 'DATABASE_URL' };
    } else if (await dockerAnswers(env.dockerHost)) {
      const url = await startContainer();
      target =
        url === null
          ? { kind: 'pglite', reason: 'testcontainers failed to start' }
          : { kind: 'postgres', url, source: 'testcontainers' };
    } else {
      target = { kind: 'pglite', reason: 'no DATABASE_URL and no Docker engine' };
    }
    console.info(
      target.kind === 'postgres'
        ? `[parley] tests use PostgreSQL from ${target.source} (${redact(target.url)}), one schema per test file`
        : `[parley] tests use in-memory PGlite (${target.reason})`,
    );
    return target;
  })();
  return resolved;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}

const TABLES = [
  'audit_log',
  'notification_digests',
  'notification_preferences',
  'rate_limit_counters',
  'webhook_attempts',
  'webhook_deliveries',
  'webhook_secrets',
  'webhook_endpoints',
  'delivery_advances',
  'read_advances',
  'message_hides',
  'participant_blocks',
  'conversation_pairs',
  'events',
  'event_subscribers',
  'notification_jobs',
  'notification_windows',
  'admin_notifications',
  'send_failure_streaks',
  'webhook_replay_tokens',
  'store_email_templates',
  'email_templates',
  'email_delivery_events',
  'email_logs',
  'store_email_settings',
  'moderation_settings',
  'message_revisions',
  'message_attachments',
  'send_idempotency_keys',
  'messages',
  'conversation_participants',
  'conversations',
  'customers',
  'platform_users',
  'stores',
  'directory_people',
  'directory_tenants',
  'platform_settings',
] as const;

/**
 * Opens a migrated database of its own: a fresh schema `t_<random>` on PostgreSQL (dropped by
 * `destroy`), or a fresh in-memory PGlite instance. Test files running in parallel never share
 * data.
 *
 * @example
 * ```ts
 * let database: TestDatabase;
 * beforeAll(async () => { database = await openTestDatabase(); });
 * afterAll(() => database.destroy());
 * ```
 */
export async function openTestDatabase(options: OpenTestDatabaseOptions = {}): Promise<TestDatabase> {
  const target: TestDatabaseTarget =
    options.target === 'pglite' ? { kind: 'pglite', reason: 'asked for' } : await resolveTestDatabaseTarget();
  let database: ParleyDatabase;
  let label: string;
  let dropSchema: (() => Promise<void>) | undefined;
  let connectAgain: () => ParleyDatabase | null = () => null;
  if (target.kind === 'postgres') {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(target.url, `create schema ${schema}`);
    database = createDatabase({
      kind: 'postgres',
      url: target.url,
      schema,
      poolSize: options.poolSize ?? 10,
    });
    label = `postgres (${target.source})`;
    dropSchema = () => adminQuery(target.url, `drop schema if exists ${schema} cascade`);
    connectAgain = () => createDatabase({ kind: 'postgres', url: target.url, schema, poolSize: 4 });
  } else {
    database = createDatabase({ kind: 'pglite' });
    label = 'pglite';
  }
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.destroy();
    await dropSchema?.();
    throw error;
  }
  const truncateAll = sql.raw(`truncate table ${TABLES.join(', ')}`);
  return {
    ...database,
    label,
    connectAgain,
    truncate: async () => {
      await truncateAll.execute(database.db);
      // Back to a freshly migrated database: the seeded default templates.
      await seedDefaultEmailTemplates(database.db as Kysely<unknown>);
    },
    destroy: async () => {
      await database.destroy();
      await dropSchema?.();
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
