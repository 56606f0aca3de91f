import type { Database } from '@parley/adapters-kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Operation } from './operations.js';

/** One statement an operation ran, with its `EXPLAIN (ANALYZE, BUFFERS)` plan. */
export interface ExplainedStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly plan: string;
  /** The plan's "Execution Time". */
  readonly executionMs: number | null;
}

class Rollback extends Error {}

const TRANSACTION_CONTROL = /^\s*(begin|start|commit|rollback|savepoint|release)\b/i;

/**
 * The SQL statements one call of an operation runs, captured with Kysely's query log. The call
 * runs inside a transaction that is rolled back, so a captured send leaves nothing behind and
 * its statement can be explained afterwards with the same ids.
 */
export async function captureStatements(
  url: string,
  schema: string,
  build: (db: Kysely<Database>) => Operation,
  iteration: number,
): Promise<{ sql: string; parameters: readonly unknown[] }[]> {
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query' && !TRANSACTION_CONTROL.test(event.query.sql)) {
        captured.push({ sql: event.query.sql, parameters: event.query.parameters });
      }
    },
  });
  try {
    await db.transaction().execute(async (trx) => {
      await build(trx).run(iteration);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  } finally {
    await db.destroy();
  }
  return captured;
}

/**
 * `EXPLAIN (ANALYZE, BUFFERS)` of each statement, each in a transaction rolled back afterwards
 * (ANALYZE executes the statement: an append really inserts, then is undone).
 */
export async function explainStatements(
  url: string,
  schema: string,
  statements: readonly { sql: string; parameters: readonly unknown[] }[],
): Promise<ExplainedStatement[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  const explained: ExplainedStatement[] = [];
  try {
    for (const statement of statements) {
      await client.query('begin');
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `explain (analyze, buffers) ${statement.sql}`,
          [...statement.parameters],
        );
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        const execution = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
        explained.push({
          ...statement,
          plan,
          executionMs: execution === undefined ? null : Number(execution),
        });
      } finally {
        await client.query('rollback');
      }
    }
  } finally {
    await client.end();
  }
  return explained;
}

/** A statement's SQL on one line-ish: Kysely's raw fragments keep their indentation. */
export function compactSql(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n  ');
}
