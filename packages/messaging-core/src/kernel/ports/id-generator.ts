import { uuidv7 } from 'uuidv7';

/**
 * New ids for conversations, messages and attachments. Ids must be unique and sort (as strings)
 * in creation order, so `ORDER BY id` follows time.
 *
 * @example
 * ```ts
 * const ids: IdGenerator = uuidV7Ids;
 * ids.next(); // "019a7c3e-5b2f-7d41-8a6e-2f1c9b3d4e5f"
 * ```
 */
export interface IdGenerator {
  next(): string;
}

/** UUIDv7: 48-bit millisecond timestamp then randomness, monotonic within a process. */
export const uuidV7Ids: IdGenerator = { next: () => uuidv7() };
