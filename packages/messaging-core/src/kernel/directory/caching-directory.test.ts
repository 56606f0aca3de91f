import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../model/directory-entry.js';
import type { ParticipantRef } from '../model/participant-ref.js';
import type { Directory } from '../ports/directory.js';
import type { TenantDirectory } from '../ports/tenant-directory.js';
import { InMemoryMarketplaceDirectory } from '../testing/in-memory-marketplace-directory.js';
import { CachingDirectory } from './caching-directory.js';
import { DIRECTORY_CHANGED } from './directory-events.js';

const AT = new Date('2026-12-01T10:00:00Z');

/** The in-memory directory, counting the reads that reach it. */
async function setup(options: { maxEntries?: number; ttlMs?: number } = {}) {
  const inner = new InMemoryMarketplaceDirectory();
  await inner.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, AT);
  await inner.upsertPlatformUser(
    { id: 'u1', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 's1', locale: 'en' },
    AT,
  );
  await inner.upsertCustomer({ id: 'c1', storeId: 's1', name: 'Ana', email: 'ana@x.test', locale: 'fr' }, AT);
  await inner.upsertCustomer({ id: 'c2', storeId: 's1', name: 'Bo', email: 'bo@x.test', locale: 'de' }, AT);
  const reads: ParticipantRef[][] = [];
  let now = AT.getTime();
  const counted: Directory & TenantDirectory = {
    resolve: (ref) => inner.resolve(ref),
    resolveMany: async (refs) => {
      reads.push([...refs]);
      return inner.resolveMany(refs);
    },
    searchRecipients: (query) => inner.searchRecipients(query),
    getTenant: (id) => inner.getTenant(id),
  };
  const cache = new CachingDirectory(counted, { clock: { now: () => new Date(now) }, ...options });
  return { inner, cache, reads, advance: (ms: number) => (now += ms) };
}

const sam = { type: 'store', id: 'u1' };
const ana = { type: 'customer', id: 'c1' };
const bo = { type: 'customer', id: 'c2' };

describe('CachingDirectory', () => {
  it('reads each entry once, then answers from memory; only the missing refs are read', async () => {
    const { cache, reads } = await setup();
    expect((await cache.resolve(sam))?.name).toBe('Sam');
    expect((await cache.resolve(sam))?.name).toBe('Sam');
    const both = await cache.resolveMany([sam, ana]);
    expect([...both.values()].map((entry: DirectoryEntry) => entry.name).sort()).toEqual(['Ana', 'Sam']);
    expect(reads).toEqual([[sam], [ana]]);
  });

  it('does not keep unknown people, so someone added later is found at once', async () => {
    const { inner, cache, reads } = await setup();
    const newcomer = { type: 'customer', id: 'c9' };
    expect(await cache.resolve(newcomer)).toBeNull();
    await inner.upsertCustomer({ id: 'c9', storeId: 's1', name: 'Cy', email: 'cy@x.test', locale: 'en' }, AT);
    expect((await cache.resolve(newcomer))?.name).toBe('Cy');
    expect(reads.length).toBe(2);
  });

  it('drops a participant on directory.changed, under every type, and reads it again', async () => {
    const { inner, cache, reads } = await setup();
    await cache.resolveMany([sam, ana, bo]);
    await inner.upsertPlatformUser(
      { id: 'u1', name: 'Admin Sam', email: 'sam@acme.test', role: 'admin', storeId: null, locale: 'en' },
      AT,
    );
    cache.observe([
      { type: 'message.sent', payload: { participant_id: 'u1' } },
      { type: DIRECTORY_CHANGED, payload: { participant_id: 'u1', change: 'updated' } },
    ]);
    expect(cache.size).toBe(2);
    // No longer a store user: the old entry must not answer.
    expect(await cache.resolve(sam)).toBeNull();
    expect((await cache.resolve({ type: 'admin', id: 'u1' }))?.name).toBe('Admin Sam');
    expect((await cache.resolve(ana))?.name).toBe('Ana');
    expect(reads.length).toBe(3);
  });

  it('does not store what a read saw when a change was observed while it ran', async () => {
    const { inner, cache } = await setup();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = new CachingDirectory(
      {
        resolve: (ref) => inner.resolve(ref),
        resolveMany: async (refs) => {
          const found = await inner.resolveMany(refs);
          await gate;
          return found;
        },
        searchRecipients: (query) => inner.searchRecipients(query),
        getTenant: (id) => inner.getTenant(id),
      },
      { clock: { now: () => AT } },
    );
    const pending = slow.resolve(ana);
    slow.observe([{ type: DIRECTORY_CHANGED, payload: { participant_id: 'c1', change: 'updated' } }]);
    release();
    expect((await pending)?.name).toBe('Ana');
    expect(slow.size).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('reads again after ttlMs and holds at most maxEntries, the least recently used dropped', async () => {
    const { cache, reads, advance } = await setup({ maxEntries: 2, ttlMs: 1_000 });
    await cache.resolve(sam);
    await cache.resolve(ana);
    await cache.resolve(sam);
    await cache.resolve(bo);
    expect(cache.size).toBe(2);
    expect(reads.length).toBe(3);
    await cache.resolve(sam);
    expect(reads.length).toBe(3);
    await cache.resolve(ana);
    expect(reads.length).toBe(4);
    advance(1_000);
    await cache.resolve(ana);
    expect(reads.length).toBe(5);
  });
});
