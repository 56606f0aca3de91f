import { beforeEach, describe, expect, it } from 'vitest';
import { createAccessPolicy } from '../conversations/policy/create-access-policy.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import type { StoreTier } from '../kernel/ports/marketplace-directory.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { InMemoryPeopleDirectory } from '../kernel/testing/in-memory-people-directory.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { createEmailCore, type EmailCore } from './email-core.js';
import { InMemoryEmailLogRepository } from './testing/in-memory-email-log-repository.js';
import { InMemoryMailTransportFactory } from './testing/in-memory-mail-transport-factory.js';
import { InMemoryOutboundAddressGuard } from './testing/in-memory-outbound-address-guard.js';
import { InMemoryStoreEmailSettingsRepository } from './testing/in-memory-store-email-settings-repository.js';
import { ReversibleSecretCipher } from './testing/reversible-secret-cipher.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const admin: Actor = { type: 'admin', id: 'a-1', tenantId: null };
const sam: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme' };
const eve: Actor = { type: 'store', id: 'u-eve', tenantId: 'tiny' };
const customer: Actor = { type: 'customer', id: 'c-ana', tenantId: 'acme' };

let email: EmailCore;
let settings: InMemoryStoreEmailSettingsRepository;
let logs: InMemoryEmailLogRepository;
let transports: InMemoryMailTransportFactory;
let cipher: ReversibleSecretCipher;
let clock: FixedClock;
let directory: InMemoryMarketplaceDirectory;
let guard: InMemoryOutboundAddressGuard;
const PUBLIC = '93.184.215.14';

