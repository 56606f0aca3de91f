import {
  type Database,
  KyselyConversationRepository,
  KyselyMarketplaceDirectory,
  KyselyMessageRepository,
  KyselyMessageSearch,
  KyselyMessagingStore,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import {
  type Actor,
  createMessagingCore,
  type InboxCursor,
  type InboxFilter,
  uuidV7Ids,
} from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';

/** The five measured operations, in report order. */
export const OPERATIONS = [
  { key: 'inbox_first', label: '(1) inbox, first page (20)' },
  { key: 'inbox_deep', label: '(2) inbox, deep page by cursor' },
  { key: 'unread_badge', label: '(3) unread badge count' },
  { key: 'detail', label: '(4) conversation + last 50 messages' },
  { key: 'send', label: '(5) send message' },
  { key: 'search', label: '(6) search, two words (20, relevance)' },
] as const;

/**
 * The two-word queries the search operation rotates through: words of the seeded messages, some
 * common ("order", "thanks"), some rare together.
 */
export const SEARCH_QUERIES: readonly (readonly [string, string])[] = [
  ['order', 'arrived'],
  ['refund', 'patience'],
  ['delivery', 'lyon'],
  ['invoice', 'please'],
  ['exchange', 'size'],
  ['package', 'damaged'],
  ['payout', 'friday'],
  ['thanks', 'check'],
];

export type OperationKey = (typeof OPERATIONS)[number]['key'];
export type Layer = 'adapter' | 'core';

/** Who and what the operations run against, picked from the seeded data. */
export interface Workload {
  /** The store user with the most conversations. */
  readonly user: { readonly id: string; readonly storeId: string };
  /** That user as the core sees them, resolved once as the API does per request (name included). */
  readonly actor: Actor;
  readonly inboxSize: number;
  readonly unreadConversations: number;
  readonly badge: number;
  /** Open conversations (of the user) the sends rotate through. */
  readonly sendConversations: readonly string[];
  /** Conversations (of the user) with at least 50 messages when there are any, for the detail view. */
  readonly detailConversations: readonly string[];
  readonly detailMessagesAvg: number;
  readonly pageSize: number;
  /** The page the deep-page operation reads (1-based), and the cursors leading to it. */
  readonly deepPage: number;
  readonly deepCursor: InboxCursor | null;
  readonly deepCoreCursor: string | null;
}

export interface Operation {
  readonly key: OperationKey;
  readonly layer: Layer;
  readonly label: string;
  readonly kind: 'read' | 'send';
  /** One call; `i` is the iteration number (rotates conversations). Throws on a wrong result. */
  run(i: number): Promise<void>;
}

function pick<T>(items: readonly T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`unexpected result: ${what}`);
}

