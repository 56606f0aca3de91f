import { isMessagingError, MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import {
  type AllowedType,
  classifyAttachment,
  TextContentCheck,
  textType,
} from '../attachments/allowed-types.js';
import { sanitizeFilename } from '../attachments/sanitize-filename.js';
import type { AttachmentStorage, ByteStream } from '../ports/attachment-storage.js';
import type { DetectedType, MediaInspector } from '../ports/media-inspector.js';
import { type CoreContext, loadForAction } from './context.js';
import { type NewAttachment, type SendMessageResult, sendMessage } from './send-message.js';

/** One uploaded file, as the transport hands it over (streamed, not buffered). */
export interface UploadedFile {
  /** The name the client gave; kept only as sanitized metadata. */
  readonly originalFilename: string;
  readonly content: ByteStream;
}

export interface SendMessageWithAttachmentsInput {
  readonly conversationId: string;
  /**
   * The text (may be empty when at least one file is attached). A function is called once every
   * file was read: multipart bodies may carry the text after the files.
   */
  readonly content: string | (() => string);
  readonly idempotencyKey?: string;
  /** Read one after the other; each file's stream is consumed before the next is asked for. */
  readonly files: AsyncIterable<UploadedFile> | Iterable<UploadedFile>;
}

/** Bytes read before deciding a file's type (file-type needs 4100). */
export const DETECTION_HEAD_BYTES = 4100;
/** Longest side of generated thumbnails, in pixels. */
export const THUMBNAIL_MAX_SIDE = 320;

/** The storage and inspector, or `INTERNAL` when the core was built without them. */
export function attachmentPorts(ctx: CoreContext): NonNullable<CoreContext['attachments']> {
  if (!ctx.attachments) throw new MessagingError('INTERNAL', 'attachments are not configured');
  return ctx.attachments;
}

/** Removes stored objects, best effort: what fails here is left to the orphan sweep. */
export async function removeStored(storage: AttachmentStorage, paths: readonly string[]): Promise<void> {
  await Promise.allSettled(paths.map((path) => storage.delete(path)));
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): MessagingError {
  return new MessagingError('PAYLOAD_TOO_LARGE', `file is larger than ${maxBytes} bytes`, {
    field: 'file',
    details: { maxBytes },
  });
}

async function* once(bytes: Uint8Array): ByteStream {
  yield bytes;
}

interface FileTarget {
  readonly ctx: CoreContext;
  readonly storage: AttachmentStorage;
  readonly inspector: MediaInspector;
  /** `uploads/messages/YYYY/MM/{conversation_id}` */
  readonly directory: string;
  readonly maxBytes: number;
  /** Every path written for this request, for cleanup. */
  readonly written: string[];
}

/**
 * What the inspector makes of the head. A detector that fails on what it was given (a format it
 * cannot follow) is the upload's problem to report, never a server error: 415 naming the file.
 */
async function detect(
  inspector: MediaInspector,
  head: Uint8Array,
  originalFilename: string,
): Promise<DetectedType | null> {
  try {
    return await inspector.detect(head, originalFilename);
  } catch (error) {
    if (isMessagingError(error)) throw error;
    throw new MessagingError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${originalFilename}: the type of its bytes cannot be determined`,
      { field: 'file', cause: error },
    );
  }
}

async function storeFile(target: FileTarget, file: UploadedFile): Promise<NewAttachment> {
  const { storage, inspector, maxBytes } = target;
  const originalFilename = sanitizeFilename(file.originalFilename);
  const iterator = file.content[Symbol.asyncIterator]();
  const headChunks: Uint8Array[] = [];
  let headSize = 0;
  let ended = false;
  while (headSize < DETECTION_HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    headChunks.push(next.value);
    headSize += next.value.byteLength;
  }
  if (headSize > maxBytes) throw tooLarge(maxBytes);
  if (headSize === 0) throw MessagingError.validation('file', `${originalFilename} is empty`);
  const head = concat(headChunks, headSize);

  const decided = classifyAttachment(await detect(inspector, head, originalFilename), originalFilename);
  const type: AllowedType = decided === 'text-candidate' ? textType(originalFilename) : decided;
  const textCheck = type.kind === 'text' ? new TextContentCheck() : null;
  const id = target.ctx.ids.next();
  const filename = `${id}.${type.extension}`;
  const path = `${target.directory}/${filename}`;

  async function* body(): ByteStream {
    textCheck?.push(head);
    yield head;
    while (!ended) {
      const next = await iterator.next();
      if (next.done) break;
      textCheck?.push(next.value);
      yield next.value;
    }
    textCheck?.finish();
  }
  target.written.push(path);
  const stored = await storage.put({ path, content: body(), maxBytes });

  let image: { width: number; height: number; thumbnailPath: string } | null = null;
  if (type.kind === 'image') {
    let size: { width: number; height: number };
    let thumb: { bytes: Uint8Array; extension: string };
    try {
      size = await inspector.describeImage(await storage.openRead(path));
      thumb = await inspector.thumbnail(await storage.openRead(path), THUMBNAIL_MAX_SIDE);
    } catch (error) {
      if (isMessagingError(error) && error.code !== 'UNSUPPORTED_MEDIA_TYPE') throw error;
      throw new MessagingError(
        'UNSUPPORTED_MEDIA_TYPE',
        `${originalFilename}: ${type.mimeType} image cannot be decoded`,
        { field: 'file', cause: error },
      );
    }
    const thumbnailPath = `${target.directory}/${id}.thumb.${thumb.extension}`;
    target.written.push(thumbnailPath);
    await storage.put({ path: thumbnailPath, content: once(thumb.bytes) });
    image = { width: size.width, height: size.height, thumbnailPath };
  }
  return {
    id,
    filename,
    originalFilename,
    filePath: stored.path,
    fileSize: stored.size,
    mimeType: type.mimeType,
    isImage: image !== null,
    imageWidth: image?.width ?? null,
    imageHeight: image?.height ?? null,
    thumbnailPath: image?.thumbnailPath ?? null,
  };
}

/**
 * Sends a message with files. Checks access and that the conversation is open before storing
 * anything; reads the size and count limits from the platform settings at request time; decides
 * each file's type from its bytes (`UNSUPPORTED_MEDIA_TYPE` for anything else or a name that
 * contradicts them), streams it into storage under `uploads/messages/YYYY/MM/{conversation}/`
 * (`PAYLOAD_TOO_LARGE` past the limit), measures and thumbnails images, then appends the message
 * with its attachments in one statement. If anything fails after a file was stored, every file
 * of this request is removed; an idempotent replay returns the first message and removes them too.
 *
 * @example
 * ```ts
 * const { message } = await core.sendMessageWithAttachments(actor, {
 *   conversationId,
 *   content: 'The invoice',
 *   files: [{ originalFilename: 'invoice.pdf', content: fileStream }],
 * });
 * message.attachments[0]?.mimeType; // "application/pdf"
 * ```
 */
export async function sendMessageWithAttachments(
  ctx: CoreContext,
  actor: Actor,
  input: SendMessageWithAttachmentsInput,
): Promise<SendMessageResult> {
  const visible = await loadForAction(ctx, actor, input.conversationId, 'send');
  const { conversation } = visible;
  if (conversation.isClosed) {
    throw new MessagingError('CONVERSATION_CLOSED', `conversation ${conversation.id} is closed`);
  }
  const { storage, inspector } = attachmentPorts(ctx);
  const maxBytes = Math.floor((await ctx.settings.number('message_attachment_max_size_mb')) * 1024 * 1024);
  const maxFiles = await ctx.settings.number('message_attachment_max_files');
  const now = ctx.clock.now();
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  const target: FileTarget = {
    ctx,
    storage,
    inspector,
    directory: `uploads/messages/${now.getUTCFullYear()}/${month}/${conversation.id}`,
    maxBytes,
    written: [],
  };
  try {
    const attachments: NewAttachment[] = [];
    for await (const file of input.files) {
      if (attachments.length >= maxFiles) {
        throw MessagingError.validation('files', `a message carries at most ${maxFiles} files`);
      }
      attachments.push(await storeFile(target, file));
    }
    const content = typeof input.content === 'function' ? input.content() : input.content;
    const result = await sendMessage(
      ctx,
      actor,
      {
        conversationId: conversation.id,
        content,
        attachments,
        ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      },
      visible,
    );
    if (result.replayed) await removeStored(storage, target.written);
    return result;
  } catch (error) {
    await removeStored(storage, target.written);
    throw error;
  }
}
