import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../../kernel/errors.js';
import type { Actor } from '../../../kernel/model/participant-ref.js';
import { FixedClock } from '../../../kernel/testing/fixed-clock.js';
import { InMemoryPeopleDirectory } from '../../../kernel/testing/in-memory-people-directory.js';
import { InMemorySettingsStore } from '../../../kernel/testing/in-memory-settings-store.js';
import { createMessagingCore, type MessagingCore } from '../../messaging-core.js';
import type { LoggedEvent } from '../../model/domain-event.js';
import {
  ADMINS_CANNOT_BE_BLOCKED,
  BLOCKED_BY_RECIPIENT,
  careTeamPolicy,
  careTeamPreset,
  USERS_ONLY_REPLY_TO_CLINICIANS,
} from '../../policy/care-team-policy.js';
import type { MessagingStore } from '../../ports/messaging-store.js';
import type { MessagingStoreRawReader } from './raw-readers.js';

export interface CareTeamContractTarget {
  /** A fresh, empty store. */
  readonly store: MessagingStore;
  /** Reads the recorded events directly (the log's reader holds back what concurrent transactions may still precede). */
  readonly raw: Pick<MessagingStoreRawReader, 'events'>;
  readonly teardown?: () => Promise<void>;
}

export interface CareTeamContractOptions {
  /** Shown in the test names, e.g. "in-memory" or "kysely (postgres)". */
  readonly name: string;
  readonly setup: () => Promise<CareTeamContractTarget>;
}

const T0 = new Date('2026-12-01T09:00:00.000Z');

const person = (type: string, id: string): Actor => ({ type, id, tenantId: null, name: id });
const ADA = person('admin', 'ada');
const THEO = person('therapist', 'theo');
const KIM = person('clinician', 'dr.kim');
const UMA = person('user', 'uma');
const ULYSSES = person('user', 'ulysses');

async function failure(work: Promise<unknown>): Promise<{ code: string; message: string; field?: string }> {
  try {
    await work;
  } catch (error) {
    if (isMessagingError(error))
      return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
    throw error;
  }
  throw new Error('expected a MessagingError');
}

/**
 * The care-team rules end to end through the core (username-addressed use cases, one conversation
 * per pair, blocks, per-side delete, exact read state, admin monitoring), against any
 * `MessagingStore`: the in-memory one and the Kysely one on PGlite and PostgreSQL run it alike.
 *
 * @example
 * ```ts
 * careTeamContract({ name: 'in-memory', setup: async () => { const store = new InMemoryMessagingStore(); return { store, raw: store.raw }; } });
 * ```
 */
