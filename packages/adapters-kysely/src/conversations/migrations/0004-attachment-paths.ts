import type { Kysely } from 'kysely';

/** Lookups by storage path, for the orphan-file sweep (`referencedPaths`). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('message_attachments_file_path_idx')
    .on('message_attachments')
    .column('file_path')
    .execute();
  await db.schema
    .createIndex('message_attachments_thumbnail_path_idx')
    .on('message_attachments')
    .column('thumbnail_path')
    .where('thumbnail_path', 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('message_attachments_thumbnail_path_idx').execute();
  await db.schema.dropIndex('message_attachments_file_path_idx').execute();
}
