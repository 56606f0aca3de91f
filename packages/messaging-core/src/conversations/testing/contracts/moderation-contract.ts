import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import { DEFAULT_MODERATION_SETTINGS, type ModerationSettings } from '../../model/moderation.js';
import type { NewMessage } from '../../ports/message-repository.js';
import type { MessagingStore } from '../../ports/messaging-store.js';
import type { ModerationSettingsRepository } from '../../ports/moderation-settings-repository.js';
import type {
  MessagingStoreContractOptions,
  MessagingStoreContractTarget,
} from './messaging-store-contract.js';
import type { MessagingStoreRawReader } from './raw-readers.js';

const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

// UUID-shaped ids (SQL adapters use uuid columns), distinct from the other suites' ids.
let sequence = 0;
function id(): string {
  sequence += 1;
  return `01900000-0000-7000-8024-${sequence.toString(16).padStart(12, '0')}`;
}

const STORE_USER: ParticipantRef = { type: 'store', id: 'store-user-1' };
const CUSTOMER: ParticipantRef = { type: 'customer', id: 'customer-1' };
const REVIEWER: ParticipantRef = { type: 'admin', id: 'admin-1' };
const STORE_ID = 'store-1';
const OTHER_STORE = 'store-2';

/**
 * Moderation in every `MessagingStore` adapter (issue 14): `append` of a `held` message (nobody
 * else's unread, activity or archive moves; `message.held` instead of `message.sent`) and of a
 * `flagged` one (`message.sent` then `message.flagged`), `markRead` never counting held messages,
 * `review` (held → approved delivers: unread + 1 and archive cleared; flagged → rejected takes
 * back; a decided message is `not_pending`), and `moderationQueue` (pending only, newest first,
 * keyset pages, tenant / conversation / state filters). Same options as `messagingStoreContract`.
 *
 * @example
 * ```ts
 * moderationContract({ name: 'in-memory', setup: async () => { const s = new InMemoryMessagingStore(); return { store: s, raw: s.raw }; } });
 * ```
 */
