import {
  type MessageSearch,
  type MessageSearchHit,
  type MessageSearchPage,
  type MessageSearchQuery,
  type ParticipantRef,
  SEARCH_RELEVANCE_WINDOW,
  type SearchScope,
} from '@parley/messaging-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database-types.js';
import { isUuid } from './kysely-message-repository.js';
import { MESSAGE_COLUMNS, withAttachments } from './message-loading.js';
import { CONVERSATION_COLUMNS, prefixed, unprefixed } from './prefixed-columns.js';
import { type ConversationRow, type MessageRow, toConversation } from './row-mappers.js';

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

/**
 * How many of a store's newest messages a search walks (newest first, testing each one's words)
 * before it asks the GIN index instead: the walk finds a page of common words after a few
 * hundred rows, and words rarer than that are cheaper to fetch from the index.
 */
const WALK_ROWS = 10_000;

/**
 * When the first walk found at least `1 / DEEP_WALK_FACTOR` of what it needed (common words, a
 * searcher with a small share of a busy store), the search walks on, up to this many times as
 * far, in chunks of `walkRows`; fewer than that and the GIN index is cheaper.
 */
const DEEP_WALK_FACTOR = 10;

export interface KyselyMessageSearchConfig {
  readonly db: Kysely<Database>;
  /**
   * How many of a store's newest messages a search walks before it asks the GIN index (default
   * `WALK_ROWS`); tests set 0 (the index only) or a few to compare both ways.
   */
  readonly walkRows?: number;
  /** How many matches `relevance` ranks (default `SEARCH_RELEVANCE_WINDOW`); tests set fewer. */
  readonly relevanceWindow?: number;
}

/**
 * `MessageSearch` in PostgreSQL (and PGlite): two statements per page (the query's words, then
 * the page), more when a long walk is needed (below).
 *
 * Each message carries `search_vector`, generated from its subject and content with its
 * conversation's text search configuration (its tenant's language, else `simple`; migration
 * 0021), GIN-indexed. A term matches a message when the vector holds a word starting with the
 * term as `simple` or the scope's tenants' configurations read it (so `invo` finds "invoice",
 * and `shipping` finds "shipped" in English). Relevance is `ts_rank` of all the terms, over the
 * newest `SEARCH_RELEVANCE_WINDOW` matches only (the port's candidate window), best first.
 *
 * The words' `tsquery` is computed first and passed to the page's statement as a constant, so
 * the planner sees the words. For a store user or customer (a tenant scope), the page's
 * statement first walks the store's messages newest first (`messages_store_recent_idx`,
 * migration 0030), testing each one's vector and visibility, and stops once it has the page (or
 * the relevance window): common words cost a page's worth of rows whatever the store's size.
 * When the newest `walkRows` (10,000) messages of the store hold fewer than a tenth of what is
 * needed, the words are rare and the GIN index keyed by (store, vector) (`messages_search_idx`)
 * yields every match of the store, few by then; between a tenth and all of it (a searcher with a
 * small share of a busy store), the search walks on in chunks of `walkRows` (one statement each,
 * up to ten), and asks the index only if that still falls short. Either way a message is kept
 * when it belongs to one of the searcher's conversations (a primary key probe of their
 * membership), from their `visible_from_seq`, and is not hidden. Without a tenant (admins) or in one conversation, the planner reads the
 * searcher's conversations' messages through `messages_conversation_seq_key` or the index on the
 * words, whichever it finds cheaper.
 *
 * @example
 * ```ts
 * const search = new KyselyMessageSearch({ db });
 * const page = await search.search({ searcher, terms: ['refund'], scope: { kind: 'inbox' }, sort: 'recent', limit: 20 });
 * ```
 */
export class KyselyMessageSearch implements MessageSearch {
  readonly #db: Kysely<Database>;
  readonly #walkRows: number;
  readonly #relevanceWindow: number;

  constructor(config: KyselyMessageSearchConfig) {
    this.#db = config.db;
    this.#walkRows = Math.max(0, Math.floor(config.walkRows ?? WALK_ROWS));
    this.#relevanceWindow = Math.max(1, Math.floor(config.relevanceWindow ?? SEARCH_RELEVANCE_WINDOW));
  }

  /**
   * The terms as one `tsquery` (all of them, each a prefix in `simple` and in the scope's
   * tenants' configurations), or null when a term has no word (then nothing matches).
   */
  async #tsquery(terms: readonly string[], scope: SearchScope): Promise<string | null> {
    const termList = sql`array[${sql.join(terms.map((t) => sql`${t}::text`))}]`;
    const conversationId =
      scope.kind === 'conversation' && isUuid(scope.conversationId) ? scope.conversationId : null;
    // The configurations the scope's messages may be indexed with: `simple` and its tenants'.
    const tenantConfigs =
      scope.kind === 'inbox' && scope.storeId !== undefined
        ? sql`select parley_text_search_config(language) from stores where id = ${scope.storeId}
            union select parley_text_search_config(language) from directory_tenants where id = ${scope.storeId}`
        : scope.kind === 'conversation'
          ? sql`select c.search_config from conversations c where c.id = ${conversationId}::uuid`
          : sql`select parley_text_search_config(language) from stores
            union select parley_text_search_config(language) from directory_tenants`;
    const { rows } = await sql<{ all_terms: string | null }>`
      with configs as materialized (select 'simple'::regconfig as cfg union ${tenantConfigs}),
      terms as materialized (
        select t.ord, (
            select string_agg(distinct '(' || to_tsquery(cfg, t.term || ':*')::text || ')', ' | ')
            from configs where numnode(to_tsquery(cfg, t.term || ':*')) > 0
          )::tsquery as query
        from unnest(${termList}) with ordinality as t(term, ord)
      )
      select case when bool_and(t.query is not null)
          then string_agg('(' || t.query::text || ')', ' & ' order by t.ord)::tsquery::text end as all_terms
      from terms t`.execute(this.#db);
    return rows[0]?.all_terms ?? null;
  }

