import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { AesGcmSecretCipher, parseKeyRing } from '@parley/adapters-crypto';
import { FsAttachmentStorage } from '@parley/adapters-fs';
import {
  createDatabase,
  KyselyAdminNotificationRepository,
  KyselyAuditLog,
  KyselyDigestLedger,
  KyselyEmailLogRepository,
  KyselyEmailTemplateRepository,
  KyselyMarketplaceDirectory,
  KyselyMessageSearch,
  KyselyMessagingStore,
  KyselyModerationSettingsRepository,
  KyselyNotificationPreferencesRepository,
  KyselyNotificationQueue,
  KyselyPeopleDirectory,
  KyselyPersonalDataStore,
  KyselyRateLimitCounters,
  KyselySendFailureStreakRepository,
  KyselySettingsStore,
  KyselyStoreEmailSettingsRepository,
  KyselyWebhookReplayGuard,
  KyselyWebhookStore,
  migrateToLatest,
  type ParleyDatabase,
  PostgresEventWakeups,
  PostgresLiveSignalBus,
} from '@parley/adapters-kysely';
import { PiscinaTemplateRenderer, SanitizeHtmlSanitizer } from '@parley/adapters-liquid';
import { SharpMediaInspector } from '@parley/adapters-media';
import {
  DnsOutboundAddressGuard,
  generateWebhookSecret,
  HttpWebhookTransport,
} from '@parley/adapters-network';
import { ObscenityWordListModerator } from '@parley/adapters-obscenity';
import { connectRedisRateLimitClient, RedisLiveSignalBus } from '@parley/adapters-redis';
import { createS3Client, S3AttachmentStorage } from '@parley/adapters-s3';
import {
  type AdminNotificationsCore,
  type AttachmentStorage,
  type AuditCore,
  CachingDirectory,
  CachingSettingsStore,
  type Clock,
  contactDetailsModerator,
  createAdminNotificationsCore,
  createAuditCore,
  createEmailCore,
  createEmailTemplatesCore,
  createEventDispatcher,
  createLiveFeed,
  createMessagingCore,
  createNotificationPreferencesCore,
  createPrivacyCore,
  createWebhooksCore,
  type Directory,
  type DirectoryChangedPayload,
  type EmailCore,
  type EmailTemplatesCore,
  emailNotificationSubscriber,
  type LiveSignalBus,
  type MarketplaceDirectory,
  type MessagingCore,
  type NotificationPreferencesCore,
  type PeopleDirectory,
  type PersonalDataSection,
  type Preset,
  type PresetName,
  personalDataSections,
  presetByName,
  systemClock,
  type TenantDirectory,
  type WebhooksCore,
} from '@parley/messaging-core';
import { InMemoryLiveSignalBus } from '@parley/messaging-core/testing';
import { sql } from 'kysely';
import { startAttachmentSweep } from './attachment-sweep.js';
import { type Config, publicBaseUrl } from './config.js';
import { type DemoDirectory, marketplaceDemoDirectory, peopleDemoDirectory, seedDemo } from './demo-seed.js';
import { type DigestWorker, startDigestWorker } from './digest-worker.js';
import { type EventDispatchLoop, startEventDispatchLoop } from './event-dispatch-loop.js';
import { composeInboundMail } from './inbound/compose-inbound-mail.js';
import type { SmtpInboundListener } from './inbound/smtp-inbound-listener.js';
import { type ResolvedJwtSecret, resolveJwtSecret } from './jwt-secret.js';
import {
  AdapterMailTransportFactory,
  type MailProviderEndpoints,
} from './mail/adapter-mail-transport-factory.js';
import {
  CircuitBreakingMailTransportFactory,
  type MailCircuitChange,
  mailCircuitNotification,
} from './mail/circuit-breaking-mail-transport-factory.js';
import { resolveEncryptionKey } from './mail/encryption-key.js';
import { type NotificationWorker, startNotificationWorker } from './notification-worker.js';
import { countedEmailLogs, createMetrics, type ParleyMetrics } from './plugins/metrics.js';
import type { RateLimitCounterBackend } from './plugins/rate-limit.js';
import { type PollingWorker, startPollingWorker } from './polling-worker.js';
import { attachmentBaseFor, toLiveFrame } from './realtime/live-frames.js';
import { LiveSignals, type LiveSignalsSettings } from './realtime/live-signals.js';
import type { RealtimeHubSettings } from './realtime/realtime-hub.js';
import { createRealtime, logEnd, type Realtime } from './realtime/realtime-service.js';
import { emailWebhookVerifiers } from './routes/email-webhook-routes.js';
import { buildServer, type ParleyApp, type ServerDirectory } from './server.js';
import { combineDispatchers, startWebhookWorker, type WebhookWorker } from './webhook-worker.js';

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

