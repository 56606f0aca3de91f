import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import type { ConversationParticipant } from '../model/conversation.js';
import { type CoreContext, joinTeam, loadForAction, retryIfJoinedMeanwhile } from './context.js';

export interface MarkReadInput {
  /**
   * "Read up to here": the `seq` of the newest message the reader has seen. Absent: the latest
   * message. A value beyond the latest counts as the latest; one below the current read state
   * changes nothing (read state never moves backwards).
   */
  readonly upToSeq?: number;
}

export interface ReadState {
  readonly conversationId: string;
  /** Others' non-system messages after `lastReadSeq` (0 unless `upToSeq` stopped short or messages arrived). */
  readonly unreadCount: number;
  readonly lastReadSeq: number;
  readonly lastReadAt: Date;
}

/** Largest `seq` a store can hold (PostgreSQL `integer`). */
const MAX_SEQ = 2_147_483_647;

/**
 * Marks a conversation read for the actor up to a message (default: the latest): their
 * `lastReadSeq` moves forward (never back), their unread count becomes the exact number of
 * others' non-system messages after it, and `conversation.read` is recorded in the event log —
 * all in one statement on PostgreSQL (`ParticipantRepository.markRead`). A team member (support)
 * who has not joined becomes a member first, in the same transaction (`joinTeam`).
 *
 * @example
 * ```ts
 * await core.markConversationRead(actor, conversationId); // { conversationId, unreadCount: 0, lastReadSeq: 7, lastReadAt }
 * await core.markConversationRead(actor, conversationId, { upToSeq: 5 }); // no change: already at 7
 * ```
 */
export async function markConversationRead(
  ctx: CoreContext,
  actor: Actor,
  conversationId: string,
  input: MarkReadInput = {},
): Promise<ReadState> {
  const { upToSeq } = input;
  if (upToSeq !== undefined && (!Number.isInteger(upToSeq) || upToSeq < 1 || upToSeq > MAX_SEQ)) {
    throw MessagingError.validation('up_to_seq', `up_to_seq must be an integer between 1 and ${MAX_SEQ}`);
  }
  const visible = await loadForAction(ctx, actor, conversationId, 'read');
  const now = ctx.clock.now();
  if (visible.onTeam) {
    // A team member's first read makes them a member (no system message).
    return retryIfJoinedMeanwhile(
      visible,
      async () =>
        readState(
          await ctx.store.transaction(async (tx) => {
            await joinTeam(ctx, tx, actor, visible);
            return tx.participants.markRead(conversationId, actor, now, upToSeq);
          }),
        ),
      () => markConversationRead(ctx, actor, conversationId, input),
    );
  }
  return readState(await ctx.store.participants.markRead(conversationId, actor, now, upToSeq));

  function readState(updated: ConversationParticipant | null): ReadState {
    if (!updated) throw new Error(`membership of ${actor.type} ${actor.id} vanished`);
    return {
      conversationId,
      unreadCount: updated.unreadCount,
      lastReadSeq: updated.lastReadSeq,
      lastReadAt: updated.lastReadAt ?? now,
    };
  }
}
