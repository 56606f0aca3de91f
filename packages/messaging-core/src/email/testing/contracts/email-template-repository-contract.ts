import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_EMAIL_TEMPLATES } from '../../model/default-templates.js';
import type { EmailTemplate, StoreEmailTemplate } from '../../model/email-template.js';
import type { EmailTemplateRepository } from '../../ports/email-template-repository.js';
import type { EmailTemplateRawReader } from './raw-readers.js';

export interface EmailTemplateRepositoryContractTarget {
  /** A repository over freshly migrated (seeded) storage. */
  readonly repository: EmailTemplateRepository;
  readonly raw: EmailTemplateRawReader;
  /** Adds a store to the directory the overrides refer to. */
  readonly addStore: (storeId: string) => Promise<void>;
  readonly teardown?: () => Promise<void>;
}

export interface EmailTemplateRepositoryContractOptions {
  readonly name: string;
  readonly setup: () => Promise<EmailTemplateRepositoryContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

function platform(overrides: Partial<EmailTemplate> & { code: string; language: string }): EmailTemplate {
  return {
    name: 'Order shipped',
    description: 'Sent when an order ships.',
    category: 'orders',
    subject: 'Order {{ order_number }} shipped',
    bodyHtml: '<p>Your order {{ order_number }} is on its way.</p>',
    bodyText: 'Your order {{ order_number }} is on its way.',
    variables: [{ name: 'order_number', description: 'The order number.' }],
    requiredVariables: ['order_number'],
    isActive: true,
    isPlatformOnly: false,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function override(
  overrides: Partial<StoreEmailTemplate> & { storeId: string; code: string; language: string },
): StoreEmailTemplate {
  return {
    subject: 'Acme: {{ conversation_subject }}',
    bodyHtml: '<p>Acme says hi</p>',
    bodyText: null,
    isActive: true,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

const withoutTimestamps = ({ createdAt: _c, updatedAt: _u, ...rest }: EmailTemplate) => rest;

/**
 * The behaviour every `EmailTemplateRepository` adapter must show, seeded defaults included.
 *
 * @example
 * ```ts
 * emailTemplateRepositoryContract({ name: 'in-memory', setup: async () => { … } });
 * ```
 */
export function emailTemplateRepositoryContract(options: EmailTemplateRepositoryContractOptions): void {
  describe(`EmailTemplateRepository contract: ${options.name}`, () => {
    let target: EmailTemplateRepositoryContractTarget;
    beforeEach(async () => {
      target = await options.setup();
      await target.addStore('acme');
      await target.addStore('globex');
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('starts with the default templates: inbound_bounce and new_message in de, en and fr', async () => {
      const all = await target.repository.listPlatformTemplates();
      expect(all.map(withoutTimestamps)).toEqual(DEFAULT_EMAIL_TEMPLATES);
      expect((await target.repository.listPlatformTemplates('new_message')).map((t) => t.language)).toEqual([
        'de',
        'en',
        'fr',
      ]);
      expect(await target.repository.listPlatformTemplates('nope')).toEqual([]);
      const fr = await target.raw.platformTemplate('new_message', 'fr');
      expect(fr?.subject).toBe('Nouveau message : {{ conversation_subject }}');
      expect(fr?.requiredVariables).toEqual([
        'conversation_subject',
        'sender_name',
        'message_preview',
        'reply_url',
      ]);
    });

    it('inserts and replaces platform templates, keeping the first createdAt', async () => {
      const first = platform({ code: 'order_shipped', language: 'en' });
      expect(await target.repository.savePlatformTemplate(first)).toEqual(first);
      expect(await target.raw.platformTemplate('order_shipped', 'en')).toEqual(first);
      expect(await target.repository.getPlatformTemplate('order_shipped', 'en')).toEqual(first);
      expect(await target.repository.getPlatformTemplate('order_shipped', 'fr')).toBeNull();

      const replaced = platform({
        code: 'order_shipped',
        language: 'en',
        subject: 'Shipped!',
        bodyText: null,
        category: 'marketing',
        variables: [],
        requiredVariables: [],
        isActive: false,
        isPlatformOnly: true,
        createdAt: at(50),
        updatedAt: at(60),
      });
      expect(await target.repository.savePlatformTemplate(replaced)).toEqual({
        ...replaced,
        createdAt: at(0),
      });
      expect(await target.raw.platformTemplate('order_shipped', 'en')).toEqual({
        ...replaced,
        createdAt: at(0),
      });
      expect((await target.repository.listPlatformTemplates()).map((t) => `${t.code}/${t.language}`)).toEqual(
        [
          'digest_daily/de',
          'digest_daily/en',
          'digest_daily/fr',
          'digest_weekly/de',
          'digest_weekly/en',
          'digest_weekly/fr',
          'inbound_bounce/de',
          'inbound_bounce/en',
          'inbound_bounce/fr',
          'new_message/de',
          'new_message/en',
          'new_message/fr',
          'order_shipped/en',
        ],
      );
    });

    it('stores overrides per store, code and language, and replaces them keeping createdAt', async () => {
      const fr = override({ storeId: 'acme', code: 'new_message', language: 'fr', bodyText: 'Salut' });
      const en = override({ storeId: 'acme', code: 'new_message', language: 'en' });
      expect(await target.repository.saveStoreTemplate(fr)).toEqual(fr);
      await target.repository.saveStoreTemplate(en);
      expect(await target.raw.storeTemplate('acme', 'new_message', 'fr')).toEqual(fr);
      expect(await target.repository.getStoreTemplate('acme', 'new_message', 'fr')).toEqual(fr);
      expect(await target.repository.getStoreTemplate('globex', 'new_message', 'fr')).toBeNull();
      expect((await target.repository.listStoreTemplates('acme')).map((t) => t.language)).toEqual([
        'en',
        'fr',
      ]);
      expect(await target.repository.listStoreTemplates('acme', 'new_message')).toEqual([en, fr]);
      expect(await target.repository.listStoreTemplates('acme', 'other')).toEqual([]);
      expect(await target.repository.listStoreTemplates('globex')).toEqual([]);

      const replaced = { ...fr, subject: 'Changé', isActive: false, createdAt: at(10), updatedAt: at(20) };
      expect(await target.repository.saveStoreTemplate(replaced)).toEqual({ ...replaced, createdAt: at(0) });
      expect(await target.raw.storeTemplate('acme', 'new_message', 'fr')).toEqual({
        ...replaced,
        createdAt: at(0),
      });
    });

    it('deletes an override and says whether there was one', async () => {
      await target.repository.saveStoreTemplate(
        override({ storeId: 'acme', code: 'new_message', language: 'fr' }),
      );
      await target.repository.saveStoreTemplate(
        override({ storeId: 'globex', code: 'new_message', language: 'fr' }),
      );
      expect(await target.repository.deleteStoreTemplate('acme', 'new_message', 'fr')).toBe(true);
      expect(await target.repository.deleteStoreTemplate('acme', 'new_message', 'fr')).toBe(false);
      expect(await target.raw.storeTemplate('acme', 'new_message', 'fr')).toBeNull();
      expect(await target.raw.storeTemplate('globex', 'new_message', 'fr')).not.toBeNull();
    });

    it('deletes one language of a platform template, leaving the others and the overrides', async () => {
      await target.repository.savePlatformTemplate(platform({ code: 'order_shipped', language: 'en' }));
      await target.repository.savePlatformTemplate(platform({ code: 'order_shipped', language: 'fr' }));
      await target.repository.saveStoreTemplate(
        override({ storeId: 'acme', code: 'order_shipped', language: 'fr' }),
      );
      expect(await target.repository.deletePlatformTemplate('order_shipped', 'fr')).toBe(true);
      expect(await target.repository.deletePlatformTemplate('order_shipped', 'fr')).toBe(false);
      expect(await target.raw.platformTemplate('order_shipped', 'fr')).toBeNull();
      expect(await target.raw.platformTemplate('order_shipped', 'en')).not.toBeNull();
      expect(await target.raw.storeTemplate('acme', 'order_shipped', 'fr')).not.toBeNull();
      expect(await target.repository.deletePlatformTemplate('nope', 'en')).toBe(false);
    });

    it('counts the store overrides of a code across stores and languages', async () => {
      expect(await target.repository.countStoreOverrides('new_message')).toBe(0);
      for (const [storeId, language] of [
        ['acme', 'fr'],
        ['acme', 'en'],
        ['globex', 'fr'],
      ] as const)
        await target.repository.saveStoreTemplate(override({ storeId, code: 'new_message', language }));
      expect(await target.repository.countStoreOverrides('new_message')).toBe(3);
      expect(await target.repository.countStoreOverrides('order_shipped')).toBe(0);
      await target.repository.deleteStoreTemplate('acme', 'new_message', 'en');
      expect(await target.repository.countStoreOverrides('new_message')).toBe(2);
    });

    it('refuses an override for a store the directory does not know', async () => {
      await expect(
        target.repository.saveStoreTemplate(
          override({ storeId: 'ghost', code: 'new_message', language: 'en' }),
        ),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await target.raw.storeTemplate('ghost', 'new_message', 'en')).toBeNull();
    });
  });
}
