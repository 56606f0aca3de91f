import {
  decodeCursor,
  decodeTimeIdCursor,
  encodeCursor,
  encodeTimeIdCursor,
  invalidCursor,
  type TimeIdCursor,
} from '../../kernel/paging/cursor-codec.js';

const ENDPOINT_TAG = 'w1';
const DELIVERY_TAG = 'wd1';

/** Where an endpoint page continues: after this `(created_at, id)`. */
export function encodeWebhookEndpointCursor(cursor: TimeIdCursor): string {
  return encodeTimeIdCursor(ENDPOINT_TAG, cursor);
}

export function decodeWebhookEndpointCursor(cursor: string, field = 'cursor'): TimeIdCursor {
  return decodeTimeIdCursor(cursor, [ENDPOINT_TAG], field);
}

/** Where a delivery page continues: below this `seq` (newest first). */
export function encodeWebhookDeliveryCursor(seq: number): string {
  return encodeCursor([DELIVERY_TAG, seq]);
}

export function decodeWebhookDeliveryCursor(cursor: string, field = 'cursor'): number {
  const [tag, seq] = decodeCursor(cursor, field);
  if (tag !== DELIVERY_TAG || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    throw invalidCursor(field);
  return seq;
}
