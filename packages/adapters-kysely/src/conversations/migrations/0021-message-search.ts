import { type Kysely, sql } from 'kysely';

/**
 * Full-text message search (issue 14).
 *
 * - `stores.language` and `directory_tenants.language` (null: unknown): the tenant's language, a
 *   BCP 47 tag (`fr`, `pt-BR`), which picks its conversations' text search configuration;
 * - `parley_text_search_config(language)`: that tag's PostgreSQL configuration (`fr` → `french`,
 *   `de` → `german` …), `simple` (no stemming, no stop words) for anything else or null;
 * - `conversations.search_config`: the configuration of its tenant's language when the
 *   conversation was created (a `before insert` trigger; changing the language later leaves
 *   existing conversations as they are, so their messages never need re-indexing);
 * - `messages.search_config` and `messages.conversation_store_id`: copied from its conversation by
 *   a `before insert` trigger (the row's own columns, in the insert's statement: `append` is
 *   unchanged);
 * - `messages.search_vector`: a stored generated column, `to_tsvector(search_config, subject ||
 *   content)`, so every writer of `content` (sends, edits, erasures) keeps it current for free; a
 *   GIN index on (`conversation_store_id`, `search_vector`) (`messages_search_idx`, with
 *   `btree_gin`), so a store's search reads that store's matching messages only;
 * - `pg_trgm` (in `public`, created once per database under an advisory lock, since many schemas
 *   of one database may migrate at once) and `parley_word_similarity(needle, haystack)`, a
 *   wrapper naming the extension's schema, so queries run under any `search_path`: partial and
 *   misspelt names and subjects in the inbox `q` filter.
 *
 * `down` drops what `up` created except the extension, which other schemas may use.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('parley: create extension pg_trgm'))`.execute(db);
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  await sql`create extension if not exists btree_gin with schema public`.execute(db);
  const { rows } = await sql<{ schema: string }>`
    select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_trgm'`.execute(db);
  const trgm = rows[0]?.schema ?? 'public';
  await sql`
    create function parley_word_similarity(needle text, haystack text) returns real
    language sql immutable parallel safe
    return ${sql.id(trgm)}.word_similarity(needle, haystack)`.execute(db);

  await sql`alter table stores add column language text null`.execute(db);
  await sql`alter table directory_tenants add column language text null`.execute(db);
  await sql`
    create function parley_text_search_config(language text) returns regconfig
    language sql immutable parallel safe
    return (case lower(split_part(coalesce(language, ''), '-', 1))
      when 'ar' then 'arabic' when 'ca' then 'catalan' when 'da' then 'danish'
      when 'de' then 'german' when 'el' then 'greek' when 'en' then 'english'
      when 'es' then 'spanish' when 'eu' then 'basque' when 'fi' then 'finnish'
      when 'fr' then 'french' when 'ga' then 'irish' when 'hi' then 'hindi'
      when 'hu' then 'hungarian' when 'hy' then 'armenian' when 'id' then 'indonesian'
      when 'it' then 'italian' when 'lt' then 'lithuanian' when 'nb' then 'norwegian'
      when 'ne' then 'nepali' when 'nl' then 'dutch' when 'nn' then 'norwegian'
      when 'no' then 'norwegian' when 'pt' then 'portuguese' when 'ro' then 'romanian'
      when 'ru' then 'russian' when 'sr' then 'serbian' when 'sv' then 'swedish'
      when 'ta' then 'tamil' when 'tr' then 'turkish' when 'yi' then 'yiddish'
      else 'simple' end)::regconfig`.execute(db);

  await sql`alter table conversations add column search_config regconfig not null default 'simple'`.execute(
    db,
  );
  await sql`
    update conversations c set search_config = parley_text_search_config(
      coalesce((select s.language from stores s where s.id = c.store_id),
        (select t.language from directory_tenants t where t.id = c.store_id)))
    where c.store_id is not null`.execute(db);
  await sql`
    create function conversations_fill_search_config() returns trigger
    language plpgsql as $$
    begin
      if new.store_id is not null then
        new.search_config := parley_text_search_config(
          coalesce((select s.language from stores s where s.id = new.store_id),
            (select t.language from directory_tenants t where t.id = new.store_id)));
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger conversations_fill_search_config_trg
    before insert on conversations
    for each row execute function conversations_fill_search_config()`.execute(db);

  await sql`
    alter table messages
      add column search_config regconfig not null default 'simple',
      add column conversation_store_id text null`.execute(db);
  await sql`
    update messages m set search_config = c.search_config, conversation_store_id = c.store_id
    from conversations c
    where c.id = m.conversation_id and (c.search_config <> 'simple'::regconfig or c.store_id is not null)`.execute(
    db,
  );
  await sql`
    create function messages_fill_search_config() returns trigger
    language plpgsql as $$
    begin
      select c.search_config, c.store_id into new.search_config, new.conversation_store_id
      from conversations c where c.id = new.conversation_id;
      new.search_config := coalesce(new.search_config, 'simple');
      return new;
    end $$`.execute(db);
  await sql`
    create trigger messages_fill_search_config_trg
    before insert on messages
    for each row execute function messages_fill_search_config()`.execute(db);
  await sql`
    alter table messages add column search_vector tsvector generated always as (
      to_tsvector(search_config, coalesce(subject, '') || ' ' || content)) stored`.execute(db);
  // Keyed by tenant first (btree_gin): a store's search intersects its messages' posting list
  // with the words' ones, whatever the size of the other tenants' history.
  await sql`create index messages_search_idx on messages using gin (conversation_store_id, search_vector)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index messages_search_idx`.execute(db);
  await sql`alter table messages drop column search_vector`.execute(db);
  await sql`drop trigger messages_fill_search_config_trg on messages`.execute(db);
  await sql`drop function messages_fill_search_config()`.execute(db);
  await sql`alter table messages drop column search_config, drop column conversation_store_id`.execute(db);
  await sql`drop trigger conversations_fill_search_config_trg on conversations`.execute(db);
  await sql`drop function conversations_fill_search_config()`.execute(db);
  await sql`alter table conversations drop column search_config`.execute(db);
  await sql`drop function parley_text_search_config(text)`.execute(db);
  await sql`alter table directory_tenants drop column language`.execute(db);
  await sql`alter table stores drop column language`.execute(db);
  await sql`drop function parley_word_similarity(text, text)`.execute(db);
}
