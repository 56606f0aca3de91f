import { describe, expect, it } from 'vitest';
import { careTeamDefinition } from '../../conversations/policy/care-team-policy.js';
import { communityDefinition } from '../../conversations/policy/community-policy.js';
import { marketplaceDefinition } from '../../conversations/policy/marketplace-policy.js';
import type { ByteStream } from '../../conversations/ports/attachment-storage.js';
import { fakePng } from '../../conversations/testing/in-memory-media-inspector.js';
import { MessagingError } from '../../kernel/errors.js';
import {
  BranchingTemplateRenderer,
  createInMemoryNotifications,
} from '../../testing/in-memory-notifications.js';
import {
  messagePreview,
  type ProcessNotificationsResult,
  replyAudience,
  replyUrl,
  retryDelayMs,
} from './process-notifications.js';

const MINUTE = 60_000;

async function* bytes(content: Uint8Array): ByteStream {
  yield content;
}
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const photo = (name: string) => ({ originalFilename: name, content: bytes(fakePng(640, 480)) });
const pdf = (name: string) => ({ originalFilename: name, content: bytes(PDF) });

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
    expect(sent[0]?.html).toContain(`https://parley.test/inbox/c/${conversationId}`);

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
      // Killed after sending: from the completion on, the process writes nothing more.
      wrapQueue: (queue) => ({
        enqueue: (jobs) => queue.enqueue(jobs),
        claimDue: (input) => queue.claimDue(input),
        renewLease: (ids, input) => queue.renewLease(ids, input),
        complete: async (ids, input) => {
          if (crash) throw new Error('worker killed');
          return queue.complete(ids, input);
        },
        reschedule: async (ids, input) => {
          if (crash) throw new Error('worker killed');
          return queue.reschedule(ids, input);
        },
        fail: async (ids, input) => {
          if (crash) throw new Error('worker killed');
          return queue.fail(ids, input);
        },
        stats: (now) => queue.stats(now),
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
      `https://parley.test/inbox/c/${detail.conversation.id}`,
    );
  });
});

