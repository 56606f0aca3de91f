import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  type AccessPolicy,
  type Clock,
  type MarketplaceDirectory,
  MessagingError,
  type StoreTier,
} from '@parley/messaging-core';
import { problemResponses } from '../schemas/common.js';
import {
  CustomerBody,
  CustomerParams,
  CustomerWire,
  StoreBody,
  StoreParams,
  StoreWire,
  UserBody,
  UserParams,
  UserWire,
} from '../schemas/platform.js';
import { toCustomerWire, toStoreWire, toUserWire } from '../serializers.js';

export interface PlatformRoutesOptions {
  readonly directory: MarketplaceDirectory;
  readonly clock: Clock;
  /** Says which roles belong to a tenant (a store user does, an admin does not). */
  readonly policy: AccessPolicy;
}

/**
 * The directory, written by the host platform (`service` tokens): stores, platform users and
 * customers. PUTs are idempotent upserts returning the stored record; GETs read it back.
 *
 * @example
 * ```ts
 * await app.register(platformRoutes, { prefix: '/api/v1/platform', directory, clock, policy: core.policy });
 * ```
 */
export const platformRoutes: FastifyPluginAsyncTypebox<PlatformRoutesOptions> = async (app, options) => {
  const { directory, clock, policy } = options;
  const base = { tags: ['Platform directory'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authenticate('service'));

  app.put(
    '/stores/:store_id',
    {
      schema: {
        ...base,
        operationId: 'platformUpsertStore',
        summary: 'Create or update a store',
        description:
          "Idempotent: the same body twice stores one record. An absent tier means essential; an absent language, unknown (message search then matches the store's words as written).",
        params: StoreParams,
        body: StoreBody,
        response: { 200: StoreWire, ...problemResponses() },
      },
    },
    async (request) => {
      const store = await directory.upsertStore(
        {
          id: request.params.store_id,
          name: request.body.name,
          tier: (request.body.tier ?? 'essential') as StoreTier,
          ...(request.body.language === undefined ? {} : { language: request.body.language }),
        },
        clock.now(),
      );
      return toStoreWire(store);
    },
  );

  app.get(
    '/stores/:store_id',
    {
      schema: {
        ...base,
        operationId: 'platformGetStore',
        summary: 'A store',
        params: StoreParams,
        response: { 200: StoreWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const store = await directory.getStore(request.params.store_id);
      if (!store) throw MessagingError.notFound('store', request.params.store_id);
      return toStoreWire(store);
    },
  );

  app.put(
    '/users/:user_id',
    {
      schema: {
        ...base,
        operationId: 'platformUpsertUser',
        summary: 'Create or update a platform user (admin or store staff)',
        description: 'store_id is required for role store and ignored for admins; locale defaults to en.',
        params: UserParams,
        body: UserBody,
        response: { 200: UserWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { name, email, role, store_id, locale } = request.body;
      const user = await directory.upsertPlatformUser(
        {
          id: request.params.user_id,
          name,
          email,
          role: role as 'admin' | 'store',
          storeId: policy.isTenantBound(role) ? (store_id ?? null) : null,
          locale: locale ?? 'en',
        },
        clock.now(),
      );
      return toUserWire(user);
    },
  );

  app.get(
    '/users/:user_id',
    {
      schema: {
        ...base,
        operationId: 'platformGetUser',
        summary: 'A platform user',
        params: UserParams,
        response: { 200: UserWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const user = await directory.getPlatformUser(request.params.user_id);
      if (!user) throw MessagingError.notFound('user', request.params.user_id);
      return toUserWire(user);
    },
  );

  app.put(
    '/customers/:customer_id',
    {
      schema: {
        ...base,
        operationId: 'platformUpsertCustomer',
        summary: 'Create or update a customer of a store',
        params: CustomerParams,
        body: CustomerBody,
        response: { 200: CustomerWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { store_id, name, email, locale } = request.body;
      const customer = await directory.upsertCustomer(
        { id: request.params.customer_id, storeId: store_id, name, email, locale: locale ?? 'en' },
        clock.now(),
      );
      return toCustomerWire(customer);
    },
  );

  app.get(
    '/customers/:customer_id',
    {
      schema: {
        ...base,
        operationId: 'platformGetCustomer',
        summary: 'A customer',
        params: CustomerParams,
        response: { 200: CustomerWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const customer = await directory.getCustomer(request.params.customer_id);
      if (!customer) throw MessagingError.notFound('customer', request.params.customer_id);
      return toCustomerWire(customer);
    },
  );
};
