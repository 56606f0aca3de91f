import { requireCapability } from '../../conversations/policy/require-capability.js';
import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import { EMAIL_STATUSES, type EmailLog, type EmailStatus } from '../model/email-log.js';
import type { EmailLogQuery } from '../ports/email-log-repository.js';
import type { EmailContext } from './email-context.js';
import { decodeEmailLogCursor, encodeEmailLogCursor } from './email-log-cursor.js';

export interface ListEmailLogsInput {
  readonly status?: EmailStatus;
  /** Admins only: one store's logs. Store users always see their own store's. */
  readonly storeId?: string;
  readonly recipient?: string;
  /** Created at or after. */
  readonly from?: Date;
  /** Created before. */
  readonly to?: Date;
  readonly cursor?: string;
  /** 1..100, default 50. */
  readonly limit?: number;
}

export interface EmailLogList {
  /** Newest first. */
  readonly items: EmailLog[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

function validDate(value: Date | undefined, field: string): void {
  if (value !== undefined && Number.isNaN(value.getTime()))
    throw MessagingError.validation(field, `${field} must be a valid date`);
}

/**
 * The email log, newest first with a keyset cursor: admins see every store's (optionally one),
 * store users their own store's; anyone else is `FORBIDDEN`.
 *
 * @example
 * ```ts
 * const page = await email.listEmailLogs(admin, { status: 'failed', limit: 20 });
 * const next = await email.listEmailLogs(admin, { status: 'failed', limit: 20, cursor: page.nextCursor ?? undefined });
 * ```
 */
export async function listEmailLogs(
  ctx: EmailContext,
  actor: Actor,
  input: ListEmailLogsInput = {},
): Promise<EmailLogList> {
  requireCapability(
    ctx.policy,
    actor,
    'read_email_log',
    input.storeId === undefined ? {} : { tenantId: input.storeId },
  );
  // A tenant-bound reader sees its own tenant's log only, whatever the definition's rows say.
  const storeId = ctx.policy.isTenantBound(actor.type) ? (actor.tenantId ?? undefined) : input.storeId;
  if (input.status !== undefined && !EMAIL_STATUSES.includes(input.status))
    throw MessagingError.validation('status', `status must be one of ${EMAIL_STATUSES.join(', ')}`);
  validDate(input.from, 'from');
  validDate(input.to, 'to');
  if (input.from && input.to && input.from.getTime() > input.to.getTime())
    throw MessagingError.validation('to', 'to must not be before from');
  const limit = parseLimit(input.limit, 50);
  const recipient = input.recipient?.trim();
  const query: EmailLogQuery = {
    limit: limit + 1,
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(storeId === undefined ? {} : { storeId }),
    ...(recipient ? { recipient } : {}),
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
    ...(input.cursor === undefined ? {} : { after: decodeEmailLogCursor(input.cursor) }),
  };
  const rows = await ctx.emailLogs.list(query);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && last ? encodeEmailLogCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
