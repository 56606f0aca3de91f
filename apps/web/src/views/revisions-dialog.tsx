import { useEffect, useRef, useState } from 'preact/hooks';
import type { Revision } from '../state/inbox-port.js';
import { dayLabel, problemText, timeOf } from './format.js';

/**
 * "Edit history" of a message: a modal `<dialog>` (the browser keeps focus inside it; Esc or
 * "Close" closes it) listing every version of its content, oldest first — "Version 1 (as sent)",
 * the current one last — with who wrote it and when. Loaded on demand (a separate chunk), so the
 * inbox's first load does not carry it. A refusal of the API is named in an `alert`.
 */
export function RevisionsDialog(props: {
  readonly load: () => Promise<readonly Revision[]>;
  readonly onDone: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [revisions, setRevisions] = useState<readonly Revision[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    dialog.current?.showModal();
    let live = true;
    props.load().then(
      (answer) => live && setRevisions(answer),
      (error: unknown) => live && setProblem(problemText(error)),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <dialog ref={dialog} class="revisions" aria-labelledby="revisions-title" onClose={props.onDone}>
      <h2 id="revisions-title">Edit history</h2>
      {problem ? (
        <p class="problems" role="alert">
          {problem}
        </p>
      ) : revisions === null ? (
        <p class="meta">Loading…</p>
      ) : (
        <ol class="versions" aria-label="Versions">
          {revisions.map((r) => (
            <li key={r.revision} aria-label={`Version ${r.revision}${versionNote(r)}`}>
              <p class="meta">
                Version {r.revision}
                {versionNote(r)} · {r.editor.name} ·{' '}
                <time dateTime={r.created_at}>
                  {dayLabel(r.created_at)} {timeOf(r.created_at)}
                </time>
              </p>
              <p class="content">{r.content}</p>
            </li>
          ))}
        </ol>
      )}
      <div class="actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}

function versionNote(revision: Revision): string {
  if (revision.current) return revision.revision === 1 ? ' (as sent, current)' : ' (current)';
  return revision.revision === 1 ? ' (as sent)' : '';
}
