import { describe, expect, it } from 'vitest';
import { MessagingError } from '../errors.js';
import {
  BranchingTemplateRenderer,
  createInMemoryNotifications,
} from '../testing/in-memory-notifications.js';
import { retryDelayMs } from './process-notifications.js';

const MINUTE = 60_000;

async function storeCustomerConversation(n: Awaited<ReturnType<typeof createInMemoryNotifications>>) {
  const detail = await n.core.createConversation(n.storeUser, {
    conversationType: 'store_customer',
    subject: 'Order 42',
    recipient: { type: 'customer', id: 'c-ana' },
  });
  return detail.conversation.id;
}

describe('processNotifications (in-memory)', () => {
  it('emails the customer once in French with a reply link, and never the sender', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'Your parcel left the warehouse.' });

    const { groups } = await n.run();
    expect(groups.map((g) => [g.recipient.id, g.outcome])).toEqual([['c-ana', 'sent']]);
    const sent = n.transports.platform.sent;
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual([{ address: 'ana@example.com', name: 'Ana' }]);
    expect(sent[0]?.subject).toBe('Nouveau message : Order 42');
    expect(sent[0]?.text).toContain('Sam vous a écrit dans « Order 42 »');
    expect(sent[0]?.text).toContain('Your parcel left the warehouse.');
    expect(sent[0]?.html).toContain(`https://parley.test/storefront/messages/${conversationId}`);

    const log = await n.emailLogs.findById(groups[0]?.emailLogId ?? '');
    expect(log).toMatchObject({
      status: 'sent',
      templateCode: 'new_message',
      recipient: 'ana@example.com',
      retryCount: 0,
      storeId: 'acme',
      relatedType: 'conversation',
      relatedId: conversationId,
    });
    expect((await n.run()).groups).toEqual([]);
    expect(n.transports.platform.sent).toHaveLength(1);
  });

  it('sends nothing to a participant with email notifications off or who muted the conversation', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    await n.core.updatePreferences(n.customer, conversationId, { emailNotifications: false });
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'one' });
    await n.core.updatePreferences(n.customer, conversationId, { emailNotifications: true, muted: true });
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'two' });
    n.clock.advance(10 * MINUTE);
    expect((await n.run()).groups).toEqual([]);
    expect(n.transports.platform.sent).toEqual([]);
  });

  it('batches a rapid exchange: one email now, one email for the rest after the window', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'message 1' });
    expect((await n.run()).groups.map((g) => g.outcome)).toEqual(['sent']);
    for (let i = 2; i <= 5; i += 1) {
      n.clock.advance(10_000);
      await n.core.sendMessage(n.storeUser, { conversationId, content: `message ${i}` });
      expect((await n.run()).groups).toEqual([]);
    }
    expect(n.transports.platform.sent).toHaveLength(1);

    n.clock.advance(5 * MINUTE - 40_000 - 1);
    expect((await n.run()).groups).toEqual([]);
    n.clock.advance(1);
    const { groups } = await n.run();
    expect(groups.map((g) => [g.outcome, g.jobIds.length])).toEqual([['sent', 4]]);
    const sent = n.transports.platform.sent;
    expect(sent).toHaveLength(2);
    expect(sent[1]?.text).toContain('Vous avez 4 nouveaux messages dans « Order 42 »');
    expect(sent[1]?.text).toContain('message 5');
    expect(sent[1]?.text).not.toContain('message 4');
  });

  it('retries a provider outage with backoff, then sends once, the log counting the failures', async () => {
    const n = await createInMemoryNotifications({ backoffBaseMs: 10_000, random: () => 0 });
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    n.transports.platform.throttleNext();
    n.transports.platform.throttleNext();

    const first = await n.run();
    expect(first.groups.map((g) => g.outcome)).toEqual(['retrying']);
    const logId = first.groups[0]?.emailLogId ?? '';
    expect(await n.emailLogs.findById(logId)).toMatchObject({ status: 'failed', retryCount: 1 });

    n.clock.advance(4_999);
    expect((await n.run()).groups).toEqual([]);
    n.clock.advance(1); // 10 s · 2^0 · 0.5
    expect((await n.run()).groups.map((g) => g.outcome)).toEqual(['retrying']);
    expect(await n.emailLogs.findById(logId)).toMatchObject({ status: 'failed', retryCount: 2 });

    n.clock.advance(9_999); // 10 s · 2^1 · 0.5
    expect((await n.run()).groups).toEqual([]);
    n.clock.advance(1);
    const done = await n.run();
    expect(done.groups.map((g) => [g.outcome, g.emailLogId])).toEqual([['sent', logId]]);
    expect(await n.emailLogs.findById(logId)).toMatchObject({ status: 'sent', retryCount: 2 });
    expect(n.transports.platform.sent).toHaveLength(1);
  });

  it('gives up after the configured attempts', async () => {
    const n = await createInMemoryNotifications({ backoffBaseMs: 1_000, maxAttempts: 2, random: () => 0 });
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    for (let i = 0; i < 3; i += 1) n.transports.platform.throttleNext();
    expect((await n.run()).groups.map((g) => g.outcome)).toEqual(['retrying']);
    n.clock.advance(MINUTE);
    expect((await n.run()).groups.map((g) => g.outcome)).toEqual(['failed']);
    n.clock.advance(MINUTE);
    expect((await n.run()).groups).toEqual([]);
  });

  it('fails a permanent rejection at once', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    const sent = await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    n.transports.platform.failNext(new MessagingError('MAIL_PERMANENT', '550 mailbox unavailable'));
    const { groups } = await n.run();
    expect(groups.map((g) => g.outcome)).toEqual(['failed']);
    expect(await n.emailLogs.findById(groups[0]?.emailLogId ?? '')).toMatchObject({
      status: 'failed',
      retryCount: 1,
    });
    const [job] = await n.store.raw.notificationJobs(sent.message.id);
    expect(job).toMatchObject({ status: 'failed', lastError: '550 mailbox unavailable' });
    n.clock.advance(60 * MINUTE);
    expect((await n.run()).groups).toEqual([]);
  });

  it.each(['TEMPLATE_TIMEOUT', 'TEMPLATE_TOO_LARGE'] as const)(
    'fails a group whose template hits a render limit (%s) at once, sending nothing',
    async (code) => {
      class LimitedRenderer extends BranchingTemplateRenderer {
        override async render(...args: Parameters<BranchingTemplateRenderer['render']>): Promise<string> {
          if (args[1].message_preview === 'endless')
            throw new MessagingError(code, 'limit', { field: 'template' });
          return super.render(...args);
        }
      }
      const n = await createInMemoryNotifications({ renderer: new LimitedRenderer() });
      const conversationId = await storeCustomerConversation(n);
      const sent = await n.core.sendMessage(n.storeUser, { conversationId, content: 'endless' });
      const { groups } = await n.run();
      expect(groups.map((g) => [g.outcome, g.emailLogId])).toEqual([['failed', null]]);
      expect(n.transports.platform.sent).toEqual([]);
      const [job] = await n.store.raw.notificationJobs(sent.message.id);
      expect(job).toMatchObject({ status: 'failed', lastError: 'subject: limit' });
      n.clock.advance(60 * MINUTE);
      expect((await n.run()).groups).toEqual([]);
    },
  );

  it('does not send twice when a worker dies after sending, before completing', async () => {
    let crash = true;
    const n = await createInMemoryNotifications({
      leaseMs: MINUTE,
      wrapQueue: (queue) => ({
        claimDue: (input) => queue.claimDue(input),
        complete: async (ids, input) => {
          if (crash) throw new Error('worker killed');
          return queue.complete(ids, input);
        },
        reschedule: (ids, input) => queue.reschedule(ids, input),
        fail: (ids, input) => queue.fail(ids, input),
      }),
    });
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    await expect(n.run('w1')).rejects.toThrow('worker killed');
    expect(n.transports.platform.sent).toHaveLength(1);
    crash = false;
    expect((await n.run('w2')).groups).toEqual([]); // still leased
    n.clock.advance(MINUTE);
    expect((await n.run('w2')).groups.map((g) => g.outcome)).toEqual(['deduplicated']);
    expect(n.transports.platform.sent).toHaveLength(1);
  });

  it('notifies the admin in German with an admin link', async () => {
    const n = await createInMemoryNotifications();
    const detail = await n.core.createConversation(n.admin, {
      conversationType: 'admin_store',
      subject: 'Payout',
      recipient: { type: 'store', id: 'u-sam' },
    });
    await n.core.sendMessage(n.storeUser, {
      conversationId: detail.conversation.id,
      content: 'Where is it?',
    });
    const { groups } = await n.run();
    expect(groups.map((g) => [g.recipient.id, g.outcome])).toEqual([['a-ada', 'sent']]);
    expect(n.transports.platform.sent[0]?.subject).toBe('Neue Nachricht: Payout');
    expect(n.transports.platform.sent[0]?.html).toContain(
      `https://parley.test/admin/messages/${detail.conversation.id}`,
    );
  });
});

describe('retryDelayMs', () => {
  it('doubles per attempt, caps, and jitters within [0.5, 1)', () => {
    const options = { backoffBaseMs: 1_000, backoffMaxMs: 5_000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, options, () => 0))).toEqual([500, 1_000, 2_000, 2_500]);
    expect(retryDelayMs(2, options, () => 0.999)).toBe(1_999);
  });
});
