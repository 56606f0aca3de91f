import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { MessageAttachment } from '../model/attachment.js';
import type { ByteStream } from '../ports/attachment-storage.js';
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
}

export interface OpenAttachmentOptions {
  /** Open the thumbnail instead of the file (`NOT_FOUND` when there is none). */
  readonly thumbnail?: boolean;
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

/**
 * Opens an attachment (or its thumbnail) of a visible message for a participant. Anyone else,
 * a deleted message and an unknown id all fail the same way (`NOT_FOUND`).
 *
 * @example
 * ```ts
 * const { attachment, content } = await core.openAttachment(actor, conversationId, attachmentId);
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
  const { membership } = await loadForAction(ctx, actor, conversationId, 'view');
  const found = await ctx.store.messages.findAttachment(conversationId, attachmentId);
  const message = found ? await ctx.store.messages.findById(conversationId, found.messageId) : null;
  const attachment = message && !message.isDeleted && visibleTo(membership, message) ? found : null;
  if (!attachment) throw MessagingError.notFound('attachment', attachmentId);
  if (!options.thumbnail) {
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
  const { membership } = await loadForAction(ctx, actor, conversationId, 'view');
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
  const removed = await ctx.store.messages.deleteAttachments(conversationId, messageId);
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
