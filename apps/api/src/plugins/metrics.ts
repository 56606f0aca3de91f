import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  ApplyEventResult,
  Clock,
  DeliveryEvent,
  DeliveryEventReducer,
  EmailLog,
  EmailLogQuery,
  EmailLogRepository,
  EmailSendOutcome,
  NotificationQueueStats,
} from '@parley/messaging-core';
import { systemClock } from '@parley/messaging-core';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { HttpProblem } from '../http-errors.js';

/** What the pool gauges read (`ParleyDatabase.poolUsage()`); idle and waiting are null on PGlite. */
export interface PoolUsageSource {
  readonly engine: string;
  usage(): {
    readonly total: number;
    readonly idle: number | null;
    readonly waiting: number | null;
    readonly max: number;
  };
}

/** Where the gauges read at scrape time. Each is optional: a missing source leaves its gauges out. */
export interface MetricsSources {
  /** Notification queue depth and lag (`NotificationQueue.stats`). */
  readonly notificationQueue?: { stats(now: Date): Promise<NotificationQueueStats> };
  readonly pool?: PoolUsageSource;
  readonly clock?: Clock;
}

/** Outcome label of an inbound provider webhook delivery, from its HTTP status. */
export type WebhookDeliveryOutcome = 'accepted' | 'unverified' | 'not_configured' | 'rejected' | 'error';

/**
 * Parley's Prometheus metrics: one `prom-client` registry per server (never the global one, so a
 * process may build several servers), with the process defaults and Parley's own series.
 */
export interface ParleyMetrics {
  readonly registry: Registry;
  /** Records a finished HTTP request under its route pattern (never the raw URL). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Counts one email send attempt's outcome by provider. */
  countEmail(provider: string, status: 'sent' | 'failed'): void;
  /** Counts one inbound email tracking webhook delivery by provider and outcome. */
  countWebhookDelivery(provider: string, outcome: WebhookDeliveryOutcome): void;
  /** A real-time connection opened (+1) or ended (-1), by transport. */
  countRealtimeConnection(transport: 'websocket' | 'sse', delta: 1 | -1): void;
  /** Counts frames sent to real-time clients: `durable` (from the event log) or `ephemeral`. */
  countRealtimeFrames(kind: 'durable' | 'ephemeral', count: number): void;
}

/**
 * Builds the registry and every series:
 * - `http_request_duration_seconds{method,route,status_code}` (histogram, route = pattern);
 * - `parley_emails_total{provider,status}`, `parley_email_webhook_deliveries_total{provider,outcome}`;
 * - `parley_notification_queue_depth`, `parley_notification_queue_available`,
 *   `parley_notification_queue_lag_seconds` (read from the queue at scrape time);
 * - `parley_realtime_connections{transport}` (gauge), `parley_realtime_frames_sent_total{kind}`;
 * - `parley_db_pool_connections`, `parley_db_pool_idle_connections`,
 *   `parley_db_pool_waiting_requests`, `parley_db_pool_max_connections` (label `engine`);
 * - the process defaults (`process_*`, `nodejs_*`).
 *
 * @example
 * ```ts
 * const metrics = createMetrics({ notificationQueue: queue, pool: { engine: 'postgres', usage: () => database.poolUsage() } });
 * await buildServer({ ...deps, metrics }, { metricsToken });
 * ```
 */
