import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from './api-scenarios.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './client.js';
import type { ApiHarness } from './harness.js';

/** Builds an API with the email template routes over fresh (seeded) storage. */
export type EmailTemplateHarnessFactory = () => Promise<ApiHarness>;

const NEW_MESSAGE_VARIABLES = {
  conversation_subject: 'Order #42',
  sender_name: 'Acme <Support>',
  message_preview: 'Your parcel left today',
  reply_url: 'https://parley.test/storefront/conversations/c-1',
};

/**
 * Platform email templates (admins), store overrides (store users), previews with the
 * resolution, on each adapter set with the Liquid renderer.
 */
export function emailTemplateScenarios(label: string, factory: EmailTemplateHarnessFactory): void {
  describe(`Email templates API on ${label}`, () => {
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

    const adminPreview = (language: string, variables: Record<string, unknown>) =>
      call('POST', `/api/v1/admin/email-templates/new_message/${language}/preview`, {
        token: t.admin,
        body: { variables },
      });
    const storePreview = (
      token: string,
      language: string,
      variables: Record<string, unknown> = NEW_MESSAGE_VARIABLES,
    ) =>
      call('POST', `/api/v1/store/email-templates/new_message/${language}/preview`, {
        token,
        body: { variables },
      });

    it('lists the seeded templates (the digests, inbound_bounce, new_message) to admins, with their variables', async () => {
      const list = await call('GET', '/api/v1/admin/email-templates', { token: t.admin });
      expect(list.status).toBe(200);
      expect(
        list.body.email_templates.map((x: { code: string; language: string }) => `${x.code}/${x.language}`),
      ).toEqual([
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
      ]);
      const fr = await call('GET', '/api/v1/admin/email-templates/new_message/fr', { token: t.admin });
      expect(fr.status).toBe(200);
      expect(fr.body).toMatchObject({
        code: 'new_message',
        language: 'fr',
        category: 'system',
        subject: 'Nouveau message : {{ conversation_subject }}',
        body_text: null,
        required_variables: ['conversation_subject', 'sender_name', 'message_preview', 'reply_url'],
        is_active: true,
        is_platform_only: false,
      });
      expect(fr.body.variables.map((v: { name: string }) => v.name)).toEqual([
        'conversation_subject',
        'sender_name',
        'message_preview',
        'reply_url',
        'message_count',
      ]);
      expectProblem(
        await call('GET', '/api/v1/admin/email-templates/nope/en', { token: t.admin }),
        404,
        'NOT_FOUND',
      );
    });

    it('admin previews (escaped HTML, generated text, batched form) and updates a template', async () => {
      const preview = await adminPreview('en', { ...NEW_MESSAGE_VARIABLES, message_count: 3 });
      expect(preview.status).toBe(200);
      expect(preview.body).toEqual({
        subject: 'New message: Order #42',
        html: [
          '<p>You have 3 new messages in “Order #42”. The latest, from Acme &lt;Support&gt;:</p>',
          '<blockquote>Your parcel left today</blockquote>',
          '<p><a href="https://parley.test/storefront/conversations/c-1">Reply</a></p>',
        ].join('\n'),
        text: 'You have 3 new messages in “Order #42”. The latest, from Acme <Support>:\n\n> Your parcel left today\n\nReply [https://parley.test/storefront/conversations/c-1]',
        template_code: 'new_message',
        language: 'en',
        source: 'platform',
      });

      const updated = await call('PUT', '/api/v1/admin/email-templates/new_message/en', {
        token: t.admin,
        body: {
          subject: '[Parley] {{ sender_name }} wrote',
          body_text: 'From {{ sender_name }}: {{ message_preview }}',
        },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        subject: '[Parley] {{ sender_name }} wrote',
        body_text: 'From {{ sender_name }}: {{ message_preview }}',
      });
      const after = await adminPreview('en', NEW_MESSAGE_VARIABLES);
      expect(after.body).toMatchObject({
        subject: '[Parley] Acme <Support> wrote',
        text: 'From Acme <Support>: Your parcel left today',
      });
      expect(after.body.html).toContain('<p>Acme &lt;Support&gt; sent you a message in “Order #42”:</p>');
    });

    it('refuses a Liquid syntax error on save, naming the field', async () => {
      expectProblem(
        await call('PUT', '/api/v1/admin/email-templates/new_message/en', {
          token: t.admin,
          body: { body_html: '<p>{% if sender_name %}unclosed</p>' },
        }),
        400,
        'VALIDATION',
        'body_html',
      );
      expectProblem(
        await call('PUT', '/api/v1/store/email-templates/new_message/fr', {
          token: t.store1,
          body: { subject: 'Bonjour {{ sender_name', body_html: '<p>ok</p>' },
        }),
        400,
        'VALIDATION',
        'subject',
      );
      const include = await call('PUT', '/api/v1/store/email-templates/new_message/fr', {
        token: t.store1,
        body: { subject: 'ok', body_html: "{% include '/etc/passwd' %}" },
      });
      expectProblem(include, 400, 'VALIDATION', 'body_html');
      expect(include.body.detail).toContain('tag "include" not found');
    });

    it('names the missing required variables', async () => {
      const { sender_name: _s, reply_url: _r, ...partial } = NEW_MESSAGE_VARIABLES;
      const response = await adminPreview('de', partial);
      expectProblem(response, 400, 'VALIDATION', 'variables');
      expect(response.body.detail).toBe('missing required template variables: sender_name, reply_url');
      const store = await storePreview(t.store1, 'fr', { ...NEW_MESSAGE_VARIABLES, message_preview: '' });
      expectProblem(store, 400, 'VALIDATION', 'variables');
      expect(store.body.detail).toBe('missing required template variables: message_preview');
    });

    it('store creates an override, previews it with the resolution, and deletes it', async () => {
      const list = await call('GET', '/api/v1/store/email-templates', { token: t.store1 });
      expect(list.status).toBe(200);
      expect(list.body.email_templates.map((x: { override: unknown }) => x.override)).toEqual(
        Array.from({ length: 9 }, () => null),
      );

      // A French recipient gets the platform French template…
      expect((await storePreview(t.store1, 'fr')).body).toMatchObject({
        subject: 'Nouveau message : Order #42',
        language: 'fr',
        source: 'platform',
      });
      // …even when the store overrides English only; a language without templates falls back to it.
      const en = await call('PUT', '/api/v1/store/email-templates/new_message/en', {
        token: t.store1,
        body: {
          subject: 'Acme: {{ conversation_subject }}',
          body_html: '<p>Acme: {{ message_preview }}</p>',
        },
      });
      expect(en.status).toBe(200);
      expect(en.body.override).toMatchObject({
        subject: 'Acme: {{ conversation_subject }}',
        body_text: null,
        is_active: true,
      });
      expect((await storePreview(t.store1, 'fr')).body.source).toBe('platform');
      expect((await storePreview(t.store1, 'it')).body).toMatchObject({
        subject: 'Acme: Order #42',
        language: 'en',
        source: 'store',
      });

      const fr = await call('PUT', '/api/v1/store/email-templates/new_message/fr', {
        token: t.store1,
        body: {
          subject: 'Acme — {{ conversation_subject }}',
          body_html:
            '<p>{{ sender_name }} : {{ message_preview }}</p><p><a href="{{ reply_url }}">Répondre</a></p>',
        },
      });
      expect(fr.status).toBe(200);
      expect((await storePreview(t.store1, 'fr')).body).toEqual({
        subject: 'Acme — Order #42',
        html: '<p>Acme &lt;Support&gt; : Your parcel left today</p><p><a href="https://parley.test/storefront/conversations/c-1">Répondre</a></p>',
        text: 'Acme <Support> : Your parcel left today\n\nRépondre [https://parley.test/storefront/conversations/c-1]',
        template_code: 'new_message',
        language: 'fr',
        source: 'store',
      });
      const got = await call('GET', '/api/v1/store/email-templates/new_message/fr', { token: t.store1 });
      expect(got.body.override.subject).toBe('Acme — {{ conversation_subject }}');
      expect(got.body.template.subject).toBe('Nouveau message : {{ conversation_subject }}');

      const deleted = await call('DELETE', '/api/v1/store/email-templates/new_message/fr', {
        token: t.store1,
      });
      expect(deleted.status).toBe(204);
      expect((await storePreview(t.store1, 'fr')).body).toMatchObject({
        subject: 'Nouveau message : Order #42',
        source: 'platform',
      });
      expectProblem(
        await call('DELETE', '/api/v1/store/email-templates/new_message/fr', { token: t.store1 }),
        404,
        'NOT_FOUND',
      );
    });

    it("a store user cannot see or touch another store's override", async () => {
      await call('PUT', '/api/v1/store/email-templates/new_message/en', {
        token: t.store1,
        body: { subject: 'Acme only', body_html: '<p>Acme</p>' },
      });
      const other = await call('GET', '/api/v1/store/email-templates/new_message/en', { token: t.store2 });
      expect(other.status).toBe(200);
      expect(other.body.override).toBeNull();
      expect((await storePreview(t.store2, 'en')).body).toMatchObject({
        subject: 'New message: Order #42',
        source: 'platform',
      });
      expectProblem(
        await call('DELETE', '/api/v1/store/email-templates/new_message/en', { token: t.store2 }),
        404,
        'NOT_FOUND',
      );
      // Still there for its owner.
      expect((await storePreview(t.store1, 'en')).body).toMatchObject({
        subject: 'Acme only',
        source: 'store',
      });
    });

    it('platform-only templates ignore overrides and cannot be overridden', async () => {
      await call('PUT', '/api/v1/store/email-templates/new_message/en', {
        token: t.store1,
        body: { subject: 'Acme override', body_html: '<p>Acme</p>' },
      });
      const marked = await call('PUT', '/api/v1/admin/email-templates/new_message/en', {
        token: t.admin,
        body: { is_platform_only: true },
      });
      expect(marked.body.is_platform_only).toBe(true);
      expect((await storePreview(t.store1, 'en')).body).toMatchObject({
        subject: 'New message: Order #42',
        source: 'platform',
      });
      const list = await call('GET', '/api/v1/store/email-templates', { token: t.store1 });
      expect(
        list.body.email_templates.filter(
          (x: { template: { code: string } }) => x.template.code === 'new_message',
        ),
      ).toEqual([]);
      expectProblem(
        await call('PUT', '/api/v1/store/email-templates/new_message/fr', {
          token: t.store1,
          body: { subject: 'x', body_html: 'x' },
        }),
        403,
        'FORBIDDEN',
      );
    });

    it('customers and store users get 403 on admin routes; customers on store routes', async () => {
      expectProblem(
        await call('GET', '/api/v1/store/email-templates', { token: t.customer1 }),
        403,
        'FORBIDDEN',
      );
      expectProblem(await storePreview(t.customer1, 'fr'), 403, 'FORBIDDEN');
      expectProblem(
        await call('PUT', '/api/v1/store/email-templates/new_message/fr', {
          token: t.customer1,
          body: { subject: 'x', body_html: 'x' },
        }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await call('GET', '/api/v1/admin/email-templates', { token: t.customer1 }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await call('GET', '/api/v1/admin/email-templates', { token: t.store1 }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await call('PUT', '/api/v1/admin/email-templates/new_message/en', {
          token: t.store1,
          body: { subject: 'x' },
        }),
        403,
        'FORBIDDEN',
      );
      expect((await call('GET', '/api/v1/admin/email-templates')).status).toBe(401);
    });
  });
}
