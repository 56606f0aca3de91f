import {
  type AppendMessageInput,
  type AppendMessageResult,
  type AuditEntry,
  type EditMessageChange,
  type EditMessageResult,
  type HideResult,
  type Message,
  type MessageAttachment,
  type MessagePage,
  type MessagePageRequest,
  type MessageRepository,
  type MessageRevision,
  MessagingError,
  type ModerationQueuePage,
  type ModerationQueueRequest,
  type NewMessage,
  type ParticipantRef,
  type ReviewDecision,
  type ReviewResult,
  type SoftDeleteInput,
} from '@parley/messaging-core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { insertAuditEntries } from '../audit/kysely-audit-log.js';
import type { Database } from '../database-types.js';
import { isPostgresError, SQLSTATE, violatedConstraint } from '../postgres-errors.js';
import { PREPARED } from '../preparing-pool.js';
import { MESSAGE_COLUMNS, withAttachments } from './message-loading.js';
import { type MessageRow, toAttachment, toMessageRevision, toNumber } from './row-mappers.js';

/** What the append statement reports back, one row. */
interface AppendOutcome {
  /** The conversation exists. */
  readonly found: boolean;
  /** The conversation is closed (as locked by this statement). */
  readonly closed: boolean;
  /** The message was inserted. */
  readonly created: boolean;
  /** The idempotency key, when it was already recorded in this statement's snapshot. */
  readonly prior_message_id: string | null;
  readonly prior_request_hash: string | null;
  /** The inserted message's `seq` and stored time, when created. */
  readonly seq: number | null;
  readonly created_at: Date | null;
  /**
   * The conversation's membership changed between this statement's snapshot and its lock: the
   * statement wrote nothing and must run again (a fresh snapshot sees the new memberships).
   */
  readonly stale: boolean;
  /** The id of the `message.sent` event written, when one was. */
  readonly event_id: string | null;
}

/**
 * Builds the single statement `append` runs: lock the conversation row, claim the idempotency
 * key (`on conflict do nothing`), insert the message (and its attachments), bump the
 * conversation's counters and every active membership's activity and read state (and, for a
 * participant's message, the other members' archive: it is back in their inbox), and (for a
 * participant's message) record its `message.sent` event in the event log. Data-modifying CTEs
 * run to completion whether or not the final `select` reads them; the insert of the message
 * depends on the claim, so concurrent duplicates produce exactly one message.
 *
 * The order is decided after the lock, from the locked row (the latest committed version, even
 * when the statement waited): `seq` = `message_count` + 1 and `created_at` = the later of the
 * proposed time and `last_message_at`. The lock is held to commit, so `seq` order is commit order
 * and time never goes backwards along it, however late a send that began early reaches the lock.
 *
 * Memberships are read from the statement's snapshot, which a join or leave that committed while
 * the statement waited for the lock is not in. Those bump `membership_version` under the same lock:
 * when the locked version differs from the snapshot's, the statement writes nothing and reports
 * `stale`, and `append` runs it again with a fresh snapshot.
 *
 * @example
 * ```ts
 * const { rows } = await appendStatement(input).execute(db);
 * ```
 */
