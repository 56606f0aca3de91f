import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { AesGcmSecretCipher, parseKeyRing } from '@parley/adapters-crypto';
import { FsAttachmentStorage } from '@parley/adapters-fs';
import {
  createDatabase,
  KyselyAdminNotificationRepository,
  KyselyEmailLogRepository,
  KyselyEmailTemplateRepository,
  KyselyMarketplaceDirectory,
  KyselyMessageSearch,
  KyselyMessagingStore,
  KyselyNotificationQueue,
  KyselyPeopleDirectory,
  KyselySendFailureStreakRepository,
  KyselySettingsStore,
  KyselyStoreEmailSettingsRepository,
  KyselyWebhookReplayGuard,
  migrateToLatest,
  type ParleyDatabase,
  PostgresEventWakeups,
  PostgresLiveSignalBus,
} from '@parley/adapters-kysely';
import { PiscinaTemplateRenderer, SanitizeHtmlSanitizer } from '@parley/adapters-liquid';
import { SharpMediaInspector } from '@parley/adapters-media';
import { DnsOutboundAddressGuard } from '@parley/adapters-network';
import { RedisLiveSignalBus } from '@parley/adapters-redis';
import {
  type AdminNotificationsCore,
  type Clock,
  createAdminNotificationsCore,
  createEmailCore,
  createEmailTemplatesCore,
  createEventDispatcher,
  createLiveFeed,
  createMessagingCore,
  type Directory,
  type EmailCore,
  type EmailTemplatesCore,
  emailNotificationSubscriber,
  type LiveSignalBus,
  type MarketplaceDirectory,
  type MessagingCore,
  type PeopleDirectory,
  type Preset,
  type PresetName,
  presetByName,
  systemClock,
  type TenantDirectory,
} from '@parley/messaging-core';
import { InMemoryLiveSignalBus } from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { startAttachmentSweep } from './attachment-sweep.js';
import { type Config, publicBaseUrl } from './config.js';
import { type DemoDirectory, marketplaceDemoDirectory, peopleDemoDirectory, seedDemo } from './demo-seed.js';
import { type EventDispatchLoop, startEventDispatchLoop } from './event-dispatch-loop.js';
import { type ResolvedJwtSecret, resolveJwtSecret } from './jwt-secret.js';
import {
  AdapterMailTransportFactory,
  type MailProviderEndpoints,
} from './mail/adapter-mail-transport-factory.js';
import { resolveEncryptionKey } from './mail/encryption-key.js';
import { type NotificationWorker, startNotificationWorker } from './notification-worker.js';
import { countedEmailLogs, createMetrics, type ParleyMetrics } from './plugins/metrics.js';
import { attachmentBaseFor, toLiveFrame } from './realtime/live-frames.js';
import { LiveSignals, type LiveSignalsSettings } from './realtime/live-signals.js';
import type { RealtimeHubSettings } from './realtime/realtime-hub.js';
import { createRealtime, logEnd, type Realtime } from './realtime/realtime-service.js';
import { emailWebhookVerifiers } from './routes/email-webhook-routes.js';
import { buildServer, type ParleyApp, type ServerDirectory } from './server.js';

/**
 * Where each preset keeps its people: the marketplace its historical tables (stores, platform
 * users, customers), the others the people directory (tenants, people of any type).
 */
const PRESET_DIRECTORIES: Readonly<Record<PresetName, 'marketplace' | 'people'>> = {
  marketplace: 'marketplace',
  'care-team': 'people',
  community: 'people',
};

/** The preset's directory, as each part of the API needs it. */
interface ComposedDirectory {
  /** What the core, email and the notification worker read. */
  readonly read: Directory & TenantDirectory;
  /** What the server's platform routes write. */
  readonly server: ServerDirectory;
  /** What the demo seed writes. */
  readonly demo: DemoDirectory;
  readonly marketplace: MarketplaceDirectory | null;
  readonly people: PeopleDirectory | null;
}

