/** Which database the adapter's tests run on, read from the environment once. */
export interface TestDatabaseEnv {
  /** A PostgreSQL server (`DATABASE_URL`, else `PARLEY_DATABASE_URL`). */
  readonly databaseUrl: string | undefined;
  /** `pglite` forces the embedded database even when a server is configured. */
  readonly forced: 'pglite' | undefined;
  /** Set when a Docker engine is reachable over TCP rather than the default socket. */
  readonly dockerHost: string | undefined;
}

/**
 * Reads the test database settings from `process.env` (the only place the package reads it for tests).
 *
 * @example
 * ```ts
 * readTestDatabaseEnv().databaseUrl; // "postgres://postgres@127.0.0.1:5432/test" or undefined
 * ```
 */
export function readTestDatabaseEnv(env: NodeJS.ProcessEnv = process.env): TestDatabaseEnv {
  const url = env.DATABASE_URL || env.PARLEY_DATABASE_URL || undefined;
  return {
    databaseUrl: url,
    forced: env.PARLEY_TEST_DB === 'pglite' ? 'pglite' : undefined,
    dockerHost: env.DOCKER_HOST || undefined,
  };
}
