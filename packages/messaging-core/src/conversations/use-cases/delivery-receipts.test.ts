import { describe, expect, it } from 'vitest';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../../testing/in-memory-messaging.js';
import { createGroupTestPolicy } from '../testing/group-test-policy.js';

// Delivery receipts through the core (issue 12): `markDelivered` (client acks, batched) and the
// receipts every message view carries (`readBy`, `deliveredTo`, counts).

const STORE_A = 'store-a';
const sam: Actor = { type: 'store', id: 'store-user-a1', tenantId: STORE_A };
const ana: Actor = { type: 'customer', id: 'customer-a1', tenantId: STORE_A };
const abe: Actor = { type: 'customer', id: 'customer-a2', tenantId: STORE_A };
const crowd: Actor[] = Array.from({ length: 19 }, (_, i) => ({
  type: 'customer',
  id: `customer-c${String(i + 1).padStart(2, '0')}`,
  tenantId: STORE_A,
}));
const ref = (a: Actor) => ({ type: a.type, id: a.id });

async function world() {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
  const m = createInMemoryMessaging({ policy: createGroupTestPolicy(), clock, ids: new SequentialIds('id') });
  const at = clock.now();
  await m.directory.upsertStore({ id: STORE_A, name: 'Acme', tier: 'business' }, at);
  await m.directory.upsertPlatformUser(
    { id: sam.id, name: 'Sam', email: 'sam@mail.test', role: 'store', storeId: STORE_A, locale: 'en' },
    at,
  );
  for (const c of [ana, abe, ...crowd]) {
    await m.directory.upsertCustomer(
      { id: c.id, storeId: STORE_A, name: c.id, email: `${c.id}@mail.test`, locale: 'en' },
      at,
    );
  }
  return { m, clock };
}

/** A group of Sam (owner), Ana and Abe; Sam sends two messages (seq 1, 2). */
async function group(m: InMemoryMessaging, others: readonly Actor[] = [ana, abe]) {
  const detail = await m.core.createConversation(sam, {
    conversationType: 'group',
    subject: 'Spring sale',
    participants: others.map(ref),
    initialMessage: 'Welcome',
  });
  const second = await m.core.sendMessage(sam, { conversationId: detail.conversation.id, content: 'Sale!' });
  return { id: detail.conversation.id, second: second.message };
}

describe('markDelivered (client acknowledgements)', () => {
  it('moves each member forward once, records conversation.delivered, and skips what it cannot use', async () => {
    const { m } = await world();
    const { id, second } = await group(m);
    const moved = await m.core.markDelivered([
      { actor: ana, conversationId: id, seq: 1 },
      { actor: ana, conversationId: id, seq: second.seq },
      { actor: abe, conversationId: id, seq: 99 },
      { actor: crowd[0]!, conversationId: id, seq: 1 },
      { actor: abe, conversationId: 'missing', seq: 1 },
      { actor: abe, conversationId: id, seq: 0 },
      { actor: abe, conversationId: id, seq: 1.5 },
      { actor: { type: 'robot', id: 'r1', tenantId: null }, conversationId: id, seq: 1 },
    ]);
    expect(moved.map((d) => [d.participant.id, d.lastDeliveredSeq]).sort()).toEqual([
      [ana.id, second.seq],
      [abe.id, second.seq],
    ]);
    const events = m.store.recordedEvents().filter((e) => e.type === 'conversation.delivered');
    expect(events.map((e) => [e.actor.id, e.payload])).toEqual([
      [ana.id, { last_delivered_seq: second.seq, delivered_at: moved[0]!.lastDeliveredAt.toISOString() }],
      [abe.id, { last_delivered_seq: second.seq, delivered_at: moved[1]!.lastDeliveredAt.toISOString() }],
    ]);
    // Again: already delivered, nothing moves, nothing is recorded.
    expect(await m.core.markDelivered([{ actor: ana, conversationId: id, seq: second.seq }])).toEqual([]);
    expect(m.store.recordedEvents().filter((e) => e.type === 'conversation.delivered')).toHaveLength(2);
  });

  it('counts reading as delivery: an ack below the read state moves nothing', async () => {
    const { m } = await world();
    const { id, second } = await group(m);
    await m.core.markConversationRead(ana, id);
    expect(await m.core.markDelivered([{ actor: ana, conversationId: id, seq: second.seq }])).toEqual([]);
    expect(await m.core.markDelivered([])).toEqual([]);
  });
});

