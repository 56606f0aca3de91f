import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessagingCore } from '@parley/messaging-core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { actorOfRequest } from '../plugins/authentication.js';
import { routeNotFound } from '../plugins/problem-handling.js';
import { problemResponses } from '../schemas/common.js';
import {
  AttachmentParams,
  ConversationDetailWire,
  ConversationListWire,
  ConversationParams,
  ConversationSummaryWire,
  DetailQuery,
  FileDownload,
  HistoryQuery,
  MessageListWire,
  MessageParams,
  MessageWire,
  PreferencesBody,
  PreferencesWire,
  PurgeWire,
  policySchemas,
  ReadBody,
  ReadStateWire,
  RecipientListWire,
  SendBody,
  SendHeaders,
  UnreadCountWire,
} from '../schemas/messaging.js';
import {
  toDetailWire,
  toListWire,
  toMessageListWire,
  toMessageWire,
  toPreferencesWire,
  toReadStateWire,
  toRecipientWire,
  toSummaryWire,
} from '../serializers.js';
import { attachmentDownloadHeaders, multipartMessage } from './attachment-transport.js';
import { defined, jsonContent } from './request-inputs.js';

export interface MessagingRoutesOptions {
  readonly core: MessagingCore;
  /** The token role (a participant type of the core's policy) these routes serve. */
  readonly role: string;
  /** Create, close, reopen and recipients: for types the policy lets start (admin and store, not customers). */
  readonly manage: boolean;
  /** OpenAPI tag of the group. */
  readonly tag: string;
}

const actor = (request: FastifyRequest) => actorOfRequest(request);

/**
 * The management paths an audience without them (`manage: false`, the storefront) would still
 * match through another pattern: `GET /messages/recipients` would be read by `GET /messages/:id`
 * as a conversation id (404 "conversation recipients not found"). Registered beside, not inside,
 * the audience's authenticated routes, so they answer exactly like the not-found handler: 404
 * `ROUTE_NOT_FOUND`, token or not.
 *
 * @example
 * ```ts
 * await app.register(absentManagementRoutes, { prefix: '/api/v1/storefront' });
 * ```
 */
export const absentManagementRoutes: FastifyPluginAsync = async (app) => {
  app.get('/messages/recipients', { schema: { hide: true } }, async (request) => {
    throw routeNotFound(request.method, request.url);
  });
};

/**
 * The messaging routes of one audience, registered under `/api/v1/{admin|store|storefront}`.
 * Every handler maps the request to one use case and its result to the wire; the core decides.
 *
 * @example
 * ```ts
 * await app.register(messagingRoutes, { prefix: '/api/v1/store', core, role: 'store', manage: true, tag: 'Store messages' });
 * ```
 */
