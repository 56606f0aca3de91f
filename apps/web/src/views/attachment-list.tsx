import { useEffect, useState } from 'preact/hooks';
import type { Attachment } from '../state/inbox-port.js';

type Download = (path: string) => Promise<Blob>;

/** An image's thumbnail, fetched with the token and shown from memory (`blob:`, allowed by the CSP). */
function Thumbnail(props: { readonly file: Attachment; readonly download: Download }) {
  const [src, setSrc] = useState<string | null>(null);
  const path = props.file.thumbnail_url;
  useEffect(() => {
    if (!path) return;
    let url: string | null = null;
    let live = true;
    props.download(path).then(
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
  return src ? (
    <img class="thumbnail" src={src} alt={props.file.original_filename} />
  ) : (
    <span class="thumbnail loading">{props.file.original_filename}</span>
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
