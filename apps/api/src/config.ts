import { resolve } from 'node:path';
import { parseKeyRing } from '@parley/adapters-crypto';
import { parseAllowedCidrs } from '@parley/adapters-network';
import { isValidEmail, PRESET_NAMES, type PresetName } from '@parley/messaging-core';
import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';

/** Pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Shortest `PARLEY_JWT_SECRET` accepted: 256 bits of HS256 key as 32 characters. */
export const JWT_SECRET_MIN_LENGTH = 32;

/**
 * How a variable is documented: what a bad value is told it must be, its default as shown to
 * people, and what it means.
 */
export interface VariableDocs {
  /** Completes "`NAME` must be …" in a `ConfigError`. */
  readonly expected: string;
  /** Markdown, e.g. "`600`" or "unset: embedded PGlite". */
  readonly default: string;
  /** Markdown; the README's "meaning" column. */
  readonly description: string;
}

/**
 * An optional variable whose schema also carries its documentation, so the README table is
 * generated from the same place as the validation (see `config-docs.ts`). `defaultText` rather
 * than JSON Schema's `default`, which would have to be a valid value, not prose.
 */
function variable<T extends TSchema>(schema: T, docs: VariableDocs) {
  return Type.Optional(
    Object.assign(schema, {
      expected: docs.expected,
      description: docs.description,
      defaultText: docs.default,
    }),
  );
}

/**
 * Every variable the API reads, as one TypeBox schema: the single source of each variable's
 * name, validation, error message, default (as documented) and description. Values arrive as
 * strings; numbers and booleans are converted before the check. An empty string counts as unset.
 */
