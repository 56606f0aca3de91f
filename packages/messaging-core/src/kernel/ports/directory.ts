import type { DirectoryEntry } from '../model/directory-entry.js';
import type { ParticipantRef } from '../model/participant-ref.js';

export interface RecipientQuery {
  /** A participant type of the policy (`store`, `customer`, …). */
  readonly type: string;
  /** Restrict to one store; absent means every store. */
  readonly storeId?: string;
  /** Case-insensitive match on name or email. */
  readonly query?: string;
  readonly limit: number;
}

/**
 * Who exists: resolves participants to their display name, email, locale and store, and lists
 * eligible recipients. The core only reads it; how entries get there is the host's business
 * (see `MarketplaceDirectory` for the marketplace's write side).
 *
 * @example
 * ```ts
 * const entry = await directory.resolve({ type: 'customer', id: 'c1' });
 * entry?.locale; // "fr"
 * ```
 */
export interface Directory {
  resolve(ref: ParticipantRef): Promise<DirectoryEntry | null>;

  /** Entries for every ref that resolves, keyed by `participantKey(ref)`. */
  resolveMany(refs: readonly ParticipantRef[]): Promise<Map<string, DirectoryEntry>>;

  /** Matching entries ordered by name then id. */
  searchRecipients(query: RecipientQuery): Promise<DirectoryEntry[]>;
}
