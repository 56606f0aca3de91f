import { createParleyClient, ParleyApiError, type ParleyClient, ParleyNetworkError } from '@parley/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedHarness, composedHarness } from './support/composed-api.js';
import { listen } from './support/realtime-clients.js';

const CUSTOMER = { type: 'customer', id: 'demo-customer-1' } as const;

// @parley/client against the API as `pnpm start` composes it, listening on a real port: every
// call goes through fetch, JSON and multipart, and errors arrive as the client's own classes.
describe('@parley/client typed calls', () => {
  let harness: ComposedHarness;
  let base: string;
  let store: ParleyClient;
  let customer: ParleyClient;

  beforeAll(async () => {
    harness = await composedHarness();
    base = await listen(harness.api);
    store = createParleyClient({ baseUrl: base, token: harness.tokens.store });
    customer = createParleyClient({ baseUrl: base, token: async () => harness.tokens.customer });
  });
  afterAll(() => harness.close());

  it('starts, lists with a keyset cursor, opens and reads a conversation', async () => {
    const subjects = ['Order 1', 'Order 2', 'Order 3'];
    const ids: string[] = [];
    for (const subject of subjects) {
      const detail = await store.startConversation({
        conversation_type: 'store_customer',
        subject,
        participants: [CUSTOMER],
        initial_message: `About ${subject}`,
      });
      expect(detail.subject).toBe(subject);
      expect(detail.messages.map((m) => m.content)).toEqual([`About ${subject}`]);
      ids.push(detail.id);
    }
    const first = await customer.listConversations({ limit: 2 });
    expect(first.conversations).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const seen: string[] = [];
    for await (const page of customer.conversationPages({ limit: 2 }))
      seen.push(...page.conversations.map((c) => c.id));
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);

    const before = await customer.unreadCount();
    expect(before.total_unread).toBeGreaterThanOrEqual(3);
    const detail = await customer.getConversation(ids[0] as string);
    expect(detail.participants.map((p) => p.id)).toContain('demo-customer-1');
    expect(detail.unread_count).toBe(1);
    const read = await customer.markRead(ids[0] as string);
    expect(read).toMatchObject({ conversation_id: ids[0], unread_count: 0, last_read_seq: 1 });
    expect((await customer.unreadCount()).total_unread).toBe(before.total_unread - 1);
  });

  it('sends JSON with an Idempotency-Key: a retry with the same key returns the first message', async () => {
    const { id } = await store.startConversation({
      conversation_type: 'store_customer',
      subject: 'Retries',
      participants: [CUSTOMER],
    });
    const sent = await customer.sendMessage(id, { content: 'Where is my parcel?', idempotencyKey: 'key-1' });
    expect(sent).toMatchObject({ replayed: false, idempotencyKey: 'key-1' });
    expect(sent.message.content).toBe('Where is my parcel?');
    const again = await customer.sendMessage(id, { content: 'Where is my parcel?', idempotencyKey: 'key-1' });
    expect(again.replayed).toBe(true);
    expect(again.message.id).toBe(sent.message.id);
    const generated = await customer.sendMessage(id, { content: 'Hello?' });
    expect(generated.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const page = await store.listMessages(id);
    expect(page.messages.map((m) => m.content)).toEqual(['Where is my parcel?', 'Hello?']);
  });

  it('sends multipart with an image and downloads it and its thumbnail with the bearer token', async () => {
    const { id } = await store.startConversation({
      conversation_type: 'store_customer',
      subject: 'Photos',
      participants: [CUSTOMER],
    });
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366ff' } })
      .png()
      .toBuffer();
    const { message } = await customer.sendMessage(id, {
      content: 'The box arrived like this',
      files: [new File([new Uint8Array(png)], 'box.png', { type: 'image/png' })],
    });
    expect(message.content).toBe('The box arrived like this');
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment).toMatchObject({
      original_filename: 'box.png',
      mime_type: 'image/png',
      is_image: true,
    });
    expect(attachment?.download_url).toBe(`/api/v1/conversations/${id}/attachments/${attachment?.id}`);
    const file = await store.download(attachment?.download_url as string);
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    const thumbnail = await store.download(attachment?.thumbnail_url as string);
    expect(thumbnail.type).toBe('image/webp');
    expect(store.url('/x')).toBe(`${base}/x`);
    // A file without a name of its own goes as a named Blob.
    const text = await store.sendMessage(id, {
      files: [{ data: new Blob(['a,b\n1,2\n']), filename: 'table.csv' }],
    });
    expect(text.message.attachments[0]).toMatchObject({
      original_filename: 'table.csv',
      mime_type: 'text/csv',
    });
  });

  it('throws ParleyApiError with the problem for every non-2xx, on helpers and typed calls alike', async () => {
    const { id } = await store.startConversation({
      conversation_type: 'store_customer',
      subject: 'Errors',
      participants: [CUSTOMER],
    });
    const forbidden = await customer.closeConversation(id).catch((error: unknown) => error);
    expect(forbidden).toBeInstanceOf(ParleyApiError);
    expect(forbidden).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((forbidden as ParleyApiError).requestId).toMatch(/./);

    const closed = await store.closeConversation(id);
    expect(closed.is_closed).toBe(true);
    const refused = await customer.sendMessage(id, { content: 'late' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'ParleyApiError', status: 409, code: 'CONVERSATION_CLOSED' });
    expect((await store.reopenConversation(id)).is_closed).toBe(false);

    const invalid = await store
      .startConversation({ conversation_type: 'store_customer', subject: '   ', participants: [CUSTOMER] })
      .catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION', field: 'subject' });

    const missing = await store
      .GET('/api/v1/conversations/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ParleyApiError);
    expect((missing as ParleyApiError).problem).toMatchObject({ status: 404, code: 'NOT_FOUND' });

    const stranger = createParleyClient({ baseUrl: base, token: 'not-a-jwt' });
    await expect(stranger.unreadCount()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('calls the token provider before every request', async () => {
    let calls = 0;
    const refreshing = createParleyClient({
      baseUrl: base,
      token: () => {
        calls += 1;
        return harness.tokens.customer;
      },
    });
    await refreshing.unreadCount();
    await refreshing.listConversations();
    expect(calls).toBe(2);
  });

  it('tells a network failure from an API answer', async () => {
    const offline = createParleyClient({ baseUrl: 'http://127.0.0.1:1', token: 't' });
    const error = await offline.unreadCount().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyNetworkError);
    expect(error).not.toBeInstanceOf(ParleyApiError);
    expect((error as ParleyNetworkError).message).toContain(
      'GET http://127.0.0.1:1/api/v1/conversations/unread-count',
    );
  });

  it('searches recipients for the compose dialog through the caller audience route', async () => {
    const found = await store.recipients('store', { recipient_type: 'customer', q: 'carla' });
    expect(found.map((r) => r.id)).toEqual(['demo-customer-1']);
    const admin = createParleyClient({ baseUrl: base, token: harness.tokens.admin });
    const stores = await admin.recipients('admin', { recipient_type: 'store' });
    expect(stores.map((r) => r.id)).toContain('demo-store-user');
    await expect(customer.recipients('store', { recipient_type: 'store' })).rejects.toMatchObject({
      status: 403,
    });
  });

  it('searches recipients of any participant type through the generic route', async () => {
    const found = await store.listRecipients('customer', { q: 'CARLA' });
    expect(found.map((r) => [r.type, r.id])).toEqual([['customer', 'demo-customer-1']]);
    expect(await store.listRecipients('customer', { q: 'nobody-matches' })).toEqual([]);
    await expect(store.listRecipients('store')).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await expect(customer.listRecipients('store')).rejects.toMatchObject({ status: 403 });
    await expect(store.listRecipients('robot')).rejects.toMatchObject({ status: 400, field: 'type' });
  });

  it('answers presence and real-time tickets', async () => {
    const ticket = await customer.realtimeTicket();
    expect(ticket.ticket.length).toBeGreaterThan(20);
    expect(Date.parse(ticket.expires_at)).toBeGreaterThan(Date.now());
    const presence = await customer.presence([{ type: 'store', id: 'demo-store-user' }]);
    expect(presence).toEqual([
      expect.objectContaining({ participant: { type: 'store', id: 'demo-store-user' }, status: 'offline' }),
    ]);
    expect(await customer.presence([])).toEqual([]);
  });
});
