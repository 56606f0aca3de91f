import type { ModerationSettings } from '../model/moderation.js';
import type { ModerationSettingsRepository } from '../ports/moderation-settings-repository.js';

/**
 * Keeps each tenant's moderation configuration in the process for `ttlMs`, so the send path
 * reads no row for it (the allow path stays one statement). A `put` through this instance drops
 * its own entry at once; other processes see a change within `ttlMs` (default 30 s).
 *
 * @example
 * ```ts
 * const settings = new CachingModerationSettings(new KyselyModerationSettingsRepository(db), { ttlMs: 30_000 });
 * ```
 */
export class CachingModerationSettings implements ModerationSettingsRepository {
  readonly #inner: ModerationSettingsRepository;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<
    string,
    { readonly value: ModerationSettings | null; readonly until: number }
  >();

  constructor(
    inner: ModerationSettingsRepository,
    options: { readonly ttlMs?: number; readonly now?: () => number } = {},
  ) {
    this.#inner = inner;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  async get(tenantId: string): Promise<ModerationSettings | null> {
    const now = this.#now();
    const cached = this.#entries.get(tenantId);
    if (cached !== undefined && cached.until > now) return cached.value;
    const value = await this.#inner.get(tenantId);
    if (this.#entries.size > 10_000) this.#entries.clear();
    this.#entries.set(tenantId, { value, until: now + this.#ttlMs });
    return value;
  }

  async put(tenantId: string, settings: ModerationSettings, at: Date): Promise<void> {
    this.#entries.delete(tenantId);
    await this.#inner.put(tenantId, settings, at);
    this.#entries.delete(tenantId);
  }
}