export function moderationContract(options: MessagingStoreContractOptions): void {
  describe(`MessagingStore moderation contract: ${options.name}`, () => {
    let target: MessagingStoreContractTarget;
    let store: MessagingStore;
    let raw: MessagingStoreRawReader;

    beforeEach(async () => {
      target = await options.setup();
      store = target.store;
      raw = target.raw;
      await target.ensureStore?.(STORE_ID);
      await target.ensureStore?.(OTHER_STORE);
    });

    afterEach(async () => {
      await target.teardown?.();
    });

    async function conversation(tenantId = STORE_ID): Promise<Conversation> {
      const record: Conversation = {
        id: id(),
        conversationType: 'store_customer',
        subject: 'Moderation',
        tenantId,
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: at(0),
        updatedAt: at(0),
      };
      const member = (participant: ParticipantRef): ConversationParticipant => ({
        conversationId: record.id,
        participant,
        tenantId,
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: at(0),
        joinedAt: at(0),
        role: 'member',
        leftAt: null,
        visibleFromSeq: 1,
      });
      await store.conversations.create(record, [member(STORE_USER), member(CUSTOMER)]);
      return record;
    }

    async function send(
      conversationId: string,
      sender: ParticipantRef,
      seconds: number,
      moderation?: NewMessage['moderation'],
    ): Promise<string> {
      const messageId = id();
      const result = await store.messages.append({
        message: {
          id: messageId,
          conversationId,
          sender,
          content: `at ${seconds}`,
          isSystemMessage: false,
          createdAt: at(seconds),
          attachments: [],
          ...(moderation === undefined ? {} : { moderation }),
        },
        requireOpen: true,
      });
      if (result.status !== 'created') throw new Error(`expected created, got ${result.status}`);
      expect(result.message.moderation ?? null).toEqual(
        moderation === undefined ? null : { state: moderation.state, reason: moderation.reason },
      );
      return messageId;
    }

    async function membership(conversationId: string, ref: ParticipantRef): Promise<ConversationParticipant> {
      const found = (await raw.participants(conversationId)).find(
        (p) => p.participant.type === ref.type && p.participant.id === ref.id,
      );
      if (!found) throw new Error(`no membership for ${ref.type}:${ref.id}`);
      return found;
    }

    async function eventTypes(conversationId: string): Promise<string[]> {
      return (await raw.events()).filter((e) => e.conversationId === conversationId).map((e) => e.type);
    }

    it('a held message reaches nobody: no unread, no activity, no archive change, message.held only', async () => {
      const c = await conversation();
      await store.participants.setArchived(c.id, STORE_USER, at(1));
      const before = await membership(c.id, STORE_USER);
      const messageId = await send(c.id, CUSTOMER, 10, { state: 'held', reason: 'inappropriate language' });

      const recipient = await membership(c.id, STORE_USER);
      expect(recipient.unreadCount).toBe(0);
      expect(recipient.lastActivityAt).toEqual(before.lastActivityAt);
      expect(recipient.archivedAt).toEqual(at(1));
      const sender = await membership(c.id, CUSTOMER);
      expect(sender.lastReadSeq).toBe(1);
      expect((await raw.conversation(c.id))?.messageCount).toBe(1);

      const [stored] = await raw.messages(c.id);
      expect(stored?.moderation).toMatchObject({ state: 'held', reason: 'inappropriate language' });
      const events = (await raw.events()).filter((e) => e.conversationId === c.id);
      expect(events.map((e) => e.type)).toEqual(['message.held']);
      expect(events[0]?.payload).toMatchObject({
        message_id: messageId,
        seq: 1,
        reason: 'inappropriate language',
      });
    });

    it('a flagged message is delivered and records message.sent then message.flagged', async () => {
      const c = await conversation();
      const messageId = await send(c.id, CUSTOMER, 10, {
        state: 'flagged',
        reason: 'contact details (email)',
      });
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(1);
      const events = (await raw.events()).filter((e) => e.conversationId === c.id);
      expect(events.map((e) => e.type)).toEqual(['message.sent', 'message.flagged']);
      expect(events[1]?.payload).toMatchObject({ message_id: messageId, reason: 'contact details (email)' });
    });

    it('markRead never counts a held message', async () => {
      const c = await conversation();
      await send(c.id, CUSTOMER, 10);
      await send(c.id, CUSTOMER, 20, { state: 'held', reason: 'r' });
      await send(c.id, CUSTOMER, 30);
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(2);
      await store.participants.markRead(c.id, STORE_USER, at(40));
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(0);
      await send(c.id, CUSTOMER, 50);
      await store.participants.markRead(c.id, STORE_USER, at(60), 3);
      // Up to seq 3 passes one counted message (seq 3) and one held (seq 2, never counted): seq 4 stays.
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(1);
    });

    it('approving a held message delivers it; a decided message is no longer pending', async () => {
      const c = await conversation();
      await store.participants.setArchived(c.id, STORE_USER, at(1));
      const messageId = await send(c.id, CUSTOMER, 10, { state: 'held', reason: 'r' });
      const result = await store.messages.review(c.id, messageId, {
        decision: 'approved',
        reason: null,
        by: REVIEWER,
        at: at(20),
      });
      expect(result.status).toBe('reviewed');
      if (result.status !== 'reviewed') return;
      expect(result.previousState).toBe('held');
      expect(result.message.moderation).toMatchObject({
        state: 'approved',
        reviewedBy: REVIEWER,
        reviewedAt: at(20),
      });
      const recipient = await membership(c.id, STORE_USER);
      expect(recipient.unreadCount).toBe(1);
      expect(recipient.archivedAt ?? null).toBeNull();
      // The held message's time is now the recipient's activity (their inbox order).
      expect(recipient.lastActivityAt).toEqual((await raw.messages(c.id))[0]?.createdAt);
      expect((await membership(c.id, CUSTOMER)).unreadCount).toBe(0);
      // Counted from now on: reading it lowers the count.
      await store.participants.markRead(c.id, STORE_USER, at(30));
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(0);

      const again = await store.messages.review(c.id, messageId, {
        decision: 'rejected',
        reason: 'late',
        by: REVIEWER,
        at: at(40),
      });
      expect(again.status).toBe('not_pending');
      expect((await raw.messages(c.id))[0]?.moderation?.state).toBe('approved');
    });

    it('rejecting a flagged message takes it back from unread counts; rejecting a held one keeps them', async () => {
      const c = await conversation();
      const flagged = await send(c.id, CUSTOMER, 10, { state: 'flagged', reason: 'f' });
      const held = await send(c.id, CUSTOMER, 20, { state: 'held', reason: 'h' });
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(1);
      const one = await store.messages.review(c.id, flagged, {
        decision: 'rejected',
        reason: 'spam',
        by: REVIEWER,
        at: at(30),
      });
      expect(one.status === 'reviewed' && one.message.moderation).toMatchObject({
        state: 'rejected',
        reason: 'spam',
      });
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(0);
      const two = await store.messages.review(c.id, held, {
        decision: 'rejected',
        reason: 'no',
        by: REVIEWER,
        at: at(40),
      });
      expect(two.status === 'reviewed' && two.previousState).toBe('held');
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(0);
      // A rejected message is never counted, even when read past.
      await store.participants.markRead(c.id, STORE_USER, at(50));
      expect((await membership(c.id, STORE_USER)).unreadCount).toBe(0);
    });

    it('review answers not_found for a missing message, not_pending for an unmoderated one', async () => {
      const c = await conversation();
      const plain = await send(c.id, CUSTOMER, 10);
      const decision = { decision: 'approved' as const, reason: null, by: REVIEWER, at: at(20) };
      expect((await store.messages.review(c.id, id(), decision)).status).toBe('not_found');
      expect((await store.messages.review(c.id, 'not-a-uuid', decision)).status).toBe('not_found');
      expect((await store.messages.review(c.id, plain, decision)).status).toBe('not_pending');
      expect(await eventTypes(c.id)).toEqual(['message.sent']);
    });

    it('the queue lists pending messages newest first, in keyset pages, with filters', async () => {
      const a = await conversation(STORE_ID);
      const b = await conversation(OTHER_STORE);
      const m1 = await send(a.id, CUSTOMER, 10, { state: 'flagged', reason: '1' });
      const m2 = await send(a.id, CUSTOMER, 20, { state: 'held', reason: '2' });
      await send(a.id, CUSTOMER, 25);
      const m3 = await send(b.id, CUSTOMER, 30, { state: 'held', reason: '3' });
      const m4 = await send(a.id, CUSTOMER, 40, { state: 'held', reason: '4' });
      const both = ['flagged', 'held'] as const;

      const all = await store.messages.moderationQueue({ states: both, limit: 10 });
      expect(all.items.map((i) => i.message.id)).toEqual([m4, m3, m2, m1]);
      expect(all.items.map((i) => i.tenantId)).toEqual([STORE_ID, OTHER_STORE, STORE_ID, STORE_ID]);
      expect(all.hasMore).toBe(false);

      const first = await store.messages.moderationQueue({ states: both, limit: 2 });
      expect(first.items.map((i) => i.message.id)).toEqual([m4, m3]);
      expect(first.hasMore).toBe(true);
      const last = first.items[1]!.message;
      const second = await store.messages.moderationQueue({
        states: both,
        limit: 2,
        after: { createdAt: last.createdAt, id: last.id },
      });
      expect(second.items.map((i) => i.message.id)).toEqual([m2, m1]);
      expect(second.hasMore).toBe(false);

      expect(
        (await store.messages.moderationQueue({ states: both, limit: 10, tenantId: STORE_ID })).items.map(
          (i) => i.message.id,
        ),
      ).toEqual([m4, m2, m1]);
      expect(
        (await store.messages.moderationQueue({ states: ['flagged'], limit: 10 })).items.map(
          (i) => i.message.id,
        ),
      ).toEqual([m1]);
      expect(
        (await store.messages.moderationQueue({ states: both, limit: 10, conversationId: b.id })).items.map(
          (i) => i.message.id,
        ),
      ).toEqual([m3]);

      await store.messages.review(a.id, m4, { decision: 'approved', reason: null, by: REVIEWER, at: at(50) });
      expect(
        (await store.messages.moderationQueue({ states: both, limit: 10, tenantId: STORE_ID })).items.map(
          (i) => i.message.id,
        ),
      ).toEqual([m2, m1]);
    });
  });
}

