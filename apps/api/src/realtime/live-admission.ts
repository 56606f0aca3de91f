import { type Actor, type ActorClaims, isMessagingError } from '@parley/messaging-core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { HttpProblem } from '../http-errors.js';
import { actorOf, type Principal, SERVICE_ROLE } from '../plugins/authentication.js';
import type { RealtimeHub } from './realtime-hub.js';
import type { RealtimeTickets } from './realtime-tickets.js';

/** Who a real-time connection is for, once admitted. */
export interface LiveAdmission {
  readonly viewer: Actor;
  readonly claims: ActorClaims;
  /** The bearer token's expiry (ms): the connection closes with 4401 then. */
  readonly tokenExpiresAt: number;
}

export interface AdmissionOptions {
  readonly hub: RealtimeHub;
  readonly tickets: RealtimeTickets;
  /** `PARLEY_CORS_ORIGINS`: the browser origins allowed besides the API's own. */
  readonly corsOrigins: readonly string[] | '*';
  readonly resolveActor: (claims: ActorClaims) => Promise<Actor>;
}

/** Query parameters that would put a bearer token in a URL (and so in logs and histories). */
const TOKEN_PARAMETERS = ['token', 'access_token', 'jwt', 'bearer'];

/**
 * Refuses a connect request carrying a token in its URL (400): browsers use a ticket, servers the
 * `Authorization` header. Run as an `onRequest` hook, before anything reads the token.
 */
export function refuseTokenInUrl(request: FastifyRequest): void {
  const query = request.query as Record<string, unknown> | undefined;
  const named = TOKEN_PARAMETERS.find((name) => query?.[name] !== undefined);
  if (named !== undefined)
    throw new HttpProblem(
      'VALIDATION',
      `a token never travels in a URL (${named}=…): send Authorization: Bearer, or get a ticket from POST /api/v1/realtime/ticket`,
      { field: named },
    );
}

/**
 * Whether a browser `Origin` may connect: one of `PARLEY_CORS_ORIGINS` (`*`: any), or the API's
 * own origin (the page it serves). No `Origin` header: a server client, allowed.
 */
export function originAllowed(request: FastifyRequest, corsOrigins: readonly string[] | '*'): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins === '*') return true;
  if (corsOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * Admits a real-time connect request (WebSocket upgrade or SSE), before anything is streamed:
 * checks the browser origin (403), authenticates by `?ticket=` (single use) or the
 * `Authorization: Bearer` header (401), refuses `service` tokens (403), checks the person against
 * the directory (403) and that the instance has room (503). Throws `HttpProblem`s, answered as
 * problem+json before any upgrade.
 */
export async function admit(
  app: FastifyInstance,
  request: FastifyRequest,
  options: AdmissionOptions,
  ticket: string | undefined,
): Promise<LiveAdmission> {
  if (!originAllowed(request, options.corsOrigins))
    throw new HttpProblem('FORBIDDEN', `origin ${request.headers.origin} may not connect`);
  let principal: Principal;
  let tokenExpiresAt: number;
  if (ticket !== undefined) {
    const redeemed = options.tickets.redeem(ticket);
    if (!redeemed.ok)
      throw new HttpProblem(
        'UNAUTHENTICATED',
        redeemed.refusal === 'used'
          ? 'the ticket was already used: get a new one'
          : redeemed.refusal === 'expired'
            ? 'the ticket has expired: get a new one'
            : 'the ticket is invalid',
      );
    ({ principal, tokenExpiresAt } = redeemed.redeemed);
  } else {
    ({ principal, tokenExpiresAt } = await bearer(app, request));
  }
  if (principal.role === SERVICE_ROLE)
    throw new HttpProblem('FORBIDDEN', 'real-time connections are for participant tokens, not service');
  const claims = actorOf(principal);
  let viewer: Actor;
  try {
    viewer = await options.resolveActor(claims);
  } catch (error) {
    if (isMessagingError(error) && error.code === 'FORBIDDEN')
      throw new HttpProblem('FORBIDDEN', error.message);
    throw error;
  }
  if (!options.hub.hasRoom())
    throw new HttpProblem(
      'NOT_READY',
      'this instance holds all the real-time connections it may: try another',
    );
  return { viewer, claims, tokenExpiresAt };
}

/** The request's verified bearer token: its principal and expiry (ms). */
export async function bearer(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<{ principal: Principal; tokenExpiresAt: number }> {
  const credentials = await app.credentials(request);
  if (!credentials.ok) throw credentials.problem;
  const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  // Verified above (signature and exp required): only the expiry is read again here.
  const exp = decodeJwt(token).exp ?? 0;
  return { principal: credentials.principal, tokenExpiresAt: exp * 1000 };
}
