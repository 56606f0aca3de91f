import { batch, computed, signal } from '@preact/signals';
import type {
  ConnectionStatus,
  ConversationDetail,
  ConversationSummary,
  Counterpart,
  InboxPort,
  ListFilters,
  LiveEvent,
  LiveFeed,
  Member,
  Message,
  MessageSearchResult,
  NewConversation,
  ParticipantRef,
  PresenceSignal,
} from './inbox-port.js';
import {
  addPending,
  confirmPending,
  latestSeq,
  mergeMessages,
  type PendingItem,
  setPendingStatus,
  type ThreadItem,
} from './thread-items.js';

/** One opened conversation as the thread shows it. */
export interface ThreadState {
  readonly detail: ConversationDetail | null;
  readonly items: readonly ThreadItem[];
  /** Where older history continues; null when the thread starts at its first message. */
  readonly olderCursor: string | null;
  /** How far the other members have read (the highest `last_read_seq` among them): "Read" marks. */
  readonly othersReadSeq: number;
  /** How far another member's clients have received (the highest `last_delivered_seq`): "Delivered". */
  readonly othersDeliveredSeq: number;
  /**
   * How far each other member has read, by `type:id`, and when they last read: who read which of
   * one's own messages ("Read 10:42", "Read by 2 of 3"), kept current by live read events.
   */
  readonly reads: Readonly<Record<string, MemberRead>>;
  /**
   * Where the "New messages" divider goes: after this `seq`, the reader's read position when they
   * opened the thread with unread messages; null when there were none.
   */
  readonly newAfterSeq: number | null;
  /** A message to bring into view and mark (a search result opened): its id; null: none. */
  readonly focusId: string | null;
  readonly loading: boolean;
}

/**
 * The search box's state: the words, the messages the full-text search found (with snippets),
 * and the conversations the list's `q` filter found (subjects, names) beyond the loaded ones.
 */
export interface SearchState {
  readonly query: string;
  readonly results: readonly MessageSearchResult[];
  readonly conversations: readonly ConversationSummary[];
  readonly nextCursor: string | null;
  readonly loading: boolean;
  /** Why the search could not run (too many words, the API's refusal); null: it ran. */
  readonly problem: string | null;
}

const NO_SEARCH: SearchState = {
  query: '',
  results: [],
  conversations: [],
  nextCursor: null,
  loading: false,
  problem: null,
};

