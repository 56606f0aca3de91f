import { useEffect, useRef, useState } from 'preact/hooks';
import type { NewConversation } from '../state/inbox-port.js';
import { problemText } from './format.js';

/**
 * "New support request": a modal `<dialog>` (Esc closes) with a subject and a description. The
 * request is opened alone (`support`, no participants); the community's admins answer it as a
 * team. Sending opens it.
 */
export function SupportRequestDialog(props: {
  readonly start: (input: NewConversation) => Promise<string>;
  readonly onDone: (id: string | null) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // Set once started: the dialog's own `close` event then no longer reports a cancel.
  const started = useRef(false);
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const submit = async () => {
    if (subject.trim() === '') return setProblem('Write a subject.');
    setBusy(true);
    try {
      const id = await props.start({
        conversation_type: 'support',
        subject: subject.trim(),
        participants: [],
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
      aria-labelledby="support-title"
      onClose={() => started.current || props.onDone(null)}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="support-title">New support request</h2>
        <p class="meta">The community's admins answer it.</p>
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
          Describe the problem
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
            Send request
          </button>
        </div>
      </form>
    </dialog>
  );
}
