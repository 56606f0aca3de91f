// Writes the API's OpenAPI document to packages/client/openapi.json, from which @parley/client's
// types are generated: `pnpm openapi:write`, then `pnpm --filter @parley/client generate`.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createAuditCore,
  createLiveFeed,
  createNotificationPreferencesCore,
  createPrivacyCore,
} from '@parley/messaging-core';
import {
  createInMemoryMessaging,
  InMemoryLiveSignalBus,
  InMemoryNotificationPreferencesRepository,
  InMemoryPersonalDataStore,
} from '@parley/messaging-core/testing';
import { parseConfig } from '../src/config.js';
import { attachmentBaseFor, toLiveFrame } from '../src/realtime/live-frames.js';
import { LiveSignals } from '../src/realtime/live-signals.js';
import { createRealtime, logEnd } from '../src/realtime/realtime-service.js';
import { buildServer } from '../src/server.js';
import { inMemoryServices } from '../test/support/in-memory-services.js';

/** Where the client package keeps the document it is generated from. */
export const CLIENT_OPENAPI_PATH = fileURLToPath(
  new URL('../../../packages/client/openapi.json', import.meta.url),
);

/**
 * The OpenAPI document of the API with every feature registered (email, templates, admin
 * notifications, real time) over in-memory storage: the routes and schemas are those `pnpm start`
 * serves with the default (marketplace) preset, without a database, so writing it takes a moment
 * and does not depend on who runs it. The real-time service is built but never started: no timer,
 * no socket.
 */
export async function buildOpenApiDocument(): Promise<unknown> {
  const { core, store, directory, attachments } = createInMemoryMessaging();
  const privacy = createPrivacyCore({
    store: new InMemoryPersonalDataStore({ messaging: store, directory }),
    attachmentStorage: attachments,
  });
  // Only their routes matter here: the cores over their own in-memory storage will do.
  const { email, emailTemplates, adminNotifications } = inMemoryServices();
  const feed = createLiveFeed({ store, directory, policy: core.policy, clock: { now: () => new Date() } });
  const bus = new InMemoryLiveSignalBus();
  const realtime = createRealtime(
    {
      feed,
      toFrame: (delivery) =>
        toLiveFrame(delivery, attachmentBaseFor(core.policy.definition, delivery.viewer.type)),
      startPosition: () => logEnd(store.events),
      resolveActor: core.resolveActor,
      markDelivered: (entries) => core.markDelivered(entries),
      jwtSecret: 'openapi-document-only-0123456789abcdef',
      logger: { error: () => {}, warn: () => {} },
      signals: (hub) =>
        new LiveSignals({
          hub,
          bus,
          instanceId: 'openapi',
          clock: { now: () => new Date() },
          policy: core.policy,
          feed,
          typingAudience: core.typingAudience,
          logger: { warn: () => {} },
        }),
    },
    // The defaults `pnpm start` runs with (frame limits show in the frames route's schema).
    parseConfig({}, tmpdir()).realtime,
  );
  const app = await buildServer(
    {
      core,
      directory,
      email,
      emailTemplates,
      adminNotifications,
      jwtSecret: 'openapi-document-only-0123456789abcdef',
      databaseKind: 'memory',
      checkDatabase: async () => {},
      realtime,
      audit: createAuditCore({
        policy: core.policy,
        auditLog: store.audit,
        settings: core.settings,
        clock: { now: () => new Date() },
      }),
      notificationPreferences: createNotificationPreferencesCore({
        preferences: new InMemoryNotificationPreferencesRepository({ events: store.events }),
      }),
      privacy,
    },
    { logLevel: 'silent' },
  );
  try {
    await app.ready();
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
    return response.json();
  } finally {
    await app.close();
  }
}

/** The document as the file holds it: two-space JSON with a trailing newline, so diffs stay small. */
export function formatOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(CLIENT_OPENAPI_PATH, formatOpenApiDocument(await buildOpenApiDocument()));
  process.stdout.write(`wrote ${CLIENT_OPENAPI_PATH}\n`);
}
