import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ConversationSummary, Message } from '../state/inbox-port.js';
import type { MemberRead, ThreadState } from '../state/inbox-store.js';
import { dayOf, type ThreadItem } from '../state/thread-items.js';
import { AttachmentList } from './attachment-list.js';
import { Composer } from './composer.js';
import { counterpartOf } from './conversation-list.js';
import { dayLabel, timeOf } from './format.js';

/** "Carla is typing…", naming members by the list's names (a type when unknown). */
function typingLine(
  who: readonly { readonly type: string; readonly id: string }[],
  conversation: ConversationSummary,
): string {
  if (who.length === 0) return '';
  const names = who.map(
    (p) => conversation.other_participants.find((o) => o.type === p.type && o.id === p.id)?.name ?? p.type,
  );
  return names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}

function stateOf(
  item: ThreadItem,
  mine: boolean,
  thread: ThreadState | undefined,
  readDetails: boolean,
): string | null {
  if (item.kind === 'pending') {
    if (item.status === 'failed') return 'Not sent';
    return item.progress !== undefined && item.progress < 1
      ? `Sending… ${Math.round(item.progress * 100)}%`
      : 'Sending…';
  }
  if (!mine) return null;
  if (readDetails && thread) {
    const read = readState(item.message, thread);
    if (read) return read;
  } else if (item.message.seq <= (thread?.othersReadSeq ?? 0)) return 'Read';
  return item.message.seq <= (thread?.othersDeliveredSeq ?? 0) ? 'Delivered' : 'Sent';
}

/**
 * Who read one's own message: with one other member, "Read" and when ("Read 10:42"; the message's
 * own receipt when the API gave one, else the reader's latest read); in a group, how many of the
 * others ("Read by 2 of 3", "Read by everyone"). Null when nobody has.
 */
export function readState(message: Message, thread: ThreadState): string | null {
  const others = Object.entries(thread.reads);
  const readers = others.filter(([, read]) => read.seq >= message.seq);
  if (readers.length === 0) return null;
  if (others.length === 1) {
    const [key, read] = readers[0] as [string, MemberRead];
    const receipt = message.read_by?.find((r) => `${r.type}:${r.id}` === key);
    const at = receipt?.at ?? read.at;
    return at ? `Read ${timeOf(at)}` : 'Read';
  }
  return readers.length === others.length
    ? 'Read by everyone'
    : `Read by ${readers.length} of ${others.length}`;
}

/**
 * One conversation: a header (subject, counterpart, close or reopen for those who may), the
 * messages in a `role="log"` named "Messages" (older history loads upward without moving what
 * is on screen, date separators between days, states on one's own messages, retry on a failed
 * send), and the composer (absent when the conversation is closed).
 */
