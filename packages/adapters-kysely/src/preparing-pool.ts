import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Marks a statement worth preparing: put it first in the SQL text (`sql\`${PREPARED} with …\``).
 * Hot statements of fixed shape only (the send, the inbox): PostgreSQL then plans them once per
 * connection (a generic plan once its custom plans cost no less), where an unnamed statement is
 * parsed and planned on every execution — for the send's one big statement, planning took about
 * as long as running it.
 */
export const PREPARED = '/* parley:prepared */';

/** Distinct statement texts remembered for their names; beyond it, names are hashed each time. */
const NAME_CACHE = 2_000;

/**
 * Wraps a `pg` pool for Kysely's `PostgresDialect` so that statements starting with `PREPARED`
 * run as named prepared statements (named by a hash of their text; `pg` parses each once per
 * connection, then only binds and executes). Every other statement goes through untouched.
 *
 * @example
 * ```ts
 * new PostgresDialect({ pool: preparingPool(new pg.Pool({ connectionString })) });
 * ```
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `parley_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
      if (names.size < NAME_CACHE) names.set(text, name);
    }
    return name;
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        const query = (text: unknown, values?: readonly unknown[]): unknown => {
          if (typeof text === 'string' && text.startsWith(PREPARED)) {
            return client.query({ name: nameOf(text), text, values: values as unknown[] });
          }
          return client.query(text as string, values as unknown[]);
        };
        wrapper = { query: query as PostgresPoolClient['query'], release: () => client.release() };
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