describe('processNotifications: content and isolation', () => {
  it('emails a message with only an attachment, previewing the file name', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessageWithAttachments(n.storeUser, {
      conversationId,
      content: '',
      files: [photo('photo.png')],
    });
    const { groups } = await n.run();
    expect(groups.map((g) => [g.outcome, g.error])).toEqual([['sent', undefined]]);
    const [email] = n.transports.platform.sent;
    expect(email?.text).toContain('📎 photo.png');
    expect(email?.html).toContain('<blockquote>📎 photo.png</blockquote>');
  });

  it('hands attachment_count and attachment_names to templates, so they can word it per language', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    await n.templates.saveStoreTemplate(n.storeUser, 'new_message', 'fr', {
      subject: '{{ conversation_subject }}',
      bodyHtml:
        '<p>{{ attachment_count }} pièces jointes : {{ attachment_names }}</p><p>{{ message_preview }}</p>',
    });
    await n.core.sendMessageWithAttachments(n.storeUser, {
      conversationId,
      content: '',
      files: [photo('photo.png'), pdf('facture.pdf')],
    });
    await n.run();
    expect(n.transports.platform.sent[0]?.html).toContain('2 pièces jointes : photo.png, facture.pdf');
    expect(n.transports.platform.sent[0]?.html).toContain('📎 photo.png, facture.pdf');
  });

  it('sends one email for a batch whose latest message is attachment-only, counting every message', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'first' });
    await n.run();
    n.clock.advance(10_000);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'second' });
    await n.core.sendMessageWithAttachments(n.storeUser, {
      conversationId,
      content: '',
      files: [pdf('invoice.pdf')],
    });
    n.clock.advance(5 * MINUTE);
    const { groups } = await n.run();
    expect(groups.map((g) => [g.outcome, g.jobIds.length])).toEqual([['sent', 2]]);
    expect(n.transports.platform.sent[1]?.text).toContain('Vous avez 2 nouveaux messages');
    expect(n.transports.platform.sent[1]?.text).toContain('📎 invoice.pdf');
  });

  it('skips a message deleted before the worker runs, and emails the rest of its batch', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    const kept = await n.core.sendMessage(n.storeUser, { conversationId, content: 'keep me' });
    const oops = await n.core.sendMessage(n.storeUser, { conversationId, content: 'wrong customer, sorry' });
    await n.core.deleteMessage(n.storeUser, conversationId, oops.message.id);

    const { groups } = await n.run();
    expect(groups.map((g) => [g.outcome, g.jobIds.length])).toEqual([['sent', 1]]);
    const sent = n.transports.platform.sent;
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain('keep me');
    expect(sent[0]?.text).not.toContain('wrong customer');
    expect(sent[0]?.text).not.toContain('nouveaux messages');
    expect((await n.store.raw.notificationJobs(oops.message.id))[0]).toMatchObject({ status: 'skipped' });
    expect((await n.store.raw.notificationJobs(kept.message.id))[0]).toMatchObject({ status: 'sent' });
  });

  it('sends nothing when every message of the batch was deleted', async () => {
    const n = await createInMemoryNotifications();
    const conversationId = await storeCustomerConversation(n);
    const only = await n.core.sendMessage(n.storeUser, { conversationId, content: 'never mind' });
    await n.core.deleteMessage(n.storeUser, conversationId, only.message.id);
    const { groups } = await n.run();
    expect(groups.map((g) => g.outcome)).toEqual(['skipped']);
    expect(n.transports.platform.sent).toEqual([]);
    expect((await n.store.raw.notificationJobs(only.message.id))[0]).toMatchObject({ status: 'skipped' });
  });

  it('one group failing never fails the others: its error is recorded and retried', async () => {
    let broken = true;
    const n = await createInMemoryNotifications({
      backoffBaseMs: 10_000,
      random: () => 0,
      wrapRenderEmail: (render) => async (input) => {
        if (broken && input.language === 'de') throw new Error('template engine crashed');
        return render(input);
      },
    });
    const toCustomer = await storeCustomerConversation(n);
    const toAdmin = await n.core.createConversation(n.admin, {
      conversationType: 'admin_store',
      subject: 'Payout',
      recipient: { type: 'store', id: 'u-sam' },
    });
    const failing = await n.core.sendMessage(n.storeUser, {
      conversationId: toAdmin.conversation.id,
      content: 'hi',
    });
    await n.core.sendMessage(n.storeUser, { conversationId: toCustomer, content: 'Shipped' });

    const { groups } = await n.run();
    const byRecipient = Object.fromEntries(groups.map((g) => [g.recipient.id, [g.outcome, g.error]]));
    expect(byRecipient).toEqual({
      'a-ada': ['retrying', 'template engine crashed'],
      'c-ana': ['sent', undefined],
    });
    expect(n.transports.platform.sent.map((mail) => mail.to[0]?.address)).toEqual(['ana@example.com']);
    expect((await n.store.raw.notificationJobs(failing.message.id))[0]).toMatchObject({
      status: 'pending',
      lastError: 'template engine crashed',
      lockedBy: null,
    });

    broken = false;
    n.clock.advance(5_000);
    expect((await n.run()).groups.map((g) => [g.recipient.id, g.outcome])).toEqual([['a-ada', 'sent']]);
  });

  it('fails a group for good once its claims reach maxAttempts', async () => {
    const n = await createInMemoryNotifications({
      maxAttempts: 2,
      backoffBaseMs: 1_000,
      random: () => 0,
      wrapRenderEmail: () => async () => {
        throw new Error('always broken');
      },
    });
    const conversationId = await storeCustomerConversation(n);
    const sent = await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    expect((await n.run()).groups.map((g) => g.outcome)).toEqual(['retrying']);
    n.clock.advance(MINUTE);
    expect((await n.run()).groups.map((g) => g.outcome)).toEqual(['failed']);
    expect((await n.store.raw.notificationJobs(sent.message.id))[0]).toMatchObject({
      status: 'failed',
      lastError: 'always broken',
    });
  });

  it("signs the store's emails to its customers, not the ones to its staff", async () => {
    const n = await createInMemoryNotifications();
    await n.email.updateStoreEmailSettings(n.storeUser, {
      signatureText: 'Acme — since 1999',
      signatureHtml: '<b>Acme</b> — since 1999',
    });
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'Shipped' });
    await n.core.sendMessage(n.customer, { conversationId, content: 'Thanks!' });
    await n.run();
    const byRecipient = new Map(n.transports.platform.sent.map((mail) => [mail.to[0]?.address, mail]));
    const toCustomer = byRecipient.get('ana@example.com');
    expect(toCustomer?.text).toMatch(/\n-- \nAcme — since 1999$/);
    // No sanitizer in this core: the HTML part gets the text signature, escaped.
    expect(toCustomer?.html).toContain('<div class="parley-signature">Acme — since 1999</div>');
    const toStaff = byRecipient.get('sam@acme.test');
    expect(toStaff).toBeDefined();
    expect(toStaff?.text).not.toContain('since 1999');
    expect(toStaff?.html).not.toContain('since 1999');
  });

  it('links to the configured inbox URL template', async () => {
    const n = await createInMemoryNotifications({
      inboxUrlTemplate: 'https://shop.example/{audience}/account/messages/{conversation_id}?from=email',
    });
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    await n.run();
    expect(n.transports.platform.sent[0]?.html).toContain(
      `https://shop.example/storefront/account/messages/${conversationId}?from=email`,
    );
  });
});