/** Picks the busy store user and the conversations the operations use. */
export async function selectWorkload(
  db: Kysely<Database>,
  requestedDeepPage: number,
  pageSize: number,
): Promise<Workload> {
  const busiest = await sql<{ id: string; store_id: string; n: string }>`
    select p.participant_id as id, u.store_id, count(*) as n
    from conversation_participants p join platform_users u on u.id = p.participant_id and u.role = 'store'
    where p.participant_type = 'store'
    group by p.participant_id, u.store_id order by count(*) desc, p.participant_id limit 1`.execute(db);
  const top = busiest.rows[0];
  if (top === undefined) throw new Error('no store user has conversations: is the data set seeded?');
  const user = { id: top.id, storeId: top.store_id };
  const stats = await sql<{ unread: string; badge: string | null }>`
    select count(*) filter (where unread_count > 0) as unread, sum(unread_count) filter (where not muted) as badge
    from conversation_participants where participant_type = 'store' and participant_id = ${user.id}`.execute(
    db,
  );
  const sends = await sql<{ id: string }>`
    select c.id from conversation_participants p join conversations c on c.id = p.conversation_id
    where p.participant_type = 'store' and p.participant_id = ${user.id} and not c.is_closed
    order by md5(c.id::text) limit 200`.execute(db);
  let details = await sql<{ id: string; message_count: number }>`
    select c.id, c.message_count from conversation_participants p join conversations c on c.id = p.conversation_id
    where p.participant_type = 'store' and p.participant_id = ${user.id} and c.message_count >= 50
    order by md5(c.id::text) limit 100`.execute(db);
  if (details.rows.length === 0) {
    details = await sql<{ id: string; message_count: number }>`
      select c.id, c.message_count from conversation_participants p join conversations c on c.id = p.conversation_id
      where p.participant_type = 'store' and p.participant_id = ${user.id}
      order by c.message_count desc, c.id limit 100`.execute(db);
  }

  // Walk the inbox (untimed) to the cursor of the deep page, through the adapter and the core.
  const ref = { type: 'store', id: user.id };
  const filter: InboxFilter = { storeId: user.storeId };
  const conversations = new KyselyConversationRepository(db);
  let cursor: InboxCursor | null = null;
  let page = 1;
  while (page < requestedDeepPage) {
    const next: InboxCursor | null = (
      await conversations.listInbox(
        ref,
        filter,
        cursor === null ? { limit: pageSize } : { limit: pageSize, cursor },
      )
    ).nextCursor;
    if (next === null) break;
    cursor = next;
    page += 1;
  }
  const core = coreFor(db);
  const actor = await core.resolveActor({ type: 'store', id: user.id, tenantId: user.storeId });
  let coreCursor: string | null = null;
  for (let corePage = 1; corePage < page; corePage++) {
    coreCursor = (
      await core.listConversations(
        actor,
        coreCursor === null ? { limit: pageSize } : { limit: pageSize, cursor: coreCursor },
      )
    ).nextCursor;
    if (coreCursor === null) break;
  }

  const detailRows = details.rows;
  return {
    user,
    actor,
    inboxSize: Number(top.n),
    unreadConversations: Number(stats.rows[0]?.unread ?? 0),
    badge: Number(stats.rows[0]?.badge ?? 0),
    sendConversations: sends.rows.map((row) => row.id),
    detailConversations: detailRows.map((row) => row.id),
    detailMessagesAvg: detailRows.reduce((sum, row) => sum + row.message_count, 0) / detailRows.length,
    pageSize,
    deepPage: page,
    deepCursor: cursor,
    deepCoreCursor: coreCursor,
  };
}

/** The core over the Kysely adapters of `db` (marketplace policy, wall clock, UUIDv7 ids). */
export function coreFor(db: Kysely<Database>) {
  return createMessagingCore({
    store: new KyselyMessagingStore({ db }),
    directory: new KyselyMarketplaceDirectory({ db }),
    settings: new KyselySettingsStore({ db }),
    search: new KyselyMessageSearch({ db }),
  });
}

const REPLIES = [
  'Thanks for your message, we are looking into it.',
  'Your parcel left our warehouse this morning.',
  'We have issued the refund; it should appear within 5 days.',
  'Could you send us a photo of the damaged item?',
];

/**
 * The operations on `db`, through the adapter's repositories (`adapter`) and through the core's
 * use cases over `KyselyMessagingStore`, `KyselyMarketplaceDirectory` and `KyselySettingsStore`
 * (`core`). Reads are what a store user's client calls; sends reply in one of the user's open
 * conversations, with an idempotency key as the API's clients send.
 */
