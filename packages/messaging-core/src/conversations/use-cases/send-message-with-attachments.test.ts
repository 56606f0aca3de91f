import { beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { uuidV7Ids } from '../../kernel/ports/id-generator.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { createInMemoryMessaging, type InMemoryMessaging } from '../../testing/in-memory-messaging.js';
import { createMessagingCore } from '../messaging-core.js';
import type { ByteStream } from '../ports/attachment-storage.js';
import { fakePng, InMemoryMediaInspector } from '../testing/in-memory-media-inspector.js';

const ADMIN: Actor = { type: 'admin', id: 'u-admin', tenantId: null };
const SAM: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme' };
const BEA: Actor = { type: 'store', id: 'u-bea', tenantId: 'bolt' };

const text = (value: string) => new TextEncoder().encode(value);
const PDF = text('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0]);
const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]);

async function* chunks(bytes: Uint8Array, size = 1000): ByteStream {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.slice(offset, offset + size);
}

const file = (originalFilename: string, bytes: Uint8Array) => ({ originalFilename, content: chunks(bytes) });

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return { code: error.code, field: error.field, message: error.message, details: error.details };
}

async function readAll(stream: ByteStream): Promise<Uint8Array> {
  const parts: number[] = [];
  for await (const chunk of stream) parts.push(...chunk);
  return new Uint8Array(parts);
}

