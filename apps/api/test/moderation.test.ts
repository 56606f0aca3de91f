import {
  KyselyMarketplaceDirectory,
  KyselyMessageSearch,
  KyselyMessagingStore,
  KyselyModerationSettingsRepository,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import {
  createMessagingStoreRawReader,
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import { ObscenityWordListModerator } from '@parley/adapters-obscenity';
import {
  contactDetailsModerator,
  createMessagingCore,
  type LoggedEvent,
  type MarketplaceDirectory,
  type MessageSearch,
  type MessagingStore,
  type ModerationSettingsRepository,
  type SettingsStore,
} from '@parley/messaging-core';
import {
  FixedClock,
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemoryModerationSettingsRepository,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness } from './support/build-harness.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { type ApiHarness, TEST_SECRET } from './support/harness.js';

// Issue 14, moderation through the HTTP API: the 422 with a reason, rewrites, flags and holds
// (a held message invisible to the recipient until approved, then delivered), the review queue
// (list, approve, reject with a reason; 404 for those who may not review), the events, and the
// settings per store — in memory and on the Kysely store on PostgreSQL (DATABASE_URL) and PGlite.

const BASE = '/api/v1/conversations';

interface Backend {
  readonly name: string;
  open(): Promise<{
    store: MessagingStore;
    directory: MarketplaceDirectory;
    settings: SettingsStore;
    moderationSettings: ModerationSettingsRepository;
    search: MessageSearch;
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
        moderationSettings: new KyselyModerationSettingsRepository(db),
        search: new KyselyMessageSearch({ db }),
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
        moderationSettings: new InMemoryModerationSettingsRepository(),
        search: store.search,
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

describe.each(backends)('moderation ($name)', (backend) => {
  let harness: ApiHarness;
  let call: Call;
  let tokens: Tokens;
  let events: () => Promise<LoggedEvent[]>;

  beforeEach(async () => {
    const opened = await backend.open();
    events = opened.events;
    const clock = new FixedClock(new Date('2026-05-04T09:00:00.000Z'), { autoAdvanceMs: 10 });
    const core = createMessagingCore({
      store: opened.store,
      directory: opened.directory,
      settings: opened.settings,
      clock,
      settingsCacheTtlMs: 0,
      search: opened.search,
      moderation: {
        moderators: [new ObscenityWordListModerator(), contactDetailsModerator].map((moderator) => ({
          moderator,
          timeoutMs: 1_000,
          onFailure: 'fail_open' as const,
        })),
        settings: opened.moderationSettings,
      },
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

  const contents = async (token: string, id: string): Promise<string[]> => {
    const list = await call('GET', `${BASE}/${id}/messages`, { token });
    expect(list.status).toBe(200);
    return list.body.messages.map((m: { content: string }) => m.content);
  };
  const unread = async (token: string): Promise<number> =>
    (await call('GET', `${BASE}/unread-count`, { token })).body.total_unread;
  const ofType = async (type: string) => (await events()).filter((e) => e.type === type);
  const configure = async (body: unknown) => {
    const response = await call('PUT', '/api/v1/store/moderation-settings', { token: tokens.store1, body });
    expect(response.status).toBe(200);
    return response.body;
  };

  it('masks contact details by default in the marketplace, and answers 422 with the reason when set to reject', async () => {
    const id = await conversation();
    const masked = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.customer1,
      body: { content: 'Call me on +33 6 12 34 56 78 or mail c1@example.com' },
    });
    expect(masked.status).toBe(201);
    expect(masked.body.content).toBe('Call me on *** or mail ***');
    expect(masked.body.moderation).toBeUndefined();
    // Ordinary numbers are not contact details.
    const price = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.customer1,
      body: { content: 'Is it still 1,299.00 on 2026-12-07?' },
    });
    expect(price.body.content).toBe('Is it still 1,299.00 on 2026-12-07?');

    await configure({ contact_details: { action: 'reject' } });
    const before = (await events()).length;
    const refused = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.customer1,
      body: { content: 'write to c1@example.com' },
    });
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'MESSAGE_REJECTED',
      reason: 'contact details (email)',
      field: 'content',
    });
    expect((await events()).length).toBe(before);
    expect(await contents(tokens.store1, id)).not.toContain('write to c1@example.com');
    // Edits are moderated too.
    const edit = await call('PATCH', `${BASE}/${id}/messages/${price.body.id}`, {
      token: tokens.customer1,
      body: { content: 'mail c1@example.com' },
    });
    expect(edit.status).toBe(422);
    expect(edit.body.reason).toBe('contact details (email)');
  });

  it('holds a message: invisible to the recipient until approved, then delivered', async () => {
    await configure({ word_list: { action: 'hold' } });
    const id = await conversation();
    const unreadBefore = await unread(tokens.customer1);
    const held = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.store1,
      body: { content: 'what the fuck happened' },
    });
    expect(held.status).toBe(201);
    expect(held.body.moderation).toEqual({ state: 'held', reason: 'inappropriate language' });
    expect(await contents(tokens.store1, id)).toContain('what the fuck happened');
    expect(await contents(tokens.customer1, id)).toEqual(['It shipped']);
    expect(await unread(tokens.customer1)).toBe(unreadBefore);
    const inbox = await call('GET', BASE, { token: tokens.customer1 });
    expect(inbox.body.conversations[0].last_message.content).toBe('It shipped');
    const search = async (token: string) =>
      (await call('GET', `${BASE}/search?q=happened`, { token })).body.results.length;
    expect(await search(tokens.customer1)).toBe(0);
    expect(await search(tokens.store1)).toBe(1);
    const single = await call('GET', `${BASE}/${id}/messages/${held.body.id}`, { token: tokens.customer1 });
    expect(single.status).toBe(404);
    expect(await ofType('message.held')).toHaveLength(1);
    expect(
      (await ofType('message.sent')).map((e) => (e.payload as { message_id?: string }).message_id),
    ).not.toContain(held.body.id);

    // Only reviewers see the queue: others get 404.
    for (const token of [tokens.store1, tokens.customer1])
      expect((await call('GET', '/api/v1/admin/moderation', { token })).status).toBe(404);
    expect(
      (await call('POST', `/api/v1/admin/moderation/${held.body.id}/approve`, { token: tokens.store1 }))
        .status,
    ).toBe(404);
    const queue = await call('GET', '/api/v1/admin/moderation?state=held', { token: tokens.admin });
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual([
      expect.objectContaining({
        message_id: held.body.id,
        conversation_id: id,
        store_id: 's1',
        state: 'held',
        reason: 'inappropriate language',
        content: 'what the fuck happened',
        sender: expect.objectContaining({ type: 'store', id: 'u1' }),
      }),
    ]);
    expect(queue.body.next_cursor).toBeNull();

    const approved = await call('POST', `/api/v1/admin/moderation/${held.body.id}/approve`, {
      token: tokens.admin,
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', reviewed_by: { type: 'admin', id: 'a1' } });
    expect(await contents(tokens.customer1, id)).toEqual(['It shipped', 'what the fuck happened']);
    expect(await unread(tokens.customer1)).toBe(unreadBefore + 1);
    expect(await search(tokens.customer1)).toBe(1);
    const [event] = await ofType('message.approved');
    expect(event?.payload).toMatchObject({ message_id: held.body.id, previous_state: 'held' });
    expect((await call('GET', '/api/v1/admin/moderation', { token: tokens.admin })).body.items).toEqual([]);
    const again = await call('POST', `/api/v1/admin/moderation/${held.body.id}/approve`, {
      token: tokens.admin,
    });
    expect(again.status).toBe(409);
  });

  it('a held message rejected by a reviewer stays visible to its sender only, with the reason', async () => {
    await configure({ word_list: { action: 'hold' } });
    const id = await conversation();
    const held = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.customer1,
      body: { content: 'you are a bitch' },
    });
    const missingReason = await call('POST', `/api/v1/admin/moderation/${held.body.id}/reject`, {
      token: tokens.admin,
      body: {},
    });
    expect(missingReason.status).toBe(400);
    expect(missingReason.body.field).toBe('reason');
    const rejected = await call('POST', `/api/v1/admin/moderation/${held.body.id}/reject`, {
      token: tokens.admin,
      body: { reason: 'Please stay polite' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ state: 'rejected', reason: 'Please stay polite' });
    const mine = await call('GET', `${BASE}/${id}/messages`, { token: tokens.customer1 });
    expect(mine.body.messages.find((m: { id: string }) => m.id === held.body.id)).toMatchObject({
      id: held.body.id,
      moderation: { state: 'rejected', reason: 'Please stay polite' },
    });
    expect(await contents(tokens.store1, id)).toEqual(['It shipped']);
    expect((await ofType('message.rejected'))[0]?.payload).toMatchObject({ reason: 'Please stay polite' });
  });

  it('flags: delivered at once and queued for review', async () => {
    await configure({ contact_details: { action: 'flag' } });
    const id = await conversation();
    const flagged = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.customer1,
      body: { content: 'see www.example.com' },
    });
    expect(flagged.status).toBe(201);
    expect(flagged.body.moderation).toBeUndefined();
    expect(await contents(tokens.store1, id)).toContain('see www.example.com');
    expect(await ofType('message.flagged')).toHaveLength(1);
    const queue = await call('GET', '/api/v1/admin/moderation?state=flagged&store_id=s1', {
      token: tokens.admin,
    });
    expect(queue.body.items.map((i: { message_id: string }) => i.message_id)).toEqual([flagged.body.id]);
    expect(
      (await call('GET', '/api/v1/admin/moderation?store_id=s2', { token: tokens.admin })).body.items,
    ).toEqual([]);
  });

  it('settings per store: preset defaults, partial updates, validation, who may', async () => {
    const initial = await call('GET', '/api/v1/store/moderation-settings', { token: tokens.store1 });
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({
      word_list: { enabled: true, action: 'rewrite', added_terms: [], allowed_terms: [] },
      contact_details: { enabled: true, action: 'rewrite', emails: true, phones: true, links: true },
    });
    const updated = await configure({ word_list: { added_terms: ['Knockoff'] } });
    expect(updated.word_list.added_terms).toEqual(['knockoff']);
    const adminView = await call('GET', '/api/v1/admin/stores/s1/moderation-settings', {
      token: tokens.admin,
    });
    expect(adminView.body.word_list.added_terms).toEqual(['knockoff']);
    expect(
      (await call('GET', '/api/v1/admin/stores/s2/moderation-settings', { token: tokens.admin })).body
        .word_list.added_terms,
    ).toEqual([]);
    const bad = await call('PUT', '/api/v1/store/moderation-settings', {
      token: tokens.store1,
      body: { contact_details: { action: 'explode' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('contact_details.action');
    expect((await call('GET', '/api/v1/store/moderation-settings', { token: tokens.customer1 })).status).toBe(
      403,
    );
    expect(
      (await call('GET', '/api/v1/admin/stores/s1/moderation-settings', { token: tokens.store2 })).status,
    ).toBe(403);

    // The added term applies to the next message of that store only.
    const id = await conversation();
    const sent = await call('POST', `${BASE}/${id}/messages`, {
      token: tokens.customer1,
      body: { content: 'is this a knockoff?' },
    });
    expect(sent.body.content).toBe('is this a ********?');
  });
});
