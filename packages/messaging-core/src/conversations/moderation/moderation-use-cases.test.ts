import { beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../../testing/in-memory-messaging.js';
import type { ContentModerator } from '../ports/content-moderator.js';
import { InMemoryModerationSettingsRepository } from '../testing/in-memory-moderation-settings-repository.js';
import { contactDetailsModerator } from './contact-details-moderator.js';

// Moderation through the core (issue 14): send, edit, the review queue and its decisions, the
// settings per tenant, with the built-in contact filter and a test word moderator.

const ADMIN: Actor = { type: 'admin', id: 'u-admin', tenantId: null };
const SAM: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme' };
const ANA: Actor = { type: 'customer', id: 'c-ana', tenantId: 'acme' };
const BEA: Actor = { type: 'store', id: 'u-bea', tenantId: 'bolt' };

/** Holds "forbidden", rejects "never": stands in for the word list (its own tests are in adapters-obscenity). */
const words: ContentModerator = {
  name: 'test_words',
  async moderate({ content }) {
    if (content.includes('never')) return { action: 'reject', reason: 'not allowed here' };
    if (content.includes('forbidden')) return { action: 'hold', reason: 'inappropriate language' };
    return { action: 'allow' };
  },
};

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return { code: error.code, field: error.field, details: error.details };
}

