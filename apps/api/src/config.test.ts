import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  parseConfig,
  parseMigrationSettings,
  publicBaseUrl,
  SERVER_DEFAULTS,
} from './config.js';

const CWD = '/srv/parley';
const ENCRYPTION_KEY = `k2:${Buffer.alloc(32, 7).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`;

function failure(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env, CWD);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('parseConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    expect(parseConfig({}, CWD)).toEqual({
      nodeEnv: 'development',
      production: false,
      database: { kind: 'pglite', dataDir: '/srv/parley/data/pglite' },
      dataDir: '/srv/parley/data',
      uploadsDir: '/srv/parley/data/uploads',
      mailDir: '/srv/parley/data/mail',
      host: '127.0.0.1',
      workers: 1,
      port: 3000,
      jwtSecret: undefined,
      logLevel: 'info',
      publicUrl: undefined,
      corsOrigins: [],
      rateLimit: { max: 600, windowMs: 60_000 },
      bodyLimit: 1_048_576,
      preset: 'marketplace',
      seedDemo: true,
      emailWebhooks: {},
      inbound: null,
      attachmentSweep: { intervalMs: 3_600_000, graceMs: 86_400_000 },
      storage: { kind: 'fs' },
      adminAlerts: { sendFailureThreshold: 5, sendFailureWindowMs: 3_600_000 },
      notifications: { worker: true, windowMs: 300_000, maxAttempts: 5, pollIntervalMs: 5_000 },
      digests: { pollIntervalMs: 60_000 },
      events: { pollIntervalMs: 1_000, retentionDays: 7 },
      webhooks: { pollIntervalMs: 1_000, timeoutMs: 10_000 },
      workerLeaseMs: null,
      inboxUrlTemplate: undefined,
      templates: {
        workers: null,
        renderTimeoutMs: 1_000,
        workerMemoryMb: 64,
        previewRateLimit: { max: 30, windowMs: 60_000 },
      },
      encryptionKey: undefined,
      mail: {
        transport: { kind: 'file', directory: '/srv/parley/data/mail' },
        from: { address: 'no-reply@parley.localhost', name: 'Parley' },
      },
      mailBreaker: { failures: 5, cooldownMs: 60_000 },
      outbound: { allowedCidrs: [] },
      metricsToken: undefined,
      moderation: { timeoutMs: 250, failureMode: 'fail_open' },
      realtime: {
        redisUrl: undefined,
        heartbeatMs: 25_000,
        maxFrameBytes: 4096,
        framesPerSecond: 10,
        replayMaxEvents: 10_000,
        maxConnections: 20_000,
      },
    });
  });

  it('reads PARLEY_WORKER_LEASE: 5 s to 1 h, above the webhook timeout', () => {
    expect(parseConfig({ PARLEY_WORKER_LEASE: '30s' }, CWD).workerLeaseMs).toBe(30_000);
    expect(() => parseConfig({ PARLEY_WORKER_LEASE: '2s' }, CWD)).toThrow(/PARLEY_WORKER_LEASE must be/);
    expect(() => parseConfig({ PARLEY_WORKER_LEASE: '2h' }, CWD)).toThrow(/PARLEY_WORKER_LEASE must be/);
    expect(() => parseConfig({ PARLEY_WORKER_LEASE: '10s' }, CWD)).toThrow(
      /longer than PARLEY_WEBHOOK_TIMEOUT/,
    );
    expect(parseConfig({ PARLEY_WORKER_LEASE: '10s', PARLEY_WEBHOOK_TIMEOUT: '5s' }, CWD).workerLeaseMs).toBe(
      10_000,
    );
  });

  it('reads the outbound allow-list and names a bad entry', () => {
    expect(
      parseConfig(
        { PARLEY_OUTBOUND_ALLOWED_CIDRS: ' 127.0.0.0/8 , 10.20.0.0/16,fd00:1::/64,192.168.1.5' },
        CWD,
      ).outbound,
    ).toEqual({ allowedCidrs: ['127.0.0.0/8', '10.20.0.0/16', 'fd00:1::/64', '192.168.1.5'] });
    for (const bad of ['10.0.0.0/33', 'intranet', '127.0.0.0/8,,10.0.0.0/8'])
      expect(failure({ PARLEY_OUTBOUND_ALLOWED_CIDRS: bad }).variable).toBe('PARLEY_OUTBOUND_ALLOWED_CIDRS');
    expect(() => parseConfig({ PARLEY_OUTBOUND_ALLOWED_CIDRS: 'intranet' }, CWD)).toThrow(
      'PARLEY_OUTBOUND_ALLOWED_CIDRS must be a comma-separated list of CIDRs or IP addresses stores may reach although not public (e.g. 10.20.0.0/16,fd00:1::/64): "intranet" is not a CIDR',
    );
  });

  it('reads every variable', () => {
    const config = parseConfig(
      {
        NODE_ENV: 'production',
        PARLEY_DATABASE_URL: 'postgres://parley:pw@db:5432/parley',
        PARLEY_DATABASE_POOL_SIZE: '25',
        PARLEY_DATABASE_SCHEMA: 'parley',
        PARLEY_DATA_DIR: '/var/lib/parley',
        PARLEY_HOST: '0.0.0.0',
        PARLEY_PORT: '8080',
        PARLEY_JWT_SECRET: 's'.repeat(32),
        PARLEY_LOG_LEVEL: 'warn',
        PARLEY_PUBLIC_URL: 'https://chat.example.com/',
        PARLEY_CORS_ORIGINS: 'https://shop.example.com, https://admin.example.com:8443',
        PARLEY_RATE_LIMIT_MAX: '50',
        PARLEY_RATE_LIMIT_WINDOW: '30s',
        PARLEY_BODY_LIMIT: '65536',
        PARLEY_PRESET: 'care-team',
        PARLEY_SEED_DEMO: 'true',
        PARLEY_ENCRYPTION_KEY: ENCRYPTION_KEY,
        PARLEY_SMTP_URL: 'smtps://mailer%40example.com:p%40ss@smtp.example.com',
        PARLEY_MAIL_FROM: 'Parley Mail <no-reply@example.com>',
      },
      CWD,
    );
    expect(config).toMatchObject({
      encryptionKey: ENCRYPTION_KEY,
      mail: {
        transport: {
          kind: 'smtp',
          host: 'smtp.example.com',
          port: 465,
          secure: true,
          username: 'mailer@example.com',
          password: 'p@ss',
        },
        from: { address: 'no-reply@example.com', name: 'Parley Mail' },
      },
      production: true,
      database: {
        kind: 'postgres',
        url: 'postgres://parley:pw@db:5432/parley',
        poolSize: 25,
        schema: 'parley',
      },
      dataDir: '/var/lib/parley',
      uploadsDir: '/var/lib/parley/uploads',
      host: '0.0.0.0',
      port: 8080,
      jwtSecret: 's'.repeat(32),
      logLevel: 'warn',
      publicUrl: 'https://chat.example.com',
      corsOrigins: ['https://shop.example.com', 'https://admin.example.com:8443'],
      rateLimit: { max: 50, windowMs: 30_000 },
      bodyLimit: 65_536,
      preset: 'care-team',
      seedDemo: true,
    });
  });

  it('treats empty values as unset, resolves relative data dirs and reads durations and *', () => {
    const config = parseConfig(
      {
        PARLEY_PORT: '',
        PARLEY_DATA_DIR: 'var/data',
        PARLEY_RATE_LIMIT_WINDOW: '2 minutes',
        PARLEY_CORS_ORIGINS: '*',
      },
      CWD,
    );
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('/srv/parley/var/data');
    expect(config.rateLimit.windowMs).toBe(120_000);
    expect(config.corsOrigins).toBe('*');
    expect(parseConfig({ PARLEY_RATE_LIMIT_WINDOW: '1500' }, CWD).rateLimit.windowMs).toBe(1500);
    expect(parseConfig({ PARLEY_RATE_LIMIT_WINDOW: '1h' }, CWD).rateLimit.windowMs).toBe(3_600_000);
    expect(parseConfig({ PARLEY_SEED_DEMO: '0' }, CWD).seedDemo).toBe(false);
    expect(
      parseConfig(
        { PARLEY_ATTACHMENT_SWEEP_INTERVAL: '15 minutes', PARLEY_ATTACHMENT_SWEEP_GRACE: '2h' },
        CWD,
      ).attachmentSweep,
    ).toEqual({ intervalMs: 900_000, graceMs: 7_200_000 });
    expect(
      parseConfig({ PARLEY_ATTACHMENT_SWEEP_INTERVAL: 'off' }, CWD).attachmentSweep.intervalMs,
    ).toBeNull();
    expect(() => parseConfig({ PARLEY_ATTACHMENT_SWEEP_GRACE: 'soon' }, CWD)).toThrow(
      /PARLEY_ATTACHMENT_SWEEP_GRACE must be a duration/,
    );
  });

  it('reads PARLEY_WORKERS: 1 by default, above 1 only with PostgreSQL', () => {
    expect(parseConfig({}, CWD).workers).toBe(1);
    expect(
      parseConfig({ PARLEY_WORKERS: '3', PARLEY_DATABASE_URL: 'postgres://db/parley' }, CWD).workers,
    ).toBe(3);
    expect(() => parseConfig({ PARLEY_WORKERS: '2' }, CWD)).toThrow(
      /PARLEY_WORKERS above 1 needs PARLEY_DATABASE_URL: a PGlite directory belongs to one process \(got 2\)/,
    );
    expect(() =>
      parseConfig({ PARLEY_WORKERS: '0', PARLEY_DATABASE_URL: 'postgres://db/parley' }, CWD),
    ).toThrow(/PARLEY_WORKERS must be an integer from 1 to 64 \(got "0"\)/);
  });

  it('reads the notification worker settings', () => {
    expect(
      parseConfig(
        {
          PARLEY_NOTIFICATIONS_WORKER: 'off',
          PARLEY_NOTIFICATION_WINDOW: '90s',
          PARLEY_NOTIFICATION_MAX_ATTEMPTS: '8',
          PARLEY_NOTIFICATION_POLL_INTERVAL: '500ms',
        },
        CWD,
      ).notifications,
    ).toEqual({ worker: false, windowMs: 90_000, maxAttempts: 8, pollIntervalMs: 500 });
    expect(() => parseConfig({ PARLEY_NOTIFICATIONS_WORKER: 'maybe' }, CWD)).toThrow(
      /PARLEY_NOTIFICATIONS_WORKER must be on or off/,
    );
    expect(() => parseConfig({ PARLEY_NOTIFICATION_WINDOW: 'soon' }, CWD)).toThrow(
      /PARLEY_NOTIFICATION_WINDOW must be a duration/,
    );
  });

  it('reads the inbox URL template notification links use, and checks its placeholders at start', () => {
    const template = 'https://shop.example/{audience}/account/messages/{conversation_id}?src=email';
    expect(parseConfig({ PARLEY_INBOX_URL_TEMPLATE: template }, CWD).inboxUrlTemplate).toBe(template);
    for (const [value, why] of [
      ['https://shop.example/account/messages', '{conversation_id} is missing'],
      ['https://shop.example/messages/{id}', 'unknown placeholder {id}'],
      ['https://shop.example/messages/{conversation_id', 'unknown placeholder {conversation_id'],
      ['shop.example/messages/{conversation_id}', ''],
      ['javascript:alert(1)//{conversation_id}', ''],
      ['https://{conversation_id}.shop.example/', ''],
    ] as const) {
      const error = failure({ PARLEY_INBOX_URL_TEMPLATE: value });
      expect(error.variable).toBe('PARLEY_INBOX_URL_TEMPLATE');
      expect(error.message).toContain(
        'PARLEY_INBOX_URL_TEMPLATE must be an http(s) URL containing {conversation_id} and optionally {audience}',
      );
      expect(error.message).toContain(why);
    }
  });

  it('reads the template rendering settings and the preview rate limit', () => {
    expect(
      parseConfig(
        {
          PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: '100 / 1h',
          PARLEY_TEMPLATE_RENDER_TIMEOUT: '500ms',
          PARLEY_TEMPLATE_WORKERS: '3',
          PARLEY_TEMPLATE_WORKER_MEMORY_MB: '128',
        },
        CWD,
      ).templates,
    ).toEqual({
      workers: 3,
      renderTimeoutMs: 500,
      workerMemoryMb: 128,
      previewRateLimit: { max: 100, windowMs: 3_600_000 },
    });
    expect(
      parseConfig({ PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: '5/minute' }, CWD).templates.previewRateLimit,
    ).toEqual({
      max: 5,
      windowMs: 60_000,
    });
    expect(
      parseConfig({ PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: 'off' }, CWD).templates.previewRateLimit,
    ).toBeNull();
    for (const bad of ['30', '30/', '0/1m', 'x/1m', '30/1 fortnight']) {
      expect(() => parseConfig({ PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT: bad }, CWD), bad).toThrow(
        /PARLEY_TEMPLATE_PREVIEW_RATE_LIMIT must be previews per window, such as 30\/1m or 100\/1h, or off/,
      );
    }
    for (const bad of ['5ms', '2m', 'soon']) {
      expect(() => parseConfig({ PARLEY_TEMPLATE_RENDER_TIMEOUT: bad }, CWD), bad).toThrow(
        /PARLEY_TEMPLATE_RENDER_TIMEOUT must be a duration from 10ms to 60s/,
      );
    }
    expect(() => parseConfig({ PARLEY_TEMPLATE_WORKERS: '0' }, CWD)).toThrow(
      /PARLEY_TEMPLATE_WORKERS must be an integer from 1 to 64/,
    );
    expect(() => parseConfig({ PARLEY_TEMPLATE_WORKER_MEMORY_MB: '8' }, CWD)).toThrow(
      /PARLEY_TEMPLATE_WORKER_MEMORY_MB must be an integer number of megabytes from 16 to 4096/,
    );
  });

  it('reads the admin alert threshold for failing sends (0 turns it off)', () => {
    expect(
      parseConfig(
        { PARLEY_ADMIN_ALERT_SEND_FAILURES: '3', PARLEY_ADMIN_ALERT_SEND_FAILURE_WINDOW: '30 minutes' },
        CWD,
      ).adminAlerts,
    ).toEqual({ sendFailureThreshold: 3, sendFailureWindowMs: 1_800_000 });
    expect(
      parseConfig({ PARLEY_ADMIN_ALERT_SEND_FAILURES: '0' }, CWD).adminAlerts.sendFailureThreshold,
    ).toBeNull();
    expect(() => parseConfig({ PARLEY_ADMIN_ALERT_SEND_FAILURES: 'many' }, CWD)).toThrow(
      /PARLEY_ADMIN_ALERT_SEND_FAILURES must be an integer from 0 \(off\) to 10000/,
    );
  });

  it('reads PARLEY_PRESET (default marketplace) and names the presets on a bad value', () => {
    expect(parseConfig({}, CWD).preset).toBe('marketplace');
    expect(parseConfig({ PARLEY_PRESET: 'community' }, CWD).preset).toBe('community');
    expect(parseConfig({ PARLEY_PRESET: '' }, CWD).preset).toBe('marketplace');
    expect(() => parseConfig({ PARLEY_PRESET: 'Care-Team' }, CWD)).toThrow(
      'PARLEY_PRESET must be one of marketplace, care-team, community (got "Care-Team")',
    );
  });

  it('does not seed demo data in production unless asked', () => {
    const secret = {
      NODE_ENV: 'production',
      PARLEY_JWT_SECRET: 'x'.repeat(40),
      PARLEY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    };
    expect(parseConfig(secret, CWD).seedDemo).toBe(false);
    expect(parseConfig({ ...secret, PARLEY_SEED_DEMO: 'true' }, CWD).seedDemo).toBe(true);
  });

  it.each([
    ['PARLEY_PORT', 'abc'],
    ['PARLEY_PORT', '70000'],
    ['PARLEY_PORT', '80.5'],
    ['PARLEY_HOST', 'http://x'],
    ['PARLEY_LOG_LEVEL', 'loud'],
    ['PARLEY_DATABASE_URL', 'mysql://db/parley'],
    ['PARLEY_DATABASE_POOL_SIZE', '0'],
    ['PARLEY_DATABASE_SCHEMA', 'Parley; drop'],
    ['PARLEY_PUBLIC_URL', 'ftp://chat.example.com'],
    ['PARLEY_CORS_ORIGINS', 'shop.example.com'],
    ['PARLEY_RATE_LIMIT_MAX', '-1'],
    ['PARLEY_RATE_LIMIT_WINDOW', 'soon'],
    ['PARLEY_RATE_LIMIT_WINDOW', '5 fortnights'],
    ['PARLEY_BODY_LIMIT', '10'],
    ['PARLEY_SEED_DEMO', 'maybe'],
    ['PARLEY_PRESET', 'school'],
    ['PARLEY_JWT_SECRET', 'short'],
    ['PARLEY_SENDGRID_WEBHOOK_PUBLIC_KEY', 'not a key!'],
    ['PARLEY_SENDGRID_WEBHOOK_MAX_AGE_SECONDS', '0'],
    ['PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY', 'short'],
    ['PARLEY_SES_SNS_TOPIC_ARNS', 'arn:aws:sqs:eu-west-1:123456789012:queue'],
    ['PARLEY_SES_SNS_CERT_HOST_PATTERN', '(unclosed'],
  ])('rejects %s=%s with an error naming the variable', (variable, value) => {
    const error = failure({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} must be `));
  });

  it('never echoes secrets in its errors', () => {
    const secret = failure({ PARLEY_JWT_SECRET: 'hunter2-is-short' });
    expect(secret.message).not.toContain('hunter2');
    expect(secret.message).toContain('16 characters');
    const url = failure({ PARLEY_DATABASE_URL: 'mysql://root:topsecret@db/x' });
    expect(url.message).not.toContain('topsecret');
    const plain = failure({ PARLEY_PORT: 'abc' });
    expect(plain.message).toContain('(got "abc")');
  });

  it('requires PARLEY_JWT_SECRET when NODE_ENV=production', () => {
    const error = failure({ NODE_ENV: 'production' });
    expect(error.variable).toBe('PARLEY_JWT_SECRET');
    expect(error.message).toContain('required when NODE_ENV=production');
  });

  describe('email tracking webhooks', () => {
    const SENDGRID_KEY =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';

    it('has no provider configured by default', () => {
      expect(parseConfig({}, CWD).emailWebhooks).toEqual({});
    });

    it('reads each provider’s key, the SNS topics and the test-only host pattern', () => {
      const config = parseConfig(
        {
          PARLEY_SENDGRID_WEBHOOK_PUBLIC_KEY: SENDGRID_KEY,
          PARLEY_SENDGRID_WEBHOOK_MAX_AGE_SECONDS: '120',
          PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: 'key-0123456789abcdef',
          PARLEY_SES_SNS_TOPIC_ARNS:
            'arn:aws:sns:eu-west-1:123456789012:parley-ses, arn:aws:sns:us-east-1:123456789012:other',
          PARLEY_SES_SNS_CERT_HOST_PATTERN: '127\\.0\\.0\\.1',
        },
        CWD,
      );
      expect(config.emailWebhooks).toEqual({
        sendgrid: { publicKey: SENDGRID_KEY, maxAgeSeconds: 120 },
        mailgun: { signingKey: 'key-0123456789abcdef' },
        ses: {
          topicArns: [
            'arn:aws:sns:eu-west-1:123456789012:parley-ses',
            'arn:aws:sns:us-east-1:123456789012:other',
          ],
          certHostPattern: /^(?:127\.0\.0\.1)$/,
        },
      });
      // Anchored: the pattern must match the whole host.
      expect(config.emailWebhooks.ses?.certHostPattern?.test('127.0.0.1.evil.test')).toBe(false);
      expect(parseConfig({ PARLEY_SENDGRID_WEBHOOK_PUBLIC_KEY: SENDGRID_KEY }, CWD).emailWebhooks).toEqual({
        sendgrid: { publicKey: SENDGRID_KEY, maxAgeSeconds: 300 },
      });
    });

    it('refuses the SNS host pattern override in production, and never echoes the Mailgun key', () => {
      const production = failure({
        NODE_ENV: 'production',
        PARLEY_JWT_SECRET: 'x'.repeat(40),
        PARLEY_SES_SNS_CERT_HOST_PATTERN: '127\\.0\\.0\\.1',
      });
      expect(production.variable).toBe('PARLEY_SES_SNS_CERT_HOST_PATTERN');
      expect(production.message).toContain('tests only');
      expect(failure({ PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: 'hunter' }).message).not.toContain('hunter');
    });
  });

  describe('email delivery', () => {
    it('requires PARLEY_ENCRYPTION_KEY in production and checks the key ring without echoing it', () => {
      const production = failure({ NODE_ENV: 'production', PARLEY_JWT_SECRET: 'x'.repeat(40) });
      expect(production.variable).toBe('PARLEY_ENCRYPTION_KEY');
      expect(production.message).toContain('required when NODE_ENV=production');
      const short = failure({ PARLEY_ENCRYPTION_KEY: 'k1:c2VjcmV0LWtleS1tYXRlcmlhbA==' });
      expect(short.variable).toBe('PARLEY_ENCRYPTION_KEY');
      expect(short.message).toContain('must decode to 32 bytes');
      expect(short.message).not.toContain('c2VjcmV0LWtleS1tYXRlcmlhbA');
    });

    it('reads the platform SMTP URL (STARTTLS default port 587) and needs a sender with it', () => {
      const config = parseConfig(
        { PARLEY_SMTP_URL: 'smtp://relay.internal', PARLEY_MAIL_FROM: 'no-reply@shop.example' },
        CWD,
      );
      expect(config.mail).toEqual({
        transport: { kind: 'smtp', host: 'relay.internal', port: 587, secure: false },
        from: { address: 'no-reply@shop.example' },
      });
      expect(failure({ PARLEY_SMTP_URL: 'smtp://relay.internal' }).variable).toBe('PARLEY_MAIL_FROM');
      const bad = failure({ PARLEY_SMTP_URL: 'http://user:hunter2@relay.internal' });
      expect(bad.variable).toBe('PARLEY_SMTP_URL');
      expect(bad.message).not.toContain('hunter2');
      expect(failure({ PARLEY_MAIL_FROM: 'Parley <not-an-address>' }).variable).toBe('PARLEY_MAIL_FROM');
    });
  });
});

describe('PARLEY_METRICS_TOKEN', () => {
  it('is the bearer token /metrics requires; a short or spaced one is refused without being shown', () => {
    expect(parseConfig({ PARLEY_METRICS_TOKEN: 'm'.repeat(32) }, CWD).metricsToken).toBe('m'.repeat(32));
    for (const bad of ['too-short', 'sixteen chars with spaces']) {
      let error: unknown;
      try {
        parseConfig({ PARLEY_METRICS_TOKEN: bad }, CWD);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('PARLEY_METRICS_TOKEN');
      expect((error as Error).message).toContain('PARLEY_METRICS_TOKEN must be a bearer token of 16 to 1024');
      expect((error as Error).message).not.toContain(bad);
    }
  });
});

describe('real-time settings', () => {
  it('reads PARLEY_REDIS_URL and PARLEY_REALTIME_*', () => {
    const { realtime } = parseConfig(
      {
        PARLEY_REDIS_URL: 'redis://:pw@cache:6379/0',
        PARLEY_REALTIME_HEARTBEAT: '500ms',
        PARLEY_REALTIME_MAX_FRAME_BYTES: '8192',
        PARLEY_REALTIME_FRAMES_PER_SECOND: '20',
        PARLEY_REALTIME_REPLAY_MAX_EVENTS: '500',
        PARLEY_REALTIME_MAX_CONNECTIONS: '100',
      },
      CWD,
    );
    expect(realtime).toEqual({
      redisUrl: 'redis://:pw@cache:6379/0',
      heartbeatMs: 500,
      maxFrameBytes: 8192,
      framesPerSecond: 20,
      replayMaxEvents: 500,
      maxConnections: 100,
    });
  });

  it('names a bad value, never showing a Redis URL (it may hold a password)', () => {
    expect(() => parseConfig({ PARLEY_REDIS_URL: 'http://user:secret@cache' }, CWD)).toThrow(
      /PARLEY_REDIS_URL must be a Redis URL .*not shown/,
    );
    expect(() => parseConfig({ PARLEY_REDIS_URL: 'http://user:secret@cache' }, CWD)).not.toThrow(/secret/);
    expect(() => parseConfig({ PARLEY_REALTIME_MAX_FRAME_BYTES: '10' }, CWD)).toThrow(
      /PARLEY_REALTIME_MAX_FRAME_BYTES must be a size in bytes from 256/,
    );
    expect(() => parseConfig({ PARLEY_REALTIME_HEARTBEAT: 'soon' }, CWD)).toThrow(
      /PARLEY_REALTIME_HEARTBEAT/,
    );
  });
});

describe('defaults used outside parseConfig', () => {
  it('SERVER_DEFAULTS are what parseConfig gives the server settings when nothing is set', () => {
    const config = parseConfig({}, CWD);
    expect({ logLevel: config.logLevel, rateLimit: config.rateLimit, bodyLimit: config.bodyLimit }).toEqual(
      SERVER_DEFAULTS,
    );
  });

  it('publicBaseUrl is PARLEY_PUBLIC_URL, else http://{host}:{port} with localhost for a wildcard host', () => {
    expect(publicBaseUrl(parseConfig({ PARLEY_PUBLIC_URL: 'https://chat.example.com/' }, CWD))).toBe(
      'https://chat.example.com',
    );
    expect(publicBaseUrl(parseConfig({}, CWD))).toBe('http://127.0.0.1:3000');
    expect(publicBaseUrl(parseConfig({ PARLEY_HOST: '0.0.0.0', PARLEY_PORT: '8080' }, CWD))).toBe(
      'http://localhost:8080',
    );
    expect(publicBaseUrl(parseConfig({ PARLEY_HOST: '::1', PARLEY_PORT: '0' }, CWD), 41234)).toBe(
      'http://[::1]:41234',
    );
  });
});

describe('parseMigrationSettings', () => {
  it('reads the database as the API does, DATABASE_URL standing in for an unset PARLEY_DATABASE_URL', () => {
    expect(parseMigrationSettings({ DATABASE_URL: 'postgres://x/y', PARLEY_DATA_DIR: '/d' }, CWD)).toEqual({
      database: { kind: 'postgres', url: 'postgres://x/y', poolSize: 1 },
      urlVariable: 'DATABASE_URL',
    });
    expect(
      parseMigrationSettings({ PARLEY_DATABASE_URL: 'postgres://p/q', DATABASE_URL: 'postgres://x/y' }, CWD),
    ).toEqual({
      database: { kind: 'postgres', url: 'postgres://p/q', poolSize: 1 },
      urlVariable: 'PARLEY_DATABASE_URL',
    });
    // The same folder the API uses: $PARLEY_DATA_DIR/pglite, resolved like the API resolves it.
    expect(parseMigrationSettings({ PARLEY_DATA_DIR: '/d', PARLEY_DATABASE_SCHEMA: 'parley' }, CWD)).toEqual({
      database: { kind: 'pglite', dataDir: '/d/pglite', schema: 'parley' },
      urlVariable: 'PARLEY_DATABASE_URL',
    });
    expect(parseMigrationSettings({}, CWD).database).toEqual(parseConfig({}, CWD).database);
  });

  it('ignores the variables only the API needs, and names the variable at fault', () => {
    expect(
      parseMigrationSettings(
        { NODE_ENV: 'production', PARLEY_PORT: 'not a port', PARLEY_DATA_DIR: '/d' },
        CWD,
      ).database,
    ).toEqual({ kind: 'pglite', dataDir: '/d/pglite' });
    const refused = (env: Record<string, string>) => {
      try {
        parseMigrationSettings(env, CWD);
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };
    expect(refused({ DATABASE_URL: 'mysql://x/y' })).toMatchObject({
      variable: 'DATABASE_URL',
      message:
        'Invalid configuration: DATABASE_URL must be a PostgreSQL connection URL (postgres://user:password@host:5432/database) (got a value of 11 characters, not shown)',
    });
    expect(refused({ PARLEY_DATABASE_SCHEMA: 'Bad-Name' }).variable).toBe('PARLEY_DATABASE_SCHEMA');
  });
});

describe('attachment storage (PARLEY_STORAGE, PARLEY_S3_*)', () => {
  const s3 = { PARLEY_STORAGE: 's3', PARLEY_S3_BUCKET: 'parley-files' };

  it('reads an S3 bucket with its endpoint, path style, credentials, prefix and presigned downloads', () => {
    expect(
      parseConfig(
        {
          ...s3,
          PARLEY_S3_REGION: 'eu-west-3',
          PARLEY_S3_ENDPOINT: 'http://127.0.0.1:9000',
          PARLEY_S3_FORCE_PATH_STYLE: 'true',
          PARLEY_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
          PARLEY_S3_SECRET_ACCESS_KEY: 'secret-value',
          PARLEY_S3_KEY_PREFIX: 'parley/',
          PARLEY_S3_PRESIGNED_DOWNLOADS: '5 minutes',
        },
        '/srv',
      ).storage,
    ).toEqual({
      kind: 's3',
      bucket: 'parley-files',
      region: 'eu-west-3',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret-value' },
      keyPrefix: 'parley/',
      presignedDownloadSeconds: 300,
    });
    expect(parseConfig(s3, '/srv').storage).toEqual({
      kind: 's3',
      bucket: 'parley-files',
      region: 'us-east-1',
      forcePathStyle: false,
      presignedDownloadSeconds: null,
    });
  });

  it('names the variable at fault, never showing the secret', () => {
    const failure = (env: Record<string, string>) => {
      try {
        parseConfig(env, '/srv');
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };
    expect(failure({ PARLEY_STORAGE: 's3' }).variable).toBe('PARLEY_S3_BUCKET');
    expect(failure({ PARLEY_STORAGE: 'gcs' }).variable).toBe('PARLEY_STORAGE');
    expect(failure({ PARLEY_S3_BUCKET: 'parley-files' }).variable).toBe('PARLEY_S3_BUCKET');
    expect(failure({ ...s3, PARLEY_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }).variable).toBe(
      'PARLEY_S3_SECRET_ACCESS_KEY',
    );
    const secret = failure({ ...s3, PARLEY_S3_SECRET_ACCESS_KEY: 'do-not-print-me' });
    expect(secret.variable).toBe('PARLEY_S3_ACCESS_KEY_ID');
    expect(secret.message).not.toContain('do-not-print-me');
    expect(failure({ ...s3, PARLEY_S3_PRESIGNED_DOWNLOADS: '2h' }).variable).toBe(
      'PARLEY_S3_PRESIGNED_DOWNLOADS',
    );
    expect(failure({ ...s3, PARLEY_S3_PRESIGNED_DOWNLOADS: '2 hours' }).variable).toBe(
      'PARLEY_S3_PRESIGNED_DOWNLOADS',
    );
    expect(failure({ ...s3, PARLEY_S3_BUCKET: 'Not_A_Bucket' }).variable).toBe('PARLEY_S3_BUCKET');
  });
});

describe('mail circuit breakers (PARLEY_MAIL_BREAKER_*)', () => {
  it('reads the failures and the cool-down, and names a bad value', () => {
    expect(
      parseConfig({ PARLEY_MAIL_BREAKER_FAILURES: '3', PARLEY_MAIL_BREAKER_COOLDOWN: '2 minutes' }, '/srv')
        .mailBreaker,
    ).toEqual({ failures: 3, cooldownMs: 120_000 });
    expect(() => parseConfig({ PARLEY_MAIL_BREAKER_FAILURES: '0' }, '/srv')).toThrow(
      'PARLEY_MAIL_BREAKER_FAILURES must be an integer from 1 to 1000',
    );
    expect(() => parseConfig({ PARLEY_MAIL_BREAKER_COOLDOWN: 'soon' }, '/srv')).toThrow(
      'PARLEY_MAIL_BREAKER_COOLDOWN must be a duration',
    );
  });
});

describe('reply by email (PARLEY_INBOUND_*)', () => {
  it('is off without a domain, and the SMTP port alone is refused', () => {
    expect(parseConfig({}, CWD).inbound).toBeNull();
    expect(() => parseConfig({ PARLEY_INBOUND_SMTP_PORT: '2525' }, CWD)).toThrow(
      /needs PARLEY_INBOUND_DOMAIN/,
    );
  });

  it('reads the domain, key, lifetime, size, SMTP listener, SES topics and password', () => {
    const config = parseConfig(
      {
        PARLEY_HOST: '0.0.0.0',
        PARLEY_INBOUND_DOMAIN: 'Inbound.Example.com',
        PARLEY_INBOUND_SECRET: 's'.repeat(32),
        PARLEY_INBOUND_TOKEN_TTL_DAYS: '30',
        PARLEY_INBOUND_MAX_MB: '10',
        PARLEY_INBOUND_SMTP_PORT: '2525',
        PARLEY_INBOUND_SES_SNS_TOPIC_ARNS:
          'arn:aws:sns:eu-west-1:123456789012:a, arn:aws:sns:eu-west-1:123456789012:b',
        PARLEY_INBOUND_WEBHOOK_PASSWORD: 'p'.repeat(16),
      },
      CWD,
    );
    expect(config.inbound).toEqual({
      domain: 'inbound.example.com',
      secret: 's'.repeat(32),
      tokenTtlMs: 30 * 86_400_000,
      maxBytes: 10 * 1024 * 1024,
      smtp: { host: '0.0.0.0', port: 2525 },
      sesTopicArns: ['arn:aws:sns:eu-west-1:123456789012:a', 'arn:aws:sns:eu-west-1:123456789012:b'],
      webhookPassword: 'p'.repeat(16),
    });
    expect(parseConfig({ PARLEY_INBOUND_DOMAIN: 'in.example.com' }, CWD).inbound).toMatchObject({
      secret: undefined,
      tokenTtlMs: 90 * 86_400_000,
      maxBytes: 25 * 1024 * 1024,
      smtp: null,
      sesTopicArns: [],
    });
  });

  it('names a bad value and never shows the secret', () => {
    expect(() => parseConfig({ PARLEY_INBOUND_DOMAIN: 'not a domain' }, CWD)).toThrow(
      /PARLEY_INBOUND_DOMAIN/,
    );
    let message = '';
    try {
      parseConfig(
        { PARLEY_INBOUND_DOMAIN: 'in.example.com', PARLEY_INBOUND_SECRET: 'short-secret-value' },
        CWD,
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PARLEY_INBOUND_SECRET');
    expect(message).not.toContain('short-secret-value');
  });
});
