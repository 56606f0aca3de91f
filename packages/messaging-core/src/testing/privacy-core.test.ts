import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InMemoryAttachmentStorage } from '../conversations/testing/in-memory-attachment-storage.js';
import { InMemoryEmailLogRepository } from '../email/testing/in-memory-email-log-repository.js';
import { isMessagingError } from '../kernel/errors.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { ERASED_CONTENT, type PersonalDataSection } from '../privacy/model/personal-data.js';
import { createPrivacyCore } from '../privacy/privacy-core.js';
import { InMemoryMessagingStore } from './in-memory-messaging-store.js';
import { InMemoryPersonalDataStore } from './in-memory-personal-data-store.js';

// The GDPR use cases over the in-memory adapters: what they check, record and remove, and in
// which order (the files only after the erasure committed).

const SERVICE = { type: 'service', id: 'platform' };
const CARLA = { type: 'customer', id: 'carla' };
const at = new Date('2026-05-01T10:00:00.000Z');

async function setup() {
  const messaging = new InMemoryMessagingStore();
  const directory = new InMemoryMarketplaceDirectory();
  const storage = new InMemoryAttachmentStorage();
  const clock = new FixedClock(at);
  await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, at);
  await directory.upsertCustomer(
    { id: 'carla', storeId: 's1', name: 'Carla', email: 'carla@mail.test', locale: 'en' },
    at,
  );
  const store = new InMemoryPersonalDataStore({
    messaging,
    directory,
    emailLogs: new InMemoryEmailLogRepository(),
  });
  const conversation = {
    id: 'c-1',
    conversationType: 'store_customer',
    subject: 'Order',
    tenantId: 's1',
    isClosed: false,
    closedAt: null,
    closedBy: null,
    lastMessageAt: null,
    messageCount: 0,
    createdAt: at,
    updatedAt: at,
  };
  await messaging.conversations.create(conversation, [
    {
      conversationId: 'c-1',
      participant: CARLA,
      tenantId: 's1',
      unreadCount: 0,
      lastReadSeq: 0,
      lastReadAt: null,
      lastDeliveredSeq: 0,
      lastDeliveredAt: null,
      emailNotifications: true,
      muted: false,
      lastActivityAt: at,
      joinedAt: at,
      role: 'member',
      leftAt: null,
      visibleFromSeq: 1,
    },
  ]);
  const path = 'uploads/messages/2026/05/c-1/file.txt';
  await storage.put({ path, content: Readable.from([Buffer.from('bytes')]) });
  await messaging.messages.append({
    message: {
      id: 'm-1',
      conversationId: 'c-1',
      sender: CARLA,
      content: 'hello',
      isSystemMessage: false,
      createdAt: at,
      attachments: [
        {
          id: 'a-1',
          messageId: 'm-1',
          filename: 'file.txt',
          originalFilename: 'notes.txt',
          filePath: path,
          fileSize: 5,
          mimeType: 'text/plain',
          isImage: false,
          imageWidth: null,
          imageHeight: null,
          thumbnailPath: null,
          createdAt: at,
        },
      ],
    },
    requireOpen: true,
  });
  return { messaging, directory, storage, clock, store, path };
}

const eventsOf = (messaging: InMemoryMessagingStore, type: string) =>
  messaging.recordedEvents().filter((event) => event.type === type);

describe('createPrivacyCore', () => {
  it('refuses an unknown person with the words of a missing one, and records nothing', async () => {
    const { messaging, storage, clock, store } = await setup();
    const privacy = createPrivacyCore({ store, attachmentStorage: storage, clock });
    for (const run of [
      () => privacy.exportPersonalData(SERVICE, { type: 'customer', id: 'nobody' }),
      () => privacy.erasePersonalData(SERVICE, { type: 'customer', id: 'nobody' }),
    ]) {
      const error = await run().catch((caught: unknown) => caught);
      expect(isMessagingError(error) && error.code).toBe('NOT_FOUND');
      expect((error as Error).message).toBe('customer nobody not found');
    }
    expect(eventsOf(messaging, 'participant.exported')).toEqual([]);
    expect(eventsOf(messaging, 'participant.erased')).toEqual([]);
  });

  it('records the export before reading, with the sections it was given (a context adds its own)', async () => {
    const { messaging, storage, clock, store } = await setup();
    let read = 0;
    const extra: PersonalDataSection = {
      name: 'notification_preferences',
      async *records() {
        read += 1;
        yield { email: 'daily' };
      },
    };
    const privacy = createPrivacyCore({ store, attachmentStorage: storage, clock, sections: [extra] });
    const exported = await privacy.exportPersonalData(SERVICE, CARLA);
    expect(read).toBe(0);
    const [event] = eventsOf(messaging, 'participant.exported');
    expect(event).toMatchObject({
      actor: SERVICE,
      tenantId: 's1',
      conversationId: null,
      payload: { participant: CARLA, sections: ['notification_preferences'] },
    });
    const records: unknown[] = [];
    for (const section of exported.sections)
      for await (const record of section.records(exported.person)) records.push(record);
    expect(records).toEqual([{ email: 'daily' }]);
    const files = [];
    for await (const file of exported.files()) files.push({ name: file.name, bytes: await file.open() });
    expect(files.map((file) => file.name)).toEqual(['attachments/a-1/notes.txt']);
  });

  it('erases, records counts only, then removes the files; a second call changes and records nothing', async () => {
    const { messaging, storage, clock, store, path } = await setup();
    const privacy = createPrivacyCore({ store, attachmentStorage: storage, clock });
    const result = await privacy.erasePersonalData(SERVICE, CARLA);
    expect(result).toEqual({
      changed: true,
      counts: { messages: 1, revisions: 0, attachments: 1, emailLogs: 0, directoryEntry: true },
      filesRemoved: 1,
      filesLeft: [],
    });
    expect(await storage.exists(path)).toBe(false);
    expect((await messaging.raw.messages('c-1')).map((m) => m.content)).toEqual([ERASED_CONTENT]);
    const erased = eventsOf(messaging, 'participant.erased');
    expect(erased.map((event) => event.payload)).toEqual([
      {
        participant: CARLA,
        messages: 1,
        revisions: 0,
        attachments: 1,
        email_logs: 0,
        directory_entry: true,
      },
    ]);
    expect(JSON.stringify(erased)).not.toContain('hello');

    const again = await privacy.erasePersonalData(SERVICE, CARLA);
    expect(again.changed).toBe(false);
    expect(eventsOf(messaging, 'participant.erased')).toHaveLength(1);
  });

  it('leaves a file whose removal failed to the orphan sweep: the erasure still commits', async () => {
    const { messaging, storage, clock, store, path } = await setup();
    const failing = Object.assign(Object.create(storage) as InMemoryAttachmentStorage, {
      delete: async () => {
        throw new Error('storage unavailable');
      },
    });
    const privacy = createPrivacyCore({ store, attachmentStorage: failing, clock });
    const result = await privacy.erasePersonalData(SERVICE, CARLA);
    expect(result.filesLeft).toEqual([path]);
    expect(result.filesRemoved).toBe(0);
    expect(eventsOf(messaging, 'participant.erased')).toHaveLength(1);
    // No row points to it any more: the sweep's query finds it unreferenced.
    expect((await messaging.messages.referencedPaths([path])).has(path)).toBe(false);
  });
});
