import { createParleyClient } from '@parley/client';
import { render } from 'preact';
import { readInboxLocation } from './session/inbox-location.js';
import { inboxRoleOf } from './session/inbox-role.js';
import { forgetToken, readClaims, takeToken } from './session/token-session.js';
import { createClientInboxPort } from './state/client-inbox-port.js';
import { createInboxStore } from './state/inbox-store.js';
import { connectLive } from './state/live-feed.js';
import { InboxApp, SignedOut } from './views/inbox-app.js';
import './inbox.css';

// The API's base URL: this script is served from `{base}/inbox/assets/`, so the API is two
// folders up — right under a path prefix (`PARLEY_PUBLIC_URL`) too, with no configuration. The
// development server proxies /api on its own origin.
const apiBase = import.meta.env.DEV
  ? location.origin
  : new URL('../../', import.meta.url).href.replace(/\/$/, '');
const root = document.getElementById('app') as HTMLElement;
const host = { location, history, storage: sessionStorage };
const token = takeToken(host);
const claims = token ? readClaims(token) : null;
const role = claims ? inboxRoleOf(claims.role) : null;

if (!token || !claims) render(<SignedOut reason="no-token" />, root);
else if (!role) render(<SignedOut reason="unsupported" />, root);
else {
  const client = createParleyClient({ baseUrl: apiBase, token });
  const store = createInboxStore({
    port: createClientInboxPort(client, role.audience, (handlers) =>
      connectLive({ baseUrl: apiBase, token, client }, handlers),
    ),
    me: { type: claims.role, id: claims.sub },
    isVisible: () => document.visibilityState === 'visible',
    draftStorage: sessionStorage,
  });
  const here = readInboxLocation(location.pathname);
  const navigate = (path: string) => {
    if (location.pathname !== path) history.pushState(null, '', path);
  };
  addEventListener('popstate', () => void store.select(readInboxLocation(location.pathname).conversationId));
  // Coming back to the tab reads what arrived while it was hidden.
  document.addEventListener('visibilitychange', () => {
    const id = store.selectedId.value;
    if (document.visibilityState === 'visible' && id) void store.select(id);
  });
  store.start();
  if (here.conversationId) void store.select(here.conversationId);
  render(<InboxApp store={store} role={role} inboxPath={here.inboxPath} navigate={navigate} />, root);
  // An expired or refused token cannot come back by itself: forget it so a new link signs in.
  if (claims.exp !== undefined && claims.exp * 1000 < Date.now()) forgetToken(host);
}
