import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsAttachmentStorage } from '@parley/adapters-fs';
import {
  KyselyMarketplaceDirectory,
  KyselyMessagingStore,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import { openTestDatabase, type TestDatabase } from '@parley/adapters-kysely/testing';
import { SharpMediaInspector } from '@parley/adapters-media';
import { createMessagingCore } from '@parley/messaging-core';
import { createInMemoryMessaging } from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from './support/api-scenarios.js';
import { buildHarness } from './support/build-harness.js';
import {
  type ApiResponse,
  type Call,
  client,
  seedFixture,
  type Tokens,
  tokensFor,
} from './support/client.js';
import type { ApiHarness } from './support/harness.js';

const CONVERSATIONS = '/api/v1/conversations';
const AUDIENCE = {
  admin: '/api/v1/admin/messages',
  store1: '/api/v1/store/messages',
  customer1: '/api/v1/storefront/messages',
} as const;
type Caller = keyof typeof AUDIENCE;
const CALLERS = Object.keys(AUDIENCE) as Caller[];
const MISSING_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

/** A fresh API over empty storage that keeps attachments (sharp inspects them). */
type Factory = () => Promise<{ harness: ApiHarness; close(): Promise<void> }>;

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

const FACTORIES: readonly (readonly [string, Factory])[] = [
  [
    'in-memory adapters',
    async () => {
      const { core, directory } = createInMemoryMessaging({ mediaInspector: new SharpMediaInspector() });
      const harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} });
      return { harness, close: () => harness.close() };
    },
  ],
  [
    'Kysely adapters (PostgreSQL when DATABASE_URL is set, else PGlite) and files on disk',
    async () => {
      if (!database) throw new Error('no test database');
      const db = database.db;
      await database.truncate();
      const dataDir = await mkdtemp(join(tmpdir(), 'parley-conversations-'));
      const directory = new KyselyMarketplaceDirectory({ db });
      const core = createMessagingCore({
        store: new KyselyMessagingStore({ db }),
        directory,
        settings: new KyselySettingsStore({ db }),
        attachmentStorage: new FsAttachmentStorage({ root: dataDir }),
        mediaInspector: new SharpMediaInspector(),
      });
      const check = async () => {
        await sql`select 1`.execute(db);
      };
      const harness = await buildHarness(core, directory, { kind: database.kind, check });
      return {
        harness,
        close: async () => {
          await harness.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  ],
];

/** A multipart/form-data body with a `content` field and files. */
function multipart(content: string, files: readonly { name: string; bytes: Uint8Array }[]) {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"\r\n\r\n${content}\r\n`),
  ];
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from(file.bytes),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The same body with the audience's download paths written as the generic API's. */
function withGenericUrls(body: unknown, audience: string): unknown {
  return JSON.parse(JSON.stringify(body).replaceAll(`"${audience}/`, `"${CONVERSATIONS}/`));
}

for (const [label, factory] of FACTORIES) {
  describe(`/api/v1/conversations on ${label}`, () => {
    let h: Awaited<ReturnType<Factory>>;
    let call: Call;
    let t: Tokens;
    /** Admin a1 ↔ store user u1, and store user u1 ↔ customer c1 (two messages each). */
    let adminStore: string;
    let storeCustomer: string;
    /** Store user u2 ↔ customer c3: another tenant's. */
    let otherStore: string;

    async function created(url: string, token: string, body: Record<string, string>): Promise<string> {
      const response = await call('POST', url, { token, body });
      expect(response.status, response.text).toBe(201);
      return response.body.id;
    }

    async function send(token: string, id: string, content: string): Promise<ApiResponse> {
      return call('POST', `${CONVERSATIONS}/${id}/messages`, { token, body: { content } });
    }

    beforeEach(async () => {
      h = await factory();
      call = client(h.harness);
      t = await tokensFor(h.harness.jwtSecret);
      await seedFixture(call, t.service);
      adminStore = await created(AUDIENCE.admin, t.admin, {
        conversation_type: 'admin_store',
        subject: 'Payout delay',
        recipient_type: 'store',
        recipient_id: 'u1',
        initial_message: 'Hello Acme',
      });
      expect(
        (
          await call('POST', `${AUDIENCE.store1}/${adminStore}/messages`, {
            token: t.store1,
            body: { content: 'Looking into it' },
          })
        ).status,
      ).toBe(201);
      storeCustomer = await created(AUDIENCE.store1, t.store1, {
        conversation_type: 'store_customer',
        subject: 'Order #7',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'Your order shipped',
      });
      expect(
        (
          await call('POST', `${AUDIENCE.customer1}/${storeCustomer}/messages`, {
            token: t.customer1,
            body: { content: 'Thanks!' },
          })
        ).status,
      ).toBe(201);
      otherStore = await created('/api/v1/store/messages', t.store2, {
        conversation_type: 'store_customer',
        subject: 'Globex order',
        recipient_type: 'customer',
        recipient_id: 'c3',
      });
    });
    afterEach(async () => {
      await h.close();
    });

    /** The conversation each caller takes part in, for per-role checks. */
    const conversationOf = (caller: Caller) => (caller === 'customer1' ? storeCustomer : adminStore);

    describe('authentication', () => {
      it('no token is a 401 with WWW-Authenticate, a service token a 403, on every route', async () => {
        const routes: [Parameters<Call>[0], string][] = [
          ['GET', CONVERSATIONS],
          ['GET', `${CONVERSATIONS}/unread-count`],
          ['GET', `${CONVERSATIONS}/${adminStore}`],
          ['GET', `${CONVERSATIONS}/${adminStore}/messages`],
          ['POST', `${CONVERSATIONS}/${adminStore}/messages`],
          ['POST', `${CONVERSATIONS}/${adminStore}/read`],
          ['PATCH', `${CONVERSATIONS}/${adminStore}/preferences`],
          ['POST', `${CONVERSATIONS}/${adminStore}/close`],
          ['POST', `${CONVERSATIONS}/${adminStore}/reopen`],
          ['DELETE', `${CONVERSATIONS}/${adminStore}/messages/${MISSING_ID}`],
          ['GET', `${CONVERSATIONS}/${adminStore}/attachments/${MISSING_ID}`],
        ];
        for (const [method, url] of routes) {
          const anonymous = await call(method, url);
          expectProblem(anonymous, 401, 'UNAUTHENTICATED');
          expect(anonymous.headers['www-authenticate'], `${method} ${url}`).toBe('Bearer');
          const service = await call(method, url, { token: t.service });
          expectProblem(service, 403, 'FORBIDDEN');
          expect(service.body.detail).toBe('these routes are for participant tokens, not service');
        }
      });

      it('a participant token the directory does not know is a 403, as on the audience routes', async () => {
        const { issueToken, secretKey } = await import('../src/plugins/authentication.js');
        const stranger = await issueToken(secretKey(h.harness.jwtSecret), {
          sub: 'nobody',
          role: 'customer',
          storeId: 's1',
        });
        const generic = await call('GET', CONVERSATIONS, { token: stranger });
        const audience = await call('GET', AUDIENCE.customer1, { token: stranger });
        expectProblem(generic, 403, 'FORBIDDEN');
        expect(generic.body.detail).toBe(audience.body.detail);
      });
    });

    describe('parity with the audience routes', () => {
      it('list, detail, history and unread count: the same body for every participant type', async () => {
        for (const caller of CALLERS) {
          const token = t[caller];
          const audience = AUDIENCE[caller];
          const id = conversationOf(caller);
          const pairs: [string, string][] = [
            [CONVERSATIONS, audience],
            [
              `${CONVERSATIONS}?conversation_type=${caller === 'admin' ? 'admin_store' : 'store_customer'}`,
              `${audience}?conversation_type=${caller === 'admin' ? 'admin_store' : 'store_customer'}`,
            ],
            [`${CONVERSATIONS}/unread-count`, `${audience}/unread-count`],
            [`${CONVERSATIONS}/${id}`, `${audience}/${id}`],
            [`${CONVERSATIONS}/${id}/messages?limit=1`, `${audience}/${id}/messages?limit=1`],
          ];
          for (const [genericUrl, audienceUrl] of pairs) {
            const generic = await call('GET', genericUrl, { token });
            const expected = await call('GET', audienceUrl, { token });
            expect(generic.status, `${caller} ${genericUrl}: ${generic.text}`).toBe(200);
            expect(expected.status).toBe(200);
            expect(generic.body, `${caller} ${genericUrl}`).toEqual(expected.body);
          }
        }
      });

      it('every message has its seq and every participant its last_read_seq', async () => {
        for (const caller of CALLERS) {
          const detail = await call('GET', `${CONVERSATIONS}/${conversationOf(caller)}`, {
            token: t[caller],
          });
          expect(detail.status).toBe(200);
          expect(detail.body.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2]);
          expect(detail.body.last_message.seq).toBe(2);
          const reads = Object.fromEntries(
            detail.body.participants.map((p: { type: string; last_read_seq: number }) => [
              p.type,
              p.last_read_seq,
            ]),
          );
          // Sending reads up to one's own message; each side sent one of the two.
          expect(reads).toEqual(caller === 'customer1' ? { store: 1, customer: 2 } : { admin: 1, store: 2 });
        }
      });

      it('the admin sees every channel, the store its own, the customer only its own', async () => {
        const ids = async (token: string) =>
          (await call('GET', CONVERSATIONS, { token })).body.conversations.map((c: { id: string }) => c.id);
        expect(await ids(t.admin)).toEqual([adminStore]);
        expect(await ids(t.store1)).toEqual([storeCustomer, adminStore]);
        expect(await ids(t.customer1)).toEqual([storeCustomer]);
        expect(await ids(t.store2)).toEqual([otherStore]);
        expect(await ids(t.customer2)).toEqual([]);
      });
    });

    describe('list', () => {
      it('pages with a keyset cursor and filters like the audience list', async () => {
        const first = await call('GET', `${CONVERSATIONS}?limit=1`, { token: t.store1 });
        expect(first.status).toBe(200);
        expect(first.body.conversations.map((c: { id: string }) => c.id)).toEqual([storeCustomer]);
        expect(first.body.total).toBe(2);
        expect(first.body.next_cursor).toEqual(expect.any(String));
        const second = await call(
          'GET',
          `${CONVERSATIONS}?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`,
          { token: t.store1 },
        );
        expect(second.body.conversations.map((c: { id: string }) => c.id)).toEqual([adminStore]);
        expect(second.body.next_cursor).toBeNull();
        // The store has not read the customer's reply; the admin conversation is read (its own reply).
        const unread = await call('GET', `${CONVERSATIONS}?unread_only=true`, { token: t.store1 });
        expect(unread.body.conversations.map((c: { id: string }) => c.id)).toEqual([storeCustomer]);
        const closed = await call('GET', `${CONVERSATIONS}?is_closed=true`, { token: t.store1 });
        expect(closed.body).toMatchObject({ conversations: [], total: 0 });
      });

      it('an unknown query parameter is a 400 naming it; a bad filter value names its field', async () => {
        const unknown = await call('GET', `${CONVERSATIONS}?limit=5&sort=desc`, { token: t.store1 });
        expectProblem(unknown, 400, 'VALIDATION', 'sort');
        expect(unknown.body.detail).toBe('sort is not a known parameter');
        expectProblem(
          await call('GET', `${CONVERSATIONS}/${adminStore}?zz=1`, { token: t.store1 }),
          400,
          'VALIDATION',
          'zz',
        );
        expectProblem(
          await call('GET', `${CONVERSATIONS}/${adminStore}/messages?page=2`, { token: t.store1 }),
          400,
          'VALIDATION',
          'page',
        );
        expectProblem(
          await call('GET', `${CONVERSATIONS}?conversation_type=group`, { token: t.store1 }),
          400,
          'VALIDATION',
          'conversation_type',
        );
        expectProblem(
          await call('GET', `${CONVERSATIONS}?limit=0`, { token: t.store1 }),
          400,
          'VALIDATION',
          'limit',
        );
      });
    });

    describe('history', () => {
      it('pages backwards in seq order with its cursor, oldest first within a page', async () => {
        for (const content of ['three', 'four', 'five']) {
          expect((await send(t.customer1, storeCustomer, content)).status).toBe(201);
        }
        const seen: number[][] = [];
        let url = `${CONVERSATIONS}/${storeCustomer}/messages?limit=2`;
        for (;;) {
          const page = await call('GET', url, { token: t.customer1 });
          expect(page.status, page.text).toBe(200);
          seen.push(page.body.messages.map((m: { seq: number }) => m.seq));
          if (page.body.next_cursor === null) break;
          url = `${CONVERSATIONS}/${storeCustomer}/messages?limit=2&cursor=${encodeURIComponent(page.body.next_cursor)}`;
        }
        expect(seen).toEqual([[4, 5], [2, 3], [1]]);
      });
    });

    describe('send', () => {
      it('JSON from each participant type answers the message with the next seq', async () => {
        let seq = 2;
        for (const caller of ['store1', 'customer1'] as const) {
          seq += 1;
          const sent = await send(t[caller], storeCustomer, `from ${caller}`);
          expect(sent.status, sent.text).toBe(201);
          expect(sent.body).toMatchObject({
            conversation_id: storeCustomer,
            seq,
            sender_type: caller === 'store1' ? 'store' : 'customer',
            content: `from ${caller}`,
            attachments: [],
          });
        }
        const fromAdmin = await send(t.admin, adminStore, 'from admin');
        expect(fromAdmin.body).toMatchObject({ seq: 3, sender_type: 'admin', sender_id: 'a1' });
        expectProblem(
          await call('POST', `${CONVERSATIONS}/${adminStore}/messages`, { token: t.admin }),
          400,
          'VALIDATION',
          'body',
        );
        expectProblem(
          await call('POST', `${CONVERSATIONS}/${adminStore}/messages`, {
            token: t.admin,
            body: { content: 'x', extra: 1 },
          }),
          400,
          'VALIDATION',
          'extra',
        );
      });

      it('multipart with attachments: URLs under /api/v1/conversations, downloadable there', async () => {
        const png = new Uint8Array(
          await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
            .png()
            .toBuffer(),
        );
        const text = new TextEncoder().encode('invoice line 1\n');
        const body = multipart('Two files', [
          { name: 'invoice.txt', bytes: text },
          { name: 'photo.png', bytes: png },
        ]);
        const response = await h.harness.app.inject({
          method: 'POST',
          url: `${CONVERSATIONS}/${storeCustomer}/messages`,
          headers: { authorization: `Bearer ${t.customer1}`, 'content-type': body.contentType },
          payload: body.payload,
        });
        expect(response.statusCode, response.body).toBe(201);
        const message = response.json();
        expect(message).toMatchObject({ seq: 3, content: 'Two files', sender_type: 'customer' });
        const [file, image] = message.attachments;
        const prefix = `${CONVERSATIONS}/${storeCustomer}/attachments/`;
        expect(file).toMatchObject({
          original_filename: 'invoice.txt',
          mime_type: 'text/plain',
          download_url: `${prefix}${file.id}`,
          thumbnail_url: null,
        });
        expect(image).toMatchObject({
          mime_type: 'image/png',
          is_image: true,
          image_width: 40,
          image_height: 30,
          download_url: `${prefix}${image.id}`,
          thumbnail_url: `${prefix}${image.id}/thumbnail`,
        });

        for (const token of [t.customer1, t.store1]) {
          const download = await h.harness.app.inject({
            method: 'GET',
            url: file.download_url,
            headers: { authorization: `Bearer ${token}` },
          });
          expect(download.statusCode).toBe(200);
          expect(download.body).toBe('invoice line 1\n');
          expect(download.headers['content-type']).toBe('text/plain; charset=utf-8');
          expect(download.headers['content-disposition']).toContain('invoice.txt');
          expect(download.headers['x-content-type-options']).toBe('nosniff');
        }
        const thumbnail = await h.harness.app.inject({
          method: 'GET',
          url: image.thumbnail_url,
          headers: { authorization: `Bearer ${t.store1}` },
        });
        expect(thumbnail.statusCode).toBe(200);
        expect(thumbnail.headers['content-type']).toBe('image/webp');

        // The audience routes show the same message, with their own download paths.
        const generic = await call('GET', `${CONVERSATIONS}/${storeCustomer}`, { token: t.store1 });
        const audience = await call('GET', `${AUDIENCE.store1}/${storeCustomer}`, { token: t.store1 });
        expect(generic.body).toEqual(withGenericUrls(audience.body, AUDIENCE.store1));
        expect(generic.body).not.toEqual(audience.body);

        // Someone who is not a participant: 404, like a file that does not exist.
        const outsider = await call('GET', file.download_url, { token: t.store2 });
        const missing = await call('GET', `${prefix}${MISSING_ID}`, { token: t.store1 });
        expectProblem(outsider, 404, 'NOT_FOUND');
        expectProblem(missing, 404, 'NOT_FOUND');

        // Its sender deletes one attachment; it is gone from the message and from storage.
        const deleted = await h.harness.app.inject({
          method: 'DELETE',
          url: file.download_url,
          headers: { authorization: `Bearer ${t.customer1}` },
        });
        expect(deleted.statusCode).toBe(204);
        expectProblem(await call('GET', file.download_url, { token: t.customer1 }), 404, 'NOT_FOUND');
        const after = await call('GET', `${CONVERSATIONS}/${storeCustomer}`, { token: t.customer1 });
        expect(after.body.messages.at(-1).attachments.map((a: { id: string }) => a.id)).toEqual([image.id]);
      });

      it('Idempotency-Key: a replay answers the first message with Idempotent-Replayed: true', async () => {
        const headers = { 'idempotency-key': 'order-7-reply-1' };
        const first = await call('POST', `${CONVERSATIONS}/${storeCustomer}/messages`, {
          token: t.customer1,
          body: { content: 'Where is it?' },
          headers,
        });
        expect(first.status).toBe(201);
        expect(first.headers['idempotent-replayed']).toBeUndefined();
        const replay = await call('POST', `${CONVERSATIONS}/${storeCustomer}/messages`, {
          token: t.customer1,
          body: { content: 'Where is it?' },
          headers,
        });
        expect(replay.status).toBe(201);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.body).toEqual(first.body);
        const other = await call('POST', `${CONVERSATIONS}/${storeCustomer}/messages`, {
          token: t.customer1,
          body: { content: 'Something else' },
          headers,
        });
        expectProblem(other, 422, 'IDEMPOTENCY_MISMATCH', 'idempotency_key');
        const detail = await call('GET', `${CONVERSATIONS}/${storeCustomer}`, { token: t.customer1 });
        expect(detail.body.message_count).toBe(3);
      });
    });

    describe('read state', () => {
      it('POST read with up_to_seq moves forward, never back; no body reads up to the latest', async () => {
        for (const content of ['three', 'four'])
          expect((await send(t.customer1, storeCustomer, content)).status).toBe(201);
        const read = (body?: unknown) =>
          call('POST', `${CONVERSATIONS}/${storeCustomer}/read`, {
            token: t.store1,
            ...(body === undefined ? {} : { body }),
          });
        const toTwo = await read({ up_to_seq: 2 });
        expect(toTwo.status, toTwo.text).toBe(200);
        expect(toTwo.body).toMatchObject({
          conversation_id: storeCustomer,
          last_read_seq: 2,
          unread_count: 2,
        });
        const back = await read({ up_to_seq: 1 });
        expect(back.body).toMatchObject({ last_read_seq: 2, unread_count: 2 });
        const detail = await call('GET', `${CONVERSATIONS}/${storeCustomer}`, { token: t.customer1 });
        expect(detail.body.participants.find((p: { type: string }) => p.type === 'store')).toMatchObject({
          last_read_seq: 2,
          unread_count: 2,
        });
        const latest = await read();
        expect(latest.body).toMatchObject({ last_read_seq: 4, unread_count: 0 });
        expect((await read({ up_to_seq: 3 })).body).toMatchObject({ last_read_seq: 4, unread_count: 0 });
        expectProblem(await read({ up_to_seq: 0 }), 400, 'VALIDATION', 'up_to_seq');
        expectProblem(await read({ up_to: 3 }), 400, 'VALIDATION', 'up_to');
        const summary = (await call('GET', CONVERSATIONS, { token: t.store1 })).body.conversations[0];
        expect(summary).toMatchObject({ id: storeCustomer, last_read_seq: 4, unread_count: 0 });
      });

      it('GET detail with mark_read=true reads up to the newest message', async () => {
        const detail = await call('GET', `${CONVERSATIONS}/${storeCustomer}?mark_read=true`, {
          token: t.store1,
        });
        expect(detail.status).toBe(200);
        expect(detail.body).toMatchObject({ unread_count: 0, last_read_seq: 2 });
        expect((await call('GET', `${CONVERSATIONS}/unread-count`, { token: t.store1 })).body).toEqual({
          total_unread: 0,
        });
      });
    });

    describe('preferences, close and reopen, delete', () => {
      it("PATCH preferences changes only the caller's given fields", async () => {
        const muted = await call('PATCH', `${CONVERSATIONS}/${storeCustomer}/preferences`, {
          token: t.customer1,
          body: { muted: true },
        });
        expect(muted.status, muted.text).toBe(200);
        expect(muted.body).toEqual({ email_notifications: true, muted: true });
        const quiet = await call('PATCH', `${CONVERSATIONS}/${storeCustomer}/preferences`, {
          token: t.customer1,
          body: { email_notifications: false },
        });
        expect(quiet.body).toEqual({ email_notifications: false, muted: true });
        const store = await call('GET', `${CONVERSATIONS}/${storeCustomer}`, { token: t.store1 });
        expect(store.body).toMatchObject({ muted: false, email_notifications: true });
        expectProblem(
          await call('PATCH', `${CONVERSATIONS}/${storeCustomer}/preferences`, {
            token: t.customer1,
            body: {},
          }),
          400,
          'VALIDATION',
          'email_notifications',
        );
      });

      it('close and reopen answer the summary, as the policy allows; a customer may not', async () => {
        const closed = await call('POST', `${CONVERSATIONS}/${storeCustomer}/close`, { token: t.store1 });
        expect(closed.status, closed.text).toBe(200);
        expect(closed.body).toMatchObject({ id: storeCustomer, is_closed: true, message_count: 3 });
        expect(closed.body).toEqual(
          (await call('GET', CONVERSATIONS, { token: t.store1 })).body.conversations.find(
            (c: { id: string }) => c.id === storeCustomer,
          ),
        );
        expectProblem(
          await call('POST', `${CONVERSATIONS}/${storeCustomer}/close`, { token: t.store1 }),
          409,
          'CONFLICT',
        );
        expectProblem(await send(t.customer1, storeCustomer, 'Hello?'), 409, 'CONVERSATION_CLOSED');
        expectProblem(
          await call('POST', `${CONVERSATIONS}/${storeCustomer}/reopen`, { token: t.customer1 }),
          403,
          'FORBIDDEN',
        );
        const reopened = await call('POST', `${CONVERSATIONS}/${storeCustomer}/reopen`, { token: t.store1 });
        expect(reopened.body).toMatchObject({ is_closed: false, closed_at: null, message_count: 4 });
        expectProblem(
          await call('POST', `${CONVERSATIONS}/${storeCustomer}/close`, { token: t.customer1 }),
          403,
          'FORBIDDEN',
        );
        // The admin closes its channel with the store, the store reopens it.
        expect((await call('POST', `${CONVERSATIONS}/${adminStore}/close`, { token: t.admin })).status).toBe(
          200,
        );
        expect(
          (await call('POST', `${CONVERSATIONS}/${adminStore}/reopen`, { token: t.store1 })).body.is_closed,
        ).toBe(false);
      });

      it('DELETE a message: its sender may, another participant may not; an admin purges its files', async () => {
        const detail = await call('GET', `${CONVERSATIONS}/${storeCustomer}`, { token: t.store1 });
        const [storeMessage, customerMessage] = detail.body.messages;
        const refused = await call(
          'DELETE',
          `${CONVERSATIONS}/${storeCustomer}/messages/${storeMessage.id}`,
          {
            token: t.customer1,
          },
        );
        expectProblem(refused, 403, 'FORBIDDEN');
        const own = await call('DELETE', `${CONVERSATIONS}/${storeCustomer}/messages/${customerMessage.id}`, {
          token: t.customer1,
        });
        expect(own.status, own.text).toBe(200);
        expect(own.body).toMatchObject({ id: customerMessage.id, seq: 2, is_deleted: true, content: '' });

        const adminMessage = (await call('GET', `${CONVERSATIONS}/${adminStore}`, { token: t.admin })).body
          .messages[0];
        const byAdmin = await call('DELETE', `${CONVERSATIONS}/${adminStore}/messages/${adminMessage.id}`, {
          token: t.admin,
        });
        expect(byAdmin.body.is_deleted).toBe(true);
        const purge = `${CONVERSATIONS}/${adminStore}/messages/${adminMessage.id}/purge-files`;
        expectProblem(await call('POST', purge, { token: t.store1 }), 403, 'FORBIDDEN');
        expect((await call('POST', purge, { token: t.admin })).body).toEqual({ purged_attachments: 0 });
      });
    });

    describe('what the caller may not see answers like what does not exist', () => {
      it('404 NOT_FOUND with the same title and detail, on every route', async () => {
        const routes: [Parameters<Call>[0], (id: string) => string, unknown?][] = [
          ['GET', (id) => `${CONVERSATIONS}/${id}`],
          ['GET', (id) => `${CONVERSATIONS}/${id}/messages`],
          ['POST', (id) => `${CONVERSATIONS}/${id}/messages`, { content: 'Peek' }],
          ['POST', (id) => `${CONVERSATIONS}/${id}/read`],
          ['PATCH', (id) => `${CONVERSATIONS}/${id}/preferences`, { muted: true }],
          ['POST', (id) => `${CONVERSATIONS}/${id}/close`],
          ['POST', (id) => `${CONVERSATIONS}/${id}/reopen`],
          ['DELETE', (id) => `${CONVERSATIONS}/${id}/messages/${MISSING_ID}`],
          ['POST', (id) => `${CONVERSATIONS}/${id}/messages/${MISSING_ID}/purge-files`],
          ['GET', (id) => `${CONVERSATIONS}/${id}/attachments/${MISSING_ID}`],
          ['GET', (id) => `${CONVERSATIONS}/${id}/attachments/${MISSING_ID}/thumbnail`],
          ['DELETE', (id) => `${CONVERSATIONS}/${id}/attachments/${MISSING_ID}`],
        ];
        // Another store's user, the other store's customer, and a customer in the admin's channel.
        const cases: [string, string][] = [
          [t.store2, storeCustomer],
          [t.customer3, storeCustomer],
          [t.customer2, storeCustomer],
          [t.customer1, adminStore],
          [t.store1, otherStore],
        ];
        for (const [token, hiddenId] of cases) {
          for (const [method, path, body] of routes) {
            const hidden = await call(method, path(hiddenId), { token, ...(body ? { body } : {}) });
            const missing = await call(method, path(MISSING_ID), { token, ...(body ? { body } : {}) });
            expectProblem(hidden, 404, 'NOT_FOUND');
            expectProblem(missing, 404, 'NOT_FOUND');
            expect(hidden.body.title).toBe(missing.body.title);
            expect(hidden.body.detail.replace(hiddenId, 'X'), `${method} ${path('…')}`).toBe(
              missing.body.detail.replace(MISSING_ID, 'X'),
            );
          }
        }
      });
    });
  });
}

