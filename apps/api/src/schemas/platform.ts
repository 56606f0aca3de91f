import { STORE_TIERS } from '@parley/messaging-core';
import { Type } from 'typebox';
import { DateTime, Id } from './common.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Email = Type.String({ format: 'email', maxLength: 320 });
const Locale = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
  maxLength: 35,
  default: 'en',
  description: 'BCP 47 language tag (default en).',
});
const Tier = Type.String({ enum: [...STORE_TIERS], default: 'essential' });

export const StoreParams = Type.Object({ store_id: Id });
export const UserParams = Type.Object({ user_id: Id });
export const CustomerParams = Type.Object({ customer_id: Id });

/** A store's language: picks how message search stems its conversations' words. */
const StoreLanguage = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
  maxLength: 35,
  description:
    "BCP 47 language tag. Message search stems the words of the store's conversations created from then on in this language (fr, de, es, pt, it, nl, en and 20 more; others: no stemming). Absent: unknown.",
});

export const StoreBody = Type.Object(
  { name: Name, tier: Type.Optional(Tier), language: Type.Optional(StoreLanguage) },
  { additionalProperties: false },
);

export const UserBody = Type.Object(
  {
    name: Name,
    email: Email,
    role: Type.String({ enum: ['admin', 'store'] }),
    store_id: Type.Optional(Id),
    locale: Type.Optional(Locale),
  },
  { additionalProperties: false },
);

export const CustomerBody = Type.Object(
  { store_id: Id, name: Name, email: Email, locale: Type.Optional(Locale) },
  { additionalProperties: false },
);

export const StoreWire = Type.Object({
  id: Id,
  name: Type.String(),
  tier: Type.String({ enum: [...STORE_TIERS] }),
  language: Type.Optional(StoreLanguage),
  created_at: DateTime,
  updated_at: DateTime,
});

export const UserWire = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  role: Type.String({ enum: ['admin', 'store'] }),
  store_id: Type.Union([Id, Type.Null()]),
  locale: Type.String(),
  created_at: DateTime,
  updated_at: DateTime,
});

export const CustomerWire = Type.Object({
  id: Id,
  store_id: Id,
  name: Type.String(),
  email: Type.String(),
  locale: Type.String(),
  created_at: DateTime,
  updated_at: DateTime,
});
