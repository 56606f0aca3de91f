import {
  type AccessPolicy,
  type Actor,
  type ActorClaims,
  isMessagingError,
  marketplacePolicy,
  type PlatformCapability,
  type RequestOrigin,
} from '@parley/messaging-core';
import type { FastifyPluginAsync, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { HttpProblem } from '../http-errors.js';
import { CLOCK_TOLERANCE_SECONDS, VerifiedTokenCache } from './verified-token-cache.js';

/** The token role of the host platform's back end (not a participant). */
export const SERVICE_ROLE = 'service';

/** Token roles: the policy's participant types, plus `service` for the host platform's back end. */
export function tokenRoles(policy: AccessPolicy): readonly string[] {
  return [...policy.participantTypes, SERVICE_ROLE];
}

/** The marketplace's token roles: admin, store, customer and service. */
export const ROLES: readonly string[] = tokenRoles(marketplacePolicy);
/** A token role: one of the policy's participant types, or `service`. */
export type Role = string;

/** Who a verified token speaks for. */
export interface Principal {
  readonly role: Role;
  /** The `sub` claim: the participant's platform id. */
  readonly subject: string;
  /** The tenant (`tenant_id` or `store_id` claim): set for the policy's tenant-bound types, null otherwise. */
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
 * `role` (a participant type of `policy`, or `service`), the tenant for the policy's tenant-bound
 * types (`store` and `customer` in the marketplace) as `tenant_id` or, for marketplace clients,
 * `store_id` (both: they must agree), and `exp` (required and honoured).
 *
 * @example
 * ```ts
 * const credentials = await verifyAuthorization(request.headers.authorization, secretKey(secret));
 * if (credentials.ok) credentials.principal.role; // "store"
 * ```
 *
 * With a `cache`, a token verified before (and not yet expired) skips the signature check, and a
 * newly verified one is remembered.
 */
export async function verifyAuthorization(
  header: string | undefined,
  key: Uint8Array,
  now: () => Date = () => new Date(),
  policy: AccessPolicy = marketplacePolicy,
  cache?: VerifiedTokenCache,
): Promise<Credentials> {
  if (header === undefined || header.trim() === '') {
    return unauthenticated('an Authorization: Bearer <token> header is required');
  }
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
  const token = match?.[1];
  if (!token) return unauthenticated('the Authorization header must be "Bearer <JWT>"');
  const at = now();
  const known = cache?.recall(token, at);
  if (known) return { ok: true, principal: known };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: at,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return unauthenticated('the token has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      return unauthenticated(`the token is invalid: claim ${error.claim} ${error.reason}`);
    }
    return unauthenticated('the token is invalid (malformed or not signed with the shared secret)');
  }
  const { sub, role, tenant_id: tenantClaim, store_id: storeClaim } = payload;
  if (!isId(sub)) return unauthenticated('the token has no valid sub claim');
  const roles = tokenRoles(policy);
  if (typeof role !== 'string' || !roles.includes(role)) {
    return unauthenticated(`the token's role claim must be one of ${roles.join(', ')}`);
  }
  const admitted = (principal: Principal): Credentials => {
    if (typeof payload.exp === 'number') cache?.remember(token, principal, payload.exp);
    return { ok: true, principal };
  };
  const tenantBound = policy.isTenantBound(role);
  if (!tenantBound) return admitted({ role, subject: sub, storeId: null });
  // `tenant_id` is the claim's name for every preset; marketplace clients keep sending `store_id`.
  if (tenantClaim != null && storeClaim != null && tenantClaim !== storeClaim) {
    return unauthenticated('the token names two tenants: tenant_id and store_id differ');
  }
  const tenantId = tenantClaim ?? storeClaim;
  if (!isId(tenantId)) {
    return unauthenticated(`a ${String(role)} token needs a tenant_id (or store_id) claim`);
  }
  return admitted({ role, subject: sub, storeId: tenantId });
}

/** The claim naming a token's tenant: `tenant_id`, or `store_id` as marketplace clients send it. */
export type TenantClaim = 'tenant_id' | 'store_id';

/** Claims of a token to issue (demo tokens, tests). */
export interface TokenClaims {
  readonly sub: string;
  readonly role: Role;
  /** The tenant, as the `store_id` claim (marketplace clients). */
  readonly storeId?: string;
  /** The tenant, as the `tenant_id` claim. */
  readonly tenantId?: string;
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
  const jwt = new SignJWT({
    role: claims.role,
    ...(claims.tenantId ? { tenant_id: claims.tenantId } : {}),
    ...(claims.storeId ? { store_id: claims.storeId } : {}),
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (claims.expiresInSeconds ?? 12 * 3600));
  return jwt.sign(key);
}

/** The core's actor for a participant principal (`service` is not a participant). */
export function actorOf(principal: Principal): Actor {
  return { type: principal.role, id: principal.subject, tenantId: principal.storeId };
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
    /**
     * An `onRequest` hook admitting a verified token of any of the policy's participant types,
     * checked against the directory like `authenticate`; `service` is a 403.
     */
    authenticateParticipant(): onRequestAsyncHookHandler;
    /**
     * An `onRequest` hook admitting verified participant tokens whose type the policy may grant
     * `capability` (401 / 403 otherwise); each use case still asks the policy for its own tenant.
     */
    authorize(capability: PlatformCapability): onRequestAsyncHookHandler;
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
  /** Which token roles exist, which carry a tenant, who holds which capability; defaults to the marketplace. */
  readonly policy?: AccessPolicy;
  readonly now?: () => Date;
  /**
   * Verified tokens kept per process until their `exp` (default: a cache of 10,000 tokens; pass
   * `false` to verify every request's signature).
   */
  readonly tokenCache?: VerifiedTokenCache | false;
}

/**
 * Bearer authentication: decorates `request.principal`, `app.credentials(request)`,
 * `app.authenticate(role)`, `app.authenticateParticipant()` and `app.authorize(capability)`.
 * Registered after security headers and CORS, so a 401 or 403 carries them, and before rate
 * limiting, whose budget `app.credentials` keys.
 *
 * @example
 * ```ts
 * await app.register(authPlugin, { key, resolveActor: core.resolveActor });
 * app.addHook('onRequest', app.authenticate('admin'));
 * ```
 */
const auth: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  const policy = options.policy ?? marketplacePolicy;
  const memo = new WeakMap<FastifyRequest, Promise<Credentials>>();
  const tokenCache =
    options.tokenCache === false ? undefined : (options.tokenCache ?? new VerifiedTokenCache());
  const credentials = (request: FastifyRequest): Promise<Credentials> => {
    let found = memo.get(request);
    if (!found) {
      found = verifyAuthorization(
        request.headers.authorization,
        options.key,
        options.now,
        policy,
        tokenCache,
      );
      memo.set(request, found);
    }
    return found;
  };
  app.decorateRequest('principal', null);
  app.decorateRequest('actor', null);
  app.decorate('credentials', credentials);
  /** Admits a verified token of one of `roles` and resolves its actor (participants only). */
  const admit = (roles: readonly string[]): onRequestAsyncHookHandler => {
    return async (request, reply) => {
      const result = await credentials(request);
      if (!result.ok) {
        reply.header('www-authenticate', 'Bearer');
        throw result.problem;
      }
      const { principal } = result;
      if (!roles.includes(principal.role)) {
        throw new HttpProblem(
          'FORBIDDEN',
          roles.length === 0
            ? 'no token may use these routes'
            : `these routes are for ${roles.join(' or ')} tokens, not ${principal.role}`,
        );
      }
      if (principal.role !== SERVICE_ROLE) {
        try {
          request.actor = withOrigin(await options.resolveActor(actorOf(principal)), request, principal.role);
        } catch (error) {
          if (isMessagingError(error) && error.code === 'FORBIDDEN')
            throw new HttpProblem('FORBIDDEN', error.message);
          throw error;
        }
      }
      request.principal = principal;
    };
  };
  app.decorate('authenticate', (role: Role): onRequestAsyncHookHandler => admit([role]));
  app.decorate(
    'authorize',
    (capability: PlatformCapability): onRequestAsyncHookHandler =>
      admit(policy.participantTypes.filter((type) => policy.mayEver(type, capability))),
  );
  app.decorate('authenticateParticipant', (): onRequestAsyncHookHandler => {
    const participant = admit(policy.participantTypes);
    return async function participantOnly(request, reply) {
      const result = await credentials(request);
      if (result.ok && result.principal.role === 'service') {
        throw new HttpProblem('FORBIDDEN', 'these routes are for participant tokens, not service');
      }
      await participant.call(this, request, reply);
    };
  });
};

export const authPlugin = fp(auth, { name: 'parley-auth', fastify: '5.x' });

/** Longest `User-Agent` the audit log keeps. */
const USER_AGENT_MAX = 512;

/**
 * The actor with the request it acts in (id, address, user agent, token role): what the audit log
 * records for the changes it makes. A copy: the resolved actor may be shared (cached).
 */
export function withOrigin(actor: Actor, request: FastifyRequest, role: string): Actor {
  return { ...actor, origin: requestOrigin(request, role) };
}

/** The request as the audit log records it: id, address, user agent (cut), the token role. */
export function requestOrigin(request: FastifyRequest, role: string): RequestOrigin {
  const agent = request.headers['user-agent'];
  return {
    requestId: request.id,
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' && agent !== '' ? agent.slice(0, USER_AGENT_MAX) : null,
    actorRole: role,
  };
}

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
