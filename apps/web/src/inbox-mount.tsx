import {
  createParleyClient,
  ParleyApiError,
  type ParleyClient,
  resolveToken,
  type TokenProvider,
} from '@parley/client';
import { render } from 'preact';
import { readInboxLocation } from './session/inbox-location.js';
import { type InboxPreset, inboxRoleOf, presetOfClaims } from './session/inbox-role.js';
import { readClaims } from './session/token-session.js';
import { createClientInboxPort } from './state/client-inbox-port.js';
import { createInboxStore } from './state/inbox-store.js';
import { connectLive } from './state/live-feed.js';
import { InboxApp, SignedOut } from './views/inbox-app.js';

/** How `mountInbox` runs: where the API is, who signs in, and whether the URL follows the app. */
export interface MountOptions {
  /** The API's base URL, without a trailing slash. */
  readonly apiBase: string;
  /** The bearer token, or a provider asked before every request and reconnect (embedding). */
  readonly token: TokenProvider;
  /**
   * `url`: the page is the inbox (`/inbox/c/{id}` in the address bar, back and forward work);
   * `memory`: embedded in a host's page, whose URL is left alone.
   */
  readonly routing: 'url' | 'memory';
  /** Where drafts survive a reload (`sessionStorage`); absent: in memory. */
  readonly draftStorage?: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * Renders the inbox into `root` for the token's person: reads the role from the token (to choose
 * what is offered; the API decides every call), creates the client, the store and the live feed,
 * and follows the URL when routing by it. Answers the function that unmounts it and stops the feed.
 */
export async function mountInbox(root: HTMLElement, options: MountOptions): Promise<() => void> {
  const claims = readClaims(await resolveToken(options.token));
  const { apiBase, token } = options;
  const client = createParleyClient({ baseUrl: apiBase, token });
  const preset = claims ? presetOfClaims(claims.role, claims.tenant) : null;
  const role =
    claims && preset
      ? inboxRoleOf(claims.role, preset === 'undecided' ? await adminPreset(client) : preset)
      : null;
  if (!claims || !role) {
    render(<SignedOut reason={claims ? 'unsupported' : 'no-token'} />, root);
    return () => render(null, root);
  }
  const store = createInboxStore({
    port: createClientInboxPort(client, (handlers) => connectLive({ baseUrl: apiBase, token }, handlers)),
    me: { type: claims.role, id: claims.sub },
    isVisible: () => document.visibilityState === 'visible',
    ...(options.draftStorage ? { draftStorage: options.draftStorage } : {}),
  });
  const byUrl = options.routing === 'url';
  const here = byUrl ? readInboxLocation(location.pathname) : { inboxPath: '/', conversationId: null };
  const navigate = (path: string) => {
    if (byUrl && location.pathname !== path) history.pushState(null, '', path);
  };
  const onPopState = () => void store.select(readInboxLocation(location.pathname).conversationId);
  // Coming back to the tab reads what arrived while it was hidden.
  const onVisible = () => {
    const id = store.selectedId.value;
    if (document.visibilityState === 'visible' && id) void store.select(id);
  };
  if (byUrl) addEventListener('popstate', onPopState);
  document.addEventListener('visibilitychange', onVisible);
  const stop = store.start();
  if (here.conversationId) void store.select(here.conversationId);
  render(<InboxApp store={store} role={role} inboxPath={here.inboxPath} navigate={navigate} />, root);
  return () => {
    stop();
    removeEventListener('popstate', onPopState);
    document.removeEventListener('visibilitychange', onVisible);
    render(null, root);
  };
}

/**
 * Whose admin a tenantless `admin` token is: the marketplace's admin has the admin audience's
 * recipient search, which a care-team deployment does not serve (404 `ROUTE_NOT_FOUND`).
 */
async function adminPreset(client: ParleyClient): Promise<InboxPreset> {
  try {
    await client.recipients('admin', { recipient_type: 'store', limit: 1 });
    return 'marketplace';
  } catch (error) {
    return error instanceof ParleyApiError && error.status === 404 ? 'care-team' : 'marketplace';
  }
}
