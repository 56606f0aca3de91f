import { useEffect, useRef, useState } from 'preact/hooks';
import { conversationPath } from '../session/inbox-location.js';
import type { InboxRole, Membership } from '../session/inbox-role.js';
import type { ConversationSummary, ParticipantRef } from '../state/inbox-port.js';
import type { InboxStore, ThreadState } from '../state/inbox-store.js';
import { ConversationList, counterpartOf } from './conversation-list.js';
import { ListFilterBar } from './list-filters.js';
import { MembersDialog } from './members-dialog.js';
import { NewConversationDialog } from './new-conversation-dialog.js';
import { SearchResults } from './search-results.js';
import { SupportRequestDialog } from './support-request-dialog.js';
import { ThreadView } from './thread-view.js';

/** Whether a loaded conversation matches the search box (subject, people, last message). */
function matchesQuery(conversation: ConversationSummary, query: string): boolean {
  const q = query.trim().toLocaleLowerCase();
  if (q === '') return true;
  return [conversation.subject, counterpartOf(conversation), conversation.last_message?.content ?? '']
    .join('\n')
    .toLocaleLowerCase()
    .includes(q);
}

/** `first`, then those of `more` it does not hold (by id). */
function unionById(
  first: readonly ConversationSummary[],
  more: readonly ConversationSummary[],
): readonly ConversationSummary[] {
  const known = new Set(first.map((c) => c.id));
  return [...first, ...more.filter((c) => !known.has(c.id))];
}

/**
 * The person's own membership of a conversation, from its detail; until the detail has loaded,
 * taken as a member's (the API decides anyway), so the composer does not flicker.
 */
function membershipOf(
  conversation: ConversationSummary,
  thread: ThreadState | undefined,
  me: ParticipantRef,
): Membership {
  const detail = thread?.detail;
  const own = detail?.participants.find((p) => p.type === me.type && p.id === me.id);
  return {
    conversationType: conversation.conversation_type,
    memberRole: detail ? (own ? (own.role ?? 'member') : null) : 'member',
  };
}

/**
 * The inbox: a header with the unread badge (named "N unread", also in the page title), a
 * "Reconnecting…" banner while the live connection is down, and the split panel — the
 * conversation list and the open thread side by side, one pane at a time under 720 px.
 */
