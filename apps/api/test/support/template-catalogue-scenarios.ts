import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from './api-scenarios.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './client.js';
import type { EmailTemplateHarnessFactory } from './email-template-scenarios.js';
import type { ApiHarness } from './harness.js';

const ADMIN = '/api/v1/admin/email-templates';

/**
 * The template catalogue (issue 14): admins create templates with any code, category and
 * language, and delete language versions, except the last one of a template in use.
 */
export function templateCatalogueScenarios(label: string, factory: EmailTemplateHarnessFactory): void {
  describe(`Email template catalogue on ${label}`, () => {
    let harness: ApiHarness;
    let call: Call;
    let t: Tokens;
    beforeEach(async () => {
      harness = await factory();
      call = client(harness);
      t = await tokensFor(harness.jwtSecret);
      await seedFixture(call, t.service);
    });
    afterEach(async () => {
      await harness.close();
    });

    const languages = async (code: string) =>
      (await call('GET', ADMIN, { token: t.admin })).body.email_templates
        .filter((x: { code: string }) => x.code === code)
        .map((x: { language: string }) => x.language);

    it('adds a language to a seeded template, inheriting its description (no more 404)', async () => {
      expect(await languages('new_message')).toEqual(['de', 'en', 'fr']);
      const es = await call('PUT', `${ADMIN}/new_message/es`, {
        token: t.admin,
        body: {
          subject: 'Nuevo mensaje: {{ conversation_subject }}',
          body_html: '<p>{{ message_preview }}</p>',
        },
      });
      expect(es.status).toBe(200);
      expect(es.body).toMatchObject({
        code: 'new_message',
        language: 'es',
        category: 'system',
        is_active: true,
        required_variables: ['conversation_subject', 'sender_name', 'message_preview', 'reply_url'],
      });
      const again = await call('PUT', `${ADMIN}/new_message/es`, {
        token: t.admin,
        body: { subject: 'Nuevo: {{ conversation_subject }}' },
      });
      expect(again.status).toBe(200);
      expect(again.body.subject).toBe('Nuevo: {{ conversation_subject }}');
      expect(await languages('new_message')).toEqual(['de', 'en', 'es', 'fr']);
      // Stores may override the new language like the seeded ones.
      const override = await call('PUT', '/api/v1/store/email-templates/new_message/es', {
        token: t.store1,
        body: { subject: 'Acme: {{ conversation_subject }}', body_html: '<p>Hola</p>' },
      });
      expect(override.status).toBe(200);
    });

    it('creates a new code in any category, and checks what it needs', async () => {
      expectProblem(
        await call('PUT', `${ADMIN}/order_shipped/en`, {
          token: t.admin,
          body: { subject: 'Shipped', body_html: '<p>On its way</p>' },
        }),
        400,
        'VALIDATION',
        'category',
      );
      expectProblem(
        await call('PUT', `${ADMIN}/order_shipped/en`, {
          token: t.admin,
          body: { category: 'parcels', subject: 'Shipped', body_html: '<p>On its way</p>' },
        }),
        400,
        'VALIDATION',
        'category',
      );
      expectProblem(
        await call('PUT', `${ADMIN}/order_shipped/en`, {
          token: t.admin,
          body: { category: 'orders', body_html: '<p>On its way</p>' },
        }),
        400,
        'VALIDATION',
        'subject',
      );
      expectProblem(
        await call('PUT', `${ADMIN}/Order-Shipped/en`, {
          token: t.admin,
          body: { category: 'orders', subject: 'Shipped', body_html: '<p>x</p>' },
        }),
        400,
        'VALIDATION',
        'code',
      );
      const created = await call('PUT', `${ADMIN}/order_shipped/en`, {
        token: t.admin,
        body: {
          category: 'orders',
          name: 'Order shipped',
          subject: 'Order {{ order_id }} shipped',
          body_html: '<p>On its way</p>',
        },
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        code: 'order_shipped',
        language: 'en',
        category: 'orders',
        name: 'Order shipped',
        variables: [],
      });
      const fr = await call('PUT', `${ADMIN}/order_shipped/fr`, {
        token: t.admin,
        body: { subject: 'Commande {{ order_id }} expédiée', body_html: '<p>En route</p>' },
      });
      expect(fr.status).toBe(200);
      expect(fr.body).toMatchObject({ category: 'orders', name: 'Order shipped' });
      const got = await call('GET', `${ADMIN}/order_shipped/fr`, { token: t.admin });
      expect(got.status).toBe(200);
      // Only admins manage the catalogue.
      expectProblem(
        await call('PUT', `${ADMIN}/order_paid/en`, {
          token: t.store1,
          body: { category: 'billing', subject: 'Paid', body_html: '<p>x</p>' },
        }),
        403,
        'FORBIDDEN',
      );
    });

    it('deletes language versions, but not the last one of a template in use', async () => {
      // new_message is what Parley sends: its last language stays.
      expect((await call('DELETE', `${ADMIN}/new_message/fr`, { token: t.admin })).status).toBe(204);
      expect((await call('DELETE', `${ADMIN}/new_message/de`, { token: t.admin })).status).toBe(204);
      expectProblem(await call('DELETE', `${ADMIN}/new_message/en`, { token: t.admin }), 409, 'CONFLICT');
      expect(await languages('new_message')).toEqual(['en']);
      expectProblem(await call('DELETE', `${ADMIN}/new_message/fr`, { token: t.admin }), 404, 'NOT_FOUND');

      // A template a store overrides is in use too.
      for (const language of ['en', 'fr'])
        expect(
          (
            await call('PUT', `${ADMIN}/order_shipped/${language}`, {
              token: t.admin,
              body: { category: 'orders', subject: 'Shipped', body_html: '<p>x</p>' },
            })
          ).status,
        ).toBe(200);
      const override = await call('PUT', '/api/v1/store/email-templates/order_shipped/fr', {
        token: t.store1,
        body: { subject: 'Acme: shipped', body_html: '<p>Acme</p>' },
      });
      expect(override.status).toBe(200);
      expect((await call('DELETE', `${ADMIN}/order_shipped/en`, { token: t.admin })).status).toBe(204);
      expectProblem(await call('DELETE', `${ADMIN}/order_shipped/fr`, { token: t.admin }), 409, 'CONFLICT');

      // One nobody uses goes entirely.
      await call('PUT', `${ADMIN}/newsletter/en`, {
        token: t.admin,
        body: { category: 'marketing', subject: 'News', body_html: '<p>News</p>' },
      });
      expect((await call('DELETE', `${ADMIN}/newsletter/en`, { token: t.admin })).status).toBe(204);
      expect(await languages('newsletter')).toEqual([]);
      expectProblem(await call('DELETE', `${ADMIN}/newsletter/en`, { token: t.store1 }), 403, 'FORBIDDEN');
    });
  });
}
