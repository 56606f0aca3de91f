import type { Actor, ParticipantRef } from '../../kernel/model/participant-ref.js';
import type { DeliveryAdvance } from '../ports/participant-repository.js';
import type { CoreContext } from './context.js';

/** One client acknowledgement: `actor`'s client received `conversationId` up to `seq`. */
export interface DeliveryAck {
  readonly actor: Actor;
  readonly conversationId: string;
  readonly seq: number;
}

/** A delivery state that moved (`markDelivered`). */
export interface DeliveredState {
  readonly conversationId: string;
  readonly participant: ParticipantRef;
  readonly lastDeliveredSeq: number;
  readonly lastDeliveredAt: Date;
}

/** Largest `seq` a store can hold (PostgreSQL `integer`). */
const MAX_SEQ = 2_147_483_647;

/**
 * Records client acknowledgements of delivery, many at once: what the real-time transport calls
 * with the acks it collected (across connections) for a short while. For each entry whose actor
 * is an active member of the conversation and whose `seq`, capped at the conversation's latest
 * message, is above the member's delivered or read state, the member's `lastDeliveredSeq` moves
 * to it; every such move appends a delivery advance (when, for the messages' `deliveredTo`) and a
 * `conversation.delivered` event (actor: the member), all in one statement on PostgreSQL
 * (`ParticipantRepository.markDelivered`).
 *
 * Acks are fire-and-forget, so nothing here fails for an entry: one whose actor the policy
 * rejects, who is not (or no longer) a member, whose conversation does not exist or whose seq is
 * not a positive integer or is already covered is skipped, without saying which. Only a store
 * failure throws. Several entries of one member count as the highest. Returns what moved.
 *
 * @example
 * ```ts
 * const moved = await core.markDelivered([
 *   { actor: bob, conversationId, seq: 42 },
 *   { actor: uma, conversationId, seq: 40 },
 * ]);
 * moved; // [{ conversationId, participant: bob, lastDeliveredSeq: 42, lastDeliveredAt }] when Uma had read 40 already
 * ```
 */
export async function markDelivered(
  ctx: CoreContext,
  entries: readonly DeliveryAck[],
): Promise<DeliveredState[]> {
  const at = ctx.clock.now();
  const advances: DeliveryAdvance[] = [];
  for (const { actor, conversationId, seq } of entries) {
    if (!Number.isInteger(seq) || seq < 1 || typeof conversationId !== 'string') continue;
    if (!ctx.policy.validateActor(actor).allowed) continue;
    advances.push({
      conversationId,
      participant: { type: actor.type, id: actor.id },
      upToSeq: Math.min(seq, MAX_SEQ),
      at,
    });
  }
  if (advances.length === 0) return [];
  const moved = await ctx.store.participants.markDelivered(advances);
  return moved.map((m) => ({
    conversationId: m.conversationId,
    participant: m.participant,
    lastDeliveredSeq: m.lastDeliveredSeq,
    lastDeliveredAt: m.lastDeliveredAt ?? at,
  }));
}