export function createMetrics(sources: MetricsSources = {}): ParleyMetrics {
  const registry = new Registry();
  const clock = sources.clock ?? systemClock;
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const emails = new Counter({
    name: 'parley_emails_total',
    help: 'Email send attempts by provider and outcome (sent or failed).',
    labelNames: ['provider', 'status'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'parley_email_webhook_deliveries_total',
    help: 'Inbound email tracking webhook deliveries by provider and outcome.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  });
  const realtimeConnections = new Gauge({
    name: 'parley_realtime_connections',
    help: 'Open real-time connections on this instance, by transport (websocket, sse).',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const realtimeFrames = new Counter({
    name: 'parley_realtime_frames_sent_total',
    help: 'Frames sent to real-time clients: durable (events of the log) or ephemeral (typing, presence, pong, error).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const queue = sources.notificationQueue;
  if (queue) {
    // One read per scrape feeds the three gauges: the registry calls every collect() at once, so
    // they share the read in flight. A failed read leaves the gauges at their last values.
    let inflight: Promise<{ stats: NotificationQueueStats; at: Date } | null> | null = null;
    const read = () => {
      inflight ??= (async () => {
        const at = clock.now();
        try {
          return { stats: await queue.stats(at), at };
        } catch {
          return null;
        } finally {
          inflight = null;
        }
      })();
      return inflight;
    };
    new Gauge({
      name: 'parley_notification_queue_depth',
      help: 'Notification jobs still pending (due or not).',
      registers: [registry],
      async collect() {
        const latest = await read();
        if (latest) this.set(latest.stats.pending);
      },
    });
    new Gauge({
      name: 'parley_notification_queue_available',
      help: 'Pending notification jobs whose time has come (waiting for a worker or their batching window).',
      registers: [registry],
      async collect() {
        const latest = await read();
        if (latest) this.set(latest.stats.available);
      },
    });
    new Gauge({
      name: 'parley_notification_queue_lag_seconds',
      help: 'Age of the oldest available pending notification job (0 when none).',
      registers: [registry],
      async collect() {
        const latest = await read();
        if (!latest) return;
        const oldest = latest.stats.oldestAvailableAt;
        this.set(oldest === null ? 0 : Math.max(0, (latest.at.getTime() - oldest.getTime()) / 1000));
      },
    });
  }
  const pool = sources.pool;
  if (pool) {
    const gauge = (
      name: string,
      help: string,
      read: (u: ReturnType<PoolUsageSource['usage']>) => number | null,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['engine'] as const,
        registers: [registry],
        collect() {
          const value = read(pool.usage());
          if (value !== null) this.set({ engine: pool.engine }, value);
        },
      });
    gauge('parley_db_pool_connections', 'Open database connections.', (u) => u.total);
    gauge('parley_db_pool_idle_connections', 'Idle pooled connections (PostgreSQL only).', (u) => u.idle);
    gauge(
      'parley_db_pool_waiting_requests',
      'Queries waiting for a connection (PostgreSQL only).',
      (u) => u.waiting,
    );
    gauge('parley_db_pool_max_connections', 'The most connections the pool opens.', (u) => u.max);
  }
  return {
    registry,
    observeRequest: (method, route, status, seconds) =>
      duration.observe({ method, route, status_code: String(status) }, seconds),
    countEmail: (provider, status) => emails.inc({ provider, status }),
    countWebhookDelivery: (provider, outcome) => webhooks.inc({ provider, outcome }),
    countRealtimeConnection: (transport, delta) => realtimeConnections.inc({ transport }, delta),
    countRealtimeFrames: (kind, count) => realtimeFrames.inc({ kind }, count),
  };
}

/**
 * The email log with every send outcome counted (`parley_emails_total`): `sendEmail` in the core
 * records each attempt through `recordSendOutcome`, whatever sent it (notifications, provider
 * verification), so counting here sees them all while the core stays free of metrics.
 *
 * @example
 * ```ts
 * const emailLogs = countedEmailLogs(new KyselyEmailLogRepository({ db }), metrics);
 * ```
 */
export function countedEmailLogs(inner: EmailLogRepository, metrics: ParleyMetrics): EmailLogRepository {
  return {
    create: (log: EmailLog) => inner.create(log),
    recordSendOutcome: async (id: string, outcome: EmailSendOutcome) => {
      const log = await inner.recordSendOutcome(id, outcome);
      metrics.countEmail(outcome.provider, outcome.status);
      return log;
    },
    findById: (id: string) => inner.findById(id),
    findByProviderMessageId: (provider: string, providerMessageId: string) =>
      inner.findByProviderMessageId(provider, providerMessageId),
    list: (query: EmailLogQuery) => inner.list(query),
    applyEvent: (event: DeliveryEvent, reduce: DeliveryEventReducer, at: Date): Promise<ApplyEventResult> =>
      inner.applyEvent(event, reduce, at),
  };
}

export interface MetricsPluginOptions {
  readonly metrics: ParleyMetrics;
  /** `PARLEY_METRICS_TOKEN`; absent: no `/metrics` route at all (a 404 like any unknown path). */
  readonly token: string | undefined;
}

const WEBHOOK_ROUTE = '/api/v1/webhooks/email/';

function webhookOutcome(status: number): WebhookDeliveryOutcome {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 401) return 'unverified';
  if (status === 404) return 'not_configured';
  return status >= 500 ? 'error' : 'rejected';
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Times every request into `http_request_duration_seconds` (labelled by the route pattern,
 * `routeOptions.url`; requests no route serves count as `unmatched`), counts provider webhook
 * deliveries, and serves `GET /metrics` (Prometheus text format) to `Authorization: Bearer
 * <token>` — compared in constant time; another or no token is a 401 problem. Not rate limited,
 * not in the OpenAPI document. Registered before every route, so each one is timed, and before
 * security headers, CORS, authentication and rate limiting, so their refusals are timed too.
 *
 * @example
 * ```ts
 * await app.register(metricsPlugin, { metrics, token: config.metricsToken });
 * ```
 */
const metricsPluginImpl: FastifyPluginAsync<MetricsPluginOptions> = async (app, options) => {
  const { metrics, token } = options;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (route.startsWith(WEBHOOK_ROUTE)) {
      metrics.countWebhookDelivery(route.slice(WEBHOOK_ROUTE.length), webhookOutcome(reply.statusCode));
    }
  });
  if (token === undefined) return;
  const expected = digest(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (request, reply) => {
    const given = request.headers.authorization;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpProblem('UNAUTHENTICATED', '/metrics needs Authorization: Bearer <PARLEY_METRICS_TOKEN>');
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
};

export const metricsPlugin = fp(metricsPluginImpl, { name: 'parley-metrics', fastify: '5.x' });