describe('receipts on message views', () => {
  it('lists who received and read each message, since when, without the sender', async () => {
    const { m, clock } = await world();
    const { id, second } = await group(m);
    const sent = await m.core.sendMessage(ana, { conversationId: id, content: 'Thanks' });
    expect(sent.message.receipts).toEqual({ readBy: [], deliveredTo: [], readCount: 0, deliveredCount: 0 });

    const [acked] = await m.core.markDelivered([{ actor: abe, conversationId: id, seq: second.seq }]);
    clock.advance(60_000);
    await m.core.markConversationRead(abe, id, { upToSeq: 1 });

    const { messages } = await m.core.listMessages(sam, id);
    const bySeq = new Map(messages.map((v) => [v.seq, v.receipts]));
    const welcome = bySeq.get(1)!;
    const sale = bySeq.get(second.seq)!;
    // Ana read everything up to her own message by sending it (no advance: her last read time).
    const anaMember = (await m.store.raw.participants(id)).find((p) => p.participant.id === ana.id)!;
    expect(welcome.readBy).toEqual([
      { ref: ref(ana), at: anaMember.lastReadAt },
      { ref: ref(abe), at: expect.any(Date) },
    ]);
    expect(welcome.readCount).toBe(2);
    // Abe's client had it before he read it: delivered at the ack, read a minute later.
    const abeWelcome = welcome.deliveredTo?.find((r) => r.ref.id === abe.id);
    expect(abeWelcome?.at).toEqual(acked!.lastDeliveredAt);
    expect(welcome.readBy?.find((r) => r.ref.id === abe.id)?.at.getTime()).toBeGreaterThan(
      acked!.lastDeliveredAt.getTime() + 59_000,
    );
    expect(sale).toMatchObject({ readCount: 1, deliveredCount: 2 });
    expect(sale.readBy?.map((r) => r.ref.id)).toEqual([ana.id]);
    expect(sale.deliveredTo?.map((r) => r.ref.id).sort()).toEqual([abe.id, ana.id].sort());
    // Ana's own message: the sender is never listed.
    const thanks = bySeq.get(sent.message.seq)!;
    expect(thanks.deliveredTo?.map((r) => r.ref.id)).toEqual([]);
    expect(thanks.readBy).toEqual([]);

    // The detail shows the same receipts.
    const detail = await m.core.getConversation(sam, id);
    expect(detail.messages.find((v) => v.seq === second.seq)?.receipts).toEqual(sale);
  });

  it('gives counts only above 20 active members', async () => {
    const { m } = await world();
    const { id, second } = await group(m, [ana, abe, ...crowd]);
    expect(await m.store.raw.participants(id)).toHaveLength(22);
    const sent = await m.core.sendMessage(sam, { conversationId: id, content: 'To all' });
    expect(sent.message.receipts).toEqual({
      readBy: null,
      deliveredTo: null,
      readCount: 0,
      deliveredCount: 0,
    });
    await m.core.markDelivered([
      { actor: ana, conversationId: id, seq: second.seq },
      { actor: abe, conversationId: id, seq: second.seq },
    ]);
    await m.core.markConversationRead(crowd[0]!, id);
    const sale = (await m.core.listMessages(sam, id)).messages.find((v) => v.seq === second.seq)?.receipts;
    expect(sale).toEqual({ readBy: null, deliveredTo: null, readCount: 1, deliveredCount: 3 });
  });
});
