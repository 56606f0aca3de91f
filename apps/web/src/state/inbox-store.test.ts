import { describe, expect, it } from 'vitest';
import type {
  ConversationDetail,
  ConversationSummary,
  InboxPort,
  LiveHandlers,
  Message,
} from './inbox-port.js';
import { createInboxStore } from './inbox-store.js';

const STORE = { type: 'store', id: 'u1' };
const CUSTOMER = { type: 'customer', id: 'c1' };

function message(seq: number, from = CUSTOMER, content = `m${seq}`): Message {
  return {
    id: `msg-${seq}`,
    conversation_id: 'k1',
    seq,
    sender_type: from.type,
    sender_id: from.id,
    sender_name: from.id,
    content,
    is_system_message: false,
    is_deleted: false,
    created_at: new Date(Date.UTC(2026, 11, 7, 8, seq)).toISOString(),
    attachments: [],
  };
}

function summary(id: string, unread: number): ConversationSummary {
  return {
    id,
    conversation_type: 'store_customer',
    subject: `Subject ${id}`,
    is_closed: false,
    last_message_at: null,
    message_count: 2,
    unread_count: unread,
    last_read_seq: 0,
    muted: false,
    other_participants: [{ ...CUSTOMER, name: 'Cam' }],
    last_message: null,
    created_at: '2026-12-07T08:00:00.000Z',
  };
}

/** An in-memory API: records sends (by idempotency key, like the server) and can fail on demand. */
function memoryPort() {
  const sends: { key: string; content: string }[] = [];
  const reads: { id: string; upTo: number }[] = [];
  const byKey = new Map<string, Message>();
  let failNext = 0;
  let seq = 2;
  let live: LiveHandlers | undefined;
  let lists = 0;
  const typed: string[] = [];
  const changes: string[] = [];
  const subjects = new Map<string, string>();
  const archived = new Set<string>();
  const edits: { id: string; messageId: string; content: string; revision: number }[] = [];
  const searches: string[] = [];
  let editFailure: unknown = null;
  let sendFailure: unknown = null;
  const port: InboxPort = {
    listConversations: async (_cursor, filters) => {
      lists += 1;
      const all = [summary('k1', 2), { ...summary('k2', 1), is_closed: true }].map((c) => ({
        ...c,
        archived: archived.has(c.id),
      }));
      const shown = all.filter(
        (c) =>
          (filters.is_closed === undefined || c.is_closed === filters.is_closed) &&
          (filters.archived === true) === c.archived &&
          (!filters.q || c.subject.toLowerCase().includes(filters.q.toLowerCase())),
      );
      return { conversations: shown, total_unread: 3, next_cursor: null };
    },
    setArchived: async (id, on) => {
      if (on) archived.add(id);
      else archived.delete(id);
      return { ...summary(id, id === 'k1' ? 2 : 1), archived: on };
    },
    editMessage: async (id, messageId, content, revision) => {
      edits.push({ id, messageId, content, revision });
      if (editFailure) throw editFailure;
      const seqOf = Number(messageId.replace('msg-', ''));
      return {
        ...message(seqOf, STORE, content),
        revision: revision + 1,
        edited_at: '2026-12-07T09:00:00.000Z',
      };
    },
    revisions: async () => [],
    searchMessages: async (query, cursor) => {
      searches.push(`${query}|${cursor ?? ''}`);
      return {
        results: [
          {
            conversation: {
              id: 'k1',
              conversation_type: 'store_customer',
              subject: 'Subject k1',
              is_closed: false,
            },
            message: { ...message(1), content: undefined } as never,
            snippet: [
              { text: 'the ', highlight: false },
              { text: query, highlight: true },
            ],
          },
        ],
        next_cursor: cursor ? null : 'next',
      };
    },
    openConversation: async (id) =>
      ({
        ...summary(id, id === 'k1' ? 2 : 1),
        subject: subjects.get(id) ?? `Subject ${id}`,
        participants: [
          { ...STORE, name: 'Sam', last_read_seq: 0 },
          { ...CUSTOMER, name: 'Cam', last_read_seq: 2 },
        ],
        messages: [message(1), message(2)],
        next_cursor: null,
      }) satisfies ConversationDetail,
    olderMessages: async () => ({ messages: [], next_cursor: null }),
    sendMessage: async (_id, input, key, onProgress) => {
      sends.push({ key, content: input.content });
      if (sendFailure) throw sendFailure;
      if (input.files.length > 0) onProgress?.(0.5);
      const replay = byKey.get(key);
      if (replay && failNext === 0) return replay;
      seq += 1;
      const created = replay ?? message(seq, STORE, input.content);
      byKey.set(key, created);
      if (failNext > 0) {
        failNext -= 1;
        // The server stored it, but the answer was lost on the way back.
        throw new Error('network');
      }
      return created;
    },
    markRead: async (id, upTo) => {
      reads.push({ id, upTo });
      return { unread_count: 0 };
    },
    download: async () => new Blob(['x']),
    searchRecipients: async () => [],
    presence: async (people) =>
      people.map(
        (participant) => ({ participant, status: participant.id === 'c1' ? 'online' : 'offline' }) as const,
      ),
    startConversation: async (input) => ({
      ...summary('k9', 0),
      subject: input.subject,
      participants: [],
      messages: [message(1, STORE, input.initial_message)],
      next_cursor: null,
    }),
    setClosed: async (id, closed) => ({ ...summary(id, 0), is_closed: closed }),
    rename: async (id, subject) => {
      changes.push(`rename:${id}:${subject}`);
      subjects.set(id, subject);
      return { ...summary(id, 0), subject };
    },
    addMember: async (id, who) => {
      changes.push(`add:${id}:${who.type}:${who.id}`);
      return [];
    },
    removeMember: async (id, who) => {
      changes.push(`remove:${id}:${who.type}:${who.id}`);
    },
    changeRole: async (id, who, role) => {
      changes.push(`role:${id}:${who.type}:${who.id}:${role}`);
      return [];
    },
    live: (handlers) => {
      live = handlers;
      return {
        typing: (id) => typed.push(`start:${id}`),
        stopTyping: (id) => typed.push(`stop:${id}`),
        stop: () => {
          live = undefined;
        },
      };
    },
  };
  return {
    port,
    sends,
    reads,
    failNext: (n: number) => {
      failNext = n;
    },
    live: () => live,
    lists: () => lists,
    typed,
    changes,
    nextSeq: () => ++seq,
    archived,
    edits,
    searches,
    failEdits: (failure: unknown) => {
      editFailure = failure;
    },
    failSends: (failure: unknown) => {
      sendFailure = failure;
    },
  };
}

