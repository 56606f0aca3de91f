import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ALLOWED_TYPES, isMessagingError, type MessagingCore, MessagingError } from '@parley/messaging-core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import {
  AttachmentParams,
  ConversationDetailWire,
  ConversationListWire,
  ConversationParams,
  ConversationSummaryWire,
  DetailQuery,
  EditBody,
  EditHeaders,
  FileDownload,
  HistoryQuery,
  MessageListWire,
  MessageParams,
  MessageRevisionListWire,
  MessageWire,
  PartialFileDownload,
  PreferencesBody,
  PreferencesWire,
  PresignedRedirect,
  PurgeWire,
  policySchemas,
  ReadBody,
  ReadStateWire,
  SendBody,
  SendHeaders,
  SendMultipartBody,
  UnreadCountWire,
} from '../schemas/messaging.js';
import { MessageSearchPageWire, MessageSearchQuery } from '../schemas/search.js';
import {
  toDetailWire,
  toListWire,
  toMessageListWire,
  toMessageWire,
  toPreferencesWire,
  toReadStateWire,
  toRevisionListWire,
  toSearchPageWire,
  toSummaryWire,
} from '../serializers.js';
import { attachmentDownloadHeaders, byteRangeOf, multipartMessage } from './attachment-transport.js';
import { defined, jsonContent, pathSegment as path } from './request-inputs.js';

/** The plugin instance both conversation surfaces register on (TypeBox-typed). */
export type TypeboxApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What a surface says about one route in its OpenAPI document. */
export interface RouteDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
}

export interface ConversationHandlersOptions {
  readonly core: MessagingCore;
  /**
   * What stands between the plugin's prefix and a conversation id: `''` for the generic API
   * (`/api/v1/conversations/:id`), `'/messages'` for an audience (`/api/v1/store/messages/:id`).
   * The list is the segment itself; download URLs in responses point under prefix + segment.
   */
  readonly segment: '' | '/messages';
  /** The OpenAPI tag of the surface. */
  readonly tag: string;
}

/**
 * The revision an `If-Match` header names: `"3"` (the `ETag` of an edit), `3` or `W/"3"`; `*`
 * or no header: none. Anything else is a 400 naming the header.
 */
export function revisionOfIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?([1-9][0-9]{0,9})"?\s*$/.exec(header);
  const revision = match === null ? Number.NaN : Number(match[1]);
  if (!Number.isSafeInteger(revision) || revision > 2_147_483_647)
    throw MessagingError.validation('if-match', 'If-Match must name a message revision, e.g. "2"');
  return revision;
}

/** What a download answers: the accepted attachment types. */
const DOWNLOAD_TYPES = Object.values(ALLOWED_TYPES).map((type) => type.mimeType);
/** What a thumbnail download answers. */
const THUMBNAIL_TYPES = ['image/webp', 'image/jpeg'];

/**
 * The conversation routes the generic API (`conversation-routes.ts`) and the marketplace's
 * audience facade (`messaging-routes.ts`) share: one handler and one set of schemas per route,
 * so the two surfaces cannot drift apart in what they validate, ask the core or answer.
 *
 * Returns one registrar per route rather than registering them all: the surfaces differ in their
 * wording (summaries, descriptions, operationIds), in a few methods (`read` is POST on one, PUT on
 * the other), in which routes an audience gets at all (close, purge) and in the order their
 * operations appear in the OpenAPI document, and each keeps those as they are. Calling a registrar
 * registers its route(s) on `app`, under whatever hooks `app` already has (the caller's
 * authentication); the actor is the request's.
 *
 * @example
 * ```ts
 * const routes = conversationHandlers(app, { core, segment: '/messages', tag: 'Store messages' });
 * routes.unreadCount('storeUnreadCount');
 * routes.markRead({ method: 'PUT', operationId: 'storeMarkRead' });
 * ```
 */
