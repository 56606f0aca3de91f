import { useEffect, useRef, useState } from 'preact/hooks';
import type { Counterpart, Member, ParticipantRef, Recipient } from '../state/inbox-port.js';
import { problemText } from './format.js';

const keyOf = (person: ParticipantRef) => `${person.type}:${person.id}`;

/**
 * "Members": a modal `<dialog>` (focus kept inside, Esc closes) listing a conversation's members
 * with their roles. A group admin also renames the group, adds someone — found with the same
 * recipient search as "New conversation" (`GET /api/v1/conversations/recipients`, over every kind
 * of person the role may write to) — makes a member an admin or a member again, and removes
 * members; a member may leave. Each change goes to the API, which decides; a refusal is named in
 * an alert inside the dialog.
 */
export function MembersDialog(props: {
  readonly subject: string;
  readonly members: readonly Member[];
  readonly me: ParticipantRef;
  /** Labels of participant types ("Mentor"). */
  readonly typeLabels: Readonly<Record<string, string>>;
  readonly canManage: boolean;
  readonly canLeave: boolean;
  /**
   * People the person knows from their conversations (and those removed this session), offered
   * beside the search's answers, so adding back works even when the search fails.
   */
  readonly candidates: readonly Counterpart[];
  /** The kinds of people to search (the role's recipient types). */
  readonly kinds: readonly { readonly type: string }[];
  /** The recipient search of "New conversation". */
  readonly search: (type: string, query: string) => Promise<readonly Recipient[]>;
  readonly onRename: (subject: string) => Promise<void>;
  readonly onAdd: (who: ParticipantRef) => Promise<void>;
  readonly onRemove: (who: ParticipantRef) => Promise<void>;
  readonly onRole: (who: ParticipantRef, role: string) => Promise<void>;
  readonly onLeave: () => Promise<void>;
  readonly onDone: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(props.subject);
  const [adding, setAdding] = useState('');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<readonly Counterpart[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  useEffect(() => {
    if (!props.canManage) return;
    let current = true;
    const timer = setTimeout(() => {
      const q = query.trim();
      // One search per kind of person; a kind the API refuses counts as nobody.
      Promise.all(props.kinds.map((kind) => props.search(kind.type, q).catch(() => []))).then(
        (answers) => current && setFound(answers.flat()),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  const run = async (change: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await change();
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };
  const isMe = (p: ParticipantRef) => p.type === props.me.type && p.id === props.me.id;
  const needle = query.trim().toLocaleLowerCase();
  const known = props.candidates.filter((c) => c.name.toLocaleLowerCase().includes(needle));
  const candidates = [...new Map([...found, ...known].map((c) => [keyOf(c), c])).values()]
    .filter((c) => !props.members.some((m) => keyOf(m) === keyOf(c)))
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <dialog ref={dialog} class="members" aria-labelledby="members-title" onClose={props.onDone}>
      <h2 id="members-title">Members</h2>
      {props.canManage ? (
        <form
          class="rename"
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim() !== '') void run(() => props.onRename(name.trim()));
          }}
        >
          <label class="field">
            Group name
            <input
              type="text"
              value={name}
              maxLength={500}
              onInput={(event) => setName(event.currentTarget.value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            Rename
          </button>
        </form>
      ) : null}
      <ul class="member-list" aria-label="Members">
        {props.members.map((m) => {
          const role = m.role ?? 'member';
          return (
            <li
              key={`${m.type}:${m.id}`}
              aria-label={`${m.name} (${props.typeLabels[m.type] ?? m.type}), ${role}`}
            >
              <span class="who">
                {m.name}
                {isMe(m) ? ' (you)' : ''}
              </span>{' '}
              <span class="meta">
                {props.typeLabels[m.type] ?? m.type} · {role}
              </span>
              {props.canManage && !isMe(m) ? (
                <span class="member-actions">
                  {role === 'member' || role === 'admin' ? (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => void run(() => props.onRole(m, role === 'admin' ? 'member' : 'admin'))}
                    >
                      {role === 'admin' ? `Make ${m.name} a member` : `Make ${m.name} an admin`}
                    </button>
                  ) : null}
                  <button type="button" disabled={busy} onClick={() => void run(() => props.onRemove(m))}>
                    Remove {m.name}
                  </button>
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
      {props.canManage ? (
        <form
          class="add-member"
          onSubmit={(event) => {
            event.preventDefault();
            const who = candidates.find((c) => `${c.type}:${c.id}` === adding);
            if (who) void run(() => props.onAdd(who).then(() => setAdding('')));
          }}
        >
          <label class="field">
            Search people to add
            <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
          </label>
          <label class="field">
            Person to add
            <select value={adding} onChange={(event) => setAdding(event.currentTarget.value)}>
              <option value="">{candidates.length === 0 ? 'No one found' : 'Choose…'}</option>
              {candidates.map((c) => (
                <option key={`${c.type}:${c.id}`} value={`${c.type}:${c.id}`}>
                  {c.name} ({props.typeLabels[c.type] ?? c.type})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || adding === ''}>
            Add member
          </button>
        </form>
      ) : null}
      {problem ? (
        <p class="problems" role="alert">
          {problem}
        </p>
      ) : null}
      <div class="actions">
        {props.canLeave ? (
          <button type="button" disabled={busy} onClick={() => void run(props.onLeave)}>
            Leave group
          </button>
        ) : null}
        <button type="button" onClick={() => dialog.current?.close()}>
          Done
        </button>
      </div>
    </dialog>
  );
}
