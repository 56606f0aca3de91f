import type {
  ConversationParticipant,
  ParticipantRef,
  ParticipantRepository,
  PreferencesChange,
} from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database-types.js';
import { isUuid } from './kysely-message-repository.js';
import { type ParticipantRow, toParticipant } from './row-mappers.js';

/**
 * Memberships in PostgreSQL: read state and preferences, one row per (conversation, participant).
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
      .orderBy(sql`participant_type collate "C"`)
      .orderBy(sql`participant_id collate "C"`)
      .execute();
    return rows.map(toParticipant);
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
            and not (m.sender_type = p.participant_type and m.sender_id = p.participant_id)
        )::integer),
        last_read_at = greatest(p.last_read_at, ${readAt}::timestamptz)
      from (select ${target} as up_to, c.store_id as tenant_id from conversations c where c.id = ${conversationId}::uuid) t
      where p.conversation_id = ${conversationId}::uuid
        and p.participant_type = ${participant.type} and p.participant_id = ${participant.id}
      returning p.*, t.tenant_id
      ), logged as (
        insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
        select u.tenant_id, u.conversation_id, 'conversation.read', u.participant_type, u.participant_id,
          jsonb_build_object('read_at', ${readAt}::text, 'last_read_seq', u.last_read_seq,
            'unread_count', u.unread_count),
          ${readAt}::timestamptz
        from updated u
        returning id
      )
      select u.*, (select id::text from logged) as event_id from updated u`.execute(this.#db);
    const row = rows[0];
    if (row === undefined) return null;
    if (row.event_id !== null) this.#recorded(row.event_id);
    return toParticipant(row);
  }

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
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toParticipant(row);
  }
}
