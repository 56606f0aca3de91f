import { useEffect, useRef, useState } from 'preact/hooks';
import type { InboxRole } from '../session/inbox-role.js';
import type { NewConversation, Recipient } from '../state/inbox-port.js';
import { problemText } from './format.js';

const keyOf = (person: { readonly type: string; readonly id: string }) => `${person.type}:${person.id}`;

/**
 * "New conversation": a modal `<dialog>` (the browser keeps focus inside it and closes it on Esc)
 * labelled by its heading. The recipient kinds the role may write to ("Send to"), a recipient
 * search over `GET /api/v1/conversations/recipients`, a subject and a first message. A role that
 * may start groups (the community's mentors and admins) chooses "Direct" (one person) or "Group"
 * (several people, from any kind, and a group name). Starting opens the new conversation.
 */
export function NewConversationDialog(props: {
  readonly role: InboxRole;
  readonly onDone: (id: string | null) => void;
  readonly search: (type: string, query: string) => Promise<readonly Recipient[]>;
  readonly start: (input: NewConversation) => Promise<string>;
}) {
  const { role } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  // Set once started: the dialog's own `close` event then no longer reports a cancel.
  const started = useRef(false);
  const [mode, setMode] = useState<'direct' | 'group'>('direct');
  const [kind, setKind] = useState(role.recipients[0]);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<readonly Recipient[]>([]);
  const [chosen, setChosen] = useState<readonly Recipient[]>([]);
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const group = mode === 'group' ? role.group : null;

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  useEffect(() => {
    if (!kind) return;
    let current = true;
    const timer = setTimeout(() => {
      props.search(kind.type, query.trim()).then(
        (found) => current && setResults(found),
        () => current && setResults([]),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [kind, query]);

  const isChosen = (person: Recipient) => chosen.some((c) => keyOf(c) === keyOf(person));
  const toggle = (person: Recipient, on: boolean) =>
    setChosen(
      on
        ? [...chosen.filter((c) => keyOf(c) !== keyOf(person)), person]
        : chosen.filter((c) => keyOf(c) !== keyOf(person)),
    );
  const labelOf = (type: string) => role.recipients.find((r) => r.type === type)?.label ?? type;

  const submit = async () => {
    if (!kind) return;
    if (group) {
      if (chosen.length < group.minOthers) return setProblem(`Choose at least ${group.minOthers} people.`);
      if (subject.trim() === '') return setProblem('Write a group name.');
    } else {
      if (chosen.length !== 1) return setProblem('Choose a recipient.');
      if (subject.trim() === '') return setProblem('Write a subject.');
    }
    setBusy(true);
    try {
      const id = await props.start({
        conversation_type: group ? group.conversationType : kind.conversationType,
        subject: subject.trim(),
        participants: chosen.map((person) => ({ type: person.type, id: person.id })),
        initial_message: text.trim(),
      });
      started.current = true;
      dialog.current?.close();
      props.onDone(id);
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="compose"
      aria-labelledby="compose-title"
      onClose={() => started.current || props.onDone(null)}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="compose-title">New conversation</h2>
        {role.group ? (
          <fieldset class="choices">
            <legend>Kind</legend>
            {(['direct', 'group'] as const).map((option) => (
              <label key={option}>
                <input
                  type="radio"
                  name="mode"
                  checked={mode === option}
                  onChange={() => {
                    setMode(option);
                    // A direct conversation is with one person: keep the first chosen only.
                    if (option === 'direct') setChosen(chosen.slice(0, 1));
                    setProblem(null);
                  }}
                />{' '}
                {option === 'direct' ? 'Direct' : 'Group'}
              </label>
            ))}
          </fieldset>
        ) : null}
        {role.recipients.length > 1 ? (
          <fieldset class="choices">
            <legend>{group ? 'Find people among' : 'Send to'}</legend>
            {role.recipients.map((option) => (
              <label key={option.type}>
                <input
                  type="radio"
                  name="kind"
                  checked={kind?.type === option.type}
                  onChange={() => {
                    setKind(option);
                    if (!group) setChosen([]);
                  }}
                />{' '}
                {option.label}
              </label>
            ))}
          </fieldset>
        ) : null}
        <label class="field">
          Search recipients
          <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        </label>
        <fieldset class="recipients">
          <legend>{group ? 'People' : 'Recipient'}</legend>
          {results.length === 0 ? <p class="meta">No one found.</p> : null}
          {results.map((person) => (
            <label key={keyOf(person)}>
              <input
                type={group ? 'checkbox' : 'radio'}
                name="recipient"
                checked={isChosen(person)}
                onChange={(event) =>
                  group ? toggle(person, event.currentTarget.checked) : setChosen([person])
                }
              />{' '}
              {person.name}
              {person.email ? <span class="meta"> {person.email}</span> : null}
            </label>
          ))}
        </fieldset>
        {group ? (
          <div class="chosen">
            <h3 id="compose-chosen">In the group</h3>
            {chosen.length === 0 ? <p class="meta">You, and no one else yet.</p> : null}
            <ul aria-labelledby="compose-chosen">
              {chosen.map((person) => (
                <li key={keyOf(person)} class="chosen-person">
                  {person.name} <span class="meta">({labelOf(person.type)})</span>{' '}
                  <button type="button" onClick={() => toggle(person, false)}>
                    Remove {person.name}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <label class="field">
          {group ? 'Group name' : 'Subject'}
          <input
            type="text"
            value={subject}
            maxLength={500}
            onInput={(event) => setSubject(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          First message
          <textarea rows={3} value={text} onInput={(event) => setText(event.currentTarget.value)} />
        </label>
        {problem ? (
          <p class="problems" role="alert">
            {problem}
          </p>
        ) : null}
        <div class="actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="send" disabled={busy}>
            {group ? 'Start group' : 'Start conversation'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
