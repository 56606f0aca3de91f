import { originColumns } from '../../kernel/audit/audit-entry.js';
import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { MessageAttachment } from '../model/attachment.js';
import type { ByteRange, ByteStream } from '../ports/attachment-storage.js';
import { type CoreContext, enforce, loadForAction, visibleTo } from './context.js';
import { attachmentPorts, removeStored } from './send-message-with-attachments.js';

/** An attachment opened for download. */
export interface OpenedAttachment {
  readonly attachment: MessageAttachment;
  /** The MIME type of what `content` streams (the thumbnail's for a thumbnail). */
  readonly mimeType: string;
  /** Bytes in `content`. */
  readonly size: number;
  readonly content: ByteStream;
  /** Present when a range was asked for: the bytes `content` holds, of `total`. */
  readonly range?: ByteRange & { readonly total: number };
}

/**
 * A byte range as a client asks for it (HTTP `Range: bytes=…`): from `start` to `end` (inclusive;
 * absent: the end of the file), or the last `suffixLength` bytes.
 */
export type ByteRangeRequest =
  | { readonly start: number; readonly end?: number }
  | { readonly suffixLength: number };

export interface OpenAttachmentOptions {
  /** Open the thumbnail instead of the file (`NOT_FOUND` when there is none). */
  readonly thumbnail?: boolean;
  /**
   * Only these bytes of the file (ignored for a thumbnail). An `end` past the file is cut to it;
   * a `start` at or past the end, or an empty suffix, is `RANGE_NOT_SATISFIABLE` (`details.size`).
   */
  readonly range?: ByteRangeRequest;
}

/** What a presigned download answers with, decided by the caller from the attachment. */
export interface PresignAttachmentOptions {
  /** The response headers for this attachment (the same as a download through Parley). */
  readonly headers: (attachment: Omit<OpenedAttachment, 'content'>) => {
    readonly contentType: string;
    readonly contentDisposition: string;
  };
}

export interface SweepResult {
  /** Objects looked at under `uploads/messages/`. */
  readonly scanned: number;
  /** Paths removed because no attachment row points to them. */
  readonly removed: readonly string[];
}

const THUMBNAIL_TYPES: Readonly<Record<string, string>> = { webp: 'image/webp', jpg: 'image/jpeg' };
const SWEEP_BATCH = 500;

function filesOf(attachments: readonly MessageAttachment[]): string[] {
  return attachments.flatMap((a) =>
    a.thumbnailPath === null ? [a.filePath] : [a.filePath, a.thumbnailPath],
  );
}

async function readAll(stream: ByteStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function findReadable(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  attachmentId: string,
): Promise<MessageAttachment> {
  const { membership } = await loadForAction(ctx, actor, conversationId, 'view');
  const found = await ctx.store.messages.findAttachment(conversationId, attachmentId);
  const message = found ? await ctx.store.messages.findById(conversationId, found.messageId) : null;
  const attachment = message && !message.isDeleted && visibleTo(membership, message) ? found : null;
  if (!attachment) throw MessagingError.notFound('attachment', attachmentId);
  return attachment;
}

function resolveRange(request: ByteRangeRequest, size: number): ByteRange {
  const unsatisfiable = () =>
    new MessagingError('RANGE_NOT_SATISFIABLE', `the range starts past the end of the file (${size} bytes)`, {
      field: 'range',
      details: { size },
    });
  if ('suffixLength' in request) {
    if (request.suffixLength <= 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - request.suffixLength), end: size - 1 };
  }
  if (request.start >= size) throw unsatisfiable();
  if (request.end !== undefined && request.end < request.start) {
    throw MessagingError.validation('range', 'a range ends before it starts');
  }
  return { start: request.start, end: Math.min(request.end ?? size - 1, size - 1) };
}

/**
 * Opens an attachment (or its thumbnail) of a visible message for a participant, whole or a byte
 * range of it. Anyone else, a deleted message and an unknown id all fail the same way
 * (`NOT_FOUND`).
 *
 * @example
 * ```ts
 * const { attachment, content } = await core.openAttachment(actor, conversationId, attachmentId);
 * const tail = await core.openAttachment(actor, conversationId, attachmentId, { range: { suffixLength: 500 } });
 * ```
 */
export async function openAttachment(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  attachmentId: string,
  options: OpenAttachmentOptions = {},
): Promise<OpenedAttachment> {
  const { storage } = attachmentPorts(ctx);
  const attachment = await findReadable(ctx, actor, conversationId, attachmentId);
  if (!options.thumbnail) {
    if (options.range !== undefined) {
      const range = resolveRange(options.range, attachment.fileSize);
      return {
        attachment,
        mimeType: attachment.mimeType,
        size: range.end - range.start + 1,
        content: await storage.openRead(attachment.filePath, range),
        range: { ...range, total: attachment.fileSize },
      };
    }
    return {
      attachment,
      mimeType: attachment.mimeType,
      size: attachment.fileSize,
      content: await storage.openRead(attachment.filePath),
    };
  }
  if (attachment.thumbnailPath === null)
    throw MessagingError.notFound('thumbnail of attachment', attachmentId);
  // Thumbnails are small (320 px) and their size is not recorded: read them whole.
  const bytes = await readAll(await storage.openRead(attachment.thumbnailPath));
  const extension = attachment.thumbnailPath.slice(attachment.thumbnailPath.lastIndexOf('.') + 1);
  return {
    attachment,
    mimeType: THUMBNAIL_TYPES[extension] ?? 'application/octet-stream',
    size: bytes.byteLength,
    content: (async function* () {
      yield bytes;
    })(),
  };
}

