import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessagingCore, ModerationItemView, ModerationSettings } from '@parley/messaging-core';
import type { Static } from 'typebox';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import { AdminStoreParams } from '../schemas/email.js';
import {
  ModerationItemWire,
  ModerationMessageParams,
  ModerationQueueQuery,
  ModerationQueueWire,
  ModerationSettingsBody,
  ModerationSettingsWire,
  RejectMessageBody,
} from '../schemas/moderation.js';

export interface ModerationRoutesOptions {
  readonly core: MessagingCore;
}

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/** A queue item → wire: snake_case, ISO timestamps. */
export function toModerationItemWire(item: ModerationItemView): Static<typeof ModerationItemWire> {
  const person = (p: ModerationItemView['sender']) => ({ type: p.ref.type, id: p.ref.id, name: p.name });
  return {
    message_id: item.messageId,
    conversation_id: item.conversationId,
    store_id: item.tenantId,
    seq: item.seq,
    sender: person(item.sender),
    content: item.content,
    attachment_count: item.attachmentCount,
    created_at: item.createdAt.toISOString(),
    state: item.state,
    reason: item.reason,
    reviewed_by: item.reviewedBy === null ? null : person(item.reviewedBy),
    reviewed_at: iso(item.reviewedAt),
  };
}

export function toModerationSettingsWire(
  settings: ModerationSettings,
): Static<typeof ModerationSettingsWire> {
  return {
    word_list: {
      enabled: settings.wordList.enabled,
      action: settings.wordList.action,
      added_terms: [...settings.wordList.addedTerms],
      allowed_terms: [...settings.wordList.allowedTerms],
    },
    contact_details: { ...settings.contactDetails },
  };
}

/**
 * The review queue: `GET /api/v1/admin/moderation` (flagged and held messages, newest first,
 * keyset pages), `POST …/{message_id}/approve` and `…/reject`. Who may review is the policy's
 * `moderate_messages`; anyone else gets 404, as for a route that is not there for them.
 *
 * @example
 * ```ts
 * await app.register(moderationQueueRoutes, { prefix: '/api/v1/admin', core });
 * ```
 */
