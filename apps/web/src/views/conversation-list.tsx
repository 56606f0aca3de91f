import type { ComponentChildren } from 'preact';
import { groupByCounterpart } from '../state/counterpart-groups.js';
import type { ConversationSummary } from '../state/inbox-port.js';
import { listTime } from './format.js';

/**
 * The counterpart(s) a conversation is with, as one line; with `typeLabels`, each named with their
 * role ("Dr Kim Clinician (Clinician)"), as the care-team's list shows them.
 */
export function counterpartOf(
  conversation: ConversationSummary,
  typeLabels?: Readonly<Record<string, string>>,
): string {
  const names = conversation.other_participants.map((p) =>
    typeLabels ? `${p.name} (${typeLabels[p.type] ?? p.type})` : p.name,
  );
  if (names.length > 0) return names.join(', ');
  // A support request lists nobody else until the team answers.
  return conversation.conversation_type === 'support' ? 'Support team' : 'No one else yet';
}

/** What a list item is called for assistive technology (and for the browser tests). */
export function itemLabel(
  conversation: ConversationSummary,
  online = false,
  typeLabels?: Readonly<Record<string, string>>,
): string {
  const unread = conversation.unread_count > 0 ? `, ${conversation.unread_count} unread` : '';
  const closed = conversation.is_closed ? ', closed' : '';
  return `${conversation.subject} — ${counterpartOf(conversation, typeLabels)}${online ? ' (online)' : ''}${unread}${closed}`;
}

/** The kinds of conversation the community names in its list ("Group", "Support"). */
const KIND_LABELS: Readonly<Record<string, string>> = { group: 'Group', support: 'Support' };

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
  /** One item per counterpart (the care-team). */
  readonly groupByCounterpart?: boolean;
  /** Name counterparts with their role. */
  readonly typeLabels?: Readonly<Record<string, string>>;
  /** Mark groups and support requests as such (the community). */
  readonly showKinds?: boolean;
  /** Shown when the list is empty because the search matched nothing. */
  readonly searching?: boolean;
  /** The archived conversations are shown (the "Archived" view). */
  readonly archivedView?: boolean;
  /** Archives (true) or unarchives (false) a conversation; absent: no such buttons. */
  readonly onArchive?: (id: string, archived: boolean) => void;
  /** Below the list: the messages the search found. */
  readonly results?: ComponentChildren;
}) {
  const { conversations, selectedId, typeLabels } = props;
  const online = (c: ConversationSummary) => anyoneOnline(c, props.presence);
  const link = (c: ConversationSummary, children: ComponentChildren) => (
    <a
      href={props.hrefOf(c.id)}
      aria-current={c.id === selectedId ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        props.onOpen(c.id);
      }}
    >
      {children}
    </a>
  );
  // One item per conversation; grouped by counterpart, one per person, their older conversations
  // linked under the newest.
  const item = (c: ConversationSummary, older: readonly ConversationSummary[]) => (
    <li
      key={c.id}
      aria-label={itemLabel(c, online(c), typeLabels)}
      class={c.unread_count > 0 ? 'unread' : undefined}
    >
      {link(
        c,
        <>
          <span class="line">
            <span class="who">
              {online(c) ? <span class="dot" aria-hidden="true" /> : null}
              {counterpartOf(c, typeLabels)}
            </span>
            <span class="when">{listTime(c.last_message_at ?? c.created_at)}</span>
          </span>
          <span class="line">
            <span class="subject">
              {KIND_LABELS[c.conversation_type] && props.showKinds ? (
                <span class="kind">{KIND_LABELS[c.conversation_type]}</span>
              ) : null}
              {c.subject}
            </span>
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
        </>,
      )}
      {props.onArchive ? (
        <button
          type="button"
          class="archive"
          aria-label={`${c.archived ? 'Unarchive' : 'Archive'} ${c.subject}`}
          title={c.archived ? 'Back to the inbox' : 'Out of the inbox until someone writes'}
          onClick={(event) => {
            // The item leaves the list: focus goes on to the next one (else the previous, else the
            // search box), not lost with the button.
            const item = event.currentTarget.closest('li');
            const next = (item?.nextElementSibling ?? item?.previousElementSibling)?.querySelector('a');
            const search = item?.closest('nav')?.querySelector<HTMLElement>('input[type="search"]');
            props.onArchive?.(c.id, !c.archived);
            requestAnimationFrame(() => (next?.isConnected ? next : search)?.focus());
          }}
        >
          {c.archived ? 'Unarchive' : 'Archive'}
        </button>
      ) : null}
      {older.length > 0 ? (
        <ul class="older-conversations" aria-label={`Earlier with ${counterpartOf(c)}`}>
          {older.map((o) => (
            <li key={o.id}>{link(o, o.subject)}</li>
          ))}
        </ul>
      ) : null}
    </li>
  );
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
      {props.loaded && conversations.length === 0 ? (
        <p class="empty">
          {props.searching
            ? 'No conversation matches.'
            : props.archivedView
              ? 'No archived conversations.'
              : 'No conversations yet.'}
        </p>
      ) : null}
      <ul class="conversations" aria-label="Conversations">
        {props.groupByCounterpart
          ? groupByCounterpart(conversations).map((group) => {
              const [newest, ...older] = group.conversations;
              if (!newest) return null;
              const unread = group.conversations.reduce((sum, c) => sum + c.unread_count, 0);
              return item({ ...newest, unread_count: unread }, older);
            })
          : conversations.map((c) => item(c, []))}
      </ul>
      {props.hasMore ? (
        <button type="button" class="more" onClick={props.onMore}>
          Load more conversations
        </button>
      ) : null}
      {props.results}
    </nav>
  );
}
