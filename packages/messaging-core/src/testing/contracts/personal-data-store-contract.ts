import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageAttachment } from '../../conversations/model/attachment.js';
import type { Conversation, ConversationParticipant } from '../../conversations/model/conversation.js';
import type { MessagingStore } from '../../conversations/ports/messaging-store.js';
import type { MessagingStoreRawReader } from '../../conversations/testing/contracts/raw-readers.js';
import type { EmailLog } from '../../email/model/email-log.js';
import type { EmailLogRepository } from '../../email/ports/email-log-repository.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { MarketplaceDirectory } from '../../kernel/ports/marketplace-directory.js';
import type { PersonalDataStore } from '../../privacy/ports/personal-data-store.js';

export interface PersonalDataStoreContractTarget {
  readonly store: PersonalDataStore;
  /** Seeds conversations, messages, edits and blocks in the same storage. */
  readonly messaging: MessagingStore;
  /** Reads messages, revisions and events back without trusting the store under test. */
  readonly raw: MessagingStoreRawReader;
  /** The marketplace directory of the same storage. */
  readonly directory: MarketplaceDirectory;
  /** The email log of the same storage. */
  readonly emailLogs: EmailLogRepository;
  readonly teardown?: () => Promise<void>;
}

export interface PersonalDataStoreContractOptions {
  /** Shown in the test names, e.g. "in-memory" or "kysely (postgres)". */
  readonly name: string;
  /** A fresh, empty storage for each test. */
  readonly setup: () => Promise<PersonalDataStoreContractTarget>;
}

