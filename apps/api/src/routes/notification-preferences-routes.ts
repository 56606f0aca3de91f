import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NotificationPreferences, NotificationPreferencesCore } from '@parley/messaging-core';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import {
  NotificationPreferencesBody,
  NotificationPreferencesWire,
} from '../schemas/notification-preferences.js';
import { defined } from './request-inputs.js';

export interface NotificationPreferencesRoutesOptions {
  readonly preferences: NotificationPreferencesCore;
}

const TAG = 'Notification preferences';

export function toNotificationPreferencesWire(preferences: NotificationPreferences) {
  return {
    email_frequency: preferences.emailFrequency,
    time_zone: preferences.timeZone,
    digest_hour: preferences.digestHour,
    digest_weekday: preferences.digestWeekday,
    updated_at: preferences.updatedAt?.toISOString() ?? null,
  };
}

/**
 * The caller's own global notification preferences, under `/api/v1/me`: read and change them.
 * Every participant token of every preset (the token names the person; nobody reads or writes
 * another's). A change records `notification_preferences.updated` in the event log.
 *
 * @example
 * ```ts
 * await app.register(notificationPreferencesRoutes, { prefix: '/api/v1/me', preferences });
 * // PUT /api/v1/me/notification-preferences {"email_frequency":"daily","time_zone":"Europe/Paris","digest_hour":7}
 * ```
 */
export const notificationPreferencesRoutes: FastifyPluginAsyncTypebox<
  NotificationPreferencesRoutesOptions
> = async (app, { preferences }) => {
  app.addHook('onRequest', app.authenticateParticipant());
  const base = { tags: [TAG], security: [{ bearerAuth: [] }] };

  app.get(
    '/notification-preferences',
    {
      schema: {
        ...base,
        operationId: 'getNotificationPreferences',
        summary: "The caller's global notification preferences",
        description:
          'Email frequency (`immediate`, `daily`, `weekly`, `off`), the IANA time zone, hour and weekday of digests. Someone who never saved any reads the defaults (`immediate`, `UTC`, 8, 1) with `updated_at: null`.',
        response: { 200: NotificationPreferencesWire, ...problemResponses() },
      },
    },
    async (request) =>
      toNotificationPreferencesWire(await preferences.getPreferences(actorOfRequest(request))),
  );

  app.put(
    '/notification-preferences',
    {
      schema: {
        ...base,
        operationId: 'updateNotificationPreferences',
        summary: "Change the caller's global notification preferences",
        description:
          '`daily` and `weekly` replace immediate notification emails with one digest per period listing the unread conversations (none when nothing is unread), sent from `digest_hour` local time (on `digest_weekday` for weekly) in `time_zone`; `off` stops email about conversations. A muted conversation, or one with email off, is never emailed nor listed. Absent fields keep their value; an unknown time zone is a 400 naming `time_zone`. Records `notification_preferences.updated`.',
        body: NotificationPreferencesBody,
        response: { 200: NotificationPreferencesWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { email_frequency, time_zone, digest_hour, digest_weekday } = request.body;
      const saved = await preferences.updatePreferences(
        actorOfRequest(request),
        defined({
          emailFrequency: email_frequency,
          timeZone: time_zone,
          digestHour: digest_hour,
          digestWeekday: digest_weekday,
        }),
      );
      return toNotificationPreferencesWire(saved);
    },
  );
};
