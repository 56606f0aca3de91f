import { EMAIL_TEMPLATE_CATEGORIES } from '@parley/messaging-core';
import { Type } from 'typebox';
import { DateTime, Nullable } from './common.js';

const [auth, orders, billing, system, marketing] = EMAIL_TEMPLATE_CATEGORIES;
export const Category = Type.Union([
  Type.Literal(auth),
  Type.Literal(orders),
  Type.Literal(billing),
  Type.Literal(system),
  Type.Literal(marketing),
]);

const Subject = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'Liquid source (not HTML-escaped).',
});
const BodyHtml = Type.String({
  minLength: 1,
  maxLength: 200_000,
  description: 'Liquid source; every {{ output }} is HTML-escaped.',
});
const BodyText = Nullable(
  Type.String({
    maxLength: 100_000,
    description: 'Liquid source for the plain-text part; null: generated from the rendered HTML.',
  }),
);

export const TemplateKeyParams = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64, examples: ['new_message'] }),
  language: Type.String({ minLength: 2, maxLength: 35, examples: ['fr'] }),
});

export const EmailTemplateWire = Type.Object({
  code: Type.String(),
  language: Type.String(),
  name: Type.String(),
  description: Type.String(),
  category: Category,
  subject: Type.String(),
  body_html: Type.String(),
  body_text: Nullable(Type.String()),
  variables: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })),
  required_variables: Type.Array(Type.String()),
  is_active: Type.Boolean(),
  is_platform_only: Type.Boolean(),
  created_at: DateTime,
  updated_at: DateTime,
});

export const EmailTemplateListWire = Type.Object({ email_templates: Type.Array(EmailTemplateWire) });

export const UpdateEmailTemplateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    subject: Type.Optional(Subject),
    body_html: Type.Optional(BodyHtml),
    body_text: Type.Optional(BodyText),
    is_active: Type.Optional(Type.Boolean()),
    is_platform_only: Type.Optional(
      Type.Boolean({ description: 'True: stores may not override it (existing overrides are ignored).' }),
    ),
    category: Type.Optional(
      Type.String({
        description:
          'auth, orders, billing, system or marketing: required to create the first language of a new code (another value is a 400).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StoreEmailTemplateOverrideWire = Type.Object({
  subject: Type.String(),
  body_html: Type.String(),
  body_text: Nullable(Type.String()),
  is_active: Type.Boolean(),
  created_at: DateTime,
  updated_at: DateTime,
});

export const StoreEmailTemplateWire = Type.Object({
  template: EmailTemplateWire,
  override: Nullable(StoreEmailTemplateOverrideWire),
});

export const StoreEmailTemplateListWire = Type.Object({
  email_templates: Type.Array(StoreEmailTemplateWire),
});

export const SaveStoreEmailTemplateBody = Type.Object(
  {
    subject: Subject,
    body_html: BodyHtml,
    body_text: Type.Optional(BodyText),
    is_active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const PreviewEmailTemplateBody = Type.Object(
  {
    variables: Type.Record(
      Type.String({ maxLength: 100 }),
      Nullable(Type.Union([Type.String({ maxLength: 100_000 }), Type.Number(), Type.Boolean()])),
      { description: 'Sample values, e.g. { "sender_name": "Ann" }.', maxProperties: 100 },
    ),
  },
  { additionalProperties: false },
);

export const RenderedEmailWire = Type.Object({
  subject: Type.String(),
  html: Type.String(),
  text: Type.String(),
  template_code: Type.String(),
  language: Type.String({ description: "The template's language (the requested one, or en as a fallback)." }),
  source: Type.Union([Type.Literal('platform'), Type.Literal('store')]),
});
