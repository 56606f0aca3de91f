import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterMailTransportFactory } from './adapter-mail-transport-factory.js';

const email = (id: string) => ({
  id,
  from: { address: 'shop@acme.test', name: 'Acme' },
  to: [{ address: 'ana@mail.test' }],
  subject: 'Hello',
  text: 'Hi',
});

describe('AdapterMailTransportFactory', () => {
  let smtp: LocalSmtpServer;
  let dir: string;
  beforeAll(async () => {
    smtp = await startLocalSmtpServer({
      username: 'acme',
      password: 'pw-acme',
      additionalUsers: [{ username: 'globex', password: 'pw-globex' }],
    });
    dir = await mkdtemp(join(tmpdir(), 'parley-factory-'));
  });
  afterAll(async () => {
    await smtp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const smtpConfig = (storeId: string, username: string, password: string) =>
    ({
      provider: 'smtp',
      storeId,
      host: '127.0.0.1',
      address: '127.0.0.1',
      port: smtp.port,
      username,
      password,
      useTls: false,
      useSsl: false,
    }) as const;

  it('builds one client per store configuration, reuses it, and replaces it when the configuration changes', async () => {
    const factory = new AdapterMailTransportFactory({
      platform: { kind: 'file', directory: dir },
    });
    const acme = factory.forStore(smtpConfig('acme', 'acme', 'pw-acme'));
    expect(factory.forStore(smtpConfig('acme', 'acme', 'pw-acme'))).toBe(acme);
    const globex = factory.forStore(smtpConfig('globex', 'globex', 'pw-globex'));
    expect(globex).not.toBe(acme);
    await acme.send(email('log-a'));
    await globex.send(email('log-g'));
    // Each store's mail went out under its own credentials.
    expect(smtp.received().map((r) => [r.parleyId, r.username])).toEqual([
      ['log-a', 'acme'],
      ['log-g', 'globex'],
    ]);
    const changed = factory.forStore(smtpConfig('acme', 'acme', 'pw-wrong'));
    expect(changed).not.toBe(acme);
    expect(factory.cachedStoreTransports).toBe(2);
    await expect(changed.send(email('log-x'))).rejects.toMatchObject({ code: 'MAIL_PERMANENT' });
    await factory.close();
    expect(factory.cachedStoreTransports).toBe(0);
  });

  it('sends platform mail to .eml files when no SMTP URL is configured', async () => {
    const factory = new AdapterMailTransportFactory({ platform: { kind: 'file', directory: dir } });
    const platform = factory.platformDefault();
    expect(factory.platformDefault()).toBe(platform);
    const { provider, providerMessageId } = await platform.send(email('log-p'));
    expect(provider).toBe('file');
    expect(await readdir(dir)).toContain(providerMessageId);
    expect(await readFile(join(dir, providerMessageId), 'utf8')).toContain('Subject: Hello');
    await factory.close();
  });

  it('connects store SMTP to the address the core checked, not to a new resolution of the name', async () => {
    const factory = new AdapterMailTransportFactory({ platform: { kind: 'file', directory: dir } });
    // smtp.acme.test resolves nowhere: the mail can only have gone to the checked address.
    const transport = factory.forStore({ ...smtpConfig('acme', 'acme', 'pw-acme'), host: 'smtp.acme.test' });
    await transport.send(email('log-checked'));
    expect(smtp.received().map((r) => r.parleyId)).toContain('log-checked');
    await factory.close();
  });
});
