import pg from 'pg';

/**
 * Drops a test's PostgreSQL schema through a connection of its own (`DATABASE_URL`). Call it after
 * the API instances using the schema have stopped: a running instance's tails lock the schema's
 * tables in another order than the drop, and PostgreSQL answers with a deadlock.
 */
export async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema.replaceAll('"', '""')}" cascade`);
  } finally {
    await admin.end();
  }
}
