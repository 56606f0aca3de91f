import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { InMemoryPeopleDirectory } from '../../kernel/testing/in-memory-people-directory.js';
import { InMemorySettingsStore } from '../../kernel/testing/in-memory-settings-store.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { InMemoryMessagingStore } from '../../testing/in-memory-messaging-store.js';
import { createMessagingCore } from '../messaging-core.js';
import { COMMUNITY_GROUP_MAX, communityPolicy } from '../policy/community-policy.js';

// The community preset through the core, on the in-memory store: groups (sizes, roles, later
// joiners, rename, leave) and support handled by the admins of a community as a team.

const NORTH = 'north-high';
const SOUTH = 'south-high';
const person = (type: string, id: string, tenantId = NORTH): Actor => ({ type, id, tenantId });
const ana = person('student', 'ana');
const ben = person('student', 'ben');
const cy = person('student', 'cy');
const mia = person('mentor', 'mia');
const ada = person('admin', 'ada');
const alo = person('admin', 'alo');
const sol = person('student', 'sol', SOUTH);
const sam = person('admin', 'sam', SOUTH);
const ref = (a: Actor) => ({ type: a.type, id: a.id });

async function world() {
  const clock = new FixedClock(new Date('2026-03-01T08:00:00.000Z'), { autoAdvanceMs: 1000 });
  const store = new InMemoryMessagingStore();
  const directory = new InMemoryPeopleDirectory();
  const at = clock.now();
  await directory.upsertTenant({ id: NORTH, name: 'North High' }, at);
  await directory.upsertTenant({ id: SOUTH, name: 'South High' }, at);
  const names: Record<string, string> = {
    ana: 'Ana',
    ben: 'Ben',
    cy: 'Cy',
    mia: 'Mia',
    ada: 'Ada',
    alo: 'Alo',
  };
  for (const p of [ana, ben, cy, mia, ada, alo, sol, sam])
    await directory.upsertPerson(
      { type: p.type, id: p.id, name: names[p.id] ?? p.id, email: null, locale: 'en', tenantId: p.tenantId },
      at,
    );
  const core = createMessagingCore({
    store,
    directory,
    settings: new InMemorySettingsStore(),
    policy: communityPolicy,
    clock,
    ids: new SequentialIds('id'),
  });
  return { core, store, directory, clock };
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; field?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isMessagingError(error))
      return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
    throw error;
  }
  throw new Error('expected a MessagingError');
}

