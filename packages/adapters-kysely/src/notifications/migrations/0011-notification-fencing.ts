import { type Kysely, sql } from 'kysely';

/**
 * Fenced notification leases: `notification_jobs.lease_token` holds the token of the claim that
 * leased the job (new at every claim, cleared on release). Writes after the claim check it with
 * `locked_until`, so a worker that outlived its lease can no longer complete, fail, reschedule or
 * send.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table notification_jobs add column lease_token text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table notification_jobs drop column lease_token`.execute(db);
}
