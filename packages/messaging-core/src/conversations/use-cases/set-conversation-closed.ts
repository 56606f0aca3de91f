import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import type { Conversation } from '../model/conversation.js';
import { type CoreContext, loadForAction } from './context.js';
import { displayName, namesFor } from './views.js';

async function setClosed(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  close: boolean,
): Promise<Conversation> {
  const { conversation } = await loadForAction(ctx, actor, conversationId, close ? 'close' : 'reopen');
  if (conversation.isClosed === close) {
    throw new MessagingError(
      'CONFLICT',
      `conversation ${conversationId} is already ${close ? 'closed' : 'open'}`,
    );
  }
  const now = ctx.clock.now();
  const by = { type: actor.type, id: actor.id };
  const names = await namesFor(ctx.directory, [by], actor);
  const text = `Conversation ${close ? 'closed' : 'reopened'} by ${displayName(names, by)}`;
  return ctx.store.transaction(async (tx) => {
    const changed = await tx.conversations.setClosed(conversationId, {
      isClosed: close,
      at: now,
      by: close ? by : null,
    });
    if (!changed) throw MessagingError.notFound('conversation', conversationId);
    const appended = await tx.messages.append({
      message: {
        id: ctx.ids.next(),
        conversationId,
        sender: by,
        content: text,
        isSystemMessage: true,
        createdAt: now,
        attachments: [],
      },
      requireOpen: false,
    });
    if (appended.status !== 'created')
      throw new MessagingError('INTERNAL', `system message not appended (${appended.status})`);
    const updated = await tx.conversations.findById(conversationId);
    if (!updated) throw MessagingError.notFound('conversation', conversationId);
    const base = {
      occurredAt: now,
      ...originOf(actor),
      actor: by,
      tenantId: updated.tenantId,
      conversationId,
      conversation: updated,
    };
    await tx.events.append([
      close ? { ...base, type: 'conversation.closed' } : { ...base, type: 'conversation.reopened' },
    ]);
    return updated;
  });
}

/**
 * Closes a conversation (admin and store participants), recording who and when and adding a
 * system message and recording `conversation.closed`, in one transaction. Closing a closed
 * conversation is a `CONFLICT`.
 *
 * @example
 * ```ts
 * const conversation = await core.closeConversation(storeUser, conversationId);
 * conversation.closedBy; // { type: 'store', id: 'u2' }
 * ```
 */
export function closeConversation(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
): Promise<Conversation> {
  return setClosed(ctx, actor, conversationId, true);
}

/**
 * Reopens a closed conversation, adding a system message and recording `conversation.reopened`.
 *
 * @example
 * ```ts
 * await core.reopenConversation(admin, conversationId);
 * ```
 */
export function reopenConversation(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
): Promise<Conversation> {
  return setClosed(ctx, actor, conversationId, false);
}
