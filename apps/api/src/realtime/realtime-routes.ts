import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Actor, ParticipantRef, PresenceStatus } from '@parley/messaging-core';
import { Type } from 'typebox';
import { HttpProblem } from '../http-errors.js';
import { actorOfRequest } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import { PresenceWire, RealtimeTicketWire } from '../schemas/realtime.js';
import { bearer } from './live-admission.js';
import type { RealtimeTickets } from './realtime-tickets.js';

/** One person's presence as `GET /api/v1/presence` answers it. */
export interface PresenceEntry {
  readonly participant: ParticipantRef;
  readonly status: PresenceStatus;
  /** ISO 8601; null when never seen. */
  readonly lastActiveAt: string | null;
}

/** Where presence is read: the people among `refs` whose presence `viewer` may see, as they see it. */
export interface PresenceSource {
  presenceOf(viewer: Actor, refs: readonly ParticipantRef[]): Promise<PresenceEntry[]>;
}

export interface RealtimeRoutesOptions {
  readonly tickets: RealtimeTickets;
  readonly presence: PresenceSource;
}

/** Most people one presence request may name. */
export const MAX_PRESENCE_PARTICIPANTS = 100;

const PARTICIPANT = /^([^:,\s]{1,64}):([^,\s]{1,255})$/;

/**
 * The real-time HTTP routes beside the transports:
 * - `POST /api/v1/realtime/ticket` (participant bearer) → `{ ticket, expires_at }`: a single-use
 *   ticket valid 60 s for a browser's `?ticket=` (see `RealtimeTickets` for why it is signed);
 * - `GET /api/v1/presence?participants=type:id,…` (participant bearer, at most 100) → the
 *   presence of those who share a conversation with the caller, coarsened as the preset says;
 *   others are simply absent.
 *
 * @example
 * ```ts
 * await app.register(realtimeRoutes, { tickets, presence: signals });
 * ```
 */
export const realtimeRoutes: FastifyPluginAsyncTypebox<RealtimeRoutesOptions> = async (app, options) => {
  app.post(
    '/api/v1/realtime/ticket',
    {
      onRequest: app.authenticateParticipant(),
      schema: {
        tags: ['Real-time'],
        operationId: 'createRealtimeTicket',
        summary: 'A single-use ticket to connect from a browser',
        description:
          'Browsers cannot set an Authorization header on a WebSocket (nor on EventSource): get a ticket here with your bearer token, then connect to `wss://…/api/v1/realtime?ticket=…` (or `/api/v1/realtime/sse?ticket=…`) within 60 s. A ticket works once, on any instance, and the connection closes (4401) when the token it was issued for expires. A token itself is never accepted in a URL.',
        security: [{ bearerAuth: [] }],
        response: { 200: RealtimeTicketWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { principal, tokenExpiresAt } = await bearer(app, request);
      const { ticket, expiresAt } = options.tickets.issue(principal, tokenExpiresAt);
      return { ticket, expires_at: expiresAt.toISOString() };
    },
  );

  app.get(
    '/api/v1/presence',
    {
      onRequest: app.authenticateParticipant(),
      schema: {
        tags: ['Real-time'],
        operationId: 'getPresence',
        summary: 'Presence of people you share a conversation with',
        description: `\`participants\`: up to ${MAX_PRESENCE_PARTICIPANTS} \`type:id\` pairs, comma-separated. Answers \`online\`, \`away\` or \`offline\` with \`last_active_at\` for those who share an active conversation with you (as the preset shows them: care-team clinicians only as available or not); anyone else is simply absent from the answer.`,
        security: [{ bearerAuth: [] }],
        querystring: Type.Object({ participants: Type.String({ minLength: 1, maxLength: 40_000 }) }),
        response: { 200: PresenceWire, ...problemResponses() },
      },
    },
    async (request) => {
      const viewer = actorOfRequest(request);
      const refs: ParticipantRef[] = [];
      const seen = new Set<string>();
      for (const part of request.query.participants.split(',')) {
        const match = PARTICIPANT.exec(part.trim());
        if (!match?.[1] || !match[2])
          throw new HttpProblem('VALIDATION', 'participants must be type:id pairs, comma-separated', {
            field: 'participants',
          });
        const key = `${match[1]}:${match[2]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        refs.push({ type: match[1], id: match[2] });
      }
      if (refs.length > MAX_PRESENCE_PARTICIPANTS)
        throw new HttpProblem('VALIDATION', `at most ${MAX_PRESENCE_PARTICIPANTS} participants per request`, {
          field: 'participants',
        });
      const entries = await options.presence.presenceOf(viewer, refs);
      return {
        presence: entries.map((entry) => ({
          participant: { type: entry.participant.type, id: entry.participant.id },
          status: entry.status,
          last_active_at: entry.lastActiveAt,
        })),
      };
    },
  );
};
