import { describe, expect, it } from 'vitest';
import { marketplaceDefinition } from '../../conversations/policy/marketplace-policy.js';
import type { ConversationSummary } from '../../conversations/use-cases/views.js';
import type { EmailLog } from '../../email/model/email-log.js';
import type { SendEmailInput } from '../../email/use-cases/send-email.js';
import { MessagingError } from '../../kernel/errors.js';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { InMemoryDigestLedger } from '../testing/in-memory-digest-ledger.js';
import { InMemoryNotificationPreferencesRepository } from '../testing/in-memory-notification-preferences-repository.js';
import { type DigestDependencies, sendDueDigests } from './send-digests.js';

const ANA = { type: 'customer', id: 'c-ana' };
const ENTRY: DirectoryEntry = {
  ref: ANA,
  name: 'Ana',
  email: 'ana@example.com',
  locale: 'fr',
  storeId: 'acme',
};

function summary(id: string, change: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    conversation: { id, subject: `Subject ${id}` } as ConversationSummary['conversation'],
    unreadCount: 2,
    lastReadSeq: 0,
    lastReadAt: null,
    muted: false,
    emailNotifications: true,
    archivedAt: null,
    otherParticipants: [{ ref: { type: 'store', id: 'sam' }, name: 'Sam' }],
    lastMessage: {
      seq: 2,
      content: `latest of ${id}`,
      sender: { type: 'store', id: 'sam' },
      isSystemMessage: false,
      isDeleted: false,
      createdAt: new Date('2026-06-01T05:00:00Z'),
    },
    ...change,
  };
}

async function setup(sendResults: ('ok' | 'retryable' | 'permanent')[]) {
  const clock = new FixedClock(new Date('2026-06-01T04:00:00Z'));
  const preferences = new InMemoryNotificationPreferencesRepository();
  const ledger = new InMemoryDigestLedger();
  const sent: SendEmailInput[] = [];
  const failListing = { next: false };
  const rendered: Record<string, unknown>[] = [];
  const unread = [
    summary('a'),
    summary('muted', { muted: true }),
    summary('quiet', { emailNotifications: false }),
    summary('b', { unreadCount: 1 }),
  ];
  const deps: DigestDependencies = {
    preferences,
    ledger,
    directory: { resolve: async (ref) => (ref.id === ANA.id ? ENTRY : null) },
    listUnread: async () => {
      if (failListing.next) {
        failListing.next = false;
        throw new Error('inbox down');
      }
      return unread;
    },
    renderEmail: async (input) => {
      rendered.push({
        code: input.code,
        language: input.language,
        storeId: input.storeId,
        ...input.variables,
      });
      return {
        subject: 's',
        html: 'h',
        text: 't',
        templateCode: input.code,
        language: input.language,
        source: 'platform',
      };
    },
    sendEmail: async (input) => {
      sent.push(input);
      const result = sendResults.shift() ?? 'ok';
      const log = { id: input.logId ?? 'log', retryCount: sent.length - 1 } as EmailLog;
      if (result === 'ok') return { log, error: null };
      return {
        log,
        error: new MessagingError(
          result === 'retryable' ? 'MAIL_RETRYABLE' : 'MAIL_PERMANENT',
          `${result} failure`,
        ),
      };
    },
    publicUrl: 'https://parley.test',
    policy: { definition: marketplaceDefinition },
    clock,
    random: () => 0,
    maxAttempts: 3,
  };
  await preferences.save(
    {
      participant: ANA,
      tenantId: 'acme',
      emailFrequency: 'daily',
      timeZone: 'Europe/Paris',
      digestHour: 7,
      digestWeekday: 1,
      updatedAt: clock.now(),
    },
    {
      type: 'notification_preferences.updated',
      occurredAt: clock.now(),
      actor: ANA,
      tenantId: 'acme',
      conversationId: null,
      participant: ANA,
      emailFrequency: 'daily',
      timeZone: 'Europe/Paris',
      digestHour: 7,
      digestWeekday: 1,
      changed: [],
    },
  );
  const run = async () => (await sendDueDigests(deps, { workerId: 'w1', now: clock.now() })).digests;
  return { clock, ledger, sent, rendered, run, failListing };
}

describe('sendDueDigests', () => {
  it('lists the unread conversations but muted or email-off ones, in the recipient language and tenant', async () => {
    const d = await setup(['ok']);
    expect(await d.run()).toEqual([]);
    d.clock.set(new Date('2026-06-01T05:00:00Z')); // 07:00 in Paris
    expect((await d.run()).map((r) => [r.outcome, r.periodStart, r.conversationCount])).toEqual([
      ['sent', '2026-06-01', 2],
    ]);
    expect(d.rendered).toEqual([
      {
        code: 'digest_daily',
        language: 'fr',
        storeId: 'acme',
        recipient_name: 'Ana',
        period: 'daily',
        conversation_count: 2,
        unread_count: 3,
        inbox_url: 'https://parley.test/inbox',
        conversations: [
          {
            subject: 'Subject a',
            unread_count: 2,
            sender_name: 'Sam',
            message_preview: 'latest of a',
            reply_url: 'https://parley.test/inbox/c/a',
          },
          {
            subject: 'Subject b',
            unread_count: 1,
            sender_name: 'Sam',
            message_preview: 'latest of b',
            reply_url: 'https://parley.test/inbox/c/b',
          },
        ],
      },
    ]);
    expect(d.sent[0]).toMatchObject({
      storeId: 'acme',
      to: { address: 'ana@example.com', name: 'Ana' },
      relatedType: 'digest',
    });
    expect(d.sent[0]?.logId).toBe(d.sent[0]?.relatedId);
    expect(await d.run()).toEqual([]);
  });

  it('retries a retryable failure on the same log after the backoff, and fails a permanent one for good', async () => {
    const d = await setup(['retryable', 'ok']);
    d.clock.set(new Date('2026-06-01T05:00:00Z'));
    expect((await d.run()).map((r) => r.outcome)).toEqual(['retrying']);
    // The backoff (60 s, jitter 0: half) has not passed.
    d.clock.advance(20_000);
    expect(await d.run()).toEqual([]);
    d.clock.advance(20_000);
    expect((await d.run()).map((r) => r.outcome)).toEqual(['sent']);
    expect(d.sent.map((s) => s.logId)).toEqual([d.sent[0]?.logId, d.sent[0]?.logId]);

    // An unexpected error (the inbox read) is retried too, and the others of the run go on.
    const e = await setup([]);
    e.clock.set(new Date('2026-06-01T05:00:00Z'));
    e.failListing.next = true;
    expect((await e.run()).map((r) => [r.outcome, r.error])).toEqual([['retrying', 'inbox down']]);
    e.clock.advance(60_000);
    expect((await e.run()).map((r) => r.outcome)).toEqual(['sent']);

    const p = await setup(['permanent']);
    p.clock.set(new Date('2026-06-01T05:00:00Z'));
    expect((await p.run()).map((r) => [r.outcome, r.error])).toEqual([['failed', 'permanent failure']]);
    p.clock.advance(3_600_000);
    expect(await p.run()).toEqual([]);
  });
});