function composeDirectory(preset: PresetName, database: ParleyDatabase): ComposedDirectory {
  if (PRESET_DIRECTORIES[preset] === 'marketplace') {
    const directory = new KyselyMarketplaceDirectory({ db: database.db });
    return {
      read: directory,
      server: { directory },
      demo: marketplaceDemoDirectory(directory),
      marketplace: directory,
      people: null,
    };
  }
  const people = new KyselyPeopleDirectory({ db: database.db });
  return { read: people, server: { people }, demo: peopleDemoDirectory(people), marketplace: null, people };
}

export interface ComposeOptions {
  /** Log destination (default stdout). */
  readonly logStream?: NodeJS.WritableStream;
  readonly clock?: Clock;
  /** Provider API locations (tests: the adapters' local servers). Never from request input. */
  readonly mailEndpoints?: MailProviderEndpoints;
  /**
   * Tests: a preset object of their own (e.g. with demo data) in place of `PARLEY_PRESET`'s;
   * the directory is still the one `config.preset` keeps its people in.
   */
  readonly preset?: Preset;
  /** Tests: real-time timings of their own (short polls, re-checks, ack flushes, heartbeats). */
  readonly realtime?: Partial<RealtimeHubSettings> &
    Partial<LiveSignalsSettings> & { readonly heartbeatMs?: number };
}

/** The running pieces: the app (not yet listening) and how to shut everything down. */
export interface ComposedApi {
  readonly app: ParleyApp;
  readonly config: Config;
  readonly core: MessagingCore;
  /** Email settings, sending, the email log and `applyDeliveryEvents` (for the tracking webhooks). */
  readonly email: EmailCore;
  /** Email templates (Liquid in worker threads, untrusted-safe): the routes' use cases. */
  readonly emailTemplates: EmailTemplatesCore;
  /** Admin notifications: list, mark read, and `raiseAdminNotification` for services. */
  readonly adminNotifications: AdminNotificationsCore;
  /** `PARLEY_PRESET`: the policy the core runs and the demo data. */
  readonly preset: Preset;
  /** The preset's directory, as the demo seed and `demoTokens` read it (and `isEmpty`). */
  readonly directory: DemoDirectory;
  /** The marketplace directory (preset `marketplace`), else null. */
  readonly marketplaceDirectory: MarketplaceDirectory | null;
  /** The people directory (presets `care-team`, `community`), else null. */
  readonly peopleDirectory: PeopleDirectory | null;
  readonly database: ParleyDatabase;
  readonly jwtSecret: ResolvedJwtSecret;
  /** True when this start wrote the demo directory. */
  readonly seeded: boolean;
  /**
   * The notification worker. Its timer runs only when `config.notifications.worker` is on;
   * `runOnce()` works either way (tests drive it by hand).
   */
  readonly notifications: NotificationWorker;
  /**
   * The event dispatcher feeding the event log's subscribers (the email subscriber enqueues
   * notification jobs): woken by local commits and, on PostgreSQL, by `LISTEN/NOTIFY` from other
   * processes; polls as the fallback and prunes past the retention. `drain()` for tests.
   */
  readonly events: EventDispatchLoop;
  /** The Prometheus registry and counters behind `GET /metrics`. */
  readonly metrics: ParleyMetrics;
  /**
   * Real-time delivery of this instance: the hub tailing the log for its WebSocket and SSE
   * connections (woken with the event dispatcher), tickets, typing and presence.
   */
  readonly realtime: Realtime;
  /** Stops accepting, waits for in-flight requests, then stops the template worker threads and closes the pool (or PGlite). */
  close(): Promise<void>;
}

/**
 * The composition root: builds the adapters the configuration asks for (PostgreSQL, or PGlite in
 * the data directory), migrates, creates the core, seeds the demo directory when asked and the
 * directory is empty, and builds the server. Nothing else wires dependencies.
 *
 * @example
 * ```ts
 * const api = await compose(readConfig());
 * await api.app.listen({ host: api.config.host, port: api.config.port });
 * // on SIGTERM: await api.close();
 * ```
 */
