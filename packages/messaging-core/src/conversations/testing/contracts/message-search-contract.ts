import { beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { MarketplaceDirectory } from '../../../kernel/ports/marketplace-directory.js';
import type { Conversation, ConversationParticipant } from '../../model/conversation.js';
import type { Message } from '../../model/message.js';
import {
  type MessageSearch,
  type MessageSearchQuery,
  SEARCH_RELEVANCE_WINDOW,
} from '../../ports/message-search.js';
import type { MessagingStore } from '../../ports/messaging-store.js';

export interface MessageSearchContractTarget {
  /** Writes conversations and messages the search then reads. */
  readonly store: MessagingStore;
  readonly search: MessageSearch;
  /** Where members' names come from (the inbox `query` filter) and stores exist (tenants). */
  readonly directory: MarketplaceDirectory;
  /**
   * Sets a tenant's language (before its conversations are created), for adapters that stem
   * words by language; absent: the adapter matches words as written only (stem cases skipped).
   */
  readonly setTenantLanguage?: (tenantId: string, language: string) => Promise<void>;
}

export interface MessageSearchContractOptions {
  /** Shown in the test names, e.g. "in-memory" or "kysely (postgres)". */
  readonly name: string;
  /** A fresh, empty store, search and directory for each test. */
  readonly setup: () => Promise<MessageSearchContractTarget>;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

let sequence = 0;
function id(): string {
  sequence += 1;
  return `01900000-0000-7000-9000-${sequence.toString(16).padStart(12, '0')}`;
}

const ADMIN: ParticipantRef = { type: 'admin', id: 'search-admin' };
const SELLER: ParticipantRef = { type: 'store', id: 'search-seller' };
const OTHER_SELLER: ParticipantRef = { type: 'store', id: 'search-seller-2' };
const BUYER: ParticipantRef = { type: 'customer', id: 'search-buyer' };
const STORE = 'search-store';
const OTHER_STORE = 'search-store-2';

/**
 * The behaviour every `MessageSearch` adapter must show, and the inbox `query` filter of the
 * `ConversationRepository` beside it (both read names and texts the same way).
 *
 * @example
 * ```ts
 * messageSearchContract({
 *   name: 'in-memory',
 *   setup: async () => {
 *     const directory = new InMemoryMarketplaceDirectory();
 *     const store = new InMemoryMessagingStore({ directory });
 *     return { store, search: store.search, directory };
 *   },
 * });
 * ```
 */
export function messageSearchContract(options: MessageSearchContractOptions): void {
  describe(`MessageSearch contract (${options.name})`, () => {
    let target: MessageSearchContractTarget;

    beforeEach(async () => {
      target = await options.setup();
      const d = target.directory;
      await d.upsertStore({ id: STORE, name: 'Atelier', tier: 'business' }, at(0));
      await d.upsertStore({ id: OTHER_STORE, name: 'Bazaar', tier: 'business' }, at(0));
      await d.upsertPlatformUser(
        { id: ADMIN.id, name: 'Morgan Admin', email: 'a@x.test', role: 'admin', storeId: null, locale: 'en' },
        at(0),
      );
      await d.upsertPlatformUser(
        {
          id: SELLER.id,
          name: 'Sasha Seller',
          email: 's@x.test',
          role: 'store',
          storeId: STORE,
          locale: 'en',
        },
        at(0),
      );
      await d.upsertPlatformUser(
        {
          id: OTHER_SELLER.id,
          name: 'Otto Other',
          email: 'o@x.test',
          role: 'store',
          storeId: OTHER_STORE,
          locale: 'en',
        },
        at(0),
      );
      await d.upsertCustomer(
        { id: BUYER.id, storeId: STORE, name: 'Bernadette Buyer', email: 'b@x.test', locale: 'en' },
        at(0),
      );
    });

    async function conversation(
      members: readonly ParticipantRef[],
      overrides: Partial<Conversation> = {},
      visibleFrom: Readonly<Record<string, number>> = {},
    ): Promise<Conversation> {
      const created: Conversation = {
        id: id(),
        conversationType: 'admin_store',
        subject: 'General',
        tenantId: STORE,
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: at(0),
        updatedAt: at(0),
        ...overrides,
      };
      const memberships: ConversationParticipant[] = members.map((participant) => ({
        conversationId: created.id,
        participant,
        tenantId: participant.type === 'admin' ? null : created.tenantId,
        unreadCount: 0,
        lastReadSeq: 0,
        lastReadAt: null,
        lastDeliveredSeq: 0,
        lastDeliveredAt: null,
        emailNotifications: true,
        muted: false,
        lastActivityAt: created.createdAt,
        joinedAt: created.createdAt,
        role: 'member',
        leftAt: null,
        visibleFromSeq: visibleFrom[participant.id] ?? 1,
      }));
      await target.store.transaction(async (tx) => {
        await tx.conversations.create(created, memberships);
      });
      return created;
    }

    async function send(
      conversationId: string,
      sender: ParticipantRef,
      content: string,
      second: number,
      isSystemMessage = false,
    ): Promise<Message> {
      const result = await target.store.messages.append({
        message: {
          id: id(),
          conversationId,
          sender,
          content,
          isSystemMessage,
          createdAt: at(second),
          attachments: [],
        },
        requireOpen: false,
      });
      if (result.status !== 'created') throw new Error(`append: ${result.status}`);
      return result.message;
    }

    function query(
      overrides: Partial<MessageSearchQuery> & { terms: readonly string[] },
    ): MessageSearchQuery {
      return { searcher: SELLER, scope: { kind: 'inbox' }, sort: 'recent', limit: 20, ...overrides };
    }

    async function found(overrides: Partial<MessageSearchQuery> & { terms: readonly string[] }) {
      const page = await target.search.search(query(overrides));
      return page.hits.map((hit) => hit.message.content);
    }

    it('finds messages with a word starting with each term, whatever the case', async () => {
      const c = await conversation([ADMIN, SELLER]);
      await send(c.id, ADMIN, 'Your INVOICE for the refund is attached', 1);
      await send(c.id, SELLER, 'Refund sent yesterday', 2);
      await send(c.id, ADMIN, 'Nothing to see here', 3);

      expect(await found({ terms: ['refund'] })).toEqual([
        'Refund sent yesterday',
        'Your INVOICE for the refund is attached',
      ]);
      expect(await found({ terms: ['refund', 'invoice'] })).toEqual([
        'Your INVOICE for the refund is attached',
      ]);
      expect(await found({ terms: ['invo', 'refun'] })).toEqual(['Your INVOICE for the refund is attached']);
      expect(await found({ terms: ['voice'] })).toEqual([]);
      expect(await found({ terms: ['refund', 'parcel'] })).toEqual([]);
      const page = await target.search.search(query({ terms: ['refund', 'invoice'] }));
      expect(page.hits[0]?.conversation.id).toBe(c.id);
      expect(page.hits[0]?.conversation.subject).toBe('General');
      expect(page.next).toBeNull();
    });

    it("reads only the searcher's own conversations, within the tenant scope, not the ones they left", async () => {
      const mine = await conversation([ADMIN, SELLER]);
      const notMine = await conversation([ADMIN, OTHER_SELLER], { tenantId: OTHER_STORE });
      const left = await conversation([ADMIN, SELLER]);
      const otherTenant = await conversation([ADMIN, SELLER], { tenantId: OTHER_STORE });
      await send(mine.id, ADMIN, 'parcel one', 1);
      await send(notMine.id, ADMIN, 'parcel two', 2);
      await send(left.id, ADMIN, 'parcel three', 3);
      await send(otherTenant.id, ADMIN, 'parcel four', 4);
      await target.store.participants.leave(left.id, SELLER, at(5));

      expect(await found({ terms: ['parcel'] })).toEqual(['parcel four', 'parcel one']);
      expect(await found({ terms: ['parcel'], scope: { kind: 'inbox', storeId: STORE } })).toEqual([
        'parcel one',
      ]);
      expect(await found({ terms: ['parcel'], searcher: ADMIN })).toEqual([
        'parcel four',
        'parcel three',
        'parcel two',
        'parcel one',
      ]);
    });

    it('leaves out system, deleted and hidden messages and those before the searcher joined', async () => {
      const c = await conversation([ADMIN, SELLER, BUYER], { conversationType: 'group' }, { [BUYER.id]: 3 });
      await send(c.id, ADMIN, 'parcel early', 1);
      await send(c.id, ADMIN, 'parcel closed by system', 2, true);
      const deleted = await send(c.id, ADMIN, 'parcel deleted', 3);
      const hidden = await send(c.id, ADMIN, 'parcel hidden by the seller', 4);
      await send(c.id, SELLER, 'parcel late', 5);
      await target.store.messages.softDelete(c.id, deleted.id, { by: ADMIN, at: at(6) });
      await target.store.messages.hideFor(c.id, hidden.id, SELLER, [ADMIN, SELLER, BUYER], at(7));

      expect(await found({ terms: ['parcel'] })).toEqual(['parcel late', 'parcel early']);
      expect(await found({ terms: ['parcel'], searcher: BUYER })).toEqual([
        'parcel late',
        'parcel hidden by the seller',
      ]);
    });

    it('filters by conversation, sender and time ([from, to))', async () => {
      const a = await conversation([ADMIN, SELLER]);
      const b = await conversation([ADMIN, SELLER]);
      await send(a.id, ADMIN, 'order 1', 10);
      await send(a.id, SELLER, 'order 2', 20);
      await send(b.id, ADMIN, 'order 3', 30);

      expect(
        await found({
          terms: ['order'],
          scope: { kind: 'conversation', conversationId: a.id, visibleFromSeq: 1 },
        }),
      ).toEqual(['order 2', 'order 1']);
      expect(
        await found({
          terms: ['order'],
          scope: { kind: 'conversation', conversationId: a.id, visibleFromSeq: 2 },
        }),
      ).toEqual(['order 2']);
      expect(await found({ terms: ['order'], sender: ADMIN })).toEqual(['order 3', 'order 1']);
      expect(await found({ terms: ['order'], from: at(20), to: at(30) })).toEqual(['order 2']);
      expect(await found({ terms: ['order'], from: at(20) })).toEqual(['order 3', 'order 2']);
      expect(await found({ terms: ['order'], to: at(20) })).toEqual(['order 1']);
    });

    it('pages newest first (recent) and best first (relevance) without gaps or repeats', async () => {
      const c = await conversation([ADMIN, SELLER]);
      // Same second for some, so ids break the ties.
      const sent = [
        await send(c.id, ADMIN, 'payout', 1),
        await send(c.id, ADMIN, 'payout payout payout, about the payout', 2),
        await send(c.id, ADMIN, 'payout soon', 2),
        await send(c.id, ADMIN, 'the payout', 3),
        await send(c.id, ADMIN, 'payout payout', 4),
      ];
      for (const sort of ['recent', 'relevance'] as const) {
        const seen: string[] = [];
        let page = await target.search.search(query({ terms: ['payout'], sort, limit: 2 }));
        seen.push(...page.hits.map((h) => h.message.id));
        while (page.next !== null) {
          page = await target.search.search(query({ terms: ['payout'], sort, limit: 2, after: page.next }));
          seen.push(...page.hits.map((h) => h.message.id));
        }
        expect(new Set(seen).size).toBe(sent.length);
        expect(seen).toHaveLength(sent.length);
        if (sort === 'recent') {
          const times = seen.map((mid) => sent.find((m) => m.id === mid)!.createdAt.getTime());
          expect(times).toEqual([...times].sort((x, y) => y - x));
        }
      }
      const best = await target.search.search(query({ terms: ['payout'], sort: 'relevance' }));
      expect(best.hits[0]?.message.content).toBe('payout payout payout, about the payout');
      const ranks = best.hits.map((h) => h.rank);
      expect(ranks).toEqual([...ranks].sort((x, y) => y - x));
      expect(ranks[0]).toBeGreaterThan(ranks.at(-1)!);
    });

    it('ranks the newest SEARCH_RELEVANCE_WINDOW matches only under relevance; recent finds them all', async () => {
      const c = await conversation([ADMIN, SELLER]);
      // The oldest matches are the best ones: relevance still leaves them out.
      for (let i = 0; i < 3; i++) await send(c.id, ADMIN, 'payout payout payout, old payout', i);
      for (let i = 3; i < SEARCH_RELEVANCE_WINDOW + 3; i++) await send(c.id, ADMIN, `payout ${i}`, i);
      const all = async (sort: 'recent' | 'relevance') => {
        const seen: string[] = [];
        let page = await target.search.search(query({ terms: ['payout'], sort, limit: 100 }));
        seen.push(...page.hits.map((h) => h.message.content));
        while (page.next !== null) {
          page = await target.search.search(query({ terms: ['payout'], sort, limit: 100, after: page.next }));
          seen.push(...page.hits.map((h) => h.message.content));
        }
        return seen;
      };
      const recent = await all('recent');
      expect(recent).toHaveLength(SEARCH_RELEVANCE_WINDOW + 3);
      const relevance = await all('relevance');
      expect(relevance).toHaveLength(SEARCH_RELEVANCE_WINDOW);
      expect(new Set(relevance)).toEqual(new Set(recent.slice(0, SEARCH_RELEVANCE_WINDOW)));
      expect(relevance).not.toContain('payout payout payout, old payout');
    });

    it('reads the team conversations of the tenant the searcher has not joined, with a team scope', async () => {
      const joined = await conversation([BUYER, SELLER], { conversationType: 'support' });
      const unjoined = await conversation([BUYER], { conversationType: 'support' });
      const otherType = await conversation([BUYER], { conversationType: 'chat' });
      await send(joined.id, BUYER, 'help with my parcel', 1);
      await send(unjoined.id, BUYER, 'where is my parcel', 2);
      await send(otherType.id, BUYER, 'parcel chat', 3);
      const team = { conversationTypes: ['support'], teamParticipantTypes: ['store'] };

      expect(await found({ terms: ['parcel'], scope: { kind: 'inbox', storeId: STORE, team } })).toEqual([
        'where is my parcel',
        'help with my parcel',
      ]);
      expect(await found({ terms: ['parcel'], scope: { kind: 'inbox', storeId: STORE } })).toEqual([
        'help with my parcel',
      ]);
    });

    it('filters the inbox by subject and by the other members’ names (query)', async () => {
      const withBuyer = await conversation([SELLER, BUYER], {
        conversationType: 'store_customer',
        subject: 'Sizing question',
      });
      const withAdmin = await conversation([ADMIN, SELLER], { subject: 'Payout schedule' });
      const listed = async (terms: readonly string[]) => {
        const page = await target.store.conversations.listInbox(SELLER, { query: terms }, { limit: 20 });
        const counts = await target.store.conversations.countInbox(SELLER, { query: terms });
        expect(counts.total).toBe(page.entries.length);
        return page.entries.map((e) => e.conversation.id).sort();
      };

      expect(await listed(['sizing'])).toEqual([withBuyer.id]);
      expect(await listed(['bernadette'])).toEqual([withBuyer.id]);
      expect(await listed(['morg', 'payout'])).toEqual([withAdmin.id]);
      expect(await listed(['question', 'buyer'])).toEqual([withBuyer.id]);
      // The searcher's own name matches nothing: every conversation has it.
      expect(await listed(['sasha'])).toEqual([]);
      expect(await listed(['question', 'morgan'])).toEqual([]);
      expect(await listed([])).toEqual([withAdmin.id, withBuyer.id].sort());
    });

    it("also matches a word's stems in its tenant's language, when the adapter stems", async ({ skip }) => {
      if (target.setTenantLanguage === undefined) skip('this adapter matches words as written only');
      await target.setTenantLanguage?.(STORE, 'en');
      const c = await conversation([ADMIN, SELLER]);
      await send(c.id, ADMIN, 'We shipped both parcels', 1);
      expect(await found({ terms: ['shipping'] })).toEqual(['We shipped both parcels']);
      expect(await found({ terms: ['parcel'] })).toEqual(['We shipped both parcels']);
    });
  });
}
