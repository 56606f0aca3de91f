import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import { marketplacePolicy } from '../conversations/policy/marketplace-policy.js';
import { requireCapability } from '../conversations/policy/require-capability.js';
import { MessagingError } from '../kernel/errors.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { parseLimit } from '../kernel/paging/parse-limit.js';
import { type Clock, systemClock } from '../kernel/ports/clock.js';
import { type IdGenerator, uuidV7Ids } from '../kernel/ports/id-generator.js';
import {
  ADMIN_NOTIFICATION_PRIORITIES,
  ADMIN_NOTIFICATION_TYPES,
  type AdminNotification,
  type AdminNotificationPriority,
  type AdminNotificationType,
} from './model/admin-notification.js';
import type {
  AdminNotificationQuery,
  AdminNotificationRepository,
} from './ports/admin-notification-repository.js';
import {
  decodeAdminNotificationCursor,
  encodeAdminNotificationCursor,
} from './use-cases/admin-notification-cursor.js';

/** A notification to raise; absent optional fields take their defaults. */
export interface RaiseAdminNotificationInput {
  readonly type: AdminNotificationType;
  /** Default `normal`. */
  readonly priority?: AdminNotificationPriority;
  /** 1..200 characters. */
  readonly title: string;
  /** 1..5000 characters. */
  readonly message: string;
  /** Default false. */
  readonly actionRequired?: boolean;
  /** A path (`/…`) or an http(s) URL, at most 2048 characters. */
  readonly actionUrl?: string | null;
  /** A JSON object, at most 10 000 characters serialized. Default `{}`. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly storeId?: string | null;
  /**
   * The issue this reports for its store (`[a-z0-9_.:-]`, 1..100 characters): while an unread
   * notification of the same store and key exists, the raise is counted on it instead of adding
   * one. Absent: every raise is a notification of its own.
   */
  readonly issueKey?: string | null;
  /** The error behind this occurrence (kept as `lastError`, cut to 2000 characters). */
  readonly lastError?: string | null;
}

export interface ListAdminNotificationsInput {
  readonly unreadOnly?: boolean;
  readonly priority?: AdminNotificationPriority;
  readonly type?: AdminNotificationType;
  readonly actionRequired?: boolean;
  readonly cursor?: string;
  /** 1..100, default 50. */
  readonly limit?: number;
}