export function InboxApp(props: {
  readonly store: InboxStore;
  readonly role: InboxRole;
  readonly inboxPath: string;
  readonly navigate: (path: string) => void;
}) {
  const { store, role, inboxPath } = props;
  const unread = store.unreadTotal.value;
  const selectedId = store.selectedId.value;
  const selected = store.selected.value;
  const thread = selectedId ? store.threads.value[selectedId] : undefined;
  const [composing, setComposing] = useState<'conversation' | 'support' | null>(null);
  const [showMembers, setShowMembers] = useState(false);
  const [query, setQuery] = useState('');
  const searchBox = useRef<HTMLInputElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const membersOpener = useRef<HTMLElement | null>(null);
  const composeOpener = useRef<HTMLElement | null>(null);
  const compose = (what: 'conversation' | 'support') => {
    composeOpener.current = document.activeElement as HTMLElement | null;
    setComposing(what);
  };
  // A started conversation opens (focus goes on with it); a cancelled dialog gives focus back.
  const composed = (id: string | null) => {
    setComposing(null);
    if (id) props.navigate(conversationPath(inboxPath, id));
    else composeOpener.current?.focus();
  };
  const searching = query.trim() !== '';
  const search = store.search.value;
  // The loaded conversations matching at once, then those the API's `q` filter found beyond them.
  const shown = searching
    ? unionById(
        store.conversations.value.filter((c) => matchesQuery(c, query)),
        search.query === query ? search.conversations : [],
      )
    : store.conversations.value;
  const filters = store.filters.value;

  // The API's searches run once typing pauses (and again when the list's filters change).
  useEffect(() => {
    const timer = setTimeout(() => void store.runSearch(query), query.trim() === '' ? 0 : 250);
    return () => clearTimeout(timer);
  }, [query, filters]);
  const membership = selected ? membershipOf(selected, thread, store.me) : null;
  // The community's conversations have members worth showing (groups above all); the others, two.
  const hasMembers = role.preset === 'community' && thread?.detail !== undefined && thread.detail !== null;

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Messages` : 'Messages';
  }, [unread]);

  const open = (id: string | null) => {
    props.navigate(conversationPath(inboxPath, id));
    void store.select(id);
  };

  // Alt+↑ / Alt+↓: the previous or next conversation of the list, from anywhere on the page;
  // `/` goes to the search box unless the person is typing somewhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '/' && !event.altKey && !event.ctrlKey && !event.metaKey) {
        const path = event.composedPath();
        // Embedded in a host's page, `/` is the host's own unless it comes from inside the inbox.
        const inbox = root.current;
        if (!inbox || (inbox.getRootNode() !== document && !path.includes(inbox))) return;
        const target = path[0];
        const typing =
          target instanceof HTMLElement &&
          (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
        if (typing || document.querySelector('dialog[open]')) return;
        event.preventDefault();
        searchBox.current?.focus();
        return;
      }
      if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
      const list = store.conversations.value;
      if (list.length === 0) return;
      const at = list.findIndex((c) => c.id === store.selectedId.value);
      const next = event.key === 'ArrowDown' ? Math.min(list.length - 1, at + 1) : Math.max(0, at - 1);
      const target = list[at === -1 ? 0 : next];
      if (!target) return;
      event.preventDefault();
      open(target.id);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return (
    <div
      ref={root}
      class={selectedId ? 'inbox has-selection' : 'inbox'}
      // The live connection's state, for tests and tools (the banner shows only "Reconnecting…").
      data-connection={store.connection.value}
    >
      <header class="top">
        <h1>Messages</h1>
        <span class="role">{role.label}</span>
        {role.canCompose ? (
          <button type="button" class="new" onClick={() => compose('conversation')}>
            New conversation
          </button>
        ) : null}
        {role.canRequestSupport ? (
          <button type="button" class="new" onClick={() => compose('support')}>
            New support request
          </button>
        ) : null}
        <span class={unread > 0 ? 'badge' : 'badge zero'} role="status" aria-label={`${unread} unread`}>
          {unread}
        </span>
      </header>
      {store.connection.value === 'reconnecting' ? (
        <div class="banner" role="status">
          Reconnecting…
        </div>
      ) : null}
      {store.error.value ? (
        <div class="banner error" role="alert">
          {store.error.value}
        </div>
      ) : null}
      <main class="panes">
        <ConversationList
          conversations={shown}
          searching={searching}
          archivedView={filters.archived === true}
          onArchive={(id, archived) => void store.setArchived(id, archived)}
          results={
            searching ? (
              <SearchResults
                search={search}
                hrefOf={(id) => conversationPath(inboxPath, id)}
                onOpen={(id, messageId, seq) => {
                  props.navigate(conversationPath(inboxPath, id));
                  void store.reveal(id, messageId, seq);
                }}
                onMore={() => void store.moreSearchResults()}
              />
            ) : null
          }
          groupByCounterpart={role.groupByCounterpart}
          showKinds={role.preset === 'community'}
          {...(role.preset === 'marketplace' ? {} : { typeLabels: role.typeLabels })}
          selectedId={selectedId}
          hrefOf={(id) => conversationPath(inboxPath, id)}
          onOpen={open}
          hasMore={store.listCursor.value !== null}
          onMore={() => void store.loadMoreList()}
          loaded={store.listLoaded.value}
          presence={store.presence.value}
          filters={
            <ListFilterBar
              role={role}
              filters={store.filters.value}
              onChange={(next) => void store.setFilters(next)}
              query={query}
              onQuery={setQuery}
              searchRef={searchBox}
            />
          }
        />
        {selectedId && selected ? (
          <ThreadView
            conversation={selected}
            thread={thread}
            me={store.me}
            draft={store.drafts.value[selectedId] ?? ''}
            canClose={membership !== null && role.mayClose(membership)}
            canReply={membership === null || role.mayReply(membership)}
            readDetails={role.readDetails}
            {...(role.preset === 'marketplace' ? {} : { typeLabels: role.typeLabels })}
            {...(hasMembers
              ? {
                  onMembers: () => {
                    membersOpener.current = document.activeElement as HTMLElement | null;
                    setShowMembers(true);
                  },
                }
              : {})}
            onBack={() => open(null)}
            onOlder={() => store.loadOlder(selectedId)}
            onDraft={(text) => store.setDraft(selectedId, text)}
            onSend={(text, files) => void store.send(selectedId, text, files)}
            onRetry={(clientId) => void store.retry(selectedId, clientId)}
            onClose={(closed) => void store.setClosed(selectedId, closed)}
            download={store.download}
            typing={store.typing.value[selectedId] ?? []}
            {...(membership?.memberRole !== null
              ? { onArchive: (archived: boolean) => void store.setArchived(selectedId, archived) }
              : {})}
            onEdit={(messageId, text, revision) => store.editMessage(selectedId, messageId, text, revision)}
            revisions={(messageId) => store.revisions(selectedId, messageId)}
            refresh={() => store.refresh(selectedId)}
            rejection={store.rejections.value[selectedId] ?? null}
          />
        ) : (
          <section class="thread-pane placeholder" aria-label="No conversation selected">
            <p class="meta">{selectedId ? 'Loading…' : 'Choose a conversation.'}</p>
          </section>
        )}
      </main>
      {composing === 'conversation' ? (
        <NewConversationDialog
          role={role}
          search={store.searchRecipients}
          start={store.startConversation}
          onDone={composed}
        />
      ) : null}
      {composing === 'support' ? (
        <SupportRequestDialog start={store.startConversation} onDone={composed} />
      ) : null}
      {showMembers && selectedId && selected && thread?.detail && membership ? (
        <MembersDialog
          subject={selected.subject}
          members={thread.detail.participants}
          me={store.me}
          typeLabels={role.typeLabels}
          canManage={role.mayManageMembers(membership)}
          canLeave={role.mayLeave(membership)}
          candidates={store.people.value}
          kinds={role.recipients}
          search={store.searchRecipients}
          onRename={(subject) => store.rename(selectedId, subject)}
          onAdd={(who) => store.addMember(selectedId, who)}
          onRemove={(who) => store.removeMember(selectedId, who)}
          onRole={(who, next) => store.changeRole(selectedId, who, next)}
          onLeave={async () => {
            setShowMembers(false);
            await store.leave(selectedId);
            props.navigate(conversationPath(inboxPath, null));
          }}
          onDone={() => {
            setShowMembers(false);
            membersOpener.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}

/** What the page shows when it cannot open an inbox: no token, or a role without a view. */
export function SignedOut(props: { readonly reason: 'no-token' | 'expired' | 'unsupported' }) {
  return (
    <main class="signed-out">
      <h1>Messages</h1>
      <p>
        {props.reason === 'no-token'
          ? 'You are not signed in here. Open your messages from your account on the site you use; this page shows them when it is opened with a sign-in link.'
          : props.reason === 'expired'
            ? 'Your sign-in has expired. Open your messages again from your account.'
            : 'This sign-in has no inbox here: it does not speak for a person of this platform.'}
      </p>
    </main>
  );
}
