import { type Actor, type ActorClaims, isMessagingError } from '@parley/messaging-core';
import type { FastifyPluginAsync, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { HttpProblem } from '../http-errors.js';

/** Token roles: the three participant types, plus `service` for the host platform's back end. */
export const ROLES = ['admin', 'store', 'customer', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Who a verified token speaks for. */
export interface Principal {
  readonly role: Role;
  /** The `sub` claim: the participant's platform id. */
  readonly subject: string;
  /** The `store_id` claim: set for `store` and `customer`, null otherwise. */
  readonly storeId: string | null;
}

/** The outcome of reading a request's bearer token (memoized per request). */
export type Credentials =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly problem: HttpProblem };

const ALGORITHM = 'HS256';
const MAX_ID_LENGTH = 255;

/** The HMAC key for a shared secret string (its UTF-8 bytes, as the issuing platform uses it). */
export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

function unauthenticated(detail: string, cause?: unknown): Credentials {
  return {
    ok: false,
    problem: new HttpProblem('UNAUTHENTICATED', detail, cause === undefined ? {} : { cause }),
  };
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/**
 * Verifies an `Authorization` header value: `Bearer <JWT>`, HS256 with `key`, claims `sub`,
 * `role`, `store_id` (for `store` and `customer`) and `exp` (required and honoured).
 *
 * @example
 * ```ts
 * const credentials = await verifyAuthorization(request.headers.authorization, secretKey(secret));
 * if (credentials.ok) credentials.principal.role; // "store"
 * ```
 */
export async function verifyAuthorization(
  header: string | undefined,
  key: Uint8Array,
  now: () => Date = () => new Date(),
): Promise<Credentials> {
  if (header === undefined || header.trim() === '') {
    return unauthenticated('an Authorization: Bearer <token> header is required');
  }
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return unauthenticated('the Authorization header must be "Bearer <JWT>"');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(match[1], key, {
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: 5,
      currentDate: now(),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return unauthenticated('the token has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      return unauthenticated(`the token is invalid: claim ${error.claim} ${error.reason}`);
    }
    return unauthenticated('the token is invalid (malformed or not signed with the shared secret)');
  }
  const { sub, role, store_id: storeId } = payload;
  if (!isId(sub)) return unauthenticated('the token has no valid sub claim');
  if (!(ROLES as readonly unknown[]).includes(role)) {
    return unauthenticated(`the token's role claim must be one of ${ROLES.join(', ')}`);
  }
  const tenantBound = role === 'store' || role === 'customer';
  if (tenantBound && !isId(storeId)) {
    return unauthenticated(`a ${String(role)} token needs a store_id claim`);
  }
  return {
    ok: true,
    principal: { role: role as Role, subject: sub, storeId: tenantBound ? (storeId as string) : null },
  };
}

/** Claims of a token to issue (demo tokens, tests). */
export interface TokenClaims {
  readonly sub: string;
  readonly role: Role;
  readonly storeId?: string;
  /** Lifetime in seconds (default 12 hours). */
  readonly expiresInSeconds?: number;
  /** Issue time (default now). */
  readonly issuedAt?: Date;
}

/**
 * Signs a token the way the host platform does. Parley never issues tokens in production; this
 * serves the demo seed and tests.
 *
 * @example
 * ```ts
 * const token = await issueToken(secretKey(secret), { sub: 'u1', role: 'store', storeId: 's1' });
 * ```
 */
export async function issueToken(key: Uint8Array, claims: TokenClaims): Promise<string> {
  const issuedAt = Math.floor((claims.issuedAt ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({ role: claims.role, ...(claims.storeId ? { store_id: claims.storeId } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (claims.expiresInSeconds ?? 12 * 3600));
  return jwt.sign(key);
}

/** The core's actor for a participant principal (`service` is not a participant). */
export function actorOf(principal: Principal): Actor {
  return { type: principal.role, id: principal.subject, storeId: principal.storeId };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate(role)` once the token is verified and checked. */
    principal: Principal | null;
    /** The core's actor for a participant token (null for `service`), with its display name. */
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** An `onRequest` hook admitting only verified tokens of `role` (401 / 403 otherwise). */
    authenticate(role: Role): onRequestAsyncHookHandler;
    /** The request's verified credentials, computed once per request (also used for rate-limit keys). */
    credentials(request: FastifyRequest): Promise<Credentials>;
  }
}

export interface AuthPluginOptions {
  /** HMAC key of the shared secret (`secretKey(config.jwtSecret)`). */
  readonly key: Uint8Array;
  /**
   * Checks a participant's claims against the directory (`core.resolveActor`): the subject must
   * exist with that role, in the token's store. A refusal becomes 403.
   */
  readonly resolveActor: (claims: ActorClaims) => Promise<Actor>;
  readonly now?: () => Date;
}

/**
 * Bearer authentication: decorates `request.principal`, `app.credentials(request)` and
 * `app.authenticate(role)`. Registered after security headers and CORS, so a 401 or 403 carries
 * them, and before rate limiting, whose budget `app.credentials` keys.
 *
 * @example
 * ```ts
 * await app.register(authPlugin, { key, resolveActor: core.resolveActor });
 * app.addHook('onRequest', app.authenticate('admin'));
 * ```
 */
const auth: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  const memo = new WeakMap<FastifyRequest, Promise<Credentials>>();
  const credentials = (request: FastifyRequest): Promise<Credentials> => {
    let found = memo.get(request);
    if (!found) {
      found = verifyAuthorization(request.headers.authorization, options.key, options.now);
      memo.set(request, found);
    }
    return found;
  };
  app.decorateRequest('principal', null);
  app.decorateRequest('actor', null);
  app.decorate('credentials', credentials);
  app.decorate('authenticate', (role: Role): onRequestAsyncHookHandler => {
    return async (request, reply) => {
      const result = await credentials(request);
      if (!result.ok) {
        reply.header('www-authenticate', 'Bearer');
        throw result.problem;
      }
      const { principal } = result;
      if (principal.role !== role) {
        throw new HttpProblem('FORBIDDEN', `these routes are for ${role} tokens, not ${principal.role}`);
      }
      if (principal.role !== 'service') {
        try {
          request.actor = await options.resolveActor(actorOf(principal));
        } catch (error) {
          if (isMessagingError(error) && error.code === 'FORBIDDEN')
            throw new HttpProblem('FORBIDDEN', error.message);
          throw error;
        }
      }
      request.principal = principal;
    };
  });
};

export const authPlugin = fp(auth, { name: 'parley-auth', fastify: '5.x' });

/** The verified principal of a request that passed `authenticate` (throws if it did not). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HttpProblem('UNAUTHENTICATED', 'the request is not authenticated');
  return request.principal;
}

/** The checked actor of a participant request that passed `authenticate` (throws if there is none). */
export function actorOfRequest(request: FastifyRequest): Actor {
  if (!request.actor) throw new HttpProblem('UNAUTHENTICATED', 'the request is not authenticated');
  return request.actor;
}
