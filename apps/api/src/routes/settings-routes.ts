import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessagingCore, ResolvedSetting } from '@parley/messaging-core';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import { SettingBody, SettingListWire, SettingParams, SettingWire } from '../schemas/settings.js';

export interface SettingsRoutesOptions {
  readonly core: MessagingCore;
}

const toSettingWire = (setting: ResolvedSetting) => ({
  key: setting.key,
  value: setting.value,
  category: setting.category,
});

/**
 * Platform settings for admins, under `/api/v1/admin/settings`: read all, read one, change one.
 * The core validates each value; a change applies to the next request.
 *
 * @example
 * ```ts
 * await app.register(settingsRoutes, { prefix: '/api/v1/admin', core });
 * ```
 */
export const settingsRoutes: FastifyPluginAsyncTypebox<SettingsRoutesOptions> = async (app, { core }) => {
  const base = { tags: ['Admin settings'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('manage_platform_settings'));

  app.get(
    '/settings',
    {
      schema: {
        ...base,
        operationId: 'adminListSettings',
        summary: 'Every platform setting with its current value',
        response: { 200: SettingListWire, ...problemResponses() },
      },
    },
    async () => ({ settings: (await core.settings.list()).map(toSettingWire) }),
  );

  app.get(
    '/settings/:key',
    {
      schema: {
        ...base,
        operationId: 'adminGetSetting',
        summary: 'One platform setting',
        params: SettingParams,
        response: { 200: SettingWire, ...problemResponses(404) },
      },
    },
    async (request) => toSettingWire(await core.settings.get(request.params.key)),
  );

  app.put(
    '/settings/:key',
    {
      schema: {
        ...base,
        operationId: 'adminUpdateSetting',
        summary: 'Change a platform setting',
        description:
          'Validated per key (e.g. `message_attachment_max_size_mb` must be above 0); applies to the next request.',
        params: SettingParams,
        body: SettingBody,
        response: { 200: SettingWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toSettingWire(
        await core.settings.update(request.params.key, request.body.value, actorOfRequest(request)),
      ),
  );
};
