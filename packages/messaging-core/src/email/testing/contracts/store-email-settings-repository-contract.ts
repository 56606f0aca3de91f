import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreEmailSettings } from '../../model/store-email-settings.js';
import type { StoreEmailSettingsRepository } from '../../ports/store-email-settings-repository.js';
import type { StoreEmailSettingsRawReader } from './raw-readers.js';

export interface StoreEmailSettingsRepositoryContractTarget {
  readonly repository: StoreEmailSettingsRepository;
  readonly raw: StoreEmailSettingsRawReader;
  /** Adds a store to the directory the repository's rows refer to. */
  readonly addStore: (storeId: string) => Promise<void>;
  readonly teardown?: () => Promise<void>;
}

export interface StoreEmailSettingsRepositoryContractOptions {
  readonly name: string;
  readonly setup: () => Promise<StoreEmailSettingsRepositoryContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

function settings(overrides: Partial<StoreEmailSettings> & { storeId: string }): StoreEmailSettings {
  return {
    fromEmail: 'shop@acme.test',
    fromName: 'Acme',
    replyToEmail: 'help@acme.test',
    signatureText: 'Acme team',
    signatureHtml: '<p>Acme team</p>',
    provider: 'smtp',
    fallbackProvider: 'sendgrid',
    smtpHost: 'smtp.acme.test',
    smtpPort: 587,
    smtpUsername: 'mailer',
    smtpPassword: 'v1.k1.iv.tag.ciphertext-smtp',
    smtpUseTls: true,
    smtpUseSsl: false,
    sendgridApiKey: 'v1.k1.iv.tag.ciphertext-sg',
    mailgunApiKey: null,
    mailgunDomain: 'mg.acme.test',
    mailgunRegion: 'eu',
    sesAccessKeyId: null,
    sesSecretAccessKey: null,
    sesRegion: 'eu-west-1',
    isConfigured: true,
    isVerified: false,
    lastVerifiedAt: null,
    verificationError: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

/**
 * The behaviour every `StoreEmailSettingsRepository` adapter must show.
 *
 * @example
 * ```ts
 * storeEmailSettingsRepositoryContract({ name: 'in-memory', setup: async () => { … } });
 * ```
 */
export function storeEmailSettingsRepositoryContract(
  options: StoreEmailSettingsRepositoryContractOptions,
): void {
  describe(`StoreEmailSettingsRepository contract: ${options.name}`, () => {
    let target: StoreEmailSettingsRepositoryContractTarget;
    beforeEach(async () => {
      target = await options.setup();
      await target.addStore('acme');
      await target.addStore('globex');
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('returns null for a store that never saved settings', async () => {
      expect(await target.repository.get('acme')).toBeNull();
      expect(await target.raw.settings('acme')).toBeNull();
    });

    it('stores every field, secrets exactly as given, and reads them back', async () => {
      const value = settings({ storeId: 'acme' });
      expect(await target.repository.upsert(value)).toEqual(value);
      expect(await target.raw.settings('acme')).toEqual(value);
      expect(await target.repository.get('acme')).toEqual(value);
      expect(await target.repository.get('globex')).toBeNull();
    });

    it('replaces the settings on upsert and keeps the first createdAt', async () => {
      await target.repository.upsert(settings({ storeId: 'acme' }));
      const replaced = settings({
        storeId: 'acme',
        provider: 'ses',
        fromName: null,
        replyToEmail: null,
        signatureText: null,
        signatureHtml: null,
        smtpHost: null,
        smtpPort: null,
        smtpUsername: null,
        smtpPassword: null,
        smtpUseTls: false,
        smtpUseSsl: true,
        sendgridApiKey: null,
        mailgunDomain: null,
        mailgunRegion: null,
        sesAccessKeyId: 'v1.k2.a.b.c',
        sesSecretAccessKey: 'v1.k2.d.e.f',
        isVerified: true,
        lastVerifiedAt: at(30),
        verificationError: 'earlier failure',
        createdAt: at(20),
        updatedAt: at(30),
      });
      const saved = await target.repository.upsert(replaced);
      expect(saved).toEqual({ ...replaced, createdAt: at(0) });
      expect(await target.raw.settings('acme')).toEqual({ ...replaced, createdAt: at(0) });
    });

    it('refuses settings for a store the directory does not know', async () => {
      await expect(target.repository.upsert(settings({ storeId: 'ghost' }))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await target.raw.settings('ghost')).toBeNull();
    });
  });
}
