import {
  DIRECTORY_CHANGED,
  type DirectoryChangedPayload,
  type ErasureOutcome,
  type EventLog,
  type ParticipantRef,
  type PersonalAttachmentRecord,
  type PersonalBlockRecord,
  type PersonalDataPage,
  type PersonalDataRepositories,
  type PersonalDataRepository,
  type PersonalDataStore,
  type PersonalDirectoryRecord,
  type PersonalEmailLogRecord,
  type PersonalHiddenMessageRecord,
  type PersonalMembershipRecord,
  type PersonalMessageRecord,
  type PersonalReceiptRecord,
  type PersonalRevisionRecord,
} from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import { KyselyEventLog } from '../conversations/kysely-event-log.js';
import type { Database } from '../database-types.js';

export interface KyselyPersonalDataStoreConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
  /**
   * Called after a transaction that wrote events has committed, with the newest event's id (as
   * `KyselyMessagingStore`'s option: wakes the host's dispatchers).
   */
  readonly onEventsCommitted?: (newestId: string) => void;
  /**
   * Called after an erasure that anonymised a directory entry committed (as the directories'
   * option: this process's directory cache drops it at once; other processes read the
   * `directory.changed` event the erasure wrote).
   */
  readonly onDirectoryChanged?: (change: DirectoryChangedPayload) => void;
}

const iso = (value: Date | string): string => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : iso(value));

/** The marketplace directory's tables by participant type; any type may be in `directory_people`. */
const MARKETPLACE_USER_ROLES = new Set(['admin', 'store']);

/**
 * `PersonalDataRepository` over one connection (the pool or a transaction). It reads whichever
 * directory holds the person: `directory_people` (care-team, community) or the marketplace's
 * `customers` / `platform_users` (a deployment fills only one of them).
 */
class KyselyPersonalDataRepository implements PersonalDataRepository {
  readonly #db: Kysely<Database>;
  readonly #recorded: (eventId: string, change?: DirectoryChangedPayload) => void;

  constructor(
    db: Kysely<Database>,
    recorded: (eventId: string, change?: DirectoryChangedPayload) => void = () => {},
  ) {
    this.#db = db;
    this.#recorded = recorded;
  }

  async directoryEntry(person: ParticipantRef): Promise<PersonalDirectoryRecord | null> {
    const db = this.#db;
    const people = await db
      .selectFrom('directory_people')
      .selectAll()
      .where('type', '=', person.type)
      .where('id', '=', person.id)
      .executeTakeFirst();
    if (people)
      return {
        type: people.type,
        id: people.id,
        name: people.name,
        email: people.email,
        locale: people.locale,
        tenant_id: people.tenant_id,
        created_at: iso(people.created_at),
        updated_at: iso(people.updated_at),
      };
    if (person.type === 'customer') {
      const customer = await db
        .selectFrom('customers')
        .selectAll()
        .where('id', '=', person.id)
        .executeTakeFirst();
      if (customer)
        return {
          type: 'customer',
          id: customer.id,
          name: customer.name,
          email: customer.email === '' ? null : customer.email,
          locale: customer.locale,
          tenant_id: customer.store_id,
          created_at: iso(customer.created_at),
          updated_at: iso(customer.updated_at),
        };
    }
    if (MARKETPLACE_USER_ROLES.has(person.type)) {
      const user = await db
        .selectFrom('platform_users')
        .selectAll()
        .where('id', '=', person.id)
        .where('role', '=', person.type as 'admin' | 'store')
        .executeTakeFirst();
      if (user)
        return {
          type: user.role,
          id: user.id,
          name: user.name,
          email: user.email === '' ? null : user.email,
          locale: user.locale,
          tenant_id: user.store_id,
          created_at: iso(user.created_at),
          updated_at: iso(user.updated_at),
        };
    }
    return null;
  }