export const EnvironmentSchema = Type.Object({
  NODE_ENV: variable(Type.String(), {
    expected: 'a string',
    default: '`development`',
    description:
      '`production` requires `PARLEY_JWT_SECRET` and `PARLEY_ENCRYPTION_KEY` and turns demo seeding off',
  }),
  PARLEY_DATABASE_URL: variable(Type.String({ pattern: '^postgres(ql)?://.+' }), {
    expected: 'a PostgreSQL connection URL (postgres://user:password@host:5432/database)',
    default: 'unset: embedded PGlite',
    description: 'PostgreSQL connection URL (`postgres://user:password@host:5432/db`)',
  }),
  PARLEY_DATABASE_POOL_SIZE: variable(Type.Integer({ minimum: 1, maximum: 200 }), {
    expected: 'an integer from 1 to 200',
    default: '`10`',
    description: 'most PostgreSQL connections the API opens (1–200)',
  }),
  PARLEY_DATABASE_SCHEMA: variable(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' }), {
    expected: 'a lower-case schema name (letters, digits, _)',
    default: '`public`',
    description: "schema holding Parley's tables (also read by `pnpm db:migrate`)",
  }),
  PARLEY_DATA_DIR: variable(Type.String({ minLength: 1 }), {
    expected: 'a directory path',
    default: '`./data`',
    description:
      'PGlite files (`pglite/`), the generated JWT secret (`jwt-secret`), `uploads/`, the mail sink (`mail/`)',
  }),
  PARLEY_HOST: variable(Type.String({ minLength: 1, pattern: '^[^\\s/]+$' }), {
    expected: 'a host name or IP address to listen on (e.g. 127.0.0.1 or 0.0.0.0)',
    default: '`127.0.0.1`',
    description: 'address to listen on (`0.0.0.0` in a container)',
  }),
  PARLEY_PORT: variable(Type.Integer({ minimum: 0, maximum: 65_535 }), {
    expected: 'an integer from 0 to 65535',
    default: '`3000`',
    description: 'port to listen on (0–65535; 0 picks a free one)',
  }),
  PARLEY_JWT_SECRET: variable(Type.String({ minLength: JWT_SECRET_MIN_LENGTH }), {
    expected: `a secret of at least ${JWT_SECRET_MIN_LENGTH} characters`,
    default: 'generated once into `$PARLEY_DATA_DIR/jwt-secret` (mode 0600)',
    description:
      'HS256 secret shared with the platform that issues tokens, ≥ 32 characters; **required when `NODE_ENV=production`**',
  }),
  PARLEY_LOG_LEVEL: variable(Type.Union(LOG_LEVELS.map((level) => Type.Literal(level))), {
    expected: `one of ${LOG_LEVELS.join(', ')}`,
    default: '`info`',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  }),
  PARLEY_PUBLIC_URL: variable(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' }), {
    expected: 'an http(s) URL such as https://parley.example.com',
    default: '`http://{host}:{port}`',
    description: 'public base URL, shown at start and in the OpenAPI `servers`; an https URL turns on HSTS',
  }),
  PARLEY_CORS_ORIGINS: variable(
    Type.String({ pattern: '^\\s*(\\*|https?://[^\\s,/]+)(\\s*,\\s*https?://[^\\s,/]+)*\\s*$' }),
    {
      expected: 'a comma-separated list of origins (https://shop.example.com,https://admin.example.com) or *',
      default: 'unset: no CORS',
      description:
        'comma-separated allowed origins (`https://shop.example.com,https://admin.example.com`) or `*`',
    },
  ),
  PARLEY_RATE_LIMIT_MAX: variable(Type.Integer({ minimum: 1, maximum: 1_000_000 }), {
    expected: 'an integer from 1 to 1000000',
    default: '`600`',
    description:
      'requests per window per caller (per token subject, else per IP), counted across every instance: in the database, or in Redis with `PARLEY_REDIS_URL`',
  }),
  PARLEY_RATE_LIMIT_WINDOW: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 60000, 30s, 1 minute or 1h',
      default: '`1m`',
      description: 'the window: milliseconds (`60000`) or a duration (`30s`, `1 minute`, `1h`)',
    },
  ),
  PARLEY_BODY_LIMIT: variable(Type.Integer({ minimum: 1024, maximum: 1_073_741_824 }), {
    expected: 'a size in bytes from 1024 to 1073741824',
    default: '`1048576`',
    description: 'largest request body in bytes (1024 – 1 GiB)',
  }),
  PARLEY_PRESET: variable(Type.Union(PRESET_NAMES.map((name) => Type.Literal(name))), {
    expected: `one of ${PRESET_NAMES.join(', ')}`,
    default: '`marketplace`',
    description:
      'the kind of platform (see "Presets"): `marketplace` (admins, stores, customers), `care-team` (therapists, clinicians, users, admins) or `community` (students, mentors, admins); its access policy, directory and demo data',
  }),
  PARLEY_SEED_DEMO: variable(Type.Boolean(), {
    expected: 'true or false',
    default: '`true`, `false` when `NODE_ENV=production`',
    description: 'seed the demo directory when empty and print demo tokens at start',
  }),
  PARLEY_ATTACHMENT_SWEEP_INTERVAL: variable(
    Type.String({
      pattern:
        '^\\s*(off|\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?)\\s*$',
    }),
    {
      expected: 'a duration such as 1h or 15 minutes, or off',
      default: '`1h`',
      description:
        'how often files under `$PARLEY_DATA_DIR/uploads/messages/` that no attachment points to are removed (a duration such as `15 minutes`, or `off`)',
    },
  ),
  PARLEY_ADMIN_ALERT_SEND_FAILURES: variable(Type.Integer({ minimum: 0, maximum: 10_000 }), {
    expected: 'an integer from 0 (off) to 10000',
    default: '`5`',
    description:
      'consecutive failed sends for one store (within `PARLEY_ADMIN_ALERT_SEND_FAILURE_WINDOW`) that raise one high-priority `store_issue` admin notification per streak; a successful send resets the streak; counted in the database, shared by every instance and worker; `0` turns it off',
  }),
  PARLEY_ADMIN_ALERT_SEND_FAILURE_WINDOW: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 1h or 30 minutes',
      default: '`1h`',
      description: 'the period those failures must fall within (a duration such as `30 minutes`)',
    },
  ),
  PARLEY_ATTACHMENT_SWEEP_GRACE: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 24h or 90 minutes',
      default: '`24h`',
      description:
        'how old such a file must be before the sweep removes it, so uploads in flight are never touched (keep it well above the longest upload)',
    },
  ),
  PARLEY_STORAGE: variable(Type.Union([Type.Literal('fs'), Type.Literal('s3')]), {
    expected: 'fs or s3',
    default: '`fs`: files under `$PARLEY_DATA_DIR/uploads`',
    description:
      'where attachment files live: `fs` (the data dir: one machine) or `s3` (a bucket of S3 or any S3-compatible server: every instance sees every file; set `PARLEY_S3_BUCKET`)',
  }),
  PARLEY_S3_BUCKET: variable(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }), {
    expected: 'an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)',
    default: 'unset; **required with `PARLEY_STORAGE=s3`**',
    description: 'the bucket attachment files go to (it must exist; Parley creates no bucket)',
  }),
  PARLEY_S3_REGION: variable(Type.String({ pattern: '^[a-z0-9-]{1,32}$' }), {
    expected: 'a region name such as eu-west-1',
    default: '`us-east-1`',
    description: "the bucket's region (signing scope; any value most S3-compatible servers accept)",
  }),
  PARLEY_S3_ENDPOINT: variable(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' }), {
    expected: 'an http(s) URL such as https://s3.example.com or http://127.0.0.1:9000',
    default: "unset: AWS's endpoint for the region",
    description: 'an S3-compatible server (MinIO, Ceph, R2, Wasabi, …) instead of AWS',
  }),
  PARLEY_S3_FORCE_PATH_STYLE: variable(Type.Boolean(), {
    expected: 'true or false',
    default: '`false`',
    description:
      'address the bucket as `endpoint/bucket/key` instead of `bucket.endpoint/key` (most self-hosted servers need `true`)',
  }),
  PARLEY_S3_ACCESS_KEY_ID: variable(Type.String({ minLength: 1, maxLength: 256 }), {
    expected: 'an access key id (with PARLEY_S3_SECRET_ACCESS_KEY)',
    default: "unset: the AWS SDK's default chain (environment, profile, instance or task role)",
    description: 'explicit credentials for the bucket, with `PARLEY_S3_SECRET_ACCESS_KEY` (both or neither)',
  }),
  PARLEY_S3_SECRET_ACCESS_KEY: variable(Type.String({ minLength: 1, maxLength: 1024 }), {
    expected: 'a secret access key (with PARLEY_S3_ACCESS_KEY_ID)',
    default: 'unset',
    description: 'the secret of `PARLEY_S3_ACCESS_KEY_ID`',
  }),
  PARLEY_S3_KEY_PREFIX: variable(Type.String({ pattern: '^([A-Za-z0-9._-]+/)+$' }), {
    expected: 'a key prefix ending in / such as parley/ (letters, digits, . _ - and /)',
    default: 'unset: keys are the storage paths (`uploads/messages/…`)',
    description:
      'prepended to every object key, to share a bucket; Parley never lists, reads or deletes outside it',
  }),
  PARLEY_S3_PRESIGNED_DOWNLOADS: variable(
    Type.String({
      pattern: '^\\s*(off|\\d+\\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes)?)\\s*$',
    }),
    {
      expected: 'off or a duration from 1 second to 1 hour such as 60s or 5 minutes',
      default: '`off`: downloads stream through the API',
      description:
        'with `PARLEY_STORAGE=s3`: a download (not a thumbnail) answers `302` to a presigned S3 URL valid this long, after the same access check, so the bytes skip the API; the URL works for anyone who has it until it expires',
    },
  ),
  PARLEY_WORKERS: variable(Type.Integer({ minimum: 1, maximum: 64 }), {
    expected: 'an integer from 1 to 64',
    default: '`1`',
    description:
      'API processes sharing the port (`node:cluster`): a supervisor starts this many, replaces one that dies and stops them all on SIGTERM; above 1 needs `PARLEY_DATABASE_URL` (a PGlite directory belongs to one process). Only the first runs the notification, webhook and digest workers. See docs/deploy.md',
  }),
  PARLEY_NOTIFICATIONS_WORKER: variable(Type.String({ pattern: '^\\s*(on|off)\\s*$' }), {
    expected: 'on or off',
    default: '`on`',
    description:
      'run the email notification worker and the webhook delivery worker inside the API process (`off` when you run `pnpm worker` processes instead — on PostgreSQL only: a PGlite directory belongs to one process)',
  }),
  PARLEY_NOTIFICATION_WINDOW: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 5m or 90s',
      default: '`5m`',
      description:
        'batching window: at most one notification email per recipient per conversation per window; messages arriving inside it are folded into the next email',
    },
  ),
  PARLEY_NOTIFICATION_MAX_ATTEMPTS: variable(Type.Integer({ minimum: 1, maximum: 100 }), {
    expected: 'an integer from 1 to 100',
    default: '`5`',
    description:
      'failed send attempts (retried with exponential backoff and jitter) before a notification is marked `failed` (1–100); permanent rejections fail at once',
  }),
  PARLEY_INBOX_URL_TEMPLATE: variable(
    Type.String({ pattern: '^https?://[^\\s/{}]+(/[^\\s]*)?$', maxLength: 2000 }),
    {
      expected:
        'an http(s) URL containing {conversation_id} and optionally {audience}, such as https://shop.example/account/messages/{conversation_id}',
      default: '`{PARLEY_PUBLIC_URL}/inbox/c/{conversation_id}` (the web inbox the API serves)',
      description:
        "where notification emails link: an http(s) URL with `{conversation_id}` and optionally `{audience}` (the recipient type's audience in the preset: `admin`, `store`, `storefront` in the marketplace, the role itself in the others), e.g. `https://shop.example/storefront/account/messages/{conversation_id}`; checked at start",
    },
  ),
  PARLEY_NOTIFICATION_POLL_INTERVAL: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 5s or 500ms',
      default: '`5s`',
      description: 'how often a worker polls the notification queue',
    },
  ),
  PARLEY_DIGEST_POLL_INTERVAL: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 1m or 30s',
      default: '`1m`',
      description:
        'how often a worker (wherever the notification worker runs) looks for daily and weekly digests that are due; a digest goes at the first look at or after its local hour, once per person and period',
    },
  ),
  PARLEY_WEBHOOK_POLL_INTERVAL: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 1s or 500ms',
      default: '`1s`',
      description:
        'how often a worker (wherever the notification worker runs) looks for webhook deliveries that are due, first or retried',
    },
  ),
  PARLEY_WEBHOOK_TIMEOUT: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes)?\\s*$',
    }),
    {
      expected: 'a duration from 100ms to 60s, such as 10s',
      default: '`10s`',
      description:
        "longest one webhook attempt may take (connect, send, the receiver's answer); past it the attempt fails and is retried",
    },
  ),
  PARLEY_WORKER_LEASE: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration from 5s to 1h, longer than PARLEY_WEBHOOK_TIMEOUT, such as 30s or 2 minutes',
      default: '`2m` for notification groups and digests, `60s` for webhook deliveries',
      description:
        "how long a worker's claim on a notification group, a digest or a webhook delivery lasts (renewed while it works) before another worker may take it over: how long the work of a worker that died waits (5 s – 1 h, above `PARLEY_WEBHOOK_TIMEOUT`)",
    },
  ),
  PARLEY_EVENT_POLL_INTERVAL: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 1s or 500ms',
      default: '`1s`',
      description:
        'how often the event dispatcher polls the event log when nothing woke it (a local commit, or `LISTEN/NOTIFY` on PostgreSQL, normally does)',
    },
  ),
  PARLEY_EVENT_RETENTION_DAYS: variable(Type.Integer({ minimum: 1, maximum: 3650 }), {
    expected: 'an integer from 1 to 3650',
    default: '`7`',
    description:
      'how many days events stay in the event log before they are pruned (a subscriber further behind than this misses them)',
  }),
  PARLEY_MODERATION_TIMEOUT_MS: variable(Type.Integer({ minimum: 1, maximum: 10_000 }), {
    expected: 'an integer from 1 to 10000',
    default: '`250`',
    description:
      'the time limit of each content moderator (word list, contact details) on a send or edit, in milliseconds; past it, `PARLEY_MODERATION_FAILURE_MODE` decides',
  }),
  PARLEY_MODERATION_FAILURE_MODE: variable(
    Type.Union([Type.Literal('fail_open'), Type.Literal('fail_closed')]),
    {
      expected: 'fail_open or fail_closed',
      default: '`fail_open`',
      description:
        'what a content moderator that fails or runs past its time limit does: `fail_open` lets the message through, `fail_closed` holds it for review',
    },
  ),
  PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: variable(
    Type.String({
      pattern:
        '^\\s*(off|\\d+\\s*/\\s*(\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?|(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)))\\s*$',
    }),
    {
      expected: 'previews per window, such as 30/1m or 100/1h, or off',
      default: '`30/1m`',
      description:
        'email template previews per window, **per store** (all its staff together) for store previews and per admin for platform previews, on top of the general rate limit (`100/1h`, `5/minute`), or `off`; past it 429 `RATE_LIMITED`',
    },
  ),
  PARLEY_TEMPLATE_RENDER_TIMEOUT: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes)?\\s*$',
    }),
    {
      expected: 'a duration from 10ms to 60s, such as 1s or 500ms',
      default: '`1s`',
      description:
        'longest one template render, validation or text conversion may run in its worker thread (10 ms – 60 s); past it 422 `TEMPLATE_TIMEOUT` (and a notification email fails)',
    },
  ),
  PARLEY_TEMPLATE_WORKERS: variable(Type.Integer({ minimum: 1, maximum: 64 }), {
    expected: 'an integer from 1 to 64',
    default: 'half the CPUs, at least 1',
    description:
      'worker threads rendering store-authored templates, per pool (1–64): one pool serves previews and saves, another the notification worker',
  }),
  PARLEY_TEMPLATE_WORKER_MEMORY_MB: variable(Type.Integer({ minimum: 16, maximum: 4096 }), {
    expected: 'an integer number of megabytes from 16 to 4096',
    default: '`64`',
    description:
      'V8 heap of each template worker thread, in MB (16–4096); a render past it fails with 422 `TEMPLATE_TOO_LARGE` and the worker is replaced',
  }),
  PARLEY_SENDGRID_WEBHOOK_PUBLIC_KEY: variable(Type.String({ pattern: '^[A-Za-z0-9+/=\\s-]{40,}$' }), {
    expected: "SendGrid's Signed Event Webhook verification key (base64, or PEM with its BEGIN/END lines)",
    default: 'unset: `/api/v1/webhooks/email/sendgrid` answers 404',
    description: "SendGrid's Signed Event Webhook verification key (base64 or PEM)",
  }),
  PARLEY_SENDGRID_WEBHOOK_MAX_AGE_SECONDS: variable(Type.Integer({ minimum: 1, maximum: 86_400 }), {
    expected: 'an integer number of seconds from 1 to 86400',
    default: '`300`',
    description: 'how far the signed timestamp may be from now (1–86400)',
  }),
  PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: variable(Type.String({ minLength: 8 }), {
    expected: "Mailgun's HTTP webhook signing key (at least 8 characters)",
    default: 'unset: `/api/v1/webhooks/email/mailgun` answers 404',
    description: "Mailgun's HTTP webhook signing key",
  }),
  PARLEY_SES_SNS_TOPIC_ARNS: variable(
    Type.String({ pattern: '^\\s*arn:aws[a-z-]*:sns:[^\\s,]+(\\s*,\\s*arn:aws[a-z-]*:sns:[^\\s,]+)*\\s*$' }),
    {
      expected:
        'a comma-separated list of SNS topic ARNs (arn:aws:sns:eu-west-1:123456789012:parley-ses-events)',
      default: 'unset: `/api/v1/webhooks/email/ses` answers 404',
      description: 'comma-separated SNS topic ARNs whose SES events are accepted',
    },
  ),
  PARLEY_SES_SNS_CERT_HOST_PATTERN: variable(Type.String({ minLength: 1 }), {
    expected:
      'a regular expression for the SNS certificate host (test only; refused when NODE_ENV=production)',
    default: 'unset: `sns.<region>.amazonaws.com` over https',
    description:
      '**tests only** (refused in production): a regex for the SNS certificate host; also allows http',
  }),
  PARLEY_INBOUND_DOMAIN: variable(
    Type.String({
      pattern:
        '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$',
    }),
    {
      expected: 'a domain name whose mail reaches Parley, e.g. inbound.example.com',
      default: 'unset: reply by email is off (no Reply-To address, `/api/v1/inbound/*` answer 404)',
      description:
        'reply by email: notification emails carry `reply+<token>@<domain>` as Reply-To, and replies to it are posted into the conversation',
    },
  ),
  PARLEY_INBOUND_SECRET: variable(Type.String({ minLength: 32 }), {
    expected: 'a secret of at least 32 characters',
    default: 'derived from the JWT secret',
    description:
      'HMAC-SHA256 key signing reply addresses (≥ 32 characters); changing it (or the JWT secret it defaults to) invalidates every address already sent',
  }),
  PARLEY_INBOUND_TOKEN_TTL_DAYS: variable(Type.Integer({ minimum: 1, maximum: 3650 }), {
    expected: 'an integer number of days from 1 to 3650',
    default: '`90`',
    description: 'how long a reply address is accepted after its email was sent (1–3650 days)',
  }),
  PARLEY_INBOUND_MAX_MB: variable(Type.Integer({ minimum: 1, maximum: 100 }), {
    expected: 'an integer number of megabytes from 1 to 100',
    default: '`25`',
    description: 'largest inbound email accepted (SMTP `SIZE`, webhook bodies), in MB',
  }),
  PARLEY_INBOUND_SMTP_PORT: variable(Type.Integer({ minimum: 0, maximum: 65_535 }), {
    expected: 'an integer from 0 to 65535',
    default: 'unset: no SMTP listener',
    description:
      'built-in SMTP listener for self-hosting (needs `PARLEY_INBOUND_DOMAIN`; 0 picks a free port): accepts mail to reply addresses only',
  }),
  PARLEY_INBOUND_SMTP_HOST: variable(Type.String({ minLength: 1 }), {
    expected: 'an address to bind, e.g. 0.0.0.0',
    default: '`PARLEY_HOST`',
    description: 'address the SMTP listener binds',
  }),
  PARLEY_INBOUND_SES_SNS_TOPIC_ARNS: variable(
    Type.String({ pattern: '^\\s*arn:aws[a-z-]*:sns:[^\\s,]+(\\s*,\\s*arn:aws[a-z-]*:sns:[^\\s,]+)*\\s*$' }),
    {
      expected:
        'a comma-separated list of SNS topic ARNs (arn:aws:sns:eu-west-1:123456789012:parley-inbound)',
      default: 'unset: `/api/v1/inbound/ses` answers 404',
      description:
        'comma-separated SNS topics of SES receipt rules (SNS action, UTF-8 or Base64 encoding) whose mail is accepted; `PARLEY_SES_SNS_CERT_HOST_PATTERN` applies too',
    },
  ),
  PARLEY_INBOUND_WEBHOOK_PASSWORD: variable(Type.String({ minLength: 16 }), {
    expected: 'a password of at least 16 characters',
    default: 'unset: `/api/v1/inbound/sendgrid` needs no credentials',
    description:
      'SendGrid Inbound Parse signs nothing: when set, its POSTs must carry HTTP Basic credentials with this password (`https://parse:<password>@host/api/v1/inbound/sendgrid`)',
  }),
  PARLEY_ENCRYPTION_KEY: variable(Type.String({ minLength: 1 }), {
    expected:
      'a key ring kid:base64-32-bytes[,kid:base64-32-bytes…], the first key current (e.g. k1:$(openssl rand -base64 32))',
    default: 'generated once into `$PARLEY_DATA_DIR/encryption-key` (mode 0600)',
    description:
      'key ring sealing stores\' mail credentials (AES-256-GCM): `kid:base64-32-bytes[,kid:base64…]`, the **first key is current**, the others still decrypt (rotation: prepend a new key, keep the old ones until every store re-saved). Generate one with `echo "k1:$(openssl rand -base64 32)"`; **required when `NODE_ENV=production`** — losing it makes stored credentials unreadable',
  }),
  PARLEY_SMTP_URL: variable(Type.String({ pattern: '^smtps?://[^\\s]+$' }), {
    expected: 'an SMTP URL: smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465',
    default: 'unset: platform mail is written as `.eml` files under `$PARLEY_DATA_DIR/mail`',
    description:
      "the platform's default transport: `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://user:password@host:465`; URL-encode `@` and `:` in credentials",
  }),
  PARLEY_MAIL_FROM: variable(Type.String({ minLength: 3, maxLength: 320 }), {
    expected: 'a sender address, optionally with a name: "Parley <no-reply@example.com>"',
    default: '`Parley <no-reply@parley.localhost>`',
    description: 'sender of platform mail (`Name <address>` or `address`); required with `PARLEY_SMTP_URL`',
  }),
  PARLEY_MAIL_BREAKER_FAILURES: variable(Type.Integer({ minimum: 1, maximum: 1000 }), {
    expected: 'an integer from 1 to 1000',
    default: '`5`',
    description:
      "consecutive retryable failures (timeouts, 429, 5xx, SMTP 4xx) after which a mail transport's circuit breaker opens: its sends then fail at once and go to the store's `fallback_provider` (if any) until the cool-down ends; one breaker per store and provider, and one for the platform's transport, per process; admins are notified when one opens and when it closes",
  }),
  PARLEY_MAIL_BREAKER_COOLDOWN: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours)?\\s*$',
    }),
    {
      expected: 'a duration such as 60s or 5 minutes',
      default: '`60s`',
      description:
        'how long an open breaker refuses sends before letting one through to test the provider (success closes it, a failure opens it again)',
    },
  ),
  PARLEY_OUTBOUND_ALLOWED_CIDRS: variable(Type.String({ minLength: 1, maxLength: 4096 }), {
    expected:
      'a comma-separated list of CIDRs or IP addresses stores may reach although not public (e.g. 10.20.0.0/16,fd00:1::/64)',
    default: 'unset: none',
    description:
      "comma-separated CIDRs or addresses (`10.20.0.0/16,fd00:1::/64`) that stores' SMTP hosts and webhook URLs may be or resolve to although not public — a relay or receiver on your own network, `127.0.0.0/8` for a local test server. Everything else that is loopback, private, link-local, CGNAT, multicast, unspecified or reserved is refused (400 on `smtp_host` or `url`, and at every webhook attempt); cloud metadata addresses always are. `localhost` is 127.0.0.1 and ::1",
  }),
  PARLEY_METRICS_TOKEN: variable(
    Type.String({ minLength: 16, maxLength: 1024, pattern: '^[\\x21-\\x7e]+$' }),
    {
      expected:
        'a bearer token of 16 to 1024 printable characters without spaces (e.g. $(openssl rand -hex 32))',
      default: 'unset: no `/metrics` (404)',
      description:
        'bearer token `GET /metrics` (Prometheus text format) requires: 16–1024 printable characters without spaces (`openssl rand -hex 32`); see [docs/api.md](docs/api.md#metrics)',
    },
  ),
  PARLEY_REDIS_URL: variable(Type.String({ pattern: '^rediss?://[^\\s]+$' }), {
    expected: 'a Redis URL such as redis://localhost:6379 or rediss://user:password@host:6380/0',
    default: 'unset: PostgreSQL `NOTIFY` and database counters',
    description:
      'Redis carrying typing and presence between API instances (pub/sub) and the rate-limit counters (`redis://host:6379[/db]`, `rediss://` for TLS); unset: signals cross instances through PostgreSQL `LISTEN/NOTIFY` (in the process on PGlite) and the counters live in the database. Durable events always come from the event log',
  }),
  PARLEY_REALTIME_HEARTBEAT: variable(
    Type.String({
      pattern: '^\\s*\\d+\\s*(ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes)?\\s*$',
    }),
    {
      expected: 'a duration such as 25s or 500ms',
      default: '`25s`',
      description:
        'how often each WebSocket is pinged (a socket that has not answered the previous ping is ended) and each SSE stream gets a comment line; presence of a connection ended abruptly, or of an instance that died, turns offline within about 2.5 of these (presence reports between instances last two of these)',
    },
  ),
  PARLEY_REALTIME_MAX_FRAME_BYTES: variable(Type.Integer({ minimum: 256, maximum: 1_048_576 }), {
    expected: 'a size in bytes from 256 to 1048576',
    default: '`4096`',
    description:
      'largest client frame (WebSocket message or `POST /api/v1/realtime/frames` body) in bytes; a larger WebSocket message closes the socket (1009)',
  }),
  PARLEY_REALTIME_FRAMES_PER_SECOND: variable(Type.Integer({ minimum: 1, maximum: 10_000 }), {
    expected: 'an integer from 1 to 10000',
    default: '`10`',
    description:
      'client frames per second per connection (bursts of twice that); past it an `error` frame `rate_limited`, and a connection that keeps at it is closed (1008)',
  }),
  PARLEY_REALTIME_REPLAY_MAX_EVENTS: variable(Type.Integer({ minimum: 1, maximum: 10_000_000 }), {
    expected: 'an integer from 1 to 10000000',
    default: '`10000`',
    description:
      'longest gap (in events of the client’s own conversations and of none; the whole log for someone who may watch others’ conversations) a reconnecting client resumes with `since` / `Last-Event-ID`; a longer or unknown one gets `resync_required`',
  }),
  PARLEY_REALTIME_MAX_CONNECTIONS: variable(Type.Integer({ minimum: 1, maximum: 1_000_000 }), {
    expected: 'an integer from 1 to 1000000',
    default: '`20000`',
    description:
      'WebSocket and SSE connections one API instance accepts; past it new ones are refused (503 before the upgrade)',
  }),
});

