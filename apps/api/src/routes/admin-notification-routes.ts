import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AdminNotification, AdminNotificationsCore } from '@parley/messaging-core';
import type { Static } from 'typebox';
import { actorOfRequest } from '../plugins/authentication.js';
import {
  AdminNotificationListWire,
  AdminNotificationParams,
  AdminNotificationQuery,
  AdminNotificationWire,
  MarkAllReadWire,
  RaiseAdminNotificationBody,
  UnreadCountWire,
} from '../schemas/admin-notifications.js';
import { problemResponses } from '../schemas/common.js';
import { pathSegment } from './request-inputs.js';

export interface AdminNotificationRoutesOptions {
  readonly notifications: AdminNotificationsCore;
}

/** Notification → wire: snake_case, ISO timestamps. */
export function toAdminNotificationWire(n: AdminNotification): Static<typeof AdminNotificationWire> {
  return {
    id: n.id,
    type: n.type,
    priority: n.priority,
    title: n.title,
    message: n.message,
    is_read: n.isRead,
    read_at: n.readAt === null ? null : n.readAt.toISOString(),
    read_by_user_id: n.readByUserId,
    action_required: n.actionRequired,
    action_url: n.actionUrl,
    metadata: { ...n.metadata },
    store_id: n.storeId,
    created_at: n.createdAt.toISOString(),
    issue_key: n.issueKey,
    occurrences: n.occurrences,
    last_error: n.lastError,
    last_occurred_at: n.lastOccurredAt.toISOString(),
  };
}

/**
 * Admin notifications for admins: list with filters, unread count, mark one or all read.
 *
 * @example
 * ```ts
 * await app.register(adminNotificationRoutes, { prefix: '/api/v1/admin', notifications });
 * ```
 */
export const adminNotificationRoutes: FastifyPluginAsyncTypebox<AdminNotificationRoutesOptions> = async (
  app,
  options,
) => {
  const { notifications } = options;
  const base = { tags: ['Admin notifications'], security: [{ bearerAuth: [] }] };
  app.addHook('onRequest', app.authorize('view_admin_notifications'));

  app.get(
    '/notifications',
    {
      schema: {
        ...base,
        operationId: 'adminListNotifications',
        summary: 'Admin notifications',
        description:
          'Newest first, in cursor pages; filter by unread_only, priority, type and action_required.',
        querystring: AdminNotificationQuery,
        response: { 200: AdminNotificationListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { unread_only, priority, type, action_required, limit, cursor } = request.query;
      const page = await notifications.list(actorOfRequest(request), {
        ...(unread_only === undefined ? {} : { unreadOnly: unread_only }),
        ...(priority === undefined ? {} : { priority }),
        ...(type === undefined ? {} : { type }),
        ...(action_required === undefined ? {} : { actionRequired: action_required }),
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return { notifications: page.items.map(toAdminNotificationWire), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/notifications/unread-count',
    {
      schema: {
        ...base,
        operationId: 'adminCountUnreadNotifications',
        summary: 'How many admin notifications are unread',
        response: { 200: UnreadCountWire, ...problemResponses() },
      },
    },
    async (request) => ({ unread_count: await notifications.unreadCount(actorOfRequest(request)) }),
  );

  app.put(
    '/notifications/read-all',
    {
      schema: {
        ...base,
        operationId: 'adminMarkAllNotificationsRead',
        summary: 'Mark every unread admin notification read',
        description: 'Records the caller and the time on each; returns how many were unread.',
        response: { 200: MarkAllReadWire, ...problemResponses() },
      },
    },
    async (request) => ({ marked_read: await notifications.markAllRead(actorOfRequest(request)) }),
  );

  app.put(
    '/notifications/:notification_id/read',
    {
      schema: {
        ...base,
        operationId: 'adminMarkNotificationRead',
        summary: 'Mark one admin notification read',
        description: 'Idempotent: marking it again keeps the first reader and time.',
        params: AdminNotificationParams,
        response: { 200: AdminNotificationWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toAdminNotificationWire(
        await notifications.markRead(actorOfRequest(request), request.params.notification_id),
      ),
  );
};

/**
 * `POST /notifications` for the host platform's services (`service` tokens): raises an admin
 * notification.
 *
 * @example
 * ```ts
 * await app.register(platformNotificationRoutes, { prefix: '/api/v1/platform', notifications });
 * ```
 */
export const platformNotificationRoutes: FastifyPluginAsyncTypebox<AdminNotificationRoutesOptions> = async (
  app,
  options,
) => {
  const { notifications } = options;
  app.addHook('onRequest', app.authenticate('service'));

  app.post(
    '/notifications',
    {
      schema: {
        tags: ['Platform directory'],
        security: [{ bearerAuth: [] }],
        operationId: 'platformRaiseAdminNotification',
        summary: 'Raise an admin notification',
        description: 'For services: priority defaults to normal, action_required to false.',
        body: RaiseAdminNotificationBody,
        response: { 201: AdminNotificationWire, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const raised = await notifications.raiseAdminNotification({
        type: b.type,
        title: b.title,
        message: b.message,
        ...(b.priority === undefined ? {} : { priority: b.priority }),
        ...(b.action_required === undefined ? {} : { actionRequired: b.action_required }),
        ...(b.action_url === undefined ? {} : { actionUrl: b.action_url }),
        ...(b.metadata === undefined ? {} : { metadata: b.metadata }),
        ...(b.store_id === undefined ? {} : { storeId: b.store_id }),
      });
      // Where admins find it (the admin routes' prefix, beside `…/{id}/read`).
      reply.code(201).header('location', `/api/v1/admin/notifications/${pathSegment(raised.id)}`);
      return toAdminNotificationWire(raised);
    },
  );
};
