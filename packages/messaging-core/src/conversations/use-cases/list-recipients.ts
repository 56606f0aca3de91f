import { MessagingError } from '../../kernel/errors.js';
import type { DirectoryEntry } from '../../kernel/model/directory-entry.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { sameParticipant } from '../../kernel/model/participant-ref.js';
import { parseLimit } from '../../kernel/paging/parse-limit.js';
import { assertActor, type CoreContext } from './context.js';

export interface ListRecipientsInput {
  /** The participant type to list (`store` or `customer` in the marketplace). */
  readonly recipientType: string;
  /** Case-insensitive match on name or email. */
  readonly query?: string;
  /** 1–100, default 20. */
  readonly limit?: number;
}

/**
 * Who the actor may start a conversation with: admins see store users and customers of every
 * store, store users only their own customers.
 *
 * @example
 * ```ts
 * const customers = await core.listRecipients(storeUser, { recipientType: 'customer', query: 'ana' });
 * ```
 */
export async function listRecipients(
  ctx: CoreContext,
  actor: Actor,
  input: ListRecipientsInput,
): Promise<DirectoryEntry[]> {
  assertActor(ctx, actor);
  const limit = parseLimit(input.limit, 20);
  if (!ctx.policy.participantTypes.includes(input.recipientType)) {
    throw MessagingError.validation('recipient_type', `recipient_type ${input.recipientType} is not known`);
  }
  const scope = ctx.policy.recipientScope(actor, input.recipientType);
  if (!scope.allowed) throw MessagingError.forbidden(scope.reason);
  const query = input.query?.trim();
  const entries = await ctx.directory.searchRecipients({
    type: input.recipientType,
    limit: limit + 1,
    ...(scope.tenantId === null ? {} : { storeId: scope.tenantId }),
    ...(query ? { query: query.slice(0, 200) } : {}),
  });
  return entries.filter((e) => !sameParticipant(e.ref, actor)).slice(0, limit);
}
