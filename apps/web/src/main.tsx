import { render } from 'preact';
import { mountInbox } from './inbox-mount.js';
import { forgetToken, readClaims, takeToken } from './session/token-session.js';
import { SignedOut } from './views/inbox-app.js';
import './inbox.css';

// The API's base URL: this script is served from `{base}/inbox/assets/`, so the API is two
// folders up — right under a path prefix (`PARLEY_PUBLIC_URL`) too, with no configuration. The
// development server proxies /api on its own origin.
const apiBase = import.meta.env.DEV
  ? location.origin
  : new URL(/* @vite-ignore */ '../../', import.meta.url).href.replace(/\/$/, '');
const root = document.getElementById('app') as HTMLElement;
const host = { location, history, storage: sessionStorage };
const token = takeToken(host);
const exp = token ? readClaims(token)?.exp : undefined;

if (token && exp !== undefined && exp * 1000 <= Date.now()) {
  // An expired token cannot come back by itself: forget it, so the next link signs in afresh.
  forgetToken(host);
  render(<SignedOut reason="expired" />, root);
} else if (token) void mountInbox(root, { apiBase, token, routing: 'url', draftStorage: sessionStorage });
else render(<SignedOut reason="no-token" />, root);