export type Environment = Static<typeof EnvironmentSchema>;
type VariableName = keyof Environment;

/** What each variable must be, for error messages: the schema's `expected`. */
const EXPECTED = Object.fromEntries(
  Object.entries(EnvironmentSchema.properties).map(([name, schema]) => [name, schema.expected]),
) as Record<VariableName, string>;

/** Which database the API runs on. */
export type DatabaseSettings = (
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number }
  | { readonly kind: 'pglite'; readonly dataDir: string }
) & {
  /** Schema holding Parley's tables (absent: `public`), as `pnpm db:migrate` reads it too. */
  readonly schema?: string;
};

/** The API's configuration, validated once at start and handed to everything that needs it. */
export interface Config {
  /** `NODE_ENV` (default `development`). */
  readonly nodeEnv: string;
  readonly production: boolean;
  readonly database: DatabaseSettings;
  /** Absolute; holds PGlite's files, the generated JWT secret, uploads and the mail sink. */
  readonly dataDir: string;
  /** `{dataDir}/uploads`: attachment files (`FsAttachmentStorage` is rooted at `dataDir`; paths start with `uploads/`). */
  readonly uploadsDir: string;
  /** Where the file mail sink will write (created at start; used from the notifications issue on). */
  readonly mailDir: string;
  readonly host: string;
  /** `PARLEY_WORKERS`: API processes sharing the port under one supervisor (1: no supervisor). */
  readonly workers: number;
  readonly port: number;
  /** Absent: the composition root generates one once and keeps it in `dataDir`. */
  readonly jwtSecret: string | undefined;
  readonly logLevel: LogLevel;
  /** Public base URL without a trailing slash; absent: derived from host and port. */
  readonly publicUrl: string | undefined;
  /** Allowed CORS origins; empty: CORS is off; `*`: any origin. */
  readonly corsOrigins: readonly string[] | '*';
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  /** `PARLEY_PRESET`: the access policy, the directory and the demo data. */
  readonly preset: PresetName;
  /** Seed the demo directory when it is empty and print demo tokens. */
  readonly seedDemo: boolean;
  /**
   * The orphan-file sweep: how often it runs (null: never) and how old an unreferenced file must
   * be before it is removed (so uploads in flight are never touched).
   */
  readonly attachmentSweep: { readonly intervalMs: number | null; readonly graceMs: number };
  /** Where attachment files live (`PARLEY_STORAGE`, `PARLEY_S3_*`). */
  readonly storage: StorageSettings;
  /**
   * Admin notification for a store whose sends keep failing: after `sendFailureThreshold`
   * consecutive failed sends (null: never) within `sendFailureWindowMs`, once per streak.
   */
  readonly adminAlerts: {
    readonly sendFailureThreshold: number | null;
    readonly sendFailureWindowMs: number;
  };
  /**
   * The email notification pipeline: whether this process runs the worker, the batching window
   * (at most one email per recipient per conversation per window), how many failed sends a
   * notification gets, and how often the worker polls the queue.
   */
  readonly notifications: {
    readonly worker: boolean;
    readonly windowMs: number;
    readonly maxAttempts: number;
    readonly pollIntervalMs: number;
  };
  /** Digest emails: how often the digest worker (running where the notification worker runs) looks for due ones. */
  readonly digests: {
    readonly pollIntervalMs: number;
  };
  /**
   * The event log: how often its dispatcher polls when nothing woke it, and how long events are
   * kept before they are pruned.
   */
  readonly events: {
    readonly pollIntervalMs: number;
    readonly retentionDays: number;
  };
  /** Content moderation: each moderator's time limit and what its failure does. */
  readonly moderation: {
    readonly timeoutMs: number;
    readonly failureMode: 'fail_open' | 'fail_closed';
  };
  /**
   * Webhooks to the host platform: how often the delivery worker (running where the notification
   * worker runs) polls for due deliveries, and the longest one attempt may take.
   */
  readonly webhooks: {
    readonly pollIntervalMs: number;
    readonly timeoutMs: number;
  };
  /**
   * `PARLEY_WORKER_LEASE`: one claim's lease for notification groups, digests and webhook deliveries alike;
   * null: each keeps its default (2 minutes, 60 seconds).
   */
  readonly workerLeaseMs: number | null;
  /**
   * Where notification emails link (`reply_url`): a URL with `{conversation_id}` and optionally
   * `{audience}`; absent: `{publicUrl}/inbox/c/{conversation_id}`, the web inbox the API serves.
   */
  readonly inboxUrlTemplate: string | undefined;
  /**
   * Store-authored email templates run in worker threads: how many per pool (null: half the
   * CPUs), each render's time limit and each worker's heap; and the preview rate limit per store
   * (per admin for platform previews), null: off.
   */
  readonly templates: {
    readonly workers: number | null;
    readonly renderTimeoutMs: number;
    readonly workerMemoryMb: number;
    readonly previewRateLimit: { readonly max: number; readonly windowMs: number } | null;
  };
  /** Email tracking webhooks: a provider left undefined has no key, and its route answers 404. */
  readonly emailWebhooks: EmailWebhookSettings;
  /** Reply by email (`PARLEY_INBOUND_*`); null when `PARLEY_INBOUND_DOMAIN` is unset. */
  readonly inbound: InboundMailSettings | null;
  /**
   * Key ring sealing store mail credentials (`PARLEY_ENCRYPTION_KEY`); absent (development only):
   * the composition root generates one once and keeps it in `dataDir`.
   */
  readonly encryptionKey: string | undefined;
  /** The platform's own mail: `PARLEY_SMTP_URL`, else `.eml` files under `mailDir`. */
  readonly mail: PlatformMailConfig;
  /** Every mail transport's circuit breaker (`PARLEY_MAIL_BREAKER_*`). */
  readonly mailBreaker: { readonly failures: number; readonly cooldownMs: number };
  /**
   * Hosts stores may point Parley at (their SMTP server): refused when they are or resolve to a
   * non-public address, unless `allowedCidrs` (`PARLEY_OUTBOUND_ALLOWED_CIDRS`) covers it.
   */
  readonly outbound: { readonly allowedCidrs: readonly string[] };
  /** Bearer token `GET /metrics` requires (`PARLEY_METRICS_TOKEN`); absent: no `/metrics` route (404). */
  readonly metricsToken: string | undefined;
  /** Real-time delivery (WebSocket and SSE): see `RealtimeSettings`. */
  readonly realtime: RealtimeSettings;
}

