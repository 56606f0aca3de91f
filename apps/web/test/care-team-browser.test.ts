import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRun, launchChromium, seriousAxeViolations } from './support/chromium.js';
import { type ComposedInbox, composedInbox } from './support/composed-inbox.js';

// The care-team's inbox (`PARLEY_PRESET=care-team`): one entry per counterpart, named with their
// role; per-message read state with its time; never closed; an admin who monitors a conversation
// reads it without a composer. The demo: Dr Kim wrote to Uma, Uma and Theo talk.

/** A 1×1 PNG: the API decodes it and makes a thumbnail. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

interface Opened {
  readonly page: Page;
  /** Content-Security-Policy violations the page reported, and answers of 404 it got. */
  readonly problems: string[];
}

describe.skipIf(!browserTestsRun())('the care-team inbox in a browser', () => {
  let api: ComposedInbox;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const token = (type: string, id: string) => api.tokenFor(type, id);

  async function open(
    path: string,
    bearer: string,
    viewport = { width: 1200, height: 800 },
  ): Promise<Opened> {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    // The page's own files (the favicon too); the API's answers are the calls' business.
    page.on('response', (response) => {
      if (response.status() === 404 && !new URL(response.url()).pathname.startsWith('/api/'))
        problems.push(`404 ${response.url()}`);
    });
    await page.goto(`${api.url}${path}#token=${bearer}`);
    return { page, problems };
  }

  /** The id of the conversation `who` has with the given subject, through the API. */
  async function conversationId(bearer: string, subject: string): Promise<string> {
    const answer = await fetch(`${api.url}/api/v1/conversations?limit=100`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    const { conversations } = (await answer.json()) as { conversations: { id: string; subject: string }[] };
    const found = conversations.find((c) => c.subject === subject);
    if (!found) throw new Error(`no conversation "${subject}"`);
    return found.id;
  }

  beforeAll(async () => {
    const webDir = fileURLToPath(new URL('..', import.meta.url));
    if (!existsSync(`${webDir}/dist/index.html`)) await build({ root: webDir, logLevel: 'warn' });
    [api, browser] = await Promise.all([composedInbox({ PARLEY_PRESET: 'care-team' }), launchChromium()]);
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('a user: one entry per counterpart with their role, nothing to close, / searches', async () => {
    const { page, problems } = await open('/inbox', await token('user', 'uma'));
    const list = page.getByRole('list', { name: 'Conversations' });
    await list
      .getByRole('listitem', { name: /^Your lab results — Dr Kim Clinician \(Clinician\)/ })
      .waitFor();
    await list.getByRole('listitem', { name: /^Next session — Theo Therapist \(Therapist\)/ }).waitFor();
    await page.getByText('User', { exact: true }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Status' }).count()).toBe(0);

    // `/` goes to the search box; it keeps the matching conversations.
    await page.locator('body').click();
    await page.keyboard.press('/');
    const search = page.getByRole('searchbox', { name: 'Search conversations' });
    await expect.poll(() => search.evaluate((input) => input === document.activeElement)).toBe(true);
    await page.keyboard.type('lab');
    await list.getByRole('listitem', { name: /^Next session/ }).waitFor({ state: 'detached' });
    expect(await list.getByRole('listitem').count()).toBe(1);
    await search.fill('');

    await list.getByRole('link', { name: /Your lab results/ }).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('Everything looks fine.').waitFor();
    expect(await page.getByRole('button', { name: 'Close conversation' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // No favicon or asset is missing, and the policy held.
    expect(problems).toEqual([]);
  });

  it('per-message read state: the clinician sees when the user read each message, live', async () => {
    const kim = await open('/inbox', await token('clinician', 'dr.kim'));
    await kim.page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Your lab results/ })
      .click();
    const log = kim.page.getByRole('log', { name: 'Messages' });
    // Uma answered after it: she read it, and when shows under it.
    const first = log.getByRole('listitem').filter({ hasText: 'your lab results are in' });
    await first.getByText(/^Read \d{1,2}:\d{2}/).waitFor();

    await kim.page.getByRole('textbox', { name: 'Message' }).fill('Please book a follow-up.');
    await kim.page.keyboard.press('Enter');
    const followUp = log.getByRole('listitem').filter({ hasText: 'Please book a follow-up.' });
    await followUp.getByText(/^(Sent|Delivered)$/).waitFor();

    // Uma opens it in her own browser: Kim's mark turns to "Read" with the time, without a reload.
    const uma = await open('/inbox', await token('user', 'uma'));
    await uma.page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('listitem', { name: /^Your lab results.*1 unread/ })
      .getByRole('link')
      .click();
    await uma.page.getByRole('log', { name: 'Messages' }).getByText('Please book a follow-up.').waitFor();
    await followUp.getByText(/^Read \d{1,2}:\d{2}/).waitFor();
    expect(await seriousAxeViolations(kim.page)).toEqual([]);
    expect([...kim.problems, ...uma.problems]).toEqual([]);
  }, 120_000);

  it('an image opens larger in a dialog; Escape closes it and focus goes back to the thumbnail', async () => {
    const { page, problems } = await open('/inbox', await token('therapist', 'theo'));
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Next session/ })
      .click();
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'room-plan.png', mimeType: 'image/png', buffer: PNG });
    await page.getByRole('button', { name: 'Send' }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    const thumbnail = log.getByRole('button', { name: 'room-plan.png', exact: true });
    await thumbnail.waitFor();
    await log.getByRole('img', { name: 'room-plan.png' }).waitFor();
    await thumbnail.click();
    const viewer = page.getByRole('dialog', { name: 'Image: room-plan.png' });
    await viewer.getByRole('img', { name: 'room-plan.png' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    await expect.poll(() => thumbnail.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(problems).toEqual([]);
  }, 120_000);

  it('the admin: a monitoring read of a conversation, without a composer', async () => {
    const id = await conversationId(await token('user', 'uma'), 'Next session');
    const { page, problems } = await open(`/inbox/c/${id}`, api.tokens.admin);
    await page.getByText('Admin', { exact: true }).waitFor();
    await page.getByRole('log', { name: 'Messages' }).getByText('Friday at 10 works.').waitFor();
    await page.getByText('You are not a member of this conversation: you can read it, not reply.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Close conversation' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('a therapist starts a conversation from "New conversation"; it arrives live for the user', async () => {
    const ulysses = await open('/inbox', await token('user', 'ulysses'));
    const list = ulysses.page.getByRole('list', { name: 'Conversations' });
    // Ulysses has no conversation yet.
    await ulysses.page.getByText('No conversations yet.').waitFor();

    const { page, problems } = await open('/inbox', await token('therapist', 'theo'));
    await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first().waitFor();
    await page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    // Therapists write to anyone: every role is offered.
    for (const kind of ['Therapist', 'Clinician', 'User', 'Admin'])
      await dialog.getByRole('radio', { name: kind, exact: true }).waitFor();
    await dialog.getByRole('radio', { name: 'User', exact: true }).check();
    await dialog.getByRole('searchbox', { name: 'Search recipients' }).fill('uly');
    await dialog.getByRole('radio', { name: /^Ulysses User/ }).check();
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Check-in');
    await dialog.getByRole('textbox', { name: 'First message' }).fill('How was your week?');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Start conversation' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('log', { name: 'Messages' }).getByText('How was your week?').waitFor();
    // Ulysses' open inbox: the new counterpart appears, unread, without a reload.
    await list
      .getByRole('listitem', { name: /^Check-in — Theo Therapist \(Therapist\).*, 1 unread$/ })
      .waitFor();
    expect([...problems, ...ulysses.problems]).toEqual([]);
  }, 120_000);

  it('a user is offered no clinician to start with, and a refusal of the API is named in the dialog', async () => {
    const { page, problems } = await open('/inbox', await token('user', 'uma'));
    const opener = page.getByRole('button', { name: 'New conversation' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    for (const kind of ['Therapist', 'User', 'Admin'])
      await dialog.getByRole('radio', { name: kind, exact: true }).waitFor();
    // Users only reply to clinicians: the kind is absent, not offered and then refused.
    expect(await dialog.getByRole('radio', { name: 'Clinician', exact: true }).count()).toBe(0);
    // Ulysses blocked Uma: the API refuses, the dialog says why and stays open.
    await dialog.getByRole('radio', { name: 'User', exact: true }).check();
    await dialog.getByRole('radio', { name: /^Ulysses User/ }).check();
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Hello');
    await dialog.getByRole('button', { name: 'Start conversation' }).click();
    await dialog.getByRole('alert').getByText('You have been blocked by this user').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => opener.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(problems).toEqual([]);
  }, 120_000);

  it('on a 390×844 screen: one pane at a time, and the "New conversation" dialog fits', async () => {
    const { page, problems } = await open('/inbox', await token('clinician', 'dr.kim'), {
      width: 390,
      height: 844,
    });
    const list = page.getByRole('list', { name: 'Conversations' });
    const item = list.getByRole('link', { name: /Your lab results/ });
    await item.waitFor();
    expect(await page.getByRole('log', { name: 'Messages' }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await item.click();
    await page.getByRole('log', { name: 'Messages' }).waitFor();
    expect(await list.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await list.waitFor();
    await page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByRole('radio', { name: 'Therapist', exact: true }).waitFor();
    const box = await dialog.boundingBox();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 999) <= 390).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(problems).toEqual([]);
  }, 120_000);
  it('issue 14 in the care-team: edit with the Edited mark live, the history, message search, archive and back', async () => {
    const uma = await open('/inbox', await token('user', 'uma'));
    const theo = await open('/inbox', await token('therapist', 'theo'));
    const umaList = uma.page.getByRole('list', { name: 'Conversations' });
    await umaList.getByRole('link', { name: /Next session/ }).click();
    await uma.page.getByRole('textbox', { name: 'Message' }).fill('Could we move it to Thursdy?');
    await uma.page.keyboard.press('Enter');
    const umaLog = uma.page.getByRole('log', { name: 'Messages' });
    const mine = umaLog.locator('li.message.mine').last();
    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    await uma.page.getByRole('textbox', { name: 'Edit message' }).fill('Could we move it to Friday?');
    await uma.page.getByRole('button', { name: 'Save' }).click();
    await mine.getByRole('button', { name: 'Edited' }).waitFor();

    // Theo finds it by the full-text search and sees it edited, with its history.
    await theo.page.getByRole('searchbox', { name: 'Search conversations' }).fill('friday');
    await theo.page
      .getByRole('list', { name: 'Messages found' })
      .getByRole('link', { name: /move it to Friday/ })
      .click();
    const theirs = theo.page
      .getByRole('log', { name: 'Messages' })
      .getByRole('listitem')
      .filter({ hasText: 'Could we move it to Friday?' });
    await theirs.getByRole('button', { name: 'Edited' }).click();
    const history = theo.page.getByRole('dialog', { name: 'Edit history' });
    await history.getByRole('listitem', { name: 'Version 1 (as sent)' }).getByText('Thursdy').waitFor();
    expect(await seriousAxeViolations(theo.page)).toEqual([]);
    await theo.page.keyboard.press('Escape');
    await history.waitFor({ state: 'detached' });

    // Uma archives her lab results from the header; Dr Kim writes; it is back in her inbox.
    await umaList.getByRole('link', { name: /Your lab results/ }).click();
    await uma.page.getByRole('button', { name: 'Archive conversation' }).click();
    await umaList.getByRole('listitem', { name: /^Your lab results/ }).waitFor({ state: 'detached' });
    await uma.page.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Archived' });
    await umaList.getByRole('listitem', { name: /^Your lab results/ }).waitFor();
    await uma.page.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Inbox' });
    const id = await conversationId(await token('clinician', 'dr.kim'), 'Your lab results');
    await fetch(`${api.url}/api/v1/conversations/${id}/messages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token('clinician', 'dr.kim')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ content: 'One more result came in.' }),
    });
    await umaList.getByRole('listitem', { name: /^Your lab results/ }).waitFor();
    expect(await seriousAxeViolations(uma.page)).toEqual([]);
    expect([...uma.problems, ...theo.problems]).toEqual([]);
  }, 120_000);
});
