import {
  type CloseStateChange,
  type Conversation,
  type ConversationParticipant,
  type ConversationRepository,
  type InboxCounts,
  type InboxCursor,
  type InboxEntry,
  type InboxFilter,
  type InboxPage,
  type InboxPageRequest,
  MessagingError,
  NON_MEMBER,
  type ParticipantRef,
  type TeamInboxFilter,
} from '@parley/messaging-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database-types.js';
import { isPostgresError, SQLSTATE, violatedConstraint } from '../postgres-errors.js';
import { PREPARED } from '../preparing-pool.js';
import { isUuid } from './kysely-message-repository.js';
import { MESSAGE_COLUMNS, withAttachments } from './message-loading.js';
import { CONVERSATION_COLUMNS, prefixed, unprefixed } from './prefixed-columns.js';
import {
  type ConversationRow,
  type MessageRow,
  type ParticipantRow,
  toConversation,
  toNumber,
  toParticipant,
} from './row-mappers.js';

const PARTICIPANT_COLUMNS = [
  'conversation_id',
  'participant_type',
  'participant_id',
  'store_id',
  'unread_count',
  'last_read_seq',
  'last_read_at',
  'email_notifications',
  'muted',
  'last_activity_at',
  'joined_at',
  'role',
  'left_at',
  'visible_from_seq',
  'last_delivered_seq',
  'last_delivered_at',
  'archived_at',
] as const satisfies readonly (keyof ParticipantRow)[];

/**
 * One row of an inbox page: conversation (`c_`), membership (`p_`), latest message (`m_`), sort
 * key, and the conversation's memberships as a JSON array (`participants`, see `participantsJoin`).
 */
type InboxRow = Record<string, unknown> & {
  readonly sort_at: Date;
  readonly m_id: string | null;
  readonly m_has_attachments: boolean | null;
  readonly participants: readonly JsonParticipant[] | string | null;
};

/** A membership as `json_build_object` renders it: timestamps come back as ISO 8601 strings. */
type JsonParticipant = Omit<
  ParticipantRow,
  'last_read_at' | 'last_activity_at' | 'joined_at' | 'left_at' | 'last_delivered_at' | 'archived_at'
> & {
  readonly archived_at: string | null;
  readonly last_read_at: string | null;
  readonly last_delivered_at: string | null;
  readonly last_activity_at: string;
  readonly joined_at: string;
  readonly left_at: string | null;
};

/** The memberships of an inbox row, timestamps turned back into `Date`s. */
function participantsFromJson(value: InboxRow['participants']): ConversationParticipant[] {
  if (value === null) return [];
  const list: readonly JsonParticipant[] = typeof value === 'string' ? JSON.parse(value) : value;
  return list.map((p) =>
    toParticipant({
      ...p,
      last_read_at: p.last_read_at === null ? null : new Date(p.last_read_at),
      last_delivered_at: p.last_delivered_at === null ? null : new Date(p.last_delivered_at),
      last_activity_at: new Date(p.last_activity_at),
      joined_at: new Date(p.joined_at),
      left_at: p.left_at === null ? null : new Date(p.left_at),
      archived_at: p.archived_at === null || p.archived_at === undefined ? null : new Date(p.archived_at),
    }),
  );
}

/**
 * The filter's conditions on `p` (membership) and `c` (conversation), each starting with `and`.
 * The store scope reads the membership's copy of the conversation's store, so only the
 * conversation type and closed state need `c` (see `needsConversation`).
 */
function filterConditions(filter: InboxFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (filter.conversationType !== undefined)
    parts.push(sql` and c.conversation_type = ${filter.conversationType}`);
  if (filter.isClosed !== undefined) parts.push(sql` and c.is_closed = ${filter.isClosed}`);
  if (filter.unreadOnly === true) parts.push(sql` and p.unread_count > 0`);
  if (filter.archived !== undefined)
    parts.push(filter.archived ? sql` and p.archived_at is not null` : sql` and p.archived_at is null`);
  if (filter.storeId !== undefined) parts.push(sql` and p.conversation_store_id = ${filter.storeId}`);
  if (filter.query !== undefined && filter.query.length > 0) parts.push(inboxQueryCondition(filter.query));
  return sql.join(parts, sql``);
}

