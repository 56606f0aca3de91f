import type { DirectoryEntry } from '../model/directory-entry.js';
import { type ParticipantRef, participantKey } from '../model/participant-ref.js';
import type { Clock } from '../ports/clock.js';
import type { Directory, RecipientQuery } from '../ports/directory.js';
import type { TenantDirectory, TenantSummary } from '../ports/tenant-directory.js';
import { changedParticipantId } from './directory-events.js';

export interface CachingDirectoryOptions {
  readonly clock: Clock;
  /** Entries kept at most; the least recently used go first (default 50,000). */
  readonly maxEntries?: number;
  /**
   * The longest an entry is served without reading the directory again, in milliseconds
   * (default 60,000): a safety net for a process whose log tail stalls. Invalidation through
   * `observe` is what keeps entries fresh.
   */
  readonly ttlMs?: number;
}

interface Cached {
  readonly entry: DirectoryEntry;
  readonly until: number;
}

/**
 * A per-process cache in front of a directory's `resolve` and `resolveMany`: every request
 * resolves its actor, and every inbox page its counterparts' names, from entries that change
 * rarely. Only found entries are kept (someone unknown is asked again next time, so a new person
 * can act at once). Entries are dropped when the process reads a `directory.changed` event from
 * the log (`observe`), and after `ttlMs` whatever happens. A read that started before a change was
 * observed does not store what it read, so a slow read cannot put a stale entry back.
 * `searchRecipients` and `getTenant` go straight to the directory.
 *
 * @example
 * ```ts
 * const directory = new CachingDirectory(new KyselyMarketplaceDirectory({ db }), { clock: systemClock });
 * createMessagingCore({ store, directory, settings });
 * hubFeed.onEventsRead = (events) => directory.observe(events); // the process's log tail
 * ```
 */
export class CachingDirectory implements Directory, TenantDirectory {
  readonly #inner: Directory & TenantDirectory;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #ttlMs: number;
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  readonly #entries = new Map<string, Cached>();
  #generation = 0;

  constructor(inner: Directory & TenantDirectory, options: CachingDirectoryOptions) {
    this.#inner = inner;
    this.#clock = options.clock;
    this.#max = Math.max(1, options.maxEntries ?? 50_000);
    this.#ttlMs = options.ttlMs ?? 60_000;
  }

  async resolve(ref: ParticipantRef): Promise<DirectoryEntry | null> {
    const found = await this.resolveMany([ref]);
    return found.get(participantKey(ref)) ?? null;
  }

  /** Cached entries, and one read of the directory for the refs not cached. */
  async resolveMany(refs: readonly ParticipantRef[]): Promise<Map<string, DirectoryEntry>> {
    const now = this.#clock.now().getTime();
    const result = new Map<string, DirectoryEntry>();
    const missing: ParticipantRef[] = [];
    for (const ref of refs) {
      const key = participantKey(ref);
      const cached = this.#entries.get(key);
      if (cached !== undefined && cached.until > now) {
        this.#entries.delete(key);
        this.#entries.set(key, cached);
        result.set(key, cached.entry);
      } else {
        if (cached !== undefined) this.#entries.delete(key);
        missing.push(ref);
      }
    }
    if (missing.length === 0) return result;
    const generation = this.#generation;
    const found = await this.#inner.resolveMany(missing);
    const fresh = generation === this.#generation;
    for (const [key, entry] of found) {
      result.set(key, entry);
      if (fresh) this.#remember(key, entry, now + this.#ttlMs);
    }
    return result;
  }

  searchRecipients(query: RecipientQuery): Promise<DirectoryEntry[]> {
    return this.#inner.searchRecipients(query);
  }

  getTenant(id: string): Promise<TenantSummary | null> {
    return this.#inner.getTenant(id);
  }

  /**
   * Drops the entries of every participant a `directory.changed` event names (other events are
   * ignored). Call it with each batch the process reads from the event log.
   */
  observe(events: readonly { readonly type: string; readonly payload: unknown }[]): void {
    for (const event of events) {
      const id = changedParticipantId(event);
      if (id !== null) this.invalidate(id);
    }
  }

  /** Drops every cached entry under participant id `id` (any type). */
  invalidate(id: string): void {
    this.#generation += 1;
    for (const [key, cached] of this.#entries) if (cached.entry.ref.id === id) this.#entries.delete(key);
  }

  /** Drops everything (the log tail restarted and may have missed changes). */
  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  /** How many entries are held (metrics and tests). */
  get size(): number {
    return this.#entries.size;
  }

  #remember(key: string, entry: DirectoryEntry, until: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { entry, until });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
