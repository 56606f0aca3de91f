import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  type TimeIdCursor,
} from '../../kernel/paging/cursor-codec.js';

// `e1`: the email log's own tag, so a cursor of another list is refused here.
const TAG = 'e1';

/** Where an email-log page continues: after this `(created_at, id)`. */
export function encodeEmailLogCursor(cursor: TimeIdCursor): string {
  return encodeTimeIdCursor(TAG, cursor);
}

/** Reads an email-log cursor; any other cursor is a validation error naming `field`. */
export function decodeEmailLogCursor(cursor: string, field = 'cursor'): TimeIdCursor {
  return decodeTimeIdCursor(cursor, [TAG], field);
}
