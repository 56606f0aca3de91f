import type { ParticipantRef } from '../../kernel/model/participant-ref.js';

/** One person blocking another. */
export interface BlockRecord {
  readonly blocker: ParticipantRef;
  readonly blocked: ParticipantRef;
  readonly createdAt: Date;
}

/**
 * Who blocked whom. A block is one-way: the blocked person can no longer start or send towards
 * the blocker (the policy's `blockedByRecipient` predicate, fed by `blockersAmong`); the blocker
 * still can. Writes make no other change and record no event: the use case appends
 * `participant.blocked` / `participant.unblocked` through the same `tx`.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx) => {
 *   if (await tx.blocks.block(uma, ulysses, now)) await tx.events.append([blockedEvent]);
 * });
 * await store.blocks.blockersAmong(ulysses, [uma]); // [uma]
 * ```
 */
export interface BlockRepository {
  /** Records that `blocker` blocks `blocked`. True when new; false (nothing written) when it already did. */
  block(blocker: ParticipantRef, blocked: ParticipantRef, at: Date): Promise<boolean>;
  /** Lifts the block. True when there was one. */
  unblock(blocker: ParticipantRef, blocked: ParticipantRef): Promise<boolean>;
  /** Everyone `blocker` blocks, newest block first (ties by type then id). */
  listByBlocker(blocker: ParticipantRef): Promise<BlockRecord[]>;
  /** Those of `candidates` who block `target` (in `candidates` order). */
  blockersAmong(target: ParticipantRef, candidates: readonly ParticipantRef[]): Promise<ParticipantRef[]>;
}