/**
 * `InboxFilter.query` on the membership `p` of conversation `c`: every word is in the subject or
 * in another active member's name (from whichever directory holds them: the marketplace's
 * `platform_users` and `customers`, or `directory_people`), anywhere (`ilike`), or — 4 letters or
 * more — close to a word of them (`pg_trgm` word similarity, through `parley_word_similarity`,
 * migration 0021). Evaluated on the rows of the person's own inbox range, so it needs no index.
 */
function inboxQueryCondition(terms: readonly string[]): RawBuilder<unknown> {
  const haystack = sql`(c.subject || ' ' || coalesce((
      select string_agg(coalesce(u.name, cu.name, dp.name, ''), ' ')
      from conversation_participants op
      left join platform_users u
        on u.id = op.participant_id and u.role = op.participant_type
      left join customers cu on op.participant_type = 'customer' and cu.id = op.participant_id
      left join directory_people dp on dp.type = op.participant_type and dp.id = op.participant_id
      where op.conversation_id = c.id and op.left_at is null
        and not (op.participant_type = p.participant_type and op.participant_id = p.participant_id)
    ), ''))`;
  const each = terms.map((term) => {
    const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return Array.from(term).length >= 4
      ? sql`(hay.text ilike ${like} or parley_word_similarity(${term}, hay.text) >= 0.5)`
      : sql`hay.text ilike ${like}`;
  });
  return sql` and exists (select from (select ${haystack} as text) hay where ${sql.join(each, sql` and `)})`;
}

/**
 * Where an inbox reads memberships from: `conversation_participants`, or — for a team member
 * (`filter.team`, support) — those unioned with a stand-in row for every team conversation of
 * the tenant they have not joined (role `none`, nothing read; unread: the non-system messages
 * after the team's latest one). The outer conditions on `p` (participant, `left_at`, store,
 * unread) apply to both branches, so every inbox statement reads it unchanged.
 */
function membershipSource(
  participant: ParticipantRef,
  filter: Pick<InboxFilter, 'storeId' | 'team'>,
): RawBuilder<unknown> {
  const team = filter.team;
  const tenant = filter.storeId;
  if (team === undefined || tenant === undefined || team.conversationTypes.length === 0)
    return sql`conversation_participants`;
  const teamTypes =
    team.teamParticipantTypes.length === 0
      ? sql`null`
      : sql.join(team.teamParticipantTypes.map((t) => sql`${t}`));
  return sql`(
    select ${sql.join(PARTICIPANT_COLUMNS.map((column) => sql.ref(`cp.${column}`)))}, cp.conversation_store_id
    from conversation_participants cp
    union all
    select tc.id, ${participant.type}::text, ${participant.id}::text, ${tenant}::text,
      (select count(*) from messages tm
        where tm.conversation_id = tc.id and not tm.is_system_message
          and (tm.moderation_state is null or tm.moderation_state not in ('held', 'rejected'))
          and tm.seq > coalesce((select max(ta.seq) from messages ta
            where ta.conversation_id = tc.id and not ta.is_system_message
              and ta.sender_type in (${teamTypes})), 0))::integer,
      0, null::timestamptz, false, false, coalesce(tc.last_message_at, tc.created_at), tc.created_at,
      ${NON_MEMBER}::text, null::timestamptz, 1, 0, null::timestamptz, null::timestamptz, tc.store_id
    from conversations tc
    where tc.store_id = ${tenant}
      and tc.conversation_type in (${sql.join(team.conversationTypes.map((t) => sql`${t}`))})
      and not exists (select from conversation_participants tx
        where tx.conversation_id = tc.id and tx.participant_type = ${participant.type}
          and tx.participant_id = ${participant.id} and tx.left_at is null)
  )`;
}

