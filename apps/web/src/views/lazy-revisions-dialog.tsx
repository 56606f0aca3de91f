import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Revision } from '../state/inbox-port.js';

type RevisionsDialogProps = {
  readonly load: () => Promise<readonly Revision[]>;
  readonly onDone: () => void;
};

let loaded: Promise<ComponentType<RevisionsDialogProps>> | null = null;

/**
 * The "Edit history" dialog, fetched the first time someone opens one: it stays out of the
 * inbox's initial JavaScript (the budget in docs/inbox.md). A failed fetch (offline) gives up
 * quietly and is tried again next time.
 */
export function LazyRevisionsDialog(props: RevisionsDialogProps) {
  const [Dialog, setDialog] = useState<ComponentType<RevisionsDialogProps> | null>(null);
  useEffect(() => {
    let live = true;
    loaded ??= import('./revisions-dialog.js').then((module) => module.RevisionsDialog);
    loaded.then(
      (component) => live && setDialog(() => component),
      () => {
        loaded = null;
        if (live) props.onDone();
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return Dialog ? <Dialog {...props} /> : null;
}