describe('/api/v1/conversations in the OpenAPI document', () => {
  it('every operation: tag Conversations, an operationId, a summary, its success and problem responses', async () => {
    const { core, directory } = createInMemoryMessaging();
    const harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} });
    try {
      const document = (await harness.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        tags: { name: string }[];
        paths: Record<string, Record<string, Record<string, unknown>>>;
      };
      expect(document.tags.map((tag) => tag.name)).toContain('Conversations');
      const operations = Object.entries(document.paths)
        .filter(([path]) => path.startsWith(CONVERSATIONS))
        .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
      // 19 from conversation-routes.ts (5 of them issue 14's: edit, revisions, archive, unarchive, search),
      // 1 (recipients) from recipient-routes.ts,
      // 5 (create, rename and membership changes) from conversation-membership-routes.ts.
      expect(operations).toHaveLength(25);
      const ids = operations.map(({ op }) => op.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { path, method, op } of operations) {
        const where = `${method} ${path}`;
        expect(op.tags, where).toEqual(['Conversations']);
        expect(op.operationId, where).toEqual(expect.stringMatching(/^[a-z][A-Za-z]+$/));
        expect(op.summary, where).toEqual(expect.any(String));
        expect(op.security, where).toEqual([{ bearerAuth: [] }]);
        const statuses = Object.keys(op.responses as object);
        // A file download also answers 206 for one byte range.
        expect(
          statuses.filter((s) => s.startsWith('2') && s !== '206'),
          where,
        ).toHaveLength(1);
        expect(statuses, where).toEqual(expect.arrayContaining(['400', '401', '403', '429']));
        if (path.includes('{id}')) expect(statuses, where).toContain('404');
      }
    } finally {
      await harness.close();
    }
  });
});