/** Attachment storage: the data dir, or an S3 bucket. */
export type StorageSettings =
  | { readonly kind: 'fs' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly region: string;
      readonly endpoint?: string;
      readonly forcePathStyle: boolean;
      /** Both or neither; neither: the SDK's default credential chain. */
      readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
      readonly keyPrefix?: string;
      /** Seconds a presigned download redirect is valid; null: downloads stream through the API. */
      readonly presignedDownloadSeconds: number | null;
    };

/** Real-time delivery's settings (`PARLEY_REDIS_URL`, `PARLEY_REALTIME_*`). */
export interface RealtimeSettings {
  /** Redis carrying typing and presence between instances; absent: PostgreSQL NOTIFY (or in-process on PGlite). */
  readonly redisUrl: string | undefined;
  /** WebSocket ping and SSE comment interval. */
  readonly heartbeatMs: number;
  /** Largest client frame in bytes. */
  readonly maxFrameBytes: number;
  /** Client frames per second per connection (bursts of twice that). */
  readonly framesPerSecond: number;
  /** Longest gap in log events a resume covers before `resync_required`. */
  readonly replayMaxEvents: number;
  /** Connections (WebSocket and SSE) one instance accepts. */
  readonly maxConnections: number;
}

/**
 * Defaults of the settings `buildServer` also takes one by one (tests and embedders build a server
 * without a `Config`): what `parseConfig` gives `PARLEY_LOG_LEVEL`, `PARLEY_RATE_LIMIT_MAX`,
 * `PARLEY_RATE_LIMIT_WINDOW` and `PARLEY_BODY_LIMIT` when they are unset.
 */
