import {
  type Actor,
  careTeamDefinition,
  careTeamPolicy,
  communityDefinition,
  communityPolicy,
  createLiveFeed,
  createMessagingCore,
  type LiveDelivery,
  type LoggedEvent,
  marketplaceDefinition,
} from '@parley/messaging-core';
import {
  FixedClock,
  InMemoryMessagingStore,
  InMemoryPeopleDirectory,
  InMemorySettingsStore,
  inMemoryLiveAudience,
  SequentialIds,
} from '@parley/messaging-core/testing';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { LiveFrameWire } from '../schemas/realtime.js';
import { attachmentBaseFor, toLiveFrame } from './live-frames.js';

const frameChecker = Compile(LiveFrameWire);
const T = new Date('2026-03-01T08:00:00.000Z');

describe('live frames', () => {
  it('picks each audience’s own download routes: the marketplace facades, else the generic routes', () => {
    expect(attachmentBaseFor(marketplaceDefinition, 'admin')).toBe('/api/v1/admin/messages');
    expect(attachmentBaseFor(marketplaceDefinition, 'store')).toBe('/api/v1/store/messages');
    expect(attachmentBaseFor(marketplaceDefinition, 'customer')).toBe('/api/v1/storefront/messages');
    expect(attachmentBaseFor(communityDefinition, 'student')).toBe('/api/v1/conversations');
    expect(attachmentBaseFor(careTeamDefinition, 'admin')).toBe('/api/v1/conversations');
  });

  it('writes a message.sent in the wire style, with the viewer’s URLs and read state', () => {
    const event = {
      id: '42',
      position: { xid: '7', id: '42' },
      type: 'message.sent',
      tenantId: 'acme',
      conversationId: 'c1',
      actor: { type: 'admin', id: 'ada' },
      occurredAt: T,
      payload: {
        message_id: 'm1',
        seq: 3,
        sender: { type: 'admin', id: 'ada' },
        created_at: T.toISOString(),
        attachment_count: 1,
      },
    } as LoggedEvent;
    const sender = { type: 'admin', id: 'ada' };
    const delivery: LiveDelivery = {
      event,
      viewer: { type: 'customer', id: 'ana', tenantId: 'acme' },
      view: {
        kind: 'message.sent',
        message: {
          id: 'm1',
          conversationId: 'c1',
          seq: 3,
          sender,
          senderName: 'Ada',
          content: 'See attached',
          isSystemMessage: false,
          isDeleted: false,
          deletedAt: null,
          deletedBy: null,
          createdAt: T,
          editedAt: null,
          revision: 1,
          attachments: [
            {
              id: 'a1',
              messageId: 'm1',
              filename: 'a1.png',
              originalFilename: 'photo.png',
              filePath: 'uploads/a1.png',
              fileSize: 10,
              mimeType: 'image/png',
              isImage: true,
              imageWidth: 2,
              imageHeight: 2,
              thumbnailPath: 'uploads/a1.thumb.webp',
              createdAt: T,
            },
          ],
          receipts: { readBy: [], deliveredTo: [], readCount: 0, deliveredCount: 0 },
        },
        conversation: {
          messageCount: 3,
          lastMessageAt: T,
          lastMessage: {
            seq: 3,
            content: 'See attached',
            sender,
            isSystemMessage: false,
            isDeleted: false,
            createdAt: T,
          },
        },
        readState: { unreadCount: 2, lastReadSeq: 1, lastReadAt: null },
      },
    };
    const frame = toLiveFrame(delivery, attachmentBaseFor(marketplaceDefinition, 'customer'));
    expect(frame).toEqual({
      id: '42',
      type: 'message.sent',
      conversation_id: 'c1',
      occurred_at: '2026-03-01T08:00:00.000Z',
      data: {
        message: {
          id: 'm1',
          conversation_id: 'c1',
          seq: 3,
          sender_type: 'admin',
          sender_id: 'ada',
          sender_name: 'Ada',
          content: 'See attached',
          is_system_message: false,
          is_deleted: false,
          created_at: '2026-03-01T08:00:00.000Z',
          edited_at: null,
          revision: 1,
          attachments: [
            {
              id: 'a1',
              filename: 'a1.png',
              original_filename: 'photo.png',
              mime_type: 'image/png',
              file_size: 10,
              is_image: true,
              image_width: 2,
              image_height: 2,
              download_url: '/api/v1/storefront/messages/c1/attachments/a1',
              thumbnail_url: '/api/v1/storefront/messages/c1/attachments/a1/thumbnail',
              created_at: '2026-03-01T08:00:00.000Z',
            },
          ],
          read_by: [],
          delivered_to: [],
          read_count: 0,
          delivered_count: 0,
        },
        conversation: {
          message_count: 3,
          last_message_at: '2026-03-01T08:00:00.000Z',
          last_message: {
            seq: 3,
            content: 'See attached',
            sender_type: 'admin',
            sender_id: 'ada',
            created_at: '2026-03-01T08:00:00.000Z',
          },
        },
        read_state: { unread_count: 2, last_read_seq: 1, last_read_at: null },
      },
    });
    expect(frameChecker.Check(frame)).toBe(true);
  });

  async function frames(
    policy: typeof communityPolicy,
    people: readonly (Actor & { name: string })[],
    script: (core: ReturnType<typeof createMessagingCore>) => Promise<void>,
  ) {
    const store = new InMemoryMessagingStore();
    const directory = new InMemoryPeopleDirectory();
    const clock = new FixedClock(T, { autoAdvanceMs: 1000 });
    for (const tenant of new Set(people.map((p) => p.tenantId)))
      if (tenant !== null) await directory.upsertTenant({ id: tenant, name: tenant }, T);
    for (const p of people)
      await directory.upsertPerson(
        { type: p.type, id: p.id, name: p.name, email: null, locale: 'en', tenantId: p.tenantId },
        T,
      );
    const core = createMessagingCore({
      store,
      directory,
      settings: new InMemorySettingsStore(),
      policy,
      clock,
      ids: new SequentialIds('id'),
    });
    await script(core);
    const feed = createLiveFeed({ store, directory, policy, clock });
    const batch = await feed.next({ xid: '0', id: '0' }, inMemoryLiveAudience(people), 500);
    return batch.deliveries.map((d) => ({
      viewer: d.viewer.id,
      frame: toLiveFrame(d, attachmentBaseFor(policy.definition, d.viewer.type)),
    }));
  }

  it('every frame of a community script matches the documented schema', async () => {
    const north = (type: string, id: string) => ({ type, id, name: id.toUpperCase(), tenantId: 'north' });
    const [mia, ana, ben, cy, ada] = [
      north('mentor', 'mia'),
      north('student', 'ana'),
      north('student', 'ben'),
      north('student', 'cy'),
      north('admin', 'ada'),
    ];
    const out = await frames(communityPolicy, [mia!, ana!, ben!, cy!, ada!], async (core) => {
      const group = await core.createConversation(mia!, {
        conversationType: 'group',
        subject: 'Algebra',
        participants: [ana!, ben!].map(({ type, id }) => ({ type, id })),
        initialMessage: 'Welcome',
      });
      const id = group.conversation.id;
      await core.markConversationRead(ana!, id);
      await core.renameConversation(mia!, id, 'Algebra II');
      await core.addParticipants(mia!, { conversationId: id, participants: [{ type: 'student', id: 'cy' }] });
      await core.changeParticipantRole(mia!, {
        conversationId: id,
        participant: { type: 'student', id: 'cy' },
        role: 'admin',
      });
      await core.updatePreferences(ana!, id, { muted: true });
      await core.archiveConversation(ana!, id);
      await core.unarchiveConversation(ana!, id);
      const typo = await core.sendMessage(ana!, { conversationId: id, content: 'Thnaks' });
      await core.editMessage(ana!, { conversationId: id, messageId: typo.message.id, content: 'Thanks' });
      const sent = await core.sendMessage(ben!, { conversationId: id, content: 'oops' });
      await core.deleteMessage(ben!, id, sent.message.id);
      await core.closeConversation(mia!, id);
      await core.reopenConversation(mia!, id);
      await core.removeParticipant(mia!, { conversationId: id, participant: { type: 'student', id: 'ben' } });
    });
    const types = new Set(out.map((f) => f.frame.type));
    expect([...types].sort()).toEqual(
      [
        'conversation.archived',
        'conversation.unarchived',
        'message.updated',
        'conversation.closed',
        'conversation.created',
        'conversation.read',
        'conversation.renamed',
        'conversation.reopened',
        'message.deleted',
        'message.sent',
        'participant.added',
        'participant.preferences_updated',
        'participant.removed',
        'participant.role_changed',
      ].sort(),
    );
    for (const { frame } of out) expect(frameChecker.Check(frame), JSON.stringify(frame)).toBe(true);
    const cyAdded = out.find((f) => f.viewer === 'cy' && f.frame.type === 'participant.added');
    expect(cyAdded?.frame.data).toMatchObject({
      participant: { type: 'student', id: 'cy', role: 'member' },
      // Read "now": Ana's and Ben's later messages wait for Cy (Ben's deleted since, but counted until read).
      conversation: { subject: 'Algebra II', unread_count: 2 },
    });
    const anaRead = out.find((f) => f.viewer === 'ana' && f.frame.type === 'conversation.read');
    expect(anaRead?.frame.data).toMatchObject({
      participant: { type: 'student', id: 'ana', name: 'ANA' },
      last_read_seq: 1,
      read_state: { unread_count: 0, last_read_seq: 1 },
    });
    const miaUpdated = out.find((f) => f.viewer === 'mia' && f.frame.type === 'message.updated');
    expect(miaUpdated?.frame.data).toMatchObject({
      message: { content: 'Thanks', revision: 2, sender_id: 'ana' },
      revision: 2,
      previous_revision: 1,
    });
    expect(out.filter((f) => f.frame.type === 'conversation.archived').map((f) => f.viewer)).toEqual(['ana']);
    const miaRead = out.find((f) => f.viewer === 'mia' && f.frame.type === 'conversation.read');
    expect(miaRead?.frame.data).toMatchObject({ read_state: null });
  });

  it('care-team blocks and a monitoring admin’s frames match the schema too', async () => {
    const p = (type: string, id: string) => ({ type, id, name: id, tenantId: null });
    const out = await frames(
      careTeamPolicy,
      [p('admin', 'ada'), p('clinician', 'kim'), p('user', 'uma')],
      async (core) => {
        await core.sendDirectMessage(p('clinician', 'kim'), { recipient: 'uma', content: 'Hi' });
        await core.blockPerson(p('user', 'uma'), 'kim');
      },
    );
    for (const { frame } of out) expect(frameChecker.Check(frame), JSON.stringify(frame)).toBe(true);
    const adaSent = out.find((f) => f.viewer === 'ada' && f.frame.type === 'message.sent');
    expect(adaSent?.frame.data).toMatchObject({ read_state: null, message: { content: 'Hi' } });
    expect(out.filter((f) => f.frame.type === 'participant.blocked').map((f) => f.viewer)).toEqual(['uma']);
  });
});
