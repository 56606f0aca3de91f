import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment } from '../state/inbox-port.js';

type Download = (path: string) => Promise<Blob>;

/** A file fetched with the token and shown from memory (`blob:`, allowed by the CSP); null until then. */
function useBlobUrl(path: string | null, download: Download): string | null {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    if (!path) return;
    let url: string | null = null;
    let live = true;
    download(path).then(
      (blob) => {
        if (!live) return;
        url = URL.createObjectURL(blob);
        setSrc(url);
      },
      () => {},
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);
  return src;
}

/**
 * The larger view of an image: a modal `<dialog>` named by the file (the browser keeps focus in
 * it; Esc or "Close" closes it), the whole file rather than the thumbnail. Focus goes back to the
 * thumbnail that opened it.
 */
function ImageViewer(props: {
  readonly file: Attachment;
  readonly download: Download;
  readonly onDone: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const src = useBlobUrl(props.file.download_url, props.download);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="image-viewer"
      aria-label={`Image: ${props.file.original_filename}`}
      onClose={props.onDone}
    >
      {src ? (
        <img src={src} alt={props.file.original_filename} />
      ) : (
        <p class="meta">Loading {props.file.original_filename}…</p>
      )}
      <div class="actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}

/** An image's thumbnail, a button that opens the larger view. */
function Thumbnail(props: { readonly file: Attachment; readonly download: Download }) {
  const src = useBlobUrl(props.file.thumbnail_url, props.download);
  const [viewing, setViewing] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const name = props.file.original_filename;
  return (
    <>
      <button
        ref={opener}
        type="button"
        class="thumbnail-button"
        title={`View ${name} larger`}
        onClick={() => setViewing(true)}
      >
        {src ? <img class="thumbnail" src={src} alt={name} /> : <span class="thumbnail loading">{name}</span>}
      </button>
      {viewing ? (
        <ImageViewer
          file={props.file}
          download={props.download}
          onDone={() => {
            setViewing(false);
            opener.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}

/** Saves a file under its own name: fetched with the token, then handed to the browser. */
async function save(file: Attachment, download: Download): Promise<void> {
  const url = URL.createObjectURL(await download(file.download_url));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.original_filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function size(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 1048576).toFixed(1)} MB`;
}

/** A message's files: images as thumbnails, every file as a chip that downloads it. */
export function AttachmentList(props: {
  readonly files: readonly Attachment[];
  readonly download: Download;
}) {
  if (props.files.length === 0) return null;
  return (
    <ul class="files" aria-label="Files">
      {props.files.map((file) => (
        <li key={file.id}>
          {file.is_image && file.thumbnail_url ? <Thumbnail file={file} download={props.download} /> : null}
          <button type="button" class="file-chip" onClick={() => void save(file, props.download)}>
            Download {file.original_filename} <span class="meta">({size(file.file_size)})</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
