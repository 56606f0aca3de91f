import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken, secretKey } from '../../src/plugins/authentication.js';
import {
  type ApiResponse,
  type Call,
  client,
  FIXTURE,
  seedFixture,
  type Tokens,
  tokensFor,
} from './client.js';
import type { ApiHarness, HarnessFactory } from './harness.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MISSING_ID = '01890a5d-ac96-774b-bcce-b302099a8057';

/** Asserts an RFC 9457 problem with our code (and field). */
export function expectProblem(response: ApiResponse, status: number, code: string, field?: string): void {
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { code } });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toEqual(
    expect.objectContaining({
      type: `urn:parley:problem:${code.toLowerCase().replace(/_/g, '-')}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    }),
  );
  expect(response.body.detail.length).toBeGreaterThan(0);
  if (field !== undefined) expect(response.body.field).toBe(field);
}

const ADMIN = '/api/v1/admin/messages';
const STORE = '/api/v1/store/messages';
const STOREFRONT = '/api/v1/storefront/messages';
const PLATFORM = '/api/v1/platform';

/**
 * Every route and rule of the HTTP API, written once and run on each adapter set: the factory
 * returns a fresh API over empty storage.
 *
 * @example
 * ```ts
 * apiScenarios('in-memory', async () => inMemoryHarness());
 * ```
 */
export function apiScenarios(label: string, factory: HarnessFactory): void {
  describe(`HTTP API on ${label}`, () => {
    let harness: ApiHarness;
    let call: Call;
    let t: Tokens;

    beforeEach(async () => {
      harness = await factory();
      call = client(harness);
      t = await tokensFor(harness.jwtSecret);
      await seedFixture(call, t.service);
    });
    afterEach(async () => {
      await harness.close();
    });

    /** Admin a1 opens an admin_store conversation with store user u1. */
    async function adminOpensStoreConversation(
      subject = 'Payout delay',
      initial: string | null = 'Hello Acme',
    ) {
      const response = await call('POST', ADMIN, {
        token: t.admin,
        body: {
          conversation_type: 'admin_store',
          subject,
          recipient_type: 'store',
          recipient_id: 'u1',
          ...(initial === null ? {} : { initial_message: initial }),
        },
      });
      expect(response.status).toBe(201);
      return response.body;
    }

    /** Store user u1 opens a store_customer conversation with customer c1. */
    async function storeOpensCustomerConversation(initial = 'Your order shipped') {
      const response = await call('POST', STORE, {
        token: t.store1,
        body: {
          conversation_type: 'store_customer',
          subject: 'Order #42',
          recipient_type: 'customer',
          recipient_id: 'c1',
          initial_message: initial,
        },
      });
      expect(response.status).toBe(201);
      return response.body;
    }

    async function unread(base: string, token: string): Promise<number> {
      const response = await call('GET', `${base}/unread-count`, { token });
      expect(response.status).toBe(200);
      return response.body.total_unread;
    }

    describe('health', () => {
      it('GET /healthz answers 200 while the process is up', async () => {
        const response = await call('GET', '/healthz');
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ status: 'ok' });
      });

      it('GET /readyz answers 200 when the database answers, naming it', async () => {
        const response = await call('GET', '/readyz');
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ status: 'ready', database: harness.databaseKind });
      });
    });

    describe('platform directory (service tokens)', () => {
      it('PUT /stores upserts idempotently, defaults the tier and GET reads it back', async () => {
        const first = await call('PUT', `${PLATFORM}/stores/s9`, {
          token: t.service,
          body: { name: 'Initech' },
        });
        expect(first.status).toBe(200);
        expect(first.body).toEqual({
          id: 's9',
          name: 'Initech',
          tier: 'essential',
          created_at: expect.stringMatching(ISO),
          updated_at: expect.stringMatching(ISO),
        });
        const second = await call('PUT', `${PLATFORM}/stores/s9`, {
          token: t.service,
          body: { name: 'Initech Ltd', tier: 'enterprise' },
        });
        expect(second.status).toBe(200);
        expect(second.body).toMatchObject({ id: 's9', name: 'Initech Ltd', tier: 'enterprise' });
        expect(second.body.created_at).toBe(first.body.created_at);
        const read = await call('GET', `${PLATFORM}/stores/s9`, { token: t.service });
        expect(read.status).toBe(200);
        expect(read.body).toEqual(second.body);
      });

      it('PUT /users stores admins and store staff; GET reads them back', async () => {
        const admin = await call('GET', `${PLATFORM}/users/a1`, { token: t.service });
        expect(admin.body).toMatchObject({ id: 'a1', role: 'admin', store_id: null, locale: 'en' });
        const staff = await call('PUT', `${PLATFORM}/users/u9`, {
          token: t.service,
          body: { name: 'Nia', email: 'nia@acme.test', role: 'store', store_id: 's1', locale: 'de' },
        });
        expect(staff.status).toBe(200);
        expect(staff.body).toMatchObject({
          id: 'u9',
          name: 'Nia',
          role: 'store',
          store_id: 's1',
          locale: 'de',
        });
        const again = await call('GET', `${PLATFORM}/users/u9`, { token: t.service });
        expect(again.body).toEqual(staff.body);
      });

      it('PUT /customers stores a customer of a store; GET reads it back', async () => {
        const response = await call('PUT', `${PLATFORM}/customers/c9`, {
          token: t.service,
          body: { store_id: 's2', name: 'Dan', email: 'dan@mail.test' },
        });
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ id: 'c9', store_id: 's2', name: 'Dan', locale: 'en' });
        const read = await call('GET', `${PLATFORM}/customers/c1`, { token: t.service });
        expect(read.body).toMatchObject({ id: 'c1', store_id: 's1', name: 'Carla', locale: 'fr' });
      });

      it('an unknown store is a 404 for users and customers, and unknown records are 404s', async () => {
        const user = await call('PUT', `${PLATFORM}/users/u8`, {
          token: t.service,
          body: { name: 'X', email: 'x@acme.test', role: 'store', store_id: 'nope' },
        });
        expectProblem(user, 404, 'NOT_FOUND');
        const customer = await call('PUT', `${PLATFORM}/customers/c8`, {
          token: t.service,
          body: { store_id: 'nope', name: 'X', email: 'x@mail.test' },
        });
        expectProblem(customer, 404, 'NOT_FOUND');
        expectProblem(await call('GET', `${PLATFORM}/stores/nope`, { token: t.service }), 404, 'NOT_FOUND');
        expectProblem(await call('GET', `${PLATFORM}/users/nope`, { token: t.service }), 404, 'NOT_FOUND');
        expectProblem(
          await call('GET', `${PLATFORM}/customers/nope`, { token: t.service }),
          404,
          'NOT_FOUND',
        );
      });

      it('validates bodies, naming the field', async () => {
        const put = (path: string, body: unknown) =>
          call('PUT', `${PLATFORM}${path}`, { token: t.service, body });
        expectProblem(
          await put('/users/u8', { name: 'X', email: 'x@acme.test', role: 'store' }),
          400,
          'VALIDATION',
          'store_id',
        );
        expectProblem(
          await put('/users/u8', { name: 'X', email: 'not-an-email', role: 'admin' }),
          400,
          'VALIDATION',
          'email',
        );
        expectProblem(
          await put('/users/u8', { email: 'x@acme.test', role: 'admin' }),
          400,
          'VALIDATION',
          'name',
        );
        const role = await put('/users/u8', { name: 'X', email: 'x@acme.test', role: 'customer' });
        expectProblem(role, 400, 'VALIDATION', 'role');
        expect(role.body.detail).toContain('admin, store');
        const tier = await put('/stores/s8', { name: 'X', tier: 'gold' });
        expectProblem(tier, 400, 'VALIDATION', 'tier');
        expect(tier.body.detail).toContain('essential');
        expectProblem(await put('/stores/s8', { name: 'X', colour: 'red' }), 400, 'VALIDATION', 'colour');
        expectProblem(
          await put('/customers/c8', {
            store_id: 's1',
            name: 'X',
            email: 'x@mail.test',
            locale: 'not a locale',
          }),
          400,
          'VALIDATION',
          'locale',
        );
      });

      it('only service tokens may use the directory', async () => {
        expectProblem(await call('GET', `${PLATFORM}/stores/s1`), 401, 'UNAUTHENTICATED');
        for (const token of [t.admin, t.store1, t.customer1]) {
          const response = await call('PUT', `${PLATFORM}/stores/s1`, { token, body: { name: 'Hijacked' } });
          expectProblem(response, 403, 'FORBIDDEN');
        }
        const store = await call('GET', `${PLATFORM}/stores/s1`, { token: t.service });
        expect(store.body.name).toBe('Acme');
      });
    });

    describe('the seed scenario: admin and store', () => {
      it('admin opens, store replies, unread moves on both sides, mark-read resets, close blocks, reopen allows', async () => {
        // Admin opens a store conversation with a first message.
        const opened = await adminOpensStoreConversation();
        expect(opened).toMatchObject({
          conversation_type: 'admin_store',
          subject: 'Payout delay',
          store_id: 's1',
          is_closed: false,
          closed_at: null,
          message_count: 1,
          unread_count: 0,
          muted: false,
          email_notifications: true,
          other_participants: [{ type: 'store', id: 'u1', name: 'Sam Acme' }],
          last_message: { content: 'Hello Acme', sender_type: 'admin', sender_id: 'a1' },
          next_cursor: null,
        });
        expect(typeof opened.id).toBe('string');
        expect(opened.created_at).toMatch(ISO);
        expect(opened.participants).toEqual(
          expect.arrayContaining([
            {
              type: 'admin',
              id: 'a1',
              name: 'Ada Admin',
              unread_count: 0,
              last_read_seq: 1,
              last_read_at: expect.stringMatching(ISO),
              role: 'member',
              joined_at: expect.stringMatching(ISO),
              left_at: null,
            },
            {
              type: 'store',
              id: 'u1',
              name: 'Sam Acme',
              unread_count: 1,
              last_read_seq: 0,
              last_read_at: null,
              role: 'member',
              joined_at: expect.stringMatching(ISO),
              left_at: null,
            },
          ]),
        );
        expect(opened.messages).toEqual([
          {
            id: expect.any(String),
            conversation_id: opened.id,
            seq: 1,
            sender_type: 'admin',
            sender_id: 'a1',
            sender_name: 'Ada Admin',
            content: 'Hello Acme',
            is_system_message: false,
            is_deleted: false,
            created_at: expect.stringMatching(ISO),
            // Never edited (issue 14).
            edited_at: null,
            revision: 1,
            attachments: [],
            // Nobody else has received it yet (no acknowledgement, no read).
            read_by: [],
            delivered_to: [],
            read_count: 0,
            delivered_count: 0,
          },
        ]);
        const id: string = opened.id;

        // The store sees it unread.
        expect(await unread(STORE, t.store1)).toBe(1);
        const inbox = await call('GET', STORE, { token: t.store1 });
        expect(inbox.status).toBe(200);
        expect(inbox.body).toMatchObject({ total: 1, total_unread: 1, next_cursor: null });
        expect(inbox.body.conversations).toHaveLength(1);
        expect(inbox.body.conversations[0]).toMatchObject({
          id,
          unread_count: 1,
          other_participants: [{ type: 'admin', id: 'a1', name: 'Ada Admin' }],
          last_message: { content: 'Hello Acme', sender_type: 'admin', sender_id: 'a1' },
        });

        // The store replies: the admin's count rises, the store's is cleared by sending.
        const reply = await call('POST', `${STORE}/${id}/messages`, {
          token: t.store1,
          body: { content: '  Hi Ada  ' },
        });
        expect(reply.status).toBe(201);
        expect(reply.body).toMatchObject({
          conversation_id: id,
          sender_type: 'store',
          sender_id: 'u1',
          sender_name: 'Sam Acme',
          content: 'Hi Ada',
          is_system_message: false,
          attachments: [],
        });
        expect(await unread(ADMIN, t.admin)).toBe(1);
        expect(await unread(STORE, t.store1)).toBe(0);

        // Reading without mark_read leaves the count; mark_read=true resets it.
        const peek = await call('GET', `${ADMIN}/${id}`, { token: t.admin });
        expect(peek.body.unread_count).toBe(1);
        expect(peek.body.messages.map((m: { content: string }) => m.content)).toEqual([
          'Hello Acme',
          'Hi Ada',
        ]);
        const read = await call('GET', `${ADMIN}/${id}?mark_read=true`, { token: t.admin });
        expect(read.status).toBe(200);
        expect(read.body.unread_count).toBe(0);
        expect(await unread(ADMIN, t.admin)).toBe(0);

        // PUT /read resets the store's count after another admin message.
        await call('POST', `${ADMIN}/${id}/messages`, { token: t.admin, body: { content: 'Any news?' } });
        expect(await unread(STORE, t.store1)).toBe(1);
        const marked = await call('PUT', `${STORE}/${id}/read`, { token: t.store1 });
        expect(marked.status).toBe(200);
        expect(marked.body).toEqual({
          conversation_id: id,
          unread_count: 0,
          last_read_seq: 3,
          last_read_at: expect.stringMatching(ISO),
        });
        expect(await unread(STORE, t.store1)).toBe(0);

        // Close: a 200 summary; sending is refused with 409; closing twice is a 409 conflict.
        const closed = await call('POST', `${ADMIN}/${id}/close`, { token: t.admin });
        expect(closed.status).toBe(200);
        expect(closed.body).toMatchObject({ id, is_closed: true, message_count: 4, unread_count: 0 });
        expect(closed.body.closed_at).toMatch(ISO);
        expect(closed.body.last_message).toMatchObject({ sender_type: 'admin', sender_id: 'a1' });
        expect(closed.body).not.toHaveProperty('messages');
        const refused = await call('POST', `${STORE}/${id}/messages`, {
          token: t.store1,
          body: { content: 'Wait' },
        });
        expectProblem(refused, 409, 'CONVERSATION_CLOSED');
        expectProblem(await call('POST', `${STORE}/${id}/close`, { token: t.store1 }), 409, 'CONFLICT');
        const closedOnly = await call('GET', `${STORE}?is_closed=true`, { token: t.store1 });
        expect(closedOnly.body.conversations.map((c: { id: string }) => c.id)).toEqual([id]);
        const openOnly = await call('GET', `${STORE}?is_closed=false`, { token: t.store1 });
        expect(openOnly.body).toMatchObject({ conversations: [], total: 0 });

        // Reopen (by the store this time) allows sending again.
        const reopened = await call('POST', `${STORE}/${id}/reopen`, { token: t.store1 });
        expect(reopened.status).toBe(200);
        expect(reopened.body).toMatchObject({ id, is_closed: false, message_count: 5 });
        expectProblem(await call('POST', `${STORE}/${id}/reopen`, { token: t.store1 }), 409, 'CONFLICT');
        const again = await call('POST', `${STORE}/${id}/messages`, {
          token: t.store1,
          body: { content: 'Back' },
        });
        expect(again.status).toBe(201);
        expect(await unread(ADMIN, t.admin)).toBe(1);
      });

      it('system messages of close and reopen appear in the history and raise no unread count', async () => {
        const { id } = await adminOpensStoreConversation('Quiet', null);
        await call('POST', `${ADMIN}/${id}/close`, { token: t.admin });
        await call('POST', `${ADMIN}/${id}/reopen`, { token: t.admin });
        const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
        expect(detail.body.messages.map((m: { is_system_message: boolean }) => m.is_system_message)).toEqual([
          true,
          true,
        ]);
        expect(detail.body.unread_count).toBe(0);
        expect(await unread(STORE, t.store1)).toBe(0);
      });
    });

    describe('one order: seq', () => {
      it('numbers messages, exposes read state as last_read_seq, and reads up to a seq', async () => {
        const { id } = await adminOpensStoreConversation('Order', 'one');
        for (const content of ['two', 'three', 'four']) {
          const sent = await call('POST', `${ADMIN}/${id}/messages`, { token: t.admin, body: { content } });
          expect(sent.status).toBe(201);
        }
        const reply = await call('POST', `${STORE}/${id}/messages`, {
          token: t.store1,
          body: { content: 'five' },
        });
        expect(reply.body.seq).toBe(5);
        const more = await call('POST', `${ADMIN}/${id}/messages`, {
          token: t.admin,
          body: { content: 'six' },
        });
        expect(more.body.seq).toBe(6);

        const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
        expect(detail.body.messages.map((m: { seq: number; content: string }) => [m.seq, m.content])).toEqual(
          [
            [1, 'one'],
            [2, 'two'],
            [3, 'three'],
            [4, 'four'],
            [5, 'five'],
            [6, 'six'],
          ],
        );
        expect(detail.body).toMatchObject({ unread_count: 1, last_read_seq: 5 });
        expect(detail.body.last_message).toMatchObject({ seq: 6, content: 'six' });
        const members = Object.fromEntries(
          detail.body.participants.map((p: { id: string; last_read_seq: number }) => [p.id, p.last_read_seq]),
        );
        expect(members).toEqual({ a1: 6, u1: 5 });
        const inbox = await call('GET', STORE, { token: t.store1 });
        expect(inbox.body.conversations[0]).toMatchObject({ id, last_read_seq: 5, last_message: { seq: 6 } });

        // The admin has read up to their own latest message; an empty body reads up to the latest.
        const adminRead = await call('PUT', `${ADMIN}/${id}/read`, { token: t.admin, body: {} });
        expect(adminRead.body).toMatchObject({ unread_count: 0, last_read_seq: 6 });
        // The store user reads up to their own 5: six is still unread.
        const upTo = await call('PUT', `${STORE}/${id}/read`, { token: t.store1, body: { up_to_seq: 5 } });
        expect(upTo.status).toBe(200);
        expect(upTo.body).toMatchObject({ conversation_id: id, unread_count: 1, last_read_seq: 5 });
        expect(await unread(STORE, t.store1)).toBe(1);
        const all = await call('PUT', `${STORE}/${id}/read`, { token: t.store1, body: { up_to_seq: 99 } });
        expect(all.body).toMatchObject({ unread_count: 0, last_read_seq: 6 });
        // Never backwards.
        const back = await call('PUT', `${STORE}/${id}/read`, { token: t.store1, body: { up_to_seq: 2 } });
        expect(back.body).toMatchObject({ unread_count: 0, last_read_seq: 6 });
        expect(await unread(STORE, t.store1)).toBe(0);

        for (const body of [
          { up_to_seq: 0 },
          { up_to_seq: 1.5 },
          { up_to_seq: 'latest' },
          { up_to_seq: 2 ** 31 },
        ]) {
          expectProblem(
            await call('PUT', `${STORE}/${id}/read`, { token: t.store1, body }),
            400,
            'VALIDATION',
            'up_to_seq',
          );
        }
        expectProblem(
          await call('PUT', `${STORE}/${id}/read`, { token: t.store1, body: { up_to: 2 } }),
          400,
          'VALIDATION',
        );
        expectProblem(
          await call('PUT', `${STORE}/${id}/read`, { token: t.store2, body: { up_to_seq: 2 } }),
          404,
          'NOT_FOUND',
        );
      });
    });

    describe('one order under concurrent sends', () => {
      it('50 concurrent sends from both sides: counters, read state, preview and history agree by seq', async () => {
        const { id } = await adminOpensStoreConversation('Race', 'start');
        const sends = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            i % 2 === 0
              ? call('POST', `${ADMIN}/${id}/messages`, { token: t.admin, body: { content: `a${i}` } })
              : call('POST', `${STORE}/${id}/messages`, { token: t.store1, body: { content: `s${i}` } }),
          ),
        );
        expect(sends.map((r) => r.status)).toEqual(sends.map(() => 201));
        expect(new Set(sends.map((r) => r.body.seq)).size).toBe(50);

        const history = await call('GET', `${ADMIN}/${id}/messages?limit=100`, { token: t.admin });
        const messages: { seq: number; sender_type: string; created_at: string; content: string }[] =
          history.body.messages;
        expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
        for (let i = 1; i < messages.length; i += 1) {
          expect(Date.parse(messages[i]!.created_at)).toBeGreaterThanOrEqual(
            Date.parse(messages[i - 1]!.created_at),
          );
        }
        // What each send answered is what history holds at that seq.
        for (const sent of sends) {
          expect(messages[sent.body.seq - 1]).toMatchObject({
            content: sent.body.content,
            created_at: sent.body.created_at,
          });
        }
        const detail = await call('GET', `${ADMIN}/${id}`, { token: t.admin });
        const latest = messages.at(-1)!;
        expect(detail.body).toMatchObject({ message_count: 51, last_message_at: latest.created_at });
        expect(detail.body.last_message).toMatchObject({ seq: 51, content: latest.content });
        for (const p of detail.body.participants as {
          type: string;
          last_read_seq: number;
          unread_count: number;
        }[]) {
          const mine = messages.filter((m) => m.sender_type === p.type).at(-1)!;
          // Everyone has read up to their own latest message, and counts exactly the others' after it.
          expect(p.last_read_seq).toBe(mine.seq);
          expect(p.unread_count).toBe(
            messages.filter((m) => m.seq > p.last_read_seq && m.sender_type !== p.type).length,
          );
        }
        expect(await unread(STORE, t.store1)).toBe(
          detail.body.participants.find((p: { type: string }) => p.type === 'store').unread_count,
        );
      });
    });

    describe('tenancy and audiences', () => {
      it("a store user cannot read or touch another store's conversation by id: 404 like a missing one", async () => {
        const { id } = await adminOpensStoreConversation();
        const hidden = await call('GET', `${STORE}/${id}`, { token: t.store2 });
        expectProblem(hidden, 404, 'NOT_FOUND');
        const missing = await call('GET', `${STORE}/${MISSING_ID}`, { token: t.store2 });
        expectProblem(missing, 404, 'NOT_FOUND');
        expect(hidden.body.detail.replace(id, 'X')).toBe(missing.body.detail.replace(MISSING_ID, 'X'));
        expect(hidden.body.title).toBe(missing.body.title);
        expectProblem(await call('GET', `${STORE}/${id}/messages`, { token: t.store2 }), 404, 'NOT_FOUND');
        const send = await call('POST', `${STORE}/${id}/messages`, {
          token: t.store2,
          body: { content: 'Peek' },
        });
        expectProblem(send, 404, 'NOT_FOUND');
        expectProblem(await call('POST', `${STORE}/${id}/close`, { token: t.store2 }), 404, 'NOT_FOUND');
        expectProblem(await call('PUT', `${STORE}/${id}/read`, { token: t.store2 }), 404, 'NOT_FOUND');
        const preferences = await call('PUT', `${STORE}/${id}/preferences`, {
          token: t.store2,
          body: { muted: true },
        });
        expectProblem(preferences, 404, 'NOT_FOUND');
        const inbox = await call('GET', STORE, { token: t.store2 });
        expect(inbox.body).toMatchObject({ conversations: [], total: 0, total_unread: 0 });
      });

      it('ids that are not ids of anything are 404s', async () => {
        expectProblem(await call('GET', `${ADMIN}/not-a-uuid`, { token: t.admin }), 404, 'NOT_FOUND');
        expectProblem(await call('GET', `${ADMIN}/${MISSING_ID}`, { token: t.admin }), 404, 'NOT_FOUND');
        const send = await call('POST', `${ADMIN}/not-a-uuid/messages`, {
          token: t.admin,
          body: { content: 'x' },
        });
        expectProblem(send, 404, 'NOT_FOUND');
      });

      it('a store user starting admin_store with itself is refused by role (403), not as "yourself" (400)', async () => {
        const self = await call('POST', STORE, {
          token: t.store1,
          body: {
            conversation_type: 'admin_store',
            subject: 'Hi',
            recipient_type: 'store',
            recipient_id: 'u1',
          },
        });
        expectProblem(self, 403, 'FORBIDDEN');
        expect(self.body.detail).toBe('a store may not start admin_store conversations');
        // The same answer as for another store user: the role decides, not who the recipient is.
        const other = await call('POST', STORE, {
          token: t.store1,
          body: {
            conversation_type: 'admin_store',
            subject: 'Hi',
            recipient_type: 'store',
            recipient_id: 'u2',
          },
        });
        expect({ ...other.body, request_id: null }).toEqual({ ...self.body, request_id: null });
      });

      it('customers have no create, close, reopen or recipients route; their tokens are refused elsewhere', async () => {
        const { id } = await storeOpensCustomerConversation();
        const create = await call('POST', STOREFRONT, {
          token: t.customer1,
          body: {
            conversation_type: 'store_customer',
            subject: 'Hi',
            recipient_type: 'customer',
            recipient_id: 'c2',
          },
        });
        expectProblem(create, 404, 'ROUTE_NOT_FOUND');
        expectProblem(
          await call('POST', `${STOREFRONT}/${id}/close`, { token: t.customer1 }),
          404,
          'ROUTE_NOT_FOUND',
        );
        expectProblem(
          await call('POST', `${STOREFRONT}/${id}/reopen`, { token: t.customer1 }),
          404,
          'ROUTE_NOT_FOUND',
        );
        // Not read as a conversation id: answered exactly like every other absent route, token or not.
        const absent = await call('POST', `${STOREFRONT}/${id}/close`, { token: t.customer1 });
        const shape = (response: typeof absent) => {
          const { detail, request_id, ...rest } = response.body;
          return { status: response.status, rest, detail: detail.replace(/ \S+$/, ' <path>') };
        };
        for (const token of [t.customer1, undefined]) {
          const recipients = await call('GET', `${STOREFRONT}/recipients?recipient_type=customer`, {
            ...(token === undefined ? {} : { token }),
          });
          expectProblem(recipients, 404, 'ROUTE_NOT_FOUND');
          expect(recipients.body.detail).toBe('no route serves GET /api/v1/storefront/messages/recipients');
          expect(shape(recipients)).toEqual({ ...shape(absent), detail: 'no route serves GET <path>' });
        }
        // The store and admin routes are not the customer's audience.
        expectProblem(await call('POST', `${STORE}/${id}/close`, { token: t.customer1 }), 403, 'FORBIDDEN');
        const viaStore = await call('POST', STORE, {
          token: t.customer1,
          body: {
            conversation_type: 'store_customer',
            subject: 'Hi',
            recipient_type: 'customer',
            recipient_id: 'c2',
          },
        });
        expectProblem(viaStore, 403, 'FORBIDDEN');
        expectProblem(await call('GET', ADMIN, { token: t.customer1 }), 403, 'FORBIDDEN');
        const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
        expect(detail.body.is_closed).toBe(false);
      });

      it('each audience only on its own routes', async () => {
        expectProblem(await call('GET', ADMIN, { token: t.store1 }), 403, 'FORBIDDEN');
        expectProblem(await call('GET', STORE, { token: t.admin }), 403, 'FORBIDDEN');
        expectProblem(await call('GET', STOREFRONT, { token: t.admin }), 403, 'FORBIDDEN');
        expectProblem(await call('GET', STOREFRONT, { token: t.store1 }), 403, 'FORBIDDEN');
        expectProblem(await call('GET', ADMIN, { token: t.service }), 403, 'FORBIDDEN');
        expect((await call('GET', ADMIN, { token: t.admin })).status).toBe(200);
        expect((await call('GET', STORE, { token: t.store1 })).status).toBe(200);
        expect((await call('GET', STOREFRONT, { token: t.customer1 })).status).toBe(200);
      });
    });

    describe('store and customer', () => {
      it('the customer reads, replies, mutes; badges follow', async () => {
        const { id } = await storeOpensCustomerConversation();
        expect(await unread(STOREFRONT, t.customer1)).toBe(1);
        const inbox = await call('GET', STOREFRONT, { token: t.customer1 });
        expect(inbox.body.conversations[0]).toMatchObject({
          id,
          conversation_type: 'store_customer',
          store_id: 's1',
          unread_count: 1,
          other_participants: [{ type: 'store', id: 'u1', name: 'Sam Acme' }],
        });
        expect((await call('GET', STOREFRONT, { token: t.customer2 })).body.total).toBe(0);
        expectProblem(await call('GET', `${STOREFRONT}/${id}`, { token: t.customer2 }), 404, 'NOT_FOUND');
        expectProblem(await call('GET', `${STOREFRONT}/${id}`, { token: t.customer3 }), 404, 'NOT_FOUND');

        const detail = await call('GET', `${STOREFRONT}/${id}?mark_read=true`, { token: t.customer1 });
        expect(detail.status).toBe(200);
        expect(detail.body.unread_count).toBe(0);
        expect(detail.body.participants).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ type: 'customer', id: 'c1', name: 'Carla', unread_count: 0 }),
          ]),
        );
        expect(await unread(STOREFRONT, t.customer1)).toBe(0);

        const reply = await call('POST', `${STOREFRONT}/${id}/messages`, {
          token: t.customer1,
          body: { content: 'Thanks!' },
        });
        expect(reply.status).toBe(201);
        expect(reply.body).toMatchObject({ sender_type: 'customer', sender_id: 'c1', sender_name: 'Carla' });
        expect(await unread(STORE, t.store1)).toBe(1);

        const muted = await call('PUT', `${STOREFRONT}/${id}/preferences`, {
          token: t.customer1,
          body: { muted: true },
        });
        expect(muted.status).toBe(200);
        expect(muted.body).toEqual({ email_notifications: true, muted: true });
        const quiet = await call('PUT', `${STOREFRONT}/${id}/preferences`, {
          token: t.customer1,
          body: { email_notifications: false },
        });
        expect(quiet.body).toEqual({ email_notifications: false, muted: true });

        await call('POST', `${STORE}/${id}/messages`, {
          token: t.store1,
          body: { content: 'Anything else?' },
        });
        // Muted: the conversation keeps its count but leaves the badge.
        expect(await unread(STOREFRONT, t.customer1)).toBe(0);
        const after = await call('GET', STOREFRONT, { token: t.customer1 });
        expect(after.body.conversations[0]).toMatchObject({
          unread_count: 1,
          muted: true,
          email_notifications: false,
        });
        expect(after.body.total_unread).toBe(0);
        const unreadOnly = await call('GET', `${STOREFRONT}?unread_only=true`, { token: t.customer1 });
        expect(unreadOnly.body.conversations.map((c: { id: string }) => c.id)).toEqual([id]);

        const storeRead = await call('PUT', `${STOREFRONT}/${id}/read`, { token: t.customer1 });
        expect(storeRead.body).toMatchObject({ conversation_id: id, unread_count: 0 });
        const none = await call('GET', `${STOREFRONT}?unread_only=true`, { token: t.customer1 });
        expect(none.body).toMatchObject({ conversations: [], total: 0 });
      });

      it('the policy decides who may start what with whom', async () => {
        const create = (token: string, body: Record<string, unknown>) => call('POST', STORE, { token, body });
        const otherStoresCustomer = await create(t.store1, {
          conversation_type: 'store_customer',
          subject: 'Hi',
          recipient_type: 'customer',
          recipient_id: 'c3',
        });
        expectProblem(otherStoresCustomer, 404, 'NOT_FOUND', 'recipient_id');
        const unknownCustomer = await create(t.store1, {
          conversation_type: 'store_customer',
          subject: 'Hi',
          recipient_type: 'customer',
          recipient_id: 'nobody',
        });
        expectProblem(unknownCustomer, 404, 'NOT_FOUND', 'recipient_id');
        const storeStartsAdminType = await create(t.store1, {
          conversation_type: 'admin_store',
          subject: 'Hi',
          recipient_type: 'store',
          recipient_id: 'u2',
        });
        expectProblem(storeStartsAdminType, 403, 'FORBIDDEN');
        const mismatch = await call('POST', ADMIN, {
          token: t.admin,
          body: {
            conversation_type: 'admin_store',
            subject: 'Hi',
            recipient_type: 'customer',
            recipient_id: 'c1',
          },
        });
        expectProblem(mismatch, 400, 'VALIDATION', 'recipient_type');
        const adminCustomer = await call('POST', ADMIN, {
          token: t.admin,
          body: {
            conversation_type: 'admin_customer',
            subject: 'Refund',
            recipient_type: 'customer',
            recipient_id: 'c3',
          },
        });
        expect(adminCustomer.status).toBe(201);
        expect(adminCustomer.body).toMatchObject({
          store_id: 's2',
          message_count: 0,
          last_message: null,
          messages: [],
        });
        expect(await unread(STOREFRONT, t.customer3)).toBe(0);
        expect((await call('GET', STOREFRONT, { token: t.customer3 })).body.total).toBe(1);
      });

      it('recipients: admins see store users and customers, stores only their own customers', async () => {
        const storeCustomers = await call('GET', `${STORE}/recipients?recipient_type=customer`, {
          token: t.store1,
        });
        expect(storeCustomers.status).toBe(200);
        expect(storeCustomers.body).toEqual({
          recipients: [
            { type: 'customer', id: 'c1', name: 'Carla', email: 'carla@mail.test', store_id: 's1' },
            { type: 'customer', id: 'c2', name: 'Chris', email: 'chris@mail.test', store_id: 's1' },
          ],
        });
        const search = await call('GET', `${STORE}/recipients?recipient_type=customer&q=CHRIS`, {
          token: t.store1,
        });
        expect(search.body.recipients.map((r: { id: string }) => r.id)).toEqual(['c2']);
        const limited = await call('GET', `${STORE}/recipients?recipient_type=customer&limit=1`, {
          token: t.store1,
        });
        expect(limited.body.recipients).toHaveLength(1);
        expectProblem(
          await call('GET', `${STORE}/recipients?recipient_type=store`, { token: t.store1 }),
          403,
          'FORBIDDEN',
        );
        expectProblem(
          await call('GET', `${STORE}/recipients`, { token: t.store1 }),
          400,
          'VALIDATION',
          'recipient_type',
        );
        const staff = await call('GET', `${ADMIN}/recipients?recipient_type=store`, { token: t.admin });
        expect(staff.body.recipients).toEqual([
          { type: 'store', id: 'u2', name: 'Gil Globex', email: 'gil@globex.test', store_id: 's2' },
          { type: 'store', id: 'u1', name: 'Sam Acme', email: 'sam@acme.test', store_id: 's1' },
        ]);
        const customers = await call('GET', `${ADMIN}/recipients?recipient_type=customer`, {
          token: t.admin,
        });
        expect(customers.body.recipients.map((r: { id: string }) => r.id)).toEqual(['c1', 'c2', 'c3']);
      });
    });

    describe('idempotent sends', () => {
      it('a replay returns the first message (201, Idempotent-Replayed); another body with the key is a 422', async () => {
        const { id } = await adminOpensStoreConversation();
        const send = (content: string, key: string) =>
          call('POST', `${STORE}/${id}/messages`, {
            token: t.store1,
            body: { content },
            headers: { 'idempotency-key': key },
          });
        const first = await send('Shipped today', 'key-1');
        expect(first.status).toBe(201);
        expect(first.headers['idempotent-replayed']).toBeUndefined();
        const replay = await send('Shipped today', 'key-1');
        expect(replay.status).toBe(201);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.body).toEqual(first.body);
        const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
        expect(detail.body.message_count).toBe(2);
        expect(await unread(ADMIN, t.admin)).toBe(1);

        const mismatch = await send('Shipped tomorrow', 'key-1');
        expectProblem(mismatch, 422, 'IDEMPOTENCY_MISMATCH', 'idempotency_key');
        expectProblem(await send('x', 'has space'), 400, 'VALIDATION', 'idempotency_key');
        expectProblem(await send('x', 'k'.repeat(256)), 400, 'VALIDATION', 'idempotency_key');
        const other = await send('Shipped tomorrow', 'key-2');
        expect(other.status).toBe(201);
        expect(other.body.id).not.toBe(first.body.id);
      });
    });

    describe('pagination', () => {
      it('walks the inbox with cursors: every conversation once, next_cursor null at the end', async () => {
        const created: string[] = [];
        for (let i = 0; i < 5; i += 1) {
          const recipient =
            i % 2 === 0
              ? { recipient_type: 'store', recipient_id: 'u1' }
              : { recipient_type: 'store', recipient_id: 'u2' };
          const response = await call('POST', ADMIN, {
            token: t.admin,
            body: {
              conversation_type: 'admin_store',
              subject: `Topic ${i}`,
              initial_message: `m${i}`,
              ...recipient,
            },
          });
          created.push(response.body.id);
        }
        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const query: string =
            cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
          const page = await call('GET', `${ADMIN}${query}`, { token: t.admin });
          expect(page.status).toBe(200);
          expect(page.body.total).toBe(5);
          sizes.push(page.body.conversations.length);
          seen.push(...page.body.conversations.map((c: { id: string }) => c.id));
          cursor = page.body.next_cursor;
        } while (cursor !== null);
        expect(sizes).toEqual([2, 2, 1]);
        expect([...seen].sort()).toEqual([...created].sort());
        expect(seen[0]).toBe(created[4]);

        const filtered = await call('GET', `${ADMIN}?conversation_type=store_customer`, { token: t.admin });
        expect(filtered.body).toMatchObject({ conversations: [], total: 0 });
        expectProblem(
          await call('GET', `${ADMIN}?cursor=not*a*cursor`, { token: t.admin }),
          400,
          'VALIDATION',
          'cursor',
        );
        expectProblem(
          await call('GET', `${ADMIN}?limit=101`, { token: t.admin }),
          400,
          'VALIDATION',
          'limit',
        );
        expectProblem(await call('GET', `${ADMIN}?limit=0`, { token: t.admin }), 400, 'VALIDATION', 'limit');
        expectProblem(
          await call('GET', `${ADMIN}?limit=ten`, { token: t.admin }),
          400,
          'VALIDATION',
          'limit',
        );
        expectProblem(
          await call('GET', `${ADMIN}?is_closed=maybe`, { token: t.admin }),
          400,
          'VALIDATION',
          'is_closed',
        );
        const badType = await call('GET', `${ADMIN}?conversation_type=chat`, { token: t.admin });
        expectProblem(badType, 400, 'VALIDATION', 'conversation_type');
      });

      it('pages older history oldest first per page, with a cursor per conversation', async () => {
        const { id } = await adminOpensStoreConversation('History', 'm1');
        for (const content of ['m2', 'm3', 'm4', 'm5']) {
          const sent = await call('POST', `${ADMIN}/${id}/messages`, { token: t.admin, body: { content } });
          expect(sent.status).toBe(201);
        }
        const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
        expect(detail.body.messages.map((m: { content: string }) => m.content)).toEqual([
          'm1',
          'm2',
          'm3',
          'm4',
          'm5',
        ]);
        expect(detail.body.next_cursor).toBeNull();

        const pages: string[][] = [];
        let cursor: string | null = null;
        do {
          const query: string =
            cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
          const page = await call('GET', `${STORE}/${id}/messages${query}`, { token: t.store1 });
          expect(page.status).toBe(200);
          pages.push(page.body.messages.map((m: { content: string }) => m.content));
          cursor = page.body.next_cursor;
        } while (cursor !== null);
        expect(pages).toEqual([['m4', 'm5'], ['m2', 'm3'], ['m1']]);
        expect(detail.body.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5]);

        // A cursor issued before messages had a seq (tag m1: conversation, time, message id) still pages.
        const m3 = detail.body.messages[2];
        const legacy = Buffer.from(JSON.stringify(['m1', id, Date.parse(m3.created_at), m3.id])).toString(
          'base64url',
        );
        const older = await call('GET', `${STORE}/${id}/messages?cursor=${legacy}`, { token: t.store1 });
        expect(older.status).toBe(200);
        expect(older.body.messages.map((m: { content: string }) => m.content)).toEqual(['m1', 'm2']);
        const gone = Buffer.from(JSON.stringify(['m1', id, 0, MISSING_ID])).toString('base64url');
        expectProblem(
          await call('GET', `${STORE}/${id}/messages?cursor=${gone}`, { token: t.store1 }),
          400,
          'VALIDATION',
          'cursor',
        );

        const other = await adminOpensStoreConversation('Other', 'x1');
        await call('POST', `${ADMIN}/${other.id}/messages`, { token: t.admin, body: { content: 'x2' } });
        const firstPage = await call('GET', `${ADMIN}/${other.id}/messages?limit=1`, { token: t.admin });
        const foreign = await call('GET', `${ADMIN}/${id}/messages?cursor=${firstPage.body.next_cursor}`, {
          token: t.admin,
        });
        expectProblem(foreign, 400, 'VALIDATION', 'cursor');
      });
    });

    describe('validation: 400 naming the field', () => {
      it('create and send bodies', async () => {
        const create = (body: unknown) => call('POST', ADMIN, { token: t.admin, body });
        const valid = {
          conversation_type: 'admin_store',
          subject: 'S',
          recipient_type: 'store',
          recipient_id: 'u1',
        };
        const { subject: _subject, ...noSubject } = valid;
        expectProblem(await create(noSubject), 400, 'VALIDATION', 'subject');
        const badType = await create({ ...valid, conversation_type: 'chat' });
        expectProblem(badType, 400, 'VALIDATION', 'conversation_type');
        expect(badType.body.detail).toContain('admin_store');
        expectProblem(
          await create({ ...valid, recipient_type: 'admin' }),
          400,
          'VALIDATION',
          'recipient_type',
        );
        expectProblem(await create({ ...valid, subject: '   ' }), 400, 'VALIDATION', 'subject');
        expectProblem(await create({ ...valid, subject: 's'.repeat(501) }), 400, 'VALIDATION', 'subject');
        expectProblem(await create({ ...valid, initial_message: '' }), 400, 'VALIDATION', 'initial_message');
        expectProblem(await create({ ...valid, initialMessage: 'hi' }), 400, 'VALIDATION', 'initialMessage');
        expectProblem(await create({ ...valid, recipient_id: 42 }), 400, 'VALIDATION', 'recipient_id');
        expectProblem(
          await create({ ...valid, recipient_id: 'a1', recipient_type: 'store' }),
          404,
          'NOT_FOUND',
        );

        const { id } = await adminOpensStoreConversation();
        const send = (body: unknown) => call('POST', `${ADMIN}/${id}/messages`, { token: t.admin, body });
        expectProblem(await send({ content: '   ' }), 400, 'VALIDATION', 'content');
        expectProblem(await send({ content: 7 }), 400, 'VALIDATION', 'content');
        expectProblem(await send({}), 400, 'VALIDATION', 'content');
        expectProblem(await send({ content: 'x'.repeat(10_001) }), 400, 'VALIDATION', 'content');
        expectProblem(
          await call('POST', `${ADMIN}/${id}/messages`, { token: t.admin }),
          400,
          'VALIDATION',
          'body',
        );
        const malformed = await call('POST', `${ADMIN}/${id}/messages`, {
          token: t.admin,
          payload: '{"content":',
          headers: { 'content-type': 'application/json' },
        });
        expectProblem(malformed, 400, 'MALFORMED_REQUEST');
        const preferences = (body: unknown) =>
          call('PUT', `${ADMIN}/${id}/preferences`, { token: t.admin, body });
        expectProblem(await preferences({}), 400, 'VALIDATION', 'email_notifications');
        expectProblem(await preferences({ muted: 'yes' }), 400, 'VALIDATION', 'muted');
        expectProblem(await preferences({ mute: true }), 400, 'VALIDATION', 'mute');
        expectProblem(
          await call('GET', `${ADMIN}/${id}?mark_read=sure`, { token: t.admin }),
          400,
          'VALIDATION',
          'mark_read',
        );
        const detail = await call('GET', `${ADMIN}/${id}`, { token: t.admin });
        expect(detail.body.message_count).toBe(1);
      });

      it('an empty JSON body on close is no body; other media types are 415', async () => {
        const { id } = await adminOpensStoreConversation();
        const closed = await call('POST', `${ADMIN}/${id}/close`, {
          token: t.admin,
          payload: '',
          headers: { 'content-type': 'application/json' },
        });
        expect(closed.status).toBe(200);
        const text = await call('POST', `${ADMIN}/${id}/messages`, {
          token: t.admin,
          payload: 'hello',
          headers: { 'content-type': 'text/plain' },
        });
        expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
        // multipart/form-data is a send with attachments: accepted, here refused as the conversation is closed.
        const multipart = await call('POST', `${ADMIN}/${id}/messages`, {
          token: t.admin,
          payload: '--x\r\nContent-Disposition: form-data; name="content"\r\n\r\nhi\r\n--x--\r\n',
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
        });
        expectProblem(multipart, 409, 'CONVERSATION_CLOSED');
      });
    });

    describe('authentication', () => {
      it('401 for a missing, malformed, badly signed, expired or incomplete token', async () => {
        const missing = await call('GET', STORE);
        expectProblem(missing, 401, 'UNAUTHENTICATED');
        expect(missing.headers['www-authenticate']).toBe('Bearer');
        const basic = await call('GET', STORE, { headers: { authorization: 'Basic dTE6cGFzcw==' } });
        expectProblem(basic, 401, 'UNAUTHENTICATED');
        expectProblem(await call('GET', STORE, { token: 'not.a.jwt' }), 401, 'UNAUTHENTICATED');

        const key = secretKey(harness.jwtSecret);
        const wrongSecret = await issueToken(secretKey('another-secret-another-secret-12345'), {
          sub: 'u1',
          role: 'store',
          storeId: 's1',
        });
        expectProblem(await call('GET', STORE, { token: wrongSecret }), 401, 'UNAUTHENTICATED');
        const expired = await issueToken(key, {
          sub: 'u1',
          role: 'store',
          storeId: 's1',
          issuedAt: new Date(Date.now() - 2 * 3600_000),
          expiresInSeconds: 3600,
        });
        const expiredResponse = await call('GET', STORE, { token: expired });
        expectProblem(expiredResponse, 401, 'UNAUTHENTICATED');
        expect(expiredResponse.body.detail).toContain('expired');
        const hs512 = await new SignJWT({ role: 'store', store_id: 's1' })
          .setProtectedHeader({ alg: 'HS512' })
          .setSubject('u1')
          .setExpirationTime('1h')
          .sign(key);
        expectProblem(await call('GET', STORE, { token: hs512 }), 401, 'UNAUTHENTICATED');
        const noExp = await new SignJWT({ role: 'store', store_id: 's1' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u1')
          .sign(key);
        expectProblem(await call('GET', STORE, { token: noExp }), 401, 'UNAUTHENTICATED');
        const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
          JSON.stringify({
            sub: 'u1',
            role: 'store',
            store_id: 's1',
            exp: Math.floor(Date.now() / 1000) + 60,
          }),
        ).toString('base64url')}.`;
        expectProblem(await call('GET', STORE, { token: unsigned }), 401, 'UNAUTHENTICATED');
        const badRole = await new SignJWT({ role: 'root' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u1')
          .setExpirationTime('1h')
          .sign(key);
        expectProblem(await call('GET', STORE, { token: badRole }), 401, 'UNAUTHENTICATED');
        const noStore = await issueToken(key, { sub: 'u1', role: 'store' });
        expectProblem(await call('GET', STORE, { token: noStore }), 401, 'UNAUTHENTICATED');
        const noStoreCustomer = await issueToken(key, { sub: 'c1', role: 'customer' });
        expectProblem(await call('GET', STOREFRONT, { token: noStoreCustomer }), 401, 'UNAUTHENTICATED');
      });

      it('403 when the directory does not know the token subject as the token says', async () => {
        const key = secretKey(harness.jwtSecret);
        const token = (claims: Parameters<typeof issueToken>[1]) => issueToken(key, claims);
        const wrongStore = await token({ sub: 'u1', role: 'store', storeId: 's2' });
        expectProblem(await call('GET', STORE, { token: wrongStore }), 403, 'FORBIDDEN');
        const ghostStore = await token({ sub: 'ghost', role: 'store', storeId: 's1' });
        expectProblem(await call('GET', STORE, { token: ghostStore }), 403, 'FORBIDDEN');
        const ghostAdmin = await token({ sub: 'ghost', role: 'admin' });
        expectProblem(await call('GET', ADMIN, { token: ghostAdmin }), 403, 'FORBIDDEN');
        const staffAsAdmin = await token({ sub: 'u1', role: 'admin' });
        expectProblem(await call('GET', ADMIN, { token: staffAsAdmin }), 403, 'FORBIDDEN');
        const adminAsStaff = await token({ sub: 'a1', role: 'store', storeId: 's1' });
        expectProblem(await call('GET', STORE, { token: adminAsStaff }), 403, 'FORBIDDEN');
        const customerWrongStore = await token({ sub: 'c1', role: 'customer', storeId: 's2' });
        expectProblem(await call('GET', STOREFRONT, { token: customerWrongStore }), 403, 'FORBIDDEN');
        const customerAsStaff = await token({ sub: 'c1', role: 'store', storeId: 's1' });
        expectProblem(await call('GET', STORE, { token: customerAsStaff }), 403, 'FORBIDDEN');
      });
    });

    describe('HTTP habits', () => {
      it('unknown routes are problem+json 404s', async () => {
        const response = await call('GET', '/api/v1/nothing-here?x=1');
        expectProblem(response, 404, 'ROUTE_NOT_FOUND');
        expect(response.body.detail).toBe('no route serves GET /api/v1/nothing-here');
        expectProblem(
          await call('DELETE', `${ADMIN}/${MISSING_ID}`, { token: t.admin }),
          404,
          'ROUTE_NOT_FOUND',
        );
      });

      it('a body over the limit is a 413 problem', async () => {
        const { id } = await adminOpensStoreConversation();
        const response = await call('POST', `${ADMIN}/${id}/messages`, {
          token: t.admin,
          body: { content: 'x'.repeat(1_100_000) },
        });
        expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
      });

      it('request ids are echoed, in problems too; security headers are set', async () => {
        const response = await call('GET', STORE, { headers: { 'x-request-id': 'trace-123' } });
        expect(response.headers['x-request-id']).toBe('trace-123');
        expect(response.body.request_id).toBe('trace-123');
        const generated = await call('GET', '/healthz', {
          headers: { 'x-request-id': 'bad id with spaces' },
        });
        expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(generated.headers['x-content-type-options']).toBe('nosniff');
        expect(generated.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(generated.headers['content-security-policy']).toContain("default-src 'self'");
      });
    });
  });

  describe(`HTTP API on ${label}, with options`, () => {
    let harness: ApiHarness | undefined;
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    /** Seeds through the directory port, so the service token's rate budget stays untouched. */
    async function seedDirectly(h: ApiHarness): Promise<void> {
      const at = new Date();
      for (const store of FIXTURE.stores) {
        await h.directory.upsertStore({ id: store.id, name: store.name, tier: 'essential' }, at);
      }
      for (const user of FIXTURE.users) {
        const storeId = 'store_id' in user ? user.store_id : null;
        await h.directory.upsertPlatformUser(
          { id: user.id, name: user.name, email: user.email, role: user.role, storeId, locale: 'en' },
          at,
        );
      }
      for (const customer of FIXTURE.customers) {
        await h.directory.upsertCustomer(
          {
            id: customer.id,
            storeId: customer.store_id,
            name: customer.name,
            email: customer.email,
            locale: 'en',
          },
          at,
        );
      }
    }

    it('rate limits per token: 429 problem with Retry-After, other tokens unaffected, health exempt', async () => {
      harness = await factory({ rateLimit: { max: 3, windowMs: 60_000 } });
      await seedDirectly(harness);
      const call = client(harness);
      const t = await tokensFor(harness.jwtSecret);
      const remaining: unknown[] = [];
      for (let i = 0; i < 3; i += 1) {
        const response = await call('GET', `${STORE}/unread-count`, { token: t.store1 });
        expect(response.status).toBe(200);
        remaining.push(response.headers['x-ratelimit-remaining']);
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const limited = await call('GET', `${STORE}/unread-count`, { token: t.store1 });
      expectProblem(limited, 429, 'RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      // A fresh token for the same user shares the budget; another user has their own.
      const refreshed = await issueToken(secretKey(harness.jwtSecret), {
        sub: 'u1',
        role: 'store',
        storeId: 's1',
      });
      expectProblem(await call('GET', `${STORE}/unread-count`, { token: refreshed }), 429, 'RATE_LIMITED');
      expect((await call('GET', `${STORE}/unread-count`, { token: t.store2 })).status).toBe(200);
      for (let i = 0; i < 5; i += 1) expect((await call('GET', '/healthz')).status).toBe(200);
    });

    it('rate limits requests without a valid token per IP: 401s count, then 429 with the headers', async () => {
      harness = await factory({ rateLimit: { max: 5, windowMs: 60_000 } });
      await seedDirectly(harness);
      const call = client(harness);
      const forged = await issueToken(secretKey('forged-secret-forged-secret-forged'), {
        sub: 'u1',
        role: 'store',
        storeId: 's1',
      });
      const attempts = [
        () => call('GET', `${STORE}/unread-count`),
        () => call('GET', `${STORE}/unread-count`, { token: forged }),
        () => call('GET', `${STORE}/unread-count`, { token: 'not-a-jwt' }),
        () => call('PUT', `${PLATFORM}/stores/s1`, { body: { name: 'x' } }),
        () => call('GET', ADMIN, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
      ];
      const remaining: unknown[] = [];
      for (const attempt of attempts) {
        const response = await attempt();
        expect(response.status).toBeGreaterThanOrEqual(401);
        expect(response.status).toBeLessThan(429);
        remaining.push(response.headers['x-ratelimit-remaining']);
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      for (const attempt of attempts) {
        const limited = await attempt();
        expectProblem(limited, 429, 'RATE_LIMITED');
        expect(limited.headers['x-ratelimit-limit']).toBe('5');
        expect(limited.headers['x-ratelimit-remaining']).toBe('0');
        expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
      // Unknown routes spend the same budget.
      expectProblem(await call('GET', '/api/v1/nope'), 429, 'RATE_LIMITED');
      // A valid token has its own budget; health checks stay exempt.
      const t = await tokensFor(harness.jwtSecret);
      expect((await call('GET', `${STORE}/unread-count`, { token: t.store1 })).status).toBe(200);
      for (let i = 0; i < 3; i += 1) expect((await call('GET', '/healthz')).status).toBe(200);
    });

    it('never writes a token or the secret to a log line; lines carry request ids', async () => {
      const lines: string[] = [];
      const logStream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      });
      harness = await factory({ logStream, logLevel: 'debug' });
      await seedDirectly(harness);
      const call = client(harness);
      const t = await tokensFor(harness.jwtSecret);
      const forged = await issueToken(secretKey('forged-secret-forged-secret-forged'), {
        sub: 'u1',
        role: 'store',
        storeId: 's1',
      });
      await call('GET', STORE, { token: t.store1, headers: { 'x-request-id': 'log-test-1' } });
      await call('GET', STORE, { token: forged });
      await call('GET', ADMIN, { token: t.store1 });
      await call('POST', STORE, { token: t.store1, body: { subject: 'x' } });
      await call('GET', '/nope', { token: t.admin });
      expect(lines.length).toBeGreaterThan(5);
      const secrets = [t.store1, forged, t.admin, harness.jwtSecret];
      for (const line of lines) {
        for (const secret of secrets) expect(line).not.toContain(secret);
        expect(line).not.toContain('Bearer ');
      }
      const parsed = lines.map((line) => JSON.parse(line));
      expect(parsed.some((entry) => entry.reqId === 'log-test-1')).toBe(true);
      expect(parsed.some((entry) => entry.code === 'UNAUTHENTICATED')).toBe(true);
      expect(parsed.some((entry) => entry.res?.statusCode === 403)).toBe(true);
    });
  });
}
