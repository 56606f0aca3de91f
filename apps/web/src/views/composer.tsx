import { useRef, useState } from 'preact/hooks';
import { ACCEPT_ATTRIBUTE, fileProblems } from '../state/file-checks.js';

/**
 * The composer: a textbox labelled "Message" (Enter sends, Shift+Enter starts a new line), an
 * "Attach files" button opening the file picker, and "Send". The text is the conversation's draft,
 * kept by the store, so switching conversations keeps what was typed in each.
 */
export function Composer(props: {
  readonly draft: string;
  readonly disabled: boolean;
  readonly onDraft: (text: string) => void;
  readonly onSend: (text: string, files: readonly File[]) => void;
  /** Why moderation refused the last send (its text is back in the box); null: none. */
  readonly rejection?: string | null;
}) {
  const [files, setFiles] = useState<readonly File[]>([]);
  const picker = useRef<HTMLInputElement>(null);
  const problems = fileProblems(files);
  const [dragging, setDragging] = useState(false);
  const add = (more: readonly File[]) => {
    if (more.length > 0) setFiles([...files, ...more]);
  };
  const send = () => {
    if (props.disabled || problems.length > 0 || (props.draft.trim() === '' && files.length === 0)) return;
    props.onSend(props.draft, files);
    setFiles([]);
  };
  return (
    <form
      class={dragging ? 'composer dragging' : 'composer'}
      aria-label="Reply"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
      // Files dropped on the composer are attached like picked ones.
      onDragOver={(event) => {
        if (props.disabled || !event.dataTransfer?.types.includes('Files')) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        setDragging(false);
        if (props.disabled || !event.dataTransfer || event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        add([...event.dataTransfer.files]);
      }}
    >
      {files.length > 0 ? (
        <ul class="chips" aria-label="Files to send">
          {files.map((file, index) => (
            <li key={`${file.name}-${index}`}>
              {file.name}{' '}
              <button
                type="button"
                class="chip-remove"
                aria-label={`Remove ${file.name}`}
                onClick={() => setFiles(files.filter((_, i) => i !== index))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {props.rejection ? (
        <p class="problems" role="alert">
          Not sent: {props.rejection}
        </p>
      ) : null}
      {problems.length > 0 ? (
        <ul class="problems" role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      <div class="composer-row">
        <button
          type="button"
          class="attach"
          onClick={() => picker.current?.click()}
          disabled={props.disabled}
        >
          Attach files
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          accept={ACCEPT_ATTRIBUTE}
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            add([...(event.currentTarget.files ?? [])]);
            event.currentTarget.value = '';
          }}
        />
        <textarea
          aria-label="Message"
          rows={2}
          value={props.draft}
          disabled={props.disabled}
          placeholder={props.disabled ? 'This conversation is closed' : 'Write a message'}
          onInput={(event) => props.onDraft(event.currentTarget.value)}
          onPaste={(event) => {
            // A pasted image (a screenshot) or file is attached; pasted text stays text.
            const pasted = [...(event.clipboardData?.files ?? [])];
            if (pasted.length === 0) return;
            event.preventDefault();
            add(pasted);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="send" disabled={props.disabled}>
          Send
        </button>
      </div>
    </form>
  );
}