/** `PARLEY_WEBHOOK_*`: the delivery worker's poll interval and the per-attempt timeout (100 ms – 60 s). */
function webhookSettings(env: Environment): Config['webhooks'] {
  const timeoutMs =
    env.PARLEY_WEBHOOK_TIMEOUT === undefined
      ? 10_000
      : parseDuration(env.PARLEY_WEBHOOK_TIMEOUT, 'PARLEY_WEBHOOK_TIMEOUT');
  if (timeoutMs < 100 || timeoutMs > 60_000)
    throw new ConfigError(
      'PARLEY_WEBHOOK_TIMEOUT',
      `PARLEY_WEBHOOK_TIMEOUT must be ${EXPECTED.PARLEY_WEBHOOK_TIMEOUT} (got ${env.PARLEY_WEBHOOK_TIMEOUT})`,
    );
  return {
    pollIntervalMs:
      env.PARLEY_WEBHOOK_POLL_INTERVAL === undefined
        ? 1_000
        : parseDuration(env.PARLEY_WEBHOOK_POLL_INTERVAL, 'PARLEY_WEBHOOK_POLL_INTERVAL'),
    timeoutMs,
  };
}

/** `PARLEY_WORKER_LEASE`: 5 s – 1 h and above the webhook timeout (an attempt must fit in a claim). */
function workerLease(env: Environment): number | null {
  if (env.PARLEY_WORKER_LEASE === undefined) return null;
  const leaseMs = parseDuration(env.PARLEY_WORKER_LEASE, 'PARLEY_WORKER_LEASE');
  const timeoutMs = webhookSettings(env).timeoutMs;
  if (leaseMs < 5_000 || leaseMs > 3_600_000 || leaseMs <= timeoutMs)
    throw new ConfigError(
      'PARLEY_WORKER_LEASE',
      `PARLEY_WORKER_LEASE must be ${EXPECTED.PARLEY_WORKER_LEASE} (got ${env.PARLEY_WORKER_LEASE})`,
    );
  return leaseMs;
}

export const SERVER_DEFAULTS = {
  logLevel: 'info',
  rateLimit: { max: 600, windowMs: 60_000 },
  bodyLimit: 1_048_576,
} as const satisfies Pick<Config, 'logLevel' | 'rateLimit' | 'bodyLimit'>;

/**
 * The API's public base URL: `PARLEY_PUBLIC_URL`, else its documented default
 * `http://{host}:{port}` — the address it listens on, `localhost` for a wildcard host. `port`
 * is the one actually bound, when `PARLEY_PORT=0` picked a free one.
 *
 * @example
 * ```ts
 * publicBaseUrl(parseConfig({ PARLEY_HOST: '0.0.0.0' }, cwd)); // 'http://localhost:3000'
 * ```
 */
export function publicBaseUrl(
  config: Pick<Config, 'publicUrl' | 'host' | 'port'>,
  port = config.port,
): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The platform default mail transport and sender. */
export interface PlatformMailConfig {
  readonly transport:
    | {
        readonly kind: 'smtp';
        readonly host: string;
        readonly port: number;
        /** `smtps://`: implicit TLS. */
        readonly secure: boolean;
        readonly username?: string;
        readonly password?: string;
      }
    | { readonly kind: 'file'; readonly directory: string };
  readonly from: { readonly address: string; readonly name?: string };
}

/** Reply by email: the reply addresses' domain and key, and how mail gets in. */
export interface InboundMailSettings {
  readonly domain: string;
  /** `PARLEY_INBOUND_SECRET`; undefined: derived from the JWT secret. */
  readonly secret: string | undefined;
  readonly tokenTtlMs: number;
  readonly maxBytes: number;
  /** The SMTP listener; null: off. */
  readonly smtp: { readonly host: string; readonly port: number } | null;
  /** SNS topics of SES receipt rules; empty: the SES route answers 404. */
  readonly sesTopicArns: readonly string[];
  /** TEST ONLY (`PARLEY_SES_SNS_CERT_HOST_PATTERN`): replaces the SNS host check; also lets `http:` through. */
  readonly snsCertHostPattern?: RegExp;
  /** Basic-auth password the SendGrid route requires; undefined: none. */
  readonly webhookPassword: string | undefined;
}

/** The keys the email tracking webhooks verify with. */
export interface EmailWebhookSettings {
  readonly sendgrid?: { readonly publicKey: string; readonly maxAgeSeconds: number };
  readonly mailgun?: { readonly signingKey: string };
  readonly ses?: {
    readonly topicArns: readonly string[];
    /** TEST ONLY: replaces the `sns.<region>.amazonaws.com` host check; also lets `http:` through. */
    readonly certHostPattern?: RegExp;
  };
}

/** A configuration problem; `variable` names the environment variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`Invalid configuration: ${message}`);
    this.variable = variable;
  }
}

/** Variables whose values never appear in an error message (secrets, passwords in URLs). */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'PARLEY_JWT_SECRET',
  'PARLEY_DATABASE_URL',
  'PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY',
  'PARLEY_ENCRYPTION_KEY',
  'PARLEY_INBOUND_SECRET',
  'PARLEY_INBOUND_WEBHOOK_PASSWORD',
  'PARLEY_SMTP_URL',
  'PARLEY_METRICS_TOKEN',
  'PARLEY_REDIS_URL',
  'PARLEY_S3_SECRET_ACCESS_KEY',
]);

const checker = Compile(EnvironmentSchema);
const VARIABLES = Object.keys(EnvironmentSchema.properties) as VariableName[];

