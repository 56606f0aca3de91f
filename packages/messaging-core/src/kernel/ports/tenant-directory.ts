import type { StoreTier } from './marketplace-directory.js';

/** What every directory tells about a tenant (a store, a school, a clinic). */
export interface TenantSummary {
  readonly id: string;
  /** Shown in emails and admin alerts ("Acme can send email through smtp"). */
  readonly name: string;
  /**
   * The tenant's plan, where the directory has plans: the marketplace's store tier, which decides
   * the email providers a store's own settings may use. Absent (the people directory has no
   * plans): the base plan, `essential`.
   */
  readonly tier?: StoreTier;
}

/**
 * Looks tenants up by id, whatever the preset's directory: both `MarketplaceDirectory` (stores)
 * and `PeopleDirectory` (tenants) implement it, so the email use cases never ask which preset runs.
 *
 * @example
 * ```ts
 * const tenant = await tenants.getTenant('s1');
 * tenant?.name; // "Acme"
 * ```
 */
export interface TenantDirectory {
  /** Null when no tenant has that id. */
  getTenant(id: string): Promise<TenantSummary | null>;
}
