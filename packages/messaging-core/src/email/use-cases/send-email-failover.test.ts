import { beforeEach, describe, expect, it } from 'vitest';
import { MessagingError } from '../../kernel/errors.js';
import type { Actor } from '../../kernel/model/participant-ref.js';
import { FixedClock } from '../../kernel/testing/fixed-clock.js';
import { InMemoryMarketplaceDirectory } from '../../kernel/testing/in-memory-marketplace-directory.js';
import { SequentialIds } from '../../kernel/testing/sequential-ids.js';
import { createEmailCore, type EmailCore } from '../email-core.js';
import { InMemoryEmailLogRepository } from '../testing/in-memory-email-log-repository.js';
import type { InMemoryMailTransport } from '../testing/in-memory-mail-transport.js';
import { InMemoryMailTransportFactory } from '../testing/in-memory-mail-transport-factory.js';
import { InMemoryOutboundAddressGuard } from '../testing/in-memory-outbound-address-guard.js';
import { InMemoryStoreEmailSettingsRepository } from '../testing/in-memory-store-email-settings-repository.js';
import { ReversibleSecretCipher } from '../testing/reversible-secret-cipher.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const sam: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme' };
const PUBLIC = '93.184.215.14';

let email: EmailCore;
let transports: InMemoryMailTransportFactory;

async function build(): Promise<void> {
  const directory = new InMemoryMarketplaceDirectory();
  await directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, T0);
  await directory.upsertPlatformUser(
    { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
    T0,
  );
  transports = new InMemoryMailTransportFactory();
  email = createEmailCore({
    directory,
    emailSettings: new InMemoryStoreEmailSettingsRepository(directory),
    emailLogs: new InMemoryEmailLogRepository(),
    cipher: new ReversibleSecretCipher({ currentKeyId: 'k1' }),
    transports,
    outboundGuard: new InMemoryOutboundAddressGuard({ records: { 'smtp.acme.test': [PUBLIC] } }),
    platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
    clock: new FixedClock(T0, { autoAdvanceMs: 1000 }),
    ids: new SequentialIds('log'),
  });
}

const SENDGRID = { provider: 'sendgrid', storeId: 'acme', apiKey: 'SG.secret-key-1234' } as const;
const SMTP = {
  provider: 'smtp',
  storeId: 'acme',
  host: 'smtp.acme.test',
  address: PUBLIC,
  port: 587,
  username: 'mailer',
  password: 'smtp-secret',
  useTls: true,
  useSsl: false,
} as const;

async function configure(fallbackProvider: 'smtp' | 'platform' | null): Promise<void> {
  await email.updateStoreEmailSettings(sam, {
    provider: 'sendgrid',
    fromEmail: 'shop@acme.test',
    sendgridApiKey: SENDGRID.apiKey,
    smtpHost: SMTP.host,
    smtpPort: SMTP.port,
    smtpUsername: SMTP.username,
    smtpPassword: SMTP.password,
    smtpUseTls: true,
    fallbackProvider,
  });
  expect((await email.verifyStoreEmailSettings(sam)).verified).toBe(true);
}

const primary = () => transports.transportFor(SENDGRID) as InMemoryMailTransport;
const send = (subject: string) =>
  email.sendEmail({ storeId: 'acme', to: { address: 'ana@example.com' }, subject, text: 'Hello' });

describe('sending with a fallback provider', () => {
  beforeEach(() => build());

  it('sends through the fallback at once when the provider fails retryably, and logs the one that sent', async () => {
    await configure('smtp');
    primary().throttleNext();
    const { log, error } = await send('Your order');
    expect(error).toBeNull();
    expect(log).toMatchObject({ status: 'sent', provider: 'smtp', retryCount: 0 });
    const fallback = transports.transportFor(SMTP) as InMemoryMailTransport;
    expect(fallback.sent.map((mail) => [mail.subject, mail.from.address])).toEqual([
      ['Your order', 'shop@acme.test'],
    ]);
    expect(primary().sent.map((mail) => mail.subject)).not.toContain('Your order');
    // Healthy again: the provider sends, the fallback is not asked.
    expect((await send('Next')).log).toMatchObject({ status: 'sent', provider: 'sendgrid' });
  });

  it("falls back to the platform's transport, from the platform's sender with the store's reply-to", async () => {
    await configure('platform');
    primary().failNext(
      new MessagingError('MAIL_RETRYABLE', 'circuit open', { details: { circuit: 'open' } }),
    );
    const { log } = await send('Via the platform');
    expect(log).toMatchObject({ status: 'sent', provider: 'memory' });
    expect(transports.platform.sent.at(-1)).toMatchObject({
      subject: 'Via the platform',
      from: { address: 'no-reply@parley.test' },
      replyTo: { address: 'shop@acme.test' },
    });
  });

  it('keeps a permanent refusal, or any failure without a fallback, on the provider', async () => {
    await configure('smtp');
    primary().failNext(new MessagingError('MAIL_PERMANENT', '550 no such user'));
    expect((await send('Refused')).log).toMatchObject({ status: 'failed', provider: 'sendgrid' });
    await email.updateStoreEmailSettings(sam, { fallbackProvider: null });
    primary().throttleNext();
    const { log, error } = await send('No fallback');
    expect(error?.code).toBe('MAIL_RETRYABLE');
    expect(log).toMatchObject({ status: 'failed', provider: 'sendgrid', retryCount: 1 });
  });

  it('records the fallback that failed too, with its error', async () => {
    await configure('smtp');
    // The fallback's transport is built when first needed.
    primary().throttleNext();
    expect((await send('first failover')).log.provider).toBe('smtp');
    primary().throttleNext();
    (transports.transportFor(SMTP) as InMemoryMailTransport).hangNext();
    const { log, error } = await send('Both down');
    expect(error?.message).toContain('timed out');
    expect(log).toMatchObject({ status: 'failed', provider: 'smtp' });
  });

  it('validates the fallback: not the provider, its fields set, shown in the settings', async () => {
    await expect(
      email.updateStoreEmailSettings(sam, {
        provider: 'sendgrid',
        fromEmail: 'shop@acme.test',
        sendgridApiKey: 'SG.k',
        fallbackProvider: 'sendgrid',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'fallback_provider' });
    await expect(
      email.updateStoreEmailSettings(sam, {
        provider: 'sendgrid',
        fromEmail: 'shop@acme.test',
        sendgridApiKey: 'SG.k',
        fallbackProvider: 'ses',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'ses_access_key_id' });
    const saved = await email.updateStoreEmailSettings(sam, {
      provider: 'sendgrid',
      fromEmail: 'shop@acme.test',
      sendgridApiKey: 'SG.k',
      fallbackProvider: 'platform',
    });
    expect(saved.fallbackProvider).toBe('platform');
    expect((await email.getStoreEmailSettings(sam)).fallbackProvider).toBe('platform');
  });
});