export function appendStatement(input: AppendMessageInput): RawBuilder<AppendOutcome> {
  const m: NewMessage = input.message;
  const at = m.createdAt.toISOString();
  // Fresh: the memberships this statement's snapshot sees are the ones under the lock. A join or
  // leave that committed while the statement waited for the lock bumped `membership_version`;
  // its rows are invisible to this snapshot, so nothing is written and `append` runs again.
  // `snap` reads the version as of the statement's snapshot once (a materialized CTE), however many
  // places compare it with the locked row's.
  const fresh = sql`conv.membership_version = (select membership_version from snap)`;
  const open = input.requireOpen ? sql`not conv.is_closed and ${fresh}` : fresh;
  const idempotency = input.idempotency;
  const isSender = sql`p.participant_type = ${m.sender.type}::text and p.participant_id = ${m.sender.id}::text`;
  const held = m.moderation?.state === 'held';

  const ctes: RawBuilder<unknown>[] = [
    sql`snap as materialized (
    select membership_version from conversations where id = ${m.conversationId}::uuid
  )`,
    sql`conv as (
    select id, is_closed, store_id, message_count, last_message_at, membership_version
    from conversations where id = ${m.conversationId}::uuid for no key update
  )`,
  ];
  if (idempotency !== undefined) {
    ctes.push(
      sql`prior as (
    select message_id, request_hash from send_idempotency_keys
    where sender_type = ${m.sender.type}::text and sender_id = ${m.sender.id}::text and key = ${idempotency.key}::text
  )`,
      sql`claimed as (
    insert into send_idempotency_keys (sender_type, sender_id, key, request_hash, message_id, created_at)
    select ${m.sender.type}::text, ${m.sender.id}::text, ${idempotency.key}::text, ${idempotency.requestHash}::text,
      ${m.id}::uuid, ${at}::timestamptz
    from conv where ${open}
    on conflict (sender_type, sender_id, key) do nothing
    returning message_id
  )`,
    );
  }
  ctes.push(
    sql`inserted as (
    insert into messages (id, conversation_id, seq, sender_type, sender_id, content, is_system_message, created_at, subject,
      moderation_state, moderation_reason)
    select ${m.id}::uuid, conv.id, conv.message_count + 1, ${m.sender.type}::text, ${m.sender.id}::text,
      ${m.content}::text, ${m.isSystemMessage}::boolean, greatest(${at}::timestamptz, conv.last_message_at),
      ${m.subject ?? null}::text, ${m.moderation?.state ?? null}::text, ${m.moderation?.reason ?? null}::text
    from conv where ${open}${idempotency === undefined ? sql`` : sql` and exists (select from claimed)`}
    returning id, conversation_id, seq, created_at
  )`,
  );
  if (m.attachments.length > 0) {
    const attachments = JSON.stringify(
      m.attachments.map((a, position) => ({
        id: a.id,
        position,
        filename: a.filename,
        original_filename: a.originalFilename,
        file_path: a.filePath,
        file_size: a.fileSize,
        mime_type: a.mimeType,
        is_image: a.isImage,
        image_width: a.imageWidth,
        image_height: a.imageHeight,
        thumbnail_path: a.thumbnailPath,
        created_at: a.createdAt.toISOString(),
      })),
    );
    ctes.push(
      sql`attached as (
    insert into message_attachments (id, message_id, position, filename, original_filename, file_path, file_size,
      mime_type, is_image, image_width, image_height, thumbnail_path, created_at)
    select a.id, inserted.id, a.position, a.filename, a.original_filename, a.file_path, a.file_size,
      a.mime_type, a.is_image, a.image_width, a.image_height, a.thumbnail_path, a.created_at
    from inserted cross join jsonb_to_recordset(${attachments}::text::jsonb) as a(id uuid, position integer,
      filename text, original_filename text, file_path text, file_size bigint, mime_type text, is_image boolean,
      image_width integer, image_height integer, thumbnail_path text, created_at timestamptz)
    returning id
  )`,
    );
  }
  ctes.push(
    sql`counted as (
    update conversations c
    set message_count = inserted.seq,
      last_message_at = inserted.created_at,
      updated_at = greatest(c.updated_at, inserted.created_at)
    from inserted where c.id = inserted.conversation_id
    returning c.id
  )`,
    m.isSystemMessage
      ? sql`touched as (
    update conversation_participants p
    set last_activity_at = greatest(p.last_activity_at, inserted.created_at)
    from inserted where p.conversation_id = inserted.conversation_id and p.left_at is null
  )`
      : held
        ? // Held: delivered to nobody yet; only the sender's activity and read state move.
          sql`touched as (
    update conversation_participants p
    set last_activity_at = greatest(p.last_activity_at, inserted.created_at),
      unread_count = 0,
      last_read_seq = inserted.seq,
      last_read_at = greatest(p.last_read_at, inserted.created_at)
    from inserted where p.conversation_id = inserted.conversation_id and p.left_at is null and ${isSender}
  )`
        : sql`touched as (
    update conversation_participants p
    set last_activity_at = greatest(p.last_activity_at, inserted.created_at),
      unread_count = case when ${isSender} then 0 else p.unread_count + 1 end,
      archived_at = case when ${isSender} then p.archived_at else null end,
      last_read_seq = case when ${isSender} then inserted.seq else p.last_read_seq end,
      last_read_at = case when ${isSender} then greatest(p.last_read_at, inserted.created_at) else p.last_read_at end
    from inserted where p.conversation_id = inserted.conversation_id and p.left_at is null
  )`,
  );
  const sentPayload = sql`jsonb_build_object(
        'message_id', inserted.id::text,
        'seq', inserted.seq,
        'sender', jsonb_build_object('type', ${m.sender.type}::text, 'id', ${m.sender.id}::text),
        'created_at', to_char(inserted.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'attachment_count', ${m.attachments.length}::integer)`;
  if (!m.isSystemMessage && m.moderation === undefined) {
    // The message's `message.sent` event, in the same statement (so in the same transaction);
    // the payload is `messageSentPayload`'s shape. No recipients: subscribers read the members.
    ctes.push(
      sql`logged as (
    insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
    select conv.store_id, inserted.conversation_id, 'message.sent', ${m.sender.type}::text, ${m.sender.id}::text,
      ${sentPayload},
      inserted.created_at
    from inserted join conv on conv.id = inserted.conversation_id
    returning id
  )`,
    );
  } else if (!m.isSystemMessage && m.moderation !== undefined) {
    // Moderated: a held message's only event is `message.held` (delivered to nobody); a flagged
    // one has `message.sent` then `message.flagged`. Both carry the moderator's reason.
    const types = held
      ? sql`(values ('message.held', 1))`
      : sql`(values ('message.sent', 1), ('message.flagged', 2))`;
    ctes.push(
      sql`logged as (
    insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
    select conv.store_id, inserted.conversation_id, t.type, ${m.sender.type}::text, ${m.sender.id}::text,
      case when t.type = 'message.sent' then ${sentPayload}
        else ${sentPayload} || jsonb_build_object('reason', ${m.moderation.reason}::text) end,
      inserted.created_at
    from inserted join conv on conv.id = inserted.conversation_id cross join ${types} as t(type, position)
    order by t.position
    returning id
  )`,
    );
  }
  const prior =
    idempotency === undefined
      ? sql`null::uuid as prior_message_id, null::text as prior_request_hash`
      : sql`(select message_id from prior) as prior_message_id, (select request_hash from prior) as prior_request_hash`;
  return sql<AppendOutcome>`${sql.raw(PREPARED)} with ${sql.join(ctes, sql`,\n  `)}
select exists (select from conv) as found,
  coalesce((select is_closed from conv), false) as closed,
  exists (select from inserted) as created,
  ${prior},
  (select seq from inserted) as seq,
  (select created_at from inserted) as created_at,
  coalesce((select not (${fresh}) from conv), false) as stale,
  ${m.isSystemMessage ? sql`null::text` : sql`(select max(id)::text from logged)`} as event_id`;
}

