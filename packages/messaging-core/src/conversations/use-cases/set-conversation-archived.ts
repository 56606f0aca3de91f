import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import { type CoreContext, loadForAction } from './context.js';

/** A member's archive state of one conversation after `archiveConversation` / `unarchiveConversation`. */
export interface ArchiveState {
  readonly conversationId: string;
  readonly archived: boolean;
  /** When it was archived (the first archive, when archived twice); null when not archived. */
  readonly archivedAt: Date | null;
}

/**
 * Archives a conversation for the actor alone, as the policy allows (`archive`): it leaves their
 * default inbox (`listConversations` lists it with `archived: true`), nobody else's changes, and
 * its unread count still counts in their badge. Idempotent: archiving an archived conversation
 * keeps the first time and records nothing; otherwise `conversation.archived` is recorded in the
 * same transaction. A message from someone else brings it back (`MessageRepository.append`). A
 * support team member who has not joined the conversation may not archive it (nothing to archive
 * in their inbox but the team's).
 *
 * @example
 * ```ts
 * await core.archiveConversation(actor, conversationId); // { archived: true, archivedAt }
 * (await core.listConversations(actor, { archived: true })).conversations; // [… that one]
 * ```
 */
export async function archiveConversation(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
): Promise<ArchiveState> {
  return setArchived(ctx, actor, conversationId, true);
}

/**
 * Brings an archived conversation back to the actor's inbox; records `conversation.unarchived`
 * when it was archived, nothing otherwise (idempotent). Same rules as `archiveConversation`.
 */
export async function unarchiveConversation(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
): Promise<ArchiveState> {
  return setArchived(ctx, actor, conversationId, false);
}

async function setArchived(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  archived: boolean,
): Promise<ArchiveState> {
  const visible = await loadForAction(ctx, actor, conversationId, 'archive');
  if (visible.onTeam)
    throw MessagingError.forbidden('a support team member archives a conversation once they have joined it');
  const now = ctx.clock.now();
  const by = { type: actor.type, id: actor.id };
  return ctx.store.transaction(async (tx) => {
    const result = await tx.participants.setArchived(conversationId, by, archived ? now : null);
    if (result === null) throw MessagingError.notFound('conversation', conversationId);
    if (result.changed) {
      await tx.events.append([
        archived
          ? {
              type: 'conversation.archived',
              occurredAt: now,
              ...originOf(actor),
              actor: by,
              tenantId: visible.conversation.tenantId,
              conversationId,
              archivedAt: result.membership.archivedAt ?? now,
            }
          : {
              type: 'conversation.unarchived',
              occurredAt: now,
              ...originOf(actor),
              actor: by,
              tenantId: visible.conversation.tenantId,
              conversationId,
            },
      ]);
    }
    const archivedAt = result.membership.archivedAt ?? null;
    return { conversationId, archived: archivedAt !== null, archivedAt };
  });
}