export function operationsFor(db: Kysely<Database>, workload: Workload): Operation[] {
  const conversations = new KyselyConversationRepository(db);
  const messages = new KyselyMessageRepository(db);
  const search = new KyselyMessageSearch({ db });
  const core = coreFor(db);
  const { user, pageSize } = workload;
  const ref = { type: 'store', id: user.id };
  // The core scopes a store user's inbox and badge to their store; the adapter rows do the same.
  const filter: InboxFilter = { storeId: user.storeId };
  const actor = workload.actor;
  const deepCursor = workload.deepCursor;
  const deepCoreCursor = workload.deepCoreCursor;
  const label = (key: OperationKey) => OPERATIONS.find((op) => op.key === key)?.label ?? key;

  const adapter: Operation[] = [
    {
      key: 'inbox_first',
      layer: 'adapter',
      label: label('inbox_first'),
      kind: 'read',
      run: async () => {
        const page = await conversations.listInbox(ref, filter, { limit: pageSize });
        expect(page.entries.length === Math.min(pageSize, workload.inboxSize), 'first page size');
      },
    },
    {
      key: 'inbox_deep',
      layer: 'adapter',
      label: label('inbox_deep'),
      kind: 'read',
      run: async () => {
        const page = await conversations.listInbox(
          ref,
          filter,
          deepCursor === null ? { limit: pageSize } : { limit: pageSize, cursor: deepCursor },
        );
        expect(page.entries.length > 0, 'deep page is empty');
      },
    },
    {
      key: 'unread_badge',
      layer: 'adapter',
      label: label('unread_badge'),
      kind: 'read',
      run: async () => {
        const total = await conversations.unreadTotal(ref, user.storeId);
        expect(total >= 0, 'badge');
      },
    },
    {
      key: 'detail',
      layer: 'adapter',
      label: label('detail'),
      kind: 'read',
      run: async (i) => {
        const id = pick(workload.detailConversations, i);
        const found = await conversations.findWithParticipants(id);
        expect(found !== null && found.participants.length === 2, 'conversation found');
        const page = await messages.listByConversation(id, { limit: 50 });
        expect(page.messages.length === Math.min(50, found?.conversation.messageCount ?? 0), 'messages page');
      },
    },
    {
      key: 'send',
      layer: 'adapter',
      label: label('send'),
      kind: 'send',
      run: async (i) => {
        const result = await messages.append({
          message: {
            id: uuidV7Ids.next(),
            conversationId: pick(workload.sendConversations, i),
            sender: ref,
            content: pick(REPLIES, i),
            isSystemMessage: false,
            createdAt: new Date(),
            attachments: [],
          },
          idempotency: { key: `bench-${uuidV7Ids.next()}`, requestHash: 'bench' },
          requireOpen: true,
        });
        expect(result.status === 'created', `append status ${result.status}`);
      },
    },
    {
      key: 'search',
      layer: 'adapter',
      label: label('search'),
      kind: 'read',
      run: async (i) => {
        const page = await search.search({
          searcher: ref,
          terms: pick(SEARCH_QUERIES, i),
          scope: { kind: 'inbox', storeId: user.storeId },
          sort: 'relevance',
          limit: pageSize,
        });
        expect(page.hits.length <= pageSize, 'search page size');
      },
    },
  ];

  const viaCore: Operation[] = [
    {
      key: 'inbox_first',
      layer: 'core',
      label: label('inbox_first'),
      kind: 'read',
      run: async () => {
        const list = await core.listConversations(actor, { limit: pageSize });
        expect(list.conversations.length === Math.min(pageSize, workload.inboxSize), 'first page size');
      },
    },
    {
      key: 'inbox_deep',
      layer: 'core',
      label: label('inbox_deep'),
      kind: 'read',
      run: async () => {
        const list = await core.listConversations(
          actor,
          deepCoreCursor === null ? { limit: pageSize } : { limit: pageSize, cursor: deepCoreCursor },
        );
        expect(list.conversations.length > 0, 'deep page is empty');
      },
    },
    {
      key: 'unread_badge',
      layer: 'core',
      label: label('unread_badge'),
      kind: 'read',
      run: async () => {
        const { totalUnread } = await core.getUnreadCount(actor);
        expect(totalUnread >= 0, 'badge');
      },
    },
    {
      key: 'detail',
      layer: 'core',
      label: label('detail'),
      kind: 'read',
      run: async (i) => {
        const detail = await core.getConversation(actor, pick(workload.detailConversations, i));
        expect(detail.messages.length === Math.min(50, detail.conversation.messageCount), 'messages page');
      },
    },
    {
      key: 'send',
      layer: 'core',
      label: label('send'),
      kind: 'send',
      run: async (i) => {
        const { replayed } = await core.sendMessage(actor, {
          conversationId: pick(workload.sendConversations, i),
          content: pick(REPLIES, i),
          idempotencyKey: `bench-${uuidV7Ids.next()}`,
        });
        expect(!replayed, 'send replayed');
      },
    },
    {
      key: 'search',
      layer: 'core',
      label: label('search'),
      kind: 'read',
      run: async (i) => {
        const page = await core.searchMessages(actor, {
          q: pick(SEARCH_QUERIES, i).join(' '),
          limit: pageSize,
        });
        expect(page.results.length <= pageSize, 'search page size');
      },
    },
  ];
  return [...adapter, ...viaCore];
}
