import type { Directory } from './directory.js';
import type { TenantDirectory } from './tenant-directory.js';

export const STORE_TIERS = ['essential', 'professional', 'business', 'enterprise'] as const;
export type StoreTier = (typeof STORE_TIERS)[number];

export interface StoreRecord {
  readonly id: string;
  readonly name: string;
  readonly tier: StoreTier;
  /**
   * The store's language (BCP 47, e.g. `fr`): message search stems the words of its new
   * conversations in it (`fr` → French, see migration 0021). Absent: unknown (no stemming).
   */
  readonly language?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type PlatformUserRole = 'admin' | 'store';

/** A platform user: an admin, or a member of one store's staff. */
export interface PlatformUserRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: PlatformUserRole;
  /** Required for role `store`, null for `admin`. */
  readonly storeId: string | null;
  readonly locale: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface CustomerRecord {
  readonly id: string;
  readonly storeId: string;
  readonly name: string;
  readonly email: string;
  readonly locale: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type UpsertStore = Omit<StoreRecord, 'createdAt' | 'updatedAt'>;
export type UpsertPlatformUser = Omit<PlatformUserRecord, 'createdAt' | 'updatedAt'>;
export type UpsertCustomer = Omit<CustomerRecord, 'createdAt' | 'updatedAt'>;

/**
 * The marketplace's directory: stores, platform users (admins and store staff) and customers,
 * as the host platform reports them. It resolves participants of types `admin` and `store`
 * (platform users by role) and `customer`.
 *
 * Upserts are idempotent: the same record twice leaves one row and keeps `createdAt`.
 * A user or customer naming an unknown store fails with `NOT_FOUND`.
 *
 * @example
 * ```ts
 * await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, now);
 * await directory.upsertCustomer({ id: 'c1', storeId: 's1', name: 'Ana', email: 'ana@example.com', locale: 'fr' }, now);
 * ```
 */
export interface MarketplaceDirectory extends Directory, TenantDirectory {
  upsertStore(store: UpsertStore, at: Date): Promise<StoreRecord>;
  getStore(id: string): Promise<StoreRecord | null>;
  /** The store of that id, as a tenant (the same record as `getStore`). */
  getTenant(id: string): Promise<StoreRecord | null>;
  upsertPlatformUser(user: UpsertPlatformUser, at: Date): Promise<PlatformUserRecord>;
  getPlatformUser(id: string): Promise<PlatformUserRecord | null>;
  upsertCustomer(customer: UpsertCustomer, at: Date): Promise<CustomerRecord>;
  getCustomer(id: string): Promise<CustomerRecord | null>;
  /** True when no store, user or customer exists yet (used to seed demo data once). */
  isEmpty(): Promise<boolean>;
}