  async holdsAny(person: ParticipantRef): Promise<boolean> {
    if ((await this.directoryEntry(person)) !== null) return true;
    const { rows } = await sql<{ found: boolean }>`
      select exists (
        select 1 from conversation_participants
        where participant_type = ${person.type} and participant_id = ${person.id}
      ) or exists (
        select 1 from messages where sender_type = ${person.type} and sender_id = ${person.id}
      ) as found`.execute(this.#db);
    return rows[0]?.found === true;
  }

  async memberships(person: ParticipantRef): Promise<readonly PersonalMembershipRecord[]> {
    const rows = await this.#db
      .selectFrom('conversation_participants as p')
      .innerJoin('conversations as c', 'c.id', 'p.conversation_id')
      .select([
        'p.conversation_id',
        'c.conversation_type',
        'c.subject',
        'p.role',
        'p.joined_at',
        'p.left_at',
        'p.last_read_seq',
        'p.last_read_at',
        'p.email_notifications',
        'p.muted',
        'p.archived_at',
      ])
      .where('p.participant_type', '=', person.type)
      .where('p.participant_id', '=', person.id)
      .orderBy('p.conversation_id')
      .execute();
    return rows.map((row) => ({
      conversation_id: row.conversation_id,
      conversation_type: row.conversation_type,
      subject: row.subject,
      role: row.role,
      joined_at: iso(row.joined_at),
      left_at: isoOrNull(row.left_at),
      last_read_seq: Number(row.last_read_seq),
      last_read_at: isoOrNull(row.last_read_at),
      email_notifications: row.email_notifications,
      muted: row.muted,
      archived_at: isoOrNull(row.archived_at),
    }));
  }

  async sentMessages(
    person: ParticipantRef,
    page: PersonalDataPage,
  ): Promise<readonly PersonalMessageRecord[]> {
    let query = this.#db
      .selectFrom('messages')
      .select([
        'id',
        'conversation_id',
        'seq',
        'content',
        'subject',
        'created_at',
        'edited_at',
        'revision',
        'is_deleted',
      ])
      .where('sender_type', '=', person.type)
      .where('sender_id', '=', person.id)
      .where('is_system_message', '=', false);
    if (page.after !== null) query = query.where('id', '>', page.after);
    const rows = await query.orderBy('id').limit(page.limit).execute();
    const revisions = new Map<string, PersonalRevisionRecord[]>();
    if (rows.length > 0) {
      const found = await this.#db
        .selectFrom('message_revisions')
        .select(['message_id', 'revision', 'content', 'created_at'])
        .where(
          'message_id',
          'in',
          rows.map((row) => row.id),
        )
        .orderBy('message_id')
        .orderBy('revision')
        .execute();
      for (const revision of found) {
        const list = revisions.get(revision.message_id) ?? [];
        list.push({
          revision: revision.revision,
          content: revision.content,
          created_at: iso(revision.created_at),
        });
        revisions.set(revision.message_id, list);
      }
    }
    return rows.map((row) => ({
      id: row.id,
      conversation_id: row.conversation_id,
      seq: Number(row.seq),
      content: row.content,
      subject: row.subject,
      created_at: iso(row.created_at),
      edited_at: isoOrNull(row.edited_at),
      revision: row.revision,
      is_deleted: row.is_deleted,
      revisions: revisions.get(row.id) ?? [],
    }));
  }

  async attachments(
    person: ParticipantRef,
    page: PersonalDataPage,
  ): Promise<readonly PersonalAttachmentRecord[]> {
    let query = this.#db
      .selectFrom('message_attachments as a')
      .innerJoin('messages as m', 'm.id', 'a.message_id')
      .select([
        'a.id',
        'a.message_id',
        'm.conversation_id',
        'a.original_filename',
        'a.mime_type',
        'a.file_size',
        'a.file_path',
        'a.thumbnail_path',
        'a.image_width',
        'a.image_height',
        'a.created_at',
      ])
      .where('m.sender_type', '=', person.type)
      .where('m.sender_id', '=', person.id);
    if (page.after !== null) query = query.where('a.id', '>', page.after);
    const rows = await query.orderBy('a.id').limit(page.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      message_id: row.message_id,
      conversation_id: row.conversation_id,
      original_filename: row.original_filename,
      mime_type: row.mime_type,
      file_size: Number(row.file_size),
      file_path: row.file_path,
      thumbnail_path: row.thumbnail_path,
      image_width: row.image_width,
      image_height: row.image_height,
      created_at: iso(row.created_at),
    }));
  }

  async emailLogs(
    person: ParticipantRef,
    page: PersonalDataPage,
  ): Promise<readonly PersonalEmailLogRecord[]> {
    const entry = await this.directoryEntry(person);
    const address = entry?.email ?? null;
    let query = this.#db
      .selectFrom('email_logs')
      .select([
        'id',
        'template_code',
        'recipient',
        'subject',
        'body_text',
        'status',
        'sent_at',
        'created_at',
        'related_type',
        'related_id',
      ])
      .where((eb) =>
        eb.or([
          eb.and([
            eb('user_id', '=', person.id),
            eb(sql<string>`extra_data->>'recipient_type'`, '=', person.type),
          ]),
          ...(address === null ? [] : [eb(sql<string>`lower(recipient)`, '=', address.toLowerCase())]),
        ]),
      );
    if (page.after !== null) query = query.where('id', '>', page.after);
    const rows = await query.orderBy('id').limit(page.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      template_code: row.template_code,
      recipient: row.recipient,
      subject: row.subject,
      body_text: row.body_text,
      status: row.status,
      sent_at: isoOrNull(row.sent_at),
      created_at: iso(row.created_at),
      related_type: row.related_type,
      related_id: row.related_id,
    }));
  }

  async blocks(person: ParticipantRef): Promise<readonly PersonalBlockRecord[]> {
    const rows = await this.#db
      .selectFrom('participant_blocks')
      .select(['blocked_type', 'blocked_id', 'created_at'])
      .where('blocker_type', '=', person.type)
      .where('blocker_id', '=', person.id)
      .orderBy('blocked_type')
      .orderBy('blocked_id')
      .execute();
    return rows.map((row) => ({
      blocked_type: row.blocked_type,
      blocked_id: row.blocked_id,
      created_at: iso(row.created_at),
    }));
  }

  async receipts(person: ParticipantRef): Promise<readonly PersonalReceiptRecord[]> {
    const { rows } = await sql<{
      conversation_id: string;
      kind: 'read' | 'delivered';
      up_to_seq: number;
      at: Date;
    }>`
      select conversation_id, 'delivered' as kind, up_to_seq, at from delivery_advances
      where participant_type = ${person.type} and participant_id = ${person.id}
      union all
      select conversation_id, 'read' as kind, up_to_seq, at from read_advances
      where participant_type = ${person.type} and participant_id = ${person.id}
      order by conversation_id, kind, up_to_seq`.execute(this.#db);
    return rows.map((row) => ({
      conversation_id: row.conversation_id,
      kind: row.kind,
      up_to_seq: Number(row.up_to_seq),
      at: iso(row.at),
    }));
  }

  async hiddenMessages(person: ParticipantRef): Promise<readonly PersonalHiddenMessageRecord[]> {
    return this.#db
      .selectFrom('message_hides as h')
      .innerJoin('messages as m', 'm.id', 'h.message_id')
      .select(['m.conversation_id', 'h.message_id'])
      .where('h.participant_type', '=', person.type)
      .where('h.participant_id', '=', person.id)
      .orderBy('m.conversation_id')
      .orderBy('h.message_id')
      .execute();
  }

  /** Seven statements at most, in the caller's transaction (see the port for what each changes). */
  async erase(
    person: ParticipantRef,
    input: { readonly marker: string; readonly anonymousName: string; readonly at: Date },
  ): Promise<ErasureOutcome> {
    const db = this.#db;
    const { marker, anonymousName, at } = input;
    const { type, id } = person;
    const entry = await this.directoryEntry(person);
    // Before anonymising: the name and address other people's emails may carry (the address is
    // replaced first: it may contain the name). An entry already anonymised names nobody.
    const name = entry !== null && entry.name !== anonymousName ? entry.name : '';
    const address = entry?.email ?? '';

    const revisions = await sql<{ message_id: string }>`
      update message_revisions set content = ${marker}
      where message_id in (select id from messages where sender_type = ${type} and sender_id = ${id})
        and content <> ${marker}
      returning message_id`.execute(db);
    const messages = await sql<{ id: string }>`
      update messages
      set content = ${marker}, subject = case when subject is null then null else ${marker} end
      where sender_type = ${type} and sender_id = ${id} and is_system_message = false
        and (content <> ${marker} or coalesce(subject, ${marker}) <> ${marker})
      returning id`.execute(db);
    await db
      .deleteFrom('send_idempotency_keys')
      .where('sender_type', '=', type)
      .where('sender_id', '=', id)
      .execute();
    const attachments = await sql<{ file_path: string; thumbnail_path: string | null }>`
      delete from message_attachments
      where message_id in (select id from messages where sender_type = ${type} and sender_id = ${id})
      returning file_path, thumbnail_path`.execute(db);

    // Emails sent to them: no address, no subject, no body.
    const own = await sql<{ id: string }>`
      update email_logs
      set recipient = ${marker}, subject = ${marker}, body_text = ${marker}, body_html = null, updated_at = ${at}
      where ((user_id = ${id} and extra_data->>'recipient_type' = ${type})
             or (${address} <> '' and lower(recipient) = lower(${address})))
        and not (recipient = ${marker} and subject = ${marker} and body_text = ${marker} and body_html is null)
      returning id`.execute(db);
    // Emails to the other members of their conversations: those quoting one of their messages lose
    // their bodies; the others lose their name and address wherever it appears.
    const others = await sql<{ id: string }>`
      with rewritten as (
        select l.id,
          replace(replace(l.subject, ${address}, ${marker}), ${name}, ${marker}) as subject,
          case when q.quotes then ${marker}
               else replace(replace(l.body_text, ${address}, ${marker}), ${name}, ${marker}) end as body_text,
          case when q.quotes then null
               else replace(replace(l.body_html, ${address}, ${marker}), ${name}, ${marker}) end as body_html
        from email_logs l
        cross join lateral (
          select exists (
            select 1
            from jsonb_array_elements_text(
              case when jsonb_typeof(l.extra_data->'message_ids') = 'array' then l.extra_data->'message_ids' else '[]'::jsonb end
            ) as quoted (message_id)
            join messages m on m.id::text = quoted.message_id
            where m.sender_type = ${type} and m.sender_id = ${id}
          ) as quotes
        ) q
        where l.related_type = 'conversation'
          and l.related_id in (
            select conversation_id::text from conversation_participants
            where participant_type = ${type} and participant_id = ${id}
          )
          and not ((l.user_id = ${id} and l.extra_data->>'recipient_type' = ${type})
                   or (${address} <> '' and lower(l.recipient) = lower(${address})))
      )
      update email_logs l
      set subject = r.subject, body_text = r.body_text, body_html = r.body_html, updated_at = ${at}
      from rewritten r
      where l.id = r.id
        and (l.subject is distinct from r.subject or l.body_text is distinct from r.body_text
             or l.body_html is distinct from r.body_html)
      returning l.id`.execute(db);

    let directoryEntry = false;
    if (entry !== null) {
      const people = await db
        .updateTable('directory_people')
        .set({ name: anonymousName, email: null, updated_at: at })
        .where('type', '=', type)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('name', '<>', anonymousName), eb('email', 'is not', null)]))
        .executeTakeFirst();
      directoryEntry = Number(people.numUpdatedRows) > 0;
      if (type === 'customer') {
        const customers = await db
          .updateTable('customers')
          .set({ name: anonymousName, email: '', updated_at: at })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('name', '<>', anonymousName), eb('email', '<>', '')]))
          .executeTakeFirst();
        directoryEntry ||= Number(customers.numUpdatedRows) > 0;
      }
      if (MARKETPLACE_USER_ROLES.has(type)) {
        const users = await db
          .updateTable('platform_users')
          .set({ name: anonymousName, email: '', updated_at: at })
          .where('id', '=', id)
          .where('role', '=', type as 'admin' | 'store')
          .where((eb) => eb.or([eb('name', '<>', anonymousName), eb('email', '<>', '')]))
          .executeTakeFirst();
        directoryEntry ||= Number(users.numUpdatedRows) > 0;
      }
    }
    if (directoryEntry) {
      // What the directories write when an entry changes: caches of every process drop it.
      const payload: DirectoryChangedPayload = { participant_id: id, change: 'updated' };
      const { rows } = await sql<{ id: string }>`
        insert into events (tenant_id, conversation_id, type, actor_type, actor_id, payload, occurred_at)
        values (${entry?.tenant_id ?? null}::text, null, ${DIRECTORY_CHANGED}::text, 'service', 'platform',
          ${JSON.stringify(payload)}::jsonb, ${at.toISOString()}::timestamptz)
        returning id::text as id`.execute(db);
      const eventId = rows[0]?.id;
      if (eventId !== undefined) this.#recorded(eventId, payload);
    }
    return {
      messages: messages.rows.length,
      revisions: revisions.rows.length,
      attachments: attachments.rows.length,
      emailLogs: own.rows.length + others.rows.length,
      directoryEntry,
      files: attachments.rows.flatMap((row) =>
        row.thumbnail_path === null ? [row.file_path] : [row.file_path, row.thumbnail_path],
      ),
    };
  }
}