describe('moderation through the core', () => {
  let m: InMemoryMessaging;
  let conversationId: string;

  beforeEach(async () => {
    const clock = new FixedClock(new Date('2026-05-01T09:00:00.000Z'), { autoAdvanceMs: 1000 });
    m = createInMemoryMessaging({
      clock,
      ids: new SequentialIds('id'),
      moderation: {
        moderators: [
          { moderator: words, timeoutMs: 100, onFailure: 'fail_open' },
          { moderator: contactDetailsModerator, timeoutMs: 100, onFailure: 'fail_open' },
        ],
        settings: new InMemoryModerationSettingsRepository(),
      },
    });
    const at = new Date('2026-04-01T00:00:00.000Z');
    await m.directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, at);
    await m.directory.upsertStore({ id: 'bolt', name: 'Bolt', tier: 'business' }, at);
    await m.directory.upsertPlatformUser(
      { id: 'u-admin', name: 'Ada', email: 'ada@p.test', role: 'admin', storeId: null, locale: 'en' },
      at,
    );
    await m.directory.upsertPlatformUser(
      { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
      at,
    );
    await m.directory.upsertPlatformUser(
      { id: 'u-bea', name: 'Bea', email: 'bea@bolt.test', role: 'store', storeId: 'bolt', locale: 'en' },
      at,
    );
    await m.directory.upsertCustomer(
      { id: 'c-ana', storeId: 'acme', name: 'Ana', email: 'ana@mail.test', locale: 'en' },
      at,
    );
    const { conversation } = await m.core.createConversation(SAM, {
      conversationType: 'store_customer',
      subject: 'Order',
      recipient: { type: 'customer', id: 'c-ana' },
    });
    conversationId = conversation.id;
  });

  const unreadOf = async (actor: Actor) => (await m.core.getUnreadCount(actor)).totalUnread;
  const historyOf = async (actor: Actor) =>
    (await m.core.listMessages(actor, conversationId)).messages.map((x) => x.content);

  it('rejects with the reason and stores nothing', async () => {
    m.events.clear();
    expect(await failure(m.core.sendMessage(ANA, { conversationId, content: 'never again' }))).toEqual({
      code: 'MESSAGE_REJECTED',
      field: 'content',
      details: { reason: 'not allowed here' },
    });
    expect(m.events.events).toEqual([]);
    expect(await historyOf(SAM)).toEqual([]);
  });

  it('rewrites contact details with the marketplace default (masking)', async () => {
    const { message } = await m.core.sendMessage(ANA, { conversationId, content: 'mail me: ana@mail.test' });
    expect(message.content).toBe('mail me: ***');
    expect(message.moderation).toBeUndefined();
    expect(await historyOf(SAM)).toEqual(['mail me: ***']);
  });

  it('holds: invisible to the recipient (history, unread, preview, notifications) until approved', async () => {
    await m.core.sendMessage(ANA, { conversationId, content: 'hello' });
    const { message } = await m.core.sendMessage(ANA, { conversationId, content: 'forbidden words' });
    expect(message.moderation).toEqual({ state: 'held', reason: 'inappropriate language' });
    expect(await historyOf(SAM)).toEqual(['hello']);
    expect(await historyOf(ANA)).toEqual(['forbidden words', 'hello']);
    expect(await unreadOf(SAM)).toBe(1);
    const inbox = await m.core.listConversations(SAM);
    expect(inbox.conversations[0]?.lastMessage?.content).toBe('hello');
    expect(m.events.ofType('message.held')).toHaveLength(1);
    await m.dispatcher.drain();
    expect(await m.store.raw.notificationJobs(message.id)).toEqual([]);

    const queue = await m.core.listModerationQueue(ADMIN);
    expect(queue.items.map((i) => [i.messageId, i.state, i.reason])).toEqual([
      [message.id, 'held', 'inappropriate language'],
    ]);
    const approved = await m.core.reviewMessage(ADMIN, { messageId: message.id, decision: 'approved' });
    expect(approved).toMatchObject({ state: 'approved', reviewedBy: { name: 'Ada' } });
    expect(await historyOf(SAM)).toEqual(['forbidden words', 'hello']);
    expect(await unreadOf(SAM)).toBe(2);
    expect(m.events.ofType('message.approved')[0]?.payload).toMatchObject({
      message_id: message.id,
      previous_state: 'held',
    });
    await m.dispatcher.drain();
    expect((await m.store.raw.notificationJobs(message.id)).map((j) => j.recipient.id)).toEqual(['u-sam']);
    expect((await m.core.listModerationQueue(ADMIN)).items).toEqual([]);
    // Decided: a second decision is a conflict.
    expect(
      await failure(
        m.core.reviewMessage(ADMIN, { messageId: message.id, decision: 'rejected', reason: 'x' }),
      ),
    ).toMatchObject({ code: 'CONFLICT' });
  });

  it('a held message rejected by a reviewer stays its sender’s, with the reason', async () => {
    const { message } = await m.core.sendMessage(ANA, { conversationId, content: 'forbidden' });
    expect(
      await failure(m.core.reviewMessage(ADMIN, { messageId: message.id, decision: 'rejected' })),
    ).toMatchObject({ code: 'VALIDATION', field: 'reason' });
    await m.core.reviewMessage(ADMIN, { messageId: message.id, decision: 'rejected', reason: 'Be polite' });
    const mine = await m.core.listMessages(ANA, conversationId);
    expect(mine.messages[0]?.moderation).toEqual({ state: 'rejected', reason: 'Be polite' });
    expect(await historyOf(SAM)).toEqual([]);
    expect(m.events.ofType('message.rejected')[0]?.payload).toMatchObject({ reason: 'Be polite' });
  });

  it('flags: delivered and queued; the tenant settings choose the action', async () => {
    await m.core.updateModerationSettings(SAM, 'acme', { contact_details: { action: 'flag' } });
    const { message } = await m.core.sendMessage(ANA, { conversationId, content: 'see www.example.com' });
    expect(message.content).toBe('see www.example.com');
    expect(message.moderation).toBeUndefined();
    expect(await historyOf(SAM)).toEqual(['see www.example.com']);
    expect(m.events.ofType('message.flagged')).toHaveLength(1);
    expect((await m.core.listModerationQueue(ADMIN, { state: 'flagged' })).items[0]?.reason).toBe(
      'contact details (link)',
    );
    await m.core.reviewMessage(ADMIN, { messageId: message.id, decision: 'rejected', reason: 'No links' });
    expect(await historyOf(SAM)).toEqual([]);
    expect(await unreadOf(SAM)).toBe(0);
  });

  it('moderates edits: a reject or hold refuses, a rewrite is stored', async () => {
    const { message } = await m.core.sendMessage(ANA, { conversationId, content: 'hello' });
    expect(
      await failure(m.core.editMessage(ANA, { conversationId, messageId: message.id, content: 'never' })),
    ).toMatchObject({ code: 'MESSAGE_REJECTED' });
    expect(
      await failure(m.core.editMessage(ANA, { conversationId, messageId: message.id, content: 'forbidden' })),
    ).toMatchObject({ code: 'MESSAGE_REJECTED', details: { reason: 'inappropriate language' } });
    const edited = await m.core.editMessage(ANA, {
      conversationId,
      messageId: message.id,
      content: 'call +33 6 12 34 56 78',
    });
    expect(edited.content).toBe('call ***');
  });

  it('the queue and decisions are for reviewers the policy allows; others get NOT_FOUND', async () => {
    const { message } = await m.core.sendMessage(ANA, { conversationId, content: 'forbidden' });
    expect(await failure(m.core.listModerationQueue(SAM))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure(m.core.listModerationQueue(ANA))).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      await failure(m.core.reviewMessage(SAM, { messageId: message.id, decision: 'approved' })),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect((await m.core.listModerationQueue(ADMIN, { tenantId: 'bolt' })).items).toEqual([]);
    expect((await m.core.listModerationQueue(ADMIN, { tenantId: 'acme' })).items).toHaveLength(1);
  });

  it('settings: preset defaults, partial updates, validation, own tenant only', async () => {
    expect(await m.core.getModerationSettings(SAM, 'acme')).toMatchObject({
      contactDetails: { enabled: true, action: 'rewrite' },
    });
    const next = await m.core.updateModerationSettings(SAM, 'acme', {
      word_list: { added_terms: ['Knockoff', 'knockoff'], allowed_terms: [] },
    });
    expect(next.wordList.addedTerms).toEqual(['knockoff']);
    expect(next.contactDetails.action).toBe('rewrite');
    expect(
      await failure(m.core.updateModerationSettings(SAM, 'acme', { contact_details: { action: 'explode' } })),
    ).toMatchObject({ code: 'VALIDATION', field: 'contact_details.action' });
    expect(await failure(m.core.getModerationSettings(BEA, 'acme'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await failure(m.core.getModerationSettings(ANA, 'acme'))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await m.core.getModerationSettings(ADMIN, 'acme')).wordList.addedTerms).toEqual(['knockoff']);
  });
});