export async function compose(config: Config, options: ComposeOptions = {}): Promise<ComposedApi> {
  const clock = options.clock ?? systemClock;
  await mkdir(config.dataDir, { recursive: true });
  await mkdir(config.uploadsDir, { recursive: true });
  await mkdir(config.mailDir, { recursive: true });
  let logPoolError = (error: Error) =>
    console.error(`[parley] idle database connection failed: ${error.message}`);
  const schema = config.database.schema === undefined ? {} : { schema: config.database.schema };
  const database =
    config.database.kind === 'postgres'
      ? createDatabase({
          kind: 'postgres',
          url: config.database.url,
          poolSize: config.database.poolSize,
          onPoolError: (error) => logPoolError(error),
          ...schema,
        })
      : createDatabase({ kind: 'pglite', dataDir: config.database.dataDir, ...schema });
  let wakeups: PostgresEventWakeups | null = null;
  let signalBus: LiveSignalBus | null = null;
  try {
    await migrateToLatest(database);
    // Bound below, once the loop exists: a commit of events wakes the local dispatcher at once
    // and, on PostgreSQL, the other processes' (one coalesced NOTIFY per 10 ms at most).
    let eventsCommitted = (_newestId: string) => {};
    let logDispatchError = (subscriber: string, error: unknown) =>
      console.error(`[parley] event subscriber ${subscriber} failed: ${(error as Error).message}`);
    const store = new KyselyMessagingStore({
      db: database.db,
      onEventsCommitted: (newestId) => eventsCommitted(newestId),
    });
    const dispatcher = createEventDispatcher({
      store,
      subscribers: [emailNotificationSubscriber()],
      onError: (subscriber, error) => logDispatchError(subscriber, error),
    });
    const preset = options.preset ?? presetByName(config.preset);
    const directories = composeDirectory(config.preset, database);
    const directory = directories.read;
    const settings = new KyselySettingsStore({ db: database.db });
    const core = createMessagingCore({
      store,
      directory,
      settings,
      policy: preset.policy,
      clock,
      // Paths start with uploads/, so files land in {dataDir}/uploads/messages/….
      attachmentStorage: new FsAttachmentStorage({ root: config.dataDir }),
      mediaInspector: new SharpMediaInspector(),
      search: new KyselyMessageSearch({ db: database.db }),
    });
    const jwtSecret = await resolveJwtSecret(config.jwtSecret, config.dataDir);
    const encryptionKey = await resolveEncryptionKey(config.encryptionKey, config.dataDir);
    const transports = new AdapterMailTransportFactory({
      platform: config.mail.transport,
      ...(options.mailEndpoints ? { endpoints: options.mailEndpoints } : {}),
    });
    const adminNotifications = createAdminNotificationsCore({
      policy: core.policy,
      notifications: new KyselyAdminNotificationRepository({ db: database.db }),
      clock,
    });
    const notificationQueue = new KyselyNotificationQueue(database.db);
    const metrics = createMetrics({
      notificationQueue,
      pool: { engine: database.kind, usage: () => database.poolUsage() },
      clock,
    });
    // Every send attempt's outcome is counted where the core records it (the email log).
    const emailLogs = countedEmailLogs(new KyselyEmailLogRepository({ db: database.db }), metrics);
    const email = createEmailCore({
      policy: core.policy,
      directory,
      emailSettings: new KyselyStoreEmailSettingsRepository({ db: database.db }),
      emailLogs,
      cipher: new AesGcmSecretCipher(parseKeyRing(encryptionKey.keyRing)),
      transports,
      // Stores may not aim Parley at the platform's own network (SSRF), except allow-listed ranges.
      outboundGuard: new DnsOutboundAddressGuard({ allowedCidrs: config.outbound.allowedCidrs }),
      platformFrom: config.mail.from,
      clock,
      htmlSanitizer: new SanitizeHtmlSanitizer(),
      adminNotifications,
      ...(config.adminAlerts.sendFailureThreshold === null
        ? {}
        : {
            sendFailureAlert: {
              threshold: config.adminAlerts.sendFailureThreshold,
              windowMs: config.adminAlerts.sendFailureWindowMs,
              // In the database: every API instance and worker counts one streak per store.
              streaks: new KyselySendFailureStreakRepository({ db: database.db }),
            },
          }),
    });
    // Store-authored templates never run on the event loop. Two pools: previews and saves (the
    // HTTP side) cannot delay or crowd out the notification worker's renders, nor the reverse.
    // Threads start on first use, so a process that never renders starts none.
    const templateRenderer = () =>
      new PiscinaTemplateRenderer({
        ...(config.templates.workers === null ? {} : { threads: config.templates.workers }),
        timeLimitMs: config.templates.renderTimeoutMs,
        memoryLimitMb: config.templates.workerMemoryMb,
      });
    const renderers = { requests: templateRenderer(), notifications: templateRenderer() };
    const templateRepository = new KyselyEmailTemplateRepository({ db: database.db });
    const emailTemplates = createEmailTemplatesCore({
      policy: core.policy,
      templates: templateRepository,
      renderer: renderers.requests,
      clock,
    });
    const notificationTemplates = createEmailTemplatesCore({
      policy: core.policy,
      templates: templateRepository,
      renderer: renderers.notifications,
      clock,
    });
    type RealtimeLog = {
      error(object: object, message: string): void;
      warn(object: object, message: string): void;
    };
    const feed = createLiveFeed({ store, directory, policy: core.policy, clock });
    // Each viewer's attachment URLs point at their own conversation routes, as their HTTP answers do.
    const attachmentBases = new Map<string, string>();
    const attachmentBase = (type: string) => {
      let base = attachmentBases.get(type);
      if (base === undefined) {
        base = attachmentBaseFor(core.policy.definition, type);
        attachmentBases.set(type, base);
      }
      return base;
    };
    let realtimeLog: RealtimeLog = {
      error: (object: object, message: string) => console.error(`[parley] ${message}`, object),
      warn: (object: object, message: string) => console.warn(`[parley] ${message}`, object),
    };
    // Typing and presence between instances: Redis when configured, else PostgreSQL NOTIFY on a
    // channel of this schema (like the event wake-ups), else (PGlite: one process) in-process.
    const instanceId = `api-${randomUUID()}`;
    const schemaSuffix = database.schema === 'public' ? '' : `_${database.schema}`;
    let signals: LiveSignals | null = null;
    const busEvents = {
      onError: (error: Error) => realtimeLog.warn({ err: error }, 'live signal bus connection failed'),
      onReconnect: () => signals?.resync(),
    };
    const bus: LiveSignalBus =
      config.realtime.redisUrl !== undefined
        ? new RedisLiveSignalBus({
            url: config.realtime.redisUrl,
            channel: `parley:signals${schemaSuffix}`,
            connectionName: instanceId,
            ...busEvents,
          })
        : config.database.kind === 'postgres'
          ? new PostgresLiveSignalBus({
              url: config.database.url,
              channel: `parley_signals${schemaSuffix}`.slice(0, 63),
              ...busEvents,
            })
          : new InMemoryLiveSignalBus();
    signalBus = bus;
    await bus.start();
    const realtime = createRealtime(
      {
        feed,
        toFrame: (delivery) => toLiveFrame(delivery, attachmentBase(delivery.viewer.type)),
        startPosition: () => logEnd(store.events),
        resolveActor: core.resolveActor,
        markDelivered: (entries) => core.markDelivered(entries),
        jwtSecret: jwtSecret.secret,
        metrics,
        logger: {
          error: (object, message) => realtimeLog.error(object, message),
          warn: (object, message) => realtimeLog.warn(object, message),
        },
        signals: (hub) => {
          signals = new LiveSignals(
            {
              hub,
              bus,
              instanceId,
              clock,
              policy: core.policy,
              feed,
              typingAudience: core.typingAudience,
              logger: { warn: (object, message) => realtimeLog.warn(object, message) },
            },
            // Presence follows the heartbeat: a dead instance's reports run out after two of them.
            { presenceTtlMs: 2 * config.realtime.heartbeatMs, ...options.realtime },
          );
          return signals;
        },
      },
      {
        heartbeatMs: config.realtime.heartbeatMs,
        maxFrameBytes: config.realtime.maxFrameBytes,
        framesPerSecond: config.realtime.framesPerSecond,
        replayMaxEvents: config.realtime.replayMaxEvents,
        maxConnections: config.realtime.maxConnections,
        pollIntervalMs: config.events.pollIntervalMs,
        ...options.realtime,
      },
    );
    const seeded = config.seedDemo
      ? await seedDemo({ preset, directory: directories.demo, core, at: clock.now() })
      : false;
    const app = await buildServer(
      {
        core,
        email,
        emailTemplates,
        adminNotifications,
        emailWebhooks: {
          applyDeliveryEvents: email.applyDeliveryEvents,
          ...emailWebhookVerifiers(config.emailWebhooks, {
            clock,
            replayGuard: new KyselyWebhookReplayGuard({ db: database.db }),
          }),
        },
        ...directories.server,
        clock,
        jwtSecret: jwtSecret.secret,
        databaseKind: database.kind,
        checkDatabase: async () => {
          await sql`select 1`.execute(database.db);
        },
        metrics,
        realtime,
      },
      {
        logLevel: config.logLevel,
        corsOrigins: config.corsOrigins,
        rateLimit: config.rateLimit,
        templatePreviewRateLimit: config.templates.previewRateLimit,
        bodyLimit: config.bodyLimit,
        ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
        ...(options.logStream ? { logStream: options.logStream } : {}),
        ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
      },
    );
    logPoolError = (error) => app.log.error({ err: error }, 'idle database connection failed');
    realtimeLog = app.log;
    logDispatchError = (subscriber, error) =>
      app.log.error({ err: error, subscriber }, 'event subscriber failed; retried from its cursor');
    const events = startEventDispatchLoop(
      dispatcher,
      store.events,
      { pollIntervalMs: config.events.pollIntervalMs, retentionDays: config.events.retentionDays },
      clock,
      app.log,
    );
    if (config.database.kind === 'postgres') {
      const channel = `parley_events${database.schema === 'public' ? '' : `_${database.schema}`}`.slice(
        0,
        63,
      );
      const listening = new PostgresEventWakeups({
        url: config.database.url,
        channel,
        onWake: () => {
          events.wake();
          realtime.hub.wake();
        },
        onError: (error) =>
          app.log.error({ err: error }, 'event wake-up connection failed; polling meanwhile'),
      });
      wakeups = listening;
      await listening.start();
      eventsCommitted = (newestId) => {
        events.wake();
        realtime.hub.wake();
        listening.notify(newestId);
      };
    } else {
      // PGlite belongs to this process: a local commit is the only one there is.
      eventsCommitted = () => {
        events.wake();
        realtime.hub.wake();
      };
    }
    await realtime.start();
    const sweep = startAttachmentSweep(core, config.attachmentSweep, clock, app.log);
    const notifications = startNotificationWorker(
      {
        queue: notificationQueue,
        conversations: store.conversations,
        messages: store.messages,
        directory,
        emailLogs,
        renderEmail: (input) => notificationTemplates.renderEmail(input),
        sendEmail: (input) => email.sendEmail(input),
        publicUrl: publicBaseUrl(config),
        policy: core.policy,
        ...(config.inboxUrlTemplate === undefined ? {} : { inboxUrlTemplate: config.inboxUrlTemplate }),
        clock,
        windowMs: config.notifications.windowMs,
        maxAttempts: config.notifications.maxAttempts,
      },
      {
        intervalMs: config.notifications.worker ? config.notifications.pollIntervalMs : null,
        // Jobs come from the email subscriber: let it catch up before claiming.
        beforeRun: () => events.drain(),
      },
      clock,
      app.log,
    );
    let closing: Promise<void> | undefined;
    return {
      app,
      config,
      core,
      email,
      emailTemplates,
      adminNotifications,
      preset,
      directory: directories.demo,
      marketplaceDirectory: directories.marketplace,
      peopleDirectory: directories.people,
      database,
      jwtSecret,
      seeded,
      notifications,
      events,
      metrics,
      realtime,
      close: () => {
        closing ??= (async () => {
          try {
            await sweep.stop();
            await notifications.stop();
            await realtime.stop();
            await app.close();
            await events.stop();
            await wakeups?.close();
            await bus.close();
          } finally {
            await Promise.all([renderers.requests.close(), renderers.notifications.close()]);
            await transports.close();
            await database.destroy();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await wakeups?.close();
    await signalBus?.close();
    await database.destroy();
    throw error;
  }
}