describe('community groups', () => {
  it('a mentor creates a group of three: the creator is its admin; a student may not create one', async () => {
    const { core } = await world();
    const detail = await core.createConversation(mia, {
      conversationType: 'group',
      subject: 'Algebra',
      participants: [ref(ana), ref(ben)],
      initialMessage: 'Welcome',
    });
    const roles = Object.fromEntries(detail.participants.map((p) => [p.ref.id, p.role]));
    expect(roles).toEqual({ mia: 'admin', ana: 'member', ben: 'member' });
    expect(
      await failure(
        core.createConversation(ana, {
          conversationType: 'group',
          subject: 'x',
          participants: [ref(ben), ref(cy)],
        }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('keeps the size limits: at least 3, at most 500', async () => {
    const { core, directory, clock } = await world();
    expect(
      await failure(
        core.createConversation(mia, {
          conversationType: 'group',
          subject: 'Pair',
          participants: [ref(ana)],
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'participants' });
    const many: Actor[] = [];
    for (let i = 0; i < COMMUNITY_GROUP_MAX; i++) {
      const s = person('student', `s${String(i).padStart(3, '0')}`);
      many.push(s);
      await directory.upsertPerson(
        { type: s.type, id: s.id, name: s.id, email: null, locale: 'en', tenantId: NORTH },
        clock.now(),
      );
    }
    expect(
      await failure(
        core.createConversation(mia, {
          conversationType: 'group',
          subject: 'Too many',
          participants: many.map(ref),
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'participants' });
    const full = await core.createConversation(mia, {
      conversationType: 'group',
      subject: 'Whole year',
      participants: many.slice(0, COMMUNITY_GROUP_MAX - 1).map(ref),
    });
    expect(full.participants).toHaveLength(COMMUNITY_GROUP_MAX);
    expect(
      await failure(
        core.addParticipants(mia, { conversationId: full.conversation.id, participants: [ref(ana)] }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'participants' });
  });

  it('a later joiner sees the history from their join on; roles, rename and leave work as the policy says', async () => {
    const { core } = await world();
    const { conversation } = await core.createConversation(mia, {
      conversationType: 'group',
      subject: 'Algebra',
      participants: [ref(ana), ref(ben)],
      initialMessage: 'Before Cy',
    });
    const id = conversation.id;
    // A member may not add; the group admin may.
    expect(
      await failure(core.addParticipants(ana, { conversationId: id, participants: [ref(cy)] })),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
    await core.addParticipants(mia, { conversationId: id, participants: [ref(cy)] });
    await core.sendMessage(ben, { conversationId: id, content: 'After Cy' });
    const seen = await core.getConversation(cy, id);
    expect(seen.messages.filter((m) => !m.isSystemMessage).map((m) => m.content)).toEqual(['After Cy']);
    const anaSees = await core.getConversation(ana, id);
    expect(anaSees.messages.filter((m) => !m.isSystemMessage).map((m) => m.content)).toEqual([
      'Before Cy',
      'After Cy',
    ]);

    // Rename: members may not, the group admin may; a system message and an event say so.
    expect(await failure(core.renameConversation(ana, id, 'Mine now'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await failure(core.renameConversation(mia, id, '   '))).toMatchObject({
      code: 'VALIDATION',
      field: 'subject',
    });
    const renamed = await core.renameConversation(mia, id, '  Algebra II ');
    expect(renamed.subject).toBe('Algebra II');
    const after = await core.getConversation(ana, id);
    expect(after.conversation.subject).toBe('Algebra II');
    expect(after.messages.at(-1)).toMatchObject({
      isSystemMessage: true,
      content: 'Mia renamed the conversation to “Algebra II”',
    });

    // Roles: the admin makes Ana an admin, who may then rename and remove.
    await core.changeParticipantRole(mia, { conversationId: id, participant: ref(ana), role: 'admin' });
    await core.renameConversation(ana, id, 'Algebra III');
    await core.removeParticipant(ana, { conversationId: id, participant: ref(cy) });
    expect(await failure(core.getConversation(cy, id))).toMatchObject({ code: 'NOT_FOUND' });

    // Removing below the minimum is refused; leaving never is (nobody is held in a conversation).
    expect(
      await failure(core.removeParticipant(ana, { conversationId: id, participant: ref(ben) })),
    ).toMatchObject({
      code: 'VALIDATION',
    });
    await core.leaveConversation(ben, { conversationId: id });
    expect(await failure(core.getConversation(ben, id))).toMatchObject({ code: 'NOT_FOUND' });
    const members = (await core.getConversation(mia, id)).participants.map((p) => p.ref.id).sort();
    expect(members).toEqual(['ana', 'mia']);
  });

  it('a community admin who is not a member sees nothing of a group', async () => {
    const { core } = await world();
    const { conversation } = await core.createConversation(mia, {
      conversationType: 'group',
      subject: 'Private',
      participants: [ref(ana), ref(ben)],
    });
    expect(await failure(core.getConversation(ada, conversation.id))).toEqual({
      code: 'NOT_FOUND',
      message: `conversation ${conversation.id} not found`,
    });
    expect((await core.listConversations(ada)).conversations).toEqual([]);
  });
});

describe('community support, handled by the admins as a team', () => {
  async function ticket() {
    const w = await world();
    const detail = await w.core.createConversation(ben, {
      conversationType: 'support',
      subject: 'Cannot log in',
      participants: [],
      initialMessage: 'My password reset link expired',
    });
    return { ...w, id: detail.conversation.id };
  }

  it('is opened alone by a student or a mentor, never by an admin nor with someone', async () => {
    const { core, id } = await ticket();
    const mine = await core.getConversation(ben, id);
    expect(mine.participants.map((p) => [p.ref.id, p.role])).toEqual([['ben', 'requester']]);
    expect(
      await failure(
        core.createConversation(ada, { conversationType: 'support', subject: 'x', participants: [] }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await failure(
        core.createConversation(ana, { conversationType: 'support', subject: 'x', participants: [ref(ada)] }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'participants' });
  });

  it("lists in every admin's inbox of the community, unread until the team answers; another community's admin never sees it", async () => {
    const { core, id } = await ticket();
    for (const admin of [ada, alo]) {
      const inbox = await core.listConversations(admin);
      expect(inbox.conversations.map((c) => [c.conversation.id, c.unreadCount])).toEqual([[id, 1]]);
      expect(inbox.total).toBe(1);
      expect(inbox.totalUnread).toBe(1);
      expect((await core.getUnreadCount(admin)).totalUnread).toBe(1);
      expect((await core.listConversations(admin, { unreadOnly: true })).conversations).toHaveLength(1);
      expect(
        (await core.listConversations(admin, { conversationType: 'direct' })).conversations,
      ).toHaveLength(0);
    }
    expect((await core.listConversations(sam)).conversations).toEqual([]);
    expect((await core.getUnreadCount(sam)).totalUnread).toBe(0);
    expect(await failure(core.getConversation(sam, id))).toEqual({
      code: 'NOT_FOUND',
      message: `conversation ${id} not found`,
    });
    expect(await failure(core.sendMessage(sam, { conversationId: id, content: 'hi' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(core.closeConversation(sam, id))).toMatchObject({ code: 'NOT_FOUND' });
    // Students and mentors are on no team: another student's ticket does not exist for them.
    expect(await failure(core.getConversation(ana, id))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await core.listConversations(mia)).conversations).toEqual([]);
  });

  it('an admin views without joining, answers without being added (no system message), and the team sees it answered', async () => {
    const { core, store, id } = await ticket();
    const viewed = await core.getConversation(ada, id);
    expect(viewed.unreadCount).toBe(1);
    expect(viewed.participants.map((p) => p.ref.id)).toEqual(['ben']);
    expect(await store.participants.find(id, ada)).toBeNull();

    const sent = await core.sendMessage(ada, { conversationId: id, content: 'I sent you a new link' });
    expect(sent.message.senderName).toBe('Ada');
    const membership = await store.participants.find(id, ada);
    expect(membership).toMatchObject({ role: 'agent', unreadCount: 0, visibleFromSeq: 1 });
    const thread = await core.getConversation(ben, id);
    expect(thread.messages.map((m) => [m.isSystemMessage, m.content])).toEqual([
      [false, 'My password reset link expired'],
      [false, 'I sent you a new link'],
    ]);
    expect(thread.unreadCount).toBe(1);

    // Alo, who has not joined: nothing waits for the team any more.
    const alos = await core.listConversations(alo);
    expect(alos.conversations.map((c) => [c.conversation.id, c.unreadCount])).toEqual([[id, 0]]);
    expect(alos.totalUnread).toBe(0);
    // Ben answers: it waits for the team again — for Alo as a stand-in, for Ada as a member.
    await core.sendMessage(ben, { conversationId: id, content: 'Thanks, it works' });
    expect((await core.getUnreadCount(alo)).totalUnread).toBe(1);
    expect((await core.getUnreadCount(ada)).totalUnread).toBe(1);
    const adas = await core.listConversations(ada);
    expect(adas.conversations).toHaveLength(1);
    expect(adas.total).toBe(1);

    // Alo reads it: joins as an agent, read up to the latest.
    const read = await core.markConversationRead(alo, id);
    expect(read.unreadCount).toBe(0);
    expect(await store.participants.find(id, alo)).toMatchObject({ role: 'agent' });
    expect((await core.getConversation(ben, id)).messages.filter((m) => m.isSystemMessage)).toEqual([]);
  });

  it('reading the detail with markRead joins the team member; the answer and the join are events', async () => {
    const { core, store, id } = await ticket();
    const detail = await core.getConversation(alo, id, { markRead: true });
    expect(detail.unreadCount).toBe(0);
    expect(detail.participants.map((p) => [p.ref.id, p.role]).sort()).toEqual([
      ['alo', 'agent'],
      ['ben', 'requester'],
    ]);
    expect(await store.participants.find(id, alo)).not.toBeNull();
  });

  it('two first answers (and reads) of the same admin at once: both succeed, one membership', async () => {
    const { core, store, id } = await ticket();
    const [a, b] = await Promise.all([
      core.sendMessage(ada, { conversationId: id, content: 'One' }),
      core.sendMessage(ada, { conversationId: id, content: 'Two' }),
    ]);
    expect([a.message.content, b.message.content].sort()).toEqual(['One', 'Two']);
    await Promise.all([
      core.markConversationRead(alo, id),
      core.getConversation(alo, id, { markRead: true }),
    ]);
    const members = await store.participants.listByConversation(id);
    expect(members.map((m) => [m.participant.id, m.role])).toEqual([
      ['ada', 'agent'],
      ['alo', 'agent'],
      ['ben', 'requester'],
    ]);
  });

  it('admins close and reopen it without joining; the requester may too; closed it refuses answers', async () => {
    const { core, store, id } = await ticket();
    const closed = await core.closeConversation(alo, id);
    expect(closed).toMatchObject({ isClosed: true, closedBy: { type: 'admin', id: 'alo' } });
    expect(await store.participants.find(id, alo)).toBeNull();
    expect(await failure(core.sendMessage(ada, { conversationId: id, content: 'late' }))).toMatchObject({
      code: 'CONVERSATION_CLOSED',
    });
    // The refused answer did not make Ada a member either.
    expect(await store.participants.find(id, ada)).toBeNull();
    expect((await core.listConversations(ada, { isClosed: true })).conversations).toHaveLength(1);
    await core.reopenConversation(ben, id);
    await core.closeConversation(ben, id);
    await core.reopenConversation(ada, id);
    expect((await core.getConversation(ben, id)).conversation.isClosed).toBe(false);
  });

  it('an admin renames a support request without joining', async () => {
    const { core, store, id } = await ticket();
    const renamed = await core.renameConversation(ada, id, 'Password reset');
    expect(renamed.subject).toBe('Password reset');
    expect(await store.participants.find(id, ada)).toBeNull();
    expect(await failure(core.renameConversation(ben, id, 'Mine'))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("pages an admin's inbox over memberships and team conversations alike, each once", async () => {
    const { core } = await world();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = await core.createConversation(i % 2 === 0 ? ben : mia, {
        conversationType: 'support',
        subject: `Ticket ${i}`,
        participants: [],
        initialMessage: `Help ${i}`,
      });
      ids.push(d.conversation.id);
    }
    const direct = await core.createConversation(ana, {
      conversationType: 'direct',
      subject: 'Hello',
      participants: [ref(ada)],
      initialMessage: 'Hi Ada',
    });
    ids.push(direct.conversation.id);
    await core.sendMessage(ada, { conversationId: ids[1] ?? '', content: 'On it' });
    const seen: string[] = [];
    let page = await core.listConversations(ada, { limit: 2 });
    seen.push(...page.conversations.map((c) => c.conversation.id));
    while (page.nextCursor) {
      page = await core.listConversations(ada, { limit: 2, cursor: page.nextCursor });
      seen.push(...page.conversations.map((c) => c.conversation.id));
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen[0]).toBe(ids[1]);
    expect(page.total).toBe(6);
  });
});
