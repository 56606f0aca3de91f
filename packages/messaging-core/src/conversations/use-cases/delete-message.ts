import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import type { Message } from '../model/message.js';
import { type CoreContext, enforce, loadForAction, perSide, visibleTo } from './context.js';
import { receiptsFor } from './receipts.js';
import { type MessageView, namesFor, toMessageView } from './views.js';

/**
 * Deletes a message, as the policy allows (`decideDeleteMessage`), the way its conversation
 * type says (`deletion`):
 * - `for_everyone` (marketplace): a soft delete — the content is hidden from then on, who deleted
 *   it and when are kept, `message.deleted` (scope `everyone`) is recorded in the same
 *   transaction. Deleting twice returns the first deletion (and records nothing).
 * - `per_side` (care-team): hidden for the actor only (`MessageRepository.hideFor`: never returned
 *   to them again, out of their unread count); when every member has deleted it, it is
 *   soft-deleted and never returned to anyone. `message.deleted` records scope `self`, or
 *   `everyone` for the delete that completed the set. A message already gone for the actor is
 *   `NOT_FOUND`. The view returned is the actor's: content and attachments emptied.
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
  const { membership, conversation, participants } = await loadForAction(ctx, actor, conversationId, 'view');
  const found = await ctx.store.messages.findById(conversationId, messageId);
  const message = found && visibleTo(membership, found) ? found : null;
  if (!message) throw MessagingError.notFound('message', messageId);
  const by = { type: actor.type, id: actor.id };
  if (perSide(ctx, conversation)) {
    const hiders = await ctx.store.messages.hiddenBy(conversationId, messageId);
    if (message.isDeleted || hiders.some((h) => h.type === actor.type && h.id === actor.id))
      throw MessagingError.notFound('message', messageId);
    enforce(ctx.policy.decideDeleteMessage(actor, message, membership));
    const now = ctx.clock.now();
    const result = await ctx.store.transaction(async (tx) => {
      const hidden = await tx.messages.hideFor(
        conversationId,
        messageId,
        by,
        participants.map((p) => p.participant),
        now,
      );
      if (!hidden) throw MessagingError.notFound('message', messageId);
      // Hidden meanwhile by another request of the actor: that one recorded the event.
      if (!hidden.hidden) throw MessagingError.notFound('message', messageId);
      await tx.events.append([
        {
          type: 'message.deleted',
          occurredAt: now,
          ...originOf(actor),
          actor: by,
          tenantId: conversation.tenantId,
          conversationId,
          messageId,
          scope: hidden.deletedForEveryone ? 'everyone' : 'self',
        },
      ]);
      return hidden.message;
    });
    return goneFor(await viewOf(result));
  }
  enforce(ctx.policy.decideDeleteMessage(actor, message, membership));
  if (message.isDeleted) return viewOf(message);
  const now = ctx.clock.now();
  const deleted: Message = await ctx.store.transaction(async (tx) => {
    const done = await tx.messages.softDelete(conversationId, messageId, { by, at: now });
    if (!done) throw MessagingError.notFound('message', messageId);
    // Deleted meanwhile by another request: that one recorded the event.
    if (done.deletedAt?.getTime() !== now.getTime()) return done;
    await tx.events.append([
      {
        type: 'message.deleted',
        occurredAt: now,
        ...originOf(actor),
        actor: by,
        tenantId: conversation.tenantId,
        conversationId,
        messageId,
        scope: 'everyone',
      },
    ]);
    return done;
  });
  return viewOf(deleted);

  /** The message with its sender's name and its receipts (one read each). */
  async function viewOf(m: Message): Promise<MessageView> {
    const [names, receipts] = await Promise.all([
      namesFor(ctx.directory, [m.sender], actor),
      receiptsFor(ctx, conversationId, participants, [m]),
    ]);
    return toMessageView(m, names, receipts.get(m.id));
  }
}

/** The deleter's view of a message they hid: nothing of it is left for them. */
function goneFor(view: MessageView): MessageView {
  return { ...view, content: '', attachments: [], isDeleted: true, deletedAt: view.deletedAt ?? null };
}
