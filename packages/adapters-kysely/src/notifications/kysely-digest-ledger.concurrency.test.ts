import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyDigestLedger } from './kysely-digest-ledger.js';

// Real concurrency needs a real server: PGlite is one session and serializes everything.
const selected = await resolveTestDatabaseTarget();
const onPostgres = selected.kind === 'postgres';
if (!onPostgres) console.info('[parley] digest race tests skipped: they need PostgreSQL (set DATABASE_URL)');

describe.runIf(onPostgres)('digest claims racing across two pools (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 8 });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('gives each (person, period, date) to exactly one of many workers, also when leases run out together', async () => {
    await database.truncate();
    const second = database.connectAgain();
    if (second === null) throw new Error('PostgreSQL gives a second pool');
    try {
      const ledgers = [
        new KyselyDigestLedger({ db: database.db }),
        new KyselyDigestLedger({ db: second.db }),
      ];
      const now = new Date('2026-03-29T01:00:00Z');
      const people = Array.from({ length: 10 }, (_, i) => ({ type: 'customer', id: `c-${i}` }));
      const claims = await Promise.all(
        people.flatMap((participant) =>
          Array.from({ length: 6 }, (_, w) =>
            ledgers[w % 2]!.claim({
              participant,
              period: 'daily',
              periodStart: '2026-03-29',
              workerId: `w${w}`,
              now,
              leaseMs: 60_000,
              maxAttempts: 5,
            }),
          ),
        ),
      );
      const won = claims.filter((c) => c !== null);
      expect(won).toHaveLength(people.length);
      expect(new Set(won.map((c) => c.participant.id)).size).toBe(people.length);

      // The leases all end: retakes race again, and again one per digest wins.
      const later = new Date(now.getTime() + 61_000);
      const retakes = await Promise.all(
        people.flatMap((participant) =>
          Array.from({ length: 6 }, (_, w) =>
            ledgers[w % 2]!.claim({
              participant,
              period: 'daily',
              periodStart: '2026-03-29',
              workerId: `w${w}`,
              now: later,
              leaseMs: 60_000,
              maxAttempts: 5,
            }),
          ),
        ),
      );
      expect(retakes.filter((c) => c !== null).map((c) => c.attempts)).toEqual(people.map(() => 2));
    } finally {
      await second.destroy();
    }
  });
});
