import { describe, expect, it } from 'vitest';
import { createInMemoryMessaging } from '../../testing/in-memory-messaging.js';

async function world() {
  const m = createInMemoryMessaging();
  const at = new Date('2026-03-01T08:00:00.000Z');
  await m.directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, at);
  await m.directory.upsertPlatformUser(
    { id: 'u1', name: 'Sam', email: 'sam@mail.test', role: 'store', storeId: 's1', locale: 'en' },
    at,
  );
  for (const id of ['c1', 'c2'])
    await m.directory.upsertCustomer(
      { id, storeId: 's1', name: id, email: `${id}@mail.test`, locale: 'en' },
      at,
    );
  const store = { type: 'store', id: 'u1', tenantId: 's1' };
  const created = await m.core.createConversation(store, {
    conversationType: 'store_customer',
    subject: 'Typing',
    recipient: { type: 'customer', id: 'c1' },
    initialMessage: 'Hi',
  });
  return { m, store, id: created.conversation.id };
}

describe('typingAudience', () => {
  it('names the other active members to someone who may send', async () => {
    const { m, store, id } = await world();
    expect(await m.core.typingAudience(store, id)).toEqual([{ type: 'customer', id: 'c1' }]);
    expect(await m.core.typingAudience({ type: 'customer', id: 'c1', tenantId: 's1' }, id)).toEqual([
      { type: 'store', id: 'u1' },
    ]);
  });

  it('refuses as a send would: a non-member cannot see it, a closed conversation takes no typing', async () => {
    const { m, store, id } = await world();
    await expect(
      m.core.typingAudience({ type: 'customer', id: 'c2', tenantId: 's1' }, id),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await m.core.closeConversation(store, id);
    await expect(m.core.typingAudience(store, id)).rejects.toMatchObject({ code: 'CONVERSATION_CLOSED' });
  });
});
