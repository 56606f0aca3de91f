import type { Message, MessageAttachment } from '@parley/messaging-core';
import type { Kysely } from 'kysely';
import type { Database } from '../database-types.js';
import { type MessageRow, toAttachment, toMessage } from './row-mappers.js';

/** Columns of `messages`, for queries that select them under a table alias. */
export const MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'seq',
  'sender_type',
  'sender_id',
  'content',
  'is_system_message',
  'is_deleted',
  'deleted_at',
  'deleted_by_type',
  'deleted_by_id',
  'created_at',
  'subject',
  'edited_at',
  'revision',
  'moderation_state',
  'moderation_reason',
  'moderated_by_type',
  'moderated_by_id',
  'moderated_at',
] as const satisfies readonly (keyof MessageRow)[];

/** The attachments of these messages (one query), grouped by message id, each list in order. */
export async function loadAttachments(
  db: Kysely<Database>,
  messageIds: readonly string[],
): Promise<Map<string, MessageAttachment[]>> {
  const byMessage = new Map<string, MessageAttachment[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom('message_attachments')
    .selectAll()
    .where('message_id', 'in', [...new Set(messageIds)])
    .orderBy('message_id')
    .orderBy('position')
    .execute();
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push(toAttachment(row));
    byMessage.set(row.message_id, list);
  }
  return byMessage;
}

/**
 * Messages with their attachments. Rows carrying `has_attachments = false` (from an `exists`
 * in the query) skip the attachment query when none of them has any.
 */
export async function withAttachments(
  db: Kysely<Database>,
  rows: readonly (MessageRow & { readonly has_attachments?: boolean })[],
): Promise<Message[]> {
  const needed = rows.filter((row) => row.has_attachments !== false).map((row) => row.id);
  const attachments = await loadAttachments(db, needed);
  return rows.map((row) => toMessage(row, attachments.get(row.id) ?? []));
}
