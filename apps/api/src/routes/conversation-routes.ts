import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessagingCore } from '@parley/messaging-core';
import { conversationHandlers } from './conversation-handlers.js';

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
 * The handlers are the audience routes' own (`conversation-handlers.ts`); this file only words
 * and orders them. Creating a conversation and its membership (`POST /`, `…/{id}/participants`)
 * live in `conversation-membership-routes.ts`, under the same prefix.
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
  // Conversation ids follow the prefix directly (`/api/v1/conversations/{id}/attachments/…`).
  const routes = conversationHandlers(app, { core: options.core, segment: '', tag: CONVERSATIONS_TAG });
  app.addHook('onRequest', app.authenticateParticipant());

  routes.listConversations({
    operationId: 'listConversations',
    summary: "List the caller's conversations",
    description:
      "Conversations the caller takes part in — and, for a member of a support team (the community preset's admins), the team's conversations of their tenant they have not joined, whose `unread_count` counts the messages since the team last answered — latest activity first, in keyset pages: pass `next_cursor` back as `cursor` until it is null. Filters as on the audience routes.",
  });
  routes.unreadCount('conversationsUnreadCount');
  routes.searchMessages({
    operationId: 'searchConversationMessages',
    summary: "Search the caller's messages",
    description:
      'Messages with a word starting with each word of `q` (`invo` finds "Invoice", whatever the case; on PostgreSQL also the stems of the tenant\'s language: `shipping` finds "shipped"), from the conversations of the caller\'s inbox — or the one `conversation_id` names, if the caller may see it (404 otherwise) — as the caller sees them: from when they joined, without deleted messages, what they deleted on their side or system messages. Each result has its conversation, the message and a snippet of plain-text segments with the matches marked `highlight: true` (render each as text, never as HTML). `sort=relevance` (default) or `recent`; keyset pages: pass `next_cursor` back as `cursor` with the same `sort`. Filters: `sender` (`type:id`), `from` (inclusive), `to` (exclusive).',
  });
  routes.getConversation({
    operationId: 'getConversation',
    summary: 'A conversation with its participants and latest messages',
    description:
      'Participants carry their `last_read_seq`; `messages` is the latest page, oldest first, and `next_cursor` pages older history. `?mark_read=true` reads up to the newest message returned. A conversation the caller may not see is a 404, as for a missing id.',
  });
  routes.listMessages({
    operationId: 'listConversationMessages',
    summary: 'Older history',
    description:
      'One page of messages before `cursor` in `seq` order (the `next_cursor` of the detail or of a previous page), oldest first within the page.',
  });
  routes.sendMessage('sendConversationMessage');
  routes.deleteMessage({
    operationId: 'deleteConversationMessage',
    summary: 'Delete a message',
    description:
      'Soft delete, as the policy allows (the sender, or an admin participant in the marketplace): the content and attachments are hidden; the files are kept for audit until purged.',
  });
  routes.editMessage({
    operationId: 'editConversationMessage',
    summary: 'Edit a message',
    description:
      "As the policy allows (its sender; in the marketplace a customer's message only until it is answered: 403), within `message_edit_window_minutes` of sending (403 after). A deleted message is a 409, a closed conversation a 409. With `If-Match` naming a revision that is no longer current: 412 and nothing changes. The previous version is kept (`…/revisions`); `message.updated` is recorded. The answer carries the new revision as `ETag`.",
  });
  routes.messageRevisions({
    operationId: 'listConversationMessageRevisions',
    summary: "A message's versions",
    description:
      'Every version of the content, oldest first (1: as sent), the current one last — for those the policy allows (every member; in the care-team, monitoring admins too). A message the caller may not see, or a deleted one, is a 404.',
  });
  routes.purgeMessageFiles({
    operationId: 'purgeConversationMessageFiles',
    summary: 'Remove the files of a deleted message',
    description:
      'As the policy allows (admins in the marketplace; 403 otherwise), for a message already deleted (409 otherwise): removes its attachment rows and files.',
  });
  routes.downloadAttachment({
    file: 'downloadConversationAttachment',
    thumbnail: 'downloadConversationThumbnail',
  });
  routes.deleteAttachment({
    operationId: 'deleteConversationAttachment',
    summary: 'Delete an attachment',
    description: "As the policy allows (the message's sender or an admin participant in the marketplace).",
  });
  routes.closeAndReopen((action) => ({
    operationId: action === 'close' ? 'closeConversation' : 'reopenConversation',
    summary: action === 'close' ? 'Close a conversation' : 'Reopen a conversation',
    description: `No body. As the policy allows (403 otherwise; in the marketplace, not customers); 409 when it is already ${action === 'close' ? 'closed' : 'open'}. Adds a system message.`,
  }));
  routes.archiveAndUnarchive((action) => ({
    operationId: action === 'archive' ? 'archiveConversation' : 'unarchiveConversation',
    summary: action === 'archive' ? 'Archive a conversation' : 'Unarchive a conversation',
    description:
      action === 'archive'
        ? 'No body. For the caller only: it leaves their list (`?archived=true` lists it) until they unarchive it or someone else writes in it; its unread count stays in their badge. Idempotent (archiving twice keeps the first `archived_at`); records `conversation.archived` when it changed.'
        : "No body. Brings an archived conversation back to the caller's list. Idempotent; records `conversation.unarchived` when it changed.",
  }));
  routes.markRead({ method: 'POST', operationId: 'markConversationRead' });
  routes.updatePreferences({
    method: 'PATCH',
    operationId: 'updateConversationPreferences',
    summary: "Change the caller's notification preferences for a conversation",
    description: 'Only the fields given change (at least one).',
  });
};
