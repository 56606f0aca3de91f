import { Readable } from 'node:stream';
import {
  makeSampleFiles,
  type SampleFile,
  undecodablePng,
  zipBombDocx,
} from '@parley/adapters-media/testing';
import type { AttachmentStorage, MessagingCore } from '@parley/messaging-core';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from './api-scenarios.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './client.js';
import type { ApiHarness } from './harness.js';

/** An API whose core stores attachments, with the storage at hand to see what was written. */
export interface AttachmentHarness {
  readonly harness: ApiHarness;
  readonly core: MessagingCore;
  readonly storage: AttachmentStorage;
  close(): Promise<void>;
}

export type AttachmentHarnessFactory = () => Promise<AttachmentHarness>;

const ADMIN = '/api/v1/admin/messages';
const STORE = '/api/v1/store/messages';
const STOREFRONT = '/api/v1/storefront/messages';
const SETTINGS = '/api/v1/admin/settings';

interface Upload {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The part's Content-Type as the client claims it (ignored by the server). */
  readonly type?: string;
}

/** A multipart/form-data body: the fields first (or last), then the files. */
function multipart(
  fields: Record<string, string>,
  files: readonly Upload[],
  options: { fieldsLast?: boolean } = {},
): { payload: Buffer; contentType: string } {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  const field = (name: string, value: string) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  const fieldParts = Object.entries(fields).map(([name, value]) => field(name, value));
  if (!options.fieldsLast) parts.push(...fieldParts);
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.from(file.bytes),
      Buffer.from('\r\n'),
    );
  }
  if (options.fieldsLast) parts.push(...fieldParts);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A body as a stream of `size`-byte chunks. */
function inChunks(payload: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < payload.byteLength; offset += size)
    chunks.push(payload.subarray(offset, offset + size));
  return Readable.from(chunks, { objectMode: false });
}

/**
 * Attachments through the HTTP API: upload (multipart), validation by content, the size limit
 * from the admin settings, downloads with their headers, thumbnails, deletion and atomicity.
 * Written once, run on each adapter set (in memory; PGlite or PostgreSQL with files on disk).
 *
 * @example
 * ```ts
 * attachmentScenarios('in-memory', async () => ({ harness, core, storage, close }));
 * ```
 */
