import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SettingsStore } from '../../ports/settings-store.js';
import type { SettingsStoreRawReader } from './raw-readers.js';

export interface SettingsStoreContractTarget {
  readonly settings: SettingsStore;
  readonly raw: SettingsStoreRawReader;
  readonly teardown?: () => Promise<void>;
}

export interface SettingsStoreContractOptions {
  readonly name: string;
  readonly setup: () => Promise<SettingsStoreContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

/**
 * The behaviour every `SettingsStore` adapter must show.
 *
 * @example
 * ```ts
 * settingsStoreContract({ name: 'in-memory', setup: async () => { const s = new InMemorySettingsStore(); return { settings: s, raw: s.raw }; } });
 * ```
 */
export function settingsStoreContract(options: SettingsStoreContractOptions): void {
  describe(`SettingsStore contract: ${options.name}`, () => {
    let target: SettingsStoreContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('returns null for a setting never stored', async () => {
      expect(await target.settings.get('message_attachment_max_size_mb')).toBeNull();
      expect(await target.settings.list()).toEqual([]);
    });

    it('stores, replaces and lists settings with JSON values', async () => {
      const { settings, raw } = target;
      await settings.set({
        key: 'message_attachment_max_size_mb',
        value: 10,
        category: 'messaging',
        updatedAt: at(0),
      });
      await settings.set({
        key: 'b_object',
        value: { nested: [1, 'two', true, null] },
        category: 'misc',
        updatedAt: at(1),
      });
      await settings.set({
        key: 'message_attachment_max_size_mb',
        value: 2.5,
        category: 'messaging',
        updatedAt: at(2),
      });
      expect(await settings.get('message_attachment_max_size_mb')).toEqual({
        key: 'message_attachment_max_size_mb',
        value: 2.5,
        category: 'messaging',
        updatedAt: at(2),
      });
      expect(await raw.setting('message_attachment_max_size_mb')).toMatchObject({
        value: 2.5,
        updatedAt: at(2),
      });
      expect((await settings.list()).map((s) => [s.key, s.value])).toEqual([
        ['b_object', { nested: [1, 'two', true, null] }],
        ['message_attachment_max_size_mb', 2.5],
      ]);
    });
  });
}
