import type { FastifyPluginAsync, FastifyReply } from 'fastify';

export interface InboxRoutesOptions {
  /** The path the API is served under (from `PARLEY_PUBLIC_URL`, e.g. `/parley`); '' at the root. */
  readonly basePath?: string;
}

/**
 * The page's own policy, stricter than the API's: its script and stylesheet from this origin
 * only, no inline code at all, requests to this origin only, never framed, no forms.
 */
export const INBOX_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(basePath: string): string {
  const assets = escapeAttribute(`${basePath}/inbox/assets`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Messages</title>
<link rel="stylesheet" href="${assets}/inbox.css">
<script src="${assets}/inbox.js" defer></script>
</head>
<body>
<header><h1 id="title">Messages</h1></header>
<main id="main" aria-live="polite">
<p id="status">Loading…</p>
<noscript><p>This page needs JavaScript to show your messages.</p></noscript>
</main>
</body>
</html>
`;
}

const STYLESHEET = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;color:#1d1d1f;background:#fff}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
ol{list-style:none;padding:0;margin:0}
li{border-bottom:1px solid #e5e5ea;padding:.75rem 0}
.meta{color:#6e6e73;font-size:.85rem}
.content{white-space:pre-wrap;overflow-wrap:anywhere;margin:.25rem 0 0}
.deleted{color:#6e6e73;font-style:italic}
.files{margin:.25rem 0 0;padding-left:1.25rem;list-style:disc}
.files li{border:0;padding:0}
#status{color:#6e6e73}
a{color:#0060df}
`;

// Read-only, on purpose small: the real inbox (a later issue) replaces it. Everything on screen
// goes through textContent, never innerHTML, so message text can never become markup.
const SCRIPT = `(function () {
  'use strict';
  var KEY = 'parley.inbox.token';
  var AUDIENCES = { admin: 'admin', store: 'store', customer: 'storefront' };
  var script = document.currentScript;
  var base = new URL('../../', script.src);
  var main = document.getElementById('main');
  var status = document.getElementById('status');
  var title = document.getElementById('title');

  function say(text) {
    status.textContent = text;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // The token arrives in the fragment (never sent to a server, never in logs), is kept for this
  // tab only, and leaves the address bar at once so it is not bookmarked or shared by copy.
  function readToken() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    var given = params.get('token');
    if (given) {
      sessionStorage.setItem(KEY, given);
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem(KEY);
  }

  function roleOf(token) {
    try {
      var payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(payload)).role;
    } catch (error) {
      return null;
    }
  }

  function api(token, path) {
    return fetch(new URL('api/v1/' + path, base), {
      headers: { authorization: 'Bearer ' + token, accept: 'application/json' },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    }).then(function (response) {
      if (response.ok) return response.json();
      if (response.status === 401) sessionStorage.removeItem(KEY);
      return response.json().then(
        function (problem) { throw { status: response.status, detail: problem.detail }; },
        function () { throw { status: response.status }; }
      );
    });
  }

  function when(iso) {
    return new Date(iso).toLocaleString();
  }

  function showConversation(detail) {
    title.textContent = detail.subject;
    document.title = detail.subject;
    var list = element('ol');
    detail.messages.forEach(function (message) {
      var item = element('li');
      item.appendChild(element('div', message.sender_name + ' · ' + when(message.created_at), 'meta'));
      if (message.is_deleted) item.appendChild(element('p', 'This message was deleted.', 'content deleted'));
      else if (message.content) item.appendChild(element('p', message.content, 'content'));
      if (message.attachments.length > 0) {
        var files = element('ul', undefined, 'files');
        message.attachments.forEach(function (file) {
          files.appendChild(element('li', file.original_filename));
        });
        item.appendChild(files);
      }
      list.appendChild(item);
    });
    main.appendChild(list);
    say(detail.messages.length === 0 ? 'No messages yet.' : 'Read only: reply from your account.');
  }

  function showList(page) {
    var list = element('ol');
    page.conversations.forEach(function (conversation) {
      var item = element('li');
      var link = element('a', conversation.subject);
      link.href = new URL('inbox/c/' + encodeURIComponent(conversation.id), base).pathname;
      item.appendChild(link);
      var unread = conversation.unread_count > 0 ? ' · ' + conversation.unread_count + ' unread' : '';
      item.appendChild(element('div', when(conversation.last_message_at || conversation.created_at) + unread, 'meta'));
      list.appendChild(item);
    });
    main.appendChild(list);
    say(page.conversations.length === 0 ? 'No conversations yet.' : '');
  }

  function failed(error) {
    if (error && error.status === 401) say('Your sign-in has expired. Open this page again from your account.');
    else if (error && error.status === 404) say('This conversation does not exist, or you cannot see it.');
    else say('Messages could not be loaded' + (error && error.detail ? ': ' + error.detail : '.'));
  }

  var token = readToken();
  if (!token) {
    say('You are not signed in here. Open your messages from your account on the site you use; this page only shows them when it is opened with a sign-in link.');
    return;
  }
  var audience = AUDIENCES[roleOf(token)];
  if (!audience) {
    say('This sign-in cannot open an inbox.');
    return;
  }
  var match = /\\/inbox\\/c\\/([^/]+)\\/?$/.exec(location.pathname);
  if (match) {
    var id = decodeURIComponent(match[1]);
    api(token, audience + '/messages/' + encodeURIComponent(id) + '?mark_read=false').then(showConversation, failed);
  } else {
    api(token, audience + '/messages?limit=50').then(showList, failed);
  }
})();
`;

function html(reply: FastifyReply, body: string): string {
  reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', INBOX_CONTENT_SECURITY_POLICY)
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
  return body;
}

/**
 * A small, read-only web inbox until the real one: `GET /inbox` (the caller's conversations) and
 * `GET /inbox/c/{id}` (one conversation), the pages notification emails link to by default. Plain
 * HTML and one script file under a strict CSP (no inline code); the script takes a JWT from the
 * URL fragment (`#token=…`), keeps it in `sessionStorage`, removes it from the address bar and
 * reads through the audience API (`/api/v1/{admin|store|storefront}/messages…`, never marking
 * anything read). Without a token it says so. The pages themselves reveal nothing: every id
 * answers the same page, and what a token may see is decided by the API.
 */
export const inboxRoutes: FastifyPluginAsync<InboxRoutesOptions> = async (app, options) => {
  const body = page(options.basePath ?? '');
  const hidden = { schema: { hide: true } };
  app.get('/inbox', hidden, async (_request, reply) => html(reply, body));
  app.get('/inbox/', hidden, async (_request, reply) => html(reply, body));
  app.get('/inbox/c/:id', hidden, async (_request, reply) => html(reply, body));
  app.get('/inbox/assets/inbox.js', hidden, async (_request, reply) => {
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache');
    return SCRIPT;
  });
  app.get('/inbox/assets/inbox.css', hidden, async (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache');
    return STYLESHEET;
  });
};