describe('attachments on in-memory adapters', () => {
  let m: InMemoryMessaging;
  let conversationId: string;

  beforeEach(async () => {
    const clock = new FixedClock(new Date('2026-05-01T09:00:00.000Z'), { autoAdvanceMs: 1000 });
    m = createInMemoryMessaging({ clock, ids: uuidV7Ids });
    const at = new Date('2026-04-01T00:00:00.000Z');
    await m.directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, at);
    await m.directory.upsertStore({ id: 'bolt', name: 'Bolt', tier: 'essential' }, at);
    for (const [id, role, storeId] of [
      ['u-admin', 'admin', null],
      ['u-sam', 'store', 'acme'],
      ['u-bea', 'store', 'bolt'],
    ] as const) {
      await m.directory.upsertPlatformUser(
        { id, name: id, email: `${id}@p.test`, role, storeId, locale: 'en' },
        at,
      );
    }
    const detail = await m.core.createConversation(ADMIN, {
      conversationType: 'admin_store',
      subject: 'Payout',
      recipient: { type: 'store', id: 'u-sam' },
    });
    conversationId = detail.conversation.id;
  });

  const send = (
    files: ReturnType<typeof file>[],
    content = '',
    actor: Actor = SAM,
    idempotencyKey?: string,
  ) =>
    m.core.sendMessageWithAttachments(actor, {
      conversationId,
      content,
      files,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });

  it('stores files under uploads/messages/YYYY/MM/{conversation}/ with types from the bytes', async () => {
    const { message } = await send(
      [
        file('../../etc/Photo\u0000.PNG', fakePng(640, 480, 5000)),
        file('invoice.pdf', PDF),
        file('archive.zip', ZIP),
        file('report.docx', ZIP),
        file('notes', text('héllo\nworld')),
        file('table.csv', text('a,b\n1,2\n')),
      ],
      'see attached',
    );
    const prefix = `uploads/messages/2026/05/${conversationId}/`;
    expect(message.content).toBe('see attached');
    expect(message.attachments.map((a) => [a.originalFilename, a.mimeType, a.fileSize, a.isImage])).toEqual([
      ['Photo.PNG', 'image/png', 5033, true],
      ['invoice.pdf', 'application/pdf', PDF.byteLength, false],
      ['archive.zip', 'application/zip', ZIP.byteLength, false],
      ['report.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 10, false],
      ['notes', 'text/plain', 12, false],
      ['table.csv', 'text/csv', 8, false],
    ]);
    const [image, pdf] = message.attachments;
    expect(image).toMatchObject({ imageWidth: 640, imageHeight: 480 });
    expect(image!.filePath).toBe(`${prefix}${image!.id}.png`);
    expect(image!.filename).toBe(`${image!.id}.png`);
    expect(image!.thumbnailPath).toBe(`${prefix}${image!.id}.thumb.webp`);
    expect(pdf).toMatchObject({ imageWidth: null, imageHeight: null, thumbnailPath: null });
    expect(m.attachments.paths()).toHaveLength(7);
    for (const path of m.attachments.paths()) expect(path.startsWith(prefix)).toBe(true);
    expect(await readAll(await m.attachments.openRead(pdf!.filePath))).toEqual(PDF);
  });

  it('checks access and the open state before storing anything', async () => {
    expect((await failure(send([file('a.pdf', PDF)], '', BEA))).code).toBe('NOT_FOUND');
    await m.core.closeConversation(ADMIN, conversationId);
    expect((await failure(send([file('a.pdf', PDF)]))).code).toBe('CONVERSATION_CLOSED');
    expect(m.attachments.paths()).toEqual([]);
  });

  it('refuses a renamed executable, a contradicting extension and binary "text", storing nothing', async () => {
    expect(await failure(send([file('a.pdf', PDF), file('cat.png', ELF)]))).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('application/x-elf'),
    });
    expect((await failure(send([file('x.pdf', fakePng(2, 2))]))).message).toContain('image/png');
    expect((await failure(send([file('x.txt', text('abc\u0000def'))]))).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const invalidUtf8 = new Uint8Array([...text('a'.repeat(5000)), 0xc3]);
    expect((await failure(send([file('x.txt', invalidUtf8)]))).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(
      (
        await failure(
          send([file('cfb.pdf', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))]),
        )
      ).code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(m.attachments.paths()).toEqual([]);
    expect((await m.store.raw.counts()).attachments).toBe(0);
  });

  it('answers 415 naming the file when the detector fails on its bytes, storing nothing', async () => {
    class FailingDetector extends InMemoryMediaInspector {
      override async detect(head: Uint8Array, declaredName: string) {
        if (declaredName === 'photos.zip') throw new Error('End-Of-Stream');
        return super.detect(head, declaredName);
      }
    }
    const core = createMessagingCore({
      store: m.store,
      directory: m.directory,
      settings: m.settings,
      attachmentStorage: m.attachments,
      mediaInspector: new FailingDetector(),
    });
    expect(
      await failure(
        core.sendMessageWithAttachments(SAM, {
          conversationId,
          content: '',
          files: [file('a.pdf', PDF), file('photos.zip', ZIP)],
        }),
      ),
    ).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      field: 'file',
      message: 'photos.zip: the type of its bytes cannot be determined',
      details: undefined,
    });
    expect(m.attachments.paths()).toEqual([]);
    expect((await m.store.raw.counts()).attachments).toBe(0);
  });

  it('accepts CFB containers declared as .doc, .xls or .ppt', async () => {
    const cfb = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    const { message } = await send([file('a.doc', cfb), file('b.xls', cfb), file('c.ppt', cfb)]);
    expect(message.attachments.map((a) => a.mimeType)).toEqual([
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
    ]);
  });

  it('applies the size limit read at request time: one byte over after the admin lowers it', async () => {
    await m.core.settings.update('message_attachment_max_size_mb', 0.01); // 10485 bytes
    const limit = Math.floor(0.01 * 1024 * 1024);
    const exact = new Uint8Array([...PDF, ...text(' '.repeat(limit - PDF.byteLength))]);
    expect((await send([file('ok.pdf', exact)])).message.attachments[0]!.fileSize).toBe(limit);
    const over = new Uint8Array([...exact, 0x20]);
    const before = m.attachments.paths();
    expect(await failure(send([file('big.pdf', over)]))).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      field: 'file',
      details: { maxBytes: limit },
    });
    expect(m.attachments.paths()).toEqual(before);
  });

  it('refuses more files than the setting allows', async () => {
    await m.core.settings.update('message_attachment_max_files', 2);
    expect(await failure(send([file('a.pdf', PDF), file('b.pdf', PDF), file('c.pdf', PDF)]))).toMatchObject({
      code: 'VALIDATION',
      field: 'files',
    });
    expect(m.attachments.paths()).toEqual([]);
  });

  it('rejects an image that cannot be decoded and keeps nothing', async () => {
    const broken = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9]);
    expect(await failure(send([file('a.pdf', PDF), file('broken.png', broken)]))).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('cannot be decoded'),
    });
    expect(m.attachments.paths()).toEqual([]);
  });

  it('removes every stored file when the append fails (conversation closed meanwhile)', async () => {
    async function* closingFiles() {
      yield file('a.pdf', PDF);
      yield file('b.png', fakePng(10, 10));
      await m.core.closeConversation(ADMIN, conversationId);
    }
    const error = await failure(
      m.core.sendMessageWithAttachments(SAM, { conversationId, content: '', files: closingFiles() }),
    );
    expect(error.code).toBe('CONVERSATION_CLOSED');
    expect(m.attachments.paths()).toEqual([]);
    expect((await m.store.raw.counts()).attachments).toBe(0);
  });

  it('replays an idempotent send: the first message back, this request’s files removed', async () => {
    const first = await send([file('a.pdf', PDF)], 'x', SAM, 'key-1');
    const again = await send([file('a.pdf', PDF)], 'x', SAM, 'key-1');
    expect(again.replayed).toBe(true);
    expect(again.message.id).toBe(first.message.id);
    expect(m.attachments.paths()).toEqual([first.message.attachments[0]!.filePath]);
  });

  it('requires content or a file', async () => {
    expect((await failure(send([], '  '))).field).toBe('content');
    expect((await send([], 'just text')).message.attachments).toEqual([]);
  });

  it('handles concurrent uploads to one conversation', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => send([file(`f${i}.png`, fakePng(i + 1, 1))], `m${i}`)),
    );
    expect(new Set(results.map((r) => r.message.id)).size).toBe(8);
    expect(m.attachments.paths()).toHaveLength(16);
    expect((await m.store.raw.counts()).attachments).toBe(8);
  });

  it('opens files and thumbnails for participants only', async () => {
    const { message } = await send([file('p.png', fakePng(800, 400)), file('a.pdf', PDF)]);
    const [image, pdf] = message.attachments;
    const opened = await m.core.openAttachment(ADMIN, conversationId, pdf!.id);
    expect(opened).toMatchObject({ mimeType: 'application/pdf', size: PDF.byteLength });
    expect(await readAll(opened.content)).toEqual(PDF);
    const thumb = await m.core.openAttachment(SAM, conversationId, image!.id, {
      thumbnail: true,
    });
    expect(thumb.mimeType).toBe('image/webp');
    expect(await m.core.settings.number('message_attachment_max_files')).toBe(10);
    expect((await failure(m.core.openAttachment(BEA, conversationId, pdf!.id))).code).toBe('NOT_FOUND');
    expect(
      (await failure(m.core.openAttachment(SAM, conversationId, pdf!.id, { thumbnail: true }))).code,
    ).toBe('NOT_FOUND');
  });

  it('deletes an attachment (sender or admin): row and files', async () => {
    const { message } = await send([file('p.png', fakePng(8, 8)), file('a.pdf', PDF)]);
    const [image, pdf] = message.attachments;
    await m.core.deleteAttachment(SAM, conversationId, image!.id);
    expect(m.attachments.paths()).toEqual([pdf!.filePath]);
    await m.core.deleteAttachment(ADMIN, conversationId, pdf!.id);
    expect(m.attachments.paths()).toEqual([]);
    expect((await m.store.raw.counts()).attachments).toBe(0);
    expect((await failure(m.core.deleteAttachment(SAM, conversationId, pdf!.id))).code).toBe('NOT_FOUND');
  });

  it('keeps files of a soft-deleted message until an admin purges them', async () => {
    const { message } = await send([file('a.pdf', PDF)], 'x', ADMIN);
    expect((await failure(m.core.purgeDeletedMessageFiles(ADMIN, conversationId, message.id))).code).toBe(
      'CONFLICT',
    );
    await m.core.deleteMessage(ADMIN, conversationId, message.id);
    expect(m.attachments.paths()).toHaveLength(1);
    expect(
      (await failure(m.core.openAttachment(ADMIN, conversationId, message.attachments[0]!.id))).code,
    ).toBe('NOT_FOUND');
    expect((await failure(m.core.purgeDeletedMessageFiles(SAM, conversationId, message.id))).code).toBe(
      'FORBIDDEN',
    );
    expect(await m.core.purgeDeletedMessageFiles(ADMIN, conversationId, message.id)).toBe(1);
    expect(m.attachments.paths()).toEqual([]);
    // The purge is audited, once (the refused attempts above wrote nothing).
    const purges = await m.store.audit.list({ action: 'message.purge', limit: 10 });
    expect(purges.map((row) => [row.target.id, row.actor.id])).toEqual([[message.id, 'u-admin']]);
    expect((await m.store.raw.counts()).attachments).toBe(0);
  });

  it('sweeps unreferenced files older than the grace period, thumbnails included', async () => {
    const { message } = await send([file('p.png', fakePng(8, 8))]);
    await m.attachments.put({
      path: `uploads/messages/2026/05/${conversationId}/orphan.pdf`,
      content: chunks(PDF),
    });
    await m.attachments.put({ path: 'uploads/messages/2026/05/x/orphan.thumb.webp', content: chunks(PDF) });
    const none = await m.core.sweepOrphanFiles({ olderThan: new Date('2026-01-01T00:00:00Z') });
    expect(none).toEqual({ scanned: 4, removed: [] });
    const swept = await m.core.sweepOrphanFiles({ olderThan: new Date('2027-01-01T00:00:00Z') });
    expect([...swept.removed].sort()).toEqual([
      `uploads/messages/2026/05/${conversationId}/orphan.pdf`,
      'uploads/messages/2026/05/x/orphan.thumb.webp',
    ]);
    const [image] = message.attachments;
    expect(m.attachments.paths()).toEqual([image!.filePath, image!.thumbnailPath].sort());
  });

  it('fails with INTERNAL when attachments are not configured', async () => {
    const core = createMessagingCore({ store: m.store, directory: m.directory, settings: m.settings });
    expect(
      await failure(core.sendMessageWithAttachments(SAM, { conversationId, content: 'x', files: [] })),
    ).toMatchObject({
      code: 'INTERNAL',
      message: 'attachments are not configured',
    });
  });
});
