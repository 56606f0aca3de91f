import type {
  ConversationParticipant,
  ParticipantRef,
  ParticipantRepository,
  PreferencesChange,
} from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database-types.js';
import { isUuid } from './kysely-message-repository.js';
import { toParticipant } from './row-mappers.js';

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

  constructor(db: Kysely<Database>) {
    this.#db = db;
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
   * @example
   * ```ts
   * const membership = await participants.markRead(conversationId, me, clock.now());
   * membership?.unreadCount; // 0
   * ```
   */
  async markRead(
    conversationId: string,
    participant: ParticipantRef,
    at: Date,
  ): Promise<ConversationParticipant | null> {
    if (!isUuid(conversationId)) return null;
    const row = await this.#db
      .updateTable('conversation_participants')
      .set({ unread_count: 0, last_read_at: at })
      .where('conversation_id', '=', conversationId)
      .where('participant_type', '=', participant.type)
      .where('participant_id', '=', participant.id)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toParticipant(row);
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
