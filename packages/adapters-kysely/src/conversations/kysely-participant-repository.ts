import {
  type ConversationParticipant,
  type DeliveryAdvance,
  type JoinRequest,
  MessagingError,
  type ParticipantRef,
  type ParticipantRepository,
  type PreferencesChange,
  participantKey,
  type ReceiptTime,
} from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database-types.js';
import { isUuid } from './kysely-message-repository.js';
import { type ParticipantRow, toParticipant } from './row-mappers.js';

/**
 * Memberships in PostgreSQL: read state, preferences, role and membership period, one row per
 * (conversation, participant). Former members keep their row (`left_at` set); every method but
 * `findAny` and `join` reads and writes active rows only.
 *
 * @example
 * ```ts
 * const participants = new KyselyParticipantRepository(db);
 * await participants.markRead(conversationId, { type: 'customer', id: 'c1' }, clock.now());
 * ```
 */
export class KyselyParticipantRepository implements ParticipantRepository {
  readonly #db: Kysely<Database>;
  readonly #recorded: (eventId: string) => void;

  /** @param recorded called with the id of each event `markRead` writes. */
  constructor(db: Kysely<Database>, recorded: (eventId: string) => void = () => {}) {
    this.#db = db;
    this.#recorded = recorded;
  }

  /**
   * @example
   * ```ts
   * const membership = await participants.find(conversationId, { type: 'store', id: 'u2' });
   * ```
   */
  async find(conversationId: string, participant: ParticipantRef): Promise<ConversationParticipant | null> {
    const found = await this.findAny(conversationId, participant);
    return found !== null && found.leftAt === null ? found : null;
  }

  /**
   * The row whether active or former.
   *
   * @example
   * ```ts
   * const row = await participants.findAny(conversationId, { type: 'customer', id: 'c1' });
   * row?.leftAt; // set when they left
   * ```
   */
  async findAny(
    conversationId: string,
    participant: ParticipantRef,
  ): Promise<ConversationParticipant | null> {
    if (!isUuid(conversationId)) return null;
    const row = await this.#db
      .selectFrom('conversation_participants')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('participant_type', '=', participant.type)
      .where('participant_id', '=', participant.id)
      .executeTakeFirst();
    return row === undefined ? null : toParticipant(row);
  }

