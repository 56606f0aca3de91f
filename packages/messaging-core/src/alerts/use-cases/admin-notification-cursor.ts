import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  type TimeIdCursor,
} from '../../kernel/paging/cursor-codec.js';

// `a1`: admin notifications' own tag. They used to borrow the email log's `e1`, so a page link
// issued before the change (short-lived, but maybe in flight across an upgrade) is still read.
const TAG = 'a1';
const LEGACY_TAG = 'e1';

/** Where an admin-notification page continues: after this `(created_at, id)`. */
export function encodeAdminNotificationCursor(cursor: TimeIdCursor): string {
  return encodeTimeIdCursor(TAG, cursor);
}

/** Reads an admin-notification cursor; any other list's cursor is a validation error naming `field`. */
export function decodeAdminNotificationCursor(cursor: string, field = 'cursor'): TimeIdCursor {
  return decodeTimeIdCursor(cursor, [TAG, LEGACY_TAG], field);
}
