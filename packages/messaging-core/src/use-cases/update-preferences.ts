import { MessagingError } from '../errors.js';
import type { Actor } from '../model/participant-ref.js';
import type { PreferencesChange } from '../ports/participant-repository.js';
import { type CoreContext, loadForAction } from './context.js';

export interface Preferences {
  readonly emailNotifications: boolean;
  readonly muted: boolean;
}

/**
 * Changes the actor's own preferences in one conversation; absent fields stay as they are.
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
  await loadForAction(ctx, actor, conversationId, 'update_preferences');
  const updated = await ctx.store.participants.updatePreferences(conversationId, actor, change);
  if (!updated) throw MessagingError.notFound('conversation', conversationId);
  await ctx.events.publish([
    {
      type: 'participant.preferences_updated',
      id: ctx.ids.next(),
      occurredAt: ctx.clock.now(),
      actor: updated.participant,
      conversationId,
      membership: updated,
    },
  ]);
  return { emailNotifications: updated.emailNotifications, muted: updated.muted };
}
