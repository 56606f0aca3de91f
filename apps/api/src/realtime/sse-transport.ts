import { Socket } from 'node:net';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { participantKey } from '@parley/messaging-core';
import { Type } from 'typebox';
import { HttpProblem, type ProblemCode } from '../http-errors.js';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses, problemsExactly } from '../schemas/common.js';
import { ClientFrame } from './client-frames.js';
import { type AdmissionOptions, admit, refuseTokenInUrl } from './live-admission.js';
import type { LiveConnection, LiveSink, ServerFrame } from './live-connection.js';
import { RealtimeQuery } from './websocket-transport.js';

export interface SseTransportOptions extends AdmissionOptions {
  /** A comment line this often keeps proxies from closing an idle stream. */
  readonly heartbeatMs: number;
  /** Largest `POST /api/v1/realtime/frames` body in bytes (`PARLEY_REALTIME_MAX_FRAME_BYTES`). */
  readonly maxFrameBytes: number;
}

/** The SSE event of a frame: `id:` for durable ones, `event:` its type, `data:` its JSON. */
export function sseEvent(frame: ServerFrame, json: string): string {
  return `${frame.id === undefined ? '' : `id: ${frame.id}\n`}event: ${frame.type}\ndata: ${json}\n\n`;
}

/** How long shutdown waits for stream sockets to close after ending them. */
const SHUTDOWN_GRACE_MS = 500;

const PROBLEM_OF_ERROR: Readonly<Record<string, { code: ProblemCode; field?: string }>> = {
  rate_limited: { code: 'RATE_LIMITED' },
  unknown_event: { code: 'VALIDATION', field: 'event_id' },
  not_allowed: { code: 'NOT_FOUND', field: 'conversation_id' },
  conversation_closed: { code: 'CONVERSATION_CLOSED', field: 'conversation_id' },
};

/**
 * The Server-Sent Events fallback, for clients that cannot hold a WebSocket:
 * - `GET /api/v1/realtime/sse` (`?ticket=` or `Authorization: Bearer`; resume with the
 *   `Last-Event-ID` header or `?since=`) streams the same frames as the WebSocket as
 *   `text/event-stream`: durable ones with an `id:` line, `event:` the frame type, `data:` its
 *   JSON; a comment line every `heartbeatMs`. Admission as for the WebSocket (400/401/403/503).
 *   Where a WebSocket would get a close code, the stream gets a last `close` frame
 *   (`{ "type": "close", "code", "reason" }`) and ends.
 * - `POST /api/v1/realtime/frames` (bearer) takes one client frame (`typing`, `presence`, `ack`,
 *   `ping`) for the caller's SSE streams on this instance: 204, `{ "type": "pong" }` for a
 *   ping, or a problem (`ack` of an id none of their streams here received: 400; rate limit: 429;
 *   no stream of theirs on this instance: 409 — SSE clients behind a load balancer need sticky
 *   sessions for their POSTs).
 *
 * @example
 * ```ts
 * await app.register(sseTransportRoutes, { hub, tickets, corsOrigins, resolveActor, heartbeatMs: 25_000 });
 * ```
 */
