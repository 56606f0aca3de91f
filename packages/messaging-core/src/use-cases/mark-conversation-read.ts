import type { Actor } from '../model/participant-ref.js';
import { type CoreContext, loadForAction } from './context.js';

export interface ReadState {
  readonly conversationId: string;
  readonly unreadCount: 0;
  readonly lastReadAt: Date;
}

/**
 * Marks a conversation read for the actor: their unread count drops to 0.
 *
 * @example
 * ```ts
 * await core.markConversationRead(actor, conversationId); // { conversationId, unreadCount: 0, lastReadAt }
 * ```
 */
export async function markConversationRead(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
): Promise<ReadState> {
  await loadForAction(ctx, actor, conversationId, 'read');
  const now = ctx.clock.now();
  const updated = await ctx.store.participants.markRead(conversationId, actor, now);
  if (!updated) throw new Error(`membership of ${actor.type} ${actor.id} vanished`);
  await ctx.events.publish([
    {
      type: 'conversation.read',
      id: ctx.ids.next(),
      occurredAt: now,
      actor: updated.participant,
      conversationId,
      readAt: now,
    },
  ]);
  return { conversationId, unreadCount: 0, lastReadAt: now };
}