/**
 * A short-lived URL reading an attachment's file straight from storage (valid the core's
 * `presignedDownloadSeconds`), after the same access check as `openAttachment` (`NOT_FOUND`
 * alike); null, before any check, when presigned downloads are off or the storage cannot presign
 * (the filesystem): then serve `openAttachment`. Nothing is written; whoever holds the URL can
 * read the file until it expires.
 *
 * @example
 * ```ts
 * const url = await core.presignAttachmentDownload(actor, conversationId, attachmentId, {
 *   headers: (opened) => ({ contentType: opened.mimeType, contentDisposition: 'attachment' }),
 * });
 * if (url !== null) return reply.redirect(url);
 * ```
 */
export async function presignAttachmentDownload(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  attachmentId: string,
  options: PresignAttachmentOptions,
): Promise<string | null> {
  const { storage, presignedDownloadSeconds } = attachmentPorts(ctx);
  if (storage.presignRead === undefined || presignedDownloadSeconds === undefined) return null;
  const attachment = await findReadable(ctx, actor, conversationId, attachmentId);
  const headers = options.headers({ attachment, mimeType: attachment.mimeType, size: attachment.fileSize });
  return storage.presignRead(attachment.filePath, {
    expiresInSeconds: presignedDownloadSeconds,
    contentType: headers.contentType,
    contentDisposition: headers.contentDisposition,
  });
}

/**
 * Deletes one attachment, by the message's sender or an admin participant (the message-deletion
 * rule): the row first, then its files, so no row ever points to a missing file.
 *
 * @example
 * ```ts
 * await core.deleteAttachment(actor, conversationId, attachmentId);
 * ```
 */
export async function deleteAttachment(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  attachmentId: string,
): Promise<void> {
  const { storage } = attachmentPorts(ctx);
  const { membership } = await loadForAction(ctx, actor, conversationId, 'view');
  const found = await ctx.store.messages.findAttachment(conversationId, attachmentId);
  const stored = found ? await ctx.store.messages.findById(conversationId, found.messageId) : null;
  const message = stored && visibleTo(membership, stored) ? stored : null;
  if (!message) throw MessagingError.notFound('attachment', attachmentId);
  enforce(ctx.policy.decideDeleteMessage(actor, message, membership));
  const removed = await ctx.store.messages.deleteAttachments(conversationId, message.id, [attachmentId]);
  await removeStored(storage, filesOf(removed));
}

/**
 * Removes the files and attachment rows of a soft-deleted message (kept for audit until then).
 * Admin participants only; a message that is not deleted is a `CONFLICT`. Returns how many
 * attachments were purged.
 *
 * @example
 * ```ts
 * await core.deleteMessage(admin, conversationId, messageId);
 * await core.purgeDeletedMessageFiles(admin, conversationId, messageId); // 2
 * ```
 */
export async function purgeDeletedMessageFiles(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  messageId: string,
): Promise<number> {
  const { storage } = attachmentPorts(ctx);
  const { conversation, membership } = await loadForAction(ctx, actor, conversationId, 'view');
  const stored = await ctx.store.messages.findById(conversationId, messageId);
  const message = stored && visibleTo(membership, stored) ? stored : null;
  if (!message) throw MessagingError.notFound('message', messageId);
  enforce(ctx.policy.decidePurgeFiles(actor, message, membership));
  if (!message.isDeleted) {
    throw new MessagingError(
      'CONFLICT',
      `message ${messageId} is not deleted; delete it before purging its files`,
    );
  }
  const { role, ...request } = originColumns(actor.origin);
  const removed = await ctx.store.messages.deleteAttachments(conversationId, messageId, undefined, {
    actor: { type: actor.type, id: actor.id, role },
    tenantId: conversation.tenantId,
    action: 'message.purge',
    target: { type: 'message', id: messageId },
    ...request,
    occurredAt: ctx.clock.now(),
    diff: { conversation_id: conversationId },
  });
  await removeStored(storage, filesOf(removed));
  return removed.length;
}

/**
 * Removes files under `uploads/messages/` that no attachment row points to (files and thumbnails
 * of failed sends, of deletes interrupted half-way) and that were written before `olderThan`, so
 * uploads still in flight are never touched. Not an actor's action: the server runs it on a timer.
 *
 * @example
 * ```ts
 * await core.sweepOrphanFiles({ olderThan: new Date(Date.now() - 60 * 60_000) });
 * ```
 */
export async function sweepOrphanFiles(ctx: CoreContext, input: { olderThan: Date }): Promise<SweepResult> {
  const { storage } = attachmentPorts(ctx);
  const cutoff = input.olderThan.getTime();
  const removed: string[] = [];
  let scanned = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const referenced = await ctx.store.messages.referencedPaths(batch);
    const orphans = batch.filter((path) => !referenced.has(path));
    for (const path of orphans) {
      await storage.delete(path);
      removed.push(path);
    }
    batch = [];
  };
  for await (const object of storage.list('uploads/messages/')) {
    scanned += 1;
    if (object.modifiedAt.getTime() >= cutoff) continue;
    batch.push(object.path);
    if (batch.length >= SWEEP_BATCH) await flush();
  }
  await flush();
  return { scanned, removed };
}
