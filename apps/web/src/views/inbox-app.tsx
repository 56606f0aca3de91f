import { useEffect, useState } from 'preact/hooks';
import { conversationPath } from '../session/inbox-location.js';
import type { InboxRole } from '../session/inbox-role.js';
import type { InboxStore } from '../state/inbox-store.js';
import { ConversationList } from './conversation-list.js';
import { ListFilterBar } from './list-filters.js';
import { NewConversationDialog } from './new-conversation-dialog.js';
import { ThreadView } from './thread-view.js';

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
  const [composing, setComposing] = useState(false);

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Messages` : 'Messages';
  }, [unread]);

  const open = (id: string | null) => {
    props.navigate(conversationPath(inboxPath, id));
    void store.select(id);
  };

  // Alt+↑ / Alt+↓: the previous or next conversation of the list, from anywhere on the page.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
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
    <div class={selectedId ? 'inbox has-selection' : 'inbox'}>
      <header class="top">
        <h1>Messages</h1>
        <span class="role">{role.label}</span>
        {role.canCompose ? (
          <button type="button" class="new" onClick={() => setComposing(true)}>
            New conversation
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
          conversations={store.conversations.value}
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
            />
          }
        />
        {selectedId && selected ? (
          <ThreadView
            conversation={selected}
            thread={thread}
            me={store.me}
            draft={store.drafts.value[selectedId] ?? ''}
            canClose={role.canClose}
            onBack={() => open(null)}
            onOlder={() => store.loadOlder(selectedId)}
            onDraft={(text) => store.setDraft(selectedId, text)}
            onSend={(text, files) => void store.send(selectedId, text, files)}
            onRetry={(clientId) => void store.retry(selectedId, clientId)}
            onClose={(closed) => void store.setClosed(selectedId, closed)}
            download={store.download}
            typing={store.typing.value[selectedId] ?? []}
          />
        ) : (
          <section class="thread-pane placeholder" aria-label="No conversation selected">
            <p class="meta">{selectedId ? 'Loading…' : 'Choose a conversation.'}</p>
          </section>
        )}
      </main>
      {composing ? (
        <NewConversationDialog
          role={role}
          search={store.searchRecipients}
          start={store.startConversation}
          onDone={(id) => {
            setComposing(false);
            if (id) props.navigate(conversationPath(inboxPath, id));
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
            : 'This sign-in cannot open an inbox here yet.'}
      </p>
    </main>
  );
}
