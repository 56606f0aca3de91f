import { KyselyMessagingStore, KyselyPeopleDirectory, KyselySettingsStore } from '@parley/adapters-kysely';
import {
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import {
  ADMINS_CANNOT_BE_BLOCKED,
  BLOCKED_BY_RECIPIENT,
  careTeamPolicy,
  careTeamPreset,
  createMessagingCore,
  type MessagingStore,
  type PeopleDirectory,
  type SettingsStore,
  USERS_ONLY_REPLY_TO_CLINICIANS,
} from '@parley/messaging-core';
import {
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemoryPeopleDirectory,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { buildHarness } from './support/build-harness.js';
import { type ApiResponse, type Call, client } from './support/client.js';
import { TEST_SECRET } from './support/harness.js';

// The care-team compatibility API (issue 11) through HTTP: every endpoint's statuses, field names,
// pagination, per-side delete, blocking and the `error` member, on in-memory storage and on the
// Kysely store (PGlite, and PostgreSQL when DATABASE_URL is set).

const API = '/api/messages';
const PEOPLE = ['ada', 'theo', 'dr.kim', 'uma', 'ulysses'] as const;
type Person = (typeof PEOPLE)[number];
/** Eleven more users, for inbox pages (the limit is at least 10). */
const PATIENTS = Array.from({ length: 11 }, (_, i) => `patient-${String(i + 1).padStart(2, '0')}`);

const selected = await resolveTestDatabaseTarget();
const databases: Partial<Record<'pglite' | 'auto', TestDatabase>> = {};
beforeAll(async () => {
  databases.pglite = await openTestDatabase({ target: 'pglite' });
  if (selected.kind === 'postgres') databases.auto = await openTestDatabase({ target: 'auto' });
});
afterAll(async () => {
  await databases.pglite?.destroy();
  await databases.auto?.destroy();
});

type Storage = () => Promise<{
  store: MessagingStore;
  people: PeopleDirectory;
  settings: SettingsStore;
  kind: string;
}>;
const kysely =
  (target: 'pglite' | 'auto'): Storage =>
  async () => {
    const database = databases[target];
    if (!database) throw new Error(`no ${target} database`);
    await database.truncate();
    return {
      store: new KyselyMessagingStore({ db: database.db }),
      people: new KyselyPeopleDirectory({ db: database.db }),
      settings: new KyselySettingsStore({ db: database.db }),
      kind: database.kind,
    };
  };
const STORAGES: readonly (readonly [string, Storage])[] = [
  [
    'in-memory',
    async () => ({
      store: new InMemoryMessagingStore(),
      people: new InMemoryPeopleDirectory(),
      settings: new InMemorySettingsStore(),
      kind: 'memory',
    }),
  ],
  ['Kysely on PGlite', kysely('pglite')],
  ...(selected.kind === 'postgres' ? [['Kysely on PostgreSQL', kysely('auto')] as const] : []),
];

function expectProblem(response: ApiResponse, status: number, detail?: string | RegExp): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body.status).toBe(status);
  expect(response.body.error).toBe(response.body.detail);
  if (typeof detail === 'string') expect(response.body.detail).toBe(detail);
  else if (detail) expect(response.body.detail).toMatch(detail);
}

