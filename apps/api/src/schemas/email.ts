import { EMAIL_PROVIDERS, EMAIL_STATUSES, MAILGUN_REGIONS, STORE_TIERS } from '@parley/messaging-core';
import { Type } from 'typebox';
import { Cursor, DateTime, Id, Nullable } from './common.js';

const [smtp, sendgrid, mailgun, ses] = EMAIL_PROVIDERS;
export const Provider = Type.Union(
  [Type.Literal(smtp), Type.Literal(sendgrid), Type.Literal(mailgun), Type.Literal(ses)],
  {
    description: 'smtp (all tiers); sendgrid, mailgun, ses (business and enterprise tiers).',
  },
);
export const FallbackProvider = Type.Union(
  [
    Type.Literal(smtp),
    Type.Literal(sendgrid),
    Type.Literal(mailgun),
    Type.Literal(ses),
    Type.Literal('platform'),
  ],
  {
    description:
      "Where mail goes at once when the store's provider fails retryably (timeout, 429, 5xx, SMTP 4xx) or its circuit breaker is open: another provider whose credentials are set in these settings (tier rules apply), or platform (the platform's transport). null: no failover.",
  },
);
const MailgunRegion = Type.Union([Type.Literal(MAILGUN_REGIONS[0]), Type.Literal(MAILGUN_REGIONS[1])]);
export const EmailStatus = Type.Union([
  Type.Literal(EMAIL_STATUSES[0]),
  Type.Literal(EMAIL_STATUSES[1]),
  Type.Literal(EMAIL_STATUSES[2]),
  Type.Literal(EMAIL_STATUSES[3]),
  Type.Literal(EMAIL_STATUSES[4]),
  Type.Literal(EMAIL_STATUSES[5]),
  Type.Literal(EMAIL_STATUSES[6]),
]);
export const Tier = Type.Union([
  Type.Literal(STORE_TIERS[0]),
  Type.Literal(STORE_TIERS[1]),
  Type.Literal(STORE_TIERS[2]),
  Type.Literal(STORE_TIERS[3]),
]);

/** A write-only credential as every response shows it: whether it is set, never its value. */
export const MaskedSecretWire = Type.Object(
  { is_set: Type.Boolean() },
  { description: 'A write-only credential: only whether it is set is ever returned.' },
);

const Text = (maxLength: number) => Nullable(Type.String({ maxLength }));
const Secret = Nullable(
  Type.String({
    minLength: 1,
    maxLength: 4096,
    description: 'Write-only. Absent: keep the stored value; null: clear it.',
  }),
);

export const EmailSettingsWire = Type.Object(
  {
    store_id: Id,
    from_email: Nullable(Type.String()),
    from_name: Nullable(Type.String()),
    reply_to_email: Nullable(Type.String()),
    signature_text: Nullable(Type.String()),
    signature_html: Nullable(Type.String()),
    provider: Nullable(Provider),
    fallback_provider: Nullable(FallbackProvider),
    smtp_host: Nullable(Type.String()),
    smtp_port: Nullable(Type.Integer()),
    smtp_username: Nullable(Type.String()),
    smtp_password: MaskedSecretWire,
    smtp_use_tls: Type.Boolean({ description: 'Require STARTTLS (port 587).' }),
    smtp_use_ssl: Type.Boolean({ description: 'Implicit TLS (port 465).' }),
    sendgrid_api_key: MaskedSecretWire,
    mailgun_api_key: MaskedSecretWire,
    mailgun_domain: Nullable(Type.String()),
    mailgun_region: Nullable(MailgunRegion),
    ses_access_key_id: MaskedSecretWire,
    ses_secret_access_key: MaskedSecretWire,
    ses_region: Nullable(Type.String()),
    is_configured: Type.Boolean(),
    is_verified: Type.Boolean(),
    last_verified_at: Nullable(DateTime),
    verification_error: Nullable(Type.String()),
    tier: Tier,
    allowed_providers: Type.Array(Provider),
    active_transport: Type.Union([Type.Literal('store'), Type.Literal('platform')], {
      description:
        "store: mail goes through the store's provider (configured, verified, allowed); else the platform's.",
    }),
    created_at: Nullable(DateTime),
    updated_at: Nullable(DateTime),
  },
  { description: "A store's email settings; credentials are masked." },
);

