import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  type AccessPolicy,
  MessagingError,
  type ParticipantRef,
  type PrivacyCore,
  type RequestOrigin,
} from '@parley/messaging-core';
import { Type } from 'typebox';
import { personalDataZip } from '../personal-data-zip.js';
import { principalOf, requestOrigin } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import { PersonParams } from '../schemas/people.js';
import { attachmentDisposition } from './attachment-transport.js';

export interface PlatformPrivacyRoutesOptions {
  readonly privacy: PrivacyCore;
  /** Which participant types exist. */
  readonly policy: AccessPolicy;
}

const ExportZip = Type.Unsafe<unknown>({
  type: 'string',
  format: 'binary',
  description:
    'A zip, streamed: one JSON array per section (directory_entry, memberships, conversation_preferences, messages with their revisions, attachments, email_logs, blocks, receipts, hidden_messages), the attachment files under attachments/{attachment id}/{file name}, and manifest.json (record counts, files, files the storage no longer had).',
});

/**
 * GDPR for the host platform (`service` tokens; any other token is a 403, as on every platform
 * route): the export of everything Parley holds about a person (right of access) and its
 * erasure (right to be forgotten). A person Parley holds nothing about is a 404; an unknown
 * `type` a 400 naming `type`.
 *
 * @example
 * ```ts
 * await app.register(platformPrivacyRoutes, { prefix: '/api/v1/platform', privacy, policy: core.policy });
 * ```
 */
export const platformPrivacyRoutes: FastifyPluginAsyncTypebox<PlatformPrivacyRoutesOptions> = async (
  app,
  options,
) => {
  const { privacy, policy } = options;
  const base = { tags: ['Platform privacy'], security: [{ bearerAuth: [] }] };
  const types = policy.participantTypes;
  app.addHook('onRequest', app.authenticate('service'));

  const personRef = (params: { type: string; id: string }): ParticipantRef => {
    if (!types.includes(params.type))
      throw MessagingError.validation('type', `type must be one of ${types.join(', ')} (got ${params.type})`);
    return { type: params.type, id: params.id };
  };
  // With the request's origin: the audit log records who exported or erased, from where.
  const serviceActor = (
    request: Parameters<typeof principalOf>[0],
  ): ParticipantRef & { origin: RequestOrigin } => ({
    type: 'service',
    id: principalOf(request).subject,
    origin: requestOrigin(request, 'service'),
  });

  app.get(
    '/participants/:type/:id/export',
    {
      // An export is recorded (participant.exported): a HEAD must not run one for nothing.
      exposeHeadRoute: false,
      schema: {
        ...base,
        operationId: 'platformExportParticipant',
        summary: "Export a person's data (GDPR)",
        description:
          'Everything Parley holds about the person, as a zip streamed while it is written. Records participant.exported in the event log.',
        produces: ['application/zip'],
        params: PersonParams,
        response: { 200: ExportZip, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const person = personRef(request.params);
      const exported = await privacy.exportPersonalData(serviceActor(request), person);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', attachmentDisposition(`parley-export-${person.type}-${person.id}.zip`))
        .header('cache-control', 'private, no-store')
        .send(personalDataZip(exported));
    },
  );

  app.delete(
    '/participants/:type/:id',
    {
      schema: {
        ...base,
        operationId: 'platformEraseParticipant',
        summary: "Erase a person's data (GDPR)",
        description:
          "Their messages' content (and every revision) becomes [erased], their attachments are deleted, emails to them lose address and content, other members' emails lose their name, address and quotes, and their directory entry is anonymised; other people's messages stay. Records participant.erased (counts only). Idempotent: a repeated call answers 204 and changes nothing.",
        params: PersonParams,
        response: {
          204: Type.Null({ description: 'Erased (or already erased).' }),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const person = personRef(request.params);
      const result = await privacy.erasePersonalData(serviceActor(request), person);
      if (result.filesLeft.length > 0)
        request.log.warn(
          { files: result.filesLeft.length },
          'erased attachment files left for the orphan sweep (storage delete failed)',
        );
      return reply.code(204).send(null);
    },
  );
};
