import type {
  MessageSearch,
  MessageSearchHit,
  MessageSearchPage,
  MessageSearchQuery,
  ParticipantRef,
  SearchScope,
} from '@parley/messaging-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database-types.js';
import { isUuid } from './kysely-message-repository.js';
import { MESSAGE_COLUMNS, withAttachments } from './message-loading.js';
import { type ConversationRow, type MessageRow, toConversation } from './row-mappers.js';

const CONVERSATION_COLUMNS = [
  'id',
  'conversation_type',
  'subject',
  'store_id',
  'is_closed',
  'closed_at',
  'closed_by_type',
  'closed_by_id',
  'last_message_at',
  'message_count',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ConversationRow)[];

function prefixed(alias: string, prefix: string, columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(
    columns.map((column) => sql`${sql.ref(`${alias}.${column}`)} as ${sql.id(`${prefix}${column}`)}`),
  );
}

function unprefixed<T>(row: Record<string, unknown>, prefix: string, columns: readonly string[]): T {
  const picked: Record<string, unknown> = {};
  for (const column of columns) picked[column] = row[`${prefix}${column}`];
  return picked as T;
}

type HitRow = Record<string, unknown> & {
  readonly m_id: string;
  readonly m_created_at: Date;
  readonly has_attachments: boolean;
  readonly rank: number | string;
};

/**
 * The conversations a search reads and the first `seq` readable in each (`scope` rows:
 * `conversation_id`, `visible_from_seq`): the searcher's active memberships (within the tenant),
 * plus the team conversations of the tenant they have not joined; or the one conversation.
 */
function scopeRows(searcher: ParticipantRef, scope: SearchScope): RawBuilder<unknown> {
  if (scope.kind === 'conversation') {
    const id = isUuid(scope.conversationId) ? scope.conversationId : '00000000-0000-0000-0000-000000000000';
    return sql`select ${id}::uuid as conversation_id, ${scope.visibleFromSeq}::integer as visible_from_seq`;
  }
  const inStore = scope.storeId === undefined ? sql`` : sql`and p.conversation_store_id = ${scope.storeId}`;
  const members = sql`select p.conversation_id, p.visible_from_seq from conversation_participants p
    where p.participant_type = ${searcher.type} and p.participant_id = ${searcher.id}
      and p.left_at is null ${inStore}`;
  const team = scope.team;
  if (team === undefined || scope.storeId === undefined || team.conversationTypes.length === 0)
    return members;
  return sql`${members}
    union all
    select tc.id, 1 from conversations tc
    where tc.store_id = ${scope.storeId}
      and tc.conversation_type in (${sql.join(team.conversationTypes.map((t) => sql`${t}`))})
      and not exists (select from conversation_participants tx
        where tx.conversation_id = tc.id and tx.participant_type = ${searcher.type}
          and tx.participant_id = ${searcher.id} and tx.left_at is null)`;
}

export interface KyselyMessageSearchConfig {
  readonly db: Kysely<Database>;
}

/**
 * `MessageSearch` in PostgreSQL (and PGlite), one statement per page.
 *
 * Each message carries `search_vector`, generated from its subject and content with its
 * conversation's text search configuration (its tenant's language, else `simple`; migration
 * 0021), GIN-indexed. A term matches a message when the vector holds a word starting with the
 * term as `simple` or the scope's tenants' configurations read it (so `invo` finds "invoice",
 * and `shipping` finds "shipped" in English). Relevance is `ts_rank` of all the terms.
 *
 * For a store user or customer (a tenant scope), the GIN index `messages_search_idx` keyed by
 * (store, vector) yields the store's matching messages, whatever the other stores hold; they are
 * kept when they belong to one of the searcher's conversations (their memberships: a range of
 * the inbox index, hashed), from their `visible_from_seq`, and are not hidden. Without a tenant
 * (admins), the planner reads the searcher's conversations' messages through
 * `messages_conversation_seq_key` or the index on the words, whichever it finds cheaper.
 *
 * @example
 * ```ts
 * const search = new KyselyMessageSearch({ db });
 * const page = await search.search({ searcher, terms: ['refund'], scope: { kind: 'inbox' }, sort: 'recent', limit: 20 });
 * ```
 */
export class KyselyMessageSearch implements MessageSearch {
  readonly #db: Kysely<Database>;

  constructor(config: KyselyMessageSearchConfig) {
    this.#db = config.db;
  }

