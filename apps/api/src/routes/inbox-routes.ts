import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

export interface InboxRoutesOptions {
  /** The path the API is served under (from `PARLEY_PUBLIC_URL`, e.g. `/parley`); '' at the root. */
  readonly basePath?: string;
  /**
   * The web inbox's build (`apps/web/dist`: `index.html` and `assets/`). Default: the workspace's
   * `apps/web/dist`, found from this file's place (`apps/api/{src,dist}/routes/`); the API does not
   * depend on `@parley/web` as a package because the web app's browser tests depend on the API.
   */
  readonly distDir?: string;
}

/** Where `pnpm --filter @parley/web build` writes the inbox, seen from this module. */
export const DEFAULT_INBOX_DIST_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * The inbox's own policy, stricter than the API's: scripts, styles and requests from this origin
 * only (`connect-src 'self'` covers the same-origin WebSocket too), images also from `blob:`
 * (thumbnails are fetched with the bearer token, then shown from memory), no inline code and no
 * `eval`, never framed, no forms posting anywhere.
 */
export const INBOX_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** How long a hashed asset may be cached: its name changes whenever its content does. */
export const INBOX_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Assets with a stable name, which host pages load to embed the inbox (`<parley-inbox>`): checked
 * with the server on every use (`no-cache`), since their name does not change with their content.
 */
export const INBOX_STABLE_ASSETS: ReadonlySet<string> = new Set(['parley-inbox.js']);

function escapeHtml(value: string): string {
  return value.replace(/[&"<>']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page answered while the inbox has not been built: what to run, nothing else. */
function notBuiltPage(distDir: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Messages</title></head>
<body>
<h1>The web inbox is not built</h1>
<p>Build it with <code>pnpm --filter @parley/web build</code> (<code>pnpm start</code> does it for you), then reload this page.</p>
<p>Expected in <code>${escapeHtml(distDir)}</code>.</p>
</body>
</html>
`;
}

/**
 * The built `index.html` with its asset URLs under the API's public path: Vite builds them for
 * `/inbox/`, and an API served under `/parley` serves the inbox at `/parley/inbox/`.
 */
function underBasePath(html: string, basePath: string): string {
  return basePath === ''
    ? html
    : html.replaceAll(/(src|href)="\/inbox\//g, `$1="${escapeHtml(basePath)}/inbox/`);
}

/**
 * The web inbox (`apps/web`), the page notification emails link to by default: `GET /inbox`,
 * `/inbox/`, `/inbox/c/{id}` and every other app route answer the app's `index.html`
 * (`Cache-Control: no-cache`, so a new build is picked up at once), `GET /inbox/assets/*` the
 * hashed files (`@fastify/static`, cached for a year as immutable; `parley-inbox.js`, the custom element host pages
 * load by that name, revalidated). Every response carries the
 * inbox's strict Content-Security-Policy and `Referrer-Policy: no-referrer`. The page reveals
 * nothing: every id answers the same file, and what a token may see is decided by the API. When
 * the build is missing the API still runs and the page says how to build it.
 */
export const inboxRoutes: FastifyPluginAsync<InboxRoutesOptions> = async (app, options) => {
  const basePath = options.basePath ?? '';
  const distDir = options.distDir ?? DEFAULT_INBOX_DIST_DIR;
  // Encapsulated (not fastify-plugin): these headers replace helmet's API policy on the inbox only.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', INBOX_CONTENT_SECURITY_POLICY);
    reply.header('referrer-policy', 'no-referrer');
    // Host pages embedding <parley-inbox> load the stylesheet without CORS (helmet's default
    // `same-origin` would block it); scripts are module scripts, governed by CORS.
    if (request.url.startsWith(`/inbox/assets/`))
      reply.header('cross-origin-resource-policy', 'cross-origin');
    return payload;
  });
  await app.register(fastifyStatic, {
    root: join(distDir, 'assets'),
    prefix: '/inbox/assets/',
    decorateReply: false,
    index: false,
    // Hashed names change with their content, so a year as immutable is safe; the few stable
    // names are revalidated.
    cacheControl: false,
    setHeaders: (reply, path) => {
      const name = path.split(/[\\/]/).pop() ?? '';
      reply.header('cache-control', INBOX_STABLE_ASSETS.has(name) ? 'no-cache' : INBOX_ASSET_CACHE_CONTROL);
    },
  });

  const page = async (_request: unknown, reply: FastifyReply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache');
    try {
      return underBasePath(await readFile(join(distDir, 'index.html'), 'utf8'), basePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Answered like the app itself (200, revalidated): it is this server's page until a build
      // replaces it, and nothing else about the response depends on whether the app is built.
      return notBuiltPage(distDir);
    }
  };
  const hidden = { schema: { hide: true } };
  app.get('/inbox', hidden, page);
  app.get('/inbox/', hidden, page);
  app.get('/inbox/c/:id', hidden, page);
  // Any other app route (a deep link the app knows and this list does not) lands in the app too.
  app.get('/inbox/*', hidden, page);
};