export function attachmentScenarios(label: string, factory: AttachmentHarnessFactory): void {
  describe(`attachments over HTTP on ${label}`, () => {
    let h: AttachmentHarness;
    let call: Call;
    let t: Tokens;
    let samples: SampleFile[];

    beforeAll(async () => {
      samples = await makeSampleFiles();
    });
    beforeEach(async () => {
      h = await factory();
      call = client(h.harness);
      t = await tokensFor(h.harness.jwtSecret);
      await seedFixture(call, t.service);
    });
    afterEach(async () => {
      await h.close();
    });

    const sample = (name: string) => {
      const found = samples.find((s) => s.name === name);
      if (!found) throw new Error(`no sample ${name}`);
      return found;
    };

    async function storedPaths(): Promise<string[]> {
      const paths: string[] = [];
      for await (const object of h.storage.list('')) paths.push(object.path);
      return paths.sort();
    }

    async function send(
      base: string,
      token: string,
      conversationId: string,
      content: string,
      files: readonly Upload[],
      options: { idempotencyKey?: string; fieldsLast?: boolean } = {},
    ) {
      const body = multipart(content === '' ? {} : { content }, files, options);
      const response = await h.harness.app.inject({
        method: 'POST',
        url: `${base}/${conversationId}/messages`,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': body.contentType,
          ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
        },
        // In 16 KiB chunks, as a network delivers a body: the first chunk of a file is not the file.
        payload: inChunks(body.payload, 16 * 1024),
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: response.json(),
        text: response.body,
      };
    }

    async function download(url: string, token: string) {
      const response = await h.harness.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${token}` },
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        bytes: response.rawPayload,
        body: response.body,
      };
    }

    /** Admin a1 ↔ store user u1 (store s1). */
    async function adminStoreConversation(): Promise<string> {
      const response = await call('POST', ADMIN, {
        token: t.admin,
        body: {
          conversation_type: 'admin_store',
          subject: 'Docs',
          recipient_type: 'store',
          recipient_id: 'u1',
        },
      });
      expect(response.status).toBe(201);
      return response.body.id;
    }

    /** Store user u1 ↔ customer c1. */
    async function storeCustomerConversation(): Promise<string> {
      const response = await call('POST', STORE, {
        token: t.store1,
        body: {
          conversation_type: 'store_customer',
          subject: 'Order #7',
          recipient_type: 'customer',
          recipient_id: 'c1',
        },
      });
      expect(response.status).toBe(201);
      return response.body.id;
    }

    it('stores real files of every allowed type, typed by their bytes, and serves them back', async () => {
      const id = await adminStoreConversation();
      const allowed = samples.filter((s) => s.storedAs !== null);
      expect(allowed.length).toBeGreaterThanOrEqual(18);
      for (let i = 0; i < allowed.length; i += 9) {
        const batch = allowed.slice(i, i + 9);
        // The client's Content-Type lies on purpose: the server never trusts it.
        const response = await send(
          STORE,
          t.store1,
          id,
          i === 0 ? 'Files' : '',
          batch.map((s) => ({ ...s, type: 'text/html' })),
        );
        expect(response.status, response.text).toBe(201);
        const attachments = response.body.attachments;
        expect(attachments.map((a: { original_filename: string }) => a.original_filename)).toEqual(
          batch.map((s) => s.name),
        );
        for (const [index, file] of batch.entries()) {
          const wire = attachments[index];
          expect(wire, file.name).toMatchObject({
            mime_type: file.storedAs,
            file_size: file.bytes.byteLength,
            is_image: file.image !== undefined,
            image_width: file.image?.width ?? null,
            image_height: file.image?.height ?? null,
            download_url: `${STORE}/${id}/attachments/${wire.id}`,
            thumbnail_url: file.image ? `${STORE}/${id}/attachments/${wire.id}/thumbnail` : null,
          });
          expect(wire.filename).toMatch(new RegExp(`^${wire.id}\\.[a-z]{3,4}$`));
          const got = await download(wire.download_url, t.store1);
          expect(got.status, file.name).toBe(200);
          expect(Buffer.compare(got.bytes, Buffer.from(file.bytes)), file.name).toBe(0);
          expect(got.headers['content-type']).toBe(
            file.storedAs!.startsWith('text/') ? `${file.storedAs}; charset=utf-8` : file.storedAs,
          );
          expect(got.headers['content-length']).toBe(String(file.bytes.byteLength));
        }
      }
      const paths = await storedPaths();
      const images = allowed.filter((s) => s.image).length;
      expect(paths).toHaveLength(allowed.length + images);
      for (const path of paths)
        expect(path).toMatch(
          new RegExp(`^uploads/messages/\\d{4}/\\d{2}/${id}/[0-9a-f-]{36}(\\.thumb)?\\.[a-z]{3,4}$`),
        );
      // The admin sees the same attachments with URLs of the admin routes.
      const detail = await call('GET', `${ADMIN}/${id}`, { token: t.admin });
      const first = detail.body.messages.at(-2).attachments[0];
      expect(first.download_url).toBe(`${ADMIN}/${id}/attachments/${first.id}`);
    });

    it('downloads with nosniff and an RFC 6266 filename*; thumbnails are WebP of at most 320 px', async () => {
      const id = await storeCustomerConversation();
      const wide = sample('wide.png');
      const response = await send(STOREFRONT, t.customer1, id, 'photo', [
        { name: 'Grüße (wide).png', bytes: wide.bytes },
      ]);
      expect(response.status, response.text).toBe(201);
      const [attachment] = response.body.attachments;
      expect(attachment.original_filename).toBe('Grüße (wide).png');
      expect(attachment.download_url).toBe(`${STOREFRONT}/${id}/attachments/${attachment.id}`);
      const file = await download(attachment.download_url, t.customer1);
      expect(file.status).toBe(200);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.headers['content-disposition']).toMatch(
        /^attachment; filename="Gru_e \(wide\)\.png"; filename\*=UTF-8''Gr%C3%BC%C3%9Fe%20%28wide%29\.png$/,
      );
      const thumb = await download(`${STORE}/${id}/attachments/${attachment.id}/thumbnail`, t.store1);
      expect(thumb.status).toBe(200);
      expect(thumb.headers['content-type']).toBe('image/webp');
      expect(thumb.headers['x-content-type-options']).toBe('nosniff');
      expect(thumb.headers['content-length']).toBe(String(thumb.bytes.byteLength));
      expect(thumb.headers['content-disposition']).toContain(
        "filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%28wide%29.thumb.webp",
      );
      expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });
      // A non-image has no thumbnail.
      const pdf = await send(STORE, t.store1, id, '', [sample('doc.pdf')]);
      expectProblem(
        await call('GET', `${STORE}/${id}/attachments/${pdf.body.attachments[0].id}/thumbnail`, {
          token: t.store1,
        }),
        404,
        'NOT_FOUND',
      );
    });

    it('answers 404 to anyone but a participant, as for a missing attachment', async () => {
      const id = await storeCustomerConversation();
      const response = await send(STORE, t.store1, id, '', [sample('doc.pdf')]);
      const attachmentId = response.body.attachments[0].id;
      const path = `/${id}/attachments/${attachmentId}`;
      expect((await download(`${STOREFRONT}${path}`, t.customer1)).status).toBe(200);
      for (const [base, token] of [
        [STOREFRONT, t.customer2],
        [STOREFRONT, t.customer3],
        [STORE, t.store2],
        [ADMIN, t.admin],
      ] as const) {
        const denied = await call('GET', `${base}${path}`, { token });
        expectProblem(denied, 404, 'NOT_FOUND');
        expect(denied.text).not.toContain('%PDF');
        expectProblem(await call('GET', `${base}${path}/thumbnail`, { token }), 404, 'NOT_FOUND');
      }
      expectProblem(
        await call('GET', `${STORE}/${id}/attachments/01890a5d-ac96-774b-bcce-b302099a8057`, {
          token: t.store1,
        }),
        404,
        'NOT_FOUND',
      );
    });

    it('refuses a renamed executable, a contradicting name and an undecodable image with 415, storing nothing', async () => {
      const id = await adminStoreConversation();
      const elf = await send(STORE, t.store1, id, 'x', [sample('doc.pdf'), sample('tool.png')]);
      expectProblem(elf as never, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(elf.body.detail).toContain('application/x-elf');
      const exe = await send(STORE, t.store1, id, 'x', [sample('setup.png')]);
      expectProblem(exe as never, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(exe.body.detail).toContain('application/x-msdownload');
      const renamed = await send(STORE, t.store1, id, 'x', [sample('fake.pdf')]);
      expectProblem(renamed as never, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(renamed.body.detail).toContain('image/png');
      const broken = await send(STORE, t.store1, id, 'x', [
        sample('pixel.png'),
        { name: 'broken.png', bytes: undecodablePng() },
      ]);
      expectProblem(broken as never, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(broken.body.detail).toContain('cannot be decoded');
      const binaryText = await send(STORE, t.store1, id, 'x', [
        { name: 'notes.txt', bytes: new Uint8Array([0x68, 0, 0x69]) },
      ]);
      expectProblem(binaryText as never, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await storedPaths()).toEqual([]);
      const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
      expect(detail.body.message_count).toBe(0);
    });

    it('stores an ordinary zip whose head ends inside a deflated photo, and zip bombs named .docx, decided by bounded detection', async () => {
      const id = await adminStoreConversation();
      const photos = sample('photos.zip');
      expect(photos.bytes.byteLength).toBeGreaterThan(90_000);
      const bomb = sample('bomb.docx');
      const lyingBomb = { name: 'lying.docx', bytes: zipBombDocx({ lieAboutSize: true }) };
      const response = await send(STORE, t.store1, id, 'Holiday', [photos, bomb, lyingBomb]);
      expect(response.status, response.text).toBe(201);
      const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
      expect(
        response.body.attachments.map(
          (a: { original_filename: string; mime_type: string; file_size: number }) => [
            a.original_filename,
            a.mime_type,
            a.file_size,
          ],
        ),
      ).toEqual([
        ['photos.zip', 'application/zip', photos.bytes.byteLength],
        ['bomb.docx', docx, bomb.bytes.byteLength],
        ['lying.docx', docx, lyingBomb.bytes.byteLength],
      ]);
      const got = await download(response.body.attachments[0].download_url, t.store1);
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe('application/zip');
      expect(Buffer.compare(got.bytes, Buffer.from(photos.bytes))).toBe(0);
      // Named as what it is not, the zip is still refused: a client error, never a 500.
      const renamed = await send(STORE, t.store1, id, '', [{ name: 'photos.pdf', bytes: photos.bytes }]);
      expectProblem(renamed as never, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(renamed.body.detail).toContain('application/zip');
    });

    it('strips bidi overrides and invisible characters from original_filename, stored and served', async () => {
      const id = await adminStoreConversation();
      const response = await send(STORE, t.store1, id, 'Invoice', [
        { name: 'invoice\u202Efdp.txt', bytes: new TextEncoder().encode('Total: 12 EUR\n') },
        { name: '\u200Bscan\u2066\uFEFF.png', bytes: sample('pixel.png').bytes },
      ]);
      expect(response.status, response.text).toBe(201);
      expect(
        response.body.attachments.map((a: { original_filename: string }) => a.original_filename),
      ).toEqual(['invoicefdp.txt', 'scan.png']);
      const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
      expect(
        detail.body.messages
          .at(-1)
          .attachments.map((a: { original_filename: string }) => a.original_filename),
      ).toEqual(['invoicefdp.txt', 'scan.png']);
      const file = await download(response.body.attachments[0].download_url, t.store1);
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toBe(
        `attachment; filename="invoicefdp.txt"; filename*=UTF-8''invoicefdp.txt`,
      );
    });

    it('applies the size limit the admin sets, at the next upload: one byte over is 413 and nothing is stored', async () => {
      const id = await adminStoreConversation();
      const key = 'message_attachment_max_size_mb';
      expect((await call('GET', `${SETTINGS}/${key}`, { token: t.admin })).body).toEqual({
        key,
        value: 10,
        category: 'messaging',
      });
      expectProblem(
        await call('PUT', `${SETTINGS}/${key}`, { token: t.admin, body: { value: 0 } }),
        400,
        'VALIDATION',
        'value',
      );
      expectProblem(
        await call('PUT', `${SETTINGS}/${key}`, { token: t.admin, body: { value: -2 } }),
        400,
        'VALIDATION',
        'value',
      );
      expectProblem(
        await call('PUT', `${SETTINGS}/${key}`, { token: t.admin, body: { value: 'big' } }),
        400,
        'VALIDATION',
        'value',
      );
      expectProblem(
        await call('PUT', `${SETTINGS}/nope`, { token: t.admin, body: { value: 1 } }),
        404,
        'NOT_FOUND',
      );
      expectProblem(await call('GET', `${SETTINGS}/nope`, { token: t.admin }), 404, 'NOT_FOUND');
      expectProblem(
        await call('PUT', `${SETTINGS}/${key}`, { token: t.store1, body: { value: 1 } }),
        403,
        'FORBIDDEN',
      );
      const lowered = await call('PUT', `${SETTINGS}/${key}`, { token: t.admin, body: { value: 0.01 } });
      expect(lowered.body).toEqual({ key, value: 0.01, category: 'messaging' });
      const list = await call('GET', SETTINGS, { token: t.admin });
      expect(list.body.settings).toContainEqual({ key, value: 0.01, category: 'messaging' });

      const limit = Math.floor(0.01 * 1024 * 1024);
      const text = (size: number) => new Uint8Array(size).fill(0x61);
      const exact = await send(STORE, t.store1, id, '', [{ name: 'exact.txt', bytes: text(limit) }]);
      expect(exact.status, exact.text).toBe(201);
      expect(exact.body.attachments[0].file_size).toBe(limit);
      const before = await storedPaths();
      const over = await send(STORE, t.store1, id, '', [{ name: 'over.txt', bytes: text(limit + 1) }]);
      expectProblem(over as never, 413, 'PAYLOAD_TOO_LARGE');
      const overPng = await send(STORE, t.store1, id, '', [
        sample('pixel.png'),
        { name: 'big.pdf', bytes: new Uint8Array([...sample('doc.pdf').bytes, ...text(limit)]) },
      ]);
      expectProblem(overPng as never, 413, 'PAYLOAD_TOO_LARGE');
      expect(await storedPaths()).toEqual(before);
      // And back up: the next upload takes the new value.
      await call('PUT', `${SETTINGS}/${key}`, { token: t.admin, body: { value: 1 } });
      expect(
        (await send(STORE, t.store1, id, '', [{ name: 'over.txt', bytes: text(limit + 1) }])).status,
      ).toBe(201);
    });

    it('limits the number of files per message from the settings', async () => {
      const id = await adminStoreConversation();
      await call('PUT', `${SETTINGS}/message_attachment_max_files`, { token: t.admin, body: { value: 2 } });
      const pdf = sample('doc.pdf');
      const three = await send(STORE, t.store1, id, '', [pdf, pdf, pdf]);
      expectProblem(three as never, 400, 'VALIDATION', 'files');
      expect(await storedPaths()).toEqual([]);
      expect((await send(STORE, t.store1, id, '', [pdf, pdf])).status).toBe(201);
    });

    it('takes the content field after the files, and requires content or a file', async () => {
      const id = await adminStoreConversation();
      const late = await send(STORE, t.store1, id, 'written last', [sample('notes.txt')], {
        fieldsLast: true,
      });
      expect(late.status, late.text).toBe(201);
      expect(late.body.content).toBe('written last');
      expectProblem((await send(STORE, t.store1, id, '', [])) as never, 400, 'VALIDATION', 'content');
      const json = await call('POST', `${STORE}/${id}/messages`, {
        token: t.store1,
        body: { content: 'plain JSON still works' },
      });
      expect(json.status).toBe(201);
      expect(json.body.attachments).toEqual([]);
    });

    it('removes the stored files when the send fails after storing them, and replays idempotently', async () => {
      const id = await adminStoreConversation();
      const first = await send(STORE, t.store1, id, 'invoice', [sample('doc.pdf'), sample('pixel.png')], {
        idempotencyKey: 'k-1',
      });
      expect(first.status).toBe(201);
      const kept = await storedPaths();
      expect(kept).toHaveLength(3);
      // Same key, same files: the first message again, nothing new kept.
      const replay = await send(STORE, t.store1, id, 'invoice', [sample('doc.pdf'), sample('pixel.png')], {
        idempotencyKey: 'k-1',
      });
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
      expect(await storedPaths()).toEqual(kept);
      // Same key, other content: the files were written, then the append refused: all removed.
      const mismatch = await send(STORE, t.store1, id, 'other', [sample('wide.png')], {
        idempotencyKey: 'k-1',
      });
      expectProblem(mismatch as never, 422, 'IDEMPOTENCY_MISMATCH');
      expect(await storedPaths()).toEqual(kept);
      // A closed conversation refuses before anything is written.
      await call('POST', `${ADMIN}/${id}/close`, { token: t.admin });
      expectProblem(
        (await send(STORE, t.store1, id, 'late', [sample('doc.pdf')])) as never,
        409,
        'CONVERSATION_CLOSED',
      );
      expect(await storedPaths()).toEqual(kept);
      const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
      expect(detail.body.message_count).toBe(2); // the upload and the close notice
    });

    it('accepts concurrent uploads to one conversation', async () => {
      const id = await adminStoreConversation();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          send(i % 2 === 0 ? STORE : ADMIN, i % 2 === 0 ? t.store1 : t.admin, id, `m${i}`, [
            sample('photo.jpg'),
            sample('letter.docx'),
          ]),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(6);
      expect(await storedPaths()).toHaveLength(18);
      const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
      expect(detail.body.message_count).toBe(6);
      expect(detail.body.messages.flatMap((m: { attachments: unknown[] }) => m.attachments)).toHaveLength(12);
    });

    it('deletes an attachment (its sender or an admin), and purges a deleted message’s files (admin)', async () => {
      const id = await adminStoreConversation();
      const sent = await send(STORE, t.store1, id, 'two files', [sample('pixel.png'), sample('doc.pdf')]);
      const [image, pdf] = sent.body.attachments;
      // Deleting: the admin of the conversation may; the store user of another store cannot see it.
      expectProblem(
        await call('DELETE', `${STORE}/${id}/attachments/${image.id}`, { token: t.store2 }),
        404,
        'NOT_FOUND',
      );
      const deleted = await h.harness.app.inject({
        method: 'DELETE',
        url: `${STORE}/${id}/attachments/${image.id}`,
        headers: { authorization: `Bearer ${t.store1}` },
      });
      expect(deleted.statusCode).toBe(204);
      expect((await download(image.download_url, t.store1)).status).toBe(404);
      expect(await storedPaths()).toHaveLength(1);
      const detail = await call('GET', `${STORE}/${id}`, { token: t.store1 });
      expect(detail.body.messages.at(-1).attachments.map((a: { id: string }) => a.id)).toEqual([pdf.id]);

      // Soft delete keeps the file for audit (hidden from participants) until the admin purges.
      const message = await call('DELETE', `${ADMIN}/${id}/messages/${sent.body.id}`, { token: t.admin });
      expect(message.status).toBe(200);
      expect(message.body).toMatchObject({ is_deleted: true, attachments: [] });
      expect(await storedPaths()).toHaveLength(1);
      expectProblem(
        await call('GET', `${ADMIN}/${id}/attachments/${pdf.id}`, { token: t.admin }),
        404,
        'NOT_FOUND',
      );
      const purged = await call('POST', `${ADMIN}/${id}/messages/${sent.body.id}/purge-files`, {
        token: t.admin,
      });
      expect(purged.status).toBe(200);
      expect(purged.body).toEqual({ purged_attachments: 1 });
      expect(await storedPaths()).toEqual([]);

      // Purging a message that is not deleted is a conflict.
      const live = await send(ADMIN, t.admin, id, 'keep', [sample('doc.pdf')]);
      expectProblem(
        await call('POST', `${ADMIN}/${id}/messages/${live.body.id}/purge-files`, { token: t.admin }),
        409,
        'CONFLICT',
      );
    });

    it('sweeps files no attachment row points to once they are older than the grace period', async () => {
      const id = await adminStoreConversation();
      const sent = await send(STORE, t.store1, id, '', [sample('pixel.png')]);
      async function* bytes() {
        yield new Uint8Array([1, 2, 3]);
      }
      await h.storage.put({ path: `uploads/messages/2026/01/${id}/orphan.bin`, content: bytes() });
      expect(await h.core.sweepOrphanFiles({ olderThan: new Date(Date.now() - 60_000) })).toMatchObject({
        removed: [],
      });
      const swept = await h.core.sweepOrphanFiles({ olderThan: new Date(Date.now() + 60_000) });
      expect(swept.removed).toEqual([`uploads/messages/2026/01/${id}/orphan.bin`]);
      const [attachment] = sent.body.attachments;
      expect((await download(attachment.download_url, t.store1)).status).toBe(200);
      expect((await download(attachment.thumbnail_url, t.store1)).status).toBe(200);
    });
  });
}