export const messagingRoutes: FastifyPluginAsyncTypebox<MessagingRoutesOptions> = async (app, options) => {
  const { core, role, manage, tag } = options;
  const schemas = policySchemas(core.policy);
  const base = { tags: [tag], security: [{ bearerAuth: [] }] };
  const op = (name: string) => `${role}${name}`;
  // Where the audience's conversations live, for the download URLs in message responses.
  const audience = `${app.prefix}/messages`;
  app.addHook('onRequest', app.authenticate(role));

  app.get(
    '/messages',
    {
      schema: {
        ...base,
        operationId: op('ListConversations'),
        summary: 'List conversations',
        description: "The caller's conversations, latest activity first, in cursor pages.",
        querystring: schemas.ListQuery,
        response: { 200: ConversationListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { conversation_type, is_closed, unread_only, limit, cursor } = request.query;
      const list = await core.listConversations(
        actor(request),
        defined({
          conversationType: conversation_type,
          isClosed: is_closed,
          unreadOnly: unread_only,
          limit,
          cursor,
        }),
      );
      return toListWire(list);
    },
  );

  if (manage) {
    app.post(
      '/messages',
      {
        schema: {
          ...base,
          operationId: op('CreateConversation'),
          summary: 'Start a conversation',
          body: schemas.CreateBody,
          response: { 201: ConversationDetailWire, ...problemResponses(404) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const detail = await core.createConversation(actor(request), {
          conversationType: body.conversation_type,
          subject: body.subject,
          recipient: { type: body.recipient_type, id: body.recipient_id },
          ...defined({ initialMessage: body.initial_message }),
        });
        reply.code(201);
        return toDetailWire(detail, audience);
      },
    );
  }

  app.get(
    '/messages/unread-count',
    {
      schema: {
        ...base,
        operationId: op('UnreadCount'),
        summary: 'Unread badge',
        description: "Sum of unread counts over the caller's non-muted conversations.",
        response: { 200: UnreadCountWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { totalUnread } = await core.getUnreadCount(actor(request));
      return { total_unread: totalUnread };
    },
  );

  if (manage) {
    app.get(
      '/messages/recipients',
      {
        schema: {
          ...base,
          operationId: op('ListRecipients'),
          summary: 'Who the caller may start a conversation with',
          querystring: schemas.RecipientsQuery,
          response: { 200: RecipientListWire, ...problemResponses() },
        },
      },
      async (request) => {
        const { recipient_type, q, limit } = request.query;
        const entries = await core.listRecipients(actor(request), {
          recipientType: recipient_type,
          ...defined({ query: q, limit }),
        });
        return { recipients: entries.map(toRecipientWire) };
      },
    );
  }

  app.get(
    '/messages/:id',
    {
      schema: {
        ...base,
        operationId: op('GetConversation'),
        summary: 'A conversation with its participants and latest messages',
        params: ConversationParams,
        querystring: DetailQuery,
        response: { 200: ConversationDetailWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const detail = await core.getConversation(
        actor(request),
        request.params.id,
        defined({ markRead: request.query.mark_read }),
      );
      return toDetailWire(detail, audience);
    },
  );

  app.get(
    '/messages/:id/messages',
    {
      schema: {
        ...base,
        operationId: op('ListMessages'),
        summary: 'Older history',
        description:
          'One page of messages older than `cursor` (from the detail or a previous page), oldest first.',
        params: ConversationParams,
        querystring: HistoryQuery,
        response: { 200: MessageListWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const list = await core.listMessages(
        actor(request),
        request.params.id,
        defined({ cursor: request.query.cursor, limit: request.query.limit }),
      );
      return toMessageListWire(list, audience);
    },
  );

  app.post(
    '/messages/:id/messages',
    {
      schema: {
        ...base,
        operationId: op('SendMessage'),
        summary: 'Send a message',
        description:
          'JSON (`{ "content" }`) or `multipart/form-data` with a `content` field (may be empty when a file is attached) and up to `message_attachment_max_files` files, each at most `message_attachment_max_size_mb` (413 beyond) and of an accepted type decided from its bytes (415 otherwise). With an `Idempotency-Key`, a retry returns the first message (201 again, with `Idempotent-Replayed: true`) and sends nothing; the same key with other content is a 422.',
        params: ConversationParams,
        headers: SendHeaders,
        // Only JSON bodies are validated here; multipart parts are read as a stream by the handler.
        body: { content: { 'application/json': { schema: SendBody } } },
        response: {
          201: MessageWire,
          ...problemResponses(404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const idempotencyKey = request.headers['idempotency-key'];
      const who = actor(request);
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
      reply.code(201);
      return toMessageWire(message, audience);
    },
  );

  for (const thumbnail of [false, true]) {
    app.get(
      thumbnail
        ? '/messages/:id/attachments/:attachment_id/thumbnail'
        : '/messages/:id/attachments/:attachment_id',
      {
        schema: {
          ...base,
          operationId: op(thumbnail ? 'DownloadThumbnail' : 'DownloadAttachment'),
          summary: thumbnail ? 'Download the thumbnail of an image attachment' : 'Download an attachment',
          description: 'Participants only; anyone else gets a 404, as for a missing file.',
          produces: ['application/octet-stream'],
          params: AttachmentParams,
          response: { 200: FileDownload, ...problemResponses(404) },
        },
      },
      async (request, reply) => {
        const opened = await core.openAttachment(
          actor(request),
          request.params.id,
          request.params.attachment_id,
          { thumbnail },
        );
        reply.headers(attachmentDownloadHeaders(opened, thumbnail));
        return reply.send(Readable.from(opened.content));
      },
    );
  }

  app.delete(
    '/messages/:id/attachments/:attachment_id',
    {
      schema: {
        ...base,
        operationId: op('DeleteAttachment'),
        summary: 'Delete an attachment (its sender or an admin participant)',
        params: AttachmentParams,
        response: {
          204: { type: 'null', description: 'Deleted: the row and its files.' },
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      await core.deleteAttachment(actor(request), request.params.id, request.params.attachment_id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/messages/:id/messages/:message_id',
    {
      schema: {
        ...base,
        operationId: op('DeleteMessage'),
        summary: 'Delete a message (its sender or an admin participant)',
        description:
          'Soft delete: the content and attachments are hidden; the files are kept for audit until an admin purges them.',
        params: MessageParams,
        response: { 200: MessageWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toMessageWire(
        await core.deleteMessage(actor(request), request.params.id, request.params.message_id),
        audience,
      ),
  );

  // Only for an audience the policy may ever let purge files (admins in the marketplace).
  if (core.policy.mayEver(role, 'purge_message_files')) {
    app.post(
      '/messages/:id/messages/:message_id/purge-files',
      {
        schema: {
          ...base,
          operationId: op('PurgeMessageFiles'),
          summary: 'Remove the files of a deleted message',
          description:
            'Admins only, for a message already deleted (409 otherwise): removes its attachment rows and files.',
          params: MessageParams,
          response: { 200: PurgeWire, ...problemResponses(404, 409) },
        },
      },
      async (request) => ({
        purged_attachments: await core.purgeDeletedMessageFiles(
          actor(request),
          request.params.id,
          request.params.message_id,
        ),
      }),
    );
  }

  if (manage) {
    for (const action of ['close', 'reopen'] as const) {
      app.post(
        `/messages/:id/${action}`,
        {
          schema: {
            ...base,
            operationId: op(action === 'close' ? 'CloseConversation' : 'ReopenConversation'),
            summary: action === 'close' ? 'Close a conversation' : 'Reopen a conversation',
            params: ConversationParams,
            response: { 200: ConversationSummaryWire, ...problemResponses(404, 409) },
          },
        },
        async (request) => {
          const who = actor(request);
          if (action === 'close') await core.closeConversation(who, request.params.id);
          else await core.reopenConversation(who, request.params.id);
          // The use cases return the conversation; the summary is the caller's view of it.
          return toSummaryWire(await core.getConversation(who, request.params.id, { messageLimit: 1 }));
        },
      );
    }
  }

  app.put(
    '/messages/:id/read',
    {
      schema: {
        ...base,
        operationId: op('MarkRead'),
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
    },
    async (request) =>
      toReadStateWire(
        await core.markConversationRead(
          actor(request),
          request.params.id,
          defined({ upToSeq: request.body.up_to_seq }),
        ),
      ),
  );

  app.put(
    '/messages/:id/preferences',
    {
      schema: {
        ...base,
        operationId: op('UpdatePreferences'),
        summary: "Set the caller's notification preferences for a conversation",
        params: ConversationParams,
        body: PreferencesBody,
        response: { 200: PreferencesWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const preferences = await core.updatePreferences(
        actor(request),
        request.params.id,
        defined({ emailNotifications: request.body.email_notifications, muted: request.body.muted }),
      );
      return toPreferencesWire(preferences);
    },
  );
};
