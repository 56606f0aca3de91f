// Selecting several tables into one flat row: `c.id as c_id`, … and back. Shared by the conversation
// repository and message search, which read conversations beside memberships and messages.
import { type RawBuilder, sql } from 'kysely';
import type { ConversationRow } from './row-mappers.js';

/** The `conversations` columns a `Conversation` is built from. */
export const CONVERSATION_COLUMNS = [
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

/** `alias.column as prefix + column` for each column, to select several tables into one flat row. */
export function prefixed(alias: string, prefix: string, columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(
    columns.map((column) => sql`${sql.ref(`${alias}.${column}`)} as ${sql.id(`${prefix}${column}`)}`),
  );
}

/** The prefixed name of each column, built once per column list and prefix (hot: every inbox row). */
const prefixedNames = new WeakMap<readonly string[], Map<string, readonly string[]>>();

function namesFor(prefix: string, columns: readonly string[]): readonly string[] {
  let byPrefix = prefixedNames.get(columns);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    prefixedNames.set(columns, byPrefix);
  }
  let names = byPrefix.get(prefix);
  if (names === undefined) {
    names = columns.map((column) => `${prefix}${column}`);
    byPrefix.set(prefix, names);
  }
  return names;
}

/** Picks back the columns `prefixed` renamed. */
export function unprefixed<T>(row: Record<string, unknown>, prefix: string, columns: readonly string[]): T {
  const names = namesFor(prefix, columns);
  const picked: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i += 1) picked[columns[i] as string] = row[names[i] as string];
  return picked as T;
}
