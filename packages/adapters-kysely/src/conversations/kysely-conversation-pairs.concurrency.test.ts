import { type Actor, careTeamPolicy, careTeamPreset, createMessagingCore } from '@parley/messaging-core';
import { InMemoryPeopleDirectory, InMemorySettingsStore } from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, resolveTestDatabaseTarget, type TestDatabase } from '../testing/test-database.js';
import { KyselyMessagingStore } from './kysely-messaging-store.js';

// Real concurrency needs a real server: PGlite is one session and serializes everything.
const selected = await resolveTestDatabaseTarget();
const onPostgres = selected.kind === 'postgres';
if (!onPostgres) {
  console.info('[parley] pair concurrency tests skipped: they need PostgreSQL (set DATABASE_URL)');
}

const person = (type: string, id: string): Actor => ({ type, id, tenantId: null, name: id });
const THEO = person('therapist', 'theo');
const UMA = person('user', 'uma');
const KIM = person('clinician', 'dr.kim');

describe.runIf(onPostgres)('one conversation per pair under concurrency (PostgreSQL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 12 });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('many concurrent first messages of one pair, from both sides, give one conversation holding them all', async () => {
    await database.truncate();
    const directory = new InMemoryPeopleDirectory();
    for (const p of careTeamPreset.demo.people) await directory.upsertPerson(p, new Date());
    // Two cores over two pools: what two API processes would do.
    const second = database.connectAgain();
    const cores = [database, second ?? database].map((db) =>
      createMessagingCore({
        store: new KyselyMessagingStore({ db: db.db }),
        directory,
        settings: new InMemorySettingsStore(),
        policy: careTeamPolicy,
      }),
    );
    try {
      const sends = Array.from({ length: 16 }, (_, i) => {
        const core = cores[i % 2]!;
        return i % 3 === 0
          ? core.sendDirectMessage(UMA, { recipient: 'theo', content: `uma ${i}` })
          : core.sendDirectMessage(THEO, { recipient: 'uma', content: `theo ${i}` });
      });
      // A second pair races alongside and must stay apart.
      sends.push(cores[1]!.sendDirectMessage(KIM, { recipient: 'uma', content: 'kim' }));
      const sent = await Promise.all(sends);
      const theoUma = sent.filter((s) => s.sender.id !== 'dr.kim');
      expect(new Set(theoUma.map((s) => s.conversationId)).size).toBe(1);
      expect(sent.at(-1)?.conversationId).not.toBe(theoUma[0]?.conversationId);

      const conversations = await sql<{ id: string; message_count: number }>`
        select id, message_count from conversations order by message_count desc`.execute(database.db);
      expect(conversations.rows.map((r) => Number(r.message_count))).toEqual([16, 1]);
      const seqs = await sql<{ seq: number }>`
        select seq from messages where conversation_id = ${theoUma[0]!.conversationId}::uuid order by seq`.execute(
        database.db,
      );
      expect(seqs.rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      const created = (await cores[0]!.listDirectInbox(UMA, { page: 1, limit: 20 })).rows.map(
        (r) => r.withUser.id,
      );
      expect(created.sort()).toEqual(['dr.kim', 'theo']);
      const createdEvents = await sql<{ n: number }>`
        select count(*)::int as n from events where type = 'conversation.created'`.execute(database.db);
      expect(createdEvents.rows[0]?.n).toBe(2);
    } finally {
      await second?.destroy();
    }
  });

  it('both members deleting one message at once: the message is deleted for good, each side recorded once', async () => {
    await database.truncate();
    const directory = new InMemoryPeopleDirectory();
    for (const p of careTeamPreset.demo.people) await directory.upsertPerson(p, new Date());
    const second = database.connectAgain();
    const cores = [database, second ?? database].map((db) =>
      createMessagingCore({
        store: new KyselyMessagingStore({ db: db.db }),
        directory,
        settings: new InMemorySettingsStore(),
        policy: careTeamPolicy,
      }),
    );
    try {
      for (let round = 0; round < 5; round += 1) {
        const sent = await cores[0]!.sendDirectMessage(KIM, { recipient: 'uma', content: `m${round}` });
        await Promise.all([
          cores[0]!.deleteDirectMessage(KIM, sent.id),
          cores[1]!.deleteDirectMessage(UMA, sent.id),
        ]);
        const row = await sql<{ is_deleted: boolean; hides: number }>`
          select m.is_deleted, (select count(*)::int from message_hides h where h.message_id = m.id) as hides
          from messages m where m.id = ${sent.id}::uuid`.execute(database.db);
        expect(row.rows[0]).toEqual({ is_deleted: true, hides: 2 });
      }
    } finally {
      await second?.destroy();
    }
  });
});
