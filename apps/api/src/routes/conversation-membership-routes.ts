import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type AccessPolicy, type MessagingCore, SUBJECT_MAX_LENGTH } from '@parley/messaging-core';
import { Type } from 'typebox';
import { actorOfRequest } from '../plugins/authentication.js';
import { Id, problemResponses } from '../schemas/common.js';
import {
  ConversationDetailWire,
  ConversationParams,
  ConversationSummaryWire,
  MemberListWire,
} from '../schemas/messaging.js';
import { toDetailWire, toMemberWire, toSummaryWire } from '../serializers.js';
import { pathSegment } from './request-inputs.js';

export interface ConversationMembershipRoutesOptions {
  readonly core: MessagingCore;
}

const TAG = 'Conversations';

export const ParticipantParams = Type.Object({
  id: Id,
  type: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'Participant type (a policy participant type).',
  }),
  participant_id: Id,
});

/**
 * Request schemas whose enumerations come from the policy: its participant and conversation types,
 * and the largest conversation it allows (a list never needs more entries than that).
 */
function membershipSchemas(policy: AccessPolicy) {
  const conversationTypes = policy.conversationTypes.map((d) => d.type);
  const ParticipantType = Type.String({ enum: [...policy.participantTypes] });
  const largest = Math.max(2, ...conversationTypes.map((type) => policy.sizeLimits(type).max));
  // A type opened alone (support: its team answers without being added) takes an empty list.
  const fewest = Math.max(0, Math.min(...conversationTypes.map((type) => policy.sizeLimits(type).min)) - 1);
  const roles = [...new Set(conversationTypes.flatMap((type) => policy.memberRoles(type)))];
  const Role = Type.String({
    minLength: 1,
    maxLength: 100,
    description: `A role of the conversation type (this policy's roles: ${roles.join(', ')}).`,
  });
  return {
    CreateBody: Type.Object(
      {
        conversation_type: Type.String({ enum: conversationTypes }),
        subject: Type.String({ description: `1 to ${SUBJECT_MAX_LENGTH} characters after trimming.` }),
        participants: Type.Array(
          Type.Object({ type: ParticipantType, id: Id }, { additionalProperties: false }),
          {
            minItems: fewest,
            maxItems: largest - 1,
            description: 'Everyone but the caller; each gets the role the policy gives at creation.',
          },
        ),
        initial_message: Type.Optional(Type.String({ description: 'Sent as the first message.' })),
      },
      { additionalProperties: false },
    ),
    AddBody: Type.Object(
      {
        participants: Type.Array(
          Type.Object(
            { type: ParticipantType, id: Id, role: Type.Optional(Role) },
            { additionalProperties: false },
          ),
          {
            minItems: 1,
            maxItems: largest,
            description: 'Who to add; role defaults to the type’s first role.',
          },
        ),
      },
      { additionalProperties: false },
    ),
    RoleBody: Type.Object({ role: Role }, { additionalProperties: false }),
    RenameBody: Type.Object(
      {
        subject: Type.String({
          description: `The new subject: 1 to ${SUBJECT_MAX_LENGTH} characters after trimming.`,
        }),
      },
      { additionalProperties: false },
    ),
  };
}

/**
 * Conversations of any preset, with the actor taken from the token (any participant role; the
 * policy decides): `POST /` creates one with a list of participants, `PATCH /{id}` renames it, and the membership routes
 * add, remove (or leave, when the participant named is the caller) and change a member's role.
 * Registered under `/api/v1/conversations`. Errors are problem+json: a conversation the caller
 * may not see answers 404 exactly like a missing one; a change their role may not make, 403; an
 * active member added again, 409.
 *
 * @example
 * ```ts
 * await app.register(conversationMembershipRoutes, { prefix: '/api/v1/conversations', core });
 * ```
 */
export const conversationMembershipRoutes: FastifyPluginAsyncTypebox<
  ConversationMembershipRoutesOptions
