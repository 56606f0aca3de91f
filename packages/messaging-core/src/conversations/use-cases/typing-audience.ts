import { MessagingError } from '../../kernel/errors.js';
import { type Actor, type ParticipantRef, sameParticipant } from '../../kernel/model/participant-ref.js';
import { isActiveMember } from '../model/conversation.js';
import { type CoreContext, loadForAction } from './context.js';

/**
 * Who a typing indicator of `actor` in a conversation is for: its other active members. Only for
 * someone who may send there now, as `sendMessage` decides (a member, or a team member who may
 * answer, under the policy's `send` rule, blocks included); a closed conversation is
 * `CONVERSATION_CLOSED`, one the actor may not see `NOT_FOUND`, exactly as for a send. One read
 * of the conversation with its members (two where the policy reads blocks); writes nothing — the
 * real-time transports call it for each relayed typing frame (at most one per 2 s per person and
 * conversation).
 *
 * @example
 * ```ts
 * const recipients = await core.typingAudience(actor, conversationId); // [{ type: 'store', id: 'u1' }]
 * ```
 */
export async function typingAudience(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
): Promise<ParticipantRef[]> {
  const { conversation, participants } = await loadForAction(ctx, actor, conversationId, 'send');
  if (conversation.isClosed)
    throw new MessagingError('CONVERSATION_CLOSED', `conversation ${conversation.id} is closed`);
  return participants
    .filter((member) => isActiveMember(member) && !sameParticipant(member.participant, actor))
    .map(({ participant }) => ({ type: participant.type, id: participant.id }));
}