function got(name: string, value: string | undefined): string {
  if (value === undefined) return 'unset';
  if (SECRET_VARIABLES.has(name)) return `a value of ${value.length} characters, not shown`;
  return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

function parseDuration(text: string, variable: VariableName = 'PARLEY_RATE_LIMIT_WINDOW'): number {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/.exec(text);
  const amount = Number(match?.[1]);
  const unit = DURATION_UNITS[match?.[2] || 'ms'];
  const ms = amount * (unit ?? Number.NaN);
  if (!Number.isSafeInteger(ms) || ms < 1) {
    throw new ConfigError(variable, `${variable} must be ${EXPECTED[variable]} (got ${got(variable, text)})`);
  }
  return ms;
}

/** Environment strings to the schema's types: strict integers and booleans, the rest as is. */
function convert(raw: Readonly<Record<string, string>>): Record<string, unknown> {
  const converted: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const schema = EnvironmentSchema.properties[name as VariableName] as { type?: unknown };
    if (schema.type === 'integer' && /^\d{1,15}$/.test(value)) converted[name] = Number(value);
    else if (schema.type === 'boolean' && /^(true|false|1|0)$/i.test(value)) {
      converted[name] = /^(true|1)$/i.test(value);
    } else converted[name] = value;
  }
  return converted;
}

/**
 * Validates an environment (a plain record of strings) into a `Config`, or throws a
 * `ConfigError` naming the first bad variable. Pure: `readConfig` is the one caller that hands it
 * `process.env`.
 *
 * @example
 * ```ts
 * const config = parseConfig({ PARLEY_PORT: '8080' }, '/srv/parley');
 * config.port; // 8080
 * ```
 */
