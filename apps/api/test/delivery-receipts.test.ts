import { KyselyMessagingStore, KyselyPeopleDirectory, KyselySettingsStore } from '@parley/adapters-kysely';
import {
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import {
  type Actor,
  createMessagingCore,
  type MessagingCore,
  type MessagingStore,
  type PeopleDirectory,
  type SettingsStore,
} from '@parley/messaging-core';
import { communityPolicy } from '@parley/messaging-core/conversations';
import {
  FixedClock,
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemoryPeopleDirectory,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { buildHarness } from './support/build-harness.js';
import { type Call, client } from './support/client.js';
import { type ApiHarness, TEST_SECRET } from './support/harness.js';

// Delivery receipts (issue 12) on message responses: `read_by` / `delivered_to` (who, since
// when) for conversations of up to 20 active members, counts only above. Acks go through the
// core's `markDelivered` (what the real-time transport calls). Community preset, in memory and on
// the Kysely store on PostgreSQL (DATABASE_URL) and on PGlite.

const BASE = '/api/v1/conversations';
const SCHOOL = 'north-high';
const STUDENTS = Array.from({ length: 20 }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const PEOPLE = [
  { type: 'mentor', id: 'mia' },
  { type: 'student', id: 'ana' },
  ...STUDENTS.map((id) => ({ type: 'student', id })),
];

interface Backend {
  readonly name: string;
  open(): Promise<{ store: MessagingStore; people: PeopleDirectory; settings: SettingsStore; kind: string }>;
}

const databases: TestDatabase[] = [];
const kyselyOn = (target: 'auto' | 'pglite'): Backend => {
  let database: TestDatabase | undefined;
  return {
    name: `Kysely (${target === 'auto' ? 'PostgreSQL' : 'PGlite'})`,
    async open() {
      if (!database) {
        database = await openTestDatabase({ target });
        databases.push(database);
      }
      await database.truncate();
      const db = database.db;
      await sql`select 1`.execute(db);
      return {
        store: new KyselyMessagingStore({ db }),
        people: new KyselyPeopleDirectory({ db }),
        settings: new KyselySettingsStore({ db }),
        kind: database.kind,
      };
    },
  };
};

const selected = await resolveTestDatabaseTarget();
const backends: Backend[] = [
  {
    name: 'in memory',
    async open() {
      return {
        store: new InMemoryMessagingStore(),
        people: new InMemoryPeopleDirectory(),
        settings: new InMemorySettingsStore(),
        kind: 'memory',
      };
    },
  },
  ...(selected.kind === 'pglite' ? [kyselyOn('pglite')] : [kyselyOn('auto'), kyselyOn('pglite')]),
];

afterAll(async () => {
  for (const database of databases) await database.destroy();
});

interface MessageBody {
  readonly id: string;
  readonly seq: number;
  readonly content: string;
  readonly is_system_message: boolean;
  readonly read_by: { type: string; id: string; at: string }[] | null;
  readonly delivered_to: { type: string; id: string; at: string }[] | null;
  readonly read_count: number;
  readonly delivered_count: number;
}

describe.each(backends)('delivery receipts on message responses ($name)', (backend) => {
  let harness: ApiHarness;
  let call: Call;
  let core: MessagingCore;
  let clock: FixedClock;
  const tokens = new Map<string, string>();
  const as = (id: string) => ({ token: tokens.get(id) ?? '' });
  const actor = (type: string, id: string): Actor => ({ type, id, tenantId: SCHOOL });

  beforeEach(async () => {
    const { store, people, settings, kind } = await backend.open();
    clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
    await people.upsertTenant({ id: SCHOOL, name: 'North High' }, clock.now());
    const key = secretKey(TEST_SECRET);
    for (const p of PEOPLE) {
      await people.upsertPerson(
        { type: p.type, id: p.id, name: p.id, email: null, locale: 'en', tenantId: SCHOOL },
        clock.now(),
      );
      tokens.set(p.id, await issueToken(key, { sub: p.id, role: p.type, storeId: SCHOOL }));
    }
    core = createMessagingCore({ store, directory: people, settings, policy: communityPolicy, clock });
    harness = await buildHarness(core, new InMemoryMarketplaceDirectory(), {
      kind,
      check: async () => {},
    });
    call = client(harness);
  });
  afterEach(async () => {
    await harness?.close();
  });

  const messages = async (who: string, id: string): Promise<MessageBody[]> => {
    const answer = await call('GET', `${BASE}/${id}/messages`, as(who));
    expect(answer.status).toBe(200);
    return answer.body.messages;
  };

  it('lists who received a message once their client acknowledged it, and who read it, with since when', async () => {
    const created = await call('POST', BASE, {
      ...as('ana'),
      body: {
        conversation_type: 'direct',
        subject: 'Homework',
        participants: [{ type: 'mentor', id: 'mia' }],
        initial_message: 'Hello Mia',
      },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const hello = (created.body.messages as MessageBody[]).find((m) => m.content === 'Hello Mia');
    expect(hello).toMatchObject({ read_by: [], delivered_to: [], read_count: 0, delivered_count: 0 });

    const sent = await call('POST', `${BASE}/${id}/messages`, {
      ...as('ana'),
      body: { content: 'Are you there?' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ read_by: [], delivered_to: [], read_count: 0, delivered_count: 0 });
    const second: number = sent.body.seq;

    // Mia's client acknowledges the first message only; an outsider's and a bad ack change nothing.
    const ackedAt = clock.now();
    const moved = await core.markDelivered([
      { actor: actor('mentor', 'mia'), conversationId: id, seq: second - 1 },
      { actor: actor('student', 's01'), conversationId: id, seq: second },
      { actor: actor('mentor', 'mia'), conversationId: 'not-a-conversation', seq: 1 },
      { actor: actor('mentor', 'mia'), conversationId: id, seq: 0 },
    ]);
    expect(moved.map((m) => [m.participant.id, m.lastDeliveredSeq])).toEqual([['mia', second - 1]]);

    let listed = await messages('ana', id);
    let first = listed.find((m) => m.seq === second - 1);
    let last = listed.find((m) => m.seq === second);
    expect(first).toMatchObject({ read_by: [], read_count: 0, delivered_count: 1 });
    expect(first?.delivered_to).toHaveLength(1);
    expect(first?.delivered_to?.[0]).toMatchObject({ type: 'mentor', id: 'mia' });
    const deliveredAt = Date.parse(first?.delivered_to?.[0]?.at ?? '');
    expect(deliveredAt).toBeGreaterThan(ackedAt.getTime());
    expect(deliveredAt).toBeLessThan(ackedAt.getTime() + 5000);
    expect(last).toMatchObject({ read_by: [], delivered_to: [], read_count: 0, delivered_count: 0 });

    // Mia reads everything: she is in read_by (and delivered_to, readers count as delivered).
    const read = await call('GET', `${BASE}/${id}?mark_read=true`, as('mia'));
    expect(read.status).toBe(200);
    expect(read.body.unread_count).toBe(0);
    listed = await messages('ana', id);
    first = listed.find((m) => m.seq === second - 1);
    last = listed.find((m) => m.seq === second);
    expect(first).toMatchObject({ read_count: 1, delivered_count: 1 });
    expect(first?.read_by?.map((r) => r.id)).toEqual(['mia']);
    // Delivered when the client acknowledged it, read later.
    expect(Date.parse(first?.delivered_to?.[0]?.at ?? '')).toBe(deliveredAt);
    expect(Date.parse(first?.read_by?.[0]?.at ?? '')).toBeGreaterThan(deliveredAt);
    expect(last).toMatchObject({ read_count: 1, delivered_count: 1 });
    expect(last?.delivered_to?.[0]?.at).toBe(last?.read_by?.[0]?.at);

    // Everyone sees the same receipts; the sender is never in their own message's.
    const miaSees = (await messages('mia', id)).find((m) => m.seq === second);
    expect(miaSees?.read_by).toEqual(last?.read_by);
    expect(miaSees?.delivered_to?.map((r) => r.id)).toEqual(['mia']);

    // The detail and a delete result carry the same receipts.
    const detail = await call('GET', `${BASE}/${id}`, as('ana'));
    expect((detail.body.messages as MessageBody[]).find((m) => m.seq === second)).toMatchObject({
      read_by: last?.read_by,
      delivered_to: last?.delivered_to,
    });
    const deleted = await call('DELETE', `${BASE}/${id}/messages/${last?.id}`, as('ana'));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ is_deleted: true, read_count: 1, read_by: last?.read_by });
  });

  it('gives counts only in a conversation of more than 20 members', async () => {
    const created = await call('POST', BASE, {
      ...as('mia'),
      body: {
        conversation_type: 'group',
        subject: 'Big group',
        participants: STUDENTS.map((id) => ({ type: 'student', id })),
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.participants).toHaveLength(21);
    const id: string = created.body.id;
    const sent = await call('POST', `${BASE}/${id}/messages`, {
      ...as('mia'),
      body: { content: 'Welcome all' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ read_by: null, delivered_to: null, read_count: 0, delivered_count: 0 });
    const seq: number = sent.body.seq;

    await core.markDelivered(
      ['s01', 's02', 's03'].map((student) => ({ actor: actor('student', student), conversationId: id, seq })),
    );
    expect((await call('GET', `${BASE}/${id}?mark_read=true`, as('s04'))).status).toBe(200);
    const welcome = (await messages('s05', id)).find((m) => m.seq === seq);
    expect(welcome).toMatchObject({ read_by: null, delivered_to: null, read_count: 1, delivered_count: 4 });

    // One member leaves: 20 active members, and the lists come back.
    expect((await call('DELETE', `${BASE}/${id}/participants/student/s20`, as('s20'))).status).toBeLessThan(
      300,
    );
    const listed = (await messages('s05', id)).find((m) => m.seq === seq);
    expect(listed?.read_by?.map((r) => r.id)).toEqual(['s04']);
    expect(listed?.delivered_to?.map((r) => r.id).sort()).toEqual(['s01', 's02', 's03', 's04']);
    expect(listed?.delivered_count).toBe(4);
  });
});
