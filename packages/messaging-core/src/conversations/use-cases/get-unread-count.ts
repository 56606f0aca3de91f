import type { Actor } from '../../kernel/model/participant-ref.js';
import { assertActor, type CoreContext } from './context.js';

/**
 * The unread badge: the sum of the actor's unread counts over conversations they have not muted,
 * plus, for a team member (a community admin), what waits for the team in the support
 * conversations of their tenant they have not joined.
 *
 * @example
 * ```ts
 * const { totalUnread } = await core.getUnreadCount(actor);
 * ```
 */
export async function getUnreadCount(ctx: CoreContext, actor: Actor): Promise<{ totalUnread: number }> {
  assertActor(ctx, actor);
  // Tenant-bound actors only count conversations of their store, like their inbox.
  const scope = ctx.policy.inboxTenantScope(actor);
  const ref = { type: actor.type, id: actor.id };
  const team = ctx.policy.teamInboxScope(actor);
  return {
    totalUnread: await ctx.store.conversations.unreadTotal(
      ref,
      scope ?? undefined,
      team === null
        ? undefined
        : { conversationTypes: team.conversationTypes, teamParticipantTypes: team.teamParticipantTypes },
    ),
  };
}
