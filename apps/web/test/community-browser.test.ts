import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRun, launchChromium, seriousAxeViolations } from './support/chromium.js';
import { type ComposedInbox, composedInbox } from './support/composed-inbox.js';

// The community's inbox (`PARLEY_PRESET=community`, docs/community.md): direct conversations,
// groups with their members and roles (a group admin manages them), support requests the
// community's admins answer as a team. The demo (North High): Ana and Mia talk; Mia runs the
// algebra group with Ana, Ben and Max; Ben asked for support.

const SCHOOL = 'north-high';

interface Opened {
  readonly page: Page;
  readonly cspViolations: string[];
}

describe.skipIf(!browserTestsRun())('the community inbox in a browser', () => {
  let api: ComposedInbox;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function open(
    path: string,
    type: string,
    id: string,
    viewport = { width: 1200, height: 800 },
  ): Promise<Opened> {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`${api.url}${path}#token=${await api.tokenFor(type, id, SCHOOL)}`);
    return { page, cspViolations };
  }

  /** Starts a conversation through the generic API, as `type`/`id` of North High; answers its id. */
  async function startThroughApi(type: string, id: string, body: Record<string, unknown>): Promise<string> {
    const answer = await fetch(`${api.url}/api/v1/conversations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await api.tokenFor(type, id, SCHOOL)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(answer.status).toBe(201);
    return ((await answer.json()) as { id: string }).id;
  }

  beforeAll(async () => {
    const webDir = fileURLToPath(new URL('..', import.meta.url));
    if (!existsSync(`${webDir}/dist/index.html`)) await build({ root: webDir, logLevel: 'warn' });
    [api, browser] = await Promise.all([composedInbox({ PARLEY_PRESET: 'community' }), launchChromium()]);
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('a group admin: members with their roles, makes one an admin, removes one and adds them back, renames', async () => {
    const { page, cspViolations } = await open('/inbox', 'mentor', 'men-mia');
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByRole('listitem', { name: /^Essay feedback — Ana Student \(Student\)/ }).waitFor();
    // The type filter names the community's kinds.
    await page.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Groups' });
    await list.getByRole('listitem', { name: /^Essay feedback/ }).waitFor({ state: 'detached' });
    await list.getByRole('link', { name: /Algebra study group/ }).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('Welcome! We meet on Tuesdays.').waitFor();

    const opener = page.getByRole('button', { name: 'Members' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Members' });
    const members = dialog.getByRole('list', { name: 'Members' });
    await members.getByRole('listitem', { name: 'Mia Mentor (Mentor), admin' }).waitFor();
    await members.getByRole('listitem', { name: 'Max Mentor (Mentor), member' }).waitFor();
    expect(await members.getByRole('listitem').count()).toBe(4);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await dialog.getByRole('button', { name: 'Make Max Mentor an admin' }).click();
    await members.getByRole('listitem', { name: 'Max Mentor (Mentor), admin' }).waitFor();
    await dialog.getByRole('button', { name: 'Remove Ben Student' }).click();
    await members.getByRole('listitem', { name: /^Ben Student/ }).waitFor({ state: 'detached' });
    await dialog
      .getByRole('combobox', { name: 'Person to add' })
      .selectOption({ label: 'Ben Student (Student)' });
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await members.getByRole('listitem', { name: 'Ben Student (Student), member' }).waitFor();
    await dialog.getByRole('textbox', { name: 'Group name' }).fill('Algebra II study group');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await list.getByRole('listitem', { name: /^Algebra II study group/ }).waitFor();

    // Esc closes the dialog and focus goes back to "Members"; each change left a system message.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => opener.evaluate((button) => button === document.activeElement)).toBe(true);
    await page.getByRole('heading', { name: 'Algebra II study group' }).waitFor();
    expect(
      await page.getByRole('log', { name: 'Messages' }).locator('li.system').count(),
    ).toBeGreaterThanOrEqual(4);
    expect(cspViolations).toEqual([]);
  }, 120_000);

  it('a student: sees the group members without managing them, and opens a support request', async () => {
    const { page, cspViolations } = await open('/inbox', 'student', 'stu-ana');
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByRole('link', { name: /study group/ }).click();
    await page.getByRole('button', { name: 'Members' }).click();
    const dialog = page.getByRole('dialog', { name: 'Members' });
    await dialog
      .getByRole('list', { name: 'Members' })
      .getByRole('listitem', { name: /^Mia Mentor.*admin$/ })
      .waitFor();
    expect(await dialog.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Rename' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Leave group' }).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    // A direct conversation: a student may not close it.
    await list.getByRole('link', { name: /Essay feedback/ }).click();
    await page
      .getByRole('log', { name: 'Messages' })
      .getByText('Sure — send it over before Friday.')
      .waitFor();
    expect(await page.getByRole('button', { name: 'Close conversation' }).count()).toBe(0);

    await page.getByRole('button', { name: 'New support request' }).click();
    const request = page.getByRole('dialog', { name: 'New support request' });
    await request.getByRole('textbox', { name: 'Subject' }).fill('My quiz score is missing');
    await request.getByRole('textbox', { name: 'Describe the problem' }).fill('Quiz 3 shows no score.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await request.getByRole('button', { name: 'Send request' }).click();
    await request.waitFor({ state: 'detached' });
    await page.getByRole('log', { name: 'Messages' }).getByText('Quiz 3 shows no score.').waitFor();
    await list.getByRole('listitem', { name: /^My quiz score is missing — Support team/ }).waitFor();
    // The requester closes their own request.
    await page.getByRole('button', { name: 'Close conversation' }).waitFor();
    expect(cspViolations).toEqual([]);
  }, 120_000);

  it('a community admin: answers a support request as the team and closes it; groups stay private', async () => {
    const { page, cspViolations } = await open('/inbox', 'admin', 'adm-ada');
    await page.getByText('Community admin', { exact: true }).waitFor();
    const list = page.getByRole('list', { name: 'Conversations' });
    const ticket = list.getByRole('listitem', {
      name: /^Cannot open the course page — Ben Student \(Student\)/,
    });
    await ticket.waitFor();
    expect(await list.getByRole('listitem', { name: /study group/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New support request' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await ticket.getByRole('link').click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('The algebra course page shows an error.').waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Fixed: try again now.');
    await page.getByRole('button', { name: 'Send' }).click();
    await log
      .getByRole('listitem')
      .filter({ hasText: 'Fixed: try again now.' })
      .getByText(/^(Sent|Delivered)$/)
      .waitFor();
    await page.getByRole('button', { name: 'Close conversation' }).click();
    await page.getByRole('button', { name: 'Reopen conversation' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(cspViolations).toEqual([]);
  }, 120_000);

  it('a student starts a direct conversation from "New conversation"; it arrives live for the other', async () => {
    const ben = await open('/inbox', 'student', 'stu-ben');
    const benList = ben.page.getByRole('list', { name: 'Conversations' });
    await benList.getByRole('listitem').first().waitFor();

    const { page, cspViolations } = await open('/inbox', 'student', 'stu-ana');
    const opener = page.getByRole('button', { name: 'New conversation' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    // A student starts direct conversations only (no "Group"), with anyone of their school.
    await dialog.getByRole('radio', { name: 'Student', exact: true }).waitFor();
    expect(await dialog.getByRole('radio', { name: 'Group', exact: true }).count()).toBe(0);
    for (const kind of ['Mentor', 'Community admin'])
      await dialog.getByRole('radio', { name: kind, exact: true }).waitFor();
    const search = dialog.getByRole('searchbox', { name: 'Search recipients' });
    // Sol studies at South High: never offered.
    await search.fill('Sol');
    await dialog.getByText('No one found.').waitFor();
    await search.fill('ben');
    await dialog.getByRole('radio', { name: /^Ben Student/ }).check();
    await dialog.getByRole('textbox', { name: 'Subject' }).fill('Lab partners?');
    await dialog.getByRole('textbox', { name: 'First message' }).fill('Want to pair up for the lab?');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Start conversation' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('log', { name: 'Messages' }).getByText('Want to pair up for the lab?').waitFor();
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('listitem', { name: /^Lab partners\? — Ben Student \(Student\)/ })
      .waitFor();
    // Ben's open inbox shows it without a reload, unread (Ana is online: the name says so).
    await benList
      .getByRole('listitem', { name: /^Lab partners\? — Ana Student \(Student\).*, 1 unread$/ })
      .waitFor();
    expect([...cspViolations, ...ben.cspViolations]).toEqual([]);
  }, 120_000);

  it('a mentor starts a group of people found by kind, with a name; the members see it live', async () => {
    const ana = await open('/inbox', 'student', 'stu-ana');
    const anaList = ana.page.getByRole('list', { name: 'Conversations' });
    await anaList.getByRole('listitem').first().waitFor();

    const { page, cspViolations } = await open('/inbox', 'mentor', 'men-mia');
    await page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByRole('radio', { name: 'Group', exact: true }).check();
    await dialog.getByRole('radio', { name: 'Student', exact: true }).check();
    await dialog.getByRole('checkbox', { name: /^Ana Student/ }).check();
    await dialog.getByRole('checkbox', { name: /^Ben Student/ }).check();
    await dialog.getByRole('radio', { name: 'Mentor', exact: true }).check();
    await dialog.getByRole('checkbox', { name: /^Max Mentor/ }).check();
    const chosen = dialog.getByRole('list', { name: 'In the group' });
    await expect.poll(() => chosen.getByRole('listitem').count()).toBe(3);
    await dialog.getByRole('button', { name: 'Remove Max Mentor' }).click();
    await expect.poll(() => chosen.getByRole('listitem').count()).toBe(2);
    // A group needs a name (not a subject).
    await dialog.getByRole('button', { name: 'Start group' }).click();
    await dialog.getByRole('alert').getByText('Write a group name.').waitFor();
    await dialog.getByRole('textbox', { name: 'Group name' }).fill('Chemistry club');
    await dialog.getByRole('textbox', { name: 'First message' }).fill('First meeting on Monday.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Start group' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('log', { name: 'Messages' }).getByText('First meeting on Monday.').waitFor();
    await page.getByRole('heading', { name: 'Chemistry club' }).waitFor();
    await page.getByRole('button', { name: 'Members' }).click();
    const members = page.getByRole('dialog', { name: 'Members' }).getByRole('list', { name: 'Members' });
    await members.getByRole('listitem', { name: 'Mia Mentor (Mentor), admin' }).waitFor();
    await members.getByRole('listitem', { name: 'Ana Student (Student), member' }).waitFor();
    await members.getByRole('listitem', { name: 'Ben Student (Student), member' }).waitFor();
    expect(await members.getByRole('listitem').count()).toBe(3);
    // Ana's open inbox shows the group without a reload.
    await anaList.getByRole('listitem', { name: /^Chemistry club/ }).waitFor();
    expect([...cspViolations, ...ana.cspViolations]).toEqual([]);
  }, 120_000);

  it('a group admin adds someone found by the search; a member leaves through "Leave group"', async () => {
    const id = await startThroughApi('mentor', 'men-mia', {
      conversation_type: 'group',
      subject: 'Book club',
      participants: [
        { type: 'student', id: 'stu-ana' },
        { type: 'student', id: 'stu-ben' },
      ],
      initial_message: 'This month: Dune.',
    });
    // Mia never wrote to Alo Admin: only the search finds him.
    const mia = await open(`/inbox/c/${id}`, 'mentor', 'men-mia');
    await mia.page.getByRole('log', { name: 'Messages' }).getByText('This month: Dune.').waitFor();
    await mia.page.getByRole('button', { name: 'Members' }).click();
    const dialog = mia.page.getByRole('dialog', { name: 'Members' });
    const people = dialog.getByRole('combobox', { name: 'Person to add' });
    await dialog.getByRole('searchbox', { name: 'Search people to add' }).fill('alo');
    await expect
      .poll(() => people.getByRole('option', { name: 'Alo Admin (Community admin)' }).count())
      .toBe(1);
    await people.selectOption({ label: 'Alo Admin (Community admin)' });
    await dialog.getByRole('button', { name: 'Add member' }).click();
    const members = dialog.getByRole('list', { name: 'Members' });
    await members.getByRole('listitem', { name: 'Alo Admin (Community admin), member' }).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();

    const ben = await open(`/inbox/c/${id}`, 'student', 'stu-ben');
    const benList = ben.page.getByRole('list', { name: 'Conversations' });
    await benList.getByRole('listitem', { name: /^Book club/ }).waitFor();
    await ben.page.getByRole('button', { name: 'Members' }).click();
    const own = ben.page.getByRole('dialog', { name: 'Members' });
    expect(await seriousAxeViolations(ben.page)).toEqual([]);
    await own.getByRole('button', { name: 'Leave group' }).click();
    await own.waitFor({ state: 'detached' });
    await benList.getByRole('listitem', { name: /^Book club/ }).waitFor({ state: 'detached' });
    // The others see him go: the system message and the members, live.
    await mia.page.getByRole('log', { name: 'Messages' }).getByText('Ben Student left').waitFor();
    await mia.page.getByRole('button', { name: 'Members' }).click();
    await members.getByRole('listitem', { name: /^Ana Student/ }).waitFor();
    expect(await members.getByRole('listitem', { name: /^Ben Student/ }).count()).toBe(0);
    expect([...mia.cspViolations, ...ben.cspViolations]).toEqual([]);
  }, 120_000);

  it('on a 390×844 screen: the header fits, "New conversation" opens a dialog that fits; Esc closes it', async () => {
    const { page, cspViolations } = await open('/inbox', 'mentor', 'men-max', { width: 390, height: 844 });
    await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first().waitFor();
    const opener = page.getByRole('button', { name: 'New conversation' });
    expect(await opener.isVisible()).toBe(true);
    await page.getByRole('button', { name: 'New support request' }).waitFor();
    // Nothing sticks out sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByRole('radio', { name: 'Group', exact: true }).check();
    await dialog.getByRole('checkbox', { name: /^Ana Student/ }).waitFor();
    const box = await dialog.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 999) <= 390).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => opener.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(cspViolations).toEqual([]);
  }, 120_000);
  it('issue 14 in the community: a group message edited live with its history, message search, archive and back', async () => {
    const id = await startThroughApi('mentor', 'men-mia', {
      conversation_type: 'group',
      subject: 'Chemistry revision',
      participants: [
        { type: 'student', id: 'stu-ana' },
        { type: 'student', id: 'stu-ben' },
      ],
      initial_message: 'We meet in the libary on Tuesday.',
    });
    const mia = await open(`/inbox/c/${id}`, 'mentor', 'men-mia');
    const ana = await open(`/inbox/c/${id}`, 'student', 'stu-ana');
    const anaLog = ana.page.getByRole('log', { name: 'Messages' });
    await anaLog.getByText('We meet in the libary on Tuesday.').waitFor();
    await ana.page.locator('.inbox[data-connection="online"]').waitFor();

    const hers = mia.page.getByRole('log', { name: 'Messages' }).locator('li.message.mine').first();
    await hers.getByRole('button', { name: 'Edit', exact: true }).click();
    await mia.page.getByRole('textbox', { name: 'Edit message' }).fill('We meet in the library on Tuesday.');
    await mia.page.getByRole('button', { name: 'Save' }).click();
    await hers.getByRole('button', { name: 'Edited' }).waitFor();

    // Ana sees the new text and the mark live, and the versions.
    const seen = anaLog.getByRole('listitem').filter({ hasText: 'We meet in the library on Tuesday.' });
    await seen.getByRole('button', { name: 'Edited' }).click();
    const history = ana.page.getByRole('dialog', { name: 'Edit history' });
    await history.getByRole('listitem', { name: 'Version 1 (as sent)' }).getByText('libary').waitFor();
    expect(await seriousAxeViolations(ana.page)).toEqual([]);
    await ana.page.keyboard.press('Escape');
    await history.waitFor({ state: 'detached' });

    // She finds it by the search box, then archives the group; Mia's next message brings it back.
    await ana.page.getByRole('searchbox', { name: 'Search conversations' }).fill('library tuesday');
    await ana.page
      .getByRole('list', { name: 'Messages found' })
      .getByRole('link', { name: /Chemistry revision/ })
      .waitFor();
    await ana.page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
    const list = ana.page.getByRole('list', { name: 'Conversations' });
    const item = list.getByRole('listitem', { name: /^Chemistry revision/ });
    await item.getByRole('button', { name: 'Archive Chemistry revision' }).click();
    await item.waitFor({ state: 'detached' });
    await mia.page.getByRole('textbox', { name: 'Message' }).fill('Bring your notes.');
    await mia.page.keyboard.press('Enter');
    await item.waitFor();
    expect([...mia.cspViolations, ...ana.cspViolations]).toEqual([]);
  }, 120_000);
});