  async search(query: MessageSearchQuery): Promise<MessageSearchPage> {
    const limit = Math.max(0, Math.floor(query.limit));
    const searcher = query.searcher;
    if (query.terms.length === 0 || limit === 0) return { hits: [], next: null };
    const tsquery = await this.#tsquery(query.terms, query.scope);
    if (tsquery === null) return { hits: [], next: null };
    const words = sql`${tsquery}::tsquery`;
    const relevance = query.sort === 'relevance';
    const scope = query.scope;
    const storeId = scope.kind === 'inbox' ? scope.storeId : undefined;

    // Conditions on the message alone (the walk puts the time bounds in its index range).
    const bounds: RawBuilder<unknown>[] = [];
    if (query.from !== undefined)
      bounds.push(sql`and m.created_at >= ${query.from.toISOString()}::timestamptz`);
    if (query.to !== undefined) bounds.push(sql`and m.created_at < ${query.to.toISOString()}::timestamptz`);
    const after = query.after;
    const afterId =
      after === undefined
        ? sql``
        : isUuid(after.messageId)
          ? sql`${after.messageId}::uuid`
          : sql`'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid`;
    const afterAt = after === undefined ? sql`` : sql`${after.createdAt.toISOString()}::timestamptz`;
    // `recent` pages start after the cursor; `relevance` pages re-rank the same window.
    if (after !== undefined && !relevance)
      bounds.push(sql`and (m.created_at, m.id) < (${afterAt}, ${afterId})`);
    if (storeId !== undefined) bounds.push(sql`and m.conversation_store_id = ${storeId}`);
    const inBounds = sql.join(bounds, sql` `);

    // Who may read the message: a membership of the searcher's, probed per message in a tenant
    // scope (a walk reads a page's worth of rows, whatever the number of their conversations);
    // the scope's rows, read once, otherwise.
    let readable: RawBuilder<unknown>;
    if (storeId !== undefined && scope.kind === 'inbox') {
      const member = sql`exists (select from conversation_participants p
          where p.conversation_id = m.conversation_id and p.participant_type = ${searcher.type}
            and p.participant_id = ${searcher.id} and p.left_at is null
            and p.conversation_store_id = ${storeId} and m.seq >= p.visible_from_seq)`;
      const team = scope.team;
      readable =
        team === undefined || team.conversationTypes.length === 0
          ? member
          : sql`(${member} or (exists (select from conversations tc where tc.id = m.conversation_id
                and tc.store_id = ${storeId}
                and tc.conversation_type in (${sql.join(team.conversationTypes.map((t) => sql`${t}`))}))
              and not exists (select from conversation_participants tx
                where tx.conversation_id = m.conversation_id and tx.participant_type = ${searcher.type}
                  and tx.participant_id = ${searcher.id} and tx.left_at is null)))`;
    } else {
      readable = sql`exists (select from scope s
          where s.conversation_id = m.conversation_id and m.seq >= s.visible_from_seq)`;
    }
    const visible = sql`not m.is_system_message and not m.is_deleted
          and ${readable}
          and not exists (select from message_hides h where h.message_id = m.id
            and h.participant_type = ${searcher.type} and h.participant_id = ${searcher.id})
          -- Held or rejected messages (moderation) are their sender's only.
          and (m.moderation_state is null or m.moderation_state not in ('held', 'rejected')
            or (m.sender_type = ${searcher.type} and m.sender_id = ${searcher.id}))
          ${query.sender === undefined ? sql`` : sql`and m.sender_type = ${query.sender.type} and m.sender_id = ${query.sender.id}`}`;

    // The matches the page is taken from, newest first: the relevance window, or the page
    // (plus one, to know whether another follows) after the cursor.
    const wanted = relevance ? this.#relevanceWindow : limit + 1;
    const matchColumns = sql`m.id, m.created_at, ${relevance ? sql`ts_rank(m.search_vector, ${words})::float8` : sql`0::float8`} as rank`;
    const fromIndex = sql`select ${matchColumns} from messages m
        where m.search_vector @@ ${words} ${inBounds} and ${visible}
        order by m.created_at desc, m.id desc
        limit ${wanted}`;
    // What `visible` and the rank read of a message.
    const walkColumns = sql`m.id, m.conversation_id, m.seq, m.created_at, m.sender_type, m.sender_id,
      m.is_system_message, m.is_deleted, m.moderation_state, m.search_vector`;
    const indexedMatches = sql`
            select ${matchColumns}
            from (select ${walkColumns} from messages m
              where m.search_vector @@ ${words} ${inBounds}
              offset 0) m
            where ${visible}
            order by m.created_at desc, m.id desc
            limit ${wanted}`;
    const matches =
      storeId === undefined
        ? sql`with scope as materialized (${scopeRows(searcher, scope)}),
          matches as materialized (${fromIndex})`
        : sql`with walked as materialized (
            select ${matchColumns}
            from (select ${walkColumns}
              from messages m where true ${inBounds}
              order by m.created_at desc, m.id desc
              limit ${this.#walkRows}) m
            where m.search_vector @@ ${words} and ${visible}
            order by m.created_at desc, m.id desc
            limit ${wanted}
          ),
          -- Read only when the walk fell short: the words are rare among the newest messages.
          -- Every match of the store from the words' index first (the fence keeps the planner
          -- from driving the search from the searcher's memberships, all their history), then
          -- who may read them.
          indexed as materialized (${indexedMatches}),
          walk_found as materialized (select count(*) as n from walked),
          -- Enough found: the walk answers. Almost none: the words are rare, the index answers.
          -- In between (a searcher with a small share of the store), nothing: longer walks
          -- follow, in chunks (see below).
          matches as (
            select * from walked where (select n from walk_found) >= ${wanted}
            union all
            select * from indexed where (select n from walk_found) * ${DEEP_WALK_FACTOR}::integer < ${wanted}
          )`;
    const position =
      after !== undefined && relevance
        ? sql`where (w.rank, w.created_at, w.id) < (${after.rank}::float8, ${afterAt}, ${afterId})`
        : sql``;

    // The page's rows are read once it is known: a relevance window is ten pages' worth. The
    // outer join returns the walk's count even when the page is empty.
    const pageRows = sql`
      select ${prefixed('m', 'm_', MESSAGE_COLUMNS)}, ${prefixed('c', 'c_', CONVERSATION_COLUMNS)},
        coalesce((select true from message_attachments a where a.message_id = m.id limit 1), false)
          as has_attachments,
        w.rank, w.created_at as sort_at
      from page w
      join messages m on m.id = w.id
      join conversations c on c.id = m.conversation_id`;
    const first = await sql<HitRow & { readonly walk_found: string | number | null }>`
      ${matches},
      page as materialized (
        select w.id, w.created_at, w.rank from matches w
        ${position}
        order by w.rank desc, w.created_at desc, w.id desc
        limit ${limit + 1}
      )
      select x.*, ${storeId === undefined ? sql`null::bigint` : sql`(select n from walk_found)`} as walk_found
      from (select 1) one left join lateral (${pageRows}) x on true
      order by x.rank desc, x.sort_at desc, x.m_id desc`.execute(this.#db);
    let rows: readonly HitRow[] = first.rows.filter((row) => row.m_id !== null);
    const walkFound = Number(first.rows[0]?.walk_found ?? wanted);

    if (walkFound < wanted && walkFound * DEEP_WALK_FACTOR >= wanted) {
      // Walk on, a chunk of `walkRows` rows at a time (each a small range of the index, which
      // the planner reads in order), from the top again; the index when even that falls short.
      const found: string[] = [];
      for (let k = 0; k < DEEP_WALK_FACTOR && found.length < wanted; k++) {
        const from =
          k === 0
            ? sql``
            : sql`and (m.created_at, m.id) <= (select m.created_at, m.id from messages m
                where true ${inBounds}
                order by m.created_at desc, m.id desc
                offset ${k * this.#walkRows} limit 1)`;
        const chunk = await sql<{ id: string }>`
          select m.id
          from (select ${walkColumns}
            from messages m where true ${inBounds} ${from}
            order by m.created_at desc, m.id desc
            limit ${this.#walkRows}) m
          where m.search_vector @@ ${words} and ${visible}
          order by m.created_at desc, m.id desc
          limit ${wanted - found.length}`.execute(this.#db);
        found.push(...chunk.rows.map((row) => row.id));
      }
      const ids =
        found.length >= wanted
          ? found
          : (
              await sql<{ id: string }>`
                select k.id from (${indexedMatches}) k`.execute(this.#db)
            ).rows.map((row) => row.id);
      const rank = relevance ? sql`ts_rank(m.search_vector, ${words})::float8` : sql`0::float8`;
      const { rows: paged } = await sql<HitRow>`
        with page as materialized (
          select m.id, m.created_at, ${rank} as rank from messages m
          where m.id = any(${ids}::uuid[])
          ${
            after !== undefined && relevance
              ? sql`and (${rank}, m.created_at, m.id) < (${after.rank}::float8, ${afterAt}, ${afterId})`
              : sql``
          }
          order by 3 desc, m.created_at desc, m.id desc
          limit ${limit + 1}
        )
        ${pageRows}
        order by w.rank desc, w.created_at desc, w.id desc`.execute(this.#db);
      rows = paged;
    }

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
