import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import { HttpProblem } from '../http-errors.js';
import { parseClientFrame } from './client-frames.js';
import { type AdmissionOptions, admit, type LiveAdmission, refuseTokenInUrl } from './live-admission.js';
import type { LiveConnection, LiveSink } from './live-connection.js';
import { errorFrame } from './realtime-hub.js';

export interface WebSocketTransportOptions extends AdmissionOptions {
  /** Largest client message in bytes (`PARLEY_REALTIME_MAX_FRAME_BYTES`); larger closes with 1009. */
  readonly maxFrameBytes: number;
  /** Ping every socket this often; one that did not answer the previous ping is terminated. */
  readonly heartbeatMs: number;
}

/** The connect query: a ticket (browsers) and where to resume. */
export const RealtimeQuery = Type.Object(
  {
    ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    since: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,20}$', description: 'The last event id received.' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * `GET /api/v1/realtime` upgraded to a WebSocket (`@fastify/websocket` over `ws`). Everything is
 * decided before the upgrade, so a refusal is an ordinary problem+json answer: a token in the URL
 * (400), a foreign `Origin` (403), no or a bad ticket / bearer token (401), a `service` token or a
 * person not in the directory (403), a full instance (503). Once open, the hub owns the
 * connection; this plugin turns socket messages into client frames (a bad one is an `error`
 * frame, never a close; a message over `maxFrameBytes` is a 1009 close by `ws`), pings every
 * socket every `heartbeatMs` and terminates those that missed the previous pong (their presence
 * then expires with the heartbeats rather than at once). A plain GET without the upgrade is a 400.
 *
 * @example
 * ```ts
 * await app.register(webSocketTransportPlugin, { hub, tickets, corsOrigins, resolveActor, maxFrameBytes: 4096, heartbeatMs: 25_000 });
 * ```
 */
const webSocketTransport: FastifyPluginAsync<WebSocketTransportOptions> = async (app, options) => {
  const { hub } = options;
  const admissions = new WeakMap<FastifyRequest, LiveAdmission>();
  const alive = new Map<WebSocket, { connection: LiveConnection; answered: boolean }>();
  await app.register(websocket, {
    options: { maxPayload: options.maxFrameBytes },
    // The hub closes its connections (1001) when the server closes; then the listener goes.
    preClose(done) {
      hub.stop().then(
        () => {
          for (const client of this.websocketServer.clients) client.terminate();
          this.websocketServer.close(() => done());
        },
        (error: unknown) => done(error as Error),
      );
    },
  });

  const heartbeat = setInterval(() => {
    for (const [socket, state] of alive) {
      if (!state.answered) {
        // No pong since the last ping: the peer is gone without a goodbye.
        alive.delete(socket);
        socket.terminate();
        hub.ended(state.connection, false);
        continue;
      }
      state.answered = false;
      socket.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  app.route({
    method: 'GET',
    url: '/api/v1/realtime',
    schema: { hide: true, querystring: RealtimeQuery },
    onRequest: async (request) => refuseTokenInUrl(request),
    preHandler: async (request) => {
      if (!request.ws)
        throw new HttpProblem('VALIDATION', 'GET /api/v1/realtime is a WebSocket: send an Upgrade request');
      const query = request.query as { ticket?: string };
      admissions.set(request, await admit(app, request, options, query.ticket));
    },
    handler: async () => {
      throw new HttpProblem('VALIDATION', 'GET /api/v1/realtime is a WebSocket: send an Upgrade request');
    },
    wsHandler: (socket, request) => {
      const admission = admissions.get(request);
      if (!admission) {
        socket.close(1011, 'not admitted');
        return;
      }
      const sink: LiveSink = {
        transport: 'websocket',
        send: (_frame, json) => {
          if (socket.readyState === socket.OPEN) socket.send(json);
        },
        close: (code, reason) => {
          alive.delete(socket);
          if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)
            socket.close(code, reason);
        },
        pending: () => socket.bufferedAmount,
      };
      const { since } = request.query as { since?: string };
      const connection = hub.open(admission.viewer, admission.claims, sink, {
        tokenExpiresAt: admission.tokenExpiresAt,
        ...(since === undefined ? {} : { since }),
      });
      if (connection.closed) return;
      const state = { connection, answered: true };
      alive.set(socket, state);
      socket.on('pong', () => {
        state.answered = true;
      });
      socket.on('message', (data, isBinary) => {
        state.answered = true;
        if (isBinary) {
          hub.sendEphemeral(connection, errorFrame('invalid_json', 'frames are JSON text, not binary'));
          return;
        }
        const parsed = parseClientFrame(data.toString('utf8'));
        if (!parsed.ok) {
          hub.sendEphemeral(connection, errorFrame(parsed.refusal.code, parsed.refusal.message));
          return;
        }
        hub.receive(connection, parsed.frame).then(
          (reply) => {
            if (reply) hub.sendEphemeral(connection, reply);
          },
          (error: unknown) => request.log.error({ err: error }, 'a real-time frame failed'),
        );
      });
      socket.on('close', (code) => {
        alive.delete(socket);
        // 1006: the connection dropped without a close frame — not a goodbye.
        hub.ended(connection, code !== 1006);
      });
    },
  });
};

export const webSocketTransportPlugin = fp(webSocketTransport, {
  name: 'parley-realtime-websocket',
  fastify: '5.x',
});
