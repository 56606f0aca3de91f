import {
  KyselyMarketplaceDirectory,
  KyselyMessageSearch,
  KyselyMessagingStore,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import {
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import {
  createMessagingCore,
  type MarketplaceDirectory,
  type MessageSearch,
  type MessagingStore,
  type SettingsStore,
} from '@parley/messaging-core';
import {
  InMemoryMarketplaceDirectory,
  InMemoryMessagingStore,
  InMemorySettingsStore,
} from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHarness } from './support/build-harness.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { type ApiHarness, TEST_SECRET } from './support/harness.js';

// Message search (issue 14) through the generic and the audience routes, and the inbox `q`
// filter: in memory, and on the Kysely adapters on PostgreSQL (DATABASE_URL) and on PGlite.

interface Backend {
  readonly name: string;
  open(): Promise<{
    store: MessagingStore;
    search: MessageSearch;
    directory: MarketplaceDirectory;
    settings: SettingsStore;
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
      await sql`select 1`.execute(db);
      return {
        store: new KyselyMessagingStore({ db }),
        search: new KyselyMessageSearch({ db }),
        directory: new KyselyMarketplaceDirectory({ db }),
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
      const directory = new InMemoryMarketplaceDirectory();
      const store = new InMemoryMessagingStore({ directory });
      return {
        store,
        search: store.search,
        directory,
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

interface Segment {
  readonly text: string;
  readonly highlight: boolean;
}

describe.each(backends)('message search ($name)', (backend) => {
  let harness: ApiHarness;
  let call: Call;
  let tokens: Tokens;
  let withCarla: string;
  let withAdmin: string;

  beforeEach(async () => {
    const { store, search, directory, settings, kind } = await backend.open();
    const core = createMessagingCore({ store, directory, settings, search });
    harness = await buildHarness(core, directory, { kind, check: async () => {} });
    call = client(harness);
    tokens = await tokensFor(TEST_SECRET);
    await seedFixture(call, tokens.service);

    const first = await call('POST', '/api/v1/admin/messages', {
      token: tokens.admin,
      body: {
        conversation_type: 'admin_store',
        subject: 'Payout schedule',
        recipient_type: 'store',
        recipient_id: 'u1',
        initial_message: 'Your payout invoice for March is ready',
      },
    });
    expect(first.status).toBe(201);
    withAdmin = first.body.id;
    const second = await call('POST', '/api/v1/store/messages', {
      token: tokens.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Sizing',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'Hello Carla',
      },
    });
    expect(second.status).toBe(201);
    withCarla = second.body.id;
    for (const content of ['<b onclick="x()">Refund</b> sent for invoice 42', 'A refund takes three days']) {
      const sent = await call('POST', `/api/v1/storefront/messages/${withCarla}/messages`, {
        token: tokens.customer1,
        body: { content },
      });
      expect(sent.status).toBe(201);
    }
  });
  afterEach(async () => {
    await harness?.close();
  });

  const search = (token: string, path: string) => call('GET', path, { token });
  const contents = (body: { results: { message: { content: string } }[] }) =>
    body.results.map((r) => r.message.content);

  it('finds what each caller may see, on every surface, with the conversation and a safe snippet', async () => {
    const store = await search(tokens.store1, '/api/v1/store/messages/search?q=invoice&sort=recent');
    expect(store.status).toBe(200);
    expect(contents(store.body)).toEqual([
      '<b onclick="x()">Refund</b> sent for invoice 42',
      'Your payout invoice for March is ready',
    ]);
    const [hit] = store.body.results;
    expect(hit.conversation).toMatchObject({
      id: withCarla,
      subject: 'Sizing',
      conversation_type: 'store_customer',
    });
    expect(hit.message).toMatchObject({ sender_type: 'customer', sender_id: 'c1', sender_name: 'Carla' });
    // The snippet is plain text in pieces: the markup is text of an unhighlighted piece.
    expect(hit.snippet).toEqual([
      { text: '<b onclick="x()">Refund</b> sent for ', highlight: false },
      { text: 'invoice', highlight: true },
      { text: ' 42', highlight: false },
    ]);
    expect(store.body.next_cursor).toBeNull();

    const customer = await search(tokens.customer1, '/api/v1/storefront/messages/search?q=INVOICE');
    expect(contents(customer.body)).toEqual(['<b onclick="x()">Refund</b> sent for invoice 42']);
    const admin = await search(tokens.admin, '/api/v1/admin/messages/search?q=invoice');
    expect(contents(admin.body)).toEqual(['Your payout invoice for March is ready']);
    const otherStore = await search(tokens.store2, '/api/v1/store/messages/search?q=invoice');
    expect(otherStore.body.results).toEqual([]);
    const otherCustomer = await search(tokens.customer2, '/api/v1/conversations/search?q=invoice');
    expect(otherCustomer.status).toBe(200);
    expect(otherCustomer.body.results).toEqual([]);

    const both = await search(tokens.store1, '/api/v1/conversations/search?q=refund%20invoice');
    expect(contents(both.body)).toEqual(['<b onclick="x()">Refund</b> sent for invoice 42']);
    const partial = await search(tokens.store1, '/api/v1/conversations/search?q=invo');
    expect(partial.body.results).toHaveLength(2);
  });

  it('pages by cursor and filters by conversation, sender and time', async () => {
    const seen: string[] = [];
    let path = '/api/v1/conversations/search?q=refund&sort=recent&limit=1';
    let page = await search(tokens.store1, path);
    seen.push(...contents(page.body));
    expect(page.body.next_cursor).toEqual(expect.any(String));
    page = await search(
      tokens.store1,
      `${path}&cursor=${encodeURIComponent(page.body.next_cursor as string)}`,
    );
    seen.push(...contents(page.body));
    expect(page.body.next_cursor).toBeNull();
    expect(seen).toEqual(['A refund takes three days', '<b onclick="x()">Refund</b> sent for invoice 42']);

    path = `/api/v1/store/messages/search?q=invoice&conversation_id=${withAdmin}`;
    expect(contents((await search(tokens.store1, path)).body)).toEqual([
      'Your payout invoice for March is ready',
    ]);
    path = '/api/v1/store/messages/search?q=invoice&sender=customer:c1';
    expect(contents((await search(tokens.store1, path)).body)).toEqual([
      '<b onclick="x()">Refund</b> sent for invoice 42',
    ]);
    path = '/api/v1/store/messages/search?q=invoice&from=2999-01-01T00:00:00Z';
    expect((await search(tokens.store1, path)).body.results).toEqual([]);
    path = '/api/v1/store/messages/search?q=invoice&to=2000-01-01T00:00:00Z';
    expect((await search(tokens.store1, path)).body.results).toEqual([]);

    // Another's conversation answers like a missing one.
    for (const id of [withAdmin, '01900000-0000-7000-8000-000000000999']) {
      const hidden = await search(
        tokens.customer1,
        `/api/v1/conversations/search?q=invoice&conversation_id=${id}`,
      );
      expect(hidden.status).toBe(404);
    }
  });

  it('leaves out messages deleted for the caller', async () => {
    const found = await search(tokens.customer1, '/api/v1/storefront/messages/search?q=days');
    const [hit] = found.body.results;
    expect(hit.message.content).toBe('A refund takes three days');
    const deleted = await call(
      'DELETE',
      `/api/v1/storefront/messages/${withCarla}/messages/${hit.message.id}`,
      {
        token: tokens.customer1,
      },
    );
    expect(deleted.status).toBeLessThan(300);
    for (const token of [tokens.customer1, tokens.store1]) {
      const again = await search(token, '/api/v1/conversations/search?q=days');
      expect(again.body.results).toEqual([]);
    }
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['', 'q'],
      ['q=', 'q'],
      ['q=%20%20', 'q'],
      ['q=!!!', 'q'],
      [`q=${'a'.repeat(201)}`, 'q'],
      ['q=a%20b%20c%20d%20e%20f%20g%20h%20i', 'q'],
      ['q=refund&from=yesterday', 'from'],
      ['q=refund&to=2026-13-01T00:00:00Z', 'to'],
      ['q=refund&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'to'],
      ['q=refund&cursor=not-a-cursor', 'cursor'],
      ['q=refund&sort=best', 'sort'],
      ['q=refund&sender=c1', 'sender'],
      ['q=refund&limit=0', 'limit'],
    ];
    for (const [query, field] of cases) {
      const answer = await search(tokens.store1, `/api/v1/store/messages/search?${query}`);
      expect({ query, status: answer.status, field: answer.body?.field }).toEqual({
        query,
        status: 400,
        field,
      });
    }
    // A cursor of another sort (or list) is not a cursor of this one.
    const page = await search(tokens.store1, '/api/v1/conversations/search?q=refund&sort=recent&limit=1');
    const other = await search(
      tokens.store1,
      `/api/v1/conversations/search?q=refund&sort=relevance&cursor=${page.body.next_cursor}`,
    );
    expect(other.status).toBe(400);
    expect(other.body.field).toBe('cursor');
  });

  it("stems the words of a store's new conversations in the store's language (PostgreSQL)", async () => {
    const put = await call('PUT', '/api/v1/platform/stores/s1', {
      token: tokens.service,
      body: { name: 'Acme', tier: 'business', language: 'en' },
    });
    expect(put.status).toBe(200);
    expect(put.body.language).toBe('en');
    const started = await call('POST', '/api/v1/store/messages', {
      token: tokens.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Delivery',
        recipient_type: 'customer',
        recipient_id: 'c2',
        initial_message: 'Both parcels shipped this morning',
      },
    });
    expect(started.status).toBe(201);
    const stemmed = await search(tokens.customer2, '/api/v1/conversations/search?q=shipping%20parcel');
    expect(contents(stemmed.body)).toEqual(
      backend.name === 'in memory' ? [] : ['Both parcels shipped this morning'],
    );
    if (backend.name !== 'in memory') {
      expect(
        stemmed.body.results[0].snippet.filter((s: Segment) => s.highlight).map((s: Segment) => s.text),
      ).toEqual(['parcels', 'shipped']);
    }
  });

  it('filters the inbox by subject and by the other members’ names (q)', async () => {
    const listed = async (token: string, path: string) => {
      const answer = await search(token, path);
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBe(answer.body.conversations.length);
      return (answer.body.conversations as { id: string }[]).map((c) => c.id);
    };
    expect(await listed(tokens.store1, '/api/v1/store/messages?q=sizing')).toEqual([withCarla]);
    expect(await listed(tokens.store1, '/api/v1/store/messages?q=carl')).toEqual([withCarla]);
    expect(await listed(tokens.store1, '/api/v1/store/messages?q=ada%20payout')).toEqual([withAdmin]);
    expect(await listed(tokens.store1, '/api/v1/conversations?q=nothing%20here')).toEqual([]);
    expect(await listed(tokens.customer1, '/api/v1/storefront/messages?q=sam')).toEqual([withCarla]);
    const bad = await search(tokens.store1, '/api/v1/store/messages?q=%20');
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('q');
  });
});

describe('snippets keep to plain text', () => {
  it('never turns content into anything but text segments', async () => {
    const { highlightSnippet } = await import('@parley/messaging-core');
    const long = `${'word '.repeat(60)}<script>alert(1)</script> refund ${'tail '.repeat(60)}`;
    const segments: Segment[] = highlightSnippet(long, ['refund']);
    expect(segments.filter((s) => s.highlight).map((s) => s.text)).toEqual(['refund']);
    expect(segments[0]?.text.startsWith('…')).toBe(true);
    expect(segments.at(-1)?.text.endsWith('…')).toBe(true);
    expect(segments.map((s) => s.text).join('')).toContain('<script>alert(1)</script> refund');
  });
});