export function conversationHandlers(app: TypeboxApp, options: ConversationHandlersOptions) {
  const { core, segment, tag } = options;
  const schemas = policySchemas(core.policy);
  const base = { tags: [tag], security: [{ bearerAuth: [] }] };
  // Where this surface's conversations live, for the download URLs in message responses.
  const conversations = `${app.prefix}${segment}`;

  return {
    listConversations(doc: RouteDoc): void {
      app.get(
        segment,
        {
          schema: {
            ...base,
            ...doc,
            querystring: schemas.ListQuery,
            response: { 200: ConversationListWire, ...problemResponses() },
          },
        },
        async (request) => {
          const { conversation_type, is_closed, unread_only, archived, q, limit, cursor } = request.query;
          const list = await core.listConversations(
            actorOfRequest(request),
            defined({
              conversationType: conversation_type,
              isClosed: is_closed,
              unreadOnly: unread_only,
              archived,
              query: q,
              limit,
              cursor,
            }),
          );
          return toListWire(list);
        },
      );
    },

    searchMessages(doc: RouteDoc): void {
      app.get(
        `${segment}/search`,
        {
          schema: {
            ...base,
            ...doc,
            querystring: MessageSearchQuery,
            response: { 200: MessageSearchPageWire, ...problemResponses(404) },
          },
        },
        async (request) => {
          const { q, sort, conversation_id, sender, from, to, limit, cursor } = request.query;
          const separator = sender?.indexOf(':') ?? -1;
          const page = await core.searchMessages(
            actorOfRequest(request),
            defined({
              q,
              sort: sort as 'relevance' | 'recent' | undefined,
              conversationId: conversation_id,
              sender:
                sender === undefined
                  ? undefined
                  : { type: sender.slice(0, separator), id: sender.slice(separator + 1) },
              from: from === undefined ? undefined : new Date(from),
              to: to === undefined ? undefined : new Date(to),
              limit,
              cursor,
            }),
          );
          return toSearchPageWire(page);
        },
      );
    },

    unreadCount(operationId: string): void {
      app.get(
        `${segment}/unread-count`,
        {
          schema: {
            ...base,
            operationId,
            summary: 'Unread badge',
            description: "Sum of unread counts over the caller's non-muted conversations.",
            response: { 200: UnreadCountWire, ...problemResponses() },
          },
        },
        async (request) => {
          const { totalUnread } = await core.getUnreadCount(actorOfRequest(request));
          return { total_unread: totalUnread };
        },
      );
    },

    getConversation(doc: RouteDoc): void {
      app.get(
        `${segment}/:id`,
        {
          schema: {
            ...base,
            ...doc,
            params: ConversationParams,
            querystring: DetailQuery,
            response: { 200: ConversationDetailWire, ...problemResponses(404) },
          },
        },
        async (request) => {
          const detail = await core.getConversation(
            actorOfRequest(request),
            request.params.id,
            defined({ markRead: request.query.mark_read }),
          );
          return toDetailWire(detail, conversations);
        },
      );
    },

    listMessages(doc: RouteDoc): void {
      app.get(
        `${segment}/:id/messages`,
        {
          schema: {
            ...base,
            ...doc,
            params: ConversationParams,
            querystring: HistoryQuery,
            response: { 200: MessageListWire, ...problemResponses(404) },
          },
        },
        async (request) => {
          const list = await core.listMessages(
            actorOfRequest(request),
            request.params.id,
            defined({ cursor: request.query.cursor, limit: request.query.limit }),
          );
          return toMessageListWire(list, conversations);
        },
      );
    },

    sendMessage(operationId: string): void {
      app.post(
        `${segment}/:id/messages`,
        {
          schema: {
            ...base,
            operationId,
            summary: 'Send a message',
            description:
              'JSON (`{ "content" }`) or `multipart/form-data` with a `content` field (may be empty when a file is attached) and up to `message_attachment_max_files` files, each at most `message_attachment_max_size_mb` (413 beyond) and of an accepted type decided from its bytes (415 otherwise). With an `Idempotency-Key`, a retry returns the first message (201 again, with `Idempotent-Replayed: true`) and sends nothing; the same key with other content is a 422.',
            params: ConversationParams,
            headers: SendHeaders,
            // Only JSON bodies are validated here; multipart parts are read as a stream by the handler.
            body: { content: { 'application/json': { schema: SendBody } } },
            // Documented beside the JSON body (the OpenAPI plugin); never a validation schema.
            'x-multipart-body': SendMultipartBody,
            response: { 201: MessageWire, ...problemResponses(404, 409, 422) },
          },
        },
        async (request, reply) => {
          const idempotencyKey = request.headers['idempotency-key'];
          const who = actorOfRequest(request);
          const { message, replayed } = request.isMultipart()
            ? await core.sendMessageWithAttachments(who, {
                conversationId: request.params.id,
                ...(await multipartMessage(request, core)),
                ...defined({ idempotencyKey }),
              })
            : await core.sendMessage(who, {
                conversationId: request.params.id,
                content: jsonContent(request.body),
                ...defined({ idempotencyKey }),
              });
          if (replayed) reply.header('idempotent-replayed', 'true');
          reply
            .code(201)
            .header(
              'location',
              `${conversations}/${path(message.conversationId)}/messages/${path(message.id)}`,
            );
          return toMessageWire(message, conversations);
        },
      );
    },

    deleteMessage(doc: RouteDoc): void {
      app.delete(
        `${segment}/:id/messages/:message_id`,
        {
          schema: {
            ...base,
            ...doc,
            params: MessageParams,
            response: { 200: MessageWire, ...problemResponses(404) },
          },
        },
        async (request) =>
          toMessageWire(
            await core.deleteMessage(actorOfRequest(request), request.params.id, request.params.message_id),
            conversations,
          ),
      );
    },

    editMessage(doc: RouteDoc): void {
      app.patch(
        `${segment}/:id/messages/:message_id`,
        {
          schema: {
            ...base,
            ...doc,
            params: MessageParams,
            headers: EditHeaders,
            body: EditBody,
            response: { 200: MessageWire, ...problemResponses(404, 409, 412, 422) },
          },
        },
        async (request, reply) => {
          const expectedRevision = revisionOfIfMatch(request.headers['if-match']);
          const message = await core.editMessage(actorOfRequest(request), {
            conversationId: request.params.id,
            messageId: request.params.message_id,
            content: request.body.content,
            ...defined({ expectedRevision }),
          });
          reply.header('etag', `"${message.revision}"`);
          return toMessageWire(message, conversations);
        },
      );
    },

    messageRevisions(doc: RouteDoc): void {
      app.get(
        `${segment}/:id/messages/:message_id/revisions`,
        {
          schema: {
            ...base,
            ...doc,
            params: MessageParams,
            response: { 200: MessageRevisionListWire, ...problemResponses(404) },
          },
        },
        async (request) =>
          toRevisionListWire(
            await core.listMessageRevisions(
              actorOfRequest(request),
              request.params.id,
              request.params.message_id,
            ),
          ),
      );
    },

    /** Archive, then unarchive; `doc` words each. */
    archiveAndUnarchive(doc: (action: 'archive' | 'unarchive') => RouteDoc): void {
      for (const action of ['archive', 'unarchive'] as const) {
        app.post(
          `${segment}/:id/${action}`,
          {
            schema: {
              ...base,
              ...doc(action),
              params: ConversationParams,
              response: { 200: ConversationSummaryWire, ...problemResponses(404) },
            },
          },
          async (request) => {
            const who = actorOfRequest(request);
            if (action === 'archive') await core.archiveConversation(who, request.params.id);
            else await core.unarchiveConversation(who, request.params.id);
            return toSummaryWire(await core.getConversation(who, request.params.id, { messageLimit: 1 }));
          },
        );
      }
    },

    purgeMessageFiles(doc: RouteDoc): void {
      app.post(
        `${segment}/:id/messages/:message_id/purge-files`,
        {
          schema: {
            ...base,
            ...doc,
            params: MessageParams,
            response: { 200: PurgeWire, ...problemResponses(404, 409) },
          },
        },
        async (request) => ({
          purged_attachments: await core.purgeDeletedMessageFiles(
            actorOfRequest(request),
            request.params.id,
            request.params.message_id,
          ),
        }),
      );
    },

    /** The file and its thumbnail, in that order. */
    downloadAttachment(operationIds: { readonly file: string; readonly thumbnail: string }): void {
      for (const thumbnail of [false, true]) {
        app.get(
          `${segment}/:id/attachments/:attachment_id${thumbnail ? '/thumbnail' : ''}`,
          {
            schema: {
              ...base,
              operationId: thumbnail ? operationIds.thumbnail : operationIds.file,
              summary: thumbnail ? 'Download the thumbnail of an image attachment' : 'Download an attachment',
              description: 'Participants only; anyone else gets a 404, as for a missing file.',
              // The stored type of the file (one of the accepted ones), or the thumbnail's.
              produces: thumbnail ? THUMBNAIL_TYPES : DOWNLOAD_TYPES,
              params: AttachmentParams,
              response: thumbnail
                ? { 200: FileDownload, ...problemResponses(404) }
                : {
                    200: FileDownload,
                    206: PartialFileDownload,
                    302: PresignedRedirect,
                    ...problemResponses(404, 416),
                  },
            },
          },
          async (request, reply) => {
            const actor = actorOfRequest(request);
            const { id, attachment_id } = request.params;
            if (!thumbnail) {
              // S3 with PARLEY_S3_PRESIGNED_DOWNLOADS: the access check is ours, the bytes come from S3
              // (which honours a Range the client sends again to the new location).
              const url = await core.presignAttachmentDownload(actor, id, attachment_id, {
                headers: (opened) => {
                  const headers = attachmentDownloadHeaders(opened, false);
                  return {
                    contentType: headers['content-type']!,
                    contentDisposition: headers['content-disposition']!,
                  };
                },
              });
              if (url !== null) {
                reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer');
                return reply.redirect(url, 302);
              }
            }
            const range = thumbnail ? undefined : byteRangeOf(request.headers);
            const opened = await core
              .openAttachment(actor, id, attachment_id, { thumbnail, ...(range ? { range } : {}) })
              .catch((error: unknown) => {
                const size = isMessagingError(error) ? error.details?.size : undefined;
                if (
                  isMessagingError(error) &&
                  error.code === 'RANGE_NOT_SATISFIABLE' &&
                  typeof size === 'number'
                )
                  reply.header('content-range', `bytes */${size}`);
                throw error;
              });
            reply.headers(attachmentDownloadHeaders(opened, thumbnail));
            if (!thumbnail) reply.header('accept-ranges', 'bytes');
            if (opened.range !== undefined) {
              const { start, end, total } = opened.range;
              // The route's response map depends on `thumbnail`, so its status type is the narrower one.
              reply.code(206 as 200).header('content-range', `bytes ${start}-${end}/${total}`);
            }
            return reply.send(Readable.from(opened.content));
          },
        );
      }
    },

    deleteAttachment(doc: RouteDoc): void {
      app.delete(
        `${segment}/:id/attachments/:attachment_id`,
        {
          schema: {
            ...base,
            ...doc,
            params: AttachmentParams,
            response: {
              204: { type: 'null', description: 'Deleted: the row and its files.' },
              ...problemResponses(404),
            },
          },
        },
        async (request, reply) => {
          await core.deleteAttachment(
            actorOfRequest(request),
            request.params.id,
            request.params.attachment_id,
          );
          return reply.code(204).send(null);
        },
      );
    },

    /** Close, then reopen; `doc` words each. */
    closeAndReopen(doc: (action: 'close' | 'reopen') => RouteDoc): void {
      for (const action of ['close', 'reopen'] as const) {
        app.post(
          `${segment}/:id/${action}`,
          {
            schema: {
              ...base,
              ...doc(action),
              params: ConversationParams,
              response: { 200: ConversationSummaryWire, ...problemResponses(404, 409) },
            },
          },
          async (request) => {
            const who = actorOfRequest(request);
            if (action === 'close') await core.closeConversation(who, request.params.id);
            else await core.reopenConversation(who, request.params.id);
            // The use cases return the conversation; the summary is the caller's view of it.
            return toSummaryWire(await core.getConversation(who, request.params.id, { messageLimit: 1 }));
          },
        );
      }
    },

    markRead(route: { readonly method: 'POST' | 'PUT'; readonly operationId: string }): void {
      app.route({
        method: route.method,
        url: `${segment}/:id/read`,
        schema: {
          ...base,
          operationId: route.operationId,
          summary: 'Mark a conversation read',
          description:
            "Moves the caller's read state forward to `up_to_seq` (default: the latest message), never backwards. The JSON body is optional.",
          params: ConversationParams,
          body: ReadBody,
          'x-body-optional': true,
          response: { 200: ReadStateWire, ...problemResponses(404) },
        },
        // No body at all reads up to the latest message.
        preValidation: async (request) => {
          if (request.body === undefined) request.body = {};
        },
        handler: async (request) =>
          toReadStateWire(
            await core.markConversationRead(
              actorOfRequest(request),
              request.params.id,
              defined({ upToSeq: request.body.up_to_seq }),
            ),
          ),
      });
    },

    updatePreferences(route: RouteDoc & { readonly method: 'PATCH' | 'PUT' }): void {
      const { method, ...doc } = route;
      app.route({
        method,
        url: `${segment}/:id/preferences`,
        schema: {
          ...base,
          ...doc,
          params: ConversationParams,
          body: PreferencesBody,
          response: { 200: PreferencesWire, ...problemResponses(404) },
        },
        handler: async (request) => {
          const preferences = await core.updatePreferences(
            actorOfRequest(request),
            request.params.id,
            defined({ emailNotifications: request.body.email_notifications, muted: request.body.muted }),
          );
          return toPreferencesWire(preferences);
        },
      });
    },
  };
}