/**
 * Messages in PostgreSQL. `append` is one SQL statement (see `appendStatement`), atomic on its
 * own and safe under concurrency: the conversation row is locked for the statement's
 * transaction, counters are incremented in place, and the idempotency key is claimed with
 * `insert ... on conflict do nothing`.
 *
 * @example
 * ```ts
 * const messages = new KyselyMessageRepository(db);
 * const result = await messages.append({ message, requireOpen: true });
 * ```
 */
export class KyselyMessageRepository implements MessageRepository {
  readonly #db: Kysely<Database>;
  readonly #recorded: (eventId: string) => void;

  /** @param recorded called with the id of each event the append statement writes. */
  constructor(db: Kysely<Database>, recorded: (eventId: string) => void = () => {}) {
    this.#db = db;
    this.#recorded = recorded;
  }

  /**
   * Appends a message with its counters, or reports why not.
   *
   * @example
   * ```ts
   * const result = await messages.append({ message, idempotency: { key: 'k1', requestHash: 'h' }, requireOpen: true });
   * if (result.status === 'duplicate') console.log(result.message.id);
   * ```
   */
  async append(input: AppendMessageInput): Promise<AppendMessageResult> {
    if (!isUuid(input.message.conversationId)) return { status: 'conversation_not_found' };
    let outcome: AppendOutcome | undefined;
    // A membership change can only make a statement stale while it waits for the conversation's
    // lock; the next attempt starts after that change committed. Bounded all the same.
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt += 1) {
      try {
        ({
          rows: [outcome],
        } = await appendStatement(input).execute(this.#db));
      } catch (error) {
        throw translateAppendError(error, input.message);
      }
      if (outcome?.stale !== true) break;
    }
    if (outcome === undefined) throw new MessagingError('INTERNAL', 'append statement returned no row');
    if (outcome.stale) {
      throw new MessagingError(
        'INTERNAL',
        `conversation ${input.message.conversationId} kept changing members`,
      );
    }
    if (!outcome.found) return { status: 'conversation_not_found' };
    if (outcome.created) {
      if (outcome.event_id !== null) this.#recorded(outcome.event_id);
      if (outcome.seq === null || outcome.created_at === null) {
        throw new MessagingError('INTERNAL', 'append statement created a message without seq or time');
      }
      return {
        status: 'created',
        message: createdMessage(input.message, toNumber(outcome.seq), outcome.created_at),
      };
    }

    const idempotency = input.idempotency;
    if (idempotency === undefined) return { status: 'conversation_closed' };
    // The key was recorded before this statement began, or by a concurrent append that
    // committed while this one waited; a new statement sees the latter.
    const recorded =
      outcome.prior_message_id !== null && outcome.prior_request_hash !== null
        ? { messageId: outcome.prior_message_id, requestHash: outcome.prior_request_hash }
        : await this.#recordedKey(input.message.sender, idempotency.key);
    if (recorded === null) {
      if (outcome.closed) return { status: 'conversation_closed' };
      throw new MessagingError(
        'INTERNAL',
        `idempotency key ${idempotency.key} conflicted but is not recorded`,
      );
    }
    const message = await this.#findAnywhere(recorded.messageId);
    if (message === null) {
      throw new MessagingError('INTERNAL', `idempotency key points to missing message ${recorded.messageId}`);
    }
    return { status: 'duplicate', message, requestHash: recorded.requestHash };
  }

  /**
   * One attachment, checked to belong to a message of that conversation, or null.
   *
   * @example
   * ```ts
   * const file = await messages.findAttachment(conversationId, attachmentId);
   * ```
   */
  async findAttachment(conversationId: string, attachmentId: string): Promise<MessageAttachment | null> {
    if (!isUuid(conversationId) || !isUuid(attachmentId)) return null;
    const row = await this.#db
      .selectFrom('message_attachments as a')
      .innerJoin('messages as m', 'm.id', 'a.message_id')
      .selectAll('a')
      .where('m.conversation_id', '=', conversationId)
      .where('a.id', '=', attachmentId)
      .executeTakeFirst();
    return row === undefined ? null : toAttachment(row);
  }

  /**
   * Deletes attachment rows of one message (all, or those listed) in one statement and returns them.
   *
   * @example
   * ```ts
   * const removed = await messages.deleteAttachments(conversationId, messageId, [attachmentId]);
   * ```
   */
  async deleteAttachments(
    conversationId: string,
    messageId: string,
    attachmentIds?: readonly string[],
    audit?: AuditEntry,
  ): Promise<MessageAttachment[]> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return [];
    const ids = attachmentIds?.filter(isUuid);
    if (ids !== undefined && ids.length === 0) return [];
    const run = async (db: Kysely<Database>) => {
      let query = db
        .deleteFrom('message_attachments')
        .where('message_id', '=', messageId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('messages')
              .select('messages.id')
              .where('messages.id', '=', messageId)
              .where('messages.conversation_id', '=', conversationId),
          ),
        );
      if (ids !== undefined) query = query.where('id', 'in', ids);
      const rows = await query.returningAll().execute();
      if (rows.length > 0 && audit !== undefined) await insertAuditEntries(db, [audit]);
      return rows;
    };
    // With an audit row: the delete and its record commit together.
    const rows =
      audit === undefined || this.#db.isTransaction
        ? await run(this.#db)
        : await this.#db.transaction().execute(run);
    return rows.sort((a, b) => a.position - b.position).map(toAttachment);
  }