export const moderationQueueRoutes: FastifyPluginAsyncTypebox<ModerationRoutesOptions> = async (
  app,
  options,
) => {
  const { core } = options;
  const base = { tags: ['Moderation'], security: [{ bearerAuth: [] }] };
  // Any participant token: the core asks the policy and answers 404 to those who may not review.
  app.addHook('onRequest', app.authenticateParticipant());

  app.get(
    '/moderation',
    {
      schema: {
        ...base,
        operationId: 'adminListModerationQueue',
        summary: 'Messages waiting for review',
        description:
          'Flagged (delivered) and held (not delivered) messages, newest first, in cursor pages; filter by state, store_id and conversation_id. A tenant-bound reviewer sees their own tenant only; callers the policy does not let review get 404.',
        querystring: ModerationQueueQuery,
        response: { 200: ModerationQueueWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { state, store_id, conversation_id, cursor, limit } = request.query;
      const page = await core.listModerationQueue(actorOfRequest(request), {
        ...(state === undefined ? {} : { state }),
        ...(store_id === undefined ? {} : { tenantId: store_id }),
        ...(conversation_id === undefined ? {} : { conversationId: conversation_id }),
        ...(cursor === undefined ? {} : { cursor }),
        ...(limit === undefined ? {} : { limit }),
      });
      return { items: page.items.map(toModerationItemWire), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/moderation/:message_id/approve',
    {
      schema: {
        ...base,
        operationId: 'adminApproveMessage',
        summary: 'Approve a flagged or held message',
        description:
          'Records message.approved. A held message is then delivered as if just sent: unread counts, real-time frames, notification emails. 409 when it is not waiting for review.',
        params: ModerationMessageParams,
        response: { 200: ModerationItemWire, ...problemResponses(404, 409) },
      },
    },
    async (request) =>
      toModerationItemWire(
        await core.reviewMessage(actorOfRequest(request), {
          messageId: request.params.message_id,
          decision: 'approved',
        }),
      ),
  );

  app.post(
    '/moderation/:message_id/reject',
    {
      schema: {
        ...base,
        operationId: 'adminRejectMessage',
        summary: 'Reject a flagged or held message, with a reason',
        description:
          'Records message.rejected. Nobody but its sender sees it afterwards; they see it with moderation { state: rejected, reason }. 409 when it is not waiting for review.',
        params: ModerationMessageParams,
        body: RejectMessageBody,
        response: { 200: ModerationItemWire, ...problemResponses(404, 409) },
      },
    },
    async (request) =>
      toModerationItemWire(
        await core.reviewMessage(actorOfRequest(request), {
          messageId: request.params.message_id,
          decision: 'rejected',
          reason: request.body.reason,
        }),
      ),
  );
};

/**
 * A store's own moderation configuration (`GET/PUT /api/v1/store/moderation-settings`, the
 * policy's `manage_tenant_moderation` on the caller's tenant).
 *
 * @example
 * ```ts
 * await app.register(storeModerationSettingsRoutes, { prefix: '/api/v1/store', core });
 * ```
 */
export const storeModerationSettingsRoutes: FastifyPluginAsyncTypebox<ModerationRoutesOptions> = async (
  app,
  options,
) => {
  const { core } = options;
  const base = { tags: ['Moderation'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('manage_tenant_moderation'));
  const tenantOf = (actor: { readonly tenantId: string | null }) => actor.tenantId ?? '';

  app.get(
    '/moderation-settings',
    {
      schema: {
        ...base,
        operationId: 'storeGetModerationSettings',
        summary: "The store's moderation configuration",
        description: "The store's own, else the preset's defaults.",
        response: { 200: ModerationSettingsWire, ...problemResponses() },
      },
    },
    async (request) => {
      const actor = actorOfRequest(request);
      return toModerationSettingsWire(await core.getModerationSettings(actor, tenantOf(actor)));
    },
  );

  app.put(
    '/moderation-settings',
    {
      schema: {
        ...base,
        operationId: 'storeUpdateModerationSettings',
        summary: "Change the store's moderation configuration",
        description: 'Partial: the fields given replace those in force. Applies to the next message.',
        body: ModerationSettingsBody,
        response: { 200: ModerationSettingsWire, ...problemResponses() },
      },
    },
    async (request) => {
      const actor = actorOfRequest(request);
      return toModerationSettingsWire(
        await core.updateModerationSettings(actor, tenantOf(actor), request.body),
      );
    },
  );
};

/**
 * Any store's moderation configuration, for platform admins
 * (`GET/PUT /api/v1/admin/stores/{store_id}/moderation-settings`, `manage_tenant_moderation`).
 *
 * @example
 * ```ts
 * await app.register(adminModerationSettingsRoutes, { prefix: '/api/v1/admin', core });
 * ```
 */
export const adminModerationSettingsRoutes: FastifyPluginAsyncTypebox<ModerationRoutesOptions> = async (
  app,
  options,
) => {
  const { core } = options;
  const base = { tags: ['Moderation'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('manage_tenant_moderation'));

  app.get(
    '/stores/:store_id/moderation-settings',
    {
      schema: {
        ...base,
        operationId: 'adminGetStoreModerationSettings',
        summary: "A store's moderation configuration",
        description: "The store's own, else the preset's defaults.",
        params: AdminStoreParams,
        response: { 200: ModerationSettingsWire, ...problemResponses() },
      },
    },
    async (request) =>
      toModerationSettingsWire(
        await core.getModerationSettings(actorOfRequest(request), request.params.store_id),
      ),
  );

  app.put(
    '/stores/:store_id/moderation-settings',
    {
      schema: {
        ...base,
        operationId: 'adminUpdateStoreModerationSettings',
        summary: "Change a store's moderation configuration",
        description: 'Partial: the fields given replace those in force. Applies to the next message.',
        params: AdminStoreParams,
        body: ModerationSettingsBody,
        response: { 200: ModerationSettingsWire, ...problemResponses() },
      },
    },
    async (request) =>
      toModerationSettingsWire(
        await core.updateModerationSettings(actorOfRequest(request), request.params.store_id, request.body),
      ),
  );
};
