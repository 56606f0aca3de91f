import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessagingCore } from '@parley/messaging-core';
import { actorOfRequest } from '../plugins/authentication.js';
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
  toSummaryWire,
} from '../serializers.js';
import { attachmentDownloadHeaders, multipartMessage } from './attachment-transport.js';
import { defined, jsonContent } from './request-inputs.js';

export interface ConversationRoutesOptions {
  readonly core: MessagingCore;
}

/** The OpenAPI tag of these routes (declared with the others in `server.ts`). */
export const CONVERSATIONS_TAG = 'Conversations';

/**
 * The generic conversation routes, registered under `/api/v1/conversations`: one set for every
 * participant type of the preset, the actor taken from the token (`service` tokens are a 403).
 * They ask the same use cases as the audience routes (`/api/v1/{admin,store,storefront}/messages`)
 * and answer the same wire shapes; what the caller may do is the core's policy, not the route's:
 * a customer closing a conversation is the core's 403, a conversation the caller may not see is
 * the core's 404, exactly like a missing id. Download URLs in responses point here.
 *
 * Creating a conversation and its membership (`POST /`, `…/{id}/participants`) live in
 * `conversation-membership-routes.ts`, under the same prefix.
 *
 * @example
 * ```ts
 * await app.register(conversationRoutes, { prefix: '/api/v1/conversations', core });
 * ```
 */
export const conversationRoutes: FastifyPluginAsyncTypebox<ConversationRoutesOptions> = async (
  app,
  options,
) => {
  const { core } = options;
  const schemas = policySchemas(core.policy);
  const base = { tags: [CONVERSATIONS_TAG], security: [{ bearerAuth: [] }] };
  // The prefix itself: conversation ids follow it directly (`/api/v1/conversations/{id}/attachments/…`).
  const conversations = app.prefix;
  app.addHook('onRequest', app.authenticateParticipant());

  app.get(
    '',
    {
      schema: {
        ...base,
        operationId: 'listConversations',
        summary: "List the caller's conversations",
        description:
          'Conversations the caller takes part in, latest activity first, in keyset pages: pass `next_cursor` back as `cursor` until it is null. Filters as on the audience routes.',
        querystring: schemas.ListQuery,
        response: { 200: ConversationListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { conversation_type, is_closed, unread_only, limit, cursor } = request.query;
      const list = await core.listConversations(
        actorOfRequest(request),
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

  app.get(
    '/unread-count',
    {
      schema: {
        ...base,
        operationId: 'conversationsUnreadCount',
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

  app.get(
    '/:id',
    {
      schema: {
        ...base,
        operationId: 'getConversation',
        summary: 'A conversation with its participants and latest messages',
        description:
          'Participants carry their `last_read_seq`; `messages` is the latest page, oldest first, and `next_cursor` pages older history. `?mark_read=true` reads up to the newest message returned. A conversation the caller may not see is a 404, as for a missing id.',
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

  app.get(
    '/:id/messages',
    {
      schema: {
        ...base,
        operationId: 'listConversationMessages',
        summary: 'Older history',
        description:
          'One page of messages before `cursor` in `seq` order (the `next_cursor` of the detail or of a previous page), oldest first within the page.',
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

  app.post(
    '/:id/messages',
    {
      schema: {
        ...base,
        operationId: 'sendConversationMessage',
        summary: 'Send a message',
        description:
          'JSON (`{ "content" }`) or `multipart/form-data` with a `content` field (may be empty when a file is attached) and up to `message_attachment_max_files` files, each at most `message_attachment_max_size_mb` (413 beyond) and of an accepted type decided from its bytes (415 otherwise). With an `Idempotency-Key`, a retry returns the first message (201 again, with `Idempotent-Replayed: true`) and sends nothing; the same key with other content is a 422.',
        params: ConversationParams,
        headers: SendHeaders,
        // Only JSON bodies are validated here; multipart parts are read as a stream by the handler.
        body: { content: { 'application/json': { schema: SendBody } } },
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
      reply.code(201);
      return toMessageWire(message, conversations);
    },
  );

  app.delete(
    '/:id/messages/:message_id',
    {
      schema: {
        ...base,
        operationId: 'deleteConversationMessage',
        summary: 'Delete a message',
        description:
          'Soft delete, as the policy allows (the sender, or an admin participant in the marketplace): the content and attachments are hidden; the files are kept for audit until purged.',
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

  app.post(
    '/:id/messages/:message_id/purge-files',
    {
      schema: {
        ...base,
        operationId: 'purgeConversationMessageFiles',
        summary: 'Remove the files of a deleted message',
        description:
          'As the policy allows (admins in the marketplace; 403 otherwise), for a message already deleted (409 otherwise): removes its attachment rows and files.',
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

  for (const thumbnail of [false, true]) {
    app.get(
      thumbnail ? '/:id/attachments/:attachment_id/thumbnail' : '/:id/attachments/:attachment_id',
      {
        schema: {
          ...base,
          operationId: thumbnail ? 'downloadConversationThumbnail' : 'downloadConversationAttachment',
          summary: thumbnail ? 'Download the thumbnail of an image attachment' : 'Download an attachment',
          description: 'Participants only; anyone else gets a 404, as for a missing file.',
          produces: ['application/octet-stream'],
          params: AttachmentParams,
          response: { 200: FileDownload, ...problemResponses(404) },
        },
      },
      async (request, reply) => {
        const opened = await core.openAttachment(
          actorOfRequest(request),
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
    '/:id/attachments/:attachment_id',
    {
      schema: {
        ...base,
        operationId: 'deleteConversationAttachment',
        summary: 'Delete an attachment',
        description:
          "As the policy allows (the message's sender or an admin participant in the marketplace).",
        params: AttachmentParams,
        response: {
          204: { type: 'null', description: 'Deleted: the row and its files.' },
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      await core.deleteAttachment(actorOfRequest(request), request.params.id, request.params.attachment_id);
      return reply.code(204).send(null);
    },
  );

  for (const action of ['close', 'reopen'] as const) {
    app.post(
      `/:id/${action}`,
      {
        schema: {
          ...base,
          operationId: action === 'close' ? 'closeConversation' : 'reopenConversation',
          summary: action === 'close' ? 'Close a conversation' : 'Reopen a conversation',
          description: `No body. As the policy allows (403 otherwise; in the marketplace, not customers); 409 when it is already ${action === 'close' ? 'closed' : 'open'}. Adds a system message.`,
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

  app.post(
    '/:id/read',
    {
      schema: {
        ...base,
        operationId: 'markConversationRead',
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
          actorOfRequest(request),
          request.params.id,
          defined({ upToSeq: request.body.up_to_seq }),
        ),
      ),
  );

  app.patch(
    '/:id/preferences',
    {
      schema: {
        ...base,
        operationId: 'updateConversationPreferences',
        summary: "Change the caller's notification preferences for a conversation",
        description: 'Only the fields given change (at least one).',
        params: ConversationParams,
        body: PreferencesBody,
        response: { 200: PreferencesWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const preferences = await core.updatePreferences(
        actorOfRequest(request),
        request.params.id,
        defined({ emailNotifications: request.body.email_notifications, muted: request.body.muted }),
      );
      return toPreferencesWire(preferences);
    },
  );
};
