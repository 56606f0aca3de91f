import { ADMIN_NOTIFICATION_PRIORITIES, ADMIN_NOTIFICATION_TYPES } from '@parley/messaging-core';
import { Type } from 'typebox';
import { Cursor, DateTime, Id, Nullable } from './common.js';

const [SYSTEM_ALERT, STORE_ISSUE, IMPORT_FAILURE] = ADMIN_NOTIFICATION_TYPES;
const [LOW, NORMAL, HIGH, CRITICAL] = ADMIN_NOTIFICATION_PRIORITIES;

export const AdminNotificationType = Type.Union(
  [Type.Literal(SYSTEM_ALERT), Type.Literal(STORE_ISSUE), Type.Literal(IMPORT_FAILURE)],
  { description: 'What the notification is about.' },
);
export const AdminNotificationPriority = Type.Union(
  [Type.Literal(LOW), Type.Literal(NORMAL), Type.Literal(HIGH), Type.Literal(CRITICAL)],
  { description: 'How urgent it is, lowest first.' },
);

export const AdminNotificationWire = Type.Object({
  id: Type.String(),
  type: AdminNotificationType,
  priority: AdminNotificationPriority,
  title: Type.String(),
  message: Type.String(),
  is_read: Type.Boolean(),
  read_at: Nullable(DateTime),
  read_by_user_id: Nullable(Type.String()),
  action_required: Type.Boolean(),
  action_url: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  store_id: Nullable(Type.String()),
  created_at: DateTime,
  issue_key: Nullable(
    Type.String({
      description:
        'The issue it reports for its store (email_verification_failed, email_send_failures); while it is unread, raises of the same store and issue are counted on it instead of adding a notification.',
    }),
  ),
  occurrences: Type.Integer({
    minimum: 1,
    description: 'How many raises it stands for: 1, more when repeats of its open issue were folded into it.',
  }),
  last_error: Nullable(Type.String({ description: 'The error of the latest occurrence.' })),
  last_occurred_at: Type.String({
    format: 'date-time',
    description: 'When it was last raised (created_at until a repeat).',
  }),
});

export const AdminNotificationListWire = Type.Object({
  notifications: Type.Array(AdminNotificationWire, { description: 'Newest first.' }),
  next_cursor: Nullable(Cursor),
});

export const AdminNotificationQuery = Type.Object(
  {
    unread_only: Type.Optional(Type.Boolean()),
    priority: Type.Optional(AdminNotificationPriority),
    type: Type.Optional(AdminNotificationType),
    action_required: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AdminNotificationParams = Type.Object({ notification_id: Id });

export const UnreadCountWire = Type.Object({ unread_count: Type.Integer({ minimum: 0 }) });

export const MarkAllReadWire = Type.Object({
  marked_read: Type.Integer({ minimum: 0, description: 'How many were unread.' }),
});

export const RaiseAdminNotificationBody = Type.Object(
  {
    type: AdminNotificationType,
    priority: Type.Optional(AdminNotificationPriority),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    message: Type.String({ minLength: 1, maxLength: 5000 }),
    action_required: Type.Optional(Type.Boolean()),
    action_url: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 2048, description: 'A path (/…) or an http(s) URL.' })),
    ),
    metadata: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON object, at most 10000 characters.' }),
    ),
    store_id: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);
