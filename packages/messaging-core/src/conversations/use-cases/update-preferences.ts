import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { originOf } from '../../kernel/model/request-origin.js';
import type { PreferencesChange } from '../ports/participant-repository.js';
import { type CoreContext, loadForAction } from './context.js';

export interface Preferences {
  readonly emailNotifications: boolean;
  readonly muted: boolean;
}

/**
 * Changes the actor's own preferences in one conversation; absent fields stay as they are.
 * Records `participant.preferences_updated` in the same transaction.
 *
 * @example
 * ```ts
 * await core.updatePreferences(actor, conversationId, { muted: true }); // { emailNotifications: true, muted: true }
 * ```
 */
export async function updatePreferences(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  change: PreferencesChange,
): Promise<Preferences> {
  for (const field of ['emailNotifications', 'muted'] as const) {
    const value = change[field];
    if (value !== undefined && typeof value !== 'boolean') {
      throw MessagingError.validation(
        field === 'muted' ? 'muted' : 'email_notifications',
        `${field} must be a boolean`,
      );
    }
  }
  if (change.emailNotifications === undefined && change.muted === undefined) {
    throw MessagingError.validation('email_notifications', 'give email_notifications or muted');
  }
  const { conversation } = await loadForAction(ctx, actor, conversationId, 'update_preferences');
  const updated = await ctx.store.transaction(async (tx) => {
    const membership = await tx.participants.updatePreferences(conversationId, actor, change);
    if (!membership) throw MessagingError.notFound('conversation', conversationId);
    await tx.events.append([
      {
        type: 'participant.preferences_updated',
        occurredAt: ctx.clock.now(),
        ...originOf(actor),
        actor: { type: membership.participant.type, id: membership.participant.id },
        tenantId: conversation.tenantId,
        conversationId,
        membership,
      },
    ]);
    return membership;
  });
  return { emailNotifications: updated.emailNotifications, muted: updated.muted };
}