  async search(query: MessageSearchQuery): Promise<MessageSearchPage> {
    const limit = Math.max(0, Math.floor(query.limit));
    const searcher = query.searcher;
    const terms = query.terms;
    if (terms.length === 0 || limit === 0) return { hits: [], next: null };
    const termList = sql`array[${sql.join(terms.map((t) => sql`${t}::text`))}]`;
    const relevance = query.sort === 'relevance';
    const conditions: RawBuilder<unknown>[] = [];
    // The store's messages only (the scope is within it): the search index's first key.
    if (query.scope.kind === 'inbox' && query.scope.storeId !== undefined)
      conditions.push(sql`and m.conversation_store_id = ${query.scope.storeId}`);
    if (query.sender !== undefined)
      conditions.push(sql`and m.sender_type = ${query.sender.type} and m.sender_id = ${query.sender.id}`);
    if (query.from !== undefined)
      conditions.push(sql`and m.created_at >= ${query.from.toISOString()}::timestamptz`);
    if (query.to !== undefined)
      conditions.push(sql`and m.created_at < ${query.to.toISOString()}::timestamptz`);
    const after = query.after;
    if (after !== undefined) {
      const afterId = isUuid(after.messageId)
        ? sql`${after.messageId}::uuid`
        : sql`'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid`;
      const at = sql`${after.createdAt.toISOString()}::timestamptz`;
      conditions.push(
        relevance
          ? sql`and (r.rank, m.created_at, m.id) < (${after.rank}::float8, ${at}, ${afterId})`
          : sql`and (m.created_at, m.id) < (${at}, ${afterId})`,
      );
    }
    const rank = relevance
      ? sql`ts_rank(m.search_vector, (select q.all_terms from q))::float8`
      : sql`0::float8`;
    const order = relevance
      ? sql`order by r.rank desc, m.created_at desc, m.id desc`
      : sql`order by m.created_at desc, m.id desc`;

    // The configurations the scope's messages may be indexed with: `simple` and its tenants'.
    const tenantConfigs =
      query.scope.kind === 'inbox' && query.scope.storeId !== undefined
        ? sql`select parley_text_search_config(language) from stores where id = ${query.scope.storeId}
            union select parley_text_search_config(language) from directory_tenants where id = ${query.scope.storeId}`
        : query.scope.kind === 'conversation'
          ? sql`select c.search_config from conversations c where c.id = (select conversation_id from scope)`
          : sql`select parley_text_search_config(language) from stores
            union select parley_text_search_config(language) from directory_tenants`;

    const { rows } = await sql<HitRow>`
      with scope as materialized (${scopeRows(searcher, query.scope)}),
      configs as materialized (select 'simple'::regconfig as cfg union ${tenantConfigs}),
      terms as materialized (
        select t.ord, (
            select string_agg(distinct '(' || to_tsquery(cfg, t.term || ':*')::text || ')', ' | ')
            from configs where numnode(to_tsquery(cfg, t.term || ':*')) > 0
          )::tsquery as query
        from unnest(${termList}) with ordinality as t(term, ord)
      ),
      q as materialized (
        select case when bool_and(t.query is not null)
          then string_agg('(' || t.query::text || ')', ' & ')::tsquery end as all_terms
        from terms t
      ),
      hits as (
        select ${sql.join(MESSAGE_COLUMNS.map((column) => sql.ref(`m.${column}`)))}, r.rank
        from messages m
        cross join lateral (select ${rank} as rank) r
        where exists (select from scope s
            where s.conversation_id = m.conversation_id and m.seq >= s.visible_from_seq)
          and not m.is_system_message and not m.is_deleted
          and not exists (select from message_hides h where h.message_id = m.id
            and h.participant_type = ${searcher.type} and h.participant_id = ${searcher.id})
          -- Held or rejected messages (moderation) are their sender's only.
          and (m.moderation_state is null or m.moderation_state not in ('held', 'rejected')
            or (m.sender_type = ${searcher.type} and m.sender_id = ${searcher.id}))
          -- One test of the stored vector against all the terms (an InitPlan: read once), which
          -- the GIN index answers with the store (null when a term has no word: nothing matches).
          and m.search_vector @@ (select q.all_terms from q)
          ${sql.join(conditions, sql` `)}
        ${order}
        limit ${limit + 1}
      )
      select ${prefixed('m', 'm_', MESSAGE_COLUMNS)}, ${prefixed('c', 'c_', CONVERSATION_COLUMNS)},
        coalesce((select true from message_attachments a where a.message_id = m.id limit 1), false)
          as has_attachments,
        m.rank
      from hits m
      join conversations c on c.id = m.conversation_id
      order by m.rank desc, m.created_at desc, m.id desc`.execute(this.#db);

    const page = rows.slice(0, limit);
    const messages = await withAttachments(
      this.#db,
      page.map((row) => ({
        ...unprefixed<MessageRow>(row, 'm_', MESSAGE_COLUMNS),
        has_attachments: row.has_attachments === true,
      })),
    );
    const hits: MessageSearchHit[] = page.map((row, i) => ({
      message: messages[i]!,
      conversation: toConversation(unprefixed<ConversationRow>(row, 'c_', CONVERSATION_COLUMNS)),
      rank: Number(row.rank),
    }));
    const last = hits.at(-1);
    return {
      hits,
      next:
        rows.length > limit && last !== undefined
          ? { rank: last.rank, createdAt: last.message.createdAt, messageId: last.message.id }
          : null,
    };
  }
}
