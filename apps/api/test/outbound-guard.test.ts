import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { expectProblem } from './support/api-scenarios.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';

const url = process.env.DATABASE_URL;
const env: Record<string, string> = url
  ? {
      PARLEY_DATABASE_URL: url,
      PARLEY_DATABASE_SCHEMA: `t_outbound_${Math.random().toString(36).slice(2, 10)}`,
    }
  : {};

// The allow-list as an operator sets it: PARLEY_OUTBOUND_ALLOWED_CIDRS through the configuration
// and the composition root to the guard the email use cases ask.
describe('PARLEY_OUTBOUND_ALLOWED_CIDRS through the composed API', () => {
  let dir: string;
  let smtp: LocalSmtpServer;
  let api: ComposedApi;
  let call: Call;
  let t: Tokens;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-outbound-'));
    smtp = await startLocalSmtpServer({ username: 'acme', password: 'acme-smtp-pass' });
    api = await compose(
      parseConfig(
        {
          ...env,
          PARLEY_LOG_LEVEL: 'silent',
          PARLEY_SEED_DEMO: 'false',
          PARLEY_NOTIFICATIONS_WORKER: 'off',
          PARLEY_OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
        },
        dir,
      ),
    );
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
  });

  afterAll(async () => {
    const schema = env.PARLEY_DATABASE_SCHEMA;
    // Stopped first: a running instance's tails lock the tables the drop takes (a deadlock).
    await api?.close();
    if (schema) await dropSchema(schema);
    await smtp?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lets a store verify SMTP on allow-listed loopback and refuses the rest of the private network', async () => {
    const settings = (host: string) => ({
      provider: 'smtp',
      from_email: 'shop@acme.test',
      smtp_host: host,
      smtp_port: smtp.port,
      smtp_username: 'acme',
      smtp_password: 'acme-smtp-pass',
    });
    for (const host of ['10.0.0.1', '192.168.0.1', '169.254.169.254', 'localhost']) {
      const refused = await call('PUT', '/api/v1/store/email-settings', {
        token: t.store1,
        body: settings(host),
      });
      expectProblem(refused, 400, 'VALIDATION', 'smtp_host');
    }
    const saved = await call('PUT', '/api/v1/store/email-settings', {
      token: t.store1,
      body: settings('127.0.0.1'),
    });
    expect(saved.status).toBe(200);
    const verified = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
    expect(verified.body).toMatchObject({ verified: true, email_log: { status: 'sent', provider: 'smtp' } });
    expect(smtp.received().map((r) => r.to)).toEqual([['sam@acme.test']]);
  });
});
