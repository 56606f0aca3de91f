// The PostgreSQL server the API benchmarks create their throwaway databases on, and the two
// things every benchmark does with it.
import pg from 'pg';

/** BENCH_DATABASE_URL, else DATABASE_URL, else the local server's `postgres` database. */
export const SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the benchmark server. */
export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the server's own database (create / drop a benchmark database). */
export async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
