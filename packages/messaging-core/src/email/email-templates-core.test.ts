import { beforeEach, describe, expect, it } from 'vitest';
import { MessagingError } from '../kernel/errors.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { createEmailTemplatesCore, type EmailTemplatesCore } from './email-templates-core.js';
import type { EmailTemplate } from './model/email-template.js';
import { InMemoryEmailTemplateRepository } from './testing/in-memory-email-template-repository.js';
import { InMemoryTemplateRenderer } from './testing/in-memory-template-renderer.js';

const admin: Actor = { type: 'admin', id: 'root', tenantId: null };
const acme: Actor = { type: 'store', id: 'staff-1', tenantId: 'acme' };
const globex: Actor = { type: 'store', id: 'staff-2', tenantId: 'globex' };
const customer: Actor = { type: 'customer', id: 'c1', tenantId: 'acme' };
const at = new Date('2026-01-01T00:00:00Z');

const shipped = (language: string, subject: string, extra: Partial<EmailTemplate> = {}): EmailTemplate => ({
  code: 'order_shipped',
  language,
  name: 'Order shipped',
  description: '',
  category: 'orders',
  subject,
  bodyHtml: '<p>Order {{ order_number }} for {{ name }}</p>',
  bodyText: null,
  variables: [],
  requiredVariables: ['order_number'],
  isActive: true,
  isPlatformOnly: false,
  createdAt: at,
  updatedAt: at,
  ...extra,
});

