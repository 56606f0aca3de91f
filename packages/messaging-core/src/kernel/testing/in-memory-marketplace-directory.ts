import { MessagingError } from '../errors.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import { type ParticipantRef, participantKey } from '../model/participant-ref.js';
import type { RecipientQuery } from '../ports/directory.js';
import type {
  CustomerRecord,
  MarketplaceDirectory,
  PlatformUserRecord,
  StoreRecord,
  UpsertCustomer,
  UpsertPlatformUser,
  UpsertStore,
} from '../ports/marketplace-directory.js';

function userEntry(user: PlatformUserRecord): DirectoryEntry {
  return {
    ref: { type: user.role, id: user.id },
    name: user.name,
    email: user.email,
    locale: user.locale,
    storeId: user.storeId,
  };
}

function customerEntry(customer: CustomerRecord): DirectoryEntry {
  return {
    ref: { type: 'customer', id: customer.id },
    name: customer.name,
    email: customer.email,
    locale: customer.locale,
    storeId: customer.storeId,
  };
}

/**
 * The marketplace directory in memory.
 *
 * @example
 * ```ts
 * const directory = new InMemoryMarketplaceDirectory();
 * await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'essential' }, new Date());
 * ```
 */
export class InMemoryMarketplaceDirectory implements MarketplaceDirectory {
  readonly #stores = new Map<string, StoreRecord>();
  readonly #users = new Map<string, PlatformUserRecord>();
  readonly #customers = new Map<string, CustomerRecord>();

  async upsertStore(store: UpsertStore, at: Date): Promise<StoreRecord> {
    const existing = this.#stores.get(store.id);
    const record: StoreRecord = { ...store, createdAt: existing?.createdAt ?? at, updatedAt: at };
    this.#stores.set(store.id, record);
    return record;
  }

  async getStore(id: string): Promise<StoreRecord | null> {
    return this.#stores.get(id) ?? null;
  }

  async getTenant(id: string): Promise<StoreRecord | null> {
    return this.getStore(id);
  }

  async upsertPlatformUser(user: UpsertPlatformUser, at: Date): Promise<PlatformUserRecord> {
    if (user.role === 'store' && user.storeId === null) {
      throw MessagingError.validation('store_id', 'store_id is required for role store');
    }
    if (user.storeId !== null && !this.#stores.has(user.storeId))
      throw MessagingError.notFound('store', user.storeId);
    const existing = this.#users.get(user.id);
    const record: PlatformUserRecord = {
      ...user,
      storeId: user.role === 'admin' ? null : user.storeId,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    };
    this.#users.set(user.id, record);
    return record;
  }

  async getPlatformUser(id: string): Promise<PlatformUserRecord | null> {
    return this.#users.get(id) ?? null;
  }

  async upsertCustomer(customer: UpsertCustomer, at: Date): Promise<CustomerRecord> {
    if (!this.#stores.has(customer.storeId)) throw MessagingError.notFound('store', customer.storeId);
    const existing = this.#customers.get(customer.id);
    const record: CustomerRecord = { ...customer, createdAt: existing?.createdAt ?? at, updatedAt: at };
    this.#customers.set(customer.id, record);
    return record;
  }

  async getCustomer(id: string): Promise<CustomerRecord | null> {
    return this.#customers.get(id) ?? null;
  }

  async isEmpty(): Promise<boolean> {
    return this.#stores.size === 0 && this.#users.size === 0 && this.#customers.size === 0;
  }

  async resolve(ref: ParticipantRef): Promise<DirectoryEntry | null> {
    if (ref.type === 'customer') {
      const customer = this.#customers.get(ref.id);
      return customer ? customerEntry(customer) : null;
    }
    const user = this.#users.get(ref.id);
    return user && user.role === ref.type ? userEntry(user) : null;
  }

  async resolveMany(refs: readonly ParticipantRef[]): Promise<Map<string, DirectoryEntry>> {
    const result = new Map<string, DirectoryEntry>();
    for (const ref of refs) {
      const entry = await this.resolve(ref);
      if (entry) result.set(participantKey(ref), entry);
    }
    return result;
  }

  async searchRecipients(query: RecipientQuery): Promise<DirectoryEntry[]> {
    const candidates: DirectoryEntry[] =
      query.type === 'customer'
        ? [...this.#customers.values()].map(customerEntry)
        : [...this.#users.values()].filter((u) => u.role === query.type).map(userEntry);
    const needle = query.query?.trim().toLowerCase();
    return candidates
      .filter((e) => query.storeId === undefined || e.storeId === query.storeId)
      .filter(
        (e) =>
          !needle || e.name.toLowerCase().includes(needle) || (e.email ?? '').toLowerCase().includes(needle),
      )
      .sort((a, b) => (a.name === b.name ? (a.ref.id < b.ref.id ? -1 : 1) : a.name < b.name ? -1 : 1))
      .slice(0, query.limit);
  }
}
