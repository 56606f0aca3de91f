/** Where the app lives and what it is showing, read from the URL. */
export interface InboxLocation {
  /** The inbox's own path with a trailing slash, e.g. `/inbox/` or `/parley/inbox/`. */
  readonly inboxPath: string;
  /** The conversation in `/inbox/c/{id}`, or null on the list. */
  readonly conversationId: string | null;
}

/**
 * Reads the inbox's path and the open conversation from a pathname: everything up to and
 * including `/inbox/` is the app's base (the API may be served under a path of its own). Pure.
 */
export function readInboxLocation(pathname: string): InboxLocation {
  const match = /^(.*?\/inbox)(?:\/(?:c\/([^/]+))?.*)?$/.exec(pathname);
  const inboxPath = `${match?.[1] ?? '/inbox'}/`;
  const raw = match?.[2];
  let conversationId: string | null = null;
  if (raw) {
    try {
      conversationId = decodeURIComponent(raw);
    } catch {
      conversationId = null;
    }
  }
  return { inboxPath, conversationId };
}

/** The path of a conversation in the inbox (`{inboxPath}c/{id}`), or of the list for null. Pure. */
export function conversationPath(inboxPath: string, id: string | null): string {
  return id === null ? inboxPath : `${inboxPath}c/${encodeURIComponent(id)}`;
}
