import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import { type Conversation, SUBJECT_MAX_LENGTH } from '../model/conversation.js';
import { type CoreContext, loadForAction } from './context.js';
import { displayName, namesFor } from './views.js';

/**
 * Renames a conversation (group admins; the team, for support), as the policy's `rename` rows
 * allow. The new subject is trimmed and must be 1 to `SUBJECT_MAX_LENGTH` characters
 * (`VALIDATION` naming `subject`). In one transaction: the subject changes, a system message
 * says who renamed it to what, and `conversation.renamed` (with the previous subject) is
 * recorded. The same subject again is a no-op (nothing written). A team member renaming a support
 * request does not join it.
 *
 * @example
 * ```ts
 * const conversation = await core.renameConversation(groupAdmin, conversationId, 'Algebra — spring term');
 * conversation.subject; // 'Algebra — spring term'
 * ```
 */
export async function renameConversation(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  subject: unknown,
): Promise<Conversation> {
  if (typeof subject !== 'string') throw MessagingError.validation('subject', 'subject must be a string');
  const trimmed = subject.trim();
  if (trimmed.length === 0 || Array.from(trimmed).length > SUBJECT_MAX_LENGTH) {
    throw MessagingError.validation('subject', `subject must be 1 to ${SUBJECT_MAX_LENGTH} characters`);
  }
  const { conversation } = await loadForAction(ctx, actor, conversationId, 'rename');
  if (conversation.subject === trimmed) return conversation;
  const now = ctx.clock.now();
  const by = { type: actor.type, id: actor.id };
  const names = await namesFor(ctx.directory, [by], actor);
  const text = `${displayName(names, by)} renamed the conversation to “${trimmed}”`;
  return ctx.store.transaction(async (tx) => {
    const renamed = await tx.conversations.rename(conversationId, trimmed, now);
    if (!renamed) throw MessagingError.notFound('conversation', conversationId);
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
    const updated = (await tx.conversations.findById(conversationId)) ?? renamed;
    await tx.events.append([
      {
        type: 'conversation.renamed',
        occurredAt: now,
        ...originOf(actor),
        actor: by,
        tenantId: updated.tenantId,
        conversationId,
        conversation: updated,
        previousSubject: conversation.subject,
      },
    ]);
    return updated;
  });
}
