import type { Actor } from '../model/participant-ref.js';
import { assertActor, type CoreContext } from './context.js';

/**
 * The unread badge: the sum of the actor's unread counts over conversations they have not muted.
 *
 * @example
 * ```ts
 * const { totalUnread } = await core.getUnreadCount(actor);
 * ```
 */
export async function getUnreadCount(ctx: CoreContext, actor: Actor): Promise<{ totalUnread: number }> {
  assertActor(ctx, actor);
  const scope = ctx.policy.inboxStoreScope(actor);
  if (scope === null) return { totalUnread: await ctx.store.conversations.unreadTotal(actor) };
  // Tenant-bound actors only count conversations of their store, like their inbox.
  const counts = await ctx.store.conversations.countInbox(actor, { storeId: scope });
  return { totalUnread: counts.totalUnread };
}