async function build(tiers: Record<string, StoreTier> = { acme: 'business', tiny: 'essential' }) {
  directory = new InMemoryMarketplaceDirectory();
  for (const [id, tier] of Object.entries(tiers))
    await directory.upsertStore({ id, name: `Store ${id}`, tier }, T0);
  await directory.upsertPlatformUser(
    { id: 'a-1', name: 'Ada', email: 'ada@parley.test', role: 'admin', storeId: null, locale: 'en' },
    T0,
  );
  await directory.upsertPlatformUser(
    { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
    T0,
  );
  await directory.upsertPlatformUser(
    { id: 'u-eve', name: 'Eve', email: 'eve@tiny.test', role: 'store', storeId: 'tiny', locale: 'en' },
    T0,
  );
  settings = new InMemoryStoreEmailSettingsRepository(directory);
  logs = new InMemoryEmailLogRepository();
  transports = new InMemoryMailTransportFactory();
  cipher = new ReversibleSecretCipher({ currentKeyId: 'k1' });
  clock = new FixedClock(T0, { autoAdvanceMs: 1000 });
  guard = new InMemoryOutboundAddressGuard({ records: { 'smtp.acme.test': [PUBLIC] } });
  email = createEmailCore({
    directory,
    emailSettings: settings,
    emailLogs: logs,
    cipher,
    transports,
    outboundGuard: guard,
    platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
    clock,
    ids: new SequentialIds('log'),
  });
}

const sendgrid = {
  provider: 'sendgrid',
  fromEmail: 'shop@acme.test',
  fromName: 'Acme',
  sendgridApiKey: 'SG.secret-key-1234',
} as const;

describe('store email settings', () => {
  beforeEach(() => build());

  it('starts blank, masked, with the providers the tier allows', async () => {
    expect(await email.getStoreEmailSettings(sam)).toMatchObject({
      storeId: 'acme',
      provider: null,
      sendgridApiKey: { isSet: false },
      isConfigured: false,
      isVerified: false,
      tier: 'business',
      allowedProviders: ['smtp', 'sendgrid', 'mailgun', 'ses'],
      activeTransport: 'platform',
      createdAt: null,
    });
    expect((await email.getStoreEmailSettings(eve)).allowedProviders).toEqual(['smtp']);
  });

  it('stores secrets encrypted, returns them masked, keeps them when absent and clears them on null', async () => {
    const view = await email.updateStoreEmailSettings(sam, sendgrid);
    expect(view).toMatchObject({
      provider: 'sendgrid',
      sendgridApiKey: { isSet: true },
      isConfigured: true,
      isVerified: false,
    });
    expect(JSON.stringify(view)).not.toContain('SG.secret-key-1234');
    const stored = await settings.raw.settings('acme');
    expect(stored?.sendgridApiKey).toMatch(/^t1\.k1\./);
    expect(stored?.sendgridApiKey).not.toContain('SG.secret-key-1234');
    await email.updateStoreEmailSettings(sam, { fromName: 'Acme Shop' });
    expect((await settings.raw.settings('acme'))?.sendgridApiKey).toBe(stored?.sendgridApiKey);
    await expect(email.updateStoreEmailSettings(sam, { sendgridApiKey: null })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'sendgrid_api_key',
    });
    await email.updateStoreEmailSettings(sam, {
      provider: 'smtp',
      smtpHost: 'smtp.acme.test',
      smtpPort: 587,
      sendgridApiKey: null,
    });
    expect((await settings.raw.settings('acme'))?.sendgridApiKey).toBeNull();
  });

  it('gates the API providers by tier and names the tiers; smtp is open to all', async () => {
    for (const provider of ['sendgrid', 'mailgun', 'ses'] as const) {
      await expect(
        email.updateStoreEmailSettings(eve, { provider, fromEmail: 'a@tiny.test' }),
      ).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: `provider ${provider} requires the business or enterprise tier; this store is on the essential tier`,
      });
    }
    const view = await email.updateStoreEmailSettings(eve, {
      provider: 'smtp',
      fromEmail: 'a@tiny.test',
      smtpHost: 'mail.tiny.test',
      smtpPort: 25,
    });
    expect(view).toMatchObject({ provider: 'smtp', isConfigured: true });
  });

  it.each([
    [{ fromEmail: 'not-an-email' }, 'from_email'],
    [{ replyToEmail: 'x@' }, 'reply_to_email'],
    [{ provider: 'smtp', fromEmail: 'a@acme.test', smtpHost: 'h.test', smtpPort: 0 }, 'smtp_port'],
    [{ provider: 'smtp', fromEmail: 'a@acme.test', smtpHost: 'h.test', smtpPort: 65_536 }, 'smtp_port'],
    [{ provider: 'smtp', fromEmail: 'a@acme.test', smtpPort: 25 }, 'smtp_host'],
    [{ provider: 'smtp', fromEmail: 'a@acme.test', smtpHost: 'bad host', smtpPort: 25 }, 'smtp_host'],
    [
      {
        provider: 'smtp',
        fromEmail: 'a@acme.test',
        smtpHost: 'h.test',
        smtpPort: 25,
        smtpUseTls: true,
        smtpUseSsl: true,
      },
      'smtp_use_ssl',
    ],
    [{ provider: 'sendgrid' }, 'from_email'],
    [{ provider: 'sendgrid', fromEmail: 'a@acme.test' }, 'sendgrid_api_key'],
    [
      {
        provider: 'mailgun',
        fromEmail: 'a@acme.test',
        mailgunApiKey: 'k',
        mailgunDomain: 'mg.acme.test',
        mailgunRegion: 'asia',
      },
      'mailgun_region',
    ],
    [
      { provider: 'mailgun', fromEmail: 'a@acme.test', mailgunApiKey: 'k', mailgunRegion: 'eu' },
      'mailgun_domain',
    ],
    [
      {
        provider: 'ses',
        fromEmail: 'a@acme.test',
        sesAccessKeyId: 'AK',
        sesSecretAccessKey: 's',
        sesRegion: 'mars',
      },
      'ses_region',
    ],
    [
      { provider: 'ses', fromEmail: 'a@acme.test', sesAccessKeyId: 'AK', sesRegion: 'eu-west-1' },
      'ses_secret_access_key',
    ],
    [{ fromName: 'Acme\r\nBcc: x@evil.test' }, 'from_name'],
    [{ provider: 'sendgrid', fromEmail: 'a@acme.test', sendgridApiKey: '  ' }, 'sendgrid_api_key'],
  ])('rejects %j naming %s', async (input, field) => {
    await expect(email.updateStoreEmailSettings(sam, input as never)).rejects.toMatchObject({
      code: 'VALIDATION',
      field,
    });
    expect(await settings.raw.settings('acme')).toBeNull();
  });

  it('only store users manage settings; admins read any store masked', async () => {
    await expect(email.getStoreEmailSettings(admin)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(email.updateStoreEmailSettings(customer, sendgrid)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(email.getStoreEmailSettingsForAdmin(sam, 'acme')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await email.updateStoreEmailSettings(sam, sendgrid);
    const view = await email.getStoreEmailSettingsForAdmin(admin, 'acme');
    expect(view).toMatchObject({ storeId: 'acme', provider: 'sendgrid', sendgridApiKey: { isSet: true } });
    expect(JSON.stringify(view)).not.toContain('SG.secret');
    await expect(email.getStoreEmailSettingsForAdmin(admin, 'ghost')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('verifies through the store transport to the caller, then resets on a credential change', async () => {
    await email.updateStoreEmailSettings(sam, sendgrid);
    const result = await email.verifyStoreEmailSettings(sam);
    expect(result.verified).toBe(true);
    expect(result.settings).toMatchObject({
      isVerified: true,
      verificationError: null,
      activeTransport: 'store',
    });
    expect(result.settings.lastVerifiedAt).toBeInstanceOf(Date);
    expect(transports.configs.at(-1)).toEqual({
      provider: 'sendgrid',
      storeId: 'acme',
      apiKey: 'SG.secret-key-1234',
    });
    expect(result.emailLog).toMatchObject({
      status: 'sent',
      provider: 'sendgrid',
      providerMessageId: 'memory-1',
      recipient: 'sam@acme.test',
      fromEmail: 'shop@acme.test',
      fromName: 'Acme',
      templateCode: 'email_settings_verification',
      storeId: 'acme',
      userId: 'u-sam',
    });
    const sent = transports.transportFor(transports.configs.at(-1) as never)?.sent ?? [];
    expect(sent.map((m) => [m.to[0]?.address, m.id])).toEqual([['sam@acme.test', result.emailLog.id]]);

    const changed = await email.updateStoreEmailSettings(sam, { sendgridApiKey: 'SG.other' });
    expect(changed).toMatchObject({ isVerified: false, activeTransport: 'platform' });
    const unchanged = await email.updateStoreEmailSettings(sam, { fromName: 'Acme' });
    expect(unchanged.isVerified).toBe(false);
  });

  it('records a failed verification with the provider error and a failed log', async () => {
    await email.updateStoreEmailSettings(sam, sendgrid);
    transports.refuse({ provider: 'sendgrid', storeId: 'acme', apiKey: 'SG.secret-key-1234' });
    const result = await email.verifyStoreEmailSettings(sam);
    expect(result.verified).toBe(false);
    expect(result.settings).toMatchObject({
      isVerified: false,
      lastVerifiedAt: null,
      verificationError: 'memory provider: invalid credentials',
    });
    expect(result.emailLog).toMatchObject({
      status: 'failed',
      provider: 'sendgrid',
      errorMessage: 'memory provider: invalid credentials',
      retryCount: 1,
    });
  });

  it('refuses to verify an unconfigured store', async () => {
    await expect(email.verifyStoreEmailSettings(sam)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'provider',
    });
  });

  it('re-encrypts kept secrets sealed with a retired key on the next update', async () => {
    await email.updateStoreEmailSettings(sam, sendgrid);
    const old = (await settings.raw.settings('acme'))?.sendgridApiKey;
    expect(old).toMatch(/^t1\.k1\./);
    // Rotate: k2 current, k1 still known.
    const rotated = new ReversibleSecretCipher({ currentKeyId: 'k2', knownKeyIds: ['k1'] });
    const directory = new InMemoryMarketplaceDirectory();
    await directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, T0);
    const again = createEmailCore({
      directory,
      emailSettings: settings,
      emailLogs: logs,
      cipher: rotated,
      transports,
      outboundGuard: guard,
      platformFrom: { address: 'no-reply@parley.test' },
      clock,
    });
    await again.updateStoreEmailSettings(sam, { fromName: 'Acme 2' });
    const token = (await settings.raw.settings('acme'))?.sendgridApiKey as string;
    expect(token).toMatch(/^t1\.k2\./);
    expect(rotated.decrypt(token, 'store_email_settings:acme:sendgrid_api_key')).toBe('SG.secret-key-1234');
  });
});

describe('sendEmail', () => {
  beforeEach(() => build());

  it('uses the platform default until the store provider is verified, then the store one', async () => {
    await email.updateStoreEmailSettings(sam, { ...sendgrid, replyToEmail: 'help@acme.test' });
    const first = await email.sendEmail({
      storeId: 'acme',
      to: { address: 'ana@example.com' },
      subject: 'Hi',
      text: 'Hello',
    });
    expect(first.log).toMatchObject({
      status: 'sent',
      provider: 'memory',
      fromEmail: 'no-reply@parley.test',
      replyTo: 'help@acme.test',
    });
    expect(transports.platform.sent[0]?.metadata).toEqual({ email_log_id: first.log.id, store_id: 'acme' });
    await email.verifyStoreEmailSettings(sam);
    const second = await email.sendEmail({
      storeId: 'acme',
      to: { address: 'ana@example.com' },
      subject: 'Hi',
      text: 'Hello',
      relatedType: 'conversation',
      relatedId: 'c1',
    });
    expect(second.log).toMatchObject({
      status: 'sent',
      provider: 'sendgrid',
      fromEmail: 'shop@acme.test',
      relatedType: 'conversation',
      relatedId: 'c1',
    });
  });

  it('falls back to the platform default when the store drops below the tier its provider needs', async () => {
    await email.updateStoreEmailSettings(sam, sendgrid);
    await email.verifyStoreEmailSettings(sam);
    const before = await email.sendEmail({
      storeId: 'acme',
      to: { address: 'ana@example.com' },
      subject: 'Hi',
      text: 'x',
    });
    expect(before.log.provider).toBe('sendgrid');
    await directory.upsertStore({ id: 'acme', name: 'Store acme', tier: 'professional' }, T0);
    const after = await email.sendEmail({
      storeId: 'acme',
      to: { address: 'ana@example.com' },
      subject: 'Hi',
      text: 'x',
    });
    expect(after.log).toMatchObject({
      provider: 'memory',
      fromEmail: 'no-reply@parley.test',
      replyTo: 'shop@acme.test',
    });
    expect((await email.getStoreEmailSettings(sam)).activeTransport).toBe('platform');
  });

  it('records a transport failure on the log and returns it without throwing', async () => {
    transports.platform.throttleNext();
    const { log, error } = await email.sendEmail({
      storeId: null,
      to: { address: 'ana@example.com' },
      subject: 'Hi',
      text: 'x',
    });
    expect(error?.code).toBe('MAIL_RETRYABLE');
    expect(log).toMatchObject({
      status: 'failed',
      retryCount: 1,
      errorMessage: 'memory provider: 429 too many requests',
      provider: 'memory',
    });
    expect(await logs.raw.log(log.id)).toEqual(log);
  });
});

describe('listEmailLogs', () => {
  beforeEach(() => build());

  it('lets admins see all, store users their own store only, pages with a cursor', async () => {
    for (let i = 0; i < 3; i++)
      await email.sendEmail({
        storeId: 'acme',
        to: { address: `c${i}@example.com` },
        subject: 's',
        text: 't',
      });
    await email.sendEmail({ storeId: 'tiny', to: { address: 'c0@example.com' }, subject: 's', text: 't' });
    const all = await email.listEmailLogs(admin, { limit: 3 });
    expect(all.items.map((l) => l.storeId)).toEqual(['tiny', 'acme', 'acme']);
    const rest = await email.listEmailLogs(admin, { limit: 3, cursor: all.nextCursor as string });
    expect(rest.items.map((l) => l.recipient)).toEqual(['c0@example.com']);
    expect(rest.nextCursor).toBeNull();
    expect((await email.listEmailLogs(sam)).items.map((l) => l.recipient)).toEqual([
      'c2@example.com',
      'c1@example.com',
      'c0@example.com',
    ]);
    expect(
      (await email.listEmailLogs(admin, { recipient: 'C0@example.com' })).items.map((l) => l.storeId),
    ).toEqual(['tiny', 'acme']);
    await expect(email.listEmailLogs(sam, { storeId: 'tiny' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(email.listEmailLogs(customer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(email.listEmailLogs(admin, { cursor: 'nope!' })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'cursor',
    });
  });
});

describe('store SMTP hosts and the outbound guard', () => {
  beforeEach(() => build());
  const smtp = {
    provider: 'smtp',
    fromEmail: 'shop@acme.test',
    smtpHost: 'smtp.acme.test',
    smtpPort: 587,
  } as const;
  const send = () =>
    email.sendEmail({ storeId: 'acme', to: { address: 'ana@example.com' }, subject: 'Hi', text: 'Hello' });

  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    'localhost',
    'internal.acme.test',
    'mixed.acme.test',
  ])('refuses to save smtp_host %s with VALIDATION naming the field, storing nothing', async (host) => {
    guard.setRecords('internal.acme.test', ['192.168.0.10']);
    guard.setRecords('mixed.acme.test', [PUBLIC, '::1']);
    const saving = email.updateStoreEmailSettings(sam, { ...smtp, smtpHost: host });
    await expect(saving).rejects.toMatchObject({ code: 'VALIDATION', field: 'smtp_host' });
    await expect(saving).rejects.toThrow(`smtp_host ${host} is not a public host`);
    expect(await settings.raw.settings('acme')).toBeNull();
  });

  it('checks a stored host again when the provider is switched to smtp', async () => {
    await email.updateStoreEmailSettings(sam, { ...sendgrid, smtpHost: 'smtp.acme.test', smtpPort: 587 });
    guard.setRecords('smtp.acme.test', ['10.9.9.9']);
    await expect(email.updateStoreEmailSettings(sam, { provider: 'smtp' })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'smtp_host',
    });
    expect((await settings.raw.settings('acme'))?.provider).toBe('sendgrid');
  });

  it('accepts a name that does not resolve yet; verify then says only that it could not connect', async () => {
    await email.updateStoreEmailSettings(sam, { ...smtp, smtpHost: 'new.acme.test' });
    const result = await email.verifyStoreEmailSettings(sam);
    expect(result.verified).toBe(false);
    expect(result.settings.verificationError).toBe('could not connect to the SMTP server new.acme.test:587');
    expect(result.emailLog).toMatchObject({
      status: 'failed',
      errorMessage: result.settings.verificationError,
    });
    expect(transports.configs).toEqual([]);
  });

  it('re-resolves before verifying and connects to the checked address, keeping the name for TLS', async () => {
    await email.updateStoreEmailSettings(sam, smtp);
    guard.checked.length = 0;
    expect((await email.verifyStoreEmailSettings(sam)).verified).toBe(true);
    expect(guard.checked).toEqual(['smtp.acme.test']);
    expect(transports.configs.at(-1)).toMatchObject({
      provider: 'smtp',
      host: 'smtp.acme.test',
      address: PUBLIC,
    });
  });

  it('refuses to verify a host whose DNS now points inside, marking the settings unverified', async () => {
    await email.updateStoreEmailSettings(sam, smtp);
    await email.verifyStoreEmailSettings(sam);
    guard.setRecords('smtp.acme.test', ['169.254.169.254']);
    await expect(email.verifyStoreEmailSettings(sam)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'smtp_host',
    });
    const after = await email.getStoreEmailSettings(sam);
    expect(after).toMatchObject({ isVerified: false, activeTransport: 'platform' });
    expect(after.verificationError).toContain('smtp_host smtp.acme.test is not a public host');
    expect(transports.configs.map((c) => (c.provider === 'smtp' ? c.address : null))).toEqual([PUBLIC]);
  });

  it('re-resolves before every send: a host rebound to loopback is never connected to', async () => {
    await email.updateStoreEmailSettings(sam, smtp);
    await email.verifyStoreEmailSettings(sam);
    expect((await send()).log).toMatchObject({ provider: 'smtp', fromEmail: 'shop@acme.test' });
    guard.setRecords('smtp.acme.test', ['127.0.0.1']);
    guard.checked.length = 0;
    const rebound = await send();
    expect(guard.checked).toEqual(['smtp.acme.test']);
    // The platform delivers instead; no transport was ever built for 127.0.0.1.
    expect(rebound.log).toMatchObject({ status: 'sent', provider: 'memory', replyTo: 'shop@acme.test' });
    expect(transports.configs.every((c) => c.provider !== 'smtp' || c.address === PUBLIC)).toBe(true);
    guard.setRecords('smtp.acme.test', ['203.0.114.9']);
    expect((await send()).log.provider).toBe('smtp');
    expect(transports.configs.at(-1)).toMatchObject({ address: '203.0.114.9' });
  });
});

describe('email on the people directory (presets without plans)', () => {
  // A preset whose tenant-bound mentors manage their school's email: the email use cases read the
  // tenant through TenantDirectory and the verifying person through Directory.resolve.
  const schoolPolicy = createAccessPolicy({
    name: 'school',
    tenantLabel: 'school',
    participantTypes: [{ type: 'mentor', label: 'Mentor', tenantBound: true }],
    conversationTypes: [
      {
        type: 'direct',
        participantTypes: ['mentor'],
        size: { min: 2, max: 2 },
        memberRoles: ['member'],
        historyVisibleToNewMembers: true,
      },
    ],
    permissions: [{ who: '*', action: ['view', 'send', 'read'], conversationType: '*' }],
    capabilities: [{ who: 'mentor', capability: 'manage_tenant_email', when: ['ownTenant'] }],
  });
  const kim: Actor = { type: 'mentor', id: 'kim', tenantId: 'north' };

  async function buildSchool(kimEmail: string | null) {
    const people = new InMemoryPeopleDirectory();
    await people.upsertTenant({ id: 'north', name: 'North School' }, T0);
    await people.upsertPerson(
      { type: 'mentor', id: 'kim', name: 'Kim', email: kimEmail, locale: 'en', tenantId: 'north' },
      T0,
    );
    const factory = new InMemoryMailTransportFactory();
    const core = createEmailCore({
      policy: schoolPolicy,
      directory: people,
      emailSettings: new InMemoryStoreEmailSettingsRepository(people),
      emailLogs: new InMemoryEmailLogRepository(),
      cipher: new ReversibleSecretCipher({ currentKeyId: 'k1' }),
      transports: factory,
      outboundGuard: new InMemoryOutboundAddressGuard({ records: { 'smtp.north.test': [PUBLIC] } }),
      platformFrom: { address: 'no-reply@parley.test' },
      clock: new FixedClock(T0, { autoAdvanceMs: 1000 }),
      ids: new SequentialIds('log'),
    });
    return { core, factory };
  }
  const smtp = {
    provider: 'smtp',
    fromEmail: 'office@north.test',
    smtpHost: 'smtp.north.test',
    smtpPort: 587,
  } as const;

  it('puts a tenant without a plan on the essential tier: smtp only', async () => {
    const { core } = await buildSchool('kim@north.test');
    expect(await core.getStoreEmailSettings(kim)).toMatchObject({
      storeId: 'north',
      tier: 'essential',
      allowedProviders: ['smtp'],
    });
    await expect(core.updateStoreEmailSettings(kim, sendgrid)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      field: 'provider',
    });
    await expect(
      core.getStoreEmailSettings({ type: 'mentor', id: 'kim', tenantId: 'south' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("verifies to the person's address from the directory, naming the tenant", async () => {
    const { core, factory } = await buildSchool('kim@north.test');
    await core.updateStoreEmailSettings(kim, smtp);
    const result = await core.verifyStoreEmailSettings(kim);
    expect(result.verified).toBe(true);
    const sent = factory.transportFor(factory.configs.at(-1) as never)?.sent ?? [];
    expect(sent.map((m) => [m.to[0]?.address, m.subject])).toEqual([
      ['kim@north.test', 'Parley: email settings test for North School'],
    ]);
  });

  it('refuses to verify for a person without an address, naming email', async () => {
    const { core } = await buildSchool(null);
    await core.updateStoreEmailSettings(kim, smtp);
    await expect(core.verifyStoreEmailSettings(kim)).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'email',
    });
  });
});
