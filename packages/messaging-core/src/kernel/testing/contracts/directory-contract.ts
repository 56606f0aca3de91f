import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../errors.js';
import type { MarketplaceDirectory } from '../../ports/marketplace-directory.js';

export interface DirectoryContractTarget {
  readonly directory: MarketplaceDirectory;
  readonly teardown?: () => Promise<void>;
}

export interface DirectoryContractOptions {
  readonly name: string;
  /** A fresh, empty directory for each test. */
  readonly setup: () => Promise<DirectoryContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

/**
 * The behaviour every `MarketplaceDirectory` adapter must show.
 *
 * @example
 * ```ts
 * directoryContract({ name: 'in-memory', setup: async () => ({ directory: new InMemoryMarketplaceDirectory() }) });
 * ```
 */
export function directoryContract(options: DirectoryContractOptions): void {
  describe(`MarketplaceDirectory contract: ${options.name}`, () => {
    let target: DirectoryContractTarget;
    let directory: MarketplaceDirectory;

    beforeEach(async () => {
      target = await options.setup();
      directory = target.directory;
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    async function seed() {
      await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, at(0));
      await directory.upsertStore({ id: 's2', name: 'Bolt', tier: 'essential' }, at(0));
      await directory.upsertPlatformUser(
        {
          id: 'u-admin',
          name: 'Ada Admin',
          email: 'ada@platform.test',
          role: 'admin',
          storeId: null,
          locale: 'en',
        },
        at(0),
      );
      await directory.upsertPlatformUser(
        {
          id: 'u-s1',
          name: 'Sam Seller',
          email: 'sam@acme.test',
          role: 'store',
          storeId: 's1',
          locale: 'de',
        },
        at(0),
      );
      await directory.upsertPlatformUser(
        { id: 'u-s2', name: 'Bea Bolt', email: 'bea@bolt.test', role: 'store', storeId: 's2', locale: 'en' },
        at(0),
      );
      await directory.upsertCustomer(
        { id: 'c1', storeId: 's1', name: 'Ana Buyer', email: 'ana@mail.test', locale: 'fr' },
        at(0),
      );
      await directory.upsertCustomer(
        { id: 'c2', storeId: 's1', name: 'Ben Buyer', email: 'ben@mail.test', locale: 'en' },
        at(0),
      );
      await directory.upsertCustomer(
        { id: 'c3', storeId: 's2', name: 'Cleo', email: 'cleo@mail.test', locale: 'en' },
        at(0),
      );
    }

    it('starts empty and stops being empty after the first store', async () => {
      expect(await directory.isEmpty()).toBe(true);
      await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'essential' }, at(0));
      expect(await directory.isEmpty()).toBe(false);
    });

    it('upserts stores idempotently, keeping createdAt', async () => {
      const first = await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'essential' }, at(0));
      expect(first).toEqual({
        id: 's1',
        name: 'Acme',
        tier: 'essential',
        createdAt: at(0),
        updatedAt: at(0),
      });
      const second = await directory.upsertStore({ id: 's1', name: 'Acme Ltd', tier: 'enterprise' }, at(5));
      expect(second).toEqual({
        id: 's1',
        name: 'Acme Ltd',
        tier: 'enterprise',
        createdAt: at(0),
        updatedAt: at(5),
      });
      expect(await directory.getStore('s1')).toEqual(second);
      expect(await directory.getStore('nope')).toBeNull();
    });

    it('upserts users and customers, and refuses unknown stores with NOT_FOUND', async () => {
      await seed();
      expect(await directory.getPlatformUser('u-s1')).toMatchObject({
        role: 'store',
        storeId: 's1',
        locale: 'de',
      });
      expect(await directory.getCustomer('c1')).toMatchObject({
        storeId: 's1',
        email: 'ana@mail.test',
        locale: 'fr',
      });
      const updated = await directory.upsertCustomer(
        { id: 'c1', storeId: 's1', name: 'Ana B.', email: 'ana@new.test', locale: 'fr' },
        at(9),
      );
      expect(updated).toMatchObject({
        name: 'Ana B.',
        email: 'ana@new.test',
        createdAt: at(0),
        updatedAt: at(9),
      });
      for (const attempt of [
        () =>
          directory.upsertCustomer(
            { id: 'c9', storeId: 'ghost', name: 'X', email: 'x@mail.test', locale: 'en' },
            at(1),
          ),
        () =>
          directory.upsertPlatformUser(
            { id: 'u9', name: 'X', email: 'x@mail.test', role: 'store', storeId: 'ghost', locale: 'en' },
            at(1),
          ),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(isMessagingError(error) && error.code).toBe('NOT_FOUND');
      }
      expect(await directory.getCustomer('c9')).toBeNull();
      expect(await directory.getPlatformUser('u9')).toBeNull();
    });

    it('resolves participants by type, and only by their own type', async () => {
      await seed();
      expect(await directory.resolve({ type: 'admin', id: 'u-admin' })).toEqual({
        ref: { type: 'admin', id: 'u-admin' },
        name: 'Ada Admin',
        email: 'ada@platform.test',
        locale: 'en',
        storeId: null,
      });
      expect(await directory.resolve({ type: 'store', id: 'u-s1' })).toMatchObject({
        storeId: 's1',
        locale: 'de',
      });
      expect(await directory.resolve({ type: 'customer', id: 'c1' })).toMatchObject({
        storeId: 's1',
        name: 'Ana Buyer',
      });
      expect(await directory.resolve({ type: 'admin', id: 'u-s1' })).toBeNull();
      expect(await directory.resolve({ type: 'store', id: 'u-admin' })).toBeNull();
      expect(await directory.resolve({ type: 'customer', id: 'u-s1' })).toBeNull();
      expect(await directory.resolve({ type: 'robot', id: 'c1' })).toBeNull();
      const many = await directory.resolveMany([
        { type: 'customer', id: 'c1' },
        { type: 'store', id: 'u-s2' },
        { type: 'customer', id: 'missing' },
      ]);
      expect([...many.keys()].sort()).toEqual(['customer:c1', 'store:u-s2']);
      expect(many.get('store:u-s2')?.name).toBe('Bea Bolt');
    });

    it('searches recipients by type, store and text, ordered by name, limited', async () => {
      await seed();
      const names = async (query: Parameters<MarketplaceDirectory['searchRecipients']>[0]) =>
        (await directory.searchRecipients(query)).map((e) => e.ref.id);
      expect(await names({ type: 'customer', limit: 10 })).toEqual(['c1', 'c2', 'c3']);
      expect(await names({ type: 'customer', storeId: 's1', limit: 10 })).toEqual(['c1', 'c2']);
      expect(await names({ type: 'customer', query: 'BEN', limit: 10 })).toEqual(['c2']);
      expect(await names({ type: 'customer', query: 'mail.test', storeId: 's2', limit: 10 })).toEqual(['c3']);
      expect(await names({ type: 'customer', limit: 1 })).toEqual(['c1']);
      expect(await names({ type: 'store', limit: 10 })).toEqual(['u-s2', 'u-s1']);
      expect(await names({ type: 'admin', limit: 10 })).toEqual(['u-admin']);
      expect(await names({ type: 'customer', query: '%', limit: 10 })).toEqual([]);
      expect(await names({ type: 'customer', query: '_', limit: 10 })).toEqual([]);
    });
  });
}
