import { randomBytes } from 'node:crypto';
import { AesGcmSecretCipher } from '@parley/adapters-crypto';
import { LiquidTemplateRenderer } from '@parley/adapters-liquid';
import { SharpMediaInspector } from '@parley/adapters-media';
import { DnsOutboundAddressGuard } from '@parley/adapters-network';
import { createEmailCore, createEmailTemplatesCore } from '@parley/messaging-core';
import {
  createInMemoryMessaging,
  InMemoryEmailLogRepository,
  InMemoryEmailTemplateRepository,
  InMemoryStoreEmailSettingsRepository,
} from '@parley/messaging-core/testing';
import { AdapterMailTransportFactory } from '../src/mail/adapter-mail-transport-factory.js';
import { apiScenarios } from './support/api-scenarios.js';
import { attachmentScenarios } from './support/attachment-scenarios.js';
import { buildHarness } from './support/build-harness.js';
import { emailScenarios } from './support/email-scenarios.js';
import { emailTemplateScenarios } from './support/email-template-scenarios.js';
import { templateCatalogueScenarios } from './support/template-catalogue-scenarios.js';

apiScenarios('in-memory adapters', async (options) => {
  const { core, directory } = createInMemoryMessaging();
  return buildHarness(core, directory, { kind: 'memory', check: async () => {} }, options);
});

emailScenarios('in-memory adapters', async ({ endpoints, mailDir, outboundAllowedCidrs }) => {
  const { core, directory } = createInMemoryMessaging();
  const emailSettings = new InMemoryStoreEmailSettingsRepository(directory);
  const transports = new AdapterMailTransportFactory({
    platform: { kind: 'file', directory: mailDir },
    endpoints,
  });
  const email = createEmailCore({
    directory,
    emailSettings,
    emailLogs: new InMemoryEmailLogRepository(),
    cipher: new AesGcmSecretCipher({ keys: { k1: new Uint8Array(randomBytes(32)) }, currentKeyId: 'k1' }),
    transports,
    outboundGuard: new DnsOutboundAddressGuard({ allowedCidrs: outboundAllowedCidrs }),
    platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
  });
  const harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} }, { email });
  return {
    harness,
    storedSecrets: async (storeId) => {
      const row = await emailSettings.raw.settings(storeId);
      return row === null
        ? null
        : {
            smtp_password: row.smtpPassword,
            sendgrid_api_key: row.sendgridApiKey,
            mailgun_api_key: row.mailgunApiKey,
            ses_access_key_id: row.sesAccessKeyId,
            ses_secret_access_key: row.sesSecretAccessKey,
          };
    },
    close: async () => {
      await harness.close();
      await transports.close();
    },
  };
});

attachmentScenarios('in-memory adapters (sharp for images)', async () => {
  const { core, directory, attachments } = createInMemoryMessaging({
    mediaInspector: new SharpMediaInspector(),
  });
  const harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} });
  return { harness, core, storage: attachments, close: () => harness.close() };
});

const emailTemplateHarness = async () => {
  const { core, directory } = createInMemoryMessaging();
  const emailTemplates = createEmailTemplatesCore({
    templates: new InMemoryEmailTemplateRepository({ directory }),
    renderer: new LiquidTemplateRenderer(),
  });
  return buildHarness(core, directory, { kind: 'memory', check: async () => {} }, { emailTemplates });
};

emailTemplateScenarios('in-memory adapters (Liquid)', emailTemplateHarness);
templateCatalogueScenarios('in-memory adapters (Liquid)', emailTemplateHarness);
