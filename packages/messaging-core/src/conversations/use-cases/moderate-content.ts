import { MessagingError } from '../../kernel/errors.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { Conversation } from '../model/conversation.js';
import type { ModerationSettings } from '../model/moderation.js';
import type { CoreContext } from './context.js';

/** What the use case stores after moderation: the (maybe rewritten) content and a pending state. */
export interface ModeratedContent {
  readonly content: string;
  readonly moderation?: { readonly state: 'flagged' | 'held'; readonly reason: string };
}

/** The configuration moderators apply in a conversation: its tenant's own, else the preset's. */
export async function moderationSettingsFor(
  ctx: CoreContext,
  tenantId: string | null,
): Promise<ModerationSettings | null> {
  const moderation = ctx.moderation;
  if (moderation === undefined) return null;
  if (tenantId === null) return moderation.defaults;
  return (await moderation.settings.get(tenantId)) ?? moderation.defaults;
}

/**
 * Asks the moderation chain about content before it is stored. A reject throws
 * `MESSAGE_REJECTED` (`field: content`, `details.reason`: what the sender is told) and nothing
 * is stored; a rewrite returns the new content; flag and hold return the state to store with the
 * message. No moderation configured: the content as it is. No side effects.
 */
export async function moderateContent(
  ctx: CoreContext,
  sender: ParticipantRef,
  conversation: Pick<Conversation, 'id' | 'tenantId'>,
  kind: 'send' | 'edit',
  content: string,
): Promise<ModeratedContent> {
  const settings = await moderationSettingsFor(ctx, conversation.tenantId);
  if (ctx.moderation === undefined || settings === null) return { content };
  const outcome = await ctx.moderation.chain.moderate({
    kind,
    tenantId: conversation.tenantId,
    conversationId: conversation.id,
    sender: { type: sender.type, id: sender.id },
    content,
    settings,
  });
  switch (outcome.action) {
    case 'allow':
      return { content: outcome.content };
    case 'reject': {
      const reason = outcome.reason ?? 'refused by moderation';
      throw new MessagingError('MESSAGE_REJECTED', `the message was rejected: ${reason}`, {
        field: 'content',
        details: { reason },
      });
    }
    case 'flag':
      return { content: outcome.content, moderation: { state: 'flagged', reason: outcome.reason ?? '' } };
    case 'hold':
      return { content: outcome.content, moderation: { state: 'held', reason: outcome.reason ?? '' } };
  }
}
