import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsAttachmentStorage } from '@parley/adapters-fs';
import {
  KyselyEmailLogRepository,
  KyselyMarketplaceDirectory,
  KyselyMessageSearch,
  KyselyMessagingStore,
  KyselyPersonalDataStore,
  KyselySettingsStore,
} from '@parley/adapters-kysely';
import {
  openTestDatabase,
  resolveTestDatabaseTarget,
  type TestDatabase,
} from '@parley/adapters-kysely/testing';
import { createS3Client, S3AttachmentStorage } from '@parley/adapters-s3';
import { type LocalS3Server, startLocalS3Server } from '@parley/adapters-s3/testing';
import {
  type AttachmentStorage,
  createMessagingCore,
  createPrivacyCore,
  type EmailLog,
  ERASED_CONTENT,
  ERASED_NAME,
} from '@parley/messaging-core';
import { FixedClock, InMemoryMediaInspector } from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer, type ParleyApp } from '../src/server.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { TEST_SECRET } from './support/harness.js';
import { unzip } from './support/zip.js';

// Issue 14, GDPR: the export (a streamed zip, read back here with a zip reader) and the erasure,
// through the platform routes, on the Kysely store on PostgreSQL (DATABASE_URL) and on PGlite,
// with attachment files on the file system.

const BASE = '/api/v1/conversations';
const PLATFORM = '/api/v1/platform/participants';