function composeDirectory(
  preset: PresetName,
  database: ParleyDatabase,
  committed: {
    readonly onEventsCommitted: (newestId: string) => void;
    readonly onChanged: (change: DirectoryChangedPayload) => void;
  },
): ComposedDirectory {
  if (PRESET_DIRECTORIES[preset] === 'marketplace') {
    const directory = new KyselyMarketplaceDirectory({ db: database.db, ...committed });
    return {
      read: directory,
      server: { directory },
      demo: marketplaceDemoDirectory(directory),
      marketplace: directory,
      people: null,
    };
  }
  const people = new KyselyPeopleDirectory({ db: database.db, ...committed });
  return { read: people, server: { people }, demo: peopleDemoDirectory(people), marketplace: null, people };
}

/** How often the worker applies the audit log's retention (rows are kept for days: hourly is plenty). */
const AUDIT_SWEEP_INTERVAL_MS = 3_600_000;

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
  /** Tests: sees the SQL of every statement this process runs (`DatabaseObservation`). */
  readonly onStatement?: (sql: string) => void;
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
   * Global notification preferences (the `/me` routes' use cases) and the digest worker (its
   * timer runs where the notification worker's does; `runOnce()` works either way).
   */
  readonly digests: { readonly preferences: NotificationPreferencesCore; readonly worker: DigestWorker };
  /**
   * Reply by email (`PARLEY_INBOUND_DOMAIN`), null when off: the SMTP listener when
   * `PARLEY_INBOUND_SMTP_PORT` is set (its bound address), else null.
   */
  readonly inbound: { readonly smtp: SmtpInboundListener | null } | null;
  /**
   * Webhooks to the host platform: the use cases the routes call, and the delivery worker (its
   * timer runs where the notification worker's does; `runOnce()` works either way).
   */
  readonly webhooks: { readonly core: WebhooksCore; readonly worker: WebhookWorker };
  /**
   * Real-time delivery of this instance: the hub tailing the log for its WebSocket and SSE
   * connections (woken with the event dispatcher), tickets, typing and presence.
   */
  readonly realtime: Realtime;
  /**
   * The audit log's use cases and its retention sweep (hourly where the notification worker's
   * timer runs; `runOnce()` works either way).
   */
  readonly audit: { readonly core: AuditCore; readonly sweep: PollingWorker<number> };
  /** Stops accepting, waits for in-flight requests, then stops the template worker threads and closes the pool (or PGlite). */
  close(): Promise<void>;
}

interface ComposedStorage {
  readonly storage: AttachmentStorage | null;
  readonly close: () => void;
}

/**
 * Attachment storage as `PARLEY_STORAGE` says: the data dir (paths start with `uploads/`, so files
 * land in `{dataDir}/uploads/messages/…`), or an S3 bucket through one client for the process.
 */
