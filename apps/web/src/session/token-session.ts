/** The `sessionStorage` key the inbox keeps its bearer token under (this tab only). */
export const TOKEN_STORAGE_KEY = 'parley.inbox.token';

/** What `takeToken` touches of the browser, so it runs (and is tested) without one. */
export interface TokenSessionHost {
  readonly location: { readonly pathname: string; readonly search: string; readonly hash: string };
  readonly history: { replaceState(data: unknown, unused: string, url: string): void };
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/**
 * The bearer token this tab signs in with. A token in the fragment (`#token=<JWT>`) wins: it is
 * kept in `sessionStorage` and the fragment leaves the address bar at once (`replaceState`), so
 * it is neither bookmarked nor shared by copy; a fragment never reaches a server or its logs.
 * Otherwise the token kept earlier in this tab, or null. Side effects: storage and history.
 */
export function takeToken(host: TokenSessionHost): string | null {
  const params = new URLSearchParams(host.location.hash.replace(/^#/, ''));
  const given = params.get('token');
  if (given) {
    host.storage.setItem(TOKEN_STORAGE_KEY, given);
    params.delete('token');
    const rest = params.toString();
    host.history.replaceState(
      null,
      '',
      `${host.location.pathname}${host.location.search}${rest ? `#${rest}` : ''}`,
    );
    return given;
  }
  return host.storage.getItem(TOKEN_STORAGE_KEY);
}

/** Forgets this tab's token (it expired or was refused). Side effect: storage. */
export function forgetToken(host: Pick<TokenSessionHost, 'storage'>): void {
  host.storage.removeItem(TOKEN_STORAGE_KEY);
}

/** The claims the inbox reads from a token, unverified: only to pick views; the API decides. */
export interface TokenClaims {
  readonly sub: string;
  readonly role: string;
  /** Seconds since the epoch. */
  readonly exp?: number;
  /** The tenant the token names (`tenant_id`, or `store_id` as marketplace clients send it), or null. */
  readonly tenant: string | null;
}

/** The token's payload (base64url JSON), or null when it is not a JWT the inbox can read. Pure. */
export function readClaims(token: string): TokenClaims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as Partial<Omit<TokenClaims, 'tenant'>> & {
      tenant_id?: unknown;
      store_id?: unknown;
    };
    const tenant = claims.tenant_id ?? claims.store_id;
    return typeof claims.sub === 'string' && typeof claims.role === 'string'
      ? {
          sub: claims.sub,
          role: claims.role,
          ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}),
          tenant: typeof tenant === 'string' ? tenant : null,
        }
      : null;
  } catch {
    return null;
  }
}