export interface AdminNotificationList {
  /** Newest first. */
  readonly items: AdminNotification[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface AdminNotificationsDependencies {
  readonly notifications: AdminNotificationRepository;
  /** Who may read admin notifications; defaults to `marketplacePolicy`. */
  readonly policy?: AccessPolicy;
  /** Defaults to the wall clock. */
  readonly clock?: Clock;
  /** Defaults to UUIDv7. */
  readonly ids?: IdGenerator;
}

/** The admin notification use cases. Failures are `MessagingError`s. */
export interface AdminNotificationsCore {
  /** Admins only. */
  list(actor: Actor, input?: ListAdminNotificationsInput): Promise<AdminNotificationList>;
  /** Admins only. */
  unreadCount(actor: Actor): Promise<number>;
  /** Admins only; idempotent (the first reader and time are kept). */
  markRead(actor: Actor, id: string): Promise<AdminNotification>;
  /** Admins only; returns how many were unread. */
  markAllRead(actor: Actor): Promise<number>;
  /**
   * For services and Parley itself (no actor): validates and raises a notification — stored as
   * a new one, or, with an `issueKey` whose store already has it unread, counted on that one
   * (see `AdminNotificationRepository.raise`). Returns what is stored.
   */
  raiseAdminNotification(input: RaiseAdminNotificationInput): Promise<AdminNotification>;
}

const ISSUE_KEY = /^[a-z0-9_.:-]{1,100}$/;
const LAST_ERROR_MAX = 2000;

const ACTION_URL = /^(?:https?:\/\/[^\s/?#]+[^\s]*|\/[^\s]*)$/i;

function oneOf<T extends string>(value: T | undefined, allowed: readonly T[], field: string): void {
  if (value !== undefined && !allowed.includes(value))
    throw MessagingError.validation(field, `${field} must be one of ${allowed.join(', ')}`);
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw MessagingError.validation(field, `${field} is required`);
  const trimmed = value.trim();
  if (trimmed.length > max)
    throw MessagingError.validation(field, `${field} must be at most ${max} characters`);
  return trimmed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Validates a raise request and builds the notification (unread). */
export function buildAdminNotification(
  input: RaiseAdminNotificationInput,
  id: string,
  now: Date,
): AdminNotification {
  if (!ADMIN_NOTIFICATION_TYPES.includes(input.type))
    throw MessagingError.validation('type', `type must be one of ${ADMIN_NOTIFICATION_TYPES.join(', ')}`);
  oneOf(input.priority, ADMIN_NOTIFICATION_PRIORITIES, 'priority');
  const title = text(input.title, 'title', 200);
  const message = text(input.message, 'message', 5000);
  const actionUrl = input.actionUrl ?? null;
  if (actionUrl !== null && (actionUrl.length > 2048 || !ACTION_URL.test(actionUrl)))
    throw MessagingError.validation('action_url', 'action_url must be a path (/…) or an http(s) URL');
  const metadata = input.metadata ?? {};
  if (!isPlainObject(metadata)) throw MessagingError.validation('metadata', 'metadata must be a JSON object');
  let serialized: string;
  try {
    serialized = JSON.stringify(metadata);
  } catch {
    throw MessagingError.validation('metadata', 'metadata must be a JSON object');
  }
  if (serialized.length > 10_000)
    throw MessagingError.validation('metadata', 'metadata must be at most 10000 characters as JSON');
  const storeId = input.storeId ?? null;
  if (storeId !== null && (storeId.trim() === '' || storeId.length > 255))
    throw MessagingError.validation('store_id', 'store_id must be 1..255 characters');
  if (input.actionRequired !== undefined && typeof input.actionRequired !== 'boolean')
    throw MessagingError.validation('action_required', 'action_required must be a boolean');
  const issueKey = input.issueKey ?? null;
  if (issueKey !== null && (typeof issueKey !== 'string' || !ISSUE_KEY.test(issueKey)))
    throw MessagingError.validation('issue_key', 'issue_key must be 1..100 of a-z, 0-9, _ . : -');
  const lastError = input.lastError ?? null;
  if (lastError !== null && typeof lastError !== 'string')
    throw MessagingError.validation('last_error', 'last_error must be a string');
  return {
    id,
    type: input.type,
    priority: input.priority ?? 'normal',
    title,
    message,
    isRead: false,
    readAt: null,
    readByUserId: null,
    actionRequired: input.actionRequired ?? false,
    actionUrl,
    metadata: JSON.parse(serialized) as Record<string, unknown>,
    storeId,
    createdAt: now,
    issueKey,
    occurrences: 1,
    // Diagnostic text from a provider: cut, never refused (a long error must not fail the raise).
    lastError:
      lastError === null || lastError.length <= LAST_ERROR_MAX
        ? lastError
        : `${lastError.slice(0, LAST_ERROR_MAX - 1)}…`,
    lastOccurredAt: now,
  };
}

/**
 * Builds the admin notification use cases from their port (the composition root calls this once
 * and hands `raiseAdminNotification` to the email core, which raises store issues itself).
 *
 * @example
 * ```ts
 * const alerts = createAdminNotificationsCore({ notifications: new InMemoryAdminNotificationRepository() });
 * await alerts.raiseAdminNotification({ type: 'system_alert', priority: 'critical', title: 'Disk full', message: '…' });
 * await alerts.unreadCount(admin); // 1
 * ```
 */
export function createAdminNotificationsCore(deps: AdminNotificationsDependencies): AdminNotificationsCore {
  const clock = deps.clock ?? systemClock;
  const policy = deps.policy ?? marketplacePolicy;
  const ids = deps.ids ?? uuidV7Ids;
  const repo = deps.notifications;
  return {
    async list(actor, input = {}) {
      requireCapability(policy, actor, 'view_admin_notifications');
      oneOf(input.priority, ADMIN_NOTIFICATION_PRIORITIES, 'priority');
      oneOf(input.type, ADMIN_NOTIFICATION_TYPES, 'type');
      const limit = parseLimit(input.limit, 50);
      const query: AdminNotificationQuery = {
        limit: limit + 1,
        ...(input.unreadOnly ? { unreadOnly: true } : {}),
        ...(input.priority === undefined ? {} : { priority: input.priority }),
        ...(input.type === undefined ? {} : { type: input.type }),
        ...(input.actionRequired === undefined ? {} : { actionRequired: input.actionRequired }),
        ...(input.cursor === undefined ? {} : { after: decodeAdminNotificationCursor(input.cursor) }),
      };
      const rows = await repo.list(query);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > limit && last
            ? encodeAdminNotificationCursor({ createdAt: last.createdAt, id: last.id })
            : null,
      };
    },
    async unreadCount(actor) {
      requireCapability(policy, actor, 'view_admin_notifications');
      return repo.countUnread();
    },
    async markRead(actor, id) {
      requireCapability(policy, actor, 'view_admin_notifications');
      if (id.trim() === '') throw MessagingError.validation('notification_id', 'notification_id is required');
      return repo.markRead(id, actor.id, clock.now());
    },
    async markAllRead(actor) {
      requireCapability(policy, actor, 'view_admin_notifications');
      return repo.markAllRead(actor.id, clock.now());
    },
    async raiseAdminNotification(input) {
      return repo.raise(buildAdminNotification(input, ids.next(), clock.now()));
    },
  };
}