  /**
   * Which of these paths an attachment row points to (file or thumbnail); uses the path indexes.
   *
   * @example
   * ```ts
   * const kept = await messages.referencedPaths(paths);
   * ```
   */
  async referencedPaths(paths: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (paths.length === 0) return found;
    const unique = [...new Set(paths)];
    const rows = await this.#db
      .selectFrom('message_attachments')
      .select(['file_path', 'thumbnail_path'])
      .where((eb) => eb.or([eb('file_path', 'in', unique), eb('thumbnail_path', 'in', unique)]))
      .execute();
    const wanted = new Set(unique);
    for (const row of rows) {
      if (wanted.has(row.file_path)) found.add(row.file_path);
      if (row.thumbnail_path !== null && wanted.has(row.thumbnail_path)) found.add(row.thumbnail_path);
    }
    return found;
  }

  /**
   * One message with its attachments, or null.
   *
   * @example
   * ```ts
   * const message = await messages.findById(conversationId, messageId);
   * ```
   */
  async findById(conversationId: string, messageId: string): Promise<Message | null> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return null;
    const row = await this.#db
      .selectFrom('messages')
      .select(MESSAGE_COLUMNS)
      .where('conversation_id', '=', conversationId)
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (row === undefined) return null;
    const [message] = await withAttachments(this.#db, [row]);
    return message ?? null;
  }

