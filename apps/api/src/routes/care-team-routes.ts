import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessagingCore } from '@parley/messaging-core';
import { toProblem } from '../http-errors.js';
import { actorOfRequest } from '../plugins/authentication.js';
import {
  BlockBody,
  BlockListWire,
  BlockWire,
  ConversationQuery,
  ConversationWire,
  careTeamProblems,
  InboxQuery,
  InboxWire,
  MessageParams,
  ReadWire,
  SendBody,
  SentWire,
  UsernameParams,
} from '../schemas/care-team.js';
import { pathSegment } from './request-inputs.js';

export interface CareTeamRoutesOptions {
  readonly core: MessagingCore;
}

/** The OpenAPI tag of these routes (present in the document of care-team deployments only). */
export const CARE_TEAM_TAG = 'Care-team messages';

/**
 * The care-team compatibility API, registered under `/api/messages` when the deployment's policy
 * is the care-team one: the five message endpoints and the blocks routes, with the exact paths,
 * fields and statuses that platform's clients use (issue 11). Thin: every rule is the core's
 * (username-addressed use cases over the same policy, store and events as `/api/v1/conversations`).
 *
 * Errors are problem+json like everywhere else, plus an `error` member with the same text as
 * `detail` (these clients read `error`); only routes of this plugin answer so.
 *
 * @example
 * ```ts
 * if (core.policy.name === 'care-team') await app.register(careTeamRoutes, { prefix: '/api/messages', core });
 * ```
 */