const T0 = Date.parse('2026-04-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
let sequence = 0;
/** UUID-shaped, time-ordered ids (SQL adapters store uuid columns). */
function id(): string {
  sequence += 1;
  return `01910000-0000-7000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

const CARLA: ParticipantRef = { type: 'customer', id: 'carla' };
const SAM: ParticipantRef = { type: 'store', id: 'sam' };
const MARKER = '[erased]';
const ANONYMOUS = 'Erased person';
const ERASE = { marker: MARKER, anonymousName: ANONYMOUS, at: at(3600) };

function membership(conversation: Conversation, participant: ParticipantRef): ConversationParticipant {
  return {
    conversationId: conversation.id,
    participant,
    tenantId: 's1',
    unreadCount: 0,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: true,
    muted: false,
    lastActivityAt: conversation.createdAt,
    joinedAt: conversation.createdAt,
    role: 'member',
    leftAt: null,
    visibleFromSeq: 1,
  };
}

function emailLog(overrides: Partial<EmailLog>): EmailLog {
  return {
    id: id(),
    templateCode: 'new_message',
    recipient: 'someone@mail.test',
    subject: 'Subject',
    bodyHtml: null,
    bodyText: 'Body',
    fromEmail: 'noreply@acme.test',
    fromName: 'Acme',
    replyTo: null,
    status: 'sent',
    sentAt: at(60),
    deliveredAt: null,
    openedAt: null,
    clickedAt: null,
    bouncedAt: null,
    complainedAt: null,
    errorMessage: null,
    retryCount: 0,
    provider: 'smtp',
    providerMessageId: null,
    storeId: 's1',
    userId: null,
    relatedType: null,
    relatedId: null,
    extraData: {},
    createdAt: at(60),
    updatedAt: at(60),
    ...overrides,
  };
}

/**
 * The suite every `PersonalDataStore` passes (GDPR export and erasure): what it reads of one
 * person — their directory entry, memberships, messages with revisions, attachments, the emails
 * sent to them, their blocks, read receipts and per-side deletes — in keyset pages; and what an erasure rewrites, idempotently,
 * with its transaction.
 */
export function personalDataStoreContract(options: PersonalDataStoreContractOptions): void {
  describe(`PersonalDataStore contract (${options.name})`, () => {
    let target: PersonalDataStoreContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    /** Sam and Carla's conversation: Carla sends two messages (one edited, one with a file), Sam one. */
    async function seed() {
      const { directory, messaging, emailLogs } = target;
      await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, at(0));
      await directory.upsertPlatformUser(
        { id: 'sam', name: 'Sam Acme', email: 'sam@acme.test', role: 'store', storeId: 's1', locale: 'en' },
        at(0),
      );
      await directory.upsertCustomer(
        { id: 'carla', storeId: 's1', name: 'Carla', email: 'Carla@Mail.test', locale: 'fr' },
        at(0),
      );
      const conversation: Conversation = {
        id: id(),
        conversationType: 'store_customer',
        subject: 'Your order',
        tenantId: 's1',
        isClosed: false,
        closedAt: null,
        closedBy: null,
        lastMessageAt: null,
        messageCount: 0,
        createdAt: at(1),
        updatedAt: at(1),
      };
      await messaging.conversations.create(conversation, [
        membership(conversation, SAM),
        membership(conversation, CARLA),
      ]);
      const send = async (
        sender: ParticipantRef,
        content: string,
        seconds: number,
        extra: { attachments?: MessageAttachment[]; subject?: string; key?: string } = {},
      ) => {
        const messageId = id();
        const result = await messaging.messages.append({
          message: {
            id: messageId,
            conversationId: conversation.id,
            sender,
            content,
            isSystemMessage: false,
            createdAt: at(seconds),
            attachments: (extra.attachments ?? []).map((a) => ({ ...a, messageId })),
            ...(extra.subject === undefined ? {} : { subject: extra.subject }),
          },
          requireOpen: true,
          ...(extra.key === undefined ? {} : { idempotency: { key: extra.key, requestHash: 'hash' } }),
        });
        if (result.status !== 'created') throw new Error(`seed append: ${result.status}`);
        return result.message;
      };
      const first = await send(SAM, 'Your parcel shipped', 10);
      const edited = await send(CARLA, 'My flamingo arrived torn', 20, { subject: 'Complaint', key: 'k1' });
      const edit = await messaging.messages.edit(conversation.id, edited.id, {
        content: 'My pelican arrived torn',
        editor: CARLA,
        at: at(25),
        expectedRevision: 1,
      });
      if (edit.status !== 'edited') throw new Error(`seed edit: ${edit.status}`);
      const attachmentId = id();
      const withFile = await send(CARLA, 'Photo attached', 30, {
        attachments: [
          {
            id: attachmentId,
            messageId: '',
            filename: 'a.png',
            originalFilename: 'tear.png',
            filePath: 'uploads/messages/2026/04/c/a.png',
            fileSize: 42,
            mimeType: 'image/png',
            isImage: true,
            imageWidth: 10,
            imageHeight: 8,
            thumbnailPath: 'uploads/messages/2026/04/c/a_thumb.webp',
            createdAt: at(30),
          },
        ],
      });
      const reply = await send(SAM, 'Sorry Carla, a new one is on its way', 40);
      await messaging.blocks.block(CARLA, { type: 'customer', id: 'chris' }, at(50));
      await messaging.blocks.block({ type: 'customer', id: 'chris' }, CARLA, at(51));
      const toCarla = emailLog({
        recipient: 'carla@mail.test',
        subject: 'Sam Acme wrote',
        bodyText: 'Hi Carla',
        userId: 'carla',
        relatedType: 'conversation',
        relatedId: conversation.id,
        extraData: { recipient_type: 'customer', message_ids: [first.id] },
      });
      const toSamQuoting = emailLog({
        recipient: 'sam@acme.test',
        subject: 'Carla wrote',
        bodyText: 'Carla wrote: My pelican arrived torn',
        bodyHtml: '<p>Carla wrote: My pelican arrived torn</p>',
        userId: 'sam',
        relatedType: 'conversation',
        relatedId: conversation.id,
        extraData: { recipient_type: 'store', message_ids: [edited.id] },
      });
      const toSamNaming = emailLog({
        recipient: 'sam@acme.test',
        subject: 'Reply to Carla (Carla@Mail.test)',
        bodyText: 'Open conversation',
        userId: 'sam',
        relatedType: 'conversation',
        relatedId: conversation.id,
        extraData: { recipient_type: 'store', message_ids: [] },
      });
      // Same id, another type: not Carla's.
      const otherType = emailLog({
        recipient: 'x@mail.test',
        userId: 'carla',
        extraData: { recipient_type: 'store' },
      });
      for (const log of [toCarla, toSamQuoting, toSamNaming, otherType]) await emailLogs.create(log);
      return {
        conversation,
        first,
        edited,
        withFile,
        reply,
        attachmentId,
        toCarla,
        toSamQuoting,
        toSamNaming,
        otherType,
      };
    }

    it('knows a person by their entry, a membership or a message, and nobody else', async () => {
      const { personalData } = target.store;
      expect(await personalData.holdsAny(CARLA)).toBe(false);
      await seed();
      expect(await personalData.holdsAny(CARLA)).toBe(true);
      expect(await personalData.holdsAny({ type: 'store', id: 'carla' })).toBe(false);
      expect(await personalData.holdsAny({ type: 'customer', id: 'nobody' })).toBe(false);
    });

    it("reads a person's entry, memberships, messages with revisions, attachments, emails and blocks", async () => {
      const s = await seed();
      const { personalData } = target.store;
      expect(await personalData.directoryEntry(CARLA)).toEqual({
        type: 'customer',
        id: 'carla',
        name: 'Carla',
        email: 'Carla@Mail.test',
        locale: 'fr',
        tenant_id: 's1',
        created_at: at(0).toISOString(),
        updated_at: at(0).toISOString(),
      });
      expect(await personalData.memberships(CARLA)).toEqual([
        expect.objectContaining({
          conversation_id: s.conversation.id,
          conversation_type: 'store_customer',
          subject: 'Your order',
          role: 'member',
          email_notifications: true,
          muted: false,
          left_at: null,
        }),
      ]);
      const messages = await personalData.sentMessages(CARLA, { after: null, limit: 10 });
      expect(messages.map((m) => [m.id, m.content, m.subject, m.revision])).toEqual([
        [s.edited.id, 'My pelican arrived torn', 'Complaint', 2],
        [s.withFile.id, 'Photo attached', null, 1],
      ]);
      expect(messages[0]?.revisions.map((r) => [r.revision, r.content])).toEqual([
        [1, 'My flamingo arrived torn'],
        [2, 'My pelican arrived torn'],
      ]);
      // Keyset pages.
      const firstPage = await personalData.sentMessages(CARLA, { after: null, limit: 1 });
      expect(firstPage.map((m) => m.id)).toEqual([s.edited.id]);
      const second = await personalData.sentMessages(CARLA, { after: s.edited.id, limit: 1 });
      expect(second.map((m) => m.id)).toEqual([s.withFile.id]);
      expect(await personalData.sentMessages(CARLA, { after: s.withFile.id, limit: 1 })).toEqual([]);

      expect(await personalData.attachments(CARLA, { after: null, limit: 10 })).toEqual([
        {
          id: s.attachmentId,
          message_id: s.withFile.id,
          conversation_id: s.conversation.id,
          original_filename: 'tear.png',
          mime_type: 'image/png',
          file_size: 42,
          file_path: 'uploads/messages/2026/04/c/a.png',
          thumbnail_path: 'uploads/messages/2026/04/c/a_thumb.webp',
          image_width: 10,
          image_height: 8,
          created_at: at(30).toISOString(),
        },
      ]);
      expect(await personalData.attachments(SAM, { after: null, limit: 10 })).toEqual([]);
      const logs = await personalData.emailLogs(CARLA, { after: null, limit: 10 });
      expect(logs.map((log) => log.id)).toEqual([s.toCarla.id]);
      expect(logs[0]).toMatchObject({
        recipient: 'carla@mail.test',
        subject: 'Sam Acme wrote',
        body_text: 'Hi Carla',
      });
      expect(await personalData.blocks(CARLA)).toEqual([
        { blocked_type: 'customer', blocked_id: 'chris', created_at: at(50).toISOString() },
      ]);

      expect(await personalData.receipts(CARLA)).toEqual([]);
      expect(await personalData.hiddenMessages(CARLA)).toEqual([]);
      await target.messaging.participants.markRead(s.conversation.id, CARLA, at(46));
      await target.messaging.messages.hideFor(s.conversation.id, s.first.id, CARLA, [SAM, CARLA], at(47));
      expect(await personalData.receipts(CARLA)).toEqual([
        { conversation_id: s.conversation.id, kind: 'read', up_to_seq: 4, at: at(46).toISOString() },
      ]);
      expect(await personalData.hiddenMessages(CARLA)).toEqual([
        { conversation_id: s.conversation.id, message_id: s.first.id },
      ]);
      expect(await personalData.receipts(SAM)).toEqual([]);
      expect(await personalData.hiddenMessages(SAM)).toEqual([]);
    });

    it("erases content, revisions, files, emails and the entry, leaves others' messages, and is idempotent", async () => {
      const s = await seed();
      const { store, raw, emailLogs, directory } = target;
      const outcome = await store.transaction((tx) => tx.personalData.erase(CARLA, ERASE));
      expect(outcome).toEqual({
        messages: 2,
        revisions: 2,
        attachments: 1,
        emailLogs: 3,
        directoryEntry: true,
        files: ['uploads/messages/2026/04/c/a.png', 'uploads/messages/2026/04/c/a_thumb.webp'],
      });
      const messages = await raw.messages(s.conversation.id);
      expect(messages.map((m) => [m.sender.id, m.content, m.subject ?? null, m.attachments.length])).toEqual([
        ['sam', 'Your parcel shipped', null, 0],
        ['carla', MARKER, MARKER, 0],
        ['carla', MARKER, null, 0],
        ['sam', 'Sorry Carla, a new one is on its way', null, 0],
      ]);
      expect((await raw.messageRevisions(s.edited.id)).map((r) => r.content)).toEqual([MARKER, MARKER]);
      expect(await raw.idempotencyKey(CARLA, 'k1')).toBeNull();

      expect(await emailLogs.findById(s.toCarla.id)).toMatchObject({
        recipient: MARKER,
        subject: MARKER,
        bodyText: MARKER,
        bodyHtml: null,
      });
      expect(await emailLogs.findById(s.toSamQuoting.id)).toMatchObject({
        recipient: 'sam@acme.test',
        subject: `${MARKER} wrote`,
        bodyText: MARKER,
        bodyHtml: null,
      });
      expect(await emailLogs.findById(s.toSamNaming.id)).toMatchObject({
        subject: `Reply to ${MARKER} (${MARKER})`,
        bodyText: 'Open conversation',
      });
      expect(await emailLogs.findById(s.otherType.id)).toMatchObject({ recipient: 'x@mail.test' });

      expect(await directory.getCustomer('carla')).toMatchObject({ name: ANONYMOUS, storeId: 's1' });
      expect((await directory.getCustomer('carla'))?.email ?? '').toBe('');
      expect(await store.personalData.directoryEntry(CARLA)).toMatchObject({ name: ANONYMOUS, email: null });
      expect(await store.personalData.holdsAny(CARLA)).toBe(true);
      expect(await directory.getPlatformUser('sam')).toMatchObject({
        name: 'Sam Acme',
        email: 'sam@acme.test',
      });

      const again = await store.transaction((tx) => tx.personalData.erase(CARLA, ERASE));
      expect(again).toEqual({
        messages: 0,
        revisions: 0,
        attachments: 0,
        emailLogs: 0,
        directoryEntry: false,
        files: [],
      });
    });

    it("rolls an erasure's messages back with its transaction, and appends events with it", async () => {
      const s = await seed();
      const { store, raw } = target;
      await expect(
        store.transaction(async (tx) => {
          await tx.personalData.erase(CARLA, ERASE);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await raw.messages(s.conversation.id)).map((m) => m.content)).toContain(
        'My pelican arrived torn',
      );
      expect((await raw.messageRevisions(s.edited.id)).map((r) => r.content)).toEqual([
        'My flamingo arrived torn',
        'My pelican arrived torn',
      ]);

      await store.transaction(async (tx) => {
        await tx.events.append([
          {
            type: 'participant.exported',
            occurredAt: at(7200),
            actor: { type: 'service', id: 'platform' },
            tenantId: 's1',
            conversationId: null,
            person: CARLA,
            sections: ['messages'],
          },
        ]);
      });
      const exported = (await raw.events()).filter((event) => event.type === 'participant.exported');
      expect(exported.map((event) => event.payload)).toEqual([
        { participant: { type: 'customer', id: 'carla' }, sections: ['messages'] },
      ]);
    });
  });
}
