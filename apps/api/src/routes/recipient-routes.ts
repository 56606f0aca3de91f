import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccessPolicy, MessagingCore } from '@parley/messaging-core';
import { Type } from 'typebox';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import { RecipientListWire } from '../schemas/messaging.js';
import { toRecipientWire } from '../serializers.js';
import { CONVERSATIONS_TAG } from './conversation-routes.js';
import { defined } from './request-inputs.js';

export interface RecipientRoutesOptions {
  readonly core: MessagingCore;
}

/**
 * The query of `GET /recipients`: every participant type of the policy is a known `type` (a type
 * the caller may not start a conversation with is the core's 403, not a validation error).
 */
function recipientsQuery(policy: AccessPolicy) {
  return Type.Object({
    type: Type.String({
      enum: [...policy.participantTypes],
      description: 'The participant type to list (a participant type of the preset).',
    }),
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'Matches name or email, case-insensitive.' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (default 20).' }),
    ),
  });
}

/**
 * The generic recipient search, registered under `/api/v1/conversations`: who the caller may
 * start a conversation with, for any participant token of any preset (the compose dialog's
 * search). The core's `listRecipients` asks the policy's `recipientScope`: a type the caller may
 * start no conversation with is a 403 (as on the marketplace's `/messages/recipients`), and a
 * tenant-bound caller only ever sees people of their own tenant. Reads only.
 *
 * Its own plugin so the path stays a static route beside `/{id}` (find-my-way prefers static
 * segments: `recipients` is never read as a conversation id).
 *
 * @example
 * ```ts
 * await app.register(recipientRoutes, { prefix: '/api/v1/conversations', core });
 * // GET /api/v1/conversations/recipients?type=mentor&q=mia
 * ```
 */
export const recipientRoutes: FastifyPluginAsyncTypebox<RecipientRoutesOptions> = async (app, options) => {
  const { core } = options;
  app.addHook('onRequest', app.authenticateParticipant());
  app.get(
    '/recipients',
    {
      schema: {
        tags: [CONVERSATIONS_TAG],
        security: [{ bearerAuth: [] }],
        operationId: 'listConversationRecipients',
        summary: 'Who the caller may start a conversation with',
        description:
          'People of one participant type the caller may start a conversation with, as the policy allows, ordered by name then id: the marketplace admin any store user or customer, a store user its own customers, the care-team by its role rules (users: no clinicians), the community everyone of the caller’s community. `q` matches name or email (case-insensitive); the caller is never listed. A type the caller may not start a conversation with is a 403; an unknown type a 400 naming `type`.',
        querystring: recipientsQuery(core.policy),
        response: { 200: RecipientListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { type, q, limit } = request.query;
      const entries = await core.listRecipients(actorOfRequest(request), {
        recipientType: type,
        ...defined({ query: q, limit }),
      });
      return { recipients: entries.map(toRecipientWire) };
    },
  );
};
