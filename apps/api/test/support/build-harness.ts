import type { MarketplaceDirectory, MessagingCore } from '@parley/messaging-core';
import { buildServer } from '../../src/server.js';
import { type ApiHarness, type HarnessOptions, TEST_SECRET } from './harness.js';

/** Builds the server the way the composition root does, over the given core and directory. */
export async function buildHarness(
  core: MessagingCore,
  directory: MarketplaceDirectory,
  database: {
    readonly kind: string;
    readonly check: () => Promise<void>;
    readonly close?: () => Promise<void>;
  },
  options: HarnessOptions = {},
): Promise<ApiHarness> {
  const app = await buildServer(
    {
      core,
      directory,
      jwtSecret: TEST_SECRET,
      databaseKind: database.kind,
      checkDatabase: database.check,
      ...(options.emailWebhooks ? { emailWebhooks: options.emailWebhooks } : {}),
      ...(options.email ? { email: options.email } : {}),
      ...(options.emailTemplates ? { emailTemplates: options.emailTemplates } : {}),
      ...(options.adminNotifications ? { adminNotifications: options.adminNotifications } : {}),
      ...(options.audit ? { audit: options.audit } : {}),
    },
    {
      logLevel: options.logLevel ?? 'silent',
      ...(options.logStream ? { logStream: options.logStream } : {}),
      ...(options.rateLimit
        ? { rateLimit: options.rateLimit }
        : { rateLimit: { max: 100_000, windowMs: 60_000 } }),
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
      ...(options.templatePreviewRateLimit
        ? { templatePreviewRateLimit: options.templatePreviewRateLimit }
        : {}),
    },
  );
  await app.ready();
  return {
    app,
    directory,
    jwtSecret: TEST_SECRET,
    databaseKind: database.kind,
    close: async () => {
      await app.close();
      await database.close?.();
    },
  };
}
