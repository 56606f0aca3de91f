import { useEffect, useRef, useState } from 'preact/hooks';
import { editProblemText } from './format.js';

/**
 * Editing one's own message in place: a textbox "Edit message" with the current text, "Save"
 * (or Enter) and "Cancel" (or Esc). The API decides whether the edit is allowed; a refusal is
 * named in an `alert` and the text typed stays, so nothing is lost. `save` gets the text and the
 * revision the person started from (`If-Match`); after a 412 (changed meanwhile) the editor takes
 * the message's new revision, so saving again replaces it knowingly.
 */
export function MessageEditor(props: {
  readonly initial: string;
  /** The message's revision now (it moves when a live edit arrives). */
  readonly revision: number;
  readonly save: (text: string, revision: number) => Promise<void>;
  /** Fetches the thread again (after a 412, to show the version that won). */
  readonly refresh: () => Promise<void>;
  readonly onDone: () => void;
}) {
  const [text, setText] = useState(props.initial);
  const [base, setBase] = useState(props.revision);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const stale = useRef(false);
  const latest = useRef(props.revision);
  latest.current = props.revision;
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    element.focus();
    element.setSelectionRange(element.value.length, element.value.length);
  }, []);
  // After a 412, the revision that won becomes the base once it has arrived.
  useEffect(() => {
    if (stale.current) setBase(props.revision);
  }, [props.revision]);

  const submit = async () => {
    if (busy) return;
    if (text.trim() === '') return setProblem('Not saved: write something, or cancel.');
    if (text.trim() === props.initial.trim() && base === props.revision) return props.onDone();
    setBusy(true);
    try {
      await props.save(text, base);
      props.onDone();
    } catch (error) {
      setProblem(editProblemText(error));
      if ((error as { status?: unknown }).status === 412) {
        // The newer version may already be here (its live event came first), or arrive with the refresh.
        stale.current = true;
        setBase(latest.current);
        await props.refresh().catch(() => {});
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="message-editor"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <textarea
        ref={box}
        aria-label="Edit message"
        rows={2}
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            props.onDone();
          } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            void submit();
          }
        }}
      />
      {problem ? (
        <p class="problems" role="alert">
          {problem}
        </p>
      ) : null}
      <div class="actions">
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
        <button type="submit" class="send" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}
