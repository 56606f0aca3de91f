import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessagingCore } from '@parley/messaging-core';
import type { FastifyPluginAsync } from 'fastify';
import { actorOfRequest } from '../plugins/authentication.js';
import { routeNotFound } from '../plugins/problem-handling.js';
import { problemResponses } from '../schemas/common.js';
import { ConversationDetailWire, policySchemas, RecipientListWire } from '../schemas/messaging.js';
import { toDetailWire, toRecipientWire } from '../serializers.js';
import { conversationHandlers } from './conversation-handlers.js';
import { defined, pathSegment } from './request-inputs.js';

export interface MessagingRoutesOptions {
  readonly core: MessagingCore;
  /** The token role (a participant type of the core's policy) these routes serve. */
  readonly role: string;
  /** Create, close, reopen and recipients: for types the policy lets start (admin and store, not customers). */
  readonly manage: boolean;
  /** OpenAPI tag of the group. */
  readonly tag: string;
}

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
 * The handlers they share with the generic API are in `conversation-handlers.ts`; this file adds
 * the management routes (create, recipients), words the shared ones and picks which ones an
 * audience gets.
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
  const routes = conversationHandlers(app, { core, segment: '/messages', tag });
  app.addHook('onRequest', app.authenticate(role));

  routes.listConversations({
    operationId: op('ListConversations'),
    summary: 'List conversations',
    description: "The caller's conversations, latest activity first, in cursor pages.",
  });

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
        const detail = await core.createConversation(actorOfRequest(request), {
          conversationType: body.conversation_type,
          subject: body.subject,
          recipient: { type: body.recipient_type, id: body.recipient_id },
          ...defined({ initialMessage: body.initial_message }),
        });
        reply.code(201).header('location', `${audience}/${pathSegment(detail.conversation.id)}`);
        return toDetailWire(detail, audience);
      },
    );
  }

  routes.unreadCount(op('UnreadCount'));
  routes.searchMessages({
    operationId: op('SearchMessages'),
    summary: 'Search messages',
    description:
      "Messages with a word starting with each word of `q`, from the caller's conversations, as the caller sees them (from when they joined, without what they deleted), each with its conversation and a highlighted snippet: plain-text segments, matches marked `highlight: true` — render them as text. Keyset pages (`next_cursor`), by `relevance` or `recent`; filters `conversation_id`, `sender` (`type:id`), `from`, `to`.",
  });

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
        const entries = await core.listRecipients(actorOfRequest(request), {
          recipientType: recipient_type,
          ...defined({ query: q, limit }),
        });
        return { recipients: entries.map(toRecipientWire) };
      },
    );
  }

  routes.getConversation({
    operationId: op('GetConversation'),
    summary: 'A conversation with its participants and latest messages',
  });
  routes.listMessages({
    operationId: op('ListMessages'),
    summary: 'Older history',
    description:
      'One page of messages older than `cursor` (from the detail or a previous page), oldest first.',
  });
  routes.sendMessage(op('SendMessage'));
  routes.downloadAttachment({ file: op('DownloadAttachment'), thumbnail: op('DownloadThumbnail') });
  routes.deleteAttachment({
    operationId: op('DeleteAttachment'),
    summary: 'Delete an attachment (its sender or an admin participant)',
  });
  routes.deleteMessage({
    operationId: op('DeleteMessage'),
    summary: 'Delete a message (its sender or an admin participant)',
    description:
      'Soft delete: the content and attachments are hidden; the files are kept for audit until an admin purges them.',
  });
  if (core.policy.mayEver(role, 'edit_message')) {
    routes.editMessage({
      operationId: op('EditMessage'),
      summary: 'Edit a message (its sender, within the edit window)',
      description:
        "Customers only until their message is answered (403 after). `If-Match` with a revision that is no longer current: 412. The previous version is kept; the answer's `ETag` is the new revision.",
    });
  }
  if (core.policy.mayEver(role, 'view_message_revisions')) {
    routes.messageRevisions({
      operationId: op('ListMessageRevisions'),
      summary: "A message's versions, oldest first",
    });
  }
  // Only for an audience the policy may ever let purge files (admins in the marketplace).
  if (core.policy.mayEver(role, 'purge_message_files')) {
    routes.purgeMessageFiles({
      operationId: op('PurgeMessageFiles'),
      summary: 'Remove the files of a deleted message',
      description:
        'Admins only, for a message already deleted (409 otherwise): removes its attachment rows and files.',
    });
  }
  if (manage) {
    routes.closeAndReopen((action) => ({
      operationId: op(action === 'close' ? 'CloseConversation' : 'ReopenConversation'),
      summary: action === 'close' ? 'Close a conversation' : 'Reopen a conversation',
    }));
  }
  if (core.policy.mayEver(role, 'archive')) {
    routes.archiveAndUnarchive((action) => ({
      operationId: op(action === 'archive' ? 'ArchiveConversation' : 'UnarchiveConversation'),
      summary:
        action === 'archive'
          ? 'Archive a conversation (for the caller only; `?archived=true` lists it)'
          : 'Bring an archived conversation back to the list',
    }));
  }
  routes.markRead({ method: 'PUT', operationId: op('MarkRead') });
  routes.updatePreferences({
    method: 'PUT',
    operationId: op('UpdatePreferences'),
    summary: "Set the caller's notification preferences for a conversation",
  });
};
