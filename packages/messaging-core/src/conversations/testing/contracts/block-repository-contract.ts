import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParticipantRef } from '../../../kernel/model/participant-ref.js';
import type { MessagingStore } from '../../ports/messaging-store.js';

export interface BlockRepositoryContractTarget {
  /** A fresh, empty store: its `blocks` (and `transaction`, for the rollback case) are tested. */
  readonly store: MessagingStore;
  readonly teardown?: () => Promise<void>;
}

export interface BlockRepositoryContractOptions {
  /** Shown in the test names, e.g. "in-memory" or "kysely (postgres)". */
  readonly name: string;
  readonly setup: () => Promise<BlockRepositoryContractTarget>;
}

const UMA: ParticipantRef = { type: 'user', id: 'uma' };
const ULYSSES: ParticipantRef = { type: 'user', id: 'ulysses' };
const THEO: ParticipantRef = { type: 'therapist', id: 'theo' };
const KIM: ParticipantRef = { type: 'clinician', id: 'dr.kim' };
const at = (seconds: number) => new Date(Date.parse('2026-12-01T09:00:00.000Z') + seconds * 1000);

/**
 * What every `BlockRepository` does (`store.blocks`): one-way blocks, written once, listed newest
 * first, found by the blocked person, and rolled back with their transaction.
 *
 * @example
 * ```ts
 * blockRepositoryContract({ name: 'in-memory', setup: async () => ({ store: new InMemoryMessagingStore() }) });
 * ```
 */
export function blockRepositoryContract(options: BlockRepositoryContractOptions): void {
  describe(`BlockRepository (${options.name})`, () => {
    let target: BlockRepositoryContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('records a block once; it is one-way', async () => {
      const { blocks } = target.store;
      expect(await blocks.block(ULYSSES, UMA, at(1))).toBe(true);
      expect(await blocks.block(ULYSSES, UMA, at(2))).toBe(false);
      expect(await blocks.listByBlocker(ULYSSES)).toEqual([
        { blocker: ULYSSES, blocked: UMA, createdAt: at(1) },
      ]);
      expect(await blocks.listByBlocker(UMA)).toEqual([]);
      expect(await blocks.blockersAmong(UMA, [ULYSSES, THEO])).toEqual([ULYSSES]);
      expect(await blocks.blockersAmong(ULYSSES, [UMA])).toEqual([]);
    });

    it('lists newest first, ties by type then id; finds blockers among candidates in their order', async () => {
      const { blocks } = target.store;
      await blocks.block(UMA, THEO, at(1));
      await blocks.block(UMA, ULYSSES, at(2));
      await blocks.block(UMA, KIM, at(2));
      expect((await blocks.listByBlocker(UMA)).map((b) => b.blocked)).toEqual([KIM, ULYSSES, THEO]);
      await blocks.block(KIM, THEO, at(3));
      expect(await blocks.blockersAmong(THEO, [KIM, ULYSSES, UMA])).toEqual([KIM, UMA]);
      expect(await blocks.blockersAmong(THEO, [])).toEqual([]);
      // Same id, another type: another person.
      expect(await blocks.blockersAmong({ type: 'clinician', id: 'theo' }, [UMA, KIM])).toEqual([]);
    });

    it('unblocks once', async () => {
      const { blocks } = target.store;
      await blocks.block(ULYSSES, UMA, at(1));
      expect(await blocks.unblock(ULYSSES, UMA)).toBe(true);
      expect(await blocks.unblock(ULYSSES, UMA)).toBe(false);
      expect(await blocks.blockersAmong(UMA, [ULYSSES])).toEqual([]);
      expect(await blocks.block(ULYSSES, UMA, at(5))).toBe(true);
    });

    it('a block written in a transaction that fails is not kept', async () => {
      await expect(
        target.store.transaction(async (tx) => {
          await tx.blocks.block(ULYSSES, UMA, at(1));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await target.store.blocks.listByBlocker(ULYSSES)).toEqual([]);
    });
  });
}
