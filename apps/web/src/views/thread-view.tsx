import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ConversationSummary, Message, Revision } from '../state/inbox-port.js';
import type { MemberRead, ThreadState } from '../state/inbox-store.js';
import { dayOf, type ThreadItem } from '../state/thread-items.js';
import { AttachmentList } from './attachment-list.js';
import { Composer } from './composer.js';
import { counterpartOf } from './conversation-list.js';
import { dayLabel, timeOf } from './format.js';
import { LazyRevisionsDialog } from './lazy-revisions-dialog.js';
import { MessageEditor } from './message-editor.js';

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

/**
 * The line under a message: for one's own, "Sending…" / "Not sent", moderation's "Pending review"
 * / "Not delivered: {reason}", then who read or received it; null for others' messages. Pure.
 */
export function stateOf(
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
  // Moderation speaks first: a held message reached nobody yet, a rejected one never will.
  const moderation = item.message.moderation;
  if (moderation?.state === 'held') return 'Pending review';
  if (moderation?.state === 'rejected')
    return `Not delivered: ${moderation.reason ?? 'refused by moderation'}`;
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
  /** Archives (true) or unarchives (false) the conversation for the person; absent: not offered. */
  readonly onArchive?: (archived: boolean) => void;
  /** Saves an edit of one's own message from `revision` (the API decides; a refusal is thrown). */
  readonly onEdit?: (messageId: string, text: string, revision: number) => Promise<void>;
  /** Every version of an edited message, for the "Edit history" dialog. */
  readonly revisions?: (messageId: string) => Promise<readonly Revision[]>;
  /** Fetches the thread again. */
  readonly refresh?: () => Promise<void>;
  /** Why moderation refused the last send (the draft is back in the composer); null: none. */
  readonly rejection?: string | null;
}) {
  const { conversation, thread, me } = props;
  const [editing, setEditing] = useState<string | null>(null);
  const [history, setHistory] = useState<string | null>(null);
  const historyOpener = useRef<HTMLElement | null>(null);
  const editOpener = useRef<string | null>(null);
  // Another conversation: no edit carries over.
  useEffect(() => setEditing(null), [conversation.id]);
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

  // A search result opened here: its message comes into view, marked, with focus on it.
  const focusId = thread?.focusId ?? null;
  useLayoutEffect(() => {
    if (!focusId) return;
    const target = log.current?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(focusId)}"]`);
    if (!target) return;
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  }, [focusId, firstKey, conversation.id]);

  const endEdit = () => {
    const id = editOpener.current;
    setEditing(null);
    // Focus goes back to the message's own "Edit" button.
    requestAnimationFrame(() =>
      log.current
        ?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id ?? '')}"] button.edit`)
        ?.focus(),
    );
  };

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
        {props.onArchive ? (
          conversation.archived ? (
            <button type="button" onClick={() => props.onArchive?.(false)}>
              Unarchive conversation
            </button>
          ) : (
            <button type="button" onClick={() => props.onArchive?.(true)}>
              Archive conversation
            </button>
          )
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
            const sentMessage = item.kind === 'sent' ? item.message : null;
            const edited =
              sentMessage && !sentMessage.is_deleted && sentMessage.edited_at ? sentMessage : null;
            const editable =
              mine &&
              sentMessage !== null &&
              props.onEdit !== undefined &&
              props.canReply &&
              !conversation.is_closed &&
              !sentMessage.is_deleted &&
              sentMessage.moderation?.state !== 'rejected';
            const classes = ['message'];
            if (mine) classes.push('mine');
            if (sentMessage && sentMessage.id === focusId) classes.push('found');
            if (sentMessage?.moderation?.state === 'held' || sentMessage?.moderation?.state === 'rejected')
              classes.push('moderated');
            return [
              separator,
              divider,
              <li
                key={item.key}
                class={classes.join(' ')}
                data-message-id={sentMessage?.id}
                tabIndex={sentMessage && sentMessage.id === focusId ? -1 : undefined}
              >
                <p class="meta">
                  {item.kind === 'sent' ? item.message.sender_name : 'You'} ·{' '}
                  <time dateTime={createdAt}>{timeOf(createdAt)}</time>
                  {edited ? (
                    <>
                      {' · '}
                      <button
                        type="button"
                        class="edited"
                        aria-haspopup="dialog"
                        title="Show the earlier versions"
                        onClick={(event) => {
                          historyOpener.current = event.currentTarget;
                          setHistory(edited.id);
                        }}
                      >
                        Edited
                      </button>
                    </>
                  ) : null}
                </p>
                {sentMessage && editing === sentMessage.id && props.onEdit ? (
                  <MessageEditor
                    initial={sentMessage.content}
                    revision={sentMessage.revision ?? 1}
                    save={(text, revision) =>
                      props.onEdit?.(sentMessage.id, text, revision) ?? Promise.resolve()
                    }
                    refresh={props.refresh ?? (() => Promise.resolve())}
                    onDone={endEdit}
                  />
                ) : item.kind === 'sent' && item.message.is_deleted ? (
                  <p class="content deleted">This message was deleted.</p>
                ) : (
                  <p class="content">{item.kind === 'sent' ? item.message.content : item.content}</p>
                )}
                {editable && editing !== sentMessage.id ? (
                  <button
                    type="button"
                    class="edit"
                    onClick={() => {
                      editOpener.current = sentMessage.id;
                      setEditing(sentMessage.id);
                    }}
                  >
                    Edit
                  </button>
                ) : null}
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
        <Composer
          draft={props.draft}
          disabled={false}
          onDraft={props.onDraft}
          onSend={props.onSend}
          rejection={props.rejection ?? null}
        />
      )}
      {history && props.revisions ? (
        <LazyRevisionsDialog
          load={() => props.revisions?.(history) ?? Promise.resolve([])}
          onDone={() => {
            setHistory(null);
            historyOpener.current?.focus();
          }}
        />
      ) : null}
    </section>
  );
}
