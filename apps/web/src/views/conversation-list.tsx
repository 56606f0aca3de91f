import type { ComponentChildren } from 'preact';
import type { ConversationSummary } from '../state/inbox-port.js';
import { listTime } from './format.js';

/** The counterpart(s) a conversation is with, as one line. */
export function counterpartOf(conversation: ConversationSummary): string {
  const names = conversation.other_participants.map((p) => p.name);
  return names.length > 0 ? names.join(', ') : 'No one else yet';
}

/** What a list item is called for assistive technology (and for the browser tests). */
export function itemLabel(conversation: ConversationSummary, online = false): string {
  const unread = conversation.unread_count > 0 ? `, ${conversation.unread_count} unread` : '';
  const closed = conversation.is_closed ? ', closed' : '';
  return `${conversation.subject} — ${counterpartOf(conversation)}${online ? ' (online)' : ''}${unread}${closed}`;
}

/** Whether any counterpart of the conversation is online now. */
function anyoneOnline(
  conversation: ConversationSummary,
  presence: Readonly<Record<string, string>>,
): boolean {
  return conversation.other_participants.some((p) => presence[`${p.type}:${p.id}`] === 'online');
}

/**
 * The list named "Conversations": newest activity first, each item a link to its thread with
 * counterpart, subject, preview, time and unread badge; the selected one is `aria-current`.
 */
export function ConversationList(props: {
  readonly conversations: readonly ConversationSummary[];
  readonly selectedId: string | null;
  readonly hrefOf: (id: string) => string;
  readonly onOpen: (id: string) => void;
  readonly hasMore: boolean;
  readonly onMore: () => void;
  readonly loaded: boolean;
  readonly filters?: ComponentChildren;
  /** Presence by `type:id`. */
  readonly presence: Readonly<Record<string, string>>;
}) {
  const { conversations, selectedId } = props;
  return (
    <nav
      class="list-pane"
      aria-label="Conversation list"
      // Infinite scroll: the next page loads as the end of the list comes into view.
      onScroll={(event) => {
        const pane = event.currentTarget;
        if (props.hasMore && pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 200) props.onMore();
      }}
    >
      {props.filters}
      {props.loaded && conversations.length === 0 ? <p class="empty">No conversations yet.</p> : null}
      <ul class="conversations" aria-label="Conversations">
        {conversations.map((c) => (
          <li
            key={c.id}
            aria-label={itemLabel(c, anyoneOnline(c, props.presence))}
            class={c.unread_count > 0 ? 'unread' : undefined}
          >
            <a
              href={props.hrefOf(c.id)}
              aria-current={c.id === selectedId ? 'page' : undefined}
              onClick={(event) => {
                if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                event.preventDefault();
                props.onOpen(c.id);
              }}
            >
              <span class="line">
                <span class="who">
                  {anyoneOnline(c, props.presence) ? <span class="dot" aria-hidden="true" /> : null}
                  {counterpartOf(c)}
                </span>
                <span class="when">{listTime(c.last_message_at ?? c.created_at)}</span>
              </span>
              <span class="line">
                <span class="subject">{c.subject}</span>
                {c.unread_count > 0 ? (
                  <span class="count" aria-hidden="true">
                    {c.unread_count}
                  </span>
                ) : null}
              </span>
              <span class="preview">
                {c.is_closed ? 'Closed · ' : ''}
                {c.last_message?.content ?? ''}
              </span>
            </a>
          </li>
        ))}
      </ul>
      {props.hasMore ? (
        <button type="button" class="more" onClick={props.onMore}>
          Load more conversations
        </button>
      ) : null}
    </nav>
  );
}