export const careTeamRoutes: FastifyPluginAsyncTypebox<CareTeamRoutesOptions> = async (app, { core }) => {
  const base = { tags: [CARE_TEAM_TAG], security: [{ bearerAuth: [] }] };
  app.setErrorHandler(async (error, request, reply) => {
    const { status, problem, serverError } = toProblem(error);
    if (serverError) request.log.error({ err: error, code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code, status, field: problem.field }, problem.detail);
    return reply
      .code(status)
      .type('application/problem+json')
      .send({ ...problem, error: problem.detail, request_id: request.id });
  });
  app.addHook('onRequest', app.authenticateParticipant());

  app.post(
    '/send',
    {
      schema: {
        ...base,
        operationId: 'careTeamSendMessage',
        summary: 'Send a message to a person',
        description:
          'In the pair’s one conversation (started when there is none). 403 for a role rule ("Users may only reply to clinicians") or a block; 404 when the recipient does not exist; 400 for yourself.',
        body: SendBody,
        response: { 201: SentWire, ...careTeamProblems(404) },
      },
    },
    async (request, reply) => {
      const { recipient, subject, content } = request.body;
      const sent = await core.sendDirectMessage(actorOfRequest(request), {
        recipient,
        content,
        ...(subject === undefined ? {} : { subject }),
      });
      return reply
        .code(201)
        .header('location', `${app.prefix}/${pathSegment(sent.id)}`)
        .send({ message_id: sent.id, sent_at: sent.sentAt.toISOString(), status: 'sent' });
    },
  );

  app.get(
    '/inbox',
    {
      schema: {
        ...base,
        operationId: 'careTeamInbox',
        summary: "The caller's conversations, one row per counterpart",
        description:
          'Newest activity first, in numbered pages. `unread_only=true` keeps counterparts with unread messages.',
        querystring: InboxQuery,
        response: { 200: InboxWire, ...careTeamProblems() },
      },
    },
    async (request) => {
      const { page = 1, limit = 20, unread_only: unreadOnly = false } = request.query;
      const inbox = await core.listDirectInbox(actorOfRequest(request), { page, limit, unreadOnly });
      return {
        conversations: inbox.rows.map((row) => ({
          with_user: row.withUser.id,
          last_message: row.lastMessage?.content ?? null,
          last_message_time: row.lastMessageTime.toISOString(),
          unread_count: row.unreadCount,
          is_latest_from_them: row.isLatestFromThem,
        })),
        total_unread: inbox.totalUnread,
        page,
        page_size: limit,
        total_conversations: inbox.totalConversations,
      };
    },
  );

  app.get(
    '/conversation/:username',
    {
      schema: {
        ...base,
        operationId: 'careTeamConversation',
        summary: 'The conversation with a person',
        description:
          'The latest `limit` messages the caller sees, oldest first, each with its recipient’s read state (`read_at`: when their read state first covered it). Messages the caller deleted are left out.',
        params: UsernameParams,
        querystring: ConversationQuery,
        response: { 200: ConversationWire, ...careTeamProblems(404) },
      },
    },
    async (request) => {
      const conversation = await core.getDirectConversation(
        actorOfRequest(request),
        request.params.username,
        {
          limit: request.query.limit ?? 50,
        },
      );
      return {
        messages: conversation.messages.map((m) => ({
          id: m.id,
          sender: m.sender.id,
          recipient: m.recipient.id,
          content: m.content,
          subject: m.subject,
          is_read: m.isRead,
          read_at: m.readAt?.toISOString() ?? null,
          sent_at: m.sentAt.toISOString(),
        })),
        participant_count: conversation.participantCount,
      };
    },
  );

  app.patch(
    '/:message_id/read',
    {
      schema: {
        ...base,
        operationId: 'careTeamMarkRead',
        summary: 'Mark a message read',
        description:
          'For its recipient only (403 otherwise): their read state moves up to it. `read_at` is when it first covered the message.',
        params: MessageParams,
        response: { 200: ReadWire, ...careTeamProblems(404) },
      },
    },
    async (request) => {
      const read = await core.markMessageRead(actorOfRequest(request), request.params.message_id);
      return { message_id: read.messageId, is_read: true as const, read_at: read.readAt.toISOString() };
    },
  );

  app.delete(
    '/:message_id',
    {
      schema: {
        ...base,
        operationId: 'careTeamDeleteMessage',
        summary: 'Delete a message for yourself',
        description:
          'Hidden for the caller only; once both sides deleted it, it is deleted for good. 403 when the caller is neither sender nor recipient; 404 when it does not exist or is already gone for the caller.',
        params: MessageParams,
        response: { 204: { type: 'null', description: 'Deleted for the caller' }, ...careTeamProblems(404) },
      },
    },
    async (request, reply) => {
      await core.deleteDirectMessage(actorOfRequest(request), request.params.message_id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/blocks',
    {
      schema: {
        ...base,
        operationId: 'careTeamBlock',
        summary: 'Block a person',
        description:
          'They can no longer message the caller (403). 201 when new, 200 when already blocked; admins cannot be blocked (403); yourself is a 400.',
        body: BlockBody,
        response: { 200: BlockWire, 201: BlockWire, ...careTeamProblems(404) },
      },
    },
    async (request, reply) => {
      const block = await core.blockPerson(actorOfRequest(request), request.body.username);
      if (block.created) reply.header('location', `${app.prefix}/blocks/${pathSegment(block.blocked.id)}`);
      return reply
        .code(block.created ? 201 : 200)
        .send({ username: block.blocked.id, name: block.name, blocked_at: block.createdAt.toISOString() });
    },
  );

  app.delete(
    '/blocks/:username',
    {
      schema: {
        ...base,
        operationId: 'careTeamUnblock',
        summary: 'Lift a block',
        description: '404 when the caller does not block that person.',
        params: UsernameParams,
        response: { 204: { type: 'null', description: 'Unblocked' }, ...careTeamProblems(404) },
      },
    },
    async (request, reply) => {
      await core.unblockPerson(actorOfRequest(request), request.params.username);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/blocks',
    {
      schema: {
        ...base,
        operationId: 'careTeamListBlocks',
        summary: 'The people the caller blocks',
        response: { 200: BlockListWire, ...careTeamProblems() },
      },
    },
    async (request) => ({
      blocks: (await core.listBlocks(actorOfRequest(request))).map((b) => ({
        username: b.blocked.id,
        name: b.name,
        blocked_at: b.createdAt.toISOString(),
      })),
    }),
  );
};