describe.each(STORAGES)('care-team API on %s', (_name, storage) => {
  let call: Call;
  let tokens: Record<Person | 'nobody' | 'service', string>;
  let close: () => Promise<void>;

  beforeEach(async () => {
    const { store, people, settings, kind } = await storage();
    for (const p of careTeamPreset.demo.people) await people.upsertPerson(p, new Date());
    for (const id of PATIENTS)
      await people.upsertPerson(
        { type: 'user', id, name: id, email: null, locale: 'en', tenantId: null },
        new Date(),
      );
    const core = createMessagingCore({ store, directory: people, settings, policy: careTeamPolicy });
    const harness = await buildHarness(core, new InMemoryMarketplaceDirectory(), {
      kind,
      check: async () => {},
    });
    call = client(harness);
    close = () => harness.close();
    const key = secretKey(TEST_SECRET);
    const role = (id: string) => careTeamPreset.demo.people.find((p) => p.id === id)?.type ?? 'user';
    tokens = Object.fromEntries(
      await Promise.all(
        [...PEOPLE, 'nobody'].map(async (id) => [id, await issueToken(key, { sub: id, role: role(id) })]),
      ),
    ) as typeof tokens;
    tokens.service = await issueToken(key, { sub: 'platform', role: 'service' });
    return () => close();
  });

  const send = (from: Person, body: Record<string, unknown>) =>
    call('POST', `${API}/send`, { token: tokens[from], body });

  it('POST /send: 201 with message_id, sent_at, status; validation, self, unknown, role rule and 401', async () => {
    const sent = await send('dr.kim', { recipient: 'uma', subject: 'Results', content: 'All fine' });
    expect(sent.status, sent.text).toBe(201);
    expect(Object.keys(sent.body).sort()).toEqual(['message_id', 'sent_at', 'status']);
    expect(sent.body.status).toBe('sent');
    expect(typeof sent.body.message_id).toBe('string');
    expect(new Date(sent.body.sent_at).toISOString()).toBe(sent.body.sent_at);

    expectProblem(await send('uma', { recipient: 'dr.kim' }), 400);
    expectProblem(await send('uma', { recipient: 'dr.kim', content: '' }), 400);
    expectProblem(await send('uma', { recipient: 'dr.kim', content: 'x'.repeat(5001) }), 400);
    expect((await send('uma', { recipient: 'dr.kim', content: 'x'.repeat(5000) })).status).toBe(201);
    expectProblem(await send('uma', { recipient: 'dr.kim', content: 'x', subject: 's'.repeat(101) }), 400);
    expectProblem(await send('uma', { recipient: '', content: 'x' }), 400);
    expectProblem(await send('uma', { recipient: 'uma', content: 'x' }), 400);
    const unknown = await send('uma', { recipient: 'nobody-here', content: 'x' });
    expectProblem(unknown, 404);
    expect(unknown.body.field).toBe('recipient');
    expectProblem(await call('POST', `${API}/send`, { body: { recipient: 'uma', content: 'x' } }), 401);
    expectProblem(
      await call('POST', `${API}/send`, { token: tokens.service, body: { recipient: 'uma', content: 'x' } }),
      403,
    );
  });

  it('a user may only reply to a clinician, never start (403, exact message)', async () => {
    expectProblem(
      await send('uma', { recipient: 'dr.kim', content: 'Hello' }),
      403,
      USERS_ONLY_REPLY_TO_CLINICIANS,
    );
    expect((await send('dr.kim', { recipient: 'uma', content: 'Hi Uma' })).status).toBe(201);
    expect((await send('uma', { recipient: 'dr.kim', content: 'Hi doctor' })).status).toBe(201);
    for (const to of ['theo', 'ulysses', 'ada'])
      expect((await send('uma', { recipient: to, content: 'Hi' })).status).toBe(201);
  });

  it('GET /conversation/{username}: oldest first, field names, subjects, latest limit, participant_count', async () => {
    await send('dr.kim', { recipient: 'uma', subject: 'Results', content: 'one' });
    await send('uma', { recipient: 'dr.kim', content: 'two' });
    await send('dr.kim', { recipient: 'uma', content: 'three' });
    const response = await call('GET', `${API}/conversation/dr.kim`, { token: tokens.uma });
    expect(response.status, response.text).toBe(200);
    expect(response.body.participant_count).toBe(2);
    expect(Object.keys(response.body.messages[0]).sort()).toEqual([
      'content',
      'id',
      'is_read',
      'read_at',
      'recipient',
      'sender',
      'sent_at',
      'subject',
    ]);
    expect(
      response.body.messages.map(
        (m: { sender: string; recipient: string; content: string; subject: string | null }) => [
          m.sender,
          m.recipient,
          m.content,
          m.subject,
        ],
      ),
    ).toEqual([
      ['dr.kim', 'uma', 'one', 'Results'],
      ['uma', 'dr.kim', 'two', null],
      ['dr.kim', 'uma', 'three', null],
    ]);
    const latest = await call('GET', `${API}/conversation/dr.kim?limit=2`, { token: tokens.uma });
    expect(latest.body.messages.map((m: { content: string }) => m.content)).toEqual(['two', 'three']);
    const none = await call('GET', `${API}/conversation/theo`, { token: tokens.uma });
    expect(none.body).toEqual({ messages: [], participant_count: 2 });
    expectProblem(await call('GET', `${API}/conversation/nobody-here`, { token: tokens.uma }), 404);
    expectProblem(await call('GET', `${API}/conversation/dr.kim?limit=0`, { token: tokens.uma }), 400);
    expectProblem(await call('GET', `${API}/conversation/dr.kim?sort=asc`, { token: tokens.uma }), 400);
  });

  it('PATCH /{message_id}/read: 200 with read_at for the recipient; 403 for the sender or an admin; 404 otherwise', async () => {
    const first = (await send('dr.kim', { recipient: 'uma', content: 'one' })).body.message_id as string;
    const second = (await send('dr.kim', { recipient: 'uma', content: 'two' })).body.message_id as string;
    const read = await call('PATCH', `${API}/${first}/read`, { token: tokens.uma });
    expect(read.status, read.text).toBe(200);
    expect(Object.keys(read.body).sort()).toEqual(['is_read', 'message_id', 'read_at']);
    expect(read.body).toMatchObject({ message_id: first, is_read: true });
    const again = await call('PATCH', `${API}/${first}/read`, { token: tokens.uma });
    expect(again.body.read_at).toBe(read.body.read_at);

    const seen = await call('GET', `${API}/conversation/uma`, { token: tokens['dr.kim'] });
    expect(
      seen.body.messages.map((m: { is_read: boolean; read_at: string | null }) => [m.is_read, m.read_at]),
    ).toEqual([
      [true, read.body.read_at],
      [false, null],
    ]);
    expectProblem(await call('PATCH', `${API}/${second}/read`, { token: tokens['dr.kim'] }), 403);
    expectProblem(await call('PATCH', `${API}/${second}/read`, { token: tokens.ada }), 403);
    expectProblem(await call('PATCH', `${API}/${second}/read`, { token: tokens.theo }), 404);
    expectProblem(
      await call('PATCH', `${API}/01900000-0000-7000-8000-00000000dead/read`, { token: tokens.uma }),
      404,
    );
    expectProblem(await call('PATCH', `${API}/not-a-uuid/read`, { token: tokens.uma }), 404);
  });

  it('DELETE /{message_id}: 204, per side; gone for good once both deleted; 403 for others who see it; 404 when gone', async () => {
    const kept = (await send('dr.kim', { recipient: 'uma', content: 'kept' })).body.message_id as string;
    const doomed = (await send('dr.kim', { recipient: 'uma', content: 'doomed' })).body.message_id as string;
    expectProblem(await call('DELETE', `${API}/${doomed}`, { token: tokens.ada }), 403);
    expectProblem(await call('DELETE', `${API}/${doomed}`, { token: tokens.theo }), 404);
    const deleted = await call('DELETE', `${API}/${doomed}`, { token: tokens.uma });
    expect(deleted.status, deleted.text).toBe(204);
    expect(deleted.text).toBe('');
    const contents = async (who: Person, withUser: string) =>
      (await call('GET', `${API}/conversation/${withUser}`, { token: tokens[who] })).body.messages.map(
        (m: { content: string }) => m.content,
      );
    expect(await contents('uma', 'dr.kim')).toEqual(['kept']);
    expect(await contents('dr.kim', 'uma')).toEqual(['kept', 'doomed']);
    const inbox = await call('GET', `${API}/inbox`, { token: tokens.uma });
    expect(inbox.body.conversations[0]).toMatchObject({
      with_user: 'dr.kim',
      last_message: 'kept',
      unread_count: 1,
    });
    expectProblem(await call('DELETE', `${API}/${doomed}`, { token: tokens.uma }), 404);
    expect((await call('DELETE', `${API}/${doomed}`, { token: tokens['dr.kim'] })).status).toBe(204);
    expect(await contents('dr.kim', 'uma')).toEqual(['kept']);
    expectProblem(await call('DELETE', `${API}/${doomed}`, { token: tokens['dr.kim'] }), 404);
    expect(kept).toBeTruthy();
  });

  it('GET /inbox: one row per counterpart, newest first, field names, pagination, unread_only, validation', async () => {
    await send('theo', { recipient: 'uma', content: 'from theo' });
    await send('dr.kim', { recipient: 'uma', content: 'from kim' });
    await send('dr.kim', { recipient: 'uma', content: 'again kim' });
    await send('uma', { recipient: 'ada', content: 'to ada' });
    await send('ulysses', { recipient: 'uma', content: 'hey' });
    const all = await call('GET', `${API}/inbox`, { token: tokens.uma });
    expect(all.status, all.text).toBe(200);
    expect(Object.keys(all.body).sort()).toEqual([
      'conversations',
      'page',
      'page_size',
      'total_conversations',
      'total_unread',
    ]);
    expect(Object.keys(all.body.conversations[0]).sort()).toEqual([
      'is_latest_from_them',
      'last_message',
      'last_message_time',
      'unread_count',
      'with_user',
    ]);
    expect(all.body).toMatchObject({ page: 1, page_size: 20, total_conversations: 4, total_unread: 4 });
    expect(
      all.body.conversations.map(
        (c: { with_user: string; unread_count: number; is_latest_from_them: boolean }) => [
          c.with_user,
          c.unread_count,
          c.is_latest_from_them,
        ],
      ),
    ).toEqual([
      ['ulysses', 1, true],
      ['ada', 0, false],
      ['dr.kim', 2, true],
      ['theo', 1, true],
    ]);
    // Ten per page at least: four conversations fit one page; page two is empty.
    const page2 = await call('GET', `${API}/inbox?page=2&limit=10`, { token: tokens.uma });
    expect(page2.body).toMatchObject({ conversations: [], page: 2, page_size: 10, total_conversations: 4 });
    const unread = await call('GET', `${API}/inbox?unread_only=true`, { token: tokens.uma });
    expect(unread.body.conversations.map((c: { with_user: string }) => c.with_user)).toEqual([
      'ulysses',
      'dr.kim',
      'theo',
    ]);
    expect(unread.body.total_conversations).toBe(3);
    for (const bad of ['page=0', 'limit=9', 'limit=51', 'unread_only=maybe', 'sort=desc'])
      expectProblem(await call('GET', `${API}/inbox?${bad}`, { token: tokens.uma }), 400);
    expectProblem(await call('GET', `${API}/inbox`), 401);
  });

  it('pagination: numbered pages of at least ten counterparts, newest first', async () => {
    for (const patient of PATIENTS)
      expect((await send('theo', { recipient: patient, content: patient })).status).toBe(201);
    const first = await call('GET', `${API}/inbox?page=1&limit=10`, { token: tokens.theo });
    expect(first.body).toMatchObject({ page: 1, page_size: 10, total_conversations: 11, total_unread: 0 });
    expect(first.body.conversations.map((c: { with_user: string }) => c.with_user)).toEqual(
      [...PATIENTS].reverse().slice(0, 10),
    );
    const second = await call('GET', `${API}/inbox?page=2&limit=10`, { token: tokens.theo });
    expect(second.body.conversations.map((c: { with_user: string }) => c.with_user)).toEqual([PATIENTS[0]]);
    expect(second.body).toMatchObject({ page: 2, page_size: 10, total_conversations: 11 });
  });

  it('blocks: POST, GET, DELETE; sending to a blocker is 403 on both APIs; admins cannot be blocked; yourself is 400', async () => {
    const opened = await send('uma', { recipient: 'ulysses', content: 'Hi' });
    expect(opened.status).toBe(201);
    const blocked = await call('POST', `${API}/blocks`, { token: tokens.ulysses, body: { username: 'uma' } });
    expect(blocked.status, blocked.text).toBe(201);
    expect(blocked.body).toMatchObject({ username: 'uma', name: 'Uma User' });
    expect(
      (await call('POST', `${API}/blocks`, { token: tokens.ulysses, body: { username: 'uma' } })).status,
    ).toBe(200);
    expectProblem(await send('uma', { recipient: 'ulysses', content: 'Again' }), 403, BLOCKED_BY_RECIPIENT);
    // The generic API refuses the same send.
    const conversations = await call('GET', '/api/v1/conversations', { token: tokens.uma });
    const id = conversations.body.conversations.find((c: { other_participants: { id: string }[] }) =>
      c.other_participants.some((p) => p.id === 'ulysses'),
    )?.id;
    expect(id).toBeTruthy();
    const generic = await call('POST', `/api/v1/conversations/${id}/messages`, {
      token: tokens.uma,
      body: { content: 'Generic' },
    });
    expect(generic.status, generic.text).toBe(403);
    expect(generic.body.detail).toBe(BLOCKED_BY_RECIPIENT);
    expect(generic.body.error).toBeUndefined();
    expect((await send('ulysses', { recipient: 'uma', content: 'I still can' })).status).toBe(201);

    const list = await call('GET', `${API}/blocks`, { token: tokens.ulysses });
    expect(list.body.blocks.map((b: { username: string }) => b.username)).toEqual(['uma']);
    expect(Object.keys(list.body.blocks[0]).sort()).toEqual(['blocked_at', 'name', 'username']);
    expectProblem(
      await call('POST', `${API}/blocks`, { token: tokens.uma, body: { username: 'ada' } }),
      403,
      ADMINS_CANNOT_BE_BLOCKED,
    );
    expectProblem(await call('POST', `${API}/blocks`, { token: tokens.uma, body: { username: 'uma' } }), 400);
    expectProblem(
      await call('POST', `${API}/blocks`, { token: tokens.uma, body: { username: 'nobody-here' } }),
      404,
    );
    expectProblem(await call('POST', `${API}/blocks`, { token: tokens.uma, body: {} }), 400);

    expect((await call('DELETE', `${API}/blocks/uma`, { token: tokens.ulysses })).status).toBe(204);
    expectProblem(await call('DELETE', `${API}/blocks/uma`, { token: tokens.ulysses }), 404);
    expect((await call('GET', `${API}/blocks`, { token: tokens.ulysses })).body).toEqual({ blocks: [] });
    expect((await send('uma', { recipient: 'ulysses', content: 'Back' })).status).toBe(201);
  });

  it('admins monitor conversations through the generic API; each read by a non-member is an event', async () => {
    await send('dr.kim', { recipient: 'uma', content: 'private' });
    const umaList = await call('GET', '/api/v1/conversations', { token: tokens.uma });
    const id = umaList.body.conversations[0].id as string;
    const monitored = await call('GET', `/api/v1/conversations/${id}`, { token: tokens.ada });
    expect(monitored.status, monitored.text).toBe(200);
    expect(monitored.body.messages.map((m: { content: string }) => m.content)).toEqual(['private']);
    const hidden = await call('GET', `/api/v1/conversations/${id}`, { token: tokens.theo });
    expect(hidden.status).toBe(404);
    // Outside the care-team routes, problems carry no `error` member.
    expect(hidden.body.error).toBeUndefined();
  });
});

