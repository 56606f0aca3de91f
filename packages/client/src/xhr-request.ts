/**
 * The part of `XMLHttpRequest` an upload with progress needs (browsers have it; Node does not).
 * Declared here so the package type-checks without the DOM library.
 */
export interface XhrLike {
  readonly upload: { onprogress: ((event: never) => void) | null };
  readonly status: number;
  readonly responseText: string;
  onload: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onabort: ((event: never) => void) | null;
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  getAllResponseHeaders(): string;
  send(body: unknown): void;
  abort(): void;
}

/** An `XMLHttpRequest` class. */
export type XhrConstructor = new () => XhrLike;

/** Bytes of the request body sent so far. */
export interface UploadProgress {
  readonly loaded: number;
  /** 0 when the browser cannot tell. */
  readonly total: number;
}

/**
 * Sends one request through `XMLHttpRequest` — the only browser API that reports upload progress
 * — and answers a standard `Response` (status, headers, text), so callers handle it like fetch's.
 * Rejects with the `AbortError` of `signal` when aborted, and with a `TypeError` when no answer
 * came (as fetch does).
 */
export function xhrRequest(
  Xhr: XhrConstructor,
  request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: unknown;
    readonly signal?: AbortSignal | undefined;
    readonly onUploadProgress: (progress: UploadProgress) => void;
  },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const xhr = new Xhr();
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = ((event: { loaded: number; total: number; lengthComputable?: boolean }) =>
      request.onUploadProgress({
        loaded: event.loaded,
        total: event.lengthComputable === false ? 0 : event.total,
      })) as (event: never) => void;
    xhr.onload = () => {
      done();
      resolve(
        new Response(xhr.status === 204 ? null : xhr.responseText, {
          status: xhr.status,
          headers: parseHeaders(xhr.getAllResponseHeaders()),
        }),
      );
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError('network error'));
    };
    xhr.onabort = () => {
      done();
      reject(signal?.reason ?? new Error('aborted'));
    };
    xhr.send(request.body);
  });
}

function parseHeaders(raw: string): [string, string][] {
  const headers: [string, string][] = [];
  for (const line of raw.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return headers;
}