export function parseConfig(source: Readonly<Record<string, string | undefined>>, cwd: string): Config {
  const raw: Record<string, string> = {};
  for (const name of VARIABLES) {
    const value = source[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  const converted = convert(raw);
  if (!checker.Check(converted)) {
    const [first] = checker.Errors(converted);
    const variable = (first?.instancePath.split('/')[1] ?? '') as VariableName;
    const name = VARIABLES.includes(variable) ? variable : 'environment';
    throw new ConfigError(
      name,
      `${name} must be ${EXPECTED[name as VariableName] ?? 'valid'} (got ${got(name, raw[name])})`,
    );
  }
  const env = converted as Environment;
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  if (production && env.PARLEY_JWT_SECRET === undefined) {
    throw new ConfigError(
      'PARLEY_JWT_SECRET',
      `PARLEY_JWT_SECRET is required when NODE_ENV=production (${EXPECTED.PARLEY_JWT_SECRET}, shared with the platform that issues tokens)`,
    );
  }
  const dataDir = resolve(cwd, env.PARLEY_DATA_DIR ?? './data');
  const emailWebhooks = emailWebhookSettings(env, production);
  if (production && env.PARLEY_ENCRYPTION_KEY === undefined) {
    throw new ConfigError(
      'PARLEY_ENCRYPTION_KEY',
      `PARLEY_ENCRYPTION_KEY is required when NODE_ENV=production (${EXPECTED.PARLEY_ENCRYPTION_KEY})`,
    );
  }
  if (env.PARLEY_ENCRYPTION_KEY !== undefined) {
    try {
      parseKeyRing(env.PARLEY_ENCRYPTION_KEY);
    } catch (error) {
      throw new ConfigError(
        'PARLEY_ENCRYPTION_KEY',
        `PARLEY_ENCRYPTION_KEY must be ${EXPECTED.PARLEY_ENCRYPTION_KEY}: ${(error as Error).message}`,
      );
    }
  }
  const workers = env.PARLEY_WORKERS ?? 1;
  if (workers > 1 && env.PARLEY_DATABASE_URL === undefined) {
    throw new ConfigError(
      'PARLEY_WORKERS',
      `PARLEY_WORKERS above 1 needs PARLEY_DATABASE_URL: a PGlite directory belongs to one process (got ${workers})`,
    );
  }
  const cors = env.PARLEY_CORS_ORIGINS?.split(',').map((origin) => origin.trim()) ?? [];
  const inboxUrlTemplate = checkInboxUrlTemplate(env.PARLEY_INBOX_URL_TEMPLATE);
  return {
    nodeEnv,
    production,
    database: {
      ...(env.PARLEY_DATABASE_URL === undefined
        ? { kind: 'pglite' as const, dataDir: resolve(dataDir, 'pglite') }
        : {
            kind: 'postgres' as const,
            url: env.PARLEY_DATABASE_URL,
            poolSize: env.PARLEY_DATABASE_POOL_SIZE ?? 10,
          }),
      ...(env.PARLEY_DATABASE_SCHEMA === undefined ? {} : { schema: env.PARLEY_DATABASE_SCHEMA }),
    },
    dataDir,
    uploadsDir: resolve(dataDir, 'uploads'),
    mailDir: resolve(dataDir, 'mail'),
    host: env.PARLEY_HOST ?? '127.0.0.1',
    workers,
    port: env.PARLEY_PORT ?? 3000,
    jwtSecret: env.PARLEY_JWT_SECRET,
    logLevel: env.PARLEY_LOG_LEVEL ?? SERVER_DEFAULTS.logLevel,
    publicUrl: env.PARLEY_PUBLIC_URL?.replace(/\/+$/, ''),
    corsOrigins: cors.includes('*') ? '*' : cors,
    rateLimit: {
      max: env.PARLEY_RATE_LIMIT_MAX ?? SERVER_DEFAULTS.rateLimit.max,
      windowMs:
        env.PARLEY_RATE_LIMIT_WINDOW === undefined
          ? SERVER_DEFAULTS.rateLimit.windowMs
          : parseDuration(env.PARLEY_RATE_LIMIT_WINDOW),
    },
    bodyLimit: env.PARLEY_BODY_LIMIT ?? SERVER_DEFAULTS.bodyLimit,
    preset: env.PARLEY_PRESET ?? 'marketplace',
    seedDemo: env.PARLEY_SEED_DEMO ?? !production,
    attachmentSweep: {
      intervalMs:
        env.PARLEY_ATTACHMENT_SWEEP_INTERVAL === undefined
          ? 3_600_000
          : env.PARLEY_ATTACHMENT_SWEEP_INTERVAL.trim() === 'off'
            ? null
            : parseDuration(env.PARLEY_ATTACHMENT_SWEEP_INTERVAL, 'PARLEY_ATTACHMENT_SWEEP_INTERVAL'),
      graceMs:
        env.PARLEY_ATTACHMENT_SWEEP_GRACE === undefined
          ? 86_400_000
          : parseDuration(env.PARLEY_ATTACHMENT_SWEEP_GRACE, 'PARLEY_ATTACHMENT_SWEEP_GRACE'),
    },
    storage: storageSettings(env),
    notifications: {
      worker: (env.PARLEY_NOTIFICATIONS_WORKER?.trim() ?? 'on') === 'on',
      windowMs:
        env.PARLEY_NOTIFICATION_WINDOW === undefined
          ? 300_000
          : parseDuration(env.PARLEY_NOTIFICATION_WINDOW, 'PARLEY_NOTIFICATION_WINDOW'),
      maxAttempts: env.PARLEY_NOTIFICATION_MAX_ATTEMPTS ?? 5,
      pollIntervalMs:
        env.PARLEY_NOTIFICATION_POLL_INTERVAL === undefined
          ? 5_000
          : parseDuration(env.PARLEY_NOTIFICATION_POLL_INTERVAL, 'PARLEY_NOTIFICATION_POLL_INTERVAL'),
    },
    digests: {
      pollIntervalMs:
        env.PARLEY_DIGEST_POLL_INTERVAL === undefined
          ? 60_000
          : parseDuration(env.PARLEY_DIGEST_POLL_INTERVAL, 'PARLEY_DIGEST_POLL_INTERVAL'),
    },
    events: {
      pollIntervalMs:
        env.PARLEY_EVENT_POLL_INTERVAL === undefined
          ? 1_000
          : parseDuration(env.PARLEY_EVENT_POLL_INTERVAL, 'PARLEY_EVENT_POLL_INTERVAL'),
      retentionDays: env.PARLEY_EVENT_RETENTION_DAYS ?? 7,
    },
    moderation: {
      timeoutMs: env.PARLEY_MODERATION_TIMEOUT_MS ?? 250,
      failureMode: env.PARLEY_MODERATION_FAILURE_MODE ?? 'fail_open',
    },
    webhooks: webhookSettings(env),
    workerLeaseMs: workerLease(env),
    adminAlerts: {
      sendFailureThreshold:
        env.PARLEY_ADMIN_ALERT_SEND_FAILURES === 0 ? null : (env.PARLEY_ADMIN_ALERT_SEND_FAILURES ?? 5),
      sendFailureWindowMs:
        env.PARLEY_ADMIN_ALERT_SEND_FAILURE_WINDOW === undefined
          ? 3_600_000
          : parseDuration(
              env.PARLEY_ADMIN_ALERT_SEND_FAILURE_WINDOW,
              'PARLEY_ADMIN_ALERT_SEND_FAILURE_WINDOW',
            ),
    },
    inboxUrlTemplate,
    templates: templateSettings(env),
    emailWebhooks,
    inbound: inboundMailSettings(env, production),
    encryptionKey: env.PARLEY_ENCRYPTION_KEY,
    mail: platformMail(env, resolve(dataDir, 'mail')),
    mailBreaker: {
      failures: env.PARLEY_MAIL_BREAKER_FAILURES ?? 5,
      cooldownMs:
        env.PARLEY_MAIL_BREAKER_COOLDOWN === undefined
          ? 60_000
          : parseDuration(env.PARLEY_MAIL_BREAKER_COOLDOWN, 'PARLEY_MAIL_BREAKER_COOLDOWN'),
    },
    outbound: { allowedCidrs: outboundAllowedCidrs(env.PARLEY_OUTBOUND_ALLOWED_CIDRS) },
    metricsToken: env.PARLEY_METRICS_TOKEN,
    realtime: {
      redisUrl: env.PARLEY_REDIS_URL,
      heartbeatMs:
        env.PARLEY_REALTIME_HEARTBEAT === undefined
          ? 25_000
          : parseDuration(env.PARLEY_REALTIME_HEARTBEAT, 'PARLEY_REALTIME_HEARTBEAT'),
      maxFrameBytes: env.PARLEY_REALTIME_MAX_FRAME_BYTES ?? 4096,
      framesPerSecond: env.PARLEY_REALTIME_FRAMES_PER_SECOND ?? 10,
      replayMaxEvents: env.PARLEY_REALTIME_REPLAY_MAX_EVENTS ?? 10_000,
      maxConnections: env.PARLEY_REALTIME_MAX_CONNECTIONS ?? 20_000,
    },
  };
}

function storageSettings(env: Environment): StorageSettings {
  const s3Only = [
    'PARLEY_S3_BUCKET',
    'PARLEY_S3_ENDPOINT',
    'PARLEY_S3_ACCESS_KEY_ID',
    'PARLEY_S3_SECRET_ACCESS_KEY',
    'PARLEY_S3_KEY_PREFIX',
  ] as const;
  if ((env.PARLEY_STORAGE ?? 'fs') === 'fs') {
    const stray = s3Only.find((name) => env[name] !== undefined);
    if (stray !== undefined) {
      throw new ConfigError(stray, `${stray} is only read with PARLEY_STORAGE=s3 (PARLEY_STORAGE is fs)`);
    }
    return { kind: 'fs' };
  }
  if (env.PARLEY_S3_BUCKET === undefined) {
    throw new ConfigError(
      'PARLEY_S3_BUCKET',
      `PARLEY_S3_BUCKET is required with PARLEY_STORAGE=s3 (${EXPECTED.PARLEY_S3_BUCKET})`,
    );
  }
  const keyId = env.PARLEY_S3_ACCESS_KEY_ID;
  const secret = env.PARLEY_S3_SECRET_ACCESS_KEY;
  if ((keyId === undefined) !== (secret === undefined)) {
    const missing = keyId === undefined ? 'PARLEY_S3_ACCESS_KEY_ID' : 'PARLEY_S3_SECRET_ACCESS_KEY';
    throw new ConfigError(
      missing,
      `${missing} is required with ${missing === 'PARLEY_S3_ACCESS_KEY_ID' ? 'PARLEY_S3_SECRET_ACCESS_KEY' : 'PARLEY_S3_ACCESS_KEY_ID'} (both or neither)`,
    );
  }
  const presigned = env.PARLEY_S3_PRESIGNED_DOWNLOADS?.trim() ?? 'off';
  let presignedDownloadSeconds: number | null = null;
  if (presigned !== 'off') {
    const ms = parseDuration(presigned, 'PARLEY_S3_PRESIGNED_DOWNLOADS');
    if (ms < 1_000 || ms > 3_600_000) {
      throw new ConfigError(
        'PARLEY_S3_PRESIGNED_DOWNLOADS',
        `PARLEY_S3_PRESIGNED_DOWNLOADS must be ${EXPECTED.PARLEY_S3_PRESIGNED_DOWNLOADS} (got ${got('PARLEY_S3_PRESIGNED_DOWNLOADS', presigned)})`,
      );
    }
    presignedDownloadSeconds = Math.floor(ms / 1_000);
  }
  return {
    kind: 's3',
    bucket: env.PARLEY_S3_BUCKET,
    region: env.PARLEY_S3_REGION ?? 'us-east-1',
    ...(env.PARLEY_S3_ENDPOINT === undefined ? {} : { endpoint: env.PARLEY_S3_ENDPOINT }),
    forcePathStyle: env.PARLEY_S3_FORCE_PATH_STYLE ?? false,
    ...(keyId !== undefined && secret !== undefined
      ? { credentials: { accessKeyId: keyId, secretAccessKey: secret } }
      : {}),
    ...(env.PARLEY_S3_KEY_PREFIX === undefined ? {} : { keyPrefix: env.PARLEY_S3_KEY_PREFIX }),
    presignedDownloadSeconds,
  };
}

function outboundAllowedCidrs(value: string | undefined): string[] {
  const entries = value?.split(',').map((entry) => entry.trim()) ?? [];
  try {
    parseAllowedCidrs(entries);
  } catch (error) {
    throw new ConfigError(
      'PARLEY_OUTBOUND_ALLOWED_CIDRS',
      `PARLEY_OUTBOUND_ALLOWED_CIDRS must be ${EXPECTED.PARLEY_OUTBOUND_ALLOWED_CIDRS}: ${(error as Error).message}`,
    );
  }
  return entries;
}

/** `{conversation_id}` required, `{audience}` allowed, no other `{…}`, and a valid URL once filled. */
function checkInboxUrlTemplate(template: string | undefined): string | undefined {
  if (template === undefined) return undefined;
  const name = 'PARLEY_INBOX_URL_TEMPLATE';
  const fail = (why: string) =>
    new ConfigError(name, `${name} must be ${EXPECTED[name]}: ${why} (got ${got(name, template)})`);
  const placeholders: string[] = template.match(/\{[^}]*\}?/g) ?? [];
  const unknown = placeholders.filter((p) => p !== '{conversation_id}' && p !== '{audience}');
  if (unknown.length > 0) throw fail(`unknown placeholder ${unknown[0]}`);
  if (!placeholders.includes('{conversation_id}')) throw fail('{conversation_id} is missing');
  try {
    new URL(template.replaceAll('{conversation_id}', 'c').replaceAll('{audience}', 'store'));
  } catch {
    throw fail('not a valid URL');
  }
  return template;
}

function templateSettings(env: Environment): Config['templates'] {
  const timeout =
    env.PARLEY_TEMPLATE_RENDER_TIMEOUT === undefined
      ? 1_000
      : parseDuration(env.PARLEY_TEMPLATE_RENDER_TIMEOUT, 'PARLEY_TEMPLATE_RENDER_TIMEOUT');
  if (timeout < 10 || timeout > 60_000) {
    throw new ConfigError(
      'PARLEY_TEMPLATE_RENDER_TIMEOUT',
      `PARLEY_TEMPLATE_RENDER_TIMEOUT must be ${EXPECTED.PARLEY_TEMPLATE_RENDER_TIMEOUT} (got ${got('PARLEY_TEMPLATE_RENDER_TIMEOUT', env.PARLEY_TEMPLATE_RENDER_TIMEOUT)})`,
    );
  }
  return {
    workers: env.PARLEY_TEMPLATE_WORKERS ?? null,
    renderTimeoutMs: timeout,
    workerMemoryMb: env.PARLEY_TEMPLATE_WORKER_MEMORY_MB ?? 64,
    previewRateLimit: previewRateLimit(env.PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT ?? '30/1m'),
  };
}

/** `30/1m` → 30 per minute; a bare unit means one of it (`30/m`); `off` → null. */
function previewRateLimit(text: string): { max: number; windowMs: number } | null {
  const variable = 'PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT';
  if (text.trim() === 'off') return null;
  const [count = '', window = ''] = text.split('/').map((part) => part.trim());
  const max = Number(count);
  if (!Number.isSafeInteger(max) || max < 1 || max > 1_000_000) {
    throw new ConfigError(variable, `${variable} must be ${EXPECTED[variable]} (got ${got(variable, text)})`);
  }
  const windowMs = parseDuration(/^\d/.test(window) ? window : `1${window}`, variable);
  return { max, windowMs };
}

function platformMail(env: Environment, mailDir: string): PlatformMailConfig {
  const from = parseMailFrom(env.PARLEY_MAIL_FROM);
  if (env.PARLEY_SMTP_URL === undefined) return { transport: { kind: 'file', directory: mailDir }, from };
  if (env.PARLEY_MAIL_FROM === undefined)
    throw new ConfigError('PARLEY_MAIL_FROM', 'PARLEY_MAIL_FROM is required with PARLEY_SMTP_URL');
  let url: URL;
  try {
    url = new URL(env.PARLEY_SMTP_URL);
  } catch {
    throw new ConfigError('PARLEY_SMTP_URL', `PARLEY_SMTP_URL must be ${EXPECTED.PARLEY_SMTP_URL}`);
  }
  const secure = url.protocol === 'smtps:';
  const port = url.port === '' ? (secure ? 465 : 587) : Number(url.port);
  if (url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new ConfigError('PARLEY_SMTP_URL', `PARLEY_SMTP_URL must be ${EXPECTED.PARLEY_SMTP_URL}`);
  return {
    transport: {
      kind: 'smtp',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      secure,
      ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
      ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    },
    from,
  };
}

function parseMailFrom(value: string | undefined): PlatformMailConfig['from'] {
  if (value === undefined) return { address: 'no-reply@parley.localhost', name: 'Parley' };
  const match = /^\s*(?:"?([^"<>]*?)"?\s*<([^<>\s]+)>|([^<>\s]+))\s*$/.exec(value);
  const address = match?.[2] ?? match?.[3];
  if (address === undefined || !isValidEmail(address) || /[\r\n]/.test(value))
    throw new ConfigError(
      'PARLEY_MAIL_FROM',
      `PARLEY_MAIL_FROM must be ${EXPECTED.PARLEY_MAIL_FROM} (got ${got('PARLEY_MAIL_FROM', value)})`,
    );
  const name = match?.[1]?.trim();
  return name ? { address, name } : { address };
}

function inboundMailSettings(env: Environment, production: boolean): InboundMailSettings | null {
  const domain = env.PARLEY_INBOUND_DOMAIN?.trim().toLowerCase();
  if (domain === undefined) {
    if (env.PARLEY_INBOUND_SMTP_PORT !== undefined)
      throw new ConfigError(
        'PARLEY_INBOUND_SMTP_PORT',
        'PARLEY_INBOUND_SMTP_PORT needs PARLEY_INBOUND_DOMAIN (the domain whose reply addresses it accepts)',
      );
    return null;
  }
  const certHostPattern = snsCertHostPattern(env, production);
  return {
    domain,
    secret: env.PARLEY_INBOUND_SECRET,
    tokenTtlMs: (env.PARLEY_INBOUND_TOKEN_TTL_DAYS ?? 90) * 86_400_000,
    maxBytes: (env.PARLEY_INBOUND_MAX_MB ?? 25) * 1024 * 1024,
    smtp:
      env.PARLEY_INBOUND_SMTP_PORT === undefined
        ? null
        : {
            host: env.PARLEY_INBOUND_SMTP_HOST ?? env.PARLEY_HOST ?? '127.0.0.1',
            port: env.PARLEY_INBOUND_SMTP_PORT,
          },
    sesTopicArns: env.PARLEY_INBOUND_SES_SNS_TOPIC_ARNS?.split(',').map((arn) => arn.trim()) ?? [],
    ...(certHostPattern === undefined ? {} : { snsCertHostPattern: certHostPattern }),
    webhookPassword: env.PARLEY_INBOUND_WEBHOOK_PASSWORD,
  };
}

function emailWebhookSettings(env: Environment, production: boolean): EmailWebhookSettings {
  const certHostPattern = snsCertHostPattern(env, production);
  const topicArns = env.PARLEY_SES_SNS_TOPIC_ARNS?.split(',').map((arn) => arn.trim()) ?? [];
  return {
    ...(env.PARLEY_SENDGRID_WEBHOOK_PUBLIC_KEY === undefined
      ? {}
      : {
          sendgrid: {
            publicKey: env.PARLEY_SENDGRID_WEBHOOK_PUBLIC_KEY,
            maxAgeSeconds: env.PARLEY_SENDGRID_WEBHOOK_MAX_AGE_SECONDS ?? 300,
          },
        }),
    ...(env.PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY === undefined
      ? {}
      : { mailgun: { signingKey: env.PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY } }),
    ...(topicArns.length === 0
      ? {}
      : { ses: { topicArns, ...(certHostPattern === undefined ? {} : { certHostPattern }) } }),
  };
}

/** `PARLEY_SES_SNS_CERT_HOST_PATTERN` (tests only, refused in production), anchored. */
function snsCertHostPattern(env: Environment, production: boolean): RegExp | undefined {
  const hostPattern = env.PARLEY_SES_SNS_CERT_HOST_PATTERN;
  let certHostPattern: RegExp | undefined;
  if (hostPattern !== undefined) {
    if (production)
      throw new ConfigError(
        'PARLEY_SES_SNS_CERT_HOST_PATTERN',
        'PARLEY_SES_SNS_CERT_HOST_PATTERN is for tests only and is refused when NODE_ENV=production',
      );
    try {
      certHostPattern = new RegExp(`^(?:${hostPattern})$`);
    } catch {
      throw new ConfigError(
        'PARLEY_SES_SNS_CERT_HOST_PATTERN',
        `PARLEY_SES_SNS_CERT_HOST_PATTERN must be ${EXPECTED.PARLEY_SES_SNS_CERT_HOST_PATTERN} (got ${got('PARLEY_SES_SNS_CERT_HOST_PATTERN', hostPattern)})`,
      );
    }
  }
  return certHostPattern;
}

/** The variables the migration CLI reads: the API's database variables, and `DATABASE_URL`. */
const MIGRATION_VARIABLES = ['PARLEY_DATABASE_URL', 'PARLEY_DATABASE_SCHEMA', 'PARLEY_DATA_DIR'] as const;

/** What `pnpm db:migrate` / `pnpm db:rollback` work on. */
export interface MigrationSettings {
  /** The API's database (one connection on PostgreSQL). */
  readonly database: DatabaseSettings;
  /** The variable the PostgreSQL URL came from, to name it in messages. */
  readonly urlVariable: 'PARLEY_DATABASE_URL' | 'DATABASE_URL';
}

/**
 * The database the migration CLI works on, read as the API reads it — `PARLEY_DATABASE_URL`, else
 * PGlite in `$PARLEY_DATA_DIR/pglite`, in `PARLEY_DATABASE_SCHEMA` — with the same validation and
 * defaults, except that `DATABASE_URL` (the tests' server) stands in when `PARLEY_DATABASE_URL` is
 * unset. Only those variables are read, so a migration never fails on an unrelated one. Throws a
 * `ConfigError` naming the variable at fault.
 *
 * @example
 * ```ts
 * parseMigrationSettings({ DATABASE_URL: 'postgres://db/parley' }, cwd);
 * // { database: { kind: 'postgres', url: 'postgres://db/parley', poolSize: 1 }, urlVariable: 'DATABASE_URL' }
 * ```
 */
export function parseMigrationSettings(
  source: Readonly<Record<string, string | undefined>>,
  cwd: string,
): MigrationSettings {
  const picked: Record<string, string | undefined> = {};
  for (const name of MIGRATION_VARIABLES) picked[name] = source[name];
  const fromTests =
    (picked.PARLEY_DATABASE_URL ?? '').trim() === '' && (source.DATABASE_URL ?? '').trim() !== '';
  if (fromTests) picked.PARLEY_DATABASE_URL = source.DATABASE_URL;
  const urlVariable = fromTests ? 'DATABASE_URL' : 'PARLEY_DATABASE_URL';
  let config: Config;
  try {
    config = parseConfig(picked, cwd);
  } catch (error) {
    if (!(error instanceof ConfigError) || !fromTests || error.variable !== 'PARLEY_DATABASE_URL')
      throw error;
    throw new ConfigError(
      'DATABASE_URL',
      error.message.replace('Invalid configuration: ', '').replaceAll('PARLEY_DATABASE_URL', 'DATABASE_URL'),
    );
  }
  const { database } = config;
  return { database: database.kind === 'postgres' ? { ...database, poolSize: 1 } : database, urlVariable };
}

/**
 * Reads the configuration from `process.env`: with `readMigrationSettings`, the only code in the
 * API that touches it.
 *
 * @example
 * ```ts
 * const config = readConfig(); // throws ConfigError naming the bad variable
 * ```
 */
export function readConfig(): Config {
  return parseConfig(process.env, process.cwd());
}

/**
 * Reads the migration CLI's database from `process.env` (`parseMigrationSettings`).
 *
 * @example
 * ```ts
 * const { database, urlVariable } = readMigrationSettings();
 * ```
 */
export function readMigrationSettings(): MigrationSettings {
  return parseMigrationSettings(process.env, process.cwd());
}