> = async (app, options) => {
  const { core } = options;
  const schemas = membershipSchemas(core.policy);
  const base = { tags: [TAG], security: [{ bearerAuth: [] }] };
  const audience = app.prefix;
  app.addHook('onRequest', app.authenticateParticipant());

  app.post(
    '',
    {
      schema: {
        ...base,
        operationId: 'createConversation',
        summary: 'Start a conversation',
        description:
          'Starts a conversation of a policy type between the caller and the listed participants, optionally with a first message.',
        body: schemas.CreateBody,
        response: { 201: ConversationDetailWire, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const detail = await core.createConversation(actorOfRequest(request), {
        conversationType: body.conversation_type,
        subject: body.subject,
        participants: body.participants.map((p) => ({ type: p.type, id: p.id })),
        ...(body.initial_message === undefined ? {} : { initialMessage: body.initial_message }),
      });
      reply.code(201).header('location', `${audience}/${pathSegment(detail.conversation.id)}`);
      return toDetailWire(detail, audience);
    },
  );

  app.patch(
    '/:id',
    {
      schema: {
        ...base,
        operationId: 'renameConversation',
        summary: 'Rename a conversation',
        description:
          'Changes the subject, as the policy allows (in the community preset: group admins, and the community admins for support requests; 403 otherwise). Adds a system message saying who renamed it to what and records `conversation.renamed`. The same subject again changes nothing.',
        params: ConversationParams,
        body: schemas.RenameBody,
        response: { 200: ConversationSummaryWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const who = actorOfRequest(request);
      await core.renameConversation(who, request.params.id, request.body.subject);
      // The use case returns the conversation; the summary is the caller's view of it.
      return toSummaryWire(await core.getConversation(who, request.params.id, { messageLimit: 1 }));
    },
  );

  app.post(
    '/:id/participants',
    {
      schema: {
        ...base,
        operationId: 'addParticipants',
        summary: 'Add participants',
        description:
          'Adds people (or re-adds former members) as the policy allows; a system message records it. Answers the active members.',
        params: ConversationParams,
        body: schemas.AddBody,
        response: { 201: MemberListWire, ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const members = await core.addParticipants(actorOfRequest(request), {
        conversationId: request.params.id,
        participants: request.body.participants.map((p) => ({
          type: p.type,
          id: p.id,
          ...(p.role === undefined ? {} : { role: p.role }),
        })),
      });
      // No route reads the members alone: the conversation (with its participants) is where they are.
      reply.code(201).header('location', `${audience}/${pathSegment(request.params.id)}`);
      return { participants: members.map(toMemberWire) };
    },
  );

  app.delete(
    '/:id/participants/:type/:participant_id',
    {
      schema: {
        ...base,
        operationId: 'removeParticipant',
        summary: 'Remove a participant, or leave',
        description:
          'Removes a member as the policy allows, or, when the participant is the caller, leaves the conversation. A system message records it.',
        params: ParticipantParams,
        response: { 204: Type.Null({ description: 'Removed (or left).' }), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const { id, type, participant_id } = request.params;
      await core.removeParticipant(actorOfRequest(request), {
        conversationId: id,
        participant: { type, id: participant_id },
      });
      reply.code(204);
    },
  );

  app.patch(
    '/:id/participants/:type/:participant_id',
    {
      schema: {
        ...base,
        operationId: 'changeParticipantRole',
        summary: "Change a member's role",
        description: 'Gives a member another of the policy roles; the same role changes nothing.',
        params: ParticipantParams,
        body: schemas.RoleBody,
        response: { 200: MemberListWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { id, type, participant_id } = request.params;
      const members = await core.changeParticipantRole(actorOfRequest(request), {
        conversationId: id,
        participant: { type, id: participant_id },
        role: request.body.role,
      });
      return { participants: members.map(toMemberWire) };
    },
  );
};
