import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRun, launchChromium, seriousAxeViolations } from './support/chromium.js';
import { type ComposedInbox, composedInbox } from './support/composed-inbox.js';

// The inbox as people use it: the real composed API on a free port serving the built app
// (`pnpm --filter @parley/web build`, which the root `test` script runs first), driven in Debian's
// Chromium through playwright-core. Names are the accessible ones the issue fixes.

const SUBJECT = 'Order #1001: the blue teapot';
/** A 1×1 PNG: the API decodes it and makes a thumbnail. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const CUSTOMER_NAME = 'Carla Customer';

interface Opened {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Content-Security-Policy violations the page reported. */
  readonly cspViolations: string[];
}

describe.skipIf(!browserTestsRun())('the web inbox in a browser', () => {
  let api: ComposedInbox;
  let browser: Browser;
  let conversationId: string;
  const contexts: BrowserContext[] = [];
  /** A host platform's own server (another origin than the API) with the embedding example page. */
  let host: Server | undefined;
  let hostOrigin = '';
  let tokensAsked = 0;

  async function open(path: string, token: string, viewport = { width: 1200, height: 800 }): Promise<Opened> {
    const context = await browser.newContext({ viewport });
    // Short waits: a step that fails says which, well within the test's own timeout.
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(token ? `${api.url}${path}#token=${token}` : `${api.url}${path}`);
    return { context, page, cspViolations };
  }

  beforeAll(async () => {
    // `pnpm test` builds the app first; a run of this file alone builds it when it is missing.
    const webDir = fileURLToPath(new URL('..', import.meta.url));
    if (!existsSync(`${webDir}/dist/index.html`)) await build({ root: webDir, logLevel: 'warn' });
    const example = await readFile(new URL('../examples/embed.html', import.meta.url), 'utf8');
    host = createServer((request, response) => {
      if (request.url === '/account/parley-token') {
        tokensAsked += 1;
        response.writeHead(200, { 'content-type': 'text/plain' }).end(api.tokens.customer);
      } else
        response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(example.replaceAll('http://127.0.0.1:3000', api.url));
    });
    const server = host;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hostOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    [api, browser] = await Promise.all([
      composedInbox({ PARLEY_CORS_ORIGINS: hostOrigin }),
      launchChromium(),
    ]);
    const created = await fetch(`${api.url}/api/v1/store/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.tokens.store}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        conversation_type: 'store_customer',
        subject: SUBJECT,
        recipient_type: 'customer',
        recipient_id: 'demo-customer-1',
        initial_message: 'Hello Carla, your teapot is packed.',
      }),
    });
    expect(created.status).toBe(201);
    conversationId = ((await created.json()) as { id: string }).id;
  });

  // Each test's pages close with it: a store tab left open on a thread would read what arrives
  // there, and the store's other tabs follow (their badge drops back to 0).
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await new Promise((resolve) => host?.close(resolve));
  });

  it('signs in from the link fragment, keeps the token out of the address bar, and lists conversations', async () => {
    const { page, cspViolations } = await open('/inbox', api.tokens.store);
    const list = page.getByRole('list', { name: 'Conversations' });
    const item = list.getByRole('listitem', { name: new RegExp(`${SUBJECT}.*${CUSTOMER_NAME}`) });
    await item.waitFor();
    expect(page.url()).toBe(`${api.url}/inbox`);
    expect(await page.evaluate(() => sessionStorage.getItem('parley.inbox.token'))).toBe(api.tokens.store);
    expect(await page.getByRole('button', { name: 'Close conversation' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Alt+↓ opens the first conversation.
    await page.keyboard.press('Alt+ArrowDown');
    await page
      .getByRole('log', { name: 'Messages' })
      .getByText('Hello Carla, your teapot is packed.')
      .waitFor();
    expect(page.url()).toBe(`${api.url}/inbox/c/${conversationId}`);
    expect(cspViolations).toEqual([]);

    // Another tab, no sign-in link: it says how to get there, and asks nothing of the API.
    const signedOut = await open('/inbox', '');
    await signedOut.page.getByText('You are not signed in here.').waitFor();
    expect(await seriousAxeViolations(signedOut.page)).toEqual([]);
  });

  it('a store and a customer: the customer writes, the store sees it live with the badge, replies, and sees it read', async () => {
    const store = await open('/inbox', api.tokens.store);
    const customer = await open(`/inbox/c/${conversationId}`, api.tokens.customer);

    // The customer opened the conversation from a link: the thread, read, and no close for them.
    const customerLog = customer.page.getByRole('log', { name: 'Messages' });
    await customerLog.getByText('Hello Carla, your teapot is packed.').waitFor();
    await customer.page.getByRole('status', { name: '0 unread' }).waitFor();
    expect(await customer.page.getByRole('button', { name: 'Close conversation' }).count()).toBe(0);
    expect(await customer.page.getByRole('button', { name: 'New conversation' }).count()).toBe(0);

    const storeList = store.page.getByRole('list', { name: 'Conversations' });
    await storeList.getByRole('listitem', { name: new RegExp(SUBJECT) }).waitFor();
    await store.page.getByRole('status', { name: '0 unread' }).waitFor();
    // The customer's presence shows in the store's list.
    await storeList
      .getByRole('listitem', { name: new RegExp(`${SUBJECT} — ${CUSTOMER_NAME} \\(online\\)`) })
      .waitFor();

    // Enter sends; Shift+Enter is a new line in the same message.
    const message = customer.page.getByRole('textbox', { name: 'Message' });
    await message.fill('Where is my parcel?');
    await message.press('Shift+Enter');
    await message.pressSequentially('It was due Monday.');
    await message.press('Enter');
    await customerLog.getByText('It was due Monday.').waitFor();
    expect(await message.inputValue()).toBe('');

    // Live for the store, without a reload: the list item, the header badge and the page title.
    await storeList.getByRole('listitem', { name: new RegExp(`${SUBJECT}.*1 unread`) }).waitFor();
    await store.page.getByRole('status', { name: '1 unread' }).waitFor();
    expect(await store.page.title()).toBe('(1) Messages');

    // The store opens it (read), replies with the Send button.
    await storeList.getByRole('link', { name: new RegExp(SUBJECT) }).click();
    const storeLog = store.page.getByRole('log', { name: 'Messages' });
    await storeLog.getByText(/Where is my parcel\?\s+It was due Monday\./).waitFor();
    await storeLog.getByText('New messages').waitFor();
    await store.page.getByRole('status', { name: '0 unread' }).waitFor();
    expect(store.page.url()).toBe(`${api.url}/inbox/c/${conversationId}`);
    await store.page.getByRole('textbox', { name: 'Message' }).fill('It ships today.');
    // The customer sees the store typing.
    await customer.page.getByText('Sam Store is typing…').waitFor();
    await store.page
      .locator('input[type=file]')
      .setInputFiles({ name: 'teapot.png', mimeType: 'image/png', buffer: PNG });
    await store.page.getByRole('list', { name: 'Files to send' }).getByText('teapot.png').waitFor();
    await store.page.getByRole('button', { name: 'Send' }).click();

    // The customer has the thread open: it arrives there live (with the image's thumbnail) and is
    // read at once, which the store sees.
    await customerLog.getByText('It ships today.').waitFor();
    await customerLog.getByRole('img', { name: 'teapot.png' }).waitFor();
    await storeLog.getByRole('listitem').filter({ hasText: 'It ships today.' }).getByText('Read').waitFor();

    expect(await seriousAxeViolations(store.page)).toEqual([]);
    expect(await seriousAxeViolations(customer.page)).toEqual([]);
    expect([...store.cspViolations, ...customer.cspViolations]).toEqual([]);
  }, 120_000);

  it('composes: the store starts a conversation with a customer from the dialog', async () => {
    const { page, cspViolations } = await open('/inbox', api.tokens.store);
    await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first().waitFor();
    await page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    await dialog.waitFor();
    // Esc closes it; a store writes to its customers only.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'New conversation' }).click();
    expect(await dialog.getByRole('radio', { name: 'Store user' }).count()).toBe(0);
    await dialog.getByRole('searchbox', { name: 'Search recipients' }).fill('Chris');
    await dialog.getByRole('radio', { name: /Chris Customer/ }).check();
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Your return label');
    await dialog.getByRole('textbox', { name: 'First message' }).fill('Here is the label for the mug.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Start conversation' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('log', { name: 'Messages' }).getByText('Here is the label for the mug.').waitFor();
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('listitem', { name: /^Your return label — Chris Customer/ })
      .waitFor();
    expect(page.url()).toMatch(new RegExp(`^${api.url}/inbox/c/[0-9a-f-]+$`));

    // Files by paste and by drag and drop, checked before upload.
    await page.getByRole('textbox', { name: 'Message' }).evaluate((textarea) => {
      const files = new DataTransfer();
      files.items.add(new File(['png'], 'screenshot.png', { type: 'image/png' }));
      textarea.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: files, bubbles: true, cancelable: true }),
      );
    });
    const chips = page.getByRole('list', { name: 'Files to send' });
    await chips.getByText('screenshot.png').waitFor();
    await page.getByRole('form', { name: 'Reply' }).evaluate((form) => {
      const files = new DataTransfer();
      files.items.add(new File(['MZ'], 'setup.exe', { type: 'application/octet-stream' }));
      form.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
    });
    await chips.getByText('setup.exe').waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: 'setup.exe: this type of file cannot be sent.' })
      .waitFor();
    await page.getByRole('button', { name: 'Remove setup.exe' }).click();
    await page.getByRole('alert').filter({ hasText: 'setup.exe' }).waitFor({ state: 'detached' });
    expect(cspViolations).toEqual([]);
  });

  it('the admin: writes to a store user, filters by type and status, closes and reopens', async () => {
    const { page, cspViolations } = await open('/inbox', api.tokens.admin);
    await page.getByRole('status', { name: '0 unread' }).waitFor();
    await page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByRole('radio', { name: 'Store user' }).check();
    await dialog.getByRole('radio', { name: /Sam Store/ }).check();
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Your payout schedule');
    await dialog.getByRole('textbox', { name: 'First message' }).fill('Payouts move to Fridays.');
    await dialog.getByRole('button', { name: 'Start conversation' }).click();
    const list = page.getByRole('list', { name: 'Conversations' });
    const item = list.getByRole('listitem', { name: /^Your payout schedule — Sam Store/ });
    await item.waitFor();

    await page.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Customers' });
    await item.waitFor({ state: 'detached' });
    await page.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Stores' });
    await item.waitFor();

    await page.getByRole('button', { name: 'Close conversation' }).click();
    await page.getByRole('button', { name: 'Reopen conversation' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Open' });
    await item.waitFor({ state: 'detached' });
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Closed' });
    await list.getByRole('listitem', { name: /^Your payout schedule — Sam Store.*closed/ }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Reopen conversation' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(cspViolations).toEqual([]);
  });

  it('embeds as <parley-inbox> in a host page of another origin, with a token provider (apps/web/examples/embed.html)', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${hostOrigin}/account/messages`);
    const item = page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('listitem', { name: new RegExp(SUBJECT) });
    await item.waitFor();
    expect(tokensAsked).toBeGreaterThan(0);
    await item.getByRole('link').click();
    await page
      .getByRole('log', { name: 'Messages' })
      .getByText('Hello Carla, your teapot is packed.')
      .waitFor();
    // The host's URL is left alone, and the customer is offered no compose and no close.
    expect(page.url()).toBe(`${hostOrigin}/account/messages`);
    expect(await page.getByRole('button', { name: 'New conversation' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Close conversation' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('going offline and back: "Reconnecting…", then what was missed arrives once each, without a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    // Every real-time socket passes through here, so the test can drop them like a network would.
    const sockets: WebSocketRoute[] = [];
    await context.routeWebSocket(/\/api\/v1\/realtime/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    const page = await context.newPage();
    await page.goto(`${api.url}/inbox/c/${conversationId}#token=${api.tokens.store}`);
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Hello Carla, your teapot is packed.').waitFor();
    await expect.poll(() => sockets.length).toBeGreaterThan(0);
    await page.evaluate(() => {
      (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage = true;
    });

    await context.setOffline(true);
    for (const socket of sockets.splice(0)) await socket.close({ code: 1001, reason: 'network lost' });
    await page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();
    // The customer writes twice meanwhile (from elsewhere).
    for (const content of ['Missed one', 'Missed two']) {
      const sent = await fetch(`${api.url}/api/v1/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.tokens.customer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
      });
      expect(sent.status).toBe(201);
    }
    await context.setOffline(false);

    await log.getByText('Missed one', { exact: true }).waitFor();
    await log.getByText('Missed two', { exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor({ state: 'detached' });
    expect(await log.getByText('Missed one', { exact: true }).count()).toBe(1);
    expect(await log.getByText('Missed two', { exact: true }).count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(
      true,
    );
  }, 120_000);

  it('renders a 50-conversation inbox soon after navigation, and prints how soon', async () => {
    // The store has a few conversations from the tests before: top it up to 50.
    const have = (await (
      await fetch(`${api.url}/api/v1/conversations?limit=100`, {
        headers: { authorization: `Bearer ${api.tokens.store}` },
      })
    ).json()) as { conversations: unknown[] };
    for (let i = have.conversations.length; i < 50; i += 1) {
      const created = await fetch(`${api.url}/api/v1/store/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.tokens.store}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          conversation_type: 'store_customer',
          subject: `Order #${2000 + i}`,
          recipient_type: 'customer',
          recipient_id: i % 2 === 0 ? 'demo-customer-1' : 'demo-customer-2',
          initial_message: `About order #${2000 + i}.`,
        }),
      });
      expect(created.status).toBe(201);
    }
    // One visit first, in another context, so the server's first-request costs are not counted;
    // the measured visit has a fresh browser cache.
    const warm = await open('/inbox', api.tokens.store);
    await warm.page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').nth(49).waitFor();
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    // Measured in the page, from the start of navigation to the 50th item in the document (an
    // init script watches the DOM; the page's CSP does not apply to it).
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
    await page.waitForFunction(() => (globalThis as { renderedAt?: number }).renderedAt !== undefined);
    const ms = await page.evaluate(() => (globalThis as { renderedAt?: number }).renderedAt ?? Number.NaN);
    console.log(`first render of a 50-conversation inbox: ${Math.round(ms)} ms`);
    // A sanity bound only: the 1 s budget is measured by `pnpm bench:inbox` (docs/benchmarks.md),
    // since CI runs the other test files in parallel on the same cores. This catches a render
    // that became slow by a wide margin.
    expect(ms).toBeLessThan(5000);
  }, 120_000);

  it('shows one pane at a time on a 390×844 screen', async () => {
    const { page } = await open('/inbox', api.tokens.store, { width: 390, height: 844 });
    const list = page.getByRole('list', { name: 'Conversations' });
    const item = list.getByRole('link', { name: new RegExp(SUBJECT) });
    await item.waitFor();
    expect(await page.getByRole('log', { name: 'Messages' }).count()).toBe(0);
    await item.click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.waitFor();
    expect(await list.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await list.waitFor();
    expect(await log.isVisible()).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