describe('care-team API registration', () => {
  it('exists only under the care-team policy', async () => {
    const { store, settings } = {
      store: new InMemoryMessagingStore(),
      settings: new InMemorySettingsStore(),
    };
    const core = createMessagingCore({ store, directory: new InMemoryMarketplaceDirectory(), settings });
    const harness = await buildHarness(core, new InMemoryMarketplaceDirectory(), {
      kind: 'memory',
      check: async () => {},
    });
    try {
      const token = await issueToken(secretKey(TEST_SECRET), { sub: 'demo-admin', role: 'admin' });
      const response = await client(harness)('GET', `${API}/inbox`, { token });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('ROUTE_NOT_FOUND');
    } finally {
      await harness.close();
    }
  });

  it('is in the OpenAPI document of a care-team deployment, with the error member in its problems', async () => {
    const core = createMessagingCore({
      store: new InMemoryMessagingStore(),
      directory: new InMemoryPeopleDirectory(),
      settings: new InMemorySettingsStore(),
      policy: careTeamPolicy,
    });
    const harness = await buildHarness(core, new InMemoryMarketplaceDirectory(), {
      kind: 'memory',
      check: async () => {},
    });
    try {
      const document = (await client(harness)('GET', '/openapi.json')).body;
      expect(
        Object.keys(document.paths)
          .filter((path: string) => path.startsWith(API))
          .sort(),
      ).toEqual([
        '/api/messages/blocks',
        '/api/messages/blocks/{username}',
        '/api/messages/conversation/{username}',
        '/api/messages/inbox',
        '/api/messages/send',
        '/api/messages/{message_id}',
        '/api/messages/{message_id}/read',
      ]);
      const problem =
        document.paths['/api/messages/send'].post.responses['403'].content['application/problem+json'].schema;
      expect(JSON.stringify(problem)).toContain('error');
    } finally {
      await harness.close();
    }
  });

  it('the Kysely tables it needs are migrated', async () => {
    const database = databases.pglite;
    if (!database) throw new Error('no database');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
      where table_name in ('participant_blocks', 'message_hides', 'read_advances', 'conversation_pairs')`.execute(
      database.db,
    );
    expect(rows[0]?.n).toBe(4);
  });
});