describe('email templates use cases (in-memory)', () => {
  let core: EmailTemplatesCore;
  let repository: InMemoryEmailTemplateRepository;
  let clock: FixedClock;
  beforeEach(async () => {
    const directory = new InMemoryMarketplaceDirectory();
    for (const id of ['acme', 'globex']) await directory.upsertStore({ id, name: id, tier: 'business' }, at);
    repository = new InMemoryEmailTemplateRepository({ directory });
    await repository.savePlatformTemplate(shipped('en', 'Order {{ order_number }} shipped'));
    await repository.savePlatformTemplate(shipped('fr', 'Commande {{ order_number }} expédiée'));
    await repository.savePlatformTemplate({
      ...shipped('en', 'Reset your password'),
      code: 'password_reset',
      category: 'auth',
      requiredVariables: [],
      isPlatformOnly: true,
    });
    clock = new FixedClock(new Date('2026-03-01T12:00:00Z'));
    core = createEmailTemplatesCore({
      templates: repository,
      renderer: new InMemoryTemplateRenderer(),
      clock,
    });
  });

  it('lets admins list, read and update platform templates; nobody else', async () => {
    const all = await core.listPlatformTemplates(admin);
    expect(all.map((t) => `${t.code}/${t.language}`)).toEqual([
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
      'order_shipped/fr',
      'password_reset/en',
    ]);
    await expect(core.listPlatformTemplates(acme)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(core.getPlatformTemplate(customer, 'order_shipped', 'en')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(core.getPlatformTemplate(admin, 'nope', 'en')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const updated = await core.updatePlatformTemplate(admin, 'order_shipped', 'en', {
      subject: 'Shipped: {{ order_number }}',
      bodyText: 'Order {{ order_number }}',
    });
    expect(updated.subject).toBe('Shipped: {{ order_number }}');
    expect(updated.bodyText).toBe('Order {{ order_number }}');
    expect(updated.updatedAt).toEqual(new Date('2026-03-01T12:00:00Z'));
    expect(updated.createdAt).toEqual(at);
    expect((await repository.raw.platformTemplate('order_shipped', 'en'))?.subject).toBe(
      'Shipped: {{ order_number }}',
    );
  });

  it('refuses template syntax errors on save, naming the field', async () => {
    await expect(
      core.updatePlatformTemplate(admin, 'order_shipped', 'en', { bodyHtml: '<p>{{ order_number </p>' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'body_html' });
    await expect(
      core.saveStoreTemplate(acme, 'order_shipped', 'en', { subject: 'Hi {{ x', bodyHtml: '<p>ok</p>' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'subject' });
    await expect(
      core.saveStoreTemplate(acme, 'order_shipped', 'en', { subject: 'ok', bodyHtml: 'ok', bodyText: '{{' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'body_text' });
  });

  it('previews a platform template: variables escaped in HTML, text generated from the HTML', async () => {
    const preview = await core.previewPlatformTemplate(admin, 'order_shipped', 'en', {
      order_number: 42,
      name: '<b>Ann</b>',
    });
    expect(preview).toEqual({
      subject: 'Order 42 shipped',
      html: '<p>Order 42 for &lt;b&gt;Ann&lt;/b&gt;</p>',
      text: 'Order 42 for <b>Ann</b>',
      templateCode: 'order_shipped',
      language: 'en',
      source: 'platform',
    });
  });

  it('fails naming the missing required variables', async () => {
    await expect(
      core.previewPlatformTemplate(admin, 'order_shipped', 'en', { name: 'Ann', order_number: '' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'variables',
      message: 'missing required template variables: order_number',
      details: { missing: ['order_number'] },
    });
    await expect(
      core.renderEmail({
        code: 'new_message',
        language: 'de',
        storeId: null,
        variables: { sender_name: 'Bo' },
      }),
    ).rejects.toMatchObject({
      message: 'missing required template variables: conversation_subject, message_preview, reply_url',
    });
  });

  it('lists what a store may override (not platform-only) with its overrides', async () => {
    await core.saveStoreTemplate(acme, 'order_shipped', 'fr', {
      subject: 'Acme {{ order_number }}',
      bodyHtml: 'x',
    });
    const list = await core.listStoreTemplates(acme);
    expect(
      list.map((v) => [`${v.template.code}/${v.template.language}`, v.override?.subject ?? null]),
    ).toEqual([
      ['digest_daily/de', null],
      ['digest_daily/en', null],
      ['digest_daily/fr', null],
      ['digest_weekly/de', null],
      ['digest_weekly/en', null],
      ['digest_weekly/fr', null],
      ['new_message/de', null],
      ['new_message/en', null],
      ['new_message/fr', null],
      ['order_shipped/en', null],
      ['order_shipped/fr', 'Acme {{ order_number }}'],
    ]);
    expect((await core.listStoreTemplates(globex)).every((v) => v.override === null)).toBe(true);
    await expect(core.listStoreTemplates(customer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(core.listStoreTemplates(admin)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('creates, previews with the resolution, and deletes an override', async () => {
    const saved = await core.saveStoreTemplate(acme, 'order_shipped', 'fr', {
      subject: 'Acme : commande {{ order_number }}',
      bodyHtml: '<p>Merci {{ name }}</p>',
      bodyText: 'Merci {{ name }} !',
    });
    expect(saved.override).toMatchObject({ storeId: 'acme', isActive: true, bodyText: 'Merci {{ name }} !' });
    const variables = { order_number: 7, name: 'Léa' };
    expect(await core.previewStoreTemplate(acme, 'order_shipped', 'fr', variables)).toEqual({
      subject: 'Acme : commande 7',
      html: '<p>Merci Léa</p>',
      text: 'Merci Léa !',
      templateCode: 'order_shipped',
      language: 'fr',
      source: 'store',
    });
    // Another store's recipients get the platform template.
    expect(
      (await core.renderEmail({ code: 'order_shipped', language: 'fr', storeId: 'globex', variables }))
        .subject,
    ).toBe('Commande 7 expédiée');
    // A German recipient of acme: no de template → the platform en one (acme has no en override).
    expect(
      await core.renderEmail({ code: 'order_shipped', language: 'de', storeId: 'acme', variables }),
    ).toMatchObject({
      subject: 'Order 7 shipped',
      language: 'en',
      source: 'platform',
    });

    await expect(core.deleteStoreTemplate(globex, 'order_shipped', 'fr')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await core.deleteStoreTemplate(acme, 'order_shipped', 'fr');
    expect(await repository.raw.storeTemplate('acme', 'order_shipped', 'fr')).toBeNull();
    expect((await core.previewStoreTemplate(acme, 'order_shipped', 'fr', variables)).source).toBe('platform');
    await expect(core.deleteStoreTemplate(acme, 'order_shipped', 'fr')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses overrides of platform-only templates and ignores existing ones', async () => {
    await expect(
      core.saveStoreTemplate(acme, 'password_reset', 'en', { subject: 'x', bodyHtml: 'x' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await core.saveStoreTemplate(acme, 'order_shipped', 'en', {
      subject: 'Acme {{ order_number }}',
      bodyHtml: 'x',
    });
    const variables = { order_number: 1 };
    expect(
      (await core.renderEmail({ code: 'order_shipped', language: 'en', storeId: 'acme', variables })).subject,
    ).toBe('Acme 1');
    await core.updatePlatformTemplate(admin, 'order_shipped', 'en', { isPlatformOnly: true });
    expect(
      await core.renderEmail({ code: 'order_shipped', language: 'en', storeId: 'acme', variables }),
    ).toMatchObject({
      subject: 'Order 1 shipped',
      source: 'platform',
    });
    expect((await core.previewStoreTemplate(acme, 'order_shipped', 'en', variables)).source).toBe('platform');
  });

  it('skips an inactive override', async () => {
    await core.saveStoreTemplate(acme, 'order_shipped', 'fr', {
      subject: 'Acme',
      bodyHtml: 'x',
      isActive: false,
    });
    expect(
      (
        await core.renderEmail({
          code: 'order_shipped',
          language: 'fr',
          storeId: 'acme',
          variables: { order_number: 3 },
        })
      ).subject,
    ).toBe('Commande 3 expédiée');
  });

  it('rejects malformed codes and languages', async () => {
    await expect(core.getPlatformTemplate(admin, 'Bad-Code', 'en')).rejects.toMatchObject({ field: 'code' });
    await expect(core.getPlatformTemplate(admin, 'order_shipped', 'EN!')).rejects.toMatchObject({
      field: 'language',
    });
  });

  it('names the template part that hit a render limit, on previews and on saves', async () => {
    class LimitedRenderer extends InMemoryTemplateRenderer {
      override async render(...args: Parameters<InMemoryTemplateRenderer['render']>): Promise<string> {
        if (args[0].includes('slow'))
          throw new MessagingError('TEMPLATE_TIMEOUT', 'took too long', { field: 'template' });
        return super.render(...args);
      }
      override async validate(source: string) {
        if (source.includes('huge'))
          throw new MessagingError('TEMPLATE_TIMEOUT', 'took too long', { field: 'template' });
        return super.validate(source);
      }
    }
    const limited = createEmailTemplatesCore({
      templates: repository,
      renderer: new LimitedRenderer(),
      clock,
    });
    await limited.saveStoreTemplate(acme, 'order_shipped', 'en', {
      subject: 'Shipped',
      bodyHtml: '<p>slow {{ order_number }}</p>',
    });
    await expect(
      limited.previewStoreTemplate(acme, 'order_shipped', 'en', { order_number: 1 }),
    ).rejects.toMatchObject({
      code: 'TEMPLATE_TIMEOUT',
      field: 'body_html',
      message: 'body_html: took too long',
    });
    await expect(
      limited.saveStoreTemplate(acme, 'order_shipped', 'en', { subject: 'Shipped', bodyHtml: 'huge' }),
    ).rejects.toMatchObject({ code: 'TEMPLATE_TIMEOUT', field: 'body_html' });
    await expect(
      limited.updatePlatformTemplate(admin, 'order_shipped', 'en', { subject: 'huge' }),
    ).rejects.toMatchObject({ code: 'TEMPLATE_TIMEOUT', field: 'subject' });
  });
});