/** The words of a query as the API counts them (letters, marks, digits; anything else separates). */
export function searchWords(query: string): string[] {
  return query.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/** The most words the API searches for at once. */
const MAX_SEARCH_WORDS = 8;
/** How many older pages opening a search result may fetch to reach its message. */
const MAX_REVEAL_PAGES = 20;

/**
 * The reason of a refusal by moderation (a 422 `MESSAGE_REJECTED` problem with a `reason`
 * member), read from the error without depending on the client's error class; null otherwise.
 */
export function rejectionOf(error: unknown): string | null {
  const failure = error as { code?: unknown; problem?: { reason?: unknown; detail?: unknown } } | null;
  if (failure?.code !== 'MESSAGE_REJECTED') return null;
  const reason = failure.problem?.reason ?? failure.problem?.detail;
  return typeof reason === 'string' && reason !== '' ? reason : 'it breaks the rules of this platform';
}

/** How far one member has read, and when they last did (null when unknown). */
export interface MemberRead {
  readonly seq: number;
  readonly at: string | null;
}

/** What `createInboxStore` needs. */
export interface InboxStoreOptions {
  readonly port: InboxPort;
  /** The signed-in person (from the token): their own messages are marked as such. */
  readonly me: ParticipantRef;
  /** Client ids for optimistic sends (also their `Idempotency-Key`). Default: `crypto.randomUUID`. */
  readonly newId?: () => string;
  readonly now?: () => Date;
  /** Whether the person can see the thread now (tab visible): only then is it marked read. */
  readonly isVisible?: () => boolean;
  /** Where drafts survive a reload of the tab (`sessionStorage`); absent: in memory only. */
  readonly draftStorage?: Pick<Storage, 'getItem' | 'setItem'>;
}

const DRAFTS_KEY = 'parley.inbox.drafts';
/** How many live event ids are remembered to drop a replayed frame: far more than one replay holds. */
const SEEN_EVENTS = 2000;

const EMPTY_THREAD: ThreadState = {
  detail: null,
  items: [],
  olderCursor: null,
  othersReadSeq: 0,
  othersDeliveredSeq: 0,
  reads: {},
  newAfterSeq: null,
  focusId: null,
  loading: true,
};

function same(a: ParticipantRef, b: ParticipantRef): boolean {
  return a.type === b.type && a.id === b.id;
}

function othersRead(participants: readonly Member[], me: ParticipantRef): number {
  return participants.filter((p) => !same(p, me)).reduce((max, p) => Math.max(max, p.last_read_seq), 0);
}

/** The key a person goes by in the store's maps. */
export function personKey(p: ParticipantRef): string {
  return `${p.type}:${p.id}`;
}

/** Each other member's read position, never moving back from what `known` already holds. */
function readsOf(
  participants: readonly Member[],
  me: ParticipantRef,
  known: Readonly<Record<string, MemberRead>>,
): Record<string, MemberRead> {
  const reads: Record<string, MemberRead> = {};
  for (const p of participants) {
    if (same(p, me)) continue;
    const before = known[personKey(p)];
    reads[personKey(p)] =
      before && before.seq > p.last_read_seq ? before : { seq: p.last_read_seq, at: p.last_read_at ?? null };
  }
  return reads;
}

/** The list line of a detail (without its members and messages). */
function summaryOf(detail: ConversationDetail): ConversationSummary {
  const { participants: _, messages: __, next_cursor: ___, ...line } = detail;
  return line;
}

/** The newest message someone else has received, from the messages' receipts. */
function deliveredFrom(messages: readonly Message[]): number {
  return messages.reduce((max, m) => ((m.delivered_count ?? 0) > 0 ? Math.max(max, m.seq) : max), 0);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The inbox's state in a few signals — conversations, the selected one, messages per
 * conversation, the unread total, drafts per conversation and the connection — and the actions
 * that change them: loading pages, opening a thread (and marking it read while it is visible),
 * optimistic sends with a client id and an `Idempotency-Key` reused on retry, live events applied
 * once each (deduplicated by event id, messages by message id) and a refetch when the live feed
 * asks for one. Views read the signals and call the actions; every call goes through `port`.
 */
export function createInboxStore(options: InboxStoreOptions) {
  const { port, me } = options;
  const newId = options.newId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => new Date());
  const isVisible = options.isVisible ?? (() => true);

  const conversations = signal<readonly ConversationSummary[]>([]);
  const listCursor = signal<string | null>(null);
  const listLoaded = signal(false);
  const filters = signal<ListFilters>({});
  const selectedId = signal<string | null>(null);
  const threads = signal<Readonly<Record<string, ThreadState>>>({});
  const unreadTotal = signal(0);
  const drafts = signal<Readonly<Record<string, string>>>(readDrafts());
  const connection = signal<ConnectionStatus>('connecting');
  const error = signal<string | null>(null);
  /** The search box's results. */
  const search = signal<SearchState>(NO_SEARCH);
  /** Why the composer's last send was refused by moderation, per conversation (the draft is kept). */
  const rejections = signal<Readonly<Record<string, string>>>({});
  // The open conversation: its list line, else its thread's detail (a deep link to one that is not
  // on the list's loaded pages, or that the list's filters leave out).
  const selected = computed(() => {
    const id = selectedId.value;
    if (id === null) return null;
    return conversations.value.find((c) => c.id === id) ?? threads.value[id]?.detail ?? null;
  });
  const seenEvents = new Set<string>();
  /** Presence of the counterparts, by `type:id`. */
  const presence = signal<Readonly<Record<string, PresenceSignal['status']>>>({});
  /** Who is typing, per conversation (others only). */
  const typing = signal<Readonly<Record<string, readonly ParticipantRef[]>>>({});
  let feed: LiveFeed | null = null;
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  function readDrafts(): Record<string, string> {
    try {
      return JSON.parse(options.draftStorage?.getItem(DRAFTS_KEY) ?? '{}') as Record<string, string>;
    } catch {
      return {};
    }
  }

  function updateThread(id: string, change: (thread: ThreadState) => ThreadState): void {
    threads.value = { ...threads.value, [id]: change(threads.value[id] ?? EMPTY_THREAD) };
  }

  function updateConversation(id: string, change: (c: ConversationSummary) => ConversationSummary): boolean {
    const found = conversations.value.find((c) => c.id === id);
    if (!found) return false;
    const next = change(found);
    // The unread total follows the conversation's own count (muted ones are not in the badge).
    if (!found.muted)
      unreadTotal.value = Math.max(0, unreadTotal.value + next.unread_count - found.unread_count);
    conversations.value = conversations.value.map((c) => (c.id === id ? next : c));
    return true;
  }

  /** Newest activity first, as the API lists them. */
  function toTop(id: string): void {
    const found = conversations.value.find((c) => c.id === id);
    if (found) conversations.value = [found, ...conversations.value.filter((c) => c.id !== id)];
  }

  async function loadList(): Promise<void> {
    try {
      const page = await port.listConversations(null, filters.value);
      batch(() => {
        conversations.value = page.conversations;
        listCursor.value = page.next_cursor;
        unreadTotal.value = page.total_unread;
        listLoaded.value = true;
        error.value = null;
      });
      void loadPresence(page.conversations);
      // A thread opened before the list arrived may have been read meanwhile, or not yet.
      if (selectedId.value) void markReadIfSeen(selectedId.value);
    } catch (failure) {
      error.value = describe(failure);
    }
  }

  /** The presence dots of a page of the list; frames keep them current afterwards. */
  async function loadPresence(lines: readonly ConversationSummary[]): Promise<void> {
    const people = new Map<string, ParticipantRef>();
    for (const line of lines)
      for (const p of line.other_participants) people.set(`${p.type}:${p.id}`, { type: p.type, id: p.id });
    if (people.size === 0) return;
    try {
      const answer = await port.presence([...people.values()]);
      const next = { ...presence.value };
      for (const p of answer) next[`${p.participant.type}:${p.participant.id}`] = p.status;
      presence.value = next;
    } catch {
      // Presence is a nicety: the inbox works without it.
    }
  }

  /** Lists with other filters (from the first page). */
  async function setFilters(next: ListFilters): Promise<void> {
    filters.value = next;
    await loadList();
  }

  function matches(conversation: ConversationSummary): boolean {
    const { conversation_type, is_closed, archived } = filters.value;
    return (
      (conversation_type === undefined || conversation.conversation_type === conversation_type) &&
      (is_closed === undefined || conversation.is_closed === is_closed) &&
      (archived === true) === (conversation.archived === true)
    );
  }

  /**
   * Someone's archive changed (theirs, from this tab or another, or the API's unarchiving when
   * someone else wrote): the line leaves the list it no longer belongs to (its unread count stays
   * in the badge, as the API counts it), and a line that now belongs comes with the list again.
   */
  function applyArchive(id: string, archived: boolean): void {
    const line = conversations.value.find((c) => c.id === id);
    batch(() => {
      if (threads.value[id]?.detail)
        updateThread(id, (t) => (t.detail ? { ...t, detail: { ...t.detail, archived } } : t));
      if (line) {
        const next = { ...line, archived };
        if (matches(next)) conversations.value = conversations.value.map((c) => (c.id === id ? next : c));
        else conversations.value = conversations.value.filter((c) => c.id !== id);
      }
    });
    if (!line && (filters.value.archived === true) === archived) void loadList();
  }

  /** Archives or unarchives a conversation for the person (from the list or its header). */
  async function setArchived(id: string, archived: boolean): Promise<void> {
    try {
      const line = await port.setArchived(id, archived);
      updateConversation(id, (c) => ({ ...c, ...line }));
      applyArchive(id, line.archived ?? archived);
    } catch (failure) {
      error.value = describe(failure);
    }
  }

  /** A newer copy of a message (edited, held, approved, rejected): in its thread and list line. */
  function replaceMessage(id: string, message: Message): void {
    batch(() => {
      if (threads.value[id]) updateThread(id, (t) => ({ ...t, items: mergeMessages(t.items, [message]) }));
      const line = conversations.value.find((c) => c.id === id);
      if (line?.last_message && line.last_message.seq === message.seq)
        conversations.value = conversations.value.map((c) =>
          c.id === id && c.last_message
            ? { ...c, last_message: { ...c.last_message, content: message.content.slice(0, 200) } }
            : c,
        );
    });
  }

  /**
   * Edits one's own message: `revision` is the one on screen (`If-Match`). The answer replaces
   * it; a refusal (403 past the window, 409 deleted or closed, 412 changed meanwhile, 422 by
   * moderation) is thrown to the editor, which keeps the text and says why.
   */
  async function editMessage(
    id: string,
    messageId: string,
    content: string,
    revision: number,
  ): Promise<void> {
    const message = await port.editMessage(id, messageId, content.trim(), revision);
    replaceMessage(id, message);
  }

  let searchRun = 0;

  /**
   * Searches as the person types: the full-text search over their messages, and the list's `q`
   * filter (subjects and names) with the list's other filters. An answer to an older query is
   * dropped. An empty query clears the results.
   */
  async function runSearch(query: string): Promise<void> {
    const run = ++searchRun;
    const words = searchWords(query);
    if (query.trim() === '' || words.length === 0) {
      search.value = { ...NO_SEARCH, query };
      return;
    }
    if (words.length > MAX_SEARCH_WORDS) {
      search.value = { ...NO_SEARCH, query, problem: `Search for at most ${MAX_SEARCH_WORDS} words.` };
      return;
    }
    search.value = { ...search.value, query, loading: true, problem: null };
    const text = query.trim().slice(0, 200);
    const [found, listed] = await Promise.allSettled([
      port.searchMessages(text, null),
      port.listConversations(null, { ...filters.value, q: text }),
    ]);
    if (run !== searchRun) return;
    search.value = {
      query,
      results: found.status === 'fulfilled' ? found.value.results : [],
      nextCursor: found.status === 'fulfilled' ? found.value.next_cursor : null,
      conversations: listed.status === 'fulfilled' ? listed.value.conversations : [],
      loading: false,
      problem: found.status === 'rejected' ? describe(found.reason) : null,
    };
  }

  /** The next page of message results for the same query. */
  async function moreSearchResults(): Promise<void> {
    const { query, nextCursor } = search.value;
    if (!nextCursor) return;
    const run = searchRun;
    try {
      const page = await port.searchMessages(query.trim().slice(0, 200), nextCursor);
      if (run !== searchRun) return;
      search.value = {
        ...search.value,
        results: [...search.value.results, ...page.results],
        nextCursor: page.next_cursor,
      };
    } catch (failure) {
      search.value = { ...search.value, problem: describe(failure) };
    }
  }

  /**
   * Opens a conversation at one of its messages (a search result): older history is fetched until
   * the message is in the thread, then it is marked to be brought into view.
   */
  async function reveal(id: string, messageId: string, seq: number): Promise<void> {
    // The same result opened twice still comes into view.
    if (threads.value[id]) updateThread(id, (t) => ({ ...t, focusId: null }));
    await select(id);
    for (let page = 0; page < MAX_REVEAL_PAGES; page++) {
      const thread = threads.value[id];
      if (!thread || thread.items.some((i) => i.kind === 'sent' && i.message.seq <= seq)) break;
      if (!thread.olderCursor) break;
      await loadOlder(id);
    }
    updateThread(id, (t) => ({ ...t, focusId: messageId }));
  }

  let loadingMore = false;

  /** The next keyset page of the list, once at a time (scrolling asks for it repeatedly). */
  async function loadMoreList(): Promise<void> {
    const cursor = listCursor.value;
    if (!cursor || loadingMore) return;
    loadingMore = true;
    try {
      const page = await port.listConversations(cursor, filters.value);
      const known = new Set(conversations.value.map((c) => c.id));
      batch(() => {
        conversations.value = [...conversations.value, ...page.conversations.filter((c) => !known.has(c.id))];
        listCursor.value = page.next_cursor;
      });
      void loadPresence(page.conversations);
    } catch (failure) {
      error.value = describe(failure);
    } finally {
      loadingMore = false;
    }
  }

  /**
   * Marks the open, visible thread read up to its newest message when it has unread ones — by its
   * list line, or by its detail while the list has not loaded it yet (the list's load asks again).
   */
  async function markReadIfSeen(id: string): Promise<void> {
    const thread = threads.value[id];
    const conversation = conversations.value.find((c) => c.id === id) ?? thread?.detail;
    if (
      selectedId.value !== id ||
      !thread?.detail ||
      !isVisible() ||
      !conversation ||
      conversation.unread_count === 0
    )
      return;
    const upTo = latestSeq(thread.items);
    updateConversation(id, (c) => ({
      ...c,
      unread_count: 0,
      last_read_seq: Math.max(c.last_read_seq, upTo),
    }));
    updateThread(id, (t) => (t.detail ? { ...t, detail: { ...t.detail, unread_count: 0 } } : t));
    const { unread_count } = await port.markRead(id, upTo);
    updateConversation(id, (c) => ({ ...c, unread_count }));
  }

  async function open(id: string): Promise<void> {
    updateThread(id, (t) => ({ ...t, loading: true }));
    try {
      const detail = await port.openConversation(id);
      batch(() => {
        updateThread(id, (t) => ({
          detail,
          items: mergeMessages(t.items, detail.messages),
          olderCursor: detail.next_cursor,
          othersReadSeq: othersRead(detail.participants, me),
          othersDeliveredSeq: Math.max(t.othersDeliveredSeq, deliveredFrom(detail.messages)),
          reads: readsOf(detail.participants, me, t.reads),
          newAfterSeq: t.detail ? t.newAfterSeq : detail.unread_count > 0 ? detail.last_read_seq : null,
          focusId: t.focusId,
          loading: false,
        }));
        updateConversation(id, (c) => ({ ...c, ...summaryOf(detail) }));
      });
      await markReadIfSeen(id);
    } catch (failure) {
      updateThread(id, (t) => ({ ...t, loading: false }));
      error.value = describe(failure);
    }
  }

  /** Shows a conversation: its thread (fetched the first time) and marks it read. */
  async function select(id: string | null): Promise<void> {
    selectedId.value = id;
    if (id === null) return;
    const conversation = conversations.value.find((c) => c.id === id);
    if (threads.value[id]?.detail && conversation) {
      // Coming back to a thread that got messages meanwhile: the divider marks them.
      const newAfterSeq = conversation.unread_count > 0 ? conversation.last_read_seq : null;
      updateThread(id, (t) => ({ ...t, newAfterSeq }));
      await markReadIfSeen(id);
    } else await open(id);
  }

  async function loadOlder(id: string): Promise<void> {
    const cursor = threads.value[id]?.olderCursor;
    if (!cursor) return;
    const page = await port.olderMessages(id, cursor);
    updateThread(id, (t) => ({
      ...t,
      items: mergeMessages(t.items, page.messages),
      olderCursor: page.next_cursor,
    }));
  }

  /** The composer's text for a conversation; typing in it tells the others (throttled by the feed). */
  function setDraft(id: string, text: string): void {
    if (text === '') feed?.stopTyping(id);
    else if (text !== (drafts.value[id] ?? '')) feed?.typing(id);
    const next = { ...drafts.value };
    if (text === '') delete next[id];
    else next[id] = text;
    drafts.value = next;
    options.draftStorage?.setItem(DRAFTS_KEY, JSON.stringify(next));
  }

  function sentByMe(id: string, message: Message): void {
    updateConversation(id, (c) => ({
      ...c,
      message_count: Math.max(c.message_count, message.seq),
      last_message_at: message.created_at,
      last_message: {
        seq: message.seq,
        content: message.content.slice(0, 200),
        sender_type: message.sender_type,
        sender_id: message.sender_id,
        created_at: message.created_at,
      },
      // Sending reads up to one's own message.
      unread_count: 0,
      last_read_seq: Math.max(c.last_read_seq, message.seq),
    }));
    toTop(id);
  }

  async function attempt(id: string, item: PendingItem): Promise<void> {
    try {
      const message = await port.sendMessage(
        id,
        { content: item.content, files: item.files },
        item.idempotencyKey,
        (progress) =>
          updateThread(id, (t) => ({
            ...t,
            items: t.items.map((i) =>
              i.kind === 'pending' && i.clientId === item.clientId ? { ...i, progress } : i,
            ),
          })),
      );
      batch(() => {
        updateThread(id, (t) => ({ ...t, items: confirmPending(t.items, item.clientId, message) }));
        sentByMe(id, message);
      });
    } catch (failure) {
      const reason = rejectionOf(failure);
      if (reason === null) {
        updateThread(id, (t) => ({ ...t, items: setPendingStatus(t.items, item.clientId, 'failed') }));
        return;
      }
      // Moderation refused it: sending it again would be refused again. It leaves the thread, its
      // text goes back to the composer (unless something new was typed) with the reason.
      batch(() => {
        updateThread(id, (t) => ({
          ...t,
          items: t.items.filter((i) => !(i.kind === 'pending' && i.clientId === item.clientId)),
        }));
        if ((drafts.value[id] ?? '') === '') setDraft(id, item.content);
        rejections.value = { ...rejections.value, [id]: reason };
      });
    }
  }

  /**
   * Sends at once on screen (a pending item), then to the API with a fresh client id as its
   * `Idempotency-Key`; the draft is cleared. A failure leaves the item marked failed for `retry`.
   */
  async function send(id: string, content: string, files: readonly File[] = []): Promise<void> {
    const text = content.trim();
    if (text === '' && files.length === 0) return;
    const clientId = newId();
    const item: PendingItem = {
      kind: 'pending',
      clientId,
      key: `pending:${clientId}`,
      idempotencyKey: clientId,
      content: text,
      files,
      createdAt: now().toISOString(),
      status: 'sending',
    };
    batch(() => {
      if (rejections.value[id]) {
        const { [id]: _, ...rest } = rejections.value;
        rejections.value = rest;
      }
      updateThread(id, (t) => ({ ...t, items: addPending(t.items, item) }));
      // Clearing the draft also tells the others the person stopped typing.
      setDraft(id, '');
    });
    await attempt(id, item);
  }

  /** Tries a failed send again with the same `Idempotency-Key`, so it is never sent twice. */
  async function retry(id: string, clientId: string): Promise<void> {
    const item = threads.value[id]?.items.find(
      (i): i is PendingItem => i.kind === 'pending' && i.clientId === clientId,
    );
    if (item?.status !== 'failed') return;
    updateThread(id, (t) => ({ ...t, items: setPendingStatus(t.items, clientId, 'sending') }));
    await attempt(id, { ...item, status: 'sending' });
  }

  function applyReadState(id: string, data: Readonly<Record<string, unknown>>): void {
    const readState = data.read_state as { unread_count: number; last_read_seq: number } | undefined;
    if (readState)
      updateConversation(id, (c) => ({
        ...c,
        unread_count: readState.unread_count,
        last_read_seq: readState.last_read_seq,
      }));
  }

  /**
   * Applies one durable live event, once: a frame whose id was seen (replayed after a reconnect)
   * is dropped, and a message already in the thread (our own send's answer) is not added again.
   */
  function handleEvent(event: LiveEvent): void {
    if (seenEvents.has(event.id)) return;
    seenEvents.add(event.id);
    if (seenEvents.size > SEEN_EVENTS) seenEvents.delete(seenEvents.values().next().value as string);
    const id = event.conversation_id;
    const { data } = event;
    switch (event.type) {
      case 'conversation.created': {
        const conversation = data.conversation as ConversationSummary;
        if (!conversations.value.some((c) => c.id === conversation.id)) {
          if (matches(conversation)) conversations.value = [conversation, ...conversations.value];
          if (!conversation.muted) unreadTotal.value += conversation.unread_count;
        }
        return;
      }
      case 'message.sent': {
        const message = data.message as Message;
        const line = data.conversation as Partial<ConversationSummary>;
        batch(() => {
          if (threads.value[id])
            updateThread(id, (t) => ({ ...t, items: mergeMessages(t.items, [message]) }));
          const known = updateConversation(id, (c) => ({ ...c, ...line }));
          applyReadState(id, data);
          if (known) toTop(id);
        });
        // Someone else writing brings an archived conversation back (the API unarchived it).
        const fromOther = !same({ type: message.sender_type, id: message.sender_id }, me);
        const shownLine = conversations.value.find((c) => c.id === id) ?? threads.value[id]?.detail;
        if (fromOther && !message.is_system_message && shownLine?.archived) applyArchive(id, false);
        else if (!conversations.value.some((c) => c.id === id) && !filters.value.archived) void loadList();
        void markReadIfSeen(id);
        return;
      }
      case 'message.updated':
      case 'message.held':
      case 'message.approved':
      case 'message.rejected':
      case 'message.flagged': {
        const message = data.message as Message | undefined;
        if (message) replaceMessage(id, message);
        // An approved message reaches its readers only now: like a new one for them.
        if (event.type === 'message.approved' && message && !conversations.value.some((c) => c.id === id))
          void loadList();
        return;
      }
      case 'conversation.archived':
      case 'conversation.unarchived':
        applyArchive(id, event.type === 'conversation.archived');
        return;
      case 'message.deleted': {
        const message = data.message as Message | undefined;
        if (message && threads.value[id])
          updateThread(id, (t) => ({ ...t, items: mergeMessages(t.items, [message]) }));
        applyReadState(id, data);
        return;
      }
      case 'conversation.read': {
        const reader = data.participant as ParticipantRef;
        if (same(reader, me)) applyReadState(id, data);
        else if (threads.value[id]) {
          const seq = Number(data.last_read_seq) || 0;
          const at = typeof data.read_at === 'string' ? data.read_at : null;
          updateThread(id, (t) => {
            const before = t.reads[personKey(reader)];
            return {
              ...t,
              othersReadSeq: Math.max(t.othersReadSeq, seq),
              reads: before && before.seq >= seq ? t.reads : { ...t.reads, [personKey(reader)]: { seq, at } },
            };
          });
        }
        return;
      }
      case 'conversation.delivered': {
        const receiver = data.participant as ParticipantRef;
        if (!same(receiver, me) && threads.value[id])
          updateThread(id, (t) => ({
            ...t,
            othersDeliveredSeq: Math.max(t.othersDeliveredSeq, Number(data.last_delivered_seq) || 0),
          }));
        return;
      }
      case 'conversation.closed':
      case 'conversation.reopened': {
        const isClosed = data.is_closed === true;
        updateConversation(id, (c) => ({ ...c, is_closed: isClosed }));
        if (threads.value[id]?.detail) void open(id);
        return;
      }
      case 'conversation.renamed': {
        const subject = String(data.subject ?? '');
        updateConversation(id, (c) => ({ ...c, subject }));
        if (threads.value[id]?.detail) void open(id);
        return;
      }
      case 'participant.added':
      case 'participant.removed':
      case 'participant.role_changed': {
        const who = data.participant as ParticipantRef | undefined;
        if (event.type === 'participant.removed' && who && same(who, me)) {
          forget(id);
          return;
        }
        const line = data.conversation as ConversationSummary | undefined;
        if (event.type === 'participant.added' && line && !conversations.value.some((c) => c.id === id)) {
          if (matches(line)) conversations.value = [line, ...conversations.value];
          if (!line.muted) unreadTotal.value += line.unread_count;
        }
        // The members (and the system message of the change) come with the detail.
        if (threads.value[id]?.detail) void open(id);
        return;
      }
      default:
        // Types added later are ignored (docs/realtime.md: a client ignores types it does not know).
        return;
    }
  }

  /** Starts a conversation, puts it on top of the list and opens it; answers its id. */
  async function startConversation(input: NewConversation): Promise<string> {
    const detail = await port.startConversation(input);
    batch(() => {
      conversations.value = [detail, ...conversations.value.filter((c) => c.id !== detail.id)];
      updateThread(detail.id, () => ({
        detail,
        items: mergeMessages([], detail.messages),
        olderCursor: detail.next_cursor,
        othersReadSeq: othersRead(detail.participants, me),
        othersDeliveredSeq: 0,
        reads: readsOf(detail.participants, me, {}),
        newAfterSeq: null,
        focusId: null,
        loading: false,
      }));
      selectedId.value = detail.id;
    });
    return detail.id;
  }

  /** Drops a conversation the person left or was removed from: list, thread and selection. */
  function forget(id: string): void {
    batch(() => {
      const line = conversations.value.find((c) => c.id === id);
      if (line && !line.muted) unreadTotal.value = Math.max(0, unreadTotal.value - line.unread_count);
      conversations.value = conversations.value.filter((c) => c.id !== id);
      const { [id]: _, ...rest } = threads.value;
      threads.value = rest;
      if (selectedId.value === id) selectedId.value = null;
    });
  }

  /**
   * Runs a membership change (rename, add, remove, role), then shows the thread again with its
   * members and the change's system message. A refusal is thrown back to the dialog that asked,
   * which names it.
   */
  async function changeMembers(id: string, change: () => Promise<unknown>): Promise<void> {
    await change();
    await open(id);
  }

  /** Renames a conversation (a group admin; the support team). */
  async function rename(id: string, subject: string): Promise<void> {
    await changeMembers(id, async () => {
      const line = await port.rename(id, subject);
      updateConversation(id, (c) => ({ ...c, ...line }));
    });
  }

  const addMember = (id: string, who: ParticipantRef) => changeMembers(id, () => port.addMember(id, who));
  /** Removed members stay among the people one knows (to add them back). */
  const formerMembers = signal<readonly Counterpart[]>([]);
  const removeMember = (id: string, who: ParticipantRef) =>
    changeMembers(id, async () => {
      await port.removeMember(id, who);
      const member = threads.value[id]?.detail?.participants.find((p) => same(p, who));
      if (member)
        formerMembers.value = [...formerMembers.value, { type: who.type, id: who.id, name: member.name }];
    });
  const changeRole = (id: string, who: ParticipantRef, role: string) =>
    changeMembers(id, () => port.changeRole(id, who, role));

  /** Leaves a conversation: it leaves the list, and the inbox shows none. */
  async function leave(id: string): Promise<void> {
    try {
      await port.removeMember(id, me);
    } catch (failure) {
      error.value = describe(failure);
      return;
    }
    forget(id);
  }

  /**
   * Everyone the person met in their loaded conversations, by `type:id`: offered to a group admin
   * beside the recipient search's answers (people removed this session among them).
   */
  const people = computed(() => {
    const known = new Map<string, Counterpart>();
    for (const p of formerMembers.value) known.set(personKey(p), p);
    for (const c of conversations.value)
      for (const p of c.other_participants) known.set(personKey(p), { type: p.type, id: p.id, name: p.name });
    for (const t of Object.values(threads.value))
      for (const p of t.detail?.participants ?? [])
        if (!same(p, me)) known.set(personKey(p), { type: p.type, id: p.id, name: p.name });
    return [...known.values()].sort((a, b) => a.name.localeCompare(b.name));
  });

  /** Closes or reopens a conversation, then shows its thread again (with the system message). */
  async function setClosed(id: string, closed: boolean): Promise<void> {
    try {
      const line = await port.setClosed(id, closed);
      updateConversation(id, (c) => ({ ...c, ...line }));
      if (threads.value[id]?.detail) await open(id);
    } catch (failure) {
      error.value = describe(failure);
    }
  }

  function setTyping(conversationId: string, who: ParticipantRef, on: boolean): void {
    const key = `${conversationId}|${who.type}:${who.id}`;
    clearTimeout(typingTimers.get(key));
    typingTimers.delete(key);
    const others = (typing.value[conversationId] ?? []).filter((p) => !same(p, who));
    const next = { ...typing.value };
    if (on) next[conversationId] = [...others, who];
    else if (others.length > 0) next[conversationId] = others;
    else delete next[conversationId];
    typing.value = next;
    // A start the server never follows with a stop (a lost frame) still ends.
    if (on)
      typingTimers.set(
        key,
        setTimeout(() => setTyping(conversationId, who, false), 8000),
      );
  }

  /** The live feed could not replay what was missed: the list and the open thread are fetched again. */
  async function resync(): Promise<void> {
    await loadList();
    const id = selectedId.value;
    if (id) await open(id);
  }

  /** Loads the first page and starts the live feed; returns its stop. */
  function start(): () => void {
    void loadList();
    feed = port.live({
      event: handleEvent,
      presence: (signal) => {
        presence.value = {
          ...presence.value,
          [`${signal.participant.type}:${signal.participant.id}`]: signal.status,
        };
      },
      typing: (frame) => {
        if (!same(frame.participant, me))
          setTyping(frame.conversation_id, frame.participant, frame.state === 'start');
      },
      status: (status) => {
        connection.value = status;
      },
      resync: () => void resync(),
    });
    const running = feed;
    return () => {
      running.stop();
      for (const timer of typingTimers.values()) clearTimeout(timer);
      typingTimers.clear();
    };
  }

  return {
    /** Files of messages (and thumbnails), fetched with the token: `<img>` cannot send it. */
    download: (path: string) => port.download(path),
    conversations,
    listCursor,
    listLoaded,
    typing,
    presence,
    filters,
    setFilters,
    selectedId,
    selected,
    threads,
    unreadTotal,
    drafts,
    connection,
    error,
    me,
    loadList,
    loadMoreList,
    select,
    loadOlder,
    setDraft,
    send,
    retry,
    setClosed,
    rename,
    addMember,
    removeMember,
    changeRole,
    leave,
    people,
    startConversation,
    searchRecipients: (type: string, query: string) => port.searchRecipients(type, query),
    handleEvent,
    resync,
    start,
    search,
    runSearch,
    moreSearchResults,
    reveal,
    setArchived,
    editMessage,
    revisions: (id: string, messageId: string) => port.revisions(id, messageId),
    rejections,
    /** Fetches a conversation's detail and latest messages again. */
    refresh: (id: string) => open(id),
  };
}

/** The inbox's state and actions, as `createInboxStore` returns them. */
export type InboxStore = ReturnType<typeof createInboxStore>;
