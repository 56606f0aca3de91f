import {
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import {
  createMessagingStoreRawReader,
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import {
  createMessagingCore,
  type LoggedEvent,
  type MarketplaceDirectory,
  type MessagingStore,
  type SettingsStore,
} from '@parley/messaging-core';
import {
  FixedClock,
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness } from './support/build-harness.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { type ApiHarness, TEST_SECRET } from './support/harness.js';

// Issue 14: per-person archive and edits with history, through the generic API and the
// marketplace's audience routes, in memory and on the Kysely store on PostgreSQL (DATABASE_URL)
// and on PGlite.

const BASE = '/api/v1/conversations';

interface Backend {
  readonly name: string;
  open(): Promise<{
    store: MessagingStore;
    directory: MarketplaceDirectory;
    settings: SettingsStore;
    events: () => Promise<LoggedEvent[]>;
    kind: string;
  }>;
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
      const raw = createMessagingStoreRawReader(db);
      return {
        store: new KyselyMessagingStore({ db }),
        directory: new KyselyMarketplaceDirectory({ db }),
        settings: new KyselySettingsStore({ db }),
        events: () => raw.events(),
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
      const store = new InMemoryMessagingStore();
      return {
        store,
        directory: new InMemoryMarketplaceDirectory(),
        settings: new InMemorySettingsStore(),
        events: () => store.raw.events(),
        kind: 'memory',
      };
    },
  },
  ...(selected.kind === 'pglite' ? [kyselyOn('pglite')] : [kyselyOn('auto'), kyselyOn('pglite')]),
];

afterAll(async () => {
  for (const database of databases) await database.destroy();
});

describe.each(backends)('archive and edits ($name)', (backend) => {
  let harness: ApiHarness;
  let call: Call;
  let tokens: Tokens;
  let clock: FixedClock;
  let events: () => Promise<LoggedEvent[]>;

  beforeEach(async () => {
    const opened = await backend.open();
    events = opened.events;
    clock = new FixedClock(new Date('2026-05-04T09:00:00.000Z'), { autoAdvanceMs: 10 });
    const core = createMessagingCore({
      store: opened.store,
      directory: opened.directory,
      settings: opened.settings,
      clock,
      settingsCacheTtlMs: 0,
    });
    harness = await buildHarness(core, opened.directory, { kind: opened.kind, check: async () => {} });
    call = client(harness);
    tokens = await tokensFor(TEST_SECRET);
    await seedFixture(call, tokens.service);
  });
  afterEach(async () => {
    await harness?.close();
  });

  /** Store user u1 starts a conversation with customer c1; returns its id. */
  async function conversation(): Promise<string> {
    const created = await call('POST', '/api/v1/store/messages', {
      token: tokens.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Your order',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'It shipped',
      },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  const ids = (body: { conversations: { id: string }[] }) => body.conversations.map((c) => c.id);
  const ofType = async (type: string) => (await events()).filter((e) => e.type === type);

  describe('archive', () => {
    it('takes a conversation out of the archiver’s list only, idempotently, and a reply brings it back', async () => {
      const id = await conversation();

      const archived = await call('POST', `${BASE}/${id}/archive`, { token: tokens.customer1 });
      expect(archived.status).toBe(200);
      expect(archived.body).toMatchObject({ id, archived: true });
      const archivedAt: string = archived.body.archived_at;
      expect(Number.isNaN(Date.parse(archivedAt))).toBe(false);

      const again = await call('POST', `${BASE}/${id}/archive`, { token: tokens.customer1 });
      expect(again.status).toBe(200);
      expect(again.body.archived_at).toBe(archivedAt);
      expect(await ofType('conversation.archived')).toHaveLength(1);
      const [event] = await ofType('conversation.archived');
      expect(event?.actor).toEqual({ type: 'customer', id: 'c1' });
      expect(event?.payload).toEqual({
        participant: { type: 'customer', id: 'c1' },
        archived_at: archivedAt,
      });

      const inbox = await call('GET', BASE, { token: tokens.customer1 });
      expect(ids(inbox.body)).toEqual([]);
      expect(inbox.body.total).toBe(0);
      const list = await call('GET', `${BASE}?archived=true`, { token: tokens.customer1 });
      expect(ids(list.body)).toEqual([id]);
      expect(list.body.conversations[0]).toMatchObject({ archived: true, archived_at: archivedAt });
      // The audience routes list the same.
      const storefront = await call('GET', '/api/v1/storefront/messages?archived=true', {
        token: tokens.customer1,
      });
      expect(ids(storefront.body)).toEqual([id]);
      // The other member's list does not change.
      const storeList = await call('GET', BASE, { token: tokens.store1 });
      expect(ids(storeList.body)).toEqual([id]);
      expect(storeList.body.conversations[0].archived).toBe(false);

      // The archiver's own message keeps it archived; someone else's brings it back.
      const own = await call('POST', `${BASE}/${id}/messages`, {
        token: tokens.customer1,
        body: { content: 'Thanks' },
      });
      expect(own.status).toBe(201);
      expect(ids((await call('GET', `${BASE}?archived=true`, { token: tokens.customer1 })).body)).toEqual([
        id,
      ]);
      const reply = await call('POST', `${BASE}/${id}/messages`, {
        token: tokens.store1,
        body: { content: 'You are welcome' },
      });
      expect(reply.status).toBe(201);
      const back = await call('GET', BASE, { token: tokens.customer1 });
      expect(ids(back.body)).toEqual([id]);
      expect(back.body.conversations[0]).toMatchObject({ archived: false, archived_at: null });
      expect(ids((await call('GET', `${BASE}?archived=true`, { token: tokens.customer1 })).body)).toEqual([]);
    });

    it('unarchives idempotently through the audience routes, and hides the conversation from others', async () => {
      const id = await conversation();
      const archived = await call('POST', `/api/v1/store/messages/${id}/archive`, { token: tokens.store1 });
      expect(archived.status).toBe(200);
      expect(archived.body.archived).toBe(true);
      expect(ids((await call('GET', '/api/v1/store/messages', { token: tokens.store1 })).body)).toEqual([]);

      for (let i = 0; i < 2; i += 1) {
        const back = await call('POST', `/api/v1/store/messages/${id}/unarchive`, { token: tokens.store1 });
        expect(back.status).toBe(200);
        expect(back.body).toMatchObject({ archived: false, archived_at: null });
      }
      expect(await ofType('conversation.unarchived')).toHaveLength(1);
      expect(ids((await call('GET', '/api/v1/store/messages', { token: tokens.store1 })).body)).toEqual([id]);

      // Someone who does not take part gets the 404 of a missing conversation.
      const outsider = await call('POST', `${BASE}/${id}/archive`, { token: tokens.customer2 });
      expect(outsider.status).toBe(404);
      expect(outsider.body.code).toBe('NOT_FOUND');
      const missing = await call('POST', `${BASE}/01900000-0000-7000-8000-000000000000/archive`, {
        token: tokens.customer2,
      });
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toBe(
        outsider.body.detail.replace(id, '01900000-0000-7000-8000-000000000000'),
      );
    });
  });

  describe('edits', () => {
    async function send(token: string, id: string, content: string): Promise<string> {
      const sent = await call('POST', `${BASE}/${id}/messages`, { token, body: { content } });
      expect(sent.status).toBe(201);
      return sent.body.id;
    }

    it('lets the sender edit within the window, keeps every version and records message.updated', async () => {
      const id = await conversation();
      const messageId = await send(tokens.customer1, id, 'Helo');

      const edited = await call('PATCH', `${BASE}/${id}/messages/${messageId}`, {
        token: tokens.customer1,
        headers: { 'if-match': '"1"' },
        body: { content: '  Hello  ' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ id: messageId, content: 'Hello', revision: 2 });
      expect(edited.body.edited_at).not.toBeNull();
      expect(edited.headers.etag).toBe('"2"');

      // A stale If-Match changes nothing.
      const stale = await call('PATCH', `${BASE}/${id}/messages/${messageId}`, {
        token: tokens.customer1,
        headers: { 'if-match': '"1"' },
        body: { content: 'Hello there' },
      });
      expect(stale.status).toBe(412);
      expect(stale.body.code).toBe('REVISION_MISMATCH');
      const bad = await call('PATCH', `${BASE}/${id}/messages/${messageId}`, {
        token: tokens.customer1,
        headers: { 'if-match': 'yesterday' },
        body: { content: 'Hello there' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('if-match');

      // The same content again is no edit.
      const same = await call('PATCH', `${BASE}/${id}/messages/${messageId}`, {
        token: tokens.customer1,
        body: { content: 'Hello' },
      });
      expect(same.status).toBe(200);
      expect(same.body.revision).toBe(2);

      const third = await call('PATCH', `/api/v1/storefront/messages/${id}/messages/${messageId}`, {
        token: tokens.customer1,
        headers: { 'if-match': '2' },
        body: { content: 'Hello!' },
      });
      expect(third.status).toBe(200);
      expect(third.body.revision).toBe(3);

      const history = await call('GET', `${BASE}/${id}/messages/${messageId}/revisions`, {
        token: tokens.store1,
      });
      expect(history.status).toBe(200);
      expect(
        history.body.revisions.map((r: { revision: number; content: string; current: boolean }) => [
          r.revision,
          r.content,
          r.current,
        ]),
      ).toEqual([
        [1, 'Helo', false],
        [2, 'Hello', false],
        [3, 'Hello!', true],
      ]);
      expect(history.body.revisions[0].editor).toEqual({ type: 'customer', id: 'c1', name: 'Carla' });

      // Everyone reading the conversation sees the latest version and its revision.
      const listed = await call('GET', `${BASE}/${id}/messages`, { token: tokens.store1 });
      const message = listed.body.messages.find((m: { id: string }) => m.id === messageId);
      expect(message).toMatchObject({ content: 'Hello!', revision: 3 });

      const updated = await ofType('message.updated');
      expect(updated.map((e) => [e.payload])).toEqual([
        [expect.objectContaining({ message_id: messageId, revision: 2, previous_revision: 1 })],
        [expect.objectContaining({ message_id: messageId, revision: 3, previous_revision: 2 })],
      ]);

      // Outsiders see neither the message nor its history.
      const outsider = await call('GET', `${BASE}/${id}/messages/${messageId}/revisions`, {
        token: tokens.customer2,
      });
      expect(outsider.status).toBe(404);
    });

    it('refuses others, a customer once answered, after the window, and deleted messages', async () => {
      const id = await conversation();
      const mine = await send(tokens.customer1, id, 'Where is it?');

      const byOther = await call('PATCH', `${BASE}/${id}/messages/${mine}`, {
        token: tokens.store1,
        body: { content: 'Changed' },
      });
      expect(byOther.status).toBe(403);
      expect(byOther.body.code).toBe('FORBIDDEN');

      await send(tokens.store1, id, 'On its way');
      const answered = await call('PATCH', `${BASE}/${id}/messages/${mine}`, {
        token: tokens.customer1,
        body: { content: 'Where is my parcel?' },
      });
      expect(answered.status).toBe(403);
      expect(answered.body.detail).toBe('customers cannot edit a message once it has been answered');

      // A store user may edit an answered message, within the window (15 minutes by default).
      const storeMessage = await send(tokens.store1, id, 'Tomorow');
      const fixed = await call('PATCH', `/api/v1/store/messages/${id}/messages/${storeMessage}`, {
        token: tokens.store1,
        body: { content: 'Tomorrow' },
      });
      expect(fixed.status).toBe(200);
      clock.advance(16 * 60_000);
      const late = await call('PATCH', `${BASE}/${id}/messages/${storeMessage}`, {
        token: tokens.store1,
        body: { content: 'Tomorrow morning' },
      });
      expect(late.status).toBe(403);
      expect(late.body.detail).toContain('15 minutes');

      // The window is a platform setting.
      const widened = await call('PUT', '/api/v1/admin/settings/message_edit_window_minutes', {
        token: tokens.admin,
        body: { value: 60 },
      });
      expect(widened.status).toBe(200);
      const inWindow = await call('PATCH', `${BASE}/${id}/messages/${storeMessage}`, {
        token: tokens.store1,
        body: { content: 'Tomorrow morning' },
      });
      expect(inWindow.status).toBe(200);
      expect(inWindow.body.revision).toBe(3);

      const deleted = await call('DELETE', `${BASE}/${id}/messages/${storeMessage}`, {
        token: tokens.store1,
      });
      expect(deleted.status).toBe(200);
      const afterDelete = await call('PATCH', `${BASE}/${id}/messages/${storeMessage}`, {
        token: tokens.store1,
        body: { content: 'Again' },
      });
      expect(afterDelete.status).toBe(409);
      expect(afterDelete.body.code).toBe('CONFLICT');
      const gone = await call('GET', `${BASE}/${id}/messages/${storeMessage}/revisions`, {
        token: tokens.store1,
      });
      expect(gone.status).toBe(404);

      const fresh = await send(tokens.store1, id, 'One more thing');
      const empty = await call('PATCH', `${BASE}/${id}/messages/${fresh}`, {
        token: tokens.store1,
        body: { content: '   ' },
      });
      expect(empty.status).toBe(400);
      expect(empty.body.field).toBe('content');
      expect(await ofType('message.updated')).toHaveLength(2);
    });
  });
});