export const EmailSettingsBody = Type.Object(
  {
    from_email: Type.Optional(Text(254)),
    from_name: Type.Optional(Text(200)),
    reply_to_email: Type.Optional(Text(254)),
    signature_text: Type.Optional(Text(10_000)),
    signature_html: Type.Optional(Text(50_000)),
    provider: Type.Optional(Nullable(Provider)),
    fallback_provider: Type.Optional(Nullable(FallbackProvider)),
    smtp_host: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 253,
          description:
            'A public host name or IPv4 address. One that is or resolves to a loopback, private, link-local, CGNAT, multicast, unspecified, reserved or cloud metadata address is refused (400 VALIDATION, field smtp_host) unless PARLEY_OUTBOUND_ALLOWED_CIDRS covers it; checked again before every connection.',
        }),
      ),
    ),
    smtp_port: Type.Optional(Nullable(Type.Integer())),
    smtp_username: Type.Optional(Text(320)),
    smtp_password: Type.Optional(Secret),
    smtp_use_tls: Type.Optional(Type.Boolean()),
    smtp_use_ssl: Type.Optional(Type.Boolean()),
    sendgrid_api_key: Type.Optional(Secret),
    mailgun_api_key: Type.Optional(Secret),
    mailgun_domain: Type.Optional(Text(253)),
    mailgun_region: Type.Optional(Nullable(MailgunRegion)),
    ses_access_key_id: Type.Optional(Secret),
    ses_secret_access_key: Type.Optional(Secret),
    ses_region: Type.Optional(Text(32)),
  },
  {
    additionalProperties: false,
    description: 'A partial update: absent fields keep their value, null clears. Credentials are write-only.',
  },
);

export const EmailLogWire = Type.Object(
  {
    id: Id,
    template_code: Nullable(Type.String()),
    recipient: Type.String(),
    subject: Type.String(),
    from_email: Type.String(),
    from_name: Nullable(Type.String()),
    reply_to: Nullable(Type.String()),
    status: EmailStatus,
    sent_at: Nullable(DateTime),
    delivered_at: Nullable(DateTime),
    opened_at: Nullable(DateTime),
    clicked_at: Nullable(DateTime),
    bounced_at: Nullable(DateTime),
    complained_at: Nullable(DateTime),
    error_message: Nullable(Type.String()),
    retry_count: Type.Integer({ minimum: 0 }),
    provider: Nullable(Type.String()),
    provider_message_id: Nullable(Type.String()),
    store_id: Nullable(Id),
    user_id: Nullable(Id),
    related_type: Nullable(Type.String()),
    related_id: Nullable(Type.String()),
    extra_data: Type.Record(Type.String(), Type.Unknown()),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { description: 'One email Parley tried to send (bodies are not listed).' },
);

export const EmailLogListWire = Type.Object({
  email_logs: Type.Array(EmailLogWire, { description: 'Newest first.' }),
  next_cursor: Nullable(Cursor),
});

const logQueryProperties = {
  status: Type.Optional(EmailStatus),
  recipient: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after.' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Created before.' })),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
};

export const StoreEmailLogQuery = Type.Object(logQueryProperties, { additionalProperties: false });
export const AdminEmailLogQuery = Type.Object(
  { ...logQueryProperties, store_id: Type.Optional(Id) },
  { additionalProperties: false },
);

export const VerifyEmailSettingsWire = Type.Object({
  verified: Type.Boolean(),
  settings: EmailSettingsWire,
  email_log: EmailLogWire,
});

export const AdminStoreParams = Type.Object({ store_id: Id });