/** What `moderationSettingsRepositoryContract` needs: a fresh repository. */
export interface ModerationSettingsRepositoryContractOptions {
  readonly name: string;
  setup(): Promise<{ readonly repository: ModerationSettingsRepository; teardown?(): Promise<void> }>;
}

/**
 * `ModerationSettingsRepository`: null until saved, then what was saved (every field, term lists
 * in order), replaced whole by the next `put`, per tenant.
 */
export function moderationSettingsRepositoryContract(
  options: ModerationSettingsRepositoryContractOptions,
): void {
  describe(`ModerationSettingsRepository contract: ${options.name}`, () => {
    it('stores, reads and replaces one configuration per tenant', async () => {
      const { repository, teardown } = await options.setup();
      try {
        expect(await repository.get('t1')).toBeNull();
        const custom: ModerationSettings = {
          wordList: {
            enabled: true,
            action: 'flag',
            addedTerms: ['knockoff', 'fake'],
            allowedTerms: ['scunthorpe'],
          },
          contactDetails: { enabled: true, action: 'hold', emails: true, phones: false, links: true },
        };
        await repository.put('t1', custom, at(1));
        expect(await repository.get('t1')).toEqual(custom);
        expect(await repository.get('t2')).toBeNull();
        await repository.put('t1', DEFAULT_MODERATION_SETTINGS, at(2));
        expect(await repository.get('t1')).toEqual(DEFAULT_MODERATION_SETTINGS);
      } finally {
        await teardown?.();
      }
    });
  });
}
