// pnpm bench:inbox — how fast the web inbox shows a 50-conversation list, and how much JavaScript
// a first visit downloads. Builds the app (printing the initial JavaScript per entry, gzip),
// composes the real API on a free port (PostgreSQL in a schema of its own when DATABASE_URL is
// set, PGlite otherwise) with the marketplace demo, gives the demo store 50 conversations, then
// opens the inbox in Debian's Chromium (/usr/bin/chromium, headless, fresh profile): one warm-up
// visit, then BENCH_RUNS measured visits (default 7), each in a fresh context (empty cache),
// timed in the page from the start of navigation to the 50th list item in the document. Prints
// each run, the median and the worst, against the issue's budget (1 s on this machine).
//
// This is a measurement, not a test: the browser test only keeps a loose sanity bound, since CI
// runs other test files beside it on the same cores.

import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';
import { type InitialJsSize, initialJsSize } from '../build/initial-js-budget.js';
import { launchChromium } from '../test/support/chromium.js';
import { composedInbox } from '../test/support/composed-inbox.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CONVERSATIONS = 50;
const BUDGET_MS = 1000;

async function buildApp(): Promise<InitialJsSize[]> {
  let sizes: InitialJsSize[] = [];
  const measure: Plugin = {
    name: 'bench:initial-js',
    apply: 'build',
    generateBundle(_options, bundle) {
      sizes = initialJsSize(bundle);
    },
  };
  await build({ root: fileURLToPath(new URL('..', import.meta.url)), logLevel: 'warn', plugins: [measure] });
  return sizes;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

async function main(): Promise<void> {
  const sizes = await buildApp();
  for (const { entry, gzipBytes, files } of sizes)
    console.log(
      `initial JavaScript  ${entry}: ${(gzipBytes / 1024).toFixed(1)} KB gzip (${files.join(', ')})`,
    );

  const [api, browser] = await Promise.all([composedInbox(), launchChromium()]);
  try {
    const headers = { authorization: `Bearer ${api.tokens.store}`, 'content-type': 'application/json' };
    for (let i = 0; i < CONVERSATIONS; i += 1) {
      const created = await fetch(`${api.url}/api/v1/store/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          conversation_type: 'store_customer',
          subject: `Order #${3000 + i}`,
          recipient_type: 'customer',
          recipient_id: i % 2 === 0 ? 'demo-customer-1' : 'demo-customer-2',
          initial_message: `About order #${3000 + i}.`,
        }),
      });
      if (created.status !== 201) throw new Error(`seeding answered ${created.status}`);
    }
    /** One visit's times from the start of navigation: rendered, and where the wait went. */
    interface Visit {
      readonly rendered: number;
      /** The last script file (the app) downloaded. */
      readonly scripts: number;
      /** The list's API answer arrived (`GET /api/v1/conversations`). */
      readonly list: number;
    }
    const visit = async (): Promise<Visit> => {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      try {
        // An init script watches the DOM (the page's CSP does not govern it).
        await context.addInitScript(() => {
          const timing = globalThis as { renderedAt?: number };
          new MutationObserver((_records, observer) => {
            if (document.querySelectorAll('ul[aria-label="Conversations"] > li').length >= 50) {
              timing.renderedAt = performance.now();
              observer.disconnect();
            }
          }).observe(document, { childList: true, subtree: true });
        });
        const page = await context.newPage();
        await page.goto(`${api.url}/inbox#token=${api.tokens.store}`);
        await page.waitForFunction(
          () => (globalThis as { renderedAt?: number }).renderedAt !== undefined,
          null,
          {
            timeout: 30_000,
          },
        );
        // No named functions inside: tsx would wrap them in a helper the page does not have.
        return await page.evaluate(() => {
          let scripts = 0;
          let list = 0;
          for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
            if (entry.name.endsWith('.js')) scripts = Math.max(scripts, entry.responseEnd);
            if (new URL(entry.name).pathname === '/api/v1/conversations')
              list = Math.max(list, entry.responseEnd);
          }
          return {
            rendered: (globalThis as { renderedAt?: number }).renderedAt ?? Number.NaN,
            scripts,
            list,
          };
        });
      } finally {
        await context.close();
      }
    };
    await visit(); // warm-up: the server's first-request costs are not counted
    const visits: Visit[] = [];
    for (let i = 0; i < RUNS; i += 1) visits.push(await visit());
    const runs = visits.map((v) => v.rendered);
    const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    console.log(
      `first render of a ${CONVERSATIONS}-conversation inbox (${database}, ${availableParallelism()} cores, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}):`,
    );
    console.log(`  runs    ${runs.map((ms) => `${Math.round(ms)} ms`).join(', ')}`);
    console.log(
      `  scripts ${Math.round(median(visits.map((v) => v.scripts)))} ms (median: the app's files downloaded)`,
    );
    console.log(
      `  list    ${Math.round(median(visits.map((v) => v.list)))} ms (median: the list's API answer in)`,
    );
    const mid = median(runs);
    const worst = Math.max(...runs);
    console.log(
      `  median  ${Math.round(mid)} ms, worst ${Math.round(worst)} ms — budget ${BUDGET_MS} ms: ${mid <= BUDGET_MS ? 'met' : 'MISSED'}`,
    );
  } finally {
    await browser.close();
    await api.close();
  }
}

await main();
