import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { type CoreContext, enforce, loadForAction, visibleTo } from './context.js';
import { type MessageView, namesFor, toMessageView } from './views.js';

/**
 * Soft-deletes a message: by its sender or an admin participant. The content is hidden from
 * then on; who deleted it and when are kept, and `message.deleted` is recorded in the same
 * transaction. Deleting twice returns the first deletion (and records nothing).
 *
 * @example
 * ```ts
 * const view = await core.deleteMessage(actor, conversationId, messageId);
 * view.content; // ""
 * ```
 */
export async function deleteMessage(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  messageId: string,
): Promise<MessageView> {
  const { membership, conversation } = await loadForAction(ctx, actor, conversationId, 'view');
  const found = await ctx.store.messages.findById(conversationId, messageId);
  const message = found && visibleTo(membership, found) ? found : null;
  if (!message) throw MessagingError.notFound('message', messageId);
  enforce(ctx.policy.decideDeleteMessage(actor, message, membership));
  if (message.isDeleted)
    return toMessageView(message, await namesFor(ctx.directory, [message.sender], actor));
  const now = ctx.clock.now();
  const by = { type: actor.type, id: actor.id };
  const deleted = await ctx.store.transaction(async (tx) => {
    const done = await tx.messages.softDelete(conversationId, messageId, { by, at: now });
    if (!done) throw MessagingError.notFound('message', messageId);
    // Deleted meanwhile by another request: that one recorded the event.
    if (done.deletedAt?.getTime() !== now.getTime()) return done;
    await tx.events.append([
      {
        type: 'message.deleted',
        occurredAt: now,
        actor: by,
        tenantId: conversation.tenantId,
        conversationId,
        messageId,
      },
    ]);
    return done;
  });
  return toMessageView(deleted, await namesFor(ctx.directory, [deleted.sender], actor));
}