export function careTeamContract(options: CareTeamContractOptions): void {
  describe(`care-team use cases (${options.name})`, () => {
    let target: CareTeamContractTarget;
    let core: MessagingCore;
    let clock: FixedClock;

    beforeEach(async () => {
      target = await options.setup();
      clock = new FixedClock(T0);
      const directory = new InMemoryPeopleDirectory();
      for (const p of [...careTeamPreset.demo.people, { ...careTeamPreset.demo.people[2]!, id: 'dr.kai' }])
        await directory.upsertPerson(p, T0);
      core = createMessagingCore({
        store: target.store,
        directory,
        settings: new InMemorySettingsStore(),
        policy: careTeamPolicy,
        clock,
      });
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    const events = async (type: string): Promise<LoggedEvent[]> =>
      (await target.raw.events()).filter((e) => e.type === type);
    const tick = () => clock.advance(1000);

    it('one conversation per pair: later messages of either side go into it, a user replies to a clinician who wrote first', async () => {
      const first = await core.sendDirectMessage(KIM, {
        recipient: 'uma',
        subject: 'Results',
        content: 'All fine',
      });
      tick();
      const second = await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'Call me' });
      tick();
      const reply = await core.sendDirectMessage(UMA, { recipient: 'dr.kim', content: 'Thanks!' });
      expect(second.conversationId).toBe(first.conversationId);
      expect(reply.conversationId).toBe(first.conversationId);
      expect(first.subject).toBe('Results');
      expect(second.subject).toBeNull();
      expect((await events('conversation.created')).length).toBe(1);
      // The generic use case honours the pair too: starting again reuses the conversation.
      const generic = await core.createConversation(UMA, {
        conversationType: 'direct',
        subject: 'Again',
        participants: [{ type: 'clinician', id: 'dr.kim' }],
      });
      expect(generic.conversation.id).toBe(first.conversationId);
      expect((await events('conversation.created')).length).toBe(1);
      const { messages } = await core.getDirectConversation(UMA, 'dr.kim', { limit: 50 });
      expect(messages.map((m) => [m.sender.id, m.recipient.id, m.content, m.subject])).toEqual([
        ['dr.kim', 'uma', 'All fine', 'Results'],
        ['dr.kim', 'uma', 'Call me', null],
        ['uma', 'dr.kim', 'Thanks!', null],
      ]);
    });

    it('a user never starts with a clinician (403, exact message); nobody messages themselves (400); unknown people are 404', async () => {
      expect(
        await failure(core.sendDirectMessage(UMA, { recipient: 'dr.kai', content: 'Hi' })),
      ).toMatchObject({
        code: 'FORBIDDEN',
        message: USERS_ONLY_REPLY_TO_CLINICIANS,
      });
      expect(await failure(core.sendDirectMessage(UMA, { recipient: 'uma', content: 'Hi' }))).toMatchObject({
        code: 'VALIDATION',
        field: 'recipient',
      });
      expect(
        await failure(core.sendDirectMessage(UMA, { recipient: 'nobody', content: 'Hi' })),
      ).toMatchObject({
        code: 'NOT_FOUND',
        field: 'recipient',
      });
      // Users start with therapists, users and admins.
      for (const to of ['theo', 'ulysses', 'ada'])
        expect((await core.sendDirectMessage(UMA, { recipient: to, content: 'Hi' })).recipient.id).toBe(to);
    });

    it('two concurrent first messages of a pair give one conversation', async () => {
      const sent = await Promise.all([
        core.sendDirectMessage(THEO, { recipient: 'uma', content: 'a' }),
        core.sendDirectMessage(UMA, { recipient: 'theo', content: 'b' }),
        core.sendDirectMessage(THEO, { recipient: 'uma', content: 'c' }),
      ]);
      expect(new Set(sent.map((s) => s.conversationId)).size).toBe(1);
      const { messages } = await core.getDirectConversation(THEO, 'uma', { limit: 50 });
      expect(messages.map((m) => m.content).sort()).toEqual(['a', 'b', 'c']);
    });

    it('blocking: the blocked person cannot send (generic API too), the blocker still can; unblock restores it; events recorded', async () => {
      const opened = await core.sendDirectMessage(UMA, { recipient: 'ulysses', content: 'Hey' });
      const block = await core.blockPerson(ULYSSES, 'uma');
      expect(block).toMatchObject({ blocked: { type: 'user', id: 'uma' }, created: true });
      expect((await core.blockPerson(ULYSSES, 'uma')).created).toBe(false);
      expect(await failure(core.sendDirectMessage(UMA, { recipient: 'ulysses', content: 'Again' }))).toEqual({
        code: 'FORBIDDEN',
        message: BLOCKED_BY_RECIPIENT,
      });
      expect(
        await failure(core.sendMessage(UMA, { conversationId: opened.conversationId, content: 'Generic' })),
      ).toMatchObject({ code: 'FORBIDDEN', message: BLOCKED_BY_RECIPIENT });
      expect(
        (await core.sendDirectMessage(ULYSSES, { recipient: 'uma', content: 'Still me' })).sender.id,
      ).toBe('ulysses');
      expect((await core.listBlocks(ULYSSES)).map((b) => b.blocked.id)).toEqual(['uma']);
      expect(await core.listBlocks(UMA)).toEqual([]);
      await core.unblockPerson(ULYSSES, 'uma');
      expect((await core.sendDirectMessage(UMA, { recipient: 'ulysses', content: 'Back' })).content).toBe(
        'Back',
      );
      expect(await failure(core.unblockPerson(ULYSSES, 'uma'))).toMatchObject({ code: 'NOT_FOUND' });
      expect((await events('participant.blocked')).map((e) => [e.actor.id, e.payload])).toEqual([
        ['ulysses', { blocked: { type: 'user', id: 'uma' } }],
      ]);
      expect((await events('participant.unblocked')).length).toBe(1);
    });

    it('a block of a first message is refused before anything is created; admins cannot be blocked; nobody blocks themselves', async () => {
      await core.blockPerson(THEO, 'uma');
      expect(await failure(core.sendDirectMessage(UMA, { recipient: 'theo', content: 'Hi' }))).toMatchObject({
        code: 'FORBIDDEN',
        message: BLOCKED_BY_RECIPIENT,
      });
      expect((await events('conversation.created')).length).toBe(0);
      expect(await failure(core.blockPerson(UMA, 'ada'))).toMatchObject({
        code: 'FORBIDDEN',
        message: ADMINS_CANNOT_BE_BLOCKED,
      });
      expect(await failure(core.blockPerson(UMA, 'uma'))).toMatchObject({
        code: 'VALIDATION',
        field: 'username',
      });
      expect(await failure(core.blockPerson(UMA, 'nobody'))).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('per-side delete: hidden for the deleter only (history, inbox, unread); deleted for good once both deleted it', async () => {
      const m1 = await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'one' });
      tick();
      const m2 = await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'two' });
      expect((await core.listDirectInbox(UMA, { page: 1, limit: 20 })).rows[0]?.unreadCount).toBe(2);

      await core.deleteDirectMessage(UMA, m2.id);
      const umaView = await core.getDirectConversation(UMA, 'dr.kim', { limit: 50 });
      expect(umaView.messages.map((m) => m.content)).toEqual(['one']);
      const inbox = await core.listDirectInbox(UMA, { page: 1, limit: 20 });
      expect(inbox.rows[0]).toMatchObject({ unreadCount: 1, isLatestFromThem: true });
      expect(inbox.rows[0]?.lastMessage?.content).toBe('one');
      expect(inbox.totalUnread).toBe(1);
      expect(
        (await core.getDirectConversation(KIM, 'uma', { limit: 50 })).messages.map((m) => m.content),
      ).toEqual(['one', 'two']);
      expect(await failure(core.deleteDirectMessage(UMA, m2.id))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(core.markMessageRead(UMA, m2.id))).toMatchObject({ code: 'NOT_FOUND' });

      // Marking everything read does not count the hidden message back in, nor out twice.
      await core.markConversationRead(UMA, m1.conversationId);
      await core.deleteDirectMessage(KIM, m2.id);
      expect((await core.getDirectConversation(KIM, 'uma', { limit: 50 })).messages.map((m) => m.id)).toEqual(
        [m1.id],
      );
      const gone = await target.store.messages.findById(m1.conversationId, m2.id);
      expect(gone?.isDeleted).toBe(true);
      expect(gone?.deletedAt).not.toBeNull();
      expect((await events('message.deleted')).map((e) => e.payload)).toEqual([
        { message_id: m2.id, scope: 'self' },
        { message_id: m2.id, scope: 'everyone' },
      ]);
      // Nobody, not even a monitoring admin, sees it again.
      const monitored = await core.getConversation(ADA, m1.conversationId);
      expect(monitored.messages.map((m) => m.id)).toEqual([m1.id]);
      expect((await core.listDirectInbox(UMA, { page: 1, limit: 20 })).rows[0]?.unreadCount).toBe(0);
    });

    it('read state per message: read_at is when the recipient first covered it, by marking read or by replying', async () => {
      const m1 = await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'one' });
      tick();
      const m2 = await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'two' });
      tick();
      const t3 = clock.now();
      const read1 = await core.markMessageRead(UMA, m1.id);
      expect(read1).toEqual({ messageId: m1.id, isRead: true, readAt: t3 });
      let view = await core.getDirectConversation(KIM, 'uma', { limit: 50 });
      expect(view.messages.map((m) => [m.isRead, m.readAt?.toISOString() ?? null])).toEqual([
        [true, t3.toISOString()],
        [false, null],
      ]);
      tick();
      const t4 = clock.now();
      await core.markMessageRead(UMA, m2.id);
      tick();
      // Marking an already read message keeps its first read time.
      expect((await core.markMessageRead(UMA, m1.id)).readAt).toEqual(t3);
      tick();
      const m3 = await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'three' });
      tick();
      const reply = await core.sendDirectMessage(UMA, { recipient: 'dr.kim', content: 'ok' });
      view = await core.getDirectConversation(UMA, 'dr.kim', { limit: 50 });
      expect(view.messages.map((m) => [m.id, m.isRead, m.readAt?.toISOString() ?? null])).toEqual([
        [m1.id, true, t3.toISOString()],
        [m2.id, true, t4.toISOString()],
        [m3.id, true, reply.sentAt.toISOString()],
        [reply.id, false, null],
      ]);
      // Only the recipient marks a message read.
      expect(await failure(core.markMessageRead(UMA, reply.id))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await failure(core.markMessageRead(ADA, reply.id))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await failure(core.markMessageRead(THEO, reply.id))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(core.markMessageRead(UMA, '01900000-0000-7000-8000-00000000dead'))).toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('admins monitor every conversation and each read by a non-member is recorded; others get 404', async () => {
      const sent = await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'private' });
      const seen = await core.getConversation(ADA, sent.conversationId);
      expect(seen.messages.map((m) => m.content)).toEqual(['private']);
      await core.listMessages(ADA, sent.conversationId);
      const monitored = await events('conversation.monitored');
      expect(monitored.map((e) => [e.actor.id, e.conversationId])).toEqual([
        ['ada', sent.conversationId],
        ['ada', sent.conversationId],
      ]);
      expect(await failure(core.getConversation(THEO, sent.conversationId))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await failure(core.deleteDirectMessage(ADA, sent.id))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await failure(core.deleteDirectMessage(THEO, sent.id))).toMatchObject({ code: 'NOT_FOUND' });
      // Members reading their own conversation record nothing.
      await core.getConversation(UMA, sent.conversationId);
      expect((await events('conversation.monitored')).length).toBe(2);
    });

    it('inbox: one row per counterpart, newest activity first, numbered pages, unread only', async () => {
      await core.sendDirectMessage(THEO, { recipient: 'uma', content: 'from theo' });
      tick();
      await core.sendDirectMessage(KIM, { recipient: 'uma', content: 'from kim' });
      tick();
      await core.sendDirectMessage(UMA, { recipient: 'ada', content: 'to ada' });
      const first = await core.listDirectInbox(UMA, { page: 1, limit: 2 });
      expect(first.rows.map((r) => [r.withUser.id, r.unreadCount, r.isLatestFromThem])).toEqual([
        ['ada', 0, false],
        ['dr.kim', 1, true],
      ]);
      expect(first).toMatchObject({ totalUnread: 2, totalConversations: 3 });
      const second = await core.listDirectInbox(UMA, { page: 2, limit: 2 });
      expect(second.rows.map((r) => r.withUser.id)).toEqual(['theo']);
      expect((await core.listDirectInbox(UMA, { page: 3, limit: 2 })).rows).toEqual([]);
      const unread = await core.listDirectInbox(UMA, { page: 1, limit: 20, unreadOnly: true });
      expect(unread.rows.map((r) => r.withUser.id)).toEqual(['dr.kim', 'theo']);
      expect(unread.totalConversations).toBe(2);
    });
  });
}