/** A multipart body with one text field and one file. */
function multipart(content: string, file: { name: string; bytes: Buffer }) {
  const boundary = '----parleygdpr';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"\r\n\r\n${content}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: text/plain\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

function emailLog(
  overrides: Partial<EmailLog> & Pick<EmailLog, 'id' | 'recipient' | 'subject' | 'bodyText'>,
): EmailLog {
  const at = new Date('2026-05-04T09:30:00.000Z');
  return {
    templateCode: 'new_message',
    bodyHtml: null,
    fromEmail: 'noreply@acme.test',
    fromName: 'Acme',
    replyTo: null,
    status: 'sent',
    sentAt: at,
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
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

const selected = await resolveTestDatabaseTarget();
const targets = selected.kind === 'pglite' ? (['pglite'] as const) : (['auto', 'pglite'] as const);
/** Every database target with files on disk, and PGlite with files on S3 (s3rver on loopback). */
const cases = [
  ...targets.map((target) => ({ target, storage: 'fs' as const })),
  { target: 'pglite' as const, storage: 's3' as const },
];
/** One database per target for the file, emptied before each test. */
const databases = new Map<string, Promise<TestDatabase>>();
const databaseFor = (target: 'auto' | 'pglite') => {
  let opened = databases.get(target);
  if (!opened) {
    opened = openTestDatabase({ target });
    databases.set(target, opened);
  }
  return opened;
};
afterAll(async () => {
  for (const opened of databases.values()) await (await opened).destroy();
});

describe.each(cases)(
  'GDPR export and erasure (Kysely $target, $storage storage)',
  ({ target, storage: kind }) => {
    let database: TestDatabase | undefined;
    let app: ParleyApp;
    let call: Call;
    let tokens: Tokens;
    let root: string;
    let storage: AttachmentStorage;
    let s3: LocalS3Server | undefined;
    let prefix = 0;

    afterAll(async () => {
      await s3?.close();
    });

    beforeEach(async () => {
      database = await databaseFor(target);
      await database.truncate();
      const db = database.db;
      root = await mkdtemp(join(tmpdir(), 'parley-gdpr-'));
      if (kind === 's3') {
        s3 ??= await startLocalS3Server({ bucket: 'parley-gdpr' });
        prefix += 1;
        storage = new S3AttachmentStorage({
          client: createS3Client({ ...s3, forcePathStyle: true }),
          bucket: s3.bucket,
          keyPrefix: `test-${prefix}/`,
        });
      } else {
        storage = new FsAttachmentStorage({ root });
      }
      const clock = new FixedClock(new Date('2026-05-04T09:00:00.000Z'), { autoAdvanceMs: 10 });
      const directory = new KyselyMarketplaceDirectory({ db });
      const core = createMessagingCore({
        store: new KyselyMessagingStore({ db }),
        directory,
        settings: new KyselySettingsStore({ db }),
        attachmentStorage: storage,
        mediaInspector: new InMemoryMediaInspector(),
        search: new KyselyMessageSearch({ db }),
        clock,
        settingsCacheTtlMs: 0,
      });
      const privacy = createPrivacyCore({
        store: new KyselyPersonalDataStore({ db }),
        attachmentStorage: storage,
        clock,
      });
      app = await buildServer(
        {
          core,
          directory,
          privacy,
          jwtSecret: TEST_SECRET,
          databaseKind: database.kind,
          checkDatabase: async () => {},
        },
        { logLevel: 'silent', rateLimit: { max: 100_000, windowMs: 60_000 } },
      );
      await app.ready();
      call = client({ app });
      tokens = await tokensFor(TEST_SECRET);
      await seedFixture(call, tokens.service);
    });
    afterEach(async () => {
      await app?.close();
      await rm(root, { recursive: true, force: true });
    });

    /**
     * Store user u1 (Sam) and customer c1 (Carla) talk; Carla edits a message, sends a file,
     * blocks nobody in the marketplace (a block row is written directly), and has email logs.
     */
    async function scenario() {
      const db = database!.db;
      const created = await call('POST', '/api/v1/store/messages', {
        token: tokens.store1,
        body: {
          conversation_type: 'store_customer',
          subject: 'Your order',
          recipient_type: 'customer',
          recipient_id: 'c1',
          initial_message: 'Your parcel shipped yesterday',
        },
      });
      expect(created.status).toBe(201);
      const conversationId: string = created.body.id;
      const sent = await call('POST', `${BASE}/${conversationId}/messages`, {
        token: tokens.customer1,
        body: { content: 'My flamingo costume arrived torn' },
      });
      expect(sent.status).toBe(201);
      const editedId: string = sent.body.id;
      const edited = await call('PATCH', `${BASE}/${conversationId}/messages/${editedId}`, {
        token: tokens.customer1,
        body: { content: 'My pelican costume arrived torn' },
      });
      expect(edited.status).toBe(200);
      const body = multipart('Photo of the tear', {
        name: 'tear-notes.txt',
        bytes: Buffer.from('torn seam, left sleeve\n'),
      });
      const withFile = await app.inject({
        method: 'POST',
        url: `${BASE}/${conversationId}/messages`,
        headers: { authorization: `Bearer ${tokens.customer1}`, 'content-type': body.contentType },
        payload: body.payload,
      });
      expect(withFile.statusCode).toBe(201);
      const attachment = JSON.parse(withFile.body).attachments[0] as { id: string };
      const reply = await call('POST', `${BASE}/${conversationId}/messages`, {
        token: tokens.store1,
        body: { content: 'Sorry Carla, a replacement costume is on its way' },
      });
      expect(reply.status).toBe(201);

      await new KyselyMessagingStore({ db }).blocks.block(
        { type: 'customer', id: 'c1' },
        { type: 'customer', id: 'c2' },
        new Date('2026-05-04T09:10:00.000Z'),
      );
      const logs = new KyselyEmailLogRepository({ db });
      // To Carla, as the notification worker writes it.
      await logs.create(
        emailLog({
          id: '00000000-0000-7000-8000-000000000001',
          recipient: 'carla@mail.test',
          subject: 'Sam Acme wrote to you',
          bodyText: 'Hi Carla, Sam Acme wrote: Your parcel shipped yesterday',
          userId: 'c1',
          relatedType: 'conversation',
          relatedId: conversationId,
          extraData: { recipient_type: 'customer', message_ids: [created.body.last_message?.id ?? 'x'] },
        }),
      );
      // To Sam, quoting Carla's message.
      await logs.create(
        emailLog({
          id: '00000000-0000-7000-8000-000000000002',
          recipient: 'sam@acme.test',
          subject: 'Carla wrote to you',
          bodyText: 'Carla (carla@mail.test) wrote: My pelican costume arrived torn',
          userId: 'u1',
          relatedType: 'conversation',
          relatedId: conversationId,
          extraData: { recipient_type: 'store', message_ids: [editedId] },
        }),
      );
      // To Sam, about another message of Sam's only (names Carla in the subject).
      await logs.create(
        emailLog({
          id: '00000000-0000-7000-8000-000000000003',
          recipient: 'sam@acme.test',
          subject: 'Reminder: reply to Carla',
          bodyText: 'You have an open conversation.',
          userId: 'u1',
          relatedType: 'conversation',
          relatedId: conversationId,
          extraData: { recipient_type: 'store', message_ids: [] },
        }),
      );
      // Unrelated to Carla.
      await logs.create(
        emailLog({
          id: '00000000-0000-7000-8000-000000000004',
          recipient: 'chris@mail.test',
          subject: 'Welcome Chris',
          bodyText: 'Welcome to Acme',
          userId: 'c2',
          extraData: { recipient_type: 'customer' },
        }),
      );
      return { conversationId, editedId, attachmentId: attachment.id };
    }

    async function exportOf(type: string, id: string) {
      const response = await app.inject({
        method: 'GET',
        url: `${PLATFORM}/${type}/${id}/export`,
        headers: { authorization: `Bearer ${tokens.service}` },
      });
      return response;
    }

    const events = async (type: string) =>
      (
        await sql<{
          type: string;
          actor_type: string;
          actor_id: string;
          payload: unknown;
          tenant_id: string | null;
        }>`
        select type, actor_type, actor_id, payload, tenant_id from events where type = ${type} order by id`.execute(
          database!.db,
        )
      ).rows;

    it('exports every section and the attachment files as a zip, and records participant.exported', async () => {
      const { conversationId, editedId, attachmentId } = await scenario();
      const response = await exportOf('customer', 'c1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/zip');
      expect(response.headers['content-disposition']).toContain('parley-export-customer-c1.zip');
      const entries = await unzip(response.rawPayload);
      const json = (name: string) => JSON.parse(entries.get(name)?.toString('utf8') ?? 'null');

      expect([...entries.keys()]).toEqual([
        'directory_entry.json',
        'memberships.json',
        'conversation_preferences.json',
        'messages.json',
        'attachments.json',
        'email_logs.json',
        'blocks.json',
        'receipts.json',
        'hidden_messages.json',
        `attachments/${attachmentId}/tear-notes.txt`,
        'manifest.json',
      ]);
      expect(json('directory_entry.json')).toEqual([
        expect.objectContaining({
          type: 'customer',
          id: 'c1',
          name: 'Carla',
          email: 'carla@mail.test',
          tenant_id: 's1',
        }),
      ]);
      expect(json('memberships.json')).toEqual([
        expect.objectContaining({
          conversation_id: conversationId,
          subject: 'Your order',
          email_notifications: true,
        }),
      ]);
      expect(json('conversation_preferences.json')).toEqual([
        { conversation_id: conversationId, email_notifications: true, muted: false, archived_at: null },
      ]);
      const messages = json('messages.json') as {
        id: string;
        content: string;
        revisions: { content: string }[];
      }[];
      // Only Carla's messages, never Sam's.
      expect(messages.map((m) => m.content)).toEqual([
        'My pelican costume arrived torn',
        'Photo of the tear',
      ]);
      const editedRecord = messages.find((m) => m.id === editedId);
      expect(editedRecord?.revisions.map((r) => r.content)).toEqual([
        'My flamingo costume arrived torn',
        'My pelican costume arrived torn',
      ]);
      expect(json('attachments.json')).toEqual([
        expect.objectContaining({
          id: attachmentId,
          original_filename: 'tear-notes.txt',
          mime_type: 'text/plain',
        }),
      ]);
      expect(entries.get(`attachments/${attachmentId}/tear-notes.txt`)?.toString('utf8')).toBe(
        'torn seam, left sleeve\n',
      );
      expect((json('email_logs.json') as { id: string }[]).map((log) => log.id)).toEqual([
        '00000000-0000-7000-8000-000000000001',
      ]);
      expect(json('blocks.json')).toEqual([
        expect.objectContaining({ blocked_type: 'customer', blocked_id: 'c2' }),
      ]);
      expect(json('manifest.json')).toMatchObject({
        person: { type: 'customer', id: 'c1' },
        sections: expect.arrayContaining([{ name: 'messages', file: 'messages.json', records: 2 }]),
        attachment_files: [`attachments/${attachmentId}/tear-notes.txt`],
        missing_attachment_files: [],
      });

      expect(await events('participant.exported')).toEqual([
        {
          type: 'participant.exported',
          actor_type: 'service',
          actor_id: 'platform',
          tenant_id: 's1',
          payload: {
            participant: { type: 'customer', id: 'c1' },
            sections: [
              'directory_entry',
              'memberships',
              'conversation_preferences',
              'messages',
              'attachments',
              'email_logs',
              'blocks',
              'receipts',
              'hidden_messages',
            ],
          },
        },
      ]);
    });

    it('lists a file the storage lost as missing instead of failing the export', async () => {
      const { attachmentId } = await scenario();
      for await (const object of storage.list('')) await storage.delete(object.path);
      const response = await exportOf('customer', 'c1');
      expect(response.statusCode).toBe(200);
      const entries = await unzip(response.rawPayload);
      expect([...entries.keys()].filter((name) => name.startsWith('attachments/'))).toEqual([]);
      expect(JSON.parse(entries.get('manifest.json')!.toString('utf8')).missing_attachment_files).toEqual([
        attachmentId,
      ]);
    });

    it('answers 404 for a person Parley holds nothing about, 400 for an unknown type, 403 to other tokens', async () => {
      const unknown = await call('GET', `${PLATFORM}/customer/nobody/export`, { token: tokens.service });
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toBe('customer nobody not found');
      expect((await call('DELETE', `${PLATFORM}/customer/nobody`, { token: tokens.service })).status).toBe(
        404,
      );
      const badType = await call('GET', `${PLATFORM}/martian/c1/export`, { token: tokens.service });
      expect(badType.status).toBe(400);
      expect(badType.body.errors?.[0]?.field ?? badType.body.field).toBe('type');
      for (const token of [tokens.admin, tokens.store1, tokens.customer1]) {
        expect((await call('GET', `${PLATFORM}/customer/c1/export`, { token })).status).toBe(403);
        expect((await call('DELETE', `${PLATFORM}/customer/c1`, { token })).status).toBe(403);
      }
      expect((await call('DELETE', `${PLATFORM}/customer/c1`)).status).toBe(401);
      // A HEAD would run (and record) an export for nothing: there is none.
      const head = await app.inject({
        method: 'HEAD',
        url: `${PLATFORM}/customer/c1/export`,
        headers: { authorization: `Bearer ${tokens.service}` },
      });
      expect(head.statusCode).toBe(404);
      expect(await events('participant.exported')).toEqual([]);
      expect(await events('participant.erased')).toEqual([]);
    });

    it("erases a person's content, files, addresses and entry, keeps other people's messages, and is idempotent", async () => {
      const { conversationId, editedId } = await scenario();
      const db = database!.db;
      const filesBefore: string[] = [];
      for await (const object of storage.list('')) filesBefore.push(object.path);
      expect(filesBefore.length).toBeGreaterThan(0);
      const found = await call('GET', '/api/v1/store/messages/search?q=pelican', { token: tokens.store1 });
      expect(found.body.results).toHaveLength(1);

      const erased = await call('DELETE', `${PLATFORM}/customer/c1`, { token: tokens.service });
      expect(erased.status).toBe(204);

      // Carla's messages and revisions hold the marker; Sam's are intact.
      const messages = await db
        .selectFrom('messages')
        .select(['id', 'sender_id', 'content'])
        .where('conversation_id', '=', conversationId)
        .orderBy('seq')
        .execute();
      expect(messages.map((m) => [m.sender_id, m.content])).toEqual([
        ['u1', 'Your parcel shipped yesterday'],
        ['c1', ERASED_CONTENT],
        ['c1', ERASED_CONTENT],
        ['u1', 'Sorry Carla, a replacement costume is on its way'],
      ]);
      const revisions = await db
        .selectFrom('message_revisions')
        .select('content')
        .where('message_id', '=', editedId)
        .execute();
      expect(revisions.map((r) => r.content)).toEqual([ERASED_CONTENT, ERASED_CONTENT]);
      // Search no longer finds the erased words (in the current content or a revision), still finds Sam's.
      for (const word of ['pelican', 'flamingo', 'tear']) {
        const search = await call('GET', `/api/v1/store/messages/search?q=${word}`, { token: tokens.store1 });
        expect(search.status).toBe(200);
        expect(search.body.results).toEqual([]);
      }
      const stillThere = await call('GET', '/api/v1/store/messages/search?q=replacement', {
        token: tokens.store1,
      });
      expect(stillThere.body.results).toHaveLength(1);

      // Attachments: rows and files gone.
      expect(await db.selectFrom('message_attachments').selectAll().execute()).toEqual([]);
      const filesAfter: string[] = [];
      for await (const object of storage.list('')) filesAfter.push(object.path);
      expect(filesAfter).toEqual([]);

      // Email logs: Carla's lose address and content; Sam's lose her name, address and quotes.
      const logs = await db
        .selectFrom('email_logs')
        .select(['id', 'recipient', 'subject', 'body_text'])
        .orderBy('id')
        .execute();
      expect(logs).toEqual([
        {
          id: '00000000-0000-7000-8000-000000000001',
          recipient: ERASED_CONTENT,
          subject: ERASED_CONTENT,
          body_text: ERASED_CONTENT,
        },
        {
          id: '00000000-0000-7000-8000-000000000002',
          recipient: 'sam@acme.test',
          subject: `${ERASED_CONTENT} wrote to you`,
          body_text: ERASED_CONTENT,
        },
        {
          id: '00000000-0000-7000-8000-000000000003',
          recipient: 'sam@acme.test',
          subject: `Reminder: reply to ${ERASED_CONTENT}`,
          body_text: 'You have an open conversation.',
        },
        {
          id: '00000000-0000-7000-8000-000000000004',
          recipient: 'chris@mail.test',
          subject: 'Welcome Chris',
          body_text: 'Welcome to Acme',
        },
      ]);
      const text = JSON.stringify(logs);
      expect(text).not.toContain('Carla');
      expect(text).not.toContain('carla@mail.test');

      // The directory entry is anonymised, and the API shows it so.
      const customer = await call('GET', '/api/v1/platform/customers/c1', { token: tokens.service });
      expect(customer.body).toMatchObject({ id: 'c1', name: ERASED_NAME });
      expect(customer.body.email).not.toBe('carla@mail.test');
      const conversation = await call('GET', `${BASE}/${conversationId}`, { token: tokens.store1 });
      expect(JSON.stringify(conversation.body)).not.toContain('Carla"');

      // One event, counts only.
      const [event, ...more] = await events('participant.erased');
      expect(more).toEqual([]);
      expect(event).toEqual({
        type: 'participant.erased',
        actor_type: 'service',
        actor_id: 'platform',
        tenant_id: 's1',
        payload: {
          participant: { type: 'customer', id: 'c1' },
          messages: 2,
          revisions: 2,
          attachments: 1,
          email_logs: 3,
          directory_entry: true,
        },
      });
      expect(JSON.stringify(event)).not.toContain('pelican');
      expect(await events('directory.changed')).toHaveLength(1);

      // Again: 204, nothing changes, no second event.
      const again = await call('DELETE', `${PLATFORM}/customer/c1`, { token: tokens.service });
      expect(again.status).toBe(204);
      expect(await events('participant.erased')).toHaveLength(1);
      // The export of an erased person shows what is left: the anonymised entry and markers.
      const afterwards = await unzip((await exportOf('customer', 'c1')).rawPayload);
      const left = afterwards.get('messages.json')!.toString('utf8');
      expect(left).not.toContain('pelican');
      expect(JSON.parse(afterwards.get('directory_entry.json')!.toString('utf8'))[0]).toMatchObject({
        name: ERASED_NAME,
        email: null,
      });
    });
  },
);
