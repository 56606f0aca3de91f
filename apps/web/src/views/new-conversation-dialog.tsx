import { useEffect, useRef, useState } from 'preact/hooks';
import type { InboxRole } from '../session/inbox-role.js';
import type { NewConversation, Recipient } from '../state/inbox-port.js';

/**
 * "New conversation": a modal `<dialog>` (the browser keeps focus inside it and closes it on Esc)
 * labelled by its heading, with the recipient kinds the role may write to, a recipient search,
 * a subject and a first message. Starting opens the new conversation.
 */
export function NewConversationDialog(props: {
  readonly role: InboxRole;
  readonly onDone: (id: string | null) => void;
  readonly search: (type: string, query: string) => Promise<readonly Recipient[]>;
  readonly start: (input: NewConversation) => Promise<string>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [kind, setKind] = useState(props.role.recipients[0]);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<readonly Recipient[]>([]);
  const [chosen, setChosen] = useState<Recipient | null>(null);
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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

  const submit = async () => {
    if (!kind || !chosen) return setProblem('Choose a recipient.');
    if (subject.trim() === '') return setProblem('Write a subject.');
    setBusy(true);
    try {
      const id = await props.start({
        conversation_type: kind.conversationType,
        subject: subject.trim(),
        participants: [{ type: chosen.type, id: chosen.id }],
        initial_message: text.trim(),
      });
      dialog.current?.close();
      props.onDone(id);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="compose" aria-labelledby="compose-title" onClose={() => props.onDone(null)}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="compose-title">New conversation</h2>
        {props.role.recipients.length > 1 ? (
          <fieldset>
            <legend>Send to</legend>
            {props.role.recipients.map((option) => (
              <label key={option.type}>
                <input
                  type="radio"
                  name="kind"
                  checked={kind?.type === option.type}
                  onChange={() => {
                    setKind(option);
                    setChosen(null);
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
          <legend>Recipient</legend>
          {results.length === 0 ? <p class="meta">No one found.</p> : null}
          {results.map((person) => (
            <label key={`${person.type}:${person.id}`}>
              <input
                type="radio"
                name="recipient"
                checked={chosen?.id === person.id && chosen.type === person.type}
                onChange={() => setChosen(person)}
              />{' '}
              {person.name}
              {person.email ? <span class="meta"> {person.email}</span> : null}
            </label>
          ))}
        </fieldset>
        <label class="field">
          Subject
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
            Start conversation
          </button>
        </div>
      </form>
    </dialog>
  );
}
