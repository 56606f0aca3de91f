import type { IncomingHttpHeaders } from 'node:http';
import type {} from '@fastify/multipart';
import {
  type ByteRangeRequest,
  type ByteStream,
  isMessagingError,
  type MessagingCore,
  MessagingError,
  type OpenedAttachment,
  sanitizeFilename,
  type UploadedFile,
} from '@parley/messaging-core';
import contentDisposition from 'content-disposition';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../http-errors.js';

/** Percent-encoding of RFC 8187 `ext-value`s (attr-char only). */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `Content-Disposition: attachment` with a quoted ASCII fallback `filename` and, always, the
 * RFC 6266 `filename*` carrying the UTF-8 name.
 *
 * @example
 * ```ts
 * attachmentDisposition('Grüße.pdf'); // attachment; filename="Gru_e.pdf"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf
 * ```
 */
export function attachmentDisposition(filename: string): string {
  // The plain `filename` stays ASCII (accents dropped, the rest `_`); `filename*` has the real name.
  const fallback = filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
  const header = contentDisposition(filename, { type: 'attachment', fallback });
  return header.includes('filename*=') ? header : `${header}; filename*=UTF-8''${encodeExtValue(filename)}`;
}

/**
 * The one byte range of a `Range` header (RFC 9110 §14), or undefined to serve the whole file:
 * no header, another unit, several ranges, a malformed or inverted one, or an `If-Range` (Parley
 * sends no validator it could match) are all answered with the whole file, as the RFC allows.
 *
 * @example
 * ```ts
 * byteRangeOf({ range: 'bytes=100-199' }); // { start: 100, end: 199 }
 * byteRangeOf({ range: 'bytes=-500' }); // { suffixLength: 500 }
 * ```
 */
export function byteRangeOf(headers: IncomingHttpHeaders): ByteRangeRequest | undefined {
  const header = headers.range;
  if (header === undefined || headers['if-range'] !== undefined) return undefined;
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return { suffixLength: Number(last) };
  const start = Number(first);
  if (last === '') return { start };
  const end = Number(last);
  return end < start ? undefined : { start, end };
}

function thumbnailName(originalFilename: string, mimeType: string): string {
  const dot = originalFilename.lastIndexOf('.');
  const stem = dot > 0 ? originalFilename.slice(0, dot) : originalFilename;
  return `${stem}.thumb.${mimeType === 'image/jpeg' ? 'jpg' : 'webp'}`;
}

/**
 * Response headers of a download: the stored type (UTF-8 for text), its length, an attachment
 * disposition and `nosniff`, so a browser never renders an upload inline as something else.
 *
 * @example
 * ```ts
 * reply.headers(attachmentDownloadHeaders(await core.openAttachment(actor, id, attachmentId), false));
 * ```
 */
export function attachmentDownloadHeaders(
  // Only what describes the bytes: a presigned download has none to stream.
  opened: Omit<OpenedAttachment, 'content'> & Partial<Pick<OpenedAttachment, 'content'>>,
  thumbnail: boolean,
): Record<string, string> {
  // Sanitized again: a row stored before bidi and zero-width characters were stripped has them.
  const original = sanitizeFilename(opened.attachment.originalFilename);
  const name = thumbnail ? thumbnailName(original, opened.mimeType) : original;
  return {
    'content-type': opened.mimeType.startsWith('text/')
      ? `${opened.mimeType}; charset=utf-8`
      : opened.mimeType,
    'content-length': String(opened.size),
    'content-disposition': attachmentDisposition(name),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  };
}

/**
 * A multipart send as the core's input: the `content` field and the files, streamed in request
 * order. The size and count limits are read from the platform settings now (for this request);
 * busboy is told one byte and one file more, so going over is seen and refused (413 / 400) rather
 * than silently truncated.
 *
 * @example
 * ```ts
 * await core.sendMessageWithAttachments(actor, { conversationId, ...(await multipartMessage(request, core)) });
 * ```
 */
export async function multipartMessage(
  request: FastifyRequest,
  core: MessagingCore,
): Promise<{ content: () => string; files: AsyncIterable<UploadedFile> }> {
  const maxBytes = Math.floor((await core.settings.number('message_attachment_max_size_mb')) * 1024 * 1024);
  const maxFiles = await core.settings.number('message_attachment_max_files');
  let parts: ReturnType<FastifyRequest['parts']>;
  try {
    parts = request.parts({
      limits: { fileSize: maxBytes + 1, files: maxFiles + 1, fields: 4, fieldSize: 1_048_576 },
    });
  } catch (error) {
    throw malformedMultipart(error);
  }
  let content = '';
  async function* files(): AsyncIterable<UploadedFile> {
    try {
      for await (const part of parts) {
        if (part.type === 'file') {
          yield { originalFilename: part.filename || 'file', content: readOrRefuse(part.file) };
        } else if (part.fieldname === 'content') {
          content = typeof part.value === 'string' ? part.value : String(part.value ?? '');
        } else {
          throw MessagingError.validation(part.fieldname, `${part.fieldname} is not a known field`);
        }
      }
    } catch (error) {
      throw malformedMultipart(error);
    }
  }
  return { content: () => content, files: files() };
}

/**
 * What busboy throws for a body it cannot read — no boundary in the Content-Type, a boundary over
 * its 256-character limit, a body cut before the closing boundary — is the client's fault: a 400
 * `MALFORMED_REQUEST` on `body`. Errors with a code (the multipart plugin's size and count
 * limits, the core's own) keep their answers.
 */
function malformedMultipart(error: unknown): unknown {
  if (isMessagingError(error) || error instanceof HttpProblem) return error;
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return error;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new HttpProblem('MALFORMED_REQUEST', `the multipart/form-data body could not be read: ${reason}`, {
    field: 'body',
    cause: error,
  });
}

/** A file part's bytes; a read failure of the multipart stream itself becomes `malformedMultipart`. */
async function* readOrRefuse(file: ByteStream): ByteStream {
  try {
    yield* file;
  } catch (error) {
    throw malformedMultipart(error);
  }
}