  /**
   * One probe of the primary key per id, plus one query for attachments.
   *
   * @example
   * ```ts
   * const byId = await messages.findByIds([m1, m2]);
   * ```
   */
  async findByIds(messageIds: readonly string[]): Promise<Map<string, Message>> {
    const ids = [...new Set(messageIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    // Named columns: the search vector (0021) stays in the database.
    const rows = await this.#db
      .selectFrom('messages')
      .select(MESSAGE_COLUMNS)
      .where('id', 'in', ids)
      .execute();
    return new Map((await withAttachments(this.#db, rows)).map((message) => [message.id, message]));
  }

  /**
   * The message at each conversation's `message_count` (the latest `seq`): one probe of
   * `messages_conversation_seq_key` per conversation, plus one query for attachments.
   *
   * @example
   * ```ts
   * const latest = await messages.latestByConversations([a, b]);
   * ```
   */
  async latestByConversations(conversationIds: readonly string[]): Promise<Map<string, Message>> {
    const ids = [...new Set(conversationIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('conversations as c')
      .innerJoin('messages as m', (join) =>
        join.onRef('m.conversation_id', '=', 'c.id').onRef('m.seq', '=', 'c.message_count'),
      )
      .select(MESSAGE_COLUMNS.map((column) => `m.${column}` as const))
      .where('c.id', 'in', ids)
      .execute();
    return new Map(
      (await withAttachments(this.#db, rows)).map((message) => [message.conversationId, message]),
    );
  }

  /**
   * Newest first, `seq` strictly below `page.beforeSeq`; one backward range scan of
   * `messages_conversation_seq_key` plus one query for attachments when any exist.
   *
   * @example
   * ```ts
   * const { messages: newest, hasMore } = await messages.listByConversation(conversationId, { limit: 50 });
   * ```
   */
  async listByConversation(conversationId: string, page: MessagePageRequest): Promise<MessagePage> {
    if (!isUuid(conversationId)) return { messages: [], hasMore: false };
    const limit = Math.max(0, Math.floor(page.limit));
    const beforeSeq = page.beforeSeq;
    const keyset = sql.join(
      [
        beforeSeq === undefined ? sql`` : sql`and m.seq < ${beforeSeq}::bigint`,
        page.fromSeq === undefined ? sql`` : sql`and m.seq >= ${page.fromSeq}::bigint`,
        page.viewer === undefined
          ? sql``
          : sql`and not exists (select from message_hides h where h.message_id = m.id
              and h.participant_type = ${page.viewer.type}::text and h.participant_id = ${page.viewer.id}::text)`,
      ],
      sql` `,
    );
    const { rows } = await sql<MessageRow & { has_attachments: boolean }>`
      select ${sql.join(MESSAGE_COLUMNS.map((column) => sql.ref(`m.${column}`)))},
        exists (select from message_attachments a where a.message_id = m.id) as has_attachments
      from messages m
      where m.conversation_id = ${conversationId}::uuid ${keyset}
      order by m.seq desc
      limit ${limit + 1}`.execute(this.#db);
    const messages = await withAttachments(this.#db, rows.slice(0, limit));
    return { messages, hasMore: rows.length > limit };
  }

  /**
   * Marks a message deleted; an already deleted one is returned unchanged.
   *
   * @example
   * ```ts
   * const deleted = await messages.softDelete(conversationId, messageId, { by: actor, at: clock.now() });
   * ```
   */
  async locate(messageId: string): Promise<string | null> {
    if (!isUuid(messageId)) return null;
    const row = await this.#db
      .selectFrom('messages')
      .select('conversation_id')
      .where('id', '=', messageId)
      .executeTakeFirst();
    return row?.conversation_id ?? null;
  }

  /**
   * One statement: `hid` records the hide (once), `uncounted` takes it out of the hider's unread
   * count when it was counted there, `gone` soft-deletes the message when every member has now
   * hidden it. The message row is locked first, so two members hiding at once cannot both miss
   * the other's hide.
   *
   * @example
   * ```ts
   * const result = await messages.hideFor(conversationId, messageId, uma, [uma, drKim], clock.now());
   * result?.deletedForEveryone; // true once Dr Kim had hidden it too
   * ```
   */
  async hideFor(
    conversationId: string,
    messageId: string,
    participant: ParticipantRef,
    members: readonly ParticipantRef[],
    at: Date,
  ): Promise<HideResult | null> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return null;
    const hiddenAt = at.toISOString();
    const others = members.filter((m) => !(m.type === participant.type && m.id === participant.id));
    const othersHid =
      others.length === 0
        ? sql`true`
        : sql.join(
            others.map(
              (o) => sql`exists (select from message_hides h where h.message_id = msg.id
                and h.participant_type = ${o.type}::text and h.participant_id = ${o.id}::text)`,
            ),
            sql` and `,
          );
    const includesHider = members.some((m) => m.type === participant.type && m.id === participant.id);
    const run = async (db: Kysely<Database>) => {
      // Lock first, then look: the second statement's snapshot sees a hide committed by another
      // member while this one waited, so the last of two concurrent hides deletes for everyone.
      await sql`select from messages where conversation_id = ${conversationId}::uuid and id = ${messageId}::uuid
        for update`.execute(db);
      const { rows } = await sql<{ hid: boolean; gone: boolean }>`
        with msg as (
          select id, seq, sender_type, sender_id, is_system_message, is_deleted, moderation_state from messages
          where conversation_id = ${conversationId}::uuid and id = ${messageId}::uuid
        ), hid as (
          insert into message_hides (message_id, participant_type, participant_id, hidden_at)
          select msg.id, ${participant.type}::text, ${participant.id}::text, ${hiddenAt}::timestamptz from msg
          on conflict do nothing
          returning message_id
        ), uncounted as (
          update conversation_participants p set unread_count = greatest(0, p.unread_count - 1)
          from msg
          where exists (select from hid)
            and p.conversation_id = ${conversationId}::uuid
            and p.participant_type = ${participant.type}::text and p.participant_id = ${participant.id}::text
            and p.left_at is null and msg.seq > p.last_read_seq and not msg.is_system_message
            and (msg.moderation_state is null or msg.moderation_state not in ('held', 'rejected'))
            and not (msg.sender_type = p.participant_type and msg.sender_id = p.participant_id)
          returning p.conversation_id
        ), gone as (
          update messages m set is_deleted = true, deleted_at = ${hiddenAt}::timestamptz,
            deleted_by_type = ${participant.type}::text, deleted_by_id = ${participant.id}::text
          from msg
          where m.id = msg.id and exists (select from hid) and not msg.is_deleted
            and ${includesHider ? sql`true` : sql`false`} and ${othersHid}
          returning m.id
        )
        select exists (select from hid) as hid, exists (select from gone) as gone,
          (select count(*) from uncounted) as uncounted
        from msg`.execute(db);
      return rows[0];
    };
    const outcome = await (this.#db.isTransaction ? run(this.#db) : this.#db.transaction().execute(run));
    if (outcome === undefined) return null;
    const message = await this.findById(conversationId, messageId);
    if (message === null) return null;
    return { message, hidden: outcome.hid, deletedForEveryone: outcome.gone };
  }

  async hiddenBy(conversationId: string, messageId: string): Promise<ParticipantRef[]> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return [];
    const rows = await this.#db
      .selectFrom('message_hides')
      .select(['participant_type', 'participant_id'])
      .where('message_id', '=', messageId)
      .orderBy(sql`participant_type collate "C"`)
      .orderBy(sql`participant_id collate "C"`)
      .execute();
    return rows.map((r) => ({ type: r.participant_type, id: r.participant_id }));
  }

  /**
   * One statement: lock the message row, write the first version (revision 1, as sent) when
   * there is no history yet, write the new version and update the message — each write only when
   * the locked row is not deleted and still at `expectedRevision`. A concurrent edit waits for
   * the lock and then sees the new revision (`stale`).
   *
   * @example
   * ```ts
   * const result = await messages.edit(conversationId, messageId, { content, editor, at, expectedRevision: 1 });
   * ```
   */
  async edit(
    conversationId: string,
    messageId: string,
    change: EditMessageChange,
  ): Promise<EditMessageResult> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return { status: 'not_found' };
    const at = change.at.toISOString();
    const { rows } = await sql<{ found: boolean; deleted: boolean; edited: boolean }>`
      with msg as (
        select id, content, sender_type, sender_id, created_at, revision, is_deleted from messages
        where conversation_id = ${conversationId}::uuid and id = ${messageId}::uuid
        for update
      ), ok as (
        select * from msg where not is_deleted and revision = ${change.expectedRevision}::integer
      ), first as (
        insert into message_revisions (message_id, revision, content, editor_type, editor_id, created_at)
        select id, 1, content, sender_type, sender_id, created_at from ok where revision = 1
        on conflict do nothing
      ), next as (
        insert into message_revisions (message_id, revision, content, editor_type, editor_id, created_at)
        select id, revision + 1, ${change.content}::text, ${change.editor.type}::text, ${change.editor.id}::text,
          ${at}::timestamptz
        from ok
      ), updated as (
        update messages m set content = ${change.content}::text, revision = ok.revision + 1,
          edited_at = ${at}::timestamptz${
            change.flagged === undefined
              ? sql``
              : sql`, moderation_state = 'flagged', moderation_reason = ${change.flagged.reason}::text,
          moderated_by_type = null, moderated_by_id = null, moderated_at = null`
          }
        from ok where m.id = ok.id
        returning m.id
      )
      select exists (select from msg) as found,
        coalesce((select is_deleted from msg), false) as deleted,
        exists (select from updated) as edited`.execute(this.#db);
    const outcome = rows[0];
    if (outcome === undefined || !outcome.found) return { status: 'not_found' };
    if (outcome.deleted) return { status: 'deleted' };
    const message = await this.findById(conversationId, messageId);
    if (message === null) return { status: 'not_found' };
    return outcome.edited ? { status: 'edited', message } : { status: 'stale', message };
  }

  /**
   * One statement: lock the message, move a pending (`flagged` / `held`) state to the decision,
   * and adjust the other members' unread counts when that delivers (held → approved) or takes
   * back (flagged → rejected) the message.
   */
  async review(conversationId: string, messageId: string, decision: ReviewDecision): Promise<ReviewResult> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return { status: 'not_found' };
    const at = decision.at.toISOString();
    const { rows } = await sql<{ found: boolean; previous: string | null; reviewed: boolean }>`
      with msg as (
        select id, seq, sender_type, sender_id, is_system_message, is_deleted, moderation_state, created_at
        from messages
        where conversation_id = ${conversationId}::uuid and id = ${messageId}::uuid
        for update
      ), ok as (
        select * from msg where moderation_state in ('flagged', 'held')
      ), updated as (
        update messages m set moderation_state = ${decision.decision}::text,
          moderation_reason = case when ${decision.decision}::text = 'rejected' then ${decision.reason}::text
            else m.moderation_reason end,
          moderated_by_type = ${decision.by.type}::text, moderated_by_id = ${decision.by.id}::text,
          moderated_at = ${at}::timestamptz
        from ok where m.id = ok.id
        returning m.id
      ), counted as (
        update conversation_participants p set
          unread_count = greatest(0, p.unread_count + case when ok.moderation_state = 'held' then 1 else -1 end),
          archived_at = case when ok.moderation_state = 'held' then null else p.archived_at end,
          last_activity_at = case when ok.moderation_state = 'held'
            then greatest(p.last_activity_at, ok.created_at) else p.last_activity_at end
        from ok
        where p.conversation_id = ${conversationId}::uuid and p.left_at is null
          and ((ok.moderation_state = 'held' and ${decision.decision}::text = 'approved')
            or (ok.moderation_state = 'flagged' and ${decision.decision}::text = 'rejected'))
          and not ok.is_system_message and not ok.is_deleted
          and not (p.participant_type = ok.sender_type and p.participant_id = ok.sender_id)
          and p.visible_from_seq <= ok.seq and p.last_read_seq < ok.seq
          and not exists (select from message_hides h where h.message_id = ok.id
            and h.participant_type = p.participant_type and h.participant_id = p.participant_id)
        returning p.participant_id
      )
      select exists (select from msg) as found, (select moderation_state from msg) as previous,
        exists (select from updated) as reviewed`.execute(this.#db);
    const outcome = rows[0];
    if (outcome === undefined || !outcome.found) return { status: 'not_found' };
    const message = await this.findById(conversationId, messageId);
    if (message === null) return { status: 'not_found' };
    if (!outcome.reviewed || (outcome.previous !== 'flagged' && outcome.previous !== 'held'))
      return { status: 'not_pending', message };
    return { status: 'reviewed', message, previousState: outcome.previous };
  }

  /** A range scan of the partial index `messages_moderation_queue` (pending messages only). */
  async moderationQueue(request: ModerationQueueRequest): Promise<ModerationQueuePage> {
    if (request.states.length === 0) return { items: [], hasMore: false };
    if (request.conversationId !== undefined && !isUuid(request.conversationId))
      return { items: [], hasMore: false };
    let query = this.#db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(MESSAGE_COLUMNS.map((column) => `m.${column}` as const))
      .select('c.store_id as tenant_id')
      .where(sql<boolean>`m.moderation_state in ('flagged', 'held')`)
      .where('m.moderation_state', 'in', [...request.states]);
    if (request.tenantId !== undefined) query = query.where('c.store_id', '=', request.tenantId);
    if (request.conversationId !== undefined)
      query = query.where('m.conversation_id', '=', request.conversationId);
    const after = request.after;
    if (after !== undefined)
      query = query.where(
        sql<boolean>`(m.created_at, m.id) < (${after.createdAt.toISOString()}::timestamptz, ${isUuid(after.id) ? after.id : '00000000-0000-0000-0000-000000000000'}::uuid)`,
      );
    const rows = await query
      .orderBy('m.created_at', 'desc')
      .orderBy('m.id', 'desc')
      .limit(request.limit + 1)
      .execute();
    const page = rows.slice(0, request.limit);
    const messages = await withAttachments(this.#db, page);
    return {
      items: messages.map((message, i) => ({ message, tenantId: page[i]?.tenant_id ?? null })),
      hasMore: rows.length > request.limit,
    };
  }

  async revisions(conversationId: string, messageId: string): Promise<MessageRevision[]> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return [];
    const rows = await this.#db
      .selectFrom('message_revisions as r')
      .innerJoin('messages as m', 'm.id', 'r.message_id')
      .selectAll('r')
      .where('m.conversation_id', '=', conversationId)
      .where('r.message_id', '=', messageId)
      .orderBy('r.revision')
      .execute();
    return rows.map(toMessageRevision);
  }

  /** One probe of `messages_conversation_seq_key` from `seq` on, stopping at the first match. */
  async answeredAfter(conversationId: string, seq: number, sender: ParticipantRef): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    const { rows } = await sql<{ answered: boolean }>`
      select exists (select from messages m
        where m.conversation_id = ${conversationId}::uuid and m.seq > ${seq}::integer
          and not m.is_system_message
          and not (m.sender_type = ${sender.type}::text and m.sender_id = ${sender.id}::text)) as answered`.execute(
      this.#db,
    );
    return rows[0]?.answered === true;
  }

  async softDelete(
    conversationId: string,
    messageId: string,
    input: SoftDeleteInput,
  ): Promise<Message | null> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return null;
    const row = await this.#db
      .updateTable('messages')
      .set({
        is_deleted: true,
        deleted_at: input.at,
        deleted_by_type: input.by.type,
        deleted_by_id: input.by.id,
      })
      .where('conversation_id', '=', conversationId)
      .where('id', '=', messageId)
      .where('is_deleted', '=', false)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) return this.findById(conversationId, messageId);
    const [message] = await withAttachments(this.#db, [row]);
    return message ?? null;
  }

  async #recordedKey(
    sender: ParticipantRef,
    key: string,
  ): Promise<{ messageId: string; requestHash: string } | null> {
    const row = await this.#db
      .selectFrom('send_idempotency_keys')
      .select(['message_id', 'request_hash'])
      .where('sender_type', '=', sender.type)
      .where('sender_id', '=', sender.id)
      .where('key', '=', key)
      .executeTakeFirst();
    return row === undefined ? null : { messageId: row.message_id, requestHash: row.request_hash };
  }

  async #findAnywhere(messageId: string): Promise<Message | null> {
    const row = await this.#db
      .selectFrom('messages')
      .select(MESSAGE_COLUMNS)
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (row === undefined) return null;
    const [message] = await withAttachments(this.#db, [row]);
    return message ?? null;
  }
}

/** The message as `append` stored it: the draft with the statement's `seq` and time. */
function createdMessage(draft: NewMessage, seq: number, createdAt: Date): Message {
  return {
    id: draft.id,
    conversationId: draft.conversationId,
    seq,
    sender: draft.sender,
    content: draft.content,
    isSystemMessage: draft.isSystemMessage,
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    createdAt,
    attachments: draft.attachments.map((a) => ({ ...a, messageId: draft.id })),
    subject: draft.subject ?? null,
    editedAt: null,
    revision: 1,
    moderation:
      draft.moderation === undefined
        ? null
        : { state: draft.moderation.state, reason: draft.moderation.reason },
  };
}

function translateAppendError(error: unknown, message: NewMessage): unknown {
  if (isPostgresError(error, SQLSTATE.uniqueViolation)) {
    const constraint = violatedConstraint(error);
    const what =
      constraint === 'messages_pkey' ? `message ${message.id}` : `attachment of message ${message.id}`;
    return new MessagingError('CONFLICT', `${what} already exists`, {
      cause: error,
      details: { constraint },
    });
  }
  if (isPostgresError(error, SQLSTATE.invalidTextRepresentation)) {
    return new MessagingError('VALIDATION', `message ${message.id} has an id that is not a UUID`, {
      field: 'id',
      cause: error,
    });
  }
  return error;
}

/** How many times `append` runs its statement when memberships change under it. */
const APPEND_ATTEMPTS = 5;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids of conversations and messages are UUIDs; anything else cannot exist (and would make PostgreSQL throw). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
