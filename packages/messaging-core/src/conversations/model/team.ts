import type { Actor } from '../../kernel/model/participant-ref.js';
import { NON_MEMBER } from '../policy/policy-definition.js';
import type { Conversation, ConversationParticipant } from './conversation.js';
import { hiddenByModeration, type MessageModeration } from './moderation.js';

// Conversations handled by a team (support): what a team member who has not joined one sees.

/**
 * The stand-in membership of a team member who has not joined: sees the whole history, has read
 * nothing, and whose unread count is what waits for the team (see `teamUnread`).
 */
export function teamStandIn(
  conversation: Conversation,
  actor: Actor,
  unreadCount: number,
): ConversationParticipant {
  return {
    conversationId: conversation.id,
    participant: { type: actor.type, id: actor.id },
    tenantId: actor.tenantId,
    unreadCount,
    lastReadSeq: 0,
    lastReadAt: null,
    lastDeliveredSeq: 0,
    lastDeliveredAt: null,
    emailNotifications: false,
    muted: false,
    lastActivityAt: conversation.lastMessageAt ?? conversation.createdAt,
    joinedAt: conversation.createdAt,
    role: NON_MEMBER,
    leftAt: null,
    visibleFromSeq: 1,
  };
}

/**
 * What a team conversation's unread count is for a team member who has not joined it: the
 * requester's messages since the team last answered (newest first in, system messages ignored).
 * Once someone on the team answers, it is no longer waiting for anyone on the team.
 */
export function teamUnread(
  newestFirst: readonly {
    readonly sender: { readonly type: string };
    readonly isSystemMessage: boolean;
    readonly moderation?: MessageModeration | null;
  }[],
  teamTypes: readonly string[],
): number {
  let count = 0;
  for (const m of newestFirst) {
    // System messages, and messages held or rejected by moderation (nobody's unread), count not.
    if (m.isSystemMessage || hiddenByModeration(m.moderation)) continue;
    if (teamTypes.includes(m.sender.type)) break;
    count += 1;
  }
  return count;
}