function ids(store: ReturnType<typeof createInboxStore>, id: string): string[] {
  return (store.threads.value[id]?.items ?? []).map((i) => i.key);
}

describe('the inbox store', () => {
  it('opens a thread, marks it read and lowers the unread total', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.loadList();
    expect(store.unreadTotal.value).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.presence.value).toEqual({ 'customer:c1': 'online' });
    await store.select('k1');
    expect(ids(store, 'k1')).toEqual(['msg-1', 'msg-2']);
    expect(api.reads).toEqual([{ id: 'k1', upTo: 2 }]);
    expect(store.unreadTotal.value).toBe(1);
    expect(store.threads.value.k1?.othersReadSeq).toBe(2);
    // Opened with 2 unread from read position 0: the divider goes before message 1.
    expect(store.threads.value.k1?.newAfterSeq).toBe(0);
  });

  it('marks a thread read that was opened from a link before the list arrived', async () => {
    const api = memoryPort();
    let release: () => void = () => {};
    const listed = new Promise<void>((resolve) => {
      release = resolve;
    });
    const port: InboxPort = {
      ...api.port,
      listConversations: async (cursor, filters) => {
        await listed;
        return api.port.listConversations(cursor, filters);
      },
    };
    const store = createInboxStore({ port, me: STORE });
    store.start();
    await store.select('k1');
    expect(store.selected.value?.subject).toBe('Subject k1');
    expect(api.reads).toEqual([{ id: 'k1', upTo: 2 }]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The list came back with the unread count it read before: the thread is read again, the badge follows.
    expect(api.reads).toEqual([
      { id: 'k1', upTo: 2 },
      { id: 'k1', upTo: 2 },
    ]);
    expect(store.conversations.value.find((c) => c.id === 'k1')?.unread_count).toBe(0);
    expect(store.unreadTotal.value).toBe(1);
  });

  it('sends optimistically and replaces the pending item with the server message', async () => {
    const api = memoryPort();
    let n = 0;
    const store = createInboxStore({ port: api.port, me: STORE, newId: () => `client-${++n}` });
    await store.loadList();
    await store.select('k1');
    store.setDraft('k1', 'hello');
    const sending = store.send('k1', ' hello ');
    const pending = store.threads.value.k1?.items.at(-1);
    expect(pending).toMatchObject({
      kind: 'pending',
      status: 'sending',
      content: 'hello',
      idempotencyKey: 'client-1',
    });
    expect(store.drafts.value.k1).toBeUndefined();
    await sending;
    expect(ids(store, 'k1')).toEqual(['msg-1', 'msg-2', 'msg-3']);
    expect(store.conversations.value[0]?.last_message?.content).toBe('hello');
    // With a file, the pending item follows the upload.
    let seen: number | undefined;
    const stop = store.threads.subscribe((threads) => {
      const last = threads.k1?.items.at(-1);
      if (last?.kind === 'pending' && last.progress !== undefined) seen = last.progress;
    });
    await store.send('k1', 'a photo', [new File(['x'], 'a.png', { type: 'image/png' })]);
    stop();
    expect(seen).toBe(0.5);
  });

  it('retries a failed send with the same Idempotency-Key, so it is stored once', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE, newId: () => 'client-x' });
    await store.loadList();
    await store.select('k2');
    api.failNext(1);
    await store.send('k2', 'are you there?');
    expect(store.threads.value.k2?.items.at(-1)).toMatchObject({ kind: 'pending', status: 'failed' });
    await store.retry('k2', 'client-x');
    expect(api.sends).toEqual([
      { key: 'client-x', content: 'are you there?' },
      { key: 'client-x', content: 'are you there?' },
    ]);
    expect(ids(store, 'k2')).toEqual(['msg-1', 'msg-2', 'msg-3']);
  });

  it('applies each live event once: a replayed frame and an already-known message add nothing', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE, isVisible: () => false });
    store.start();
    await store.loadList();
    await store.select('k1');
    const arrival = {
      id: '41',
      type: 'message.sent',
      conversation_id: 'k1',
      data: {
        message: message(3),
        conversation: { message_count: 3, last_message_at: message(3).created_at },
        read_state: { unread_count: 3, last_read_seq: 0 },
      },
    };
    api.live()?.event(arrival);
    api.live()?.event(arrival);
    api.live()?.event({ ...arrival, id: '42' });
    expect(ids(store, 'k1')).toEqual(['msg-1', 'msg-2', 'msg-3']);
    // Not visible (tab hidden): not marked read, so the badge shows it.
    expect(store.conversations.value.find((c) => c.id === 'k1')?.unread_count).toBe(3);
    expect(store.unreadTotal.value).toBe(4);
  });

  it('keeps a draft per conversation, across a reload of the tab', async () => {
    const saved = new Map<string, string>();
    const storage = {
      getItem: (k: string) => saved.get(k) ?? null,
      setItem: (k: string, v: string) => void saved.set(k, v),
    };
    const first = createInboxStore({ port: memoryPort().port, me: STORE, draftStorage: storage });
    first.setDraft('k1', 'half a thought');
    first.setDraft('k2', 'another');
    first.setDraft('k2', '');
    const reloaded = createInboxStore({ port: memoryPort().port, me: STORE, draftStorage: storage });
    expect(reloaded.drafts.value).toEqual({ k1: 'half a thought' });
  });

  it('resumes: shows the connection state, and refetches list and thread when asked to resync', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    expect(store.connection.value).toBe('connecting');
    api.live()?.status('online');
    expect(store.connection.value).toBe('online');
    await store.select('k1');
    api.live()?.status('reconnecting');
    expect(store.connection.value).toBe('reconnecting');
    const before = api.lists();
    api.live()?.resync();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(api.lists()).toBe(before + 1);
    expect(ids(store, 'k1')).toEqual(['msg-1', 'msg-2']);
  });

  it('filters the list, and keeps a new conversation that does not match out of it', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.setFilters({ is_closed: true });
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k2']);
    api.live()?.event({
      id: '60',
      type: 'conversation.created',
      conversation_id: 'k5',
      data: { conversation: summary('k5', 1) },
    });
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k2']);
    expect(store.unreadTotal.value).toBe(4);
    await store.setFilters({});
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k1', 'k2']);
  });

  it('shows who is typing where, and says when the person types or stops', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.select('k1');
    api.live()?.typing({ conversation_id: 'k1', participant: CUSTOMER, state: 'start' });
    api.live()?.typing({ conversation_id: 'k1', participant: CUSTOMER, state: 'start' });
    api.live()?.typing({ conversation_id: 'k1', participant: STORE, state: 'start' });
    expect(store.typing.value).toEqual({ k1: [CUSTOMER] });
    api.live()?.typing({ conversation_id: 'k1', participant: CUSTOMER, state: 'stop' });
    expect(store.typing.value).toEqual({});
    api.live()?.presence({ participant: CUSTOMER, status: 'away' });
    expect(store.presence.value['customer:c1']).toBe('away');
    store.setDraft('k1', 'h');
    store.setDraft('k1', '');
    await store.send('k2', 'hi');
    expect(api.typed).toEqual(['start:k1', 'stop:k1', 'stop:k2']);
  });

  it('pages the list by keyset cursor, one page at a time, without repeating a conversation', async () => {
    const asked: (string | null)[] = [];
    const base = memoryPort().port;
    const port: InboxPort = {
      ...base,
      listConversations: async (cursor) => {
        asked.push(cursor);
        return cursor === null
          ? { conversations: [summary('k1', 0), summary('k2', 0)], total_unread: 0, next_cursor: 'after-k2' }
          : { conversations: [summary('k2', 0), summary('k3', 0)], total_unread: 0, next_cursor: null };
      },
    };
    const store = createInboxStore({ port, me: STORE });
    await store.loadList();
    await Promise.all([store.loadMoreList(), store.loadMoreList()]);
    await store.loadMoreList();
    expect(asked).toEqual([null, 'after-k2']);
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k1', 'k2', 'k3']);
    expect(store.listCursor.value).toBeNull();
  });

  it('starts a conversation: it tops the list and opens', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    await store.loadList();
    const id = await store.startConversation({
      conversation_type: 'store_customer',
      subject: 'Your return',
      participants: [CUSTOMER],
      initial_message: 'We got it.',
    });
    expect(id).toBe('k9');
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k9', 'k1', 'k2']);
    expect(store.selectedId.value).toBe('k9');
    expect(ids(store, 'k9')).toEqual(['msg-1']);
  });

  it('moves the "read" mark when the other member reads, and follows their closing the conversation', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.loadList();
    await store.select('k1');
    api.live()?.event({
      id: '50',
      type: 'conversation.read',
      conversation_id: 'k1',
      data: { participant: CUSTOMER, last_read_seq: 7 },
    });
    expect(store.threads.value.k1?.othersReadSeq).toBe(7);
    api.live()?.event({
      id: '49',
      type: 'conversation.delivered',
      conversation_id: 'k1',
      data: { participant: CUSTOMER, last_delivered_seq: 9 },
    });
    expect(store.threads.value.k1?.othersDeliveredSeq).toBe(9);
    api
      .live()
      ?.event({ id: '51', type: 'conversation.closed', conversation_id: 'k1', data: { is_closed: true } });
    expect(store.conversations.value.find((c) => c.id === 'k1')?.is_closed).toBe(true);
  });

  it("keeps each member's read position with its time, from the detail and from live reads", async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.loadList();
    await store.select('k1');
    expect(store.threads.value.k1?.reads).toEqual({ 'customer:c1': { seq: 2, at: null } });
    api.live()?.event({
      id: '60',
      type: 'conversation.read',
      conversation_id: 'k1',
      data: { participant: CUSTOMER, last_read_seq: 5, read_at: '2026-12-07T09:00:00.000Z' },
    });
    // A replayed, older read never moves it back.
    api.live()?.event({
      id: '61',
      type: 'conversation.read',
      conversation_id: 'k1',
      data: { participant: CUSTOMER, last_read_seq: 3, read_at: '2026-12-07T08:30:00.000Z' },
    });
    expect(store.threads.value.k1?.reads['customer:c1']).toEqual({ seq: 5, at: '2026-12-07T09:00:00.000Z' });
  });

  it('changes members through the port, follows renames, and forgets a conversation the person left', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.loadList();
    await store.select('k1');
    await store.changeRole('k1', CUSTOMER, 'admin');
    await store.rename('k1', 'Renamed');
    expect(store.conversations.value.find((c) => c.id === 'k1')?.subject).toBe('Renamed');
    api.live()?.event({
      id: '70',
      type: 'conversation.renamed',
      conversation_id: 'k2',
      data: { subject: 'Elsewhere', previous_subject: 'Subject k2' },
    });
    expect(store.conversations.value.find((c) => c.id === 'k2')?.subject).toBe('Elsewhere');
    expect(store.people.value).toEqual([{ ...CUSTOMER, name: 'Cam' }]);
    await store.leave('k1');
    expect(api.changes).toEqual(['role:k1:customer:c1:admin', 'rename:k1:Renamed', 'remove:k1:store:u1']);
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k2']);
    expect(store.selectedId.value).toBeNull();
    expect(store.unreadTotal.value).toBe(1);
    // Removed by someone else: the same.
    api.live()?.event({
      id: '71',
      type: 'participant.removed',
      conversation_id: 'k2',
      data: { participant: STORE, reason: 'removed' },
    });
    expect(store.conversations.value).toEqual([]);
  });
});

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('archive, edits, search and moderation in the inbox store', () => {
  it('archives out of the inbox into the Archived view, and back', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    await store.loadList();
    await store.setArchived('k1', true);
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k2']);
    // The badge still counts it, as the API does.
    expect(store.unreadTotal.value).toBe(3);
    await store.setFilters({ archived: true });
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k1']);
    await store.setArchived('k1', false);
    expect(store.conversations.value).toEqual([]);
    await store.setFilters({});
    expect(store.conversations.value.map((c) => c.id).sort()).toEqual(['k1', 'k2']);
  });

  it("follows the person's other tabs live: archived leaves the inbox, unarchived comes back", async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.loadList();
    api.archived.add('k1');
    api
      .live()
      ?.event({ id: 'e1', type: 'conversation.archived', conversation_id: 'k1', data: { archived: true } });
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k2']);
    api.archived.delete('k1');
    const before = api.lists();
    api.live()?.event({ id: 'e2', type: 'conversation.unarchived', conversation_id: 'k1', data: {} });
    await settle();
    expect(api.lists()).toBe(before + 1);
    expect(store.conversations.value.map((c) => c.id).sort()).toEqual(['k1', 'k2']);
  });

  it('a message from someone else brings an archived conversation back to the inbox', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.setFilters({ archived: true });
    await store.setArchived('k1', true);
    await store.setFilters({ archived: true });
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k1']);
    // My own message keeps it archived.
    const mine = message(3, STORE, 'note to self');
    api.live()?.event({
      id: 'e1',
      type: 'message.sent',
      conversation_id: 'k1',
      data: { message: mine, conversation: {} },
    });
    expect(store.conversations.value.map((c) => c.id)).toEqual(['k1']);
    // The customer's brings it back (the API unarchived it): it leaves the Archived view.
    api.archived.delete('k1');
    const theirs = message(4, CUSTOMER, 'still there?');
    api.live()?.event({
      id: 'e2',
      type: 'message.sent',
      conversation_id: 'k1',
      data: { message: theirs, conversation: {} },
    });
    expect(store.conversations.value).toEqual([]);
    await store.setFilters({});
    expect(store.conversations.value.map((c) => c.id)).toContain('k1');
  });

  it('edits a message with the revision on screen; a live message.updated replaces it', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.loadList();
    await store.select('k1');
    await store.editMessage('k1', 'msg-2', ' fixed ', 1);
    expect(api.edits).toEqual([{ id: 'k1', messageId: 'msg-2', content: 'fixed', revision: 1 }]);
    const edited = store.threads.value.k1?.items.find((i) => i.key === 'msg-2');
    expect(edited?.kind === 'sent' && edited.message).toMatchObject({ content: 'fixed', revision: 2 });
    const updated = {
      ...message(1),
      content: 'changed by Cam',
      revision: 2,
      edited_at: '2026-12-07T09:00:00.000Z',
    };
    api
      .live()
      ?.event({ id: 'e1', type: 'message.updated', conversation_id: 'k1', data: { message: updated } });
    const first = store.threads.value.k1?.items[0];
    expect(first?.kind === 'sent' && first.message.content).toBe('changed by Cam');
  });

  it('throws a refused edit back to the editor and changes nothing', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    await store.select('k1');
    api.failEdits(Object.assign(new Error('412 REVISION_MISMATCH'), { status: 412 }));
    await expect(store.editMessage('k1', 'msg-2', 'late', 1)).rejects.toThrow('412');
    const item = store.threads.value.k1?.items.find((i) => i.key === 'msg-2');
    expect(item?.kind === 'sent' && item.message.content).toBe('m2');
  });

  it('searches messages and the list, drops stale answers, pages, and reveals a result', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    await store.loadList();
    const first = store.runSearch('sub');
    const second = store.runSearch('subject k2');
    await Promise.all([first, second]);
    expect(store.search.value.query).toBe('subject k2');
    expect(store.search.value.results[0]?.snippet).toEqual([
      { text: 'the ', highlight: false },
      { text: 'subject k2', highlight: true },
    ]);
    expect(store.search.value.conversations.map((c) => c.id)).toEqual(['k2']);
    await store.moreSearchResults();
    expect(store.search.value.results).toHaveLength(2);
    expect(api.searches).toEqual(['sub|', 'subject k2|', 'subject k2|next']);
    // Punctuation only, or too many words: nothing asked, the reason given.
    await store.runSearch('?!');
    expect(store.search.value).toMatchObject({ results: [], problem: null });
    await store.runSearch('a b c d e f g h i');
    expect(store.search.value.problem).toBe('Search for at most 8 words.');
    expect(api.searches).toHaveLength(3);
    await store.reveal('k1', 'msg-1', 1);
    expect(store.selectedId.value).toBe('k1');
    expect(store.threads.value.k1?.focusId).toBe('msg-1');
  });

  it('a send refused by moderation leaves the thread and gives the draft back with the reason', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE, newId: () => 'client-1' });
    await store.select('k1');
    api.failSends(
      Object.assign(new Error('422 MESSAGE_REJECTED'), {
        code: 'MESSAGE_REJECTED',
        problem: { code: 'MESSAGE_REJECTED', reason: 'Contact details are not allowed' },
      }),
    );
    await store.send('k1', 'call me on 0612345678');
    expect(ids(store, 'k1')).toEqual(['msg-1', 'msg-2']);
    expect(store.drafts.value.k1).toBe('call me on 0612345678');
    expect(store.rejections.value.k1).toBe('Contact details are not allowed');
    // Another failure is a "Not sent" to retry, as before.
    api.failSends(new Error('network'));
    await store.send('k1', 'hello');
    expect(store.rejections.value.k1).toBeUndefined();
    expect(store.threads.value.k1?.items.at(-1)).toMatchObject({ kind: 'pending', status: 'failed' });
  });

  it('held, approved and rejected messages are replaced live for their sender', async () => {
    const api = memoryPort();
    const store = createInboxStore({ port: api.port, me: STORE });
    store.start();
    await store.select('k1');
    const held = { ...message(2, STORE), moderation: { state: 'held' as const } };
    api.live()?.event({ id: 'e1', type: 'message.held', conversation_id: 'k1', data: { message: held } });
    const rejected = { ...held, moderation: { state: 'rejected' as const, reason: 'Links are not allowed' } };
    api
      .live()
      ?.event({ id: 'e2', type: 'message.rejected', conversation_id: 'k1', data: { message: rejected } });
    const item = store.threads.value.k1?.items.find((i) => i.key === 'msg-2');
    expect(item?.kind === 'sent' && item.message.moderation).toEqual({
      state: 'rejected',
      reason: 'Links are not allowed',
    });
  });
});
