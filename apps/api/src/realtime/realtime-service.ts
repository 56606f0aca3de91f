import type {
  Actor,
  ActorClaims,
  EventLog,
  EventPosition,
  LiveDelivery,
  LiveFeed,
} from '@parley/messaging-core';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { ParleyMetrics } from '../plugins/metrics.js';
import type { ServerFrame } from './live-connection.js';
import {
  type DeliveredEntry,
  type EphemeralRelay,
  RealtimeHub,
  type RealtimeHubDependencies,
  type RealtimeHubSettings,
} from './realtime-hub.js';
import { type PresenceSource, realtimeRoutes } from './realtime-routes.js';
import { RealtimeTickets } from './realtime-tickets.js';
import { sseTransportRoutes } from './sse-transport.js';
import { webSocketTransportPlugin } from './websocket-transport.js';

/** Where the log ends now: from a dispatcher's cursor (cheap) when there is one, read forward to the end. */
export async function logEnd(
  events: Pick<EventLog, 'read' | 'loadCursor'>,
  cursorName = 'email_notifications',
): Promise<EventPosition> {
  let at: EventPosition = (await events.loadCursor(cursorName)) ?? { xid: '0', id: '0' };
  for (;;) {
    const batch = await events.read(at, 5_000);
    const last = batch.events.at(-1);
    if (!last) return at;
    at = last.position;
  }
}

/** Everything real-time delivery needs from the rest of the API. */
export interface RealtimeDependencies {
  readonly feed: LiveFeed;
  readonly toFrame: (delivery: LiveDelivery) => ServerFrame;
  readonly startPosition: () => Promise<EventPosition>;
  readonly resolveActor: (claims: ActorClaims) => Promise<Actor>;
  readonly markDelivered?: (entries: DeliveredEntry[]) => Promise<unknown>;
  /** The HS256 secret: tickets are signed under a key derived from it. */
  readonly jwtSecret: string;
  readonly metrics?: Pick<ParleyMetrics, 'countRealtimeConnection' | 'countRealtimeFrames'>;
  readonly logger: {
    error(object: object, message: string): void;
    warn(object: object, message: string): void;
  };
  /** Builds typing and presence over the hub (absent: neither is relayed, presence is empty). */
  readonly signals?: (hub: RealtimeHub) => EphemeralRelay & PresenceSource;
  /** Sees every event the tail reads (`RealtimeHubDependencies.onEventsRead`). */
  readonly onEventsRead?: RealtimeHubDependencies['onEventsRead'];
}

export interface RealtimeSettings extends Partial<RealtimeHubSettings> {
  /** WebSocket ping and SSE comment interval. */
  readonly heartbeatMs: number;
  /** Largest client frame in bytes. */
  readonly maxFrameBytes: number;
}

/** Real-time delivery of one instance: the hub, the tickets, typing and presence. */
export interface Realtime {
  readonly hub: RealtimeHub;
  readonly tickets: RealtimeTickets;
  readonly presence: PresenceSource;
  readonly settings: RealtimeSettings;
  /** Open connections on this instance. */
  connections(): number;
  /** Finds the log's end and starts the tail. */
  start(): Promise<void>;
  /** Closes every connection (1001), says goodbye to the other instances, stops the tail. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Builds one instance's real-time delivery: the hub (the log's tail and the connections), the
 * ticket issuer and, when `signals` is given, typing and presence. Nothing runs until `start`.
 *
 * @example
 * ```ts
 * const realtime = createRealtime({ feed, toFrame, startPosition: () => logEnd(store.events), resolveActor: core.resolveActor, jwtSecret, logger }, settings);
 * await realtime.start();
 * await buildServer({ ...deps, realtime }, options);
 * ```
 */
export function createRealtime(deps: RealtimeDependencies, settings: RealtimeSettings): Realtime {
  const hub = new RealtimeHub(
    {
      feed: deps.feed,
      toFrame: deps.toFrame,
      startPosition: deps.startPosition,
      resolveActor: deps.resolveActor,
      ...(deps.markDelivered ? { markDelivered: deps.markDelivered } : {}),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.onEventsRead ? { onEventsRead: deps.onEventsRead } : {}),
      logger: deps.logger,
    },
    settings,
  );
  const signals = deps.signals?.(hub);
  if (signals) hub.attachRelay(signals);
  const presence: PresenceSource = signals ?? { presenceOf: async () => [] };
  return {
    hub,
    tickets: new RealtimeTickets(deps.jwtSecret),
    presence,
    settings,
    connections: () => hub.size,
    start: () => hub.start(),
    stop: () => hub.stop(),
  };
}

export interface RealtimePluginOptions {
  readonly realtime: Realtime;
  readonly corsOrigins: readonly string[] | '*';
  readonly resolveActor: (claims: ActorClaims) => Promise<Actor>;
}

/**
 * The real-time routes: the WebSocket (`GET /api/v1/realtime`), the SSE fallback and its frames
 * route, tickets and presence. Registered after authentication and rate limiting (it uses
 * `app.credentials` and `authenticateParticipant`).
 *
 * @example
 * ```ts
 * await app.register(realtimePlugin, { realtime, corsOrigins, resolveActor: core.resolveActor });
 * ```
 */
const realtimeConcern: FastifyPluginAsync<RealtimePluginOptions> = async (app, options) => {
  const { realtime } = options;
  const admission = {
    hub: realtime.hub,
    tickets: realtime.tickets,
    corsOrigins: options.corsOrigins,
    resolveActor: options.resolveActor,
  };
  await app.register(webSocketTransportPlugin, {
    ...admission,
    maxFrameBytes: realtime.settings.maxFrameBytes,
    heartbeatMs: realtime.settings.heartbeatMs,
  });
  await app.register(sseTransportRoutes, {
    ...admission,
    heartbeatMs: realtime.settings.heartbeatMs,
    maxFrameBytes: realtime.settings.maxFrameBytes,
  });
  await app.register(realtimeRoutes, { tickets: realtime.tickets, presence: realtime.presence });
};

export const realtimePlugin = fp(realtimeConcern, { name: 'parley-realtime', fastify: '5.x' });