/**
 * `PersonalDataStore` over PostgreSQL or PGlite: reads a person's data across the directory,
 * conversation and email tables; `transaction` binds the repository and the event log to one
 * database transaction, so an erasure and its `participant.erased` commit together.
 *
 * @example
 * ```ts
 * const store = new KyselyPersonalDataStore({ db: database.db });
 * const privacy = createPrivacyCore({ store, attachmentStorage });
 * ```
 */
export class KyselyPersonalDataStore implements PersonalDataStore {
  readonly #db: Kysely<Database>;
  readonly #onEventsCommitted: ((newestId: string) => void) | undefined;
  readonly #onDirectoryChanged: ((change: DirectoryChangedPayload) => void) | undefined;
  /** Reads on the store's pool. */
  readonly personalData: PersonalDataRepository;
  /** The event log on the store's pool. */
  readonly events: EventLog;

  constructor(config: KyselyPersonalDataStoreConfig) {
    this.#db = config.db;
    this.#onEventsCommitted = config.onEventsCommitted;
    this.#onDirectoryChanged = config.onDirectoryChanged;
    this.personalData = new KyselyPersonalDataRepository(config.db);
    this.events = new KyselyEventLog(config.db);
  }

  async transaction<T>(work: (tx: PersonalDataRepositories) => Promise<T>): Promise<T> {
    let newest: string | null = null;
    const changes: DirectoryChangedPayload[] = [];
    const recorded = (eventId: string, change?: DirectoryChangedPayload) => {
      if (newest === null || BigInt(eventId) > BigInt(newest)) newest = eventId;
      if (change) changes.push(change);
    };
    const result = await this.#db.transaction().execute((trx) =>
      work({
        personalData: new KyselyPersonalDataRepository(trx, recorded),
        events: new KyselyEventLog(trx, recorded),
      }),
    );
    for (const change of changes) this.#onDirectoryChanged?.(change);
    if (newest !== null) this.#onEventsCommitted?.(newest);
    return result;
  }
}
