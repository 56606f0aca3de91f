import { type Kysely, sql } from 'kysely';

/**
 * Conversations, memberships, messages, attachments and send idempotency keys.
 *
 * Ids of conversations, messages and attachments are `uuid` (the core generates UUIDv7 strings);
 * participant ids and store ids are `text` (the host platform's ids). Participants are not
 * foreign keys into the directory: the messaging tables serve any access policy's types.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'uuid', (col) => col.notNull())
    .addColumn('conversation_type', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('store_id', 'text')
    .addColumn('is_closed', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closed_by_type', 'text')
    .addColumn('closed_by_id', 'text')
    .addColumn('last_message_at', 'timestamptz')
    .addColumn('message_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('conversations_pkey', ['id'])
    .addCheckConstraint('conversations_subject_length_check', sql`char_length(subject) between 1 and 500`)
    .addCheckConstraint('conversations_message_count_check', sql`message_count >= 0`)
    .addCheckConstraint(
      'conversations_closed_by_check',
      sql`(closed_by_type is null) = (closed_by_id is null)`,
    )
    .addCheckConstraint(
      'conversations_closed_state_check',
      sql`(is_closed and closed_at is not null) or (not is_closed and closed_at is null and closed_by_type is null)`,
    )
    .execute();
  // Tenant-scoped listings (admin views, per-store reports).
  await db.schema
    .createIndex('conversations_type_store_idx')
    .on('conversations')
    .columns(['conversation_type', 'store_id'])
    .execute();

  await db.schema
    .createTable('conversation_participants')
    .addColumn('conversation_id', 'uuid', (col) => col.notNull())
    .addColumn('participant_type', 'text', (col) => col.notNull())
    .addColumn('participant_id', 'text', (col) => col.notNull())
    .addColumn('store_id', 'text')
    .addColumn('unread_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_read_at', 'timestamptz')
    .addColumn('email_notifications', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('muted', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('last_activity_at', 'timestamptz', (col) => col.notNull())
    .addColumn('joined_at', 'timestamptz', (col) => col.notNull())
    // Also the unique (conversation, participant) rule, and the index of a conversation's members.
    .addPrimaryKeyConstraint('conversation_participants_pkey', [
      'conversation_id',
      'participant_type',
      'participant_id',
    ])
    .addForeignKeyConstraint(
      'conversation_participants_conversation_id_fkey',
      ['conversation_id'],
      'conversations',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint('conversation_participants_unread_count_check', sql`unread_count >= 0`)
    .execute();
  // A participant's inbox, most recent activity first: the first page is one range scan, and
  // keyset pages continue from (last_activity_at, conversation_id). Also serves the badge sum.
  await db.schema
    .createIndex('conversation_participants_inbox_idx')
    .on('conversation_participants')
    .columns(['participant_type', 'participant_id', 'last_activity_at desc', 'conversation_id desc'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (col) => col.notNull())
    .addColumn('conversation_id', 'uuid', (col) => col.notNull())
    .addColumn('sender_type', 'text', (col) => col.notNull())
    .addColumn('sender_id', 'text', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('is_system_message', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('is_deleted', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('deleted_by_type', 'text')
    .addColumn('deleted_by_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('messages_pkey', ['id'])
    .addForeignKeyConstraint(
      'messages_conversation_id_fkey',
      ['conversation_id'],
      'conversations',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint('messages_deleted_at_check', sql`is_deleted = (deleted_at is not null)`)
    .addCheckConstraint(
      'messages_deleted_by_check',
      sql`(deleted_by_type is null) = (deleted_by_id is null) and (is_deleted or deleted_by_type is null)`,
    )
    .execute();
  // A conversation's messages in order: pages (keyset on created_at, id), the latest message of
  // an inbox entry, and a conversation's activity as of an inbox snapshot.
  await db.schema
    .createIndex('messages_conversation_created_idx')
    .on('messages')
    .columns(['conversation_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('message_attachments')
    .addColumn('id', 'uuid', (col) => col.notNull())
    .addColumn('message_id', 'uuid', (col) => col.notNull())
    // Order of the attachment within its message, as the sender gave them.
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('filename', 'text', (col) => col.notNull())
    .addColumn('original_filename', 'text', (col) => col.notNull())
    .addColumn('file_path', 'text', (col) => col.notNull())
    .addColumn('file_size', 'bigint', (col) => col.notNull())
    .addColumn('mime_type', 'text', (col) => col.notNull())
    .addColumn('is_image', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('image_width', 'integer')
    .addColumn('image_height', 'integer')
    .addColumn('thumbnail_path', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('message_attachments_pkey', ['id'])
    .addForeignKeyConstraint(
      'message_attachments_message_id_fkey',
      ['message_id'],
      'messages',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    // Also the index loading a message's attachments in order.
    .addUniqueConstraint('message_attachments_message_position_key', ['message_id', 'position'])
    .addCheckConstraint('message_attachments_file_size_check', sql`file_size >= 0`)
    .addCheckConstraint('message_attachments_position_check', sql`position >= 0`)
    .addCheckConstraint(
      'message_attachments_image_size_check',
      sql`(image_width is null or image_width >= 0) and (image_height is null or image_height >= 0)`,
    )
    .execute();
  await db.schema
    .createTable('send_idempotency_keys')
    .addColumn('sender_type', 'text', (col) => col.notNull())
    .addColumn('sender_id', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('message_id', 'uuid', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    // The unique rule `append` relies on: INSERT ... ON CONFLICT DO NOTHING on this key.
    .addPrimaryKeyConstraint('send_idempotency_keys_pkey', ['sender_type', 'sender_id', 'key'])
    .addForeignKeyConstraint(
      'send_idempotency_keys_message_id_fkey',
      ['message_id'],
      'messages',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  // Lets a message's deletion find its key (the foreign key's cascade) without a scan.
  await db.schema
    .createIndex('send_idempotency_keys_message_idx')
    .on('send_idempotency_keys')
    .column('message_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('send_idempotency_keys').execute();
  await db.schema.dropTable('message_attachments').execute();
  await db.schema.dropTable('messages').execute();
  await db.schema.dropTable('conversation_participants').execute();
  await db.schema.dropTable('conversations').execute();
}