export const sseTransportRoutes: FastifyPluginAsyncTypebox<SseTransportOptions> = async (app, options) => {
  const { hub } = options;
  const streams = new Set<{ write(text: string): void }>();
  const heartbeat = setInterval(() => {
    for (const stream of streams) stream.write(': heartbeat\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));
  // The sockets that carried a stream request: the server waits for every connection at
  // shutdown, and a client's keep-alive socket of a stream (ended, refused or given up) may never
  // be seen idle by it.
  const sockets = new Set<Socket>();
  // The hub ends every stream (a `close` frame; 1001 for WebSockets) first; then the sockets of
  // streams are ended too (after what was written is flushed).
  app.addHook('preClose', async () => {
    await hub.stop();
    if (sockets.size === 0) return;
    const closed = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    for (const socket of sockets) socket.end();
    // A client gone without a word never acknowledges the end: let it go after a short grace.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise((resolve) => {
        grace = setTimeout(resolve, SHUTDOWN_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    for (const socket of sockets) socket.destroy();
  });

  app.get(
    '/api/v1/realtime/sse',
    {
      onRequest: async (request) => {
        const socket = request.raw.socket;
        // `inject` requests have a stand-in socket: nothing to end at shutdown.
        if (socket instanceof Socket && !sockets.has(socket)) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
        }
        refuseTokenInUrl(request);
      },
      schema: {
        tags: ['Real-time'],
        operationId: 'realtimeEvents',
        summary: 'Live events as Server-Sent Events',
        description:
          'The WebSocket protocol of `GET /api/v1/realtime` as `text/event-stream` (see docs/realtime.md): durable events (`message.sent`, `conversation.read`, …) with an `id:` line, ephemeral `typing` / `presence` frames without one, `event:` naming the frame type and `data:` its JSON; a comment line as a heartbeat. Authenticate with `Authorization: Bearer` or `?ticket=` (from `POST /api/v1/realtime/ticket`; never a token in the URL). Resume with the `Last-Event-ID` header (or `?since=`): what you missed after it, then live, without gap or duplicate — or one `resync_required` frame when it is too old. Send typing, presence, acks and pings with `POST /api/v1/realtime/frames`.',
        security: [{ bearerAuth: [] }, {}],
        querystring: RealtimeQuery,
        headers: Type.Object({
          'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
        }),
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'The event stream (`text/event-stream`), open until either side ends it.',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...problemsExactly(400, 401, 403, 429, 500, 503),
        },
      },
    },
    async (request, reply) => {
      const admission = await admit(app, request, options, request.query.ticket);
      const since = request.headers['last-event-id'] ?? request.query.since;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
      const stream = { write: (text: string) => raw.write(text) };
      const sink: LiveSink = {
        transport: 'sse',
        send: (frame, json) => raw.write(sseEvent(frame, json)),
        close: (code, reason) => {
          streams.delete(stream);
          // SSE has no close code: say it in a last frame (4401: authenticate again; 1001, 1011,
          // 1013: reconnect with Last-Event-ID), then end the stream.
          if (!raw.writableEnded) {
            const frame = { type: 'close', code, reason };
            raw.end(sseEvent(frame, JSON.stringify(frame)));
          }
        },
        pending: () => raw.writableLength,
      };
      const connection = hub.open(admission.viewer, admission.claims, sink, {
        tokenExpiresAt: admission.tokenExpiresAt,
        ...(since === undefined ? {} : { since }),
      });
      if (connection.closed) return;
      streams.add(stream);
      // The response's close: it ended, or the client went away (the request's own 'close'
      // only says the request was read).
      raw.on('close', () => {
        streams.delete(stream);
        hub.ended(connection, true);
      });
    },
  );

  app.post(
    '/api/v1/realtime/frames',
    {
      onRequest: app.authenticateParticipant(),
      bodyLimit: options.maxFrameBytes,
      schema: {
        tags: ['Real-time'],
        operationId: 'sendRealtimeFrame',
        summary: 'Send a client frame from an SSE client',
        description:
          'One client frame — `typing`, `presence`, `ack` (of a `message.sent` event one of your SSE streams on this instance received) or `ping` — as a WebSocket client would send it. Needs an open `GET /api/v1/realtime/sse` stream of yours on the same instance (409 otherwise).',
        security: [{ bearerAuth: [] }],
        body: ClientFrame,
        response: {
          200: Type.Object({ type: Type.Literal('pong') }),
          204: { description: 'Taken.', type: 'null' },
          ...problemResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      const viewer = actorOfRequest(request);
      const connections = hub.connectionsOf(participantKey(viewer));
      if (connections.length === 0)
        throw new HttpProblem(
          'CONFLICT',
          'no real-time stream of yours is open on this instance: open GET /api/v1/realtime/sse first',
        );
      const frame = request.body;
      let target: LiveConnection =
        connections.find((c) => c.sink.transport === 'sse') ?? (connections[0] as LiveConnection);
      if (frame.type === 'ack') target = connections.find((c) => c.messageOf(frame.event_id)) ?? target;
      const answer = await hub.receive(target, frame);
      if (answer === null) return reply.code(204).send(null);
      if (answer.type === 'pong') return { type: 'pong' as const };
      const problem = PROBLEM_OF_ERROR[String(answer.code)] ?? { code: 'INTERNAL' as const };
      throw new HttpProblem(
        problem.code,
        String(answer.message),
        problem.field === undefined ? {} : { field: problem.field },
      );
    },
  );
};
