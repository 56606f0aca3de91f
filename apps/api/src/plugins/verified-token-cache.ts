import { LRUCache } from 'lru-cache';
import type { Principal } from './authentication.js';

/** Seconds a token stays accepted past its `exp`, as `jwtVerify` is told (clock skew between hosts). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Bearer tokens this process has already verified, with their principal, until their `exp`.
 *
 * An HS256 check costs a WebCrypto HMAC and a JSON parse per request; a client sends the same token
 * for hours, so the second request on it is answered from here. Only tokens that passed the full
 * check are kept (a forged token never enters, so it cannot evict real ones), keyed by the token's
 * exact text, and an entry is never served past `exp` plus the clock tolerance. The directory check
 * (`resolveActor`) is not cached here: it still runs per request, so a removed person is refused at once.
 *
 * @example
 * ```ts
 * const cache = new VerifiedTokenCache({ max: 10_000 });
 * cache.remember(token, principal, payload.exp);
 * cache.recall(token, new Date()); // the principal, until exp + 5 s
 * ```
 */
export class VerifiedTokenCache {
  readonly #entries: LRUCache<string, { readonly principal: Principal; readonly until: number }>;

  constructor(options: { readonly max?: number } = {}) {
    this.#entries = new LRUCache({ max: options.max ?? 10_000 });
  }

  /** The principal of `token` if it was verified and has not expired at `now`. */
  recall(token: string, now: Date): Principal | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (now.getTime() >= entry.until) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /** Keeps a verified token's principal until `exp` (seconds since the epoch) plus the tolerance. */
  remember(token: string, principal: Principal, exp: number): void {
    this.#entries.set(token, { principal, until: (exp + CLOCK_TOLERANCE_SECONDS) * 1000 });
  }

  /** How many tokens are held (metrics and tests). */
  get size(): number {
    return this.#entries.size;
  }
}