/** Whether `filterConditions(filter)` reads the conversation row `c`. */
function needsConversation(filter: InboxFilter): boolean {
  return (
    filter.conversationType !== undefined ||
    filter.isClosed !== undefined ||
    (filter.query !== undefined && filter.query.length > 0)
  );
}

/**
 * Conversations and inbox queries in PostgreSQL.
 *
 * The inbox's first page is one range scan of `conversation_participants_inbox_idx`
 * (participant, last_activity_at desc, conversation_id desc) joined to the conversation and its
 * latest message. Later pages order by activity as of the cursor's `snapshotAt`: memberships not
 * bumped since then continue the same range scan below the cursor; the few bumped since are
 * re-keyed from their messages up to `snapshotAt` (a lateral lookup in `messages`' index). Each
 * page's statement also returns every entry's participants (a lateral `json_agg`), and filters the
 * store scope on the membership's `conversation_store_id`; the badge is an index-only scan of the
 * partial `conversation_participants_unread_idx` (migration 0007).
 *
 * @example
 * ```ts
 * const conversations = new KyselyConversationRepository(db);
 * const page = await conversations.listInbox({ type: 'admin', id: 'u1' }, {}, { limit: 20 });
 * ```
 */
export class KyselyConversationRepository implements ConversationRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Inserts the conversation and its memberships in one statement; `CONFLICT` when the id (or a
   * membership) already exists.
   *
   * @example
   * ```ts
   * await conversations.create(conversation, [adminMembership, storeMembership]);
   * ```
   */
  /**
   * One statement: inserts the pair unless it exists (the primary key makes a concurrent claim
   * wait for this transaction), then reads the holder — a new statement, so it sees a claim
   * committed meanwhile.
   *
   * @example
   * ```ts
   * const holder = await tx.conversations.claimPair(pairKey, draft.id);
   * ```
   */
  async claimPair(pairKey: string, conversationId: string): Promise<string> {
    const inserted = await this.#db
      .insertInto('conversation_pairs')
      .values({ pair_key: pairKey, conversation_id: conversationId })
      .onConflict((oc) => oc.column('pair_key').doNothing())
      .returning('conversation_id')
      .executeTakeFirst();
    if (inserted !== undefined) return inserted.conversation_id;
    const holder = await this.findPair(pairKey);
    if (holder === null) throw new MessagingError('CONFLICT', `pair ${pairKey} vanished while claimed`);
    return holder;
  }

  async findPair(pairKey: string): Promise<string | null> {
    const row = await this.#db
      .selectFrom('conversation_pairs')
      .select('conversation_id')
      .where('pair_key', '=', pairKey)
      .executeTakeFirst();
    return row?.conversation_id ?? null;
  }

  async create(conversation: Conversation, participants: readonly ConversationParticipant[]): Promise<void> {
    const row = {
      id: conversation.id,
      conversation_type: conversation.conversationType,
      subject: conversation.subject,
      store_id: conversation.tenantId,
      is_closed: conversation.isClosed,
      closed_at: conversation.closedAt,
      closed_by_type: conversation.closedBy?.type ?? null,
      closed_by_id: conversation.closedBy?.id ?? null,
      last_message_at: conversation.lastMessageAt,
      message_count: conversation.messageCount,
      created_at: conversation.createdAt,
      updated_at: conversation.updatedAt,
    };
    const members = participants.map((p) => ({
      conversation_id: conversation.id,
      participant_type: p.participant.type,
      participant_id: p.participant.id,
      store_id: p.tenantId,
      unread_count: p.unreadCount,
      last_read_seq: p.lastReadSeq,
      last_read_at: p.lastReadAt,
      email_notifications: p.emailNotifications,
      muted: p.muted,
      last_activity_at: p.lastActivityAt,
      joined_at: p.joinedAt,
      role: p.role,
      left_at: p.leftAt,
      visible_from_seq: p.visibleFromSeq,
      archived_at: p.archivedAt ?? null,
      last_delivered_seq: p.lastDeliveredSeq,
      last_delivered_at: p.lastDeliveredAt,
      // Denormalized for store-scoped inbox, count and badge queries (migration 0007).
      conversation_store_id: conversation.tenantId,
    }));
    try {
      if (members.length === 0) {
        await this.#db.insertInto('conversations').values(row).execute();
      } else {
        // One statement: both inserts commit together without a transaction of their own.
        await this.#db
          .with('created', (db) => db.insertInto('conversations').values(row).returning('id'))
          .insertInto('conversation_participants')
          .values(members)
          .execute();
      }
    } catch (error) {
      if (isPostgresError(error, SQLSTATE.uniqueViolation)) {
        const constraint = violatedConstraint(error);
        throw new MessagingError(
          'CONFLICT',
          constraint === 'conversations_pkey'
            ? `conversation ${conversation.id} already exists`
            : `a participant of conversation ${conversation.id} is listed twice`,
          { cause: error, details: { constraint } },
        );
      }
      if (isPostgresError(error, SQLSTATE.checkViolation)) {
        throw new MessagingError(
          'VALIDATION',
          `conversation ${conversation.id} breaks ${violatedConstraint(error)}`,
          {
            field:
              violatedConstraint(error) === 'conversations_subject_length_check' ? 'subject' : 'conversation',
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  /**
   * @example
   * ```ts
   * const conversation = await conversations.findById(id);
   * ```
   */
  async findById(conversationId: string): Promise<Conversation | null> {
    if (!isUuid(conversationId)) return null;
    const row = await this.#db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirst();
    return row === undefined ? null : toConversation(row);
  }

  /**
   * One index scan of the primary key for the well-formed ids.
   *
   * @example
   * ```ts
   * const byId = await conversations.findByIds([a, b]);
   * ```
   */
  async findByIds(conversationIds: readonly string[]): Promise<Map<string, Conversation>> {
    const ids = [...new Set(conversationIds.filter(isUuid))];
    const found = new Map<string, Conversation>();
    if (ids.length === 0) return found;
    const rows = await this.#db.selectFrom('conversations').selectAll().where('id', 'in', ids).execute();
    for (const row of rows) {
      const conversation = toConversation(row);
      found.set(conversation.id, conversation);
    }
    return found;
  }

  /**
   * @example
   * ```ts
   * const found = await conversations.findWithParticipants(id);
   * found?.participants.length; // 2
   * ```
   */
  async findWithParticipants(
    conversationId: string,
  ): Promise<{ conversation: Conversation; participants: ConversationParticipant[] } | null> {
    if (!isUuid(conversationId)) return null;
    // One round trip: this runs before every send, read and close.
    const { rows } = await sql<Record<string, unknown>>`${sql.raw(PREPARED)}
      select ${CONVERSATION_AND_MEMBER_COLUMNS}
      from conversations c
      left join conversation_participants p on p.conversation_id = c.id and p.left_at is null
      where c.id = ${conversationId}
      order by p.participant_type collate "C", p.participant_id collate "C"`.execute(this.#db);
    const first = rows[0];
    if (first === undefined) return null;
    const conversation = toConversation(unprefixed<ConversationRow>(first, 'c_', CONVERSATION_COLUMNS));
    const participants = rows
      .filter((row) => row.p_conversation_id !== null)
      .map((row) => toParticipant(unprefixed<ParticipantRow>(row, 'p_', PARTICIPANT_COLUMNS)));
    return { conversation, participants };
  }

  /**
   * A page of the participant's inbox, most recent activity first (see the class comment).
   *
   * @example
   * ```ts
   * const first = await conversations.listInbox(me, { unreadOnly: true }, { limit: 20 });
   * const second = first.nextCursor && (await conversations.listInbox(me, { unreadOnly: true }, { limit: 20, cursor: first.nextCursor }));
   * ```
   */
  async listInbox(
    participant: ParticipantRef,
    filter: InboxFilter,
    page: InboxPageRequest,
  ): Promise<InboxPage> {
    const limit = Math.max(0, Math.floor(page.limit));
    const cursor = page.cursor;
    const statement =
      cursor === undefined
        ? firstPage(participant, filter, limit, Math.max(0, Math.floor(page.offset ?? 0)))
        : laterPage(participant, filter, limit, cursor);
    const { rows } = await statement.execute(this.#db);
    const pageRows = rows.slice(0, limit);
    if (pageRows.length === 0) return { entries: [], nextCursor: null };

    const messageRows = pageRows
      .filter((row) => row.m_id !== null)
      .map((row) => ({
        ...unprefixed<MessageRow>(row, 'm_', MESSAGE_COLUMNS),
        has_attachments: row.m_has_attachments === true,
      }));
    const latest = new Map(
      (await withAttachments(this.#db, messageRows)).map((message) => [message.conversationId, message]),
    );

    const entries: InboxEntry[] = pageRows.map((row) => {
      const conversation = toConversation(unprefixed<ConversationRow>(row, 'c_', CONVERSATION_COLUMNS));
      return {
        conversation,
        membership: toParticipant(unprefixed<ParticipantRow>(row, 'p_', PARTICIPANT_COLUMNS)),
        participants: participantsFromJson(row.participants),
        lastMessage: latest.get(conversation.id) ?? null,
      };
    });
    const last = pageRows.at(-1);
    const top = pageRows[0];
    const snapshotAt = cursor?.snapshotAt ?? top?.sort_at;
    const nextCursor: InboxCursor | null =
      rows.length > limit && last !== undefined && snapshotAt !== undefined
        ? { snapshotAt, activityAt: last.sort_at, conversationId: last.c_id as string }
        : null;
    return { entries, nextCursor };
  }

  /**
   * Conversations matching the filter, and the badge: unread over non-muted memberships,
   * within `filter.storeId` when set (the other filters do not apply to the badge).
   *
   * @example
   * ```ts
   * const { total, totalUnread } = await conversations.countInbox(me, { isClosed: false });
   * ```
   */
  async countInbox(participant: ParticipantRef, filter: InboxFilter): Promise<InboxCounts> {
    // The conversation is joined only when the filter reads it: with no filter or only the store
    // and unread ones, the total is an index-only scan of the inbox index.
    const join = needsConversation(filter) ? sql`join conversations c on c.id = p.conversation_id` : sql``;
    const { rows } = await sql<{
      total: string | number;
      total_unread: string | number | null;
    }>`${sql.raw(PREPARED)}
      select
        (select count(*) from ${membershipSource(participant, filter)} p ${join}
          where p.participant_type = ${participant.type} and p.participant_id = ${participant.id}
            and p.left_at is null
          ${filterConditions(filter)}) as total,
        (${badge(participant, filter.storeId, filter.team)}) as total_unread`.execute(this.#db);
    const row = rows[0];
    return { total: toNumber(row?.total), totalUnread: toNumber(row?.total_unread) };
  }

  /**
   * The badge alone: unread over non-muted memberships, only in conversations of `storeId` when given.
   *
   * @example
   * ```ts
   * const badge = await conversations.unreadTotal({ type: 'customer', id: 'c1' }, 'store-1');
   * ```
   */
  async unreadTotal(participant: ParticipantRef, storeId?: string, team?: TeamInboxFilter): Promise<number> {
    const { rows } = await sql<{
      total: string | number | null;
    }>`${sql.raw(PREPARED)} ${badge(participant, storeId, team)}`.execute(this.#db);
    return toNumber(rows[0]?.total);
  }

  /**
   * @example
   * ```ts
   * const closed = await conversations.setClosed(id, { isClosed: true, at: clock.now(), by: actor });
   * ```
   */
  /**
   * @example
   * ```ts
   * const renamed = await conversations.rename(id, 'Spring term', clock.now());
   * ```
   */
  async rename(conversationId: string, subject: string, at: Date): Promise<Conversation | null> {
    if (!isUuid(conversationId)) return null;
    const row = await this.#db
      .updateTable('conversations')
      .set({ subject, updated_at: at })
      .where('id', '=', conversationId)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toConversation(row);
  }

  async setClosed(conversationId: string, change: CloseStateChange): Promise<Conversation | null> {
    if (!isUuid(conversationId)) return null;
    const row = await this.#db
      .updateTable('conversations')
      .set(
        change.isClosed
          ? {
              is_closed: true,
              closed_at: change.at,
              closed_by_type: change.by?.type ?? null,
              closed_by_id: change.by?.id ?? null,
              updated_at: change.at,
            }
          : {
              is_closed: false,
              closed_at: null,
              closed_by_type: null,
              closed_by_id: null,
              updated_at: change.at,
            },
      )
      .where('id', '=', conversationId)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toConversation(row);
  }
}

/**
 * The badge query: an index-only scan of the partial `conversation_participants_unread_idx`
 * (unread, non-muted memberships only), no join. Rows with no unread messages add nothing to the
 * sum, and an empty sum (null) reads as 0.
 */
function badge(
  participant: ParticipantRef,
  storeId: string | undefined,
  team?: TeamInboxFilter,
): RawBuilder<{ total: string | number | null }> {
  const inStore = storeId === undefined ? sql`` : sql`and p.conversation_store_id = ${storeId}`;
  const source = membershipSource(participant, {
    ...(storeId === undefined ? {} : { storeId }),
    ...(team === undefined ? {} : { team }),
  });
  return sql`select sum(p.unread_count) as total from ${source} p
    where p.participant_type = ${participant.type} and p.participant_id = ${participant.id}
      and p.unread_count > 0 and not p.muted and p.left_at is null ${inStore}`;
}

/** A conversation `c` and a membership `p`, prefixed `c_` and `p_` (built once: it never changes). */
const CONVERSATION_AND_MEMBER_COLUMNS = sql`${prefixed('c', 'c_', CONVERSATION_COLUMNS)}, ${prefixed('p', 'p_', PARTICIPANT_COLUMNS)}`;

/** Columns every inbox statement returns for a ranked membership `p` of conversation `c` (built once). */
const ENTRY_COLUMNS = sql`${CONVERSATION_AND_MEMBER_COLUMNS},
    ${prefixed('lm', 'm_', MESSAGE_COLUMNS)}, lm.has_attachments as m_has_attachments,
    pa.participants`;

/**
 * The memberships of conversation `c` as one JSON array, ordered by participant type then id
 * (bytewise, as `findWithParticipants` orders them): a range scan of
 * `conversation_participants_pkey` per entry, in the page's statement instead of a second round trip.
 */
const participantsJoin = sql`cross join lateral (
    select json_agg(json_build_object(${sql.join(
      PARTICIPANT_COLUMNS.map((column) => sql`${sql.lit(column)}, ${sql.ref(`pp.${column}`)}`),
    )}) order by pp.participant_type collate "C", pp.participant_id collate "C") as participants
    from conversation_participants pp where pp.conversation_id = c.id and pp.left_at is null
  ) pa`;

/**
 * The latest message of conversation `c` (highest `seq`): one probe of `messages_conversation_seq_key`.
 * Named columns, not `m.*`: a lateral subquery with `limit` is not flattened, so `m.*` would carry
 * the search columns (the stored `tsvector`) through every inbox row for nothing.
 */
const latestMessageJoin = sql`left join lateral (
    select ${sql.join(MESSAGE_COLUMNS.map((column) => sql.ref(`m.${column}`)))}, exists (select from message_attachments a where a.message_id = m.id) as has_attachments
    from messages m where m.conversation_id = c.id
    order by m.seq desc limit 1
  ) lm on true`;

/** First page: the range scan of the inbox index, in index order, `limit + 1` rows. */
function firstPage(
  participant: ParticipantRef,
  filter: InboxFilter,
  limit: number,
  offset: number,
): RawBuilder<InboxRow> {
  return sql<InboxRow>`${sql.raw(PREPARED)}
    select ${ENTRY_COLUMNS}, p.last_activity_at as sort_at
    from ${membershipSource(participant, filter)} p
    join conversations c on c.id = p.conversation_id
    ${latestMessageJoin}
    ${participantsJoin}
    where p.participant_type = ${participant.type} and p.participant_id = ${participant.id}
      and p.left_at is null
      ${filterConditions(filter)}
    order by p.last_activity_at desc, p.conversation_id desc
    limit ${limit + 1}${offset > 0 ? sql` offset ${offset}` : sql``}`;
}

/**
 * Later pages: conversations created by `snapshotAt`, keyed by their activity as of then.
 * `steady` continues the range scan for memberships untouched since the snapshot (their key is
 * `last_activity_at`); `bumped` re-keys the few touched since from their messages up to the
 * snapshot. Both keep only keys strictly below the cursor.
 */
function laterPage(
  participant: ParticipantRef,
  filter: InboxFilter,
  limit: number,
  cursor: InboxCursor,
): RawBuilder<InboxRow> {
  const snapshotAt = sql`${cursor.snapshotAt.toISOString()}::timestamptz`;
  const activityAt = sql`${cursor.activityAt.toISOString()}::timestamptz`;
  const after = isUuid(cursor.conversationId)
    ? sql`${cursor.conversationId}::uuid`
    : sql`'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid`;
  // Active memberships only: a former member's inbox no longer lists the conversation.
  const source = membershipSource(participant, filter);
  const mine = sql`p.participant_type = ${participant.type} and p.participant_id = ${participant.id} and p.left_at is null`;
  return sql<InboxRow>`${sql.raw(PREPARED)}
    with ranked as (
      (select p.conversation_id, p.last_activity_at as sort_at
        from ${source} p
        join conversations c on c.id = p.conversation_id
        where ${mine}
          and p.last_activity_at <= ${snapshotAt}
          and (p.last_activity_at, p.conversation_id) < (${activityAt}, ${after})
          and c.created_at <= ${snapshotAt}
          ${filterConditions(filter)}
        order by p.last_activity_at desc, p.conversation_id desc
        limit ${limit + 1})
      union all
      (select bumped.conversation_id, bumped.sort_at
        from (
          select p.conversation_id, greatest(c.created_at, asof.at) as sort_at
          from ${source} p
          join conversations c on c.id = p.conversation_id
          cross join lateral (
            select max(m.created_at) as at from messages m
            where m.conversation_id = c.id and m.created_at <= ${snapshotAt}
          ) asof
          where ${mine}
            and p.last_activity_at > ${snapshotAt}
            and c.created_at <= ${snapshotAt}
            ${filterConditions(filter)}
        ) bumped
        where (bumped.sort_at, bumped.conversation_id) < (${activityAt}, ${after}))
    ),
    page as (
      select conversation_id, sort_at from ranked
      order by sort_at desc, conversation_id desc
      limit ${limit + 1}
    )
    select ${ENTRY_COLUMNS}, page.sort_at
    from page
    join ${source} p
      on p.conversation_id = page.conversation_id and ${mine}
    join conversations c on c.id = page.conversation_id
    ${latestMessageJoin}
    ${participantsJoin}
    order by page.sort_at desc, page.conversation_id desc`;
}
