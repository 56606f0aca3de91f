import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../plugins/authentication.js';

/** How long a ticket may wait between its issue and the connection that redeems it. */
export const TICKET_TTL_MS = 60_000;

/** A ticket as `POST /api/v1/realtime/ticket` answers it. */
export interface IssuedTicket {
  readonly ticket: string;
  readonly expiresAt: Date;
}

/** What a redeemed ticket stands for: the principal it was issued to and when their token expires. */
export interface RedeemedTicket {
  readonly principal: Principal;
  /** The bearer token's own `exp` (ms): a connection opened with the ticket closes then (4401). */
  readonly tokenExpiresAt: number;
}

export type TicketRefusal = 'malformed' | 'invalid' | 'expired' | 'used';

interface TicketPayload {
  /** Format version. */
  readonly v: 1;
  /** Random id: what single use is enforced on. */
  readonly j: string;
  readonly sub: string;
  readonly role: string;
  readonly tid: string | null;
  /** The ticket's expiry, ms. */
  readonly exp: number;
  /** The bearer token's expiry, ms. */
  readonly texp: number;
}

const TICKET = /^([A-Za-z0-9_-]{16,2048})\.([A-Za-z0-9_-]{43})$/;

/**
 * Single-use connection tickets for browsers, which cannot set an `Authorization` header on a
 * WebSocket: `issue` (behind a bearer-authenticated route) returns an opaque string valid 60 s,
 * `redeem` (at the upgrade, `?ticket=`) checks it once.
 *
 * Why signed and not stored: the browser's ticket request and its WebSocket may reach different
 * API instances behind a load balancer, so every instance must be able to check a ticket. The
 * ticket carries its principal and expiry, signed with HMAC-SHA256 under a key derived from the JWT
 * secret for this one purpose (so a ticket is never a valid bearer token, and is not a JWT: the
 * token itself never travels in a URL). Single use is enforced per instance (the ids redeemed in
 * the last 60 s, in memory); across instances a ticket could be replayed at most once per
 * instance within its minute, by someone who already holds a URL only its owner's browser saw —
 * the price of needing no shared table on the connect path. The redeemed connection is still
 * checked against the directory like any bearer request.
 *
 * @example
 * ```ts
 * const tickets = new RealtimeTickets(jwtSecret);
 * const { ticket } = tickets.issue(principal, tokenExpiresAt);
 * tickets.redeem(ticket); // { ok: true, … } once, then { ok: false, refusal: 'used' }
 * ```
 */
export class RealtimeTickets {
  readonly #key: Buffer;
  readonly #now: () => number;
  /** Redeemed ticket ids → their expiry (ms): forgotten once expired, as the ticket is dead by then. */
  readonly #used = new Map<string, number>();

  constructor(jwtSecret: string, now: () => number = Date.now) {
    this.#key = createHmac('sha256', jwtSecret).update('parley realtime ticket v1').digest();
    this.#now = now;
  }

  /** A new ticket for `principal`, valid `TICKET_TTL_MS` (never past the token's own expiry). */
  issue(principal: Principal, tokenExpiresAt: number): IssuedTicket {
    const exp = Math.min(this.#now() + TICKET_TTL_MS, tokenExpiresAt);
    const payload: TicketPayload = {
      v: 1,
      j: randomBytes(16).toString('base64url'),
      sub: principal.subject,
      role: principal.role,
      tid: principal.storeId,
      exp,
      texp: tokenExpiresAt,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { ticket: `${body}.${this.#sign(body)}`, expiresAt: new Date(exp) };
  }

  /** Checks a ticket and burns it; each ticket redeems once per instance, within its validity. */
  redeem(ticket: string): { ok: true; redeemed: RedeemedTicket } | { ok: false; refusal: TicketRefusal } {
    const match = TICKET.exec(ticket);
    if (!match?.[1] || !match[2]) return { ok: false, refusal: 'malformed' };
    const expected = Buffer.from(this.#sign(match[1]));
    const given = Buffer.from(match[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, refusal: 'invalid' };
    let payload: TicketPayload;
    try {
      payload = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as TicketPayload;
    } catch {
      return { ok: false, refusal: 'invalid' };
    }
    const now = this.#now();
    if (payload.v !== 1 || typeof payload.j !== 'string' || !(payload.exp > now))
      return { ok: false, refusal: payload.v === 1 ? 'expired' : 'invalid' };
    this.#forgetExpired(now);
    if (this.#used.has(payload.j)) return { ok: false, refusal: 'used' };
    this.#used.set(payload.j, payload.exp);
    return {
      ok: true,
      redeemed: {
        principal: { role: payload.role, subject: payload.sub, storeId: payload.tid },
        tokenExpiresAt: payload.texp,
      },
    };
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }

  #forgetExpired(now: number): void {
    // Redemption order is expiry order give or take a minute: stop at the first live one (a
    // straggler goes at a later call; an expired ticket is refused before this map is read).
    for (const [id, exp] of this.#used) {
      if (exp > now) break;
      this.#used.delete(id);
    }
  }
}