function composeAttachmentStorage(config: Config): ComposedStorage & { storage: AttachmentStorage } {
  const settings = config.storage;
  if (settings.kind === 'fs') {
    return { storage: new FsAttachmentStorage({ root: config.dataDir }), close: () => {} };
  }
  const client = createS3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(settings.credentials ?? {}),
  });
  return {
    storage: new S3AttachmentStorage({
      client,
      bucket: settings.bucket,
      ...(settings.keyPrefix === undefined ? {} : { keyPrefix: settings.keyPrefix }),
    }),
    close: () => client.destroy(),
  };
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
  const schema = {
    ...(config.database.schema === undefined ? {} : { schema: config.database.schema }),
    ...(options.onStatement ? { onStatement: options.onStatement } : {}),
  };
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
  let rateLimitRedis: { quit(): Promise<unknown> } | null = null;
  let attachmentStorage: ComposedStorage = { storage: null, close: () => {} };
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
    const notificationPreferencesRepository = new KyselyNotificationPreferencesRepository({
      db: database.db,
      onEventsCommitted: (newestId) => eventsCommitted(newestId),
    });
    const dispatcher = createEventDispatcher({
      store,
      subscribers: [emailNotificationSubscriber()],
      onError: (subscriber, error) => logDispatchError(subscriber, error),
    });
    const storage = composeAttachmentStorage(config);
    attachmentStorage = storage;
    const preset = options.preset ?? presetByName(config.preset);
    // Every request resolves its actor and every page its counterparts: from memory, dropped at
    // once when this process changes an entry, and when its log tail (the real-time hub) reads
    // another process's `directory.changed`.
    let forget = (_participantId: string) => {};
    const directories = composeDirectory(config.preset, database, {
      onEventsCommitted: (newestId) => eventsCommitted(newestId),
      onChanged: (change) => forget(change.participant_id),
    });
    const directory = new CachingDirectory(directories.read, { clock });
    forget = (participantId) => directory.invalidate(participantId);
    const settings = new CachingSettingsStore(
      new KyselySettingsStore({
        db: database.db,
        onEventsCommitted: (newestId) => eventsCommitted(newestId),
      }),
      { clock },
    );
    const core = createMessagingCore({
      store,
      directory,
      settings,
      // The store above caches, invalidated through the log: no second, time-based cache.
      settingsCacheTtlMs: 0,
      policy: preset.policy,
      clock,
      attachmentStorage: storage.storage,
      mediaInspector: new SharpMediaInspector(),
      ...(config.storage.kind === 's3' && config.storage.presignedDownloadSeconds !== null
        ? { presignedDownloadSeconds: config.storage.presignedDownloadSeconds }
        : {}),
      search: new KyselyMessageSearch({ db: database.db }),
      moderation: {
        // In order: profanity first, then contact details (on the text the first left).
        moderators: [new ObscenityWordListModerator(), contactDetailsModerator].map((moderator) => ({
          moderator,
          timeoutMs: config.moderation.timeoutMs,
          onFailure: config.moderation.failureMode,
        })),
        settings: new KyselyModerationSettingsRepository(database.db),
      },
    });
    const audit = createAuditCore({
      policy: core.policy,
      auditLog: new KyselyAuditLog({ db: database.db }),
      settings: core.settings,
      clock,
    });
    const jwtSecret = await resolveJwtSecret(config.jwtSecret, config.dataDir);
    const encryptionKey = await resolveEncryptionKey(config.encryptionKey, config.dataDir);
    const adminNotifications = createAdminNotificationsCore({
      policy: core.policy,
      notifications: new KyselyAdminNotificationRepository({ db: database.db }),
      clock,
    });
    let logMailCircuit = (change: MailCircuitChange, error?: unknown) =>
      console.warn(`[parley] mail circuit ${change.provider} ${change.state}`, error ?? '');
    const transports = new CircuitBreakingMailTransportFactory(
      new AdapterMailTransportFactory({
        platform: config.mail.transport,
        ...(options.mailEndpoints ? { endpoints: options.mailEndpoints } : {}),
      }),
      {
        failures: config.mailBreaker.failures,
        cooldownMs: config.mailBreaker.cooldownMs,
        onChange: (change) => {
          logMailCircuit(change);
          void adminNotifications
            .raiseAdminNotification(mailCircuitNotification(change))
            .catch((error: unknown) => logMailCircuit(change, error));
        },
      },
    );
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
        onEventsRead: (events) => {
          directory.observe(events);
          settings.observe(events);
        },
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
    // Webhooks: deliveries are enqueued from the event log in the subscriber's transaction and
    // sent by the worker; targets go through the same outbound guard as stores' SMTP hosts.
    const webhookStore = new KyselyWebhookStore({ db: database.db });
    const webhooks = createWebhooksCore({
      store: webhookStore,
      cipher: new AesGcmSecretCipher(parseKeyRing(encryptionKey.keyRing)),
      outboundGuard: new DnsOutboundAddressGuard({ allowedCidrs: config.outbound.allowedCidrs }),
      transport: new HttpWebhookTransport(),
      newSecret: generateWebhookSecret,
      raiseAdminNotification: adminNotifications.raiseAdminNotification,
      policy: core.policy,
      clock,
      timeoutMs: config.webhooks.timeoutMs,
      ...(config.workerLeaseMs === null ? {} : { leaseMs: config.workerLeaseMs }),
    });
    const webhookDispatcher = createEventDispatcher({
      store: webhookStore,
      subscribers: [webhooks.subscriber()],
      onError: (subscriber, error) => logDispatchError(subscriber, error),
    });
    const notificationPreferences = createNotificationPreferencesCore({
      preferences: notificationPreferencesRepository,
      clock,
    });
    // GDPR export and erasure: an erasure's events wake the dispatchers like any commit, and its
    // anonymised directory entry leaves this process's cache at once.
    const personalDataStore = new KyselyPersonalDataStore({
      db: database.db,
      onEventsCommitted: (newestId) => eventsCommitted(newestId),
      onDirectoryChanged: (change) => forget(change.participant_id),
    });
    const privacy = createPrivacyCore({
      store: personalDataStore,
      // The built-in sections, then the notifications context's own: global preferences.
      sections: [
        ...personalDataSections(personalDataStore.personalData),
        notificationPreferencesSection(notificationPreferencesRepository),
      ],
      attachmentStorage: storage.storage,
      clock,
    });
    const replayGuard = new KyselyWebhookReplayGuard({ db: database.db });
    const inbound =
      config.inbound === null
        ? null
        : composeInboundMail(config.inbound, {
            conversations: store.conversations,
            participants: store.participants,
            directory,
            messaging: core,
            renderEmail: (input) => notificationTemplates.renderEmail(input),
            sendEmail: (input) => email.sendEmail(input),
            jwtSecret: jwtSecret.secret,
            replayGuard,
            mailgunSigningKey: config.emailWebhooks.mailgun?.signingKey,
            clock,
          });
    // Request budgets shared by every instance: in Redis when configured (one script per hit),
    // else in the database (one upsert per hit) — never per process, or N instances would grant
    // N budgets.
    let rateLimitCounters: RateLimitCounterBackend = {
      kind: 'database',
      counters: new KyselyRateLimitCounters({ db: database.db, clock }),
    };
    if (config.realtime.redisUrl !== undefined) {
      rateLimitRedis = await connectRedisRateLimitClient({
        url: config.realtime.redisUrl,
        connectionName: `${instanceId}:rate-limit`,
        onError: (error) => realtimeLog.warn({ err: error }, 'rate-limit Redis connection failed'),
      });
      rateLimitCounters = {
        kind: 'redis',
        client: rateLimitRedis,
        nameSpace: `parley:rate-limit${schemaSuffix}:`,
      };
    }
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
          ...emailWebhookVerifiers(config.emailWebhooks, { clock, replayGuard }),
        },
        inboundMail: inbound?.routes ?? null,
        ...directories.server,
        clock,
        jwtSecret: jwtSecret.secret,
        databaseKind: database.kind,
        checkDatabase: async () => {
          await sql`select 1`.execute(database.db);
        },
        metrics,
        realtime,
        webhooks,
        audit,
        notificationPreferences,
        privacy,
      },
      {
        logLevel: config.logLevel,
        corsOrigins: config.corsOrigins,
        rateLimit: config.rateLimit,
        rateLimitCounters,
        templatePreviewRateLimit: config.templates.previewRateLimit,
        bodyLimit: config.bodyLimit,
        ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
        ...(options.logStream ? { logStream: options.logStream } : {}),
        ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
      },
    );
    logPoolError = (error) => app.log.error({ err: error }, 'idle database connection failed');
    realtimeLog = app.log;
    logMailCircuit = (change, error) =>
      error === undefined
        ? app.log.warn({ circuit: change }, `mail circuit ${change.state}`)
        : app.log.error({ err: error, circuit: change }, 'mail circuit notification failed');
    logDispatchError = (subscriber, error) =>
      app.log.error({ err: error, subscriber }, 'event subscriber failed; retried from its cursor');
    const events = startEventDispatchLoop(
      combineDispatchers(dispatcher, webhookDispatcher),
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
    // The tail starts at the log's end: whatever was cached before it (the demo seed) is dropped.
    directory.clear();
    settings.clear();
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
        ...(inbound === null ? {} : { replyAddresses: inbound.replyAddresses }),
        clock,
        windowMs: config.notifications.windowMs,
        maxAttempts: config.notifications.maxAttempts,
        // People who chose a digest (or no email) get no immediate notification.
        preferences: notificationPreferencesRepository,
        ...(config.workerLeaseMs === null ? {} : { leaseMs: config.workerLeaseMs }),
      },
      {
        intervalMs: config.notifications.worker ? config.notifications.pollIntervalMs : null,
        // Jobs come from the email subscriber: let it catch up before claiming.
        beforeRun: () => events.drain(),
      },
      clock,
      app.log,
    );
    const webhookWorker = startWebhookWorker(
      webhooks,
      {
        intervalMs: config.notifications.worker ? config.webhooks.pollIntervalMs : null,
        // Deliveries come from the webhook subscriber: let it catch up before claiming.
        beforeRun: () => events.drain(),
      },
      app.log,
    );
    // Retention: rows older than `audit_log_retention_days` go, hourly, where the workers run.
    const auditSweep = startPollingWorker(
      () => audit.sweepAuditLog(),
      { intervalMs: config.notifications.worker ? AUDIT_SWEEP_INTERVAL_MS : null },
      (error) => app.log.error({ err: error }, 'audit log retention sweep failed'),
    );
    const digestWorker = startDigestWorker(
      {
        preferences: notificationPreferencesRepository,
        ledger: new KyselyDigestLedger({ db: database.db }),
        directory,
        // The person's own inbox view: only what they may see, as they would see it.
        listUnread: async (actor, limit) =>
          (await core.listConversations(actor, { unreadOnly: true, limit })).conversations,
        renderEmail: (input) => notificationTemplates.renderEmail(input),
        sendEmail: (input) => email.sendEmail(input),
        publicUrl: publicBaseUrl(config),
        policy: core.policy,
        ...(config.inboxUrlTemplate === undefined ? {} : { inboxUrlTemplate: config.inboxUrlTemplate }),
        clock,
        maxAttempts: config.notifications.maxAttempts,
        // A dead worker's claimed digest is retaken after the same lease as its jobs.
        ...(config.workerLeaseMs === null ? {} : { leaseMs: config.workerLeaseMs }),
      },
      { intervalMs: config.notifications.worker ? config.digests.pollIntervalMs : null },
      clock,
      app.log,
    );
    const smtp = inbound === null ? null : await inbound.startSmtp(app.log);
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
      webhooks: { core: webhooks, worker: webhookWorker },
      audit: { core: audit, sweep: auditSweep },
      digests: { preferences: notificationPreferences, worker: digestWorker },
      inbound: inbound === null ? null : { smtp },
      close: () => {
        closing ??= (async () => {
          try {
            await smtp?.close();
            await sweep.stop();
            await auditSweep.stop();
            await notifications.stop();
            await webhookWorker.stop();
            await digestWorker.stop();
            await realtime.stop();
            await app.close();
            await events.stop();
            await wakeups?.close();
            await bus.close();
            await rateLimitRedis?.quit();
          } finally {
            await Promise.all([renderers.requests.close(), renderers.notifications.close()]);
            await transports.close();
            attachmentStorage.close();
            await database.destroy();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await wakeups?.close();
    await signalBus?.close();
    await rateLimitRedis?.quit().catch(() => undefined);
    attachmentStorage.close();
    await database.destroy();
    throw error;
  }
}

/**
 * The export section of a person's global notification preferences (`notification_preferences`):
 * one record when they ever saved any, none otherwise (the defaults are not data about them).
 */
function notificationPreferencesSection(preferences: {
  find: KyselyNotificationPreferencesRepository['find'];
}): PersonalDataSection {
  return {
    name: 'notification_preferences',
    async *records(person) {
      const found = await preferences.find(person);
      if (found === null || found.updatedAt === null) return;
      yield {
        email_frequency: found.emailFrequency,
        time_zone: found.timeZone,
        digest_hour: found.digestHour,
        digest_weekday: found.digestWeekday,
        updated_at: found.updatedAt.toISOString(),
      };
    },
  };
}
