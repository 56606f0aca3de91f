import { Type } from 'typebox';
import { DateTime, Id, Nullable } from './common.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Email = Type.String({ format: 'email', maxLength: 320 });
const Locale = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
  maxLength: 35,
  default: 'en',
  description: 'BCP 47 language tag (default en).',
});

export const TenantParams = Type.Object({ tenant_id: Id });

/** A tenant's language: picks how message search stems its conversations' words. */
const TenantLanguage = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
  maxLength: 35,
  description:
    "BCP 47 language tag. Message search stems the words of the tenant's conversations created from then on in this language. Absent: unknown (no stemming).",
});

export const TenantBody = Type.Object(
  { name: Name, language: Type.Optional(TenantLanguage) },
  { additionalProperties: false },
);

export const TenantWire = Type.Object({
  id: Id,
  name: Type.String(),
  language: Type.Optional(TenantLanguage),
  created_at: DateTime,
  updated_at: DateTime,
});

/** `type` is checked against the preset's participant types by the route (400 naming `type`). */
export const PersonParams = Type.Object({
  type: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "A participant type of the preset's policy.",
  }),
  id: Id,
});

export const PersonBody = Type.Object(
  {
    name: Name,
    email: Type.Optional(Nullable(Email)),
    locale: Type.Optional(Locale),
    tenant_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: 'Required for the tenant-bound types of the preset, refused for the others.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PersonWire = Type.Object({
  type: Type.String(),
  id: Id,
  name: Type.String(),
  email: Nullable(Type.String()),
  locale: Type.String(),
  tenant_id: Nullable(Id),
  created_at: DateTime,
  updated_at: DateTime,
});
