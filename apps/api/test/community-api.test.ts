import { KyselyMessagingStore, KyselyPeopleDirectory, KyselySettingsStore } from '@parley/adapters-kysely';
import {
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import {
  createMessagingCore,
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

// The community preset through the generic API (`/api/v1/conversations`): direct, group and
// support conversations of students, mentors and admins, the tenant (a school) from the token.
// In memory, and on the Kysely store on PostgreSQL (DATABASE_URL) and on PGlite. The people are
// written straight into an in-memory people directory (the platform's people routes are the
// preset framework's).

const BASE = '/api/v1/conversations';
const NORTH = 'north-high';
const SOUTH = 'south-high';
const PEOPLE = [
  { type: 'student', id: 'ana', name: 'Ana', tenantId: NORTH },
  { type: 'student', id: 'ben', name: 'Ben', tenantId: NORTH },
  { type: 'student', id: 'cy', name: 'Cy', tenantId: NORTH },
  { type: 'mentor', id: 'mia', name: 'Mia', tenantId: NORTH },
  { type: 'admin', id: 'ada', name: 'Ada', tenantId: NORTH },
  { type: 'admin', id: 'alo', name: 'Alo', tenantId: NORTH },
  { type: 'student', id: 'sol', name: 'Sol', tenantId: SOUTH },
  { type: 'admin', id: 'sam', name: 'Sam', tenantId: SOUTH },
] as const;
type Who = (typeof PEOPLE)[number]['id'];

interface Backend {
  readonly name: string;
  open(): Promise<{
    store: MessagingStore;
    people: PeopleDirectory;
    settings: SettingsStore;
    kind: string;
    check: () => Promise<void>;
  }>;
  close(): Promise<void>;
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
      return {
        store: new KyselyMessagingStore({ db }),
        people: new KyselyPeopleDirectory({ db }),
        settings: new KyselySettingsStore({ db }),
        kind: database.kind,
        check: async () => {
          await sql`select 1`.execute(db);
        },
      };
    },
    async close() {},
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
        check: async () => {},
      };
    },
    async close() {},
  },
  ...(selected.kind === 'pglite' ? [kyselyOn('pglite')] : [kyselyOn('auto'), kyselyOn('pglite')]),
];

afterAll(async () => {
  for (const database of databases) await database.destroy();
});