  /**
   * Joins in the caller's transaction, or in one of its own: locks the conversation row by bumping
   * `membership_version` (appends wait for it, and a waiting append retries, see 0014), refuses
   * when anyone listed is already active, then inserts or reactivates every row in one statement.
   *
   * @example
   * ```ts
   * const joined = await participants.join(conversationId, [{ participant: bob, storeId: 's1', role: 'member', seesHistory: true }], clock.now());
   * ```
   */
  async join(
    conversationId: string,
    members: readonly JoinRequest[],
    at: Date,
  ): Promise<ConversationParticipant[] | null> {
    if (!isUuid(conversationId)) return null;
    const keys = new Set(members.map((m) => `${m.participant.type}:${m.participant.id}`));
    if (keys.size !== members.length) throw new MessagingError('CONFLICT', 'a participant is listed twice');
    return inTransaction(this.#db, async (db) => {
      const conversation = await db
        .updateTable('conversations')
        .set((eb) => ({ membership_version: eb('membership_version', '+', 1) }))
        .where('id', '=', conversationId)
        .returning(['message_count'])
        .executeTakeFirst();
      if (conversation === undefined) return null;
      if (members.length === 0) return [];
      const messageCount = Number(conversation.message_count);
      const refs = members.map((m) => sql`(${m.participant.type}::text, ${m.participant.id}::text)`);
      const active = await sql<{ participant_type: string; participant_id: string }>`
        select participant_type, participant_id from conversation_participants
        where conversation_id = ${conversationId}::uuid and left_at is null
          and (participant_type, participant_id) in (${sql.join(refs)})`.execute(db);
      const first = active.rows[0];
      if (first !== undefined) {
        throw new MessagingError(
          'CONFLICT',
          `participant ${first.participant_type}:${first.participant_id} is already a member`,
        );
      }
      const rows = await db
        .insertInto('conversation_participants')
        .values(
          members.map((m) => ({
            conversation_id: conversationId,
            participant_type: m.participant.type,
            participant_id: m.participant.id,
            store_id: m.storeId,
            unread_count: 0,
            last_read_seq: messageCount,
            last_read_at: null,
            last_activity_at: at,
            joined_at: at,
            role: m.role,
            left_at: null,
            visible_from_seq: m.seesHistory ? 1 : messageCount + 1,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['conversation_id', 'participant_type', 'participant_id']).doUpdateSet((eb) => ({
            store_id: eb.ref('excluded.store_id'),
            unread_count: 0,
            last_read_seq: eb.ref('excluded.last_read_seq'),
            last_activity_at: eb.ref('excluded.last_activity_at'),
            joined_at: eb.ref('excluded.joined_at'),
            role: eb.ref('excluded.role'),
            left_at: null,
            visible_from_seq: eb.ref('excluded.visible_from_seq'),
            archived_at: null,
          })),
        )
        .returningAll()
        .execute();
      const byKey = new Map(rows.map((row) => [`${row.participant_type}\u0000${row.participant_id}`, row]));
      return members.map((m) => {
        const row = byKey.get(`${m.participant.type}\u0000${m.participant.id}`);
        if (row === undefined) throw new MessagingError('INTERNAL', 'join returned fewer rows than asked');
        return toParticipant(row);
      });
    });
  }

  /**
   * Ends an active membership, locking the conversation first (bumping `membership_version`) so
   * appends waiting for it run again without this member.
   *
   * @example
   * ```ts
   * const former = await participants.leave(conversationId, { type: 'customer', id: 'c1' }, clock.now());
   * ```
   */
  async leave(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
  ): Promise<ConversationParticipant | null> {
    if (!isUuid(conversationId)) return null;
    // One statement: the conversation's lock (via the version bump) and the membership's end
    // commit together, also outside a transaction.
    const { rows } = await sql<ParticipantRow>`
      with bumped as (
        update conversations set membership_version = membership_version + 1
        where id = ${conversationId}::uuid
          and exists (
            select from conversation_participants q
            where q.conversation_id = ${conversationId}::uuid and q.participant_type = ${participant.type}
              and q.participant_id = ${participant.id} and q.left_at is null)
        returning id
      )
      update conversation_participants p set left_at = ${at.toISOString()}::timestamptz
      from bumped
      where p.conversation_id = bumped.id
        and p.participant_type = ${participant.type} and p.participant_id = ${participant.id}
        and p.left_at is null
      returning p.*`.execute(this.#db);
    const row = rows[0];
    return row === undefined ? null : toParticipant(row);
  }

  /**
   * @example
   * ```ts
   * await participants.changeRole(conversationId, { type: 'customer', id: 'c1' }, 'observer');
   * ```
   */
  async changeRole(
    conversationId: string,
    participant: ParticipantRef,
    role: string,
  ): Promise<ConversationParticipant | null> {
    if (!isUuid(conversationId)) return null;
    const row = await this.#db
      .updateTable('conversation_participants')
      .set({ role })
      .where('conversation_id', '=', conversationId)
      .where('participant_type', '=', participant.type)
      .where('participant_id', '=', participant.id)
      .where('left_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toParticipant(row);
  }

  /**
   * Every membership, ordered by participant type then id.
   *
   * @example
   * ```ts
   * const members = await participants.listByConversation(conversationId);
   * ```
   */
  async listByConversation(conversationId: string): Promise<ConversationParticipant[]> {
    if (!isUuid(conversationId)) return [];
    const rows = await this.#db
      .selectFrom('conversation_participants')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('left_at', 'is', null)
      .orderBy(sql`participant_type collate "C"`)
      .orderBy(sql`participant_id collate "C"`)
      .execute();
    return rows.map(toParticipant);
  }

  /**
   * Active memberships of several conversations in one statement (see
   * `ParticipantRepository.listByConversations`).
   *
   * @example
   * ```ts
   * const byConversation = await participants.listByConversations([a, b]);
   * ```
   */
  async listByConversations(
    conversationIds: readonly string[],
  ): Promise<Map<string, ConversationParticipant[]>> {
    const result = new Map<string, ConversationParticipant[]>(conversationIds.map((id) => [id, []]));
    const ids = [...new Set(conversationIds.filter(isUuid))];
    if (ids.length === 0) return result;
    const rows = await this.#db
      .selectFrom('conversation_participants')
      .selectAll()
      .where('conversation_id', 'in', ids)
      .where('left_at', 'is', null)
      .orderBy(sql`participant_type collate "C"`)
      .orderBy(sql`participant_id collate "C"`)
      .execute();
    for (const row of rows) result.get(row.conversation_id)?.push(toParticipant(row));
    return result;
  }

  /**
   * Moves the read state forward in one statement. The target is `upToSeq` capped at the
   * conversation's `message_count` as this statement sees it, and every message up to that `seq` is
   * committed and visible to it. The unread count is not recounted from scratch: a message appended
   * concurrently (committed while this update waited for the membership row) is invisible to this
   * statement's snapshot but already counted in the row it updates. So the count drops by the
   * others' non-system messages between the old and the new `last_read_seq`, read from the row's
   * latest version: exact either way. The same statement records the `conversation.read` event.
   *
   * @example
   * ```ts
   * const membership = await participants.markRead(conversationId, me, clock.now(), 42);
   * membership?.lastReadSeq; // 42, or more if it was already further
   * ```
   */
  async markRead(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
    upToSeq?: number,
  ): Promise<ConversationParticipant | null> {
    if (!isUuid(conversationId)) return null;
    const target =
      upToSeq === undefined ? sql`c.message_count` : sql`least(${upToSeq}::bigint, c.message_count)`;
    const readAt = at.toISOString();
    const { rows } = await sql<ParticipantRow & { event_id: string | null }>`
      with updated as (
      update conversation_participants p set
        last_read_seq = greatest(p.last_read_seq, t.up_to),
        unread_count = greatest(0, p.unread_count - (
          select count(*) from messages m
          where m.conversation_id = p.conversation_id and m.seq > p.last_read_seq and m.seq <= t.up_to
            and not m.is_system_message
            and (m.moderation_state is null or m.moderation_state not in ('held', 'rejected'))
            and not (m.sender_type = p.participant_type and m.sender_id = p.participant_id)
            and not exists (select from message_hides h where h.message_id = m.id
              and h.participant_type = p.participant_type and h.participant_id = p.participant_id)
        )::integer),
        last_read_at = greatest(p.last_read_at, ${readAt}::timestamptz)
      from (select ${target} as up_to, c.store_id as tenant_id from conversations c where c.id = ${conversationId}::uuid) t
      where p.conversation_id = ${conversationId}::uuid
        and p.participant_type = ${participant.type} and p.participant_id = ${participant.id}
        and p.left_at is null
      returning p.*, t.tenant_id
      ), logged as (
        insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
        select u.tenant_id, u.conversation_id, 'conversation.read', u.participant_type, u.participant_id,
          jsonb_build_object('read_at', ${readAt}::text, 'last_read_seq', u.last_read_seq,
            'unread_count', u.unread_count),
          ${readAt}::timestamptz
        from updated u
        returning id
      ), advanced as (
        insert into read_advances (conversation_id, participant_type, participant_id, up_to_seq, at)
        select u.conversation_id, u.participant_type, u.participant_id, u.last_read_seq, ${readAt}::timestamptz
        from updated u
        where u.last_read_seq > coalesce((select max(r.up_to_seq) from read_advances r
          where r.conversation_id = u.conversation_id and r.participant_type = u.participant_type
            and r.participant_id = u.participant_id), 0)
        on conflict do nothing
      )
      select u.*, (select id::text from logged) as event_id from updated u`.execute(this.#db);
    const row = rows[0];
    if (row === undefined) return null;
    if (row.event_id !== null) this.#recorded(row.event_id);
    return toParticipant(row);
  }

  /**
   * One query: per seq, the earliest read advance reaching it and the reader's first later
   * non-system message (both index range scans).
   *
   * @example
   * ```ts
   * const readAt = await participants.readTimes(conversationId, uma, [3, 4]);
   * ```
   */
  async readTimes(
    conversationId: string,
    reader: ParticipantRef,
    seqs: readonly number[],
  ): Promise<Map<number, Date>> {
    const result = new Map<number, Date>();
    if (!isUuid(conversationId) || seqs.length === 0) return result;
    const { rows } = await sql<{ seq: number; read_at: Date | null }>`
      select s.seq, least(
        (select min(r.at) from read_advances r
          where r.conversation_id = ${conversationId}::uuid and r.participant_type = ${reader.type}::text
            and r.participant_id = ${reader.id}::text and r.up_to_seq >= s.seq),
        (select min(m.created_at) from messages m
          where m.conversation_id = ${conversationId}::uuid and m.sender_type = ${reader.type}::text
            and m.sender_id = ${reader.id}::text and m.seq > s.seq and not m.is_system_message)
      ) as read_at
      from unnest(${[...new Set(seqs)]}::integer[]) as s(seq)`.execute(this.#db);
    for (const row of rows) if (row.read_at !== null) result.set(Number(row.seq), new Date(row.read_at));
    return result;
  }

  // --- Delivery receipts (issue 12) -------------------------------------------------------------

  /**
   * One statement for the whole batch: the advances as arrays (`unnest`), the memberships locked
   * in key order, one update of every membership that moves (target capped at the conversation's `message_count`, above
   * `greatest(last_delivered_seq, last_read_seq)`), and from its returned rows the
   * `delivery_advances` rows and the `conversation.delivered` events. A row locked by a
   * concurrent `markRead` or append is re-checked against its new version, so a delivery already
   * covered by a read meanwhile does not move. Advances of one member are merged first (an update
   * changes a row once per statement).
   *
   * @example
   * ```ts
   * const moved = await participants.markDelivered([{ conversationId, participant: bob, upToSeq: 7, at: clock.now() }]);
   * ```
   */
  async markDelivered(advances: readonly DeliveryAdvance[]): Promise<ConversationParticipant[]> {
    const highest = new Map<string, DeliveryAdvance>();
    for (const advance of advances) {
      if (!isUuid(advance.conversationId) || !Number.isInteger(advance.upToSeq) || advance.upToSeq < 1)
        continue;
      const key = `${advance.conversationId}\u0000${participantKey(advance.participant)}`;
      const current = highest.get(key);
      if (current === undefined || advance.upToSeq > current.upToSeq) highest.set(key, advance);
    }
    const list = [...highest.values()];
    if (list.length === 0) return [];
    const seqs = list.map((a) => Math.min(a.upToSeq, 2_147_483_647));
    const { rows } = await sql<ParticipantRow & { event_ids: string[] | null }>`
      with input as (
        select * from unnest(
          ${list.map((a) => a.conversationId)}::uuid[], ${list.map((a) => a.participant.type)}::text[],
          ${list.map((a) => a.participant.id)}::text[], ${seqs}::integer[],
          ${list.map((a) => a.at.toISOString())}::text[]
        ) as i(conversation_id, participant_type, participant_id, up_to_seq, at)
      ), locked as (
        -- Rows locked in key order first: two batches (two instances' acks) sharing members take
        -- them in the same order, so one waits for the other instead of deadlocking.
        select p.conversation_id, p.participant_type, p.participant_id
        from conversation_participants p
        join input i on i.conversation_id = p.conversation_id and i.participant_type = p.participant_type
          and i.participant_id = p.participant_id
        where p.left_at is null
        order by p.conversation_id, p.participant_type, p.participant_id
        for update of p
      ), updated as (
        update conversation_participants p set
          last_delivered_seq = least(i.up_to_seq, c.message_count),
          last_delivered_at = greatest(p.last_delivered_at, i.at::timestamptz)
        from input i join conversations c on c.id = i.conversation_id
        where p.conversation_id = i.conversation_id and p.participant_type = i.participant_type
          and p.participant_id = i.participant_id and p.left_at is null
          and (p.conversation_id, p.participant_type, p.participant_id) in (select * from locked)
          and least(i.up_to_seq, c.message_count) > greatest(p.last_delivered_seq, p.last_read_seq)
        returning p.*, c.store_id as tenant_id, i.at as delivered_at
      ), logged as (
        insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
        select u.tenant_id, u.conversation_id, 'conversation.delivered', u.participant_type, u.participant_id,
          jsonb_build_object('last_delivered_seq', u.last_delivered_seq, 'delivered_at', u.delivered_at),
          u.delivered_at::timestamptz
        from updated u
        order by u.conversation_id, u.participant_type, u.participant_id
        returning id
      ), advanced as (
        insert into delivery_advances (conversation_id, participant_type, participant_id, up_to_seq, at)
        select u.conversation_id, u.participant_type, u.participant_id, u.last_delivered_seq,
          u.delivered_at::timestamptz
        from updated u
        on conflict do nothing
      )
      select u.*, (select array_agg(id::text order by id) from logged) as event_ids
      from updated u`.execute(this.#db);
    for (const id of rows[0]?.event_ids ?? []) this.#recorded(id);
    return rows.map((row) => toParticipant(row));
  }

  /**
   * One query: per (participant, seq), the first read advance and the first delivery advance
   * reaching the seq (each the head of a primary-key range scan).
   *
   * @example
   * ```ts
   * const times = await participants.receiptTimes(conversationId, [bob, uma], [41, 42]);
   * ```
   */
  async receiptTimes(
    conversationId: string,
    participants: readonly ParticipantRef[],
    seqs: readonly number[],
  ): Promise<Map<string, Map<number, ReceiptTime>>> {
    const result = new Map<string, Map<number, ReceiptTime>>();
    for (const p of participants) {
      result.set(participantKey(p), new Map(seqs.map((seq) => [seq, { readAt: null, deliveredAt: null }])));
    }
    if (!isUuid(conversationId) || participants.length === 0 || seqs.length === 0) return result;
    const { rows } = await sql<{
      participant_type: string;
      participant_id: string;
      seq: number;
      read_at: Date | null;
      delivered_at: Date | null;
    }>`
      select m.participant_type, m.participant_id, s.seq,
        (select r.at from read_advances r
          where r.conversation_id = ${conversationId}::uuid and r.participant_type = m.participant_type
            and r.participant_id = m.participant_id and r.up_to_seq >= s.seq
          order by r.up_to_seq limit 1) as read_at,
        (select d.at from delivery_advances d
          where d.conversation_id = ${conversationId}::uuid and d.participant_type = m.participant_type
            and d.participant_id = m.participant_id and d.up_to_seq >= s.seq
          order by d.up_to_seq limit 1) as delivered_at
      from unnest(${participants.map((p) => p.type)}::text[], ${participants.map((p) => p.id)}::text[])
        as m(participant_type, participant_id)
      cross join unnest(${[...new Set(seqs)]}::integer[]) as s(seq)`.execute(this.#db);
    for (const row of rows) {
      result
        .get(participantKey({ type: row.participant_type, id: row.participant_id }))
        ?.set(Number(row.seq), {
          readAt: row.read_at === null ? null : new Date(row.read_at),
          deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at),
        });
    }
    return result;
  }

  // --- end of delivery receipts ------------------------------------------------------------------

  /**
   * @example
   * ```ts
   * await participants.updatePreferences(conversationId, me, { muted: true });
   * ```
   */
  async updatePreferences(
    conversationId: string,
    participant: ParticipantRef,
    change: PreferencesChange,
  ): Promise<ConversationParticipant | null> {
    if (!isUuid(conversationId)) return null;
    const set = {
      ...(change.emailNotifications === undefined ? {} : { email_notifications: change.emailNotifications }),
      ...(change.muted === undefined ? {} : { muted: change.muted }),
    };
    if (Object.keys(set).length === 0) return this.find(conversationId, participant);
    const row = await this.#db
      .updateTable('conversation_participants')
      .set(set)
      .where('conversation_id', '=', conversationId)
      .where('participant_type', '=', participant.type)
      .where('participant_id', '=', participant.id)
      .where('left_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toParticipant(row);
  }

  /**
   * One statement: the update applies only when the archive state changes (archiving keeps the
   * first `archived_at`); when it does not, the row is read back unchanged.
   *
   * @example
   * ```ts
   * const result = await participants.setArchived(conversationId, me, clock.now());
   * ```
   */
  async setArchived(
    conversationId: string,
    participant: ParticipantRef,
    archivedAt: Date | null,
  ): Promise<{ membership: ConversationParticipant; changed: boolean } | null> {
    if (!isUuid(conversationId)) return null;
    const row = await this.#db
      .updateTable('conversation_participants')
      .set({ archived_at: archivedAt })
      .where('conversation_id', '=', conversationId)
      .where('participant_type', '=', participant.type)
      .where('participant_id', '=', participant.id)
      .where('left_at', 'is', null)
      .where('archived_at', archivedAt === null ? 'is not' : 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return { membership: toParticipant(row), changed: true };
    const current = await this.find(conversationId, participant);
    return current === null ? null : { membership: current, changed: false };
  }

  /**
   * One statement: the participant's active memberships (`conversation_participants_inbox_idx`),
   * then each conversation's active members (the primary key), distinct, ordered and limited.
   *
   * @example
   * ```ts
   * const contacts = await participants.listContacts({ type: 'customer', id: 'c1' }, 500);
   * ```
   */
  async listContacts(participant: ParticipantRef, limit: number): Promise<ParticipantRef[]> {
    const size = Math.max(0, Math.floor(limit));
    if (size === 0) return [];
    const { rows } = await sql<{ type: string; id: string }>`
      select distinct other.participant_type collate "C" as type, other.participant_id collate "C" as id
      from conversation_participants me
      join conversation_participants other
        on other.conversation_id = me.conversation_id and other.left_at is null
      where me.participant_type = ${participant.type} and me.participant_id = ${participant.id}
        and me.left_at is null
        and (other.participant_type, other.participant_id) <> (${participant.type}, ${participant.id})
      order by 1, 2
      limit ${size}`.execute(this.#db);
    return rows.map((row) => ({ type: row.type, id: row.id }));
  }
}

/** Runs `work` in the caller's transaction when there is one, else in a new one. */
function inTransaction<T>(db: Kysely<Database>, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