export function ThreadView(props: {
  readonly conversation: ConversationSummary;
  readonly thread: ThreadState | undefined;
  readonly me: { readonly type: string; readonly id: string };
  readonly draft: string;
  readonly canClose: boolean;
  /** May write here (a monitoring admin reads only). */
  readonly canReply: boolean;
  /** Own messages say who read them and when. */
  readonly readDetails: boolean;
  /** Names counterparts with their role. */
  readonly typeLabels?: Readonly<Record<string, string>>;
  /** Opens the "Members" dialog; absent where conversations have no members to show. */
  readonly onMembers?: () => void;
  readonly onBack: () => void;
  readonly onOlder: () => Promise<void>;
  readonly onDraft: (text: string) => void;
  readonly onSend: (text: string, files: readonly File[]) => void;
  readonly onRetry: (clientId: string) => void;
  readonly onClose: (closed: boolean) => void;
  readonly download: (path: string) => Promise<Blob>;
  /** Others typing in this conversation now. */
  readonly typing: readonly { readonly type: string; readonly id: string }[];
}) {
  const { conversation, thread, me } = props;
  const log = useRef<HTMLDivElement>(null);
  const items = thread?.items ?? [];
  const lastKey = items.at(-1)?.key;
  const firstKey = items[0]?.key;
  const anchor = useRef<{ first: string | undefined; height: number; top: number } | null>(null);

  // Older history is prepended: keep the same message under the reader's eyes. New messages at
  // the end scroll into view.
  useLayoutEffect(() => {
    const element = log.current;
    if (!element) return;
    const before = anchor.current;
    if (before && before.first !== firstKey)
      element.scrollTop = before.top + (element.scrollHeight - before.height);
    else element.scrollTop = element.scrollHeight;
    anchor.current = null;
  }, [firstKey, lastKey, conversation.id]);

  const loadOlder = async () => {
    const element = log.current;
    if (element) anchor.current = { first: firstKey, height: element.scrollHeight, top: element.scrollTop };
    await props.onOlder();
  };

  let previousDay = '';
  let dividerShown = false;
  return (
    <section class="thread-pane" aria-label={`Conversation: ${conversation.subject}`}>
      <header class="thread-header">
        <button type="button" class="back" onClick={props.onBack}>
          Back to conversations
        </button>
        <div class="thread-title">
          <h2>{conversation.subject}</h2>
          <p class="meta">
            {counterpartOf(conversation, props.typeLabels)}
            {conversation.is_closed ? ' · Closed' : ''}
          </p>
        </div>
        {props.onMembers ? (
          <button type="button" onClick={props.onMembers}>
            Members
          </button>
        ) : null}
        {props.canClose ? (
          conversation.is_closed ? (
            <button type="button" onClick={() => props.onClose(false)}>
              Reopen conversation
            </button>
          ) : (
            <button type="button" onClick={() => props.onClose(true)}>
              Close conversation
            </button>
          )
        ) : null}
      </header>
      <div
        class="log"
        role="log"
        aria-label="Messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it (axe: scrollable-region-focusable).
        tabIndex={0}
        ref={log}
        onScroll={(event) => {
          if (event.currentTarget.scrollTop === 0 && thread?.olderCursor) void loadOlder();
        }}
      >
        {thread?.olderCursor ? (
          <button type="button" class="older" onClick={() => void loadOlder()}>
            Load older messages
          </button>
        ) : null}
        {thread?.loading && items.length === 0 ? <p class="meta">Loading messages…</p> : null}
        <ol class="messages">
          {items.map((item) => {
            const createdAt = item.kind === 'sent' ? item.message.created_at : item.createdAt;
            const day = dayOf(createdAt);
            const separator =
              day !== previousDay ? (
                <li key={`day-${day}`} class="day">
                  <time dateTime={day}>{dayLabel(createdAt)}</time>
                </li>
              ) : null;
            previousDay = day;
            const newAfter = thread?.newAfterSeq ?? null;
            const divider =
              !dividerShown &&
              newAfter !== null &&
              item.kind === 'sent' &&
              item.message.seq > newAfter &&
              !(item.message.sender_type === me.type && item.message.sender_id === me.id) ? (
                <li key="new-messages" class="new-divider">
                  New messages
                </li>
              ) : null;
            if (divider) dividerShown = true;
            if (item.kind === 'sent' && item.message.is_system_message)
              return [
                separator,
                divider,
                <li key={item.key} class="system">
                  {item.message.content}
                </li>,
              ];
            const mine =
              item.kind === 'pending' ||
              (item.message.sender_type === me.type && item.message.sender_id === me.id);
            const state = stateOf(item, mine, thread, props.readDetails);
            return [
              separator,
              divider,
              <li key={item.key} class={mine ? 'message mine' : 'message'}>
                <p class="meta">
                  {item.kind === 'sent' ? item.message.sender_name : 'You'} ·{' '}
                  <time dateTime={createdAt}>{timeOf(createdAt)}</time>
                </p>
                {item.kind === 'sent' && item.message.is_deleted ? (
                  <p class="content deleted">This message was deleted.</p>
                ) : (
                  <p class="content">{item.kind === 'sent' ? item.message.content : item.content}</p>
                )}
                {item.kind === 'sent' ? (
                  <AttachmentList files={item.message.attachments} download={props.download} />
                ) : null}
                {state ? (
                  <p class="state">
                    {state}
                    {item.kind === 'pending' && item.status === 'failed' ? (
                      <button type="button" onClick={() => props.onRetry(item.clientId)}>
                        Retry
                      </button>
                    ) : null}
                  </p>
                ) : null}
              </li>,
            ];
          })}
        </ol>
      </div>
      <p class="typing" aria-live="polite">
        {typingLine(props.typing, conversation)}
      </p>
      {conversation.is_closed ? (
        <p class="closed-note">This conversation is closed.</p>
      ) : !props.canReply ? (
        <p class="closed-note">You are not a member of this conversation: you can read it, not reply.</p>
      ) : (
        <Composer draft={props.draft} disabled={false} onDraft={props.onDraft} onSend={props.onSend} />
      )}
    </section>
  );
}