describe('processNotifications: a worker that stalls past its lease', () => {
  it('sends nothing and writes nothing once its lease was taken over, while the successor sends', async () => {
    const LEASE = MINUTE;
    // Worker 1 stalls while rendering; its lease runs out, worker 2 claims the group and is
    // inside the provider call (its log `pending`) when worker 1 wakes up.
    let stall = true;
    let releaseSecond: () => void = () => {};
    let secondRun: Promise<ProcessNotificationsResult> | undefined;
    const n = await createInMemoryNotifications({
      leaseMs: LEASE,
      wrapRenderEmail: (render) => async (input) => {
        const rendered = await render(input);
        if (stall) {
          stall = false;
          n.clock.advance(LEASE + 1);
          const second = n.transports.platform;
          const send = second.send.bind(second);
          let entered: () => void = () => {};
          const inside = new Promise<void>((resolve) => {
            entered = resolve;
          });
          second.send = async (email) => {
            second.send = send;
            entered();
            await new Promise<void>((resolve) => {
              releaseSecond = resolve;
            });
            return send(email);
          };
          secondRun = n.run('worker-2');
          await inside;
        }
        return rendered;
      },
    });
    const conversationId = await storeCustomerConversation(n);
    const message = await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });

    const first = await n.run('worker-1');
    expect(first.groups.map((g) => g.outcome)).toEqual(['lease_lost']);
    expect(n.transports.platform.sent).toHaveLength(0);
    releaseSecond();
    const second = await secondRun;
    expect(second?.groups.map((g) => g.outcome)).toEqual(['sent']);
    expect(n.transports.platform.sent).toHaveLength(1);
    expect((await n.store.raw.notificationJobs(message.message.id))[0]).toMatchObject({ status: 'sent' });
  });
});

/**
 * A pipeline whose worker can be SIGKILLed at a point of the send: from then on the process
 * writes nothing more (no email log outcome, no queue write), exactly what a killed process
 * leaves behind; `kill` arms it, `revive` is the next worker starting.
 */
async function killableWorker(options: { daily?: () => boolean } = {}) {
  let killed = false;
  /** A write of the process: refused once it is dead. */
  const alive = async <T>(write: () => Promise<T>): Promise<T> => {
    if (killed) throw new Error('worker killed');
    return write();
  };
  const n = await createInMemoryNotifications({
    leaseMs: MINUTE,
    ...(options.daily === undefined
      ? {}
      : {
          preferences: {
            find: async (participant) =>
              options.daily?.()
                ? {
                    participant,
                    tenantId: 'acme',
                    emailFrequency: 'daily',
                    timeZone: 'UTC',
                    digestHour: 8,
                    digestWeekday: 1,
                    updatedAt: new Date('2026-05-01T08:00:30.000Z'),
                  }
                : null,
          },
        }),
    wrapQueue: (queue) => ({
      enqueue: (jobs) => queue.enqueue(jobs),
      claimDue: (input) => queue.claimDue(input),
      renewLease: (ids, input) => alive(() => queue.renewLease(ids, input)),
      complete: (ids, input) => alive(() => queue.complete(ids, input)),
      reschedule: (ids, input) => alive(() => queue.reschedule(ids, input)),
      fail: (ids, input) => alive(() => queue.fail(ids, input)),
      stats: (now) => queue.stats(now),
    }),
  });
  const recordSendOutcome = n.emailLogs.recordSendOutcome.bind(n.emailLogs);
  n.emailLogs.recordSendOutcome = (id, outcome) => alive(() => recordSendOutcome(id, outcome));
  const platform = n.transports.platform;
  const send = platform.send.bind(platform);
  let killBeforeSend = false;
  let killAfterSend = false;
  platform.send = async (email) => {
    if (killBeforeSend) {
      killed = true;
      throw new Error('worker killed');
    }
    const result = await send(email);
    killed ||= killAfterSend;
    return result;
  };
  return {
    n,
    /** The next send's process dies just before the provider call, or just after it accepted. */
    kill(at: 'before the provider call' | 'after the provider accepted') {
      killBeforeSend = at === 'before the provider call';
      killAfterSend = !killBeforeSend;
    },
    revive() {
      killed = killBeforeSend = killAfterSend = false;
    },
  };
}

