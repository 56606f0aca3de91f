import type { BlockRecord, BlockRepository, ParticipantRef } from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database-types.js';

/**
 * `BlockRepository` on `participant_blocks` (migration 0016): one row per (blocker, blocked);
 * `blockersAmong` is one index lookup per call (`participant_blocks_blocked_idx`).
 *
 * @example
 * ```ts
 * const blocks = new KyselyBlockRepository(db);
 * await blocks.block({ type: 'user', id: 'ulysses' }, { type: 'user', id: 'uma' }, new Date());
 * ```
 */
export class KyselyBlockRepository implements BlockRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async block(blocker: ParticipantRef, blocked: ParticipantRef, at: Date): Promise<boolean> {
    const row = await this.#db
      .insertInto('participant_blocks')
      .values({
        blocker_type: blocker.type,
        blocker_id: blocker.id,
        blocked_type: blocked.type,
        blocked_id: blocked.id,
        created_at: at,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('blocker_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async unblock(blocker: ParticipantRef, blocked: ParticipantRef): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('participant_blocks')
      .where('blocker_type', '=', blocker.type)
      .where('blocker_id', '=', blocker.id)
      .where('blocked_type', '=', blocked.type)
      .where('blocked_id', '=', blocked.id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async listByBlocker(blocker: ParticipantRef): Promise<BlockRecord[]> {
    const rows = await this.#db
      .selectFrom('participant_blocks')
      .selectAll()
      .where('blocker_type', '=', blocker.type)
      .where('blocker_id', '=', blocker.id)
      .orderBy('created_at', 'desc')
      .orderBy(sql`blocked_type collate "C"`)
      .orderBy(sql`blocked_id collate "C"`)
      .execute();
    return rows.map((row) => ({
      blocker: { type: row.blocker_type, id: row.blocker_id },
      blocked: { type: row.blocked_type, id: row.blocked_id },
      createdAt: row.created_at,
    }));
  }

  async blockersAmong(
    target: ParticipantRef,
    candidates: readonly ParticipantRef[],
  ): Promise<ParticipantRef[]> {
    if (candidates.length === 0) return [];
    const rows = await this.#db
      .selectFrom('participant_blocks')
      .select(['blocker_type', 'blocker_id'])
      .where('blocked_type', '=', target.type)
      .where('blocked_id', '=', target.id)
      .where((eb) =>
        eb.or(candidates.map((c) => eb.and([eb('blocker_type', '=', c.type), eb('blocker_id', '=', c.id)]))),
      )
      .execute();
    const found = new Set(rows.map((r) => `${r.blocker_type}:${r.blocker_id}`));
    return candidates.filter((c) => found.has(`${c.type}:${c.id}`));
  }
}
