import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

const CWD = '/srv/parley';

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
      port: 3000,
      jwtSecret: undefined,
      logLevel: 'info',
      publicUrl: undefined,
      corsOrigins: [],
      rateLimit: { max: 600, windowMs: 60_000 },
      bodyLimit: 1_048_576,
      seedDemo: true,
    });
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
        PARLEY_SEED_DEMO: 'true',
      },
      CWD,
    );
    expect(config).toMatchObject({
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
  });

  it('does not seed demo data in production unless asked', () => {
    const secret = { NODE_ENV: 'production', PARLEY_JWT_SECRET: 'x'.repeat(40) };
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
    ['PARLEY_JWT_SECRET', 'short'],
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
});
