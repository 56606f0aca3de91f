import {
  createAdminNotificationsCore,
  createEmailCore,
  createEmailTemplatesCore,
} from '@parley/messaging-core';
import {
  createInMemoryMessaging,
  InMemoryAdminNotificationRepository,
  InMemoryEmailLogRepository,
  InMemoryEmailTemplateRepository,
  InMemoryMailTransportFactory,
  InMemoryOutboundAddressGuard,
  InMemoryStoreEmailSettingsRepository,
  InMemoryTemplateRenderer,
  ReversibleSecretCipher,
} from '@parley/messaging-core/testing';

/**
 * Every core the server can take, over fresh in-memory storage: messaging and its directory, email
 * (a fake transport, every outbound address allowed, a reversible cipher), email templates and
 * admin notifications. For tests that need every route registered but no database.
 *
 * @example
 * ```ts
 * const { core, directory, ...services } = inMemoryServices();
 * const harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} }, services);
 * ```
 */
export function inMemoryServices() {
  const { core, directory } = createInMemoryMessaging();
  return {
    core,
    directory,
    email: createEmailCore({
      directory,
      emailSettings: new InMemoryStoreEmailSettingsRepository(directory),
      emailLogs: new InMemoryEmailLogRepository(),
      cipher: new ReversibleSecretCipher(),
      transports: new InMemoryMailTransportFactory(),
      outboundGuard: new InMemoryOutboundAddressGuard(),
      platformFrom: { address: 'no-reply@parley.test' },
    }),
    emailTemplates: createEmailTemplatesCore({
      templates: new InMemoryEmailTemplateRepository({ directory }),
      renderer: new InMemoryTemplateRenderer(),
    }),
    adminNotifications: createAdminNotificationsCore({
      notifications: new InMemoryAdminNotificationRepository(),
    }),
  };
}
