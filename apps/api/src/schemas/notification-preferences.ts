import { EMAIL_FREQUENCIES } from '@parley/messaging-core';
import { Type } from 'typebox';

export const EmailFrequencyField = Type.String({
  enum: [...EMAIL_FREQUENCIES],
  description:
    '`immediate`: an email per new message (batched by the notification window); `daily` / `weekly`: one digest of the unread conversations per day / week instead; `off`: no email about conversations.',
});

/** A person's global notification preferences, as they read them. */
export const NotificationPreferencesWire = Type.Object(
  {
    email_frequency: EmailFrequencyField,
    time_zone: Type.String({
      description: 'IANA time zone the digest hour and weekday are read in.',
      examples: ['Europe/Paris'],
    }),
    digest_hour: Type.Integer({
      minimum: 0,
      maximum: 23,
      description: 'Local hour from which the digest is due.',
    }),
    digest_weekday: Type.Integer({
      minimum: 1,
      maximum: 7,
      description: 'ISO weekday of the weekly digest: 1 Monday … 7 Sunday.',
    }),
    updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When they were last saved; null: never (these are the defaults).',
    }),
  },
  {
    description: "The caller's global notification preferences; per-conversation email and mute still apply.",
  },
);

export const NotificationPreferencesBody = Type.Object(
  {
    email_frequency: Type.Optional(EmailFrequencyField),
    time_zone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'An IANA time zone such as `Europe/Paris` (an unknown one is a 400 naming `time_zone`).',
      }),
    ),
    digest_hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
    digest_weekday: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 })),
  },
  { additionalProperties: false, description: 'Absent fields keep their value.' },
);