describe('processNotifications: a worker killed in the middle of a send', () => {
  it('finishes the email as composed once the lease ends, even if the recipient chose a digest meanwhile', async () => {
    // The scripted day's flake: the killed worker left its email log `pending`; when the lease
    // ended, the recipient had switched to a daily digest, the successor skipped the jobs and the
    // log stayed `pending` for good. The uninterrupted run would have sent it: so does the retry.
    let daily = false;
    const { n, kill, revive } = await killableWorker({ daily: () => daily });
    const conversationId = await storeCustomerConversation(n);
    const message = await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    kill('before the provider call');
    await expect(n.run('w1')).rejects.toThrow('worker killed');
    const [job] = await n.store.raw.notificationJobs(message.message.id);
    expect(job).toMatchObject({ status: 'pending', lockedBy: 'w1' });
    const composed = await n.emailLogs.findById(job?.id ?? '');
    expect(composed).toMatchObject({ status: 'pending', recipient: 'ana@example.com' });
    expect(n.transports.platform.sent).toHaveLength(0);

    revive();
    daily = true;
    expect((await n.run('w2')).groups).toEqual([]); // still leased
    n.clock.advance(MINUTE);
    const { groups } = await n.run('w2');
    expect(groups.map((g) => [g.outcome, g.emailLogId])).toEqual([['sent', composed?.id]]);
    expect(n.transports.platform.sent).toHaveLength(1);
    expect(n.transports.platform.sent[0]).toMatchObject({
      to: [{ address: 'ana@example.com', name: 'Ana' }],
      subject: composed?.subject,
      text: composed?.bodyText,
    });
    expect(await n.emailLogs.findById(composed?.id ?? '')).toMatchObject({ status: 'sent', retryCount: 0 });
    expect((await n.store.raw.notificationJobs(message.message.id))[0]).toMatchObject({
      status: 'sent',
      emailLogId: composed?.id,
    });
    // A later message is not emailed: the digest covers it.
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'and another thing' });
    n.clock.advance(10 * MINUTE);
    expect((await n.run('w2')).groups.map((g) => g.outcome)).toEqual(['skipped']);
    expect(n.transports.platform.sent).toHaveLength(1);
    expect(n.emailLogs.all().map((log) => log.status)).toEqual(['sent']);
  });

  it('sends again, on the same log, when killed after the provider accepted: at least once in that gap', async () => {
    const { n, kill, revive } = await killableWorker();
    const conversationId = await storeCustomerConversation(n);
    await n.core.sendMessage(n.storeUser, { conversationId, content: 'hello' });
    kill('after the provider accepted');
    await expect(n.run('w1')).rejects.toThrow('worker killed');
    expect(n.transports.platform.sent).toHaveLength(1);
    revive();
    n.clock.advance(MINUTE);
    const { groups } = await n.run('w2');
    expect(groups.map((g) => g.outcome)).toEqual(['sent']);
    // Nothing recorded that the provider had it: the same email goes again, under the same log id.
    expect(n.transports.platform.sent).toHaveLength(2);
    expect(n.transports.platform.sent[1]?.metadata).toEqual(n.transports.platform.sent[0]?.metadata);
    expect(await n.emailLogs.findById(groups[0]?.emailLogId ?? '')).toMatchObject({ status: 'sent' });
  });
});

describe('messagePreview and replyUrl', () => {
  const attachment = (originalFilename: string) => ({ originalFilename, filename: 'x.bin' });
  it('previews text, else the files, cut on code points', () => {
    expect(messagePreview({ content: 'Hello', attachments: [] }).preview).toBe('Hello');
    expect(
      messagePreview({
        content: '',
        attachments: [attachment('a.jpg'), attachment('b.pdf')] as never,
      }),
    ).toEqual({ preview: '📎 a.jpg, b.pdf', attachmentCount: 2, attachmentNames: 'a.jpg, b.pdf' });
    const long = messagePreview({ content: '😀'.repeat(300), attachments: [] }).preview;
    expect(Array.from(long)).toHaveLength(200);
    expect(long.endsWith('😀…')).toBe(true);
  });

  it('fills the template', () => {
    expect(replyUrl('https://x.test/{audience}/c/{conversation_id}', 'admin', 'a b')).toBe(
      'https://x.test/admin/c/a%20b',
    );
  });

  it("takes each type's audience from the preset's policy (the type itself when it names none)", () => {
    expect(replyAudience(marketplaceDefinition, 'customer')).toBe('storefront');
    expect(replyAudience(marketplaceDefinition, 'store')).toBe('store');
    expect(replyAudience(marketplaceDefinition, 'admin')).toBe('admin');
    expect(replyAudience(careTeamDefinition, 'clinician')).toBe('clinician');
    expect(replyAudience(communityDefinition, 'student')).toBe('student');
  });
});

describe('retryDelayMs', () => {
  it('doubles per attempt, caps, and jitters within [0.5, 1)', () => {
    const options = { backoffBaseMs: 1_000, backoffMaxMs: 5_000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, options, () => 0))).toEqual([500, 1_000, 2_000, 2_500]);
    expect(retryDelayMs(2, options, () => 0.999)).toBe(1_999);
  });
});
