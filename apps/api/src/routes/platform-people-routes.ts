import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  type AccessPolicy,
  type Clock,
  MessagingError,
  type ParticipantRef,
  type PeopleDirectory,
} from '@parley/messaging-core';
import { Type } from 'typebox';
import { problemResponses } from '../schemas/common.js';
import {
  PersonBody,
  PersonParams,
  PersonWire,
  TenantBody,
  TenantParams,
  TenantWire,
} from '../schemas/people.js';
import { toPersonWire, toTenantWire } from '../serializers.js';

export interface PlatformPeopleRoutesOptions {
  readonly directory: PeopleDirectory;
  readonly clock: Clock;
  /** Which participant types exist and which of them belong to a tenant. */
  readonly policy: AccessPolicy;
}

/**
 * The people directory, written by the host platform (`service` tokens), for the presets whose
 * people are all alike (care-team, community): tenants, and people of any participant type of
 * the policy. PUTs are idempotent upserts returning the stored record; GETs read it back; a
 * DELETE removes a person (their past messages stay).
 *
 * - An unknown `type` is a 400 naming `type` (the preset's types are listed).
 * - `tenant_id` is required for the policy's tenant-bound types and refused for the others
 *   (400 naming `tenant_id`); an unknown tenant is a 404.
 *
 * @example
 * ```ts
 * await app.register(platformPeopleRoutes, { prefix: '/api/v1/platform', directory: people, clock, policy });
 * ```
 */
export const platformPeopleRoutes: FastifyPluginAsyncTypebox<PlatformPeopleRoutesOptions> = async (
  app,
  options,
) => {
  const { directory, clock, policy } = options;
  const base = { tags: ['Platform directory'], security: [{ bearerAuth: [] }] };
  const types = policy.participantTypes;
  app.addHook('onRequest', app.authenticate('service'));

  /** The person a path names, once its type is one of the policy's. */
  const personRef = (params: { type: string; id: string }): ParticipantRef => {
    if (!types.includes(params.type))
      throw MessagingError.validation('type', `type must be one of ${types.join(', ')} (got ${params.type})`);
    return { type: params.type, id: params.id };
  };

  app.put(
    '/tenants/:tenant_id',
    {
      schema: {
        ...base,
        operationId: 'platformUpsertTenant',
        summary: 'Create or update a tenant',
        description: 'A clinic, a school: the unit of tenancy of the tenant-bound types. Idempotent.',
        params: TenantParams,
        body: TenantBody,
        response: { 200: TenantWire, ...problemResponses() },
      },
    },
    async (request) => {
      const tenant = await directory.upsertTenant(
        {
          id: request.params.tenant_id,
          name: request.body.name,
          ...(request.body.language === undefined ? {} : { language: request.body.language }),
        },
        clock.now(),
      );
      return toTenantWire(tenant);
    },
  );

  app.get(
    '/tenants/:tenant_id',
    {
      schema: {
        ...base,
        operationId: 'platformGetTenant',
        summary: 'A tenant',
        params: TenantParams,
        response: { 200: TenantWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const tenant = await directory.getTenant(request.params.tenant_id);
      if (!tenant) throw MessagingError.notFound('tenant', request.params.tenant_id);
      return toTenantWire(tenant);
    },
  );

  app.put(
    '/people/:type/:id',
    {
      schema: {
        ...base,
        operationId: 'platformUpsertPerson',
        summary: 'Create or update a person',
        description: `type is a participant type of the preset (${types.join(', ')}). tenant_id is required for the tenant-bound types${
          types.some((type) => policy.isTenantBound(type))
            ? ` (${types.filter((type) => policy.isTenantBound(type)).join(', ')})`
            : ' (none in this preset)'
        } and refused for the others; email is optional (no email, no notifications); locale defaults to en. Idempotent.`,
        params: PersonParams,
        body: PersonBody,
        response: { 200: PersonWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const ref = personRef(request.params);
      const { name, email, locale, tenant_id } = request.body;
      const tenantBound = policy.isTenantBound(ref.type);
      if (tenantBound && tenant_id === undefined)
        throw MessagingError.validation('tenant_id', `tenant_id is required for type ${ref.type}`);
      if (!tenantBound && tenant_id !== undefined)
        throw MessagingError.validation(
          'tenant_id',
          `type ${ref.type} belongs to no tenant: leave tenant_id out`,
        );
      const person = await directory.upsertPerson(
        {
          ...ref,
          name,
          email: email ?? null,
          locale: locale ?? 'en',
          tenantId: tenant_id ?? null,
        },
        clock.now(),
      );
      return toPersonWire(person);
    },
  );

  app.get(
    '/people/:type/:id',
    {
      schema: {
        ...base,
        operationId: 'platformGetPerson',
        summary: 'A person',
        params: PersonParams,
        response: { 200: PersonWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const ref = personRef(request.params);
      const person = await directory.getPerson(ref);
      if (!person) throw MessagingError.notFound(ref.type, ref.id);
      return toPersonWire(person);
    },
  );

  app.delete(
    '/people/:type/:id',
    {
      schema: {
        ...base,
        operationId: 'platformDeletePerson',
        summary: 'Remove a person',
        description:
          'They can no longer sign in or be reached; their past messages and memberships stay. 404 when unknown.',
        params: PersonParams,
        response: { 204: Type.Null({ description: 'Removed.' }), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const ref = personRef(request.params);
      if (!(await directory.removePerson(ref))) throw MessagingError.notFound(ref.type, ref.id);
      return reply.code(204).send(null);
    },
  );
};