describe.each(backends)('community preset over /api/v1/conversations ($name)', (backend) => {
  let harness: ApiHarness;
  let call: Call;
  const tokens = new Map<Who, string>();
  const as = (who: Who) => ({ token: tokens.get(who) ?? '' });

  beforeEach(async () => {
    const { store, people, settings, kind, check } = await backend.open();
    const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
    await people.upsertTenant({ id: NORTH, name: 'North High' }, clock.now());
    await people.upsertTenant({ id: SOUTH, name: 'South High' }, clock.now());
    const key = secretKey(TEST_SECRET);
    for (const p of PEOPLE) {
      await people.upsertPerson(
        { type: p.type, id: p.id, name: p.name, email: null, locale: 'en', tenantId: p.tenantId },
        clock.now(),
      );
      tokens.set(p.id, await issueToken(key, { sub: p.id, role: p.type, storeId: p.tenantId }));
    }
    const core = createMessagingCore({ store, directory: people, settings, policy: communityPolicy, clock });
    // The marketplace directory only backs the marketplace's platform routes; unused here.
    harness = await buildHarness(core, new InMemoryMarketplaceDirectory(), { kind, check });
    call = client(harness);
  });
  afterEach(async () => {
    await harness?.close();
    await backend.close();
  });

  const create = (who: Who, body: Record<string, unknown>) => call('POST', BASE, { ...as(who), body });

  describe('direct', () => {
    it('students message mentors, students and admins of their school; another school answers 404', async () => {
      for (const [to, type] of [
        ['mia', 'mentor'],
        ['ben', 'student'],
        ['ada', 'admin'],
      ] as const) {
        const created = await create('ana', {
          conversation_type: 'direct',
          subject: `Hi ${to}`,
          participants: [{ type, id: to }],
          initial_message: 'Hello',
        });
        expect(created.status).toBe(201);
        expect(
          created.body.participants.map((p: { id: string; role: string }) => [p.id, p.role]).sort(),
        ).toEqual(
          [
            ['ana', 'member'],
            [to, 'member'],
          ].sort(),
        );
      }
      const abroad = await create('ana', {
        conversation_type: 'direct',
        subject: 'Hi Sol',
        participants: [{ type: 'student', id: 'sol' }],
      });
      expect(abroad.status).toBe(404);
      expect(abroad.body.detail).toBe('student sol not found');
      const three = await create('ana', {
        conversation_type: 'direct',
        subject: 'Three',
        participants: [
          { type: 'student', id: 'ben' },
          { type: 'mentor', id: 'mia' },
        ],
      });
      expect(three.status).toBe(400);
    });

    it('cannot be renamed, left or closed by a student; an admin who takes part may close it', async () => {
      const { body } = await create('ana', {
        conversation_type: 'direct',
        subject: 'Question',
        participants: [{ type: 'admin', id: 'ada' }],
      });
      expect(
        (await call('PATCH', `${BASE}/${body.id}`, { ...as('ana'), body: { subject: 'New' } })).status,
      ).toBe(403);
      expect((await call('DELETE', `${BASE}/${body.id}/participants/student/ana`, as('ana'))).status).toBe(
        403,
      );
      expect((await call('POST', `${BASE}/${body.id}/close`, as('ana'))).status).toBe(403);
      const closed = await call('POST', `${BASE}/${body.id}/close`, as('ada'));
      expect(closed.status).toBe(200);
      expect(closed.body.is_closed).toBe(true);
    });
  });

  describe('group', () => {
    async function group() {
      const created = await create('mia', {
        conversation_type: 'group',
        subject: 'Algebra',
        participants: [
          { type: 'student', id: 'ana' },
          { type: 'student', id: 'ben' },
        ],
        initial_message: 'Welcome',
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    }

    it('mentors and admins create groups of 3 or more; students may not', async () => {
      const id = await group();
      const detail = await call('GET', `${BASE}/${id}`, as('ana'));
      expect(
        Object.fromEntries(detail.body.participants.map((p: { id: string; role: string }) => [p.id, p.role])),
      ).toEqual({ mia: 'admin', ana: 'member', ben: 'member' });
      const byStudent = await create('ana', {
        conversation_type: 'group',
        subject: 'Ours',
        participants: [
          { type: 'student', id: 'ben' },
          { type: 'student', id: 'cy' },
        ],
      });
      expect(byStudent.status).toBe(403);
      const tooSmall = await create('ada', {
        conversation_type: 'group',
        subject: 'Pair',
        participants: [{ type: 'student', id: 'ben' }],
      });
      expect(tooSmall.status).toBe(400);
      expect(tooSmall.body.field ?? tooSmall.body.errors?.[0]?.field ?? tooSmall.text).toContain(
        'participants',
      );
    });

    it('the group admin adds (later joiners see history from their join), changes roles, renames; members leave', async () => {
      const id = await group();
      expect(
        (
          await call('POST', `${BASE}/${id}/participants`, {
            ...as('ana'),
            body: { participants: [{ type: 'student', id: 'cy' }] },
          })
        ).status,
      ).toBe(403);
      const added = await call('POST', `${BASE}/${id}/participants`, {
        ...as('mia'),
        body: { participants: [{ type: 'student', id: 'cy' }] },
      });
      expect(added.status).toBe(201);
      await call('POST', `${BASE}/${id}/messages`, { ...as('ben'), body: { content: 'After Cy joined' } });
      const cySees = await call('GET', `${BASE}/${id}`, as('cy'));
      expect(
        cySees.body.messages
          .filter((m: { is_system_message: boolean }) => !m.is_system_message)
          .map((m: { content: string }) => m.content),
      ).toEqual(['After Cy joined']);

      const renamedByMember = await call('PATCH', `${BASE}/${id}`, {
        ...as('ana'),
        body: { subject: 'Mine' },
      });
      expect(renamedByMember.status).toBe(403);
      const blank = await call('PATCH', `${BASE}/${id}`, { ...as('mia'), body: { subject: '   ' } });
      expect(blank.status).toBe(400);
      expect(blank.body.detail).toContain('subject');
      const missing = await call('PATCH', `${BASE}/${id}`, { ...as('mia'), body: {} });
      expect(missing.status).toBe(400);
      const renamed = await call('PATCH', `${BASE}/${id}`, {
        ...as('mia'),
        body: { subject: ' Algebra II ' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.subject).toBe('Algebra II');
      const seen = await call('GET', `${BASE}/${id}`, as('ana'));
      expect(seen.body.subject).toBe('Algebra II');
      expect(seen.body.messages.at(-1)).toMatchObject({
        is_system_message: true,
        content: 'Mia renamed the conversation to “Algebra II”',
      });
      // Another school's admin: the group does not exist.
      expect((await call('PATCH', `${BASE}/${id}`, { ...as('sam'), body: { subject: 'x' } })).status).toBe(
        404,
      );
      // A member of this school who is not in it: same 404.
      expect((await call('GET', `${BASE}/${id}`, as('ada'))).status).toBe(404);

      const promoted = await call('PATCH', `${BASE}/${id}/participants/student/ana`, {
        ...as('mia'),
        body: { role: 'admin' },
      });
      expect(promoted.status).toBe(200);
      expect(
        (await call('PATCH', `${BASE}/${id}`, { ...as('ana'), body: { subject: 'By Ana' } })).status,
      ).toBe(200);

      const left = await call('DELETE', `${BASE}/${id}/participants/student/ben`, as('ben'));
      expect(left.status).toBeLessThan(300);
      expect((await call('GET', `${BASE}/${id}`, as('ben'))).status).toBe(404);
      const after = await call('GET', `${BASE}/${id}`, as('mia'));
      expect(after.body.participants.map((p: { id: string }) => p.id).sort()).toEqual(['ana', 'cy', 'mia']);
      expect(
        after.body.messages
          .filter((m: { is_system_message: boolean }) => m.is_system_message)
          .map((m: { content: string }) => m.content),
      ).toContain('Ben left');
    });
  });

  describe('support', () => {
    async function ticket(who: Who = 'ben', subject = 'Cannot log in') {
      const created = await create(who, {
        conversation_type: 'support',
        subject,
        participants: [],
        initial_message: 'My reset link expired',
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    }

    it("shows in every admin's inbox of the school, unread until the team answers, with keyset paging", async () => {
      const first = await ticket('ben', 'T1');
      const second = await ticket('mia', 'T2');
      for (const admin of ['ada', 'alo'] as const) {
        const inbox = await call('GET', `${BASE}?limit=1`, as(admin));
        expect(inbox.status).toBe(200);
        expect(inbox.body.total).toBe(2);
        expect(inbox.body.total_unread).toBe(2);
        expect(inbox.body.conversations.map((c: { id: string }) => c.id)).toEqual([second]);
        const next = await call(
          'GET',
          `${BASE}?limit=1&cursor=${encodeURIComponent(inbox.body.next_cursor)}`,
          as(admin),
        );
        expect(
          next.body.conversations.map((c: { id: string; unread_count: number }) => [c.id, c.unread_count]),
        ).toEqual([[first, 1]]);
        expect(next.body.next_cursor).toBeNull();
        expect((await call('GET', `${BASE}/unread-count`, as(admin))).body).toEqual({ total_unread: 2 });
      }
      // Another school's admin sees none of it, and each ticket answers 404.
      expect((await call('GET', BASE, as('sam'))).body.conversations).toEqual([]);
      for (const path of [`${BASE}/${first}`, `${BASE}/${first}/messages`])
        expect((await call('GET', path, as('sam'))).status).toBe(404);
      expect(
        (await call('POST', `${BASE}/${first}/messages`, { ...as('sam'), body: { content: 'x' } })).status,
      ).toBe(404);
      expect((await call('POST', `${BASE}/${first}/close`, as('sam'))).status).toBe(404);
      // Students see only their own tickets.
      expect((await call('GET', `${BASE}/${second}`, as('ana'))).status).toBe(404);
      expect(
        (await call('GET', BASE, as('ben'))).body.conversations.map((c: { id: string }) => c.id),
      ).toEqual([first]);
    });

    it('an admin answers without being added, no system message; the rest of the team sees it answered', async () => {
      const id = await ticket();
      const before = await call('GET', `${BASE}/${id}`, as('ada'));
      expect(before.status).toBe(200);
      expect(before.body.unread_count).toBe(1);
      expect(before.body.participants.map((p: { id: string }) => p.id)).toEqual(['ben']);
      const answer = await call('POST', `${BASE}/${id}/messages`, {
        ...as('ada'),
        body: { content: 'Here is a new link' },
      });
      expect(answer.status).toBe(201);
      const thread = await call('GET', `${BASE}/${id}`, as('ben'));
      expect(
        thread.body.messages.map((m: { is_system_message: boolean; content: string }) => m.content),
      ).toEqual(['My reset link expired', 'Here is a new link']);
      expect(thread.body.unread_count).toBe(1);
      expect(
        Object.fromEntries(thread.body.participants.map((p: { id: string; role: string }) => [p.id, p.role])),
      ).toEqual({ ben: 'requester', ada: 'agent' });
      const alos = await call('GET', BASE, as('alo'));
      expect(alos.body.conversations.map((c: { unread_count: number }) => c.unread_count)).toEqual([0]);
      expect(alos.body.total_unread).toBe(0);
      // Alo reads it: joins as an agent, nothing unread.
      const read = await call('POST', `${BASE}/${id}/read`, as('alo'));
      expect(read.status).toBe(200);
      expect(read.body.unread_count).toBe(0);
      const members = await call('GET', `${BASE}/${id}`, as('ben'));
      expect(members.body.participants.map((p: { id: string }) => p.id).sort()).toEqual([
        'ada',
        'alo',
        'ben',
      ]);
      expect(
        members.body.messages.filter((m: { is_system_message: boolean }) => m.is_system_message),
      ).toEqual([]);
    });

    it('is closed and reopened like a ticket, by the admins and the requester; admins may not open one', async () => {
      const id = await ticket();
      const closed = await call('POST', `${BASE}/${id}/close`, as('alo'));
      expect(closed.status).toBe(200);
      expect(closed.body.is_closed).toBe(true);
      expect((await call('POST', `${BASE}/${id}/close`, as('ada'))).status).toBe(409);
      const late = await call('POST', `${BASE}/${id}/messages`, { ...as('ada'), body: { content: 'late' } });
      expect(late.status).toBe(409);
      const closedList = await call('GET', `${BASE}?is_closed=true`, as('ada'));
      expect(closedList.body.conversations.map((c: { id: string }) => c.id)).toEqual([id]);
      expect((await call('POST', `${BASE}/${id}/reopen`, as('ben'))).status).toBe(200);
      expect((await call('POST', `${BASE}/${id}/close`, as('ben'))).status).toBe(200);
      expect((await call('POST', `${BASE}/${id}/reopen`, as('ada'))).status).toBe(200);
      const renamed = await call('PATCH', `${BASE}/${id}`, {
        ...as('ada'),
        body: { subject: 'Password reset' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.subject).toBe('Password reset');
      const byAdmin = await create('ada', { conversation_type: 'support', subject: 'x', participants: [] });
      expect(byAdmin.status).toBe(403);
      expect(byAdmin.body.detail).toBe('admins answer support requests as a team; they do not open them');
    });
  });
});
