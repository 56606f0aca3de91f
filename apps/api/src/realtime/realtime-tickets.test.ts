import { describe, expect, it } from 'vitest';
import { RealtimeTickets, TICKET_TTL_MS } from './realtime-tickets.js';

const principal = { role: 'customer', subject: 'c1', storeId: 's1' };
const SECRET = 'a-secret-of-at-least-thirty-two-characters!';

describe('RealtimeTickets', () => {
  it('redeems a ticket once, for its principal and the token expiry', () => {
    let now = 1_000_000;
    const tickets = new RealtimeTickets(SECRET, () => now);
    const { ticket, expiresAt } = tickets.issue(principal, now + 3_600_000);
    expect(expiresAt.getTime()).toBe(now + TICKET_TTL_MS);
    expect(ticket).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(tickets.redeem(ticket)).toEqual({
      ok: true,
      redeemed: { principal, tokenExpiresAt: now + 3_600_000 },
    });
    expect(tickets.redeem(ticket)).toEqual({ ok: false, refusal: 'used' });
    now += 1;
    const other = tickets.issue(principal, now + 3_600_000).ticket;
    expect(other).not.toBe(ticket);
  });

  it('refuses an expired, a forged, a foreign and a malformed ticket', () => {
    let now = 1_000_000;
    const tickets = new RealtimeTickets(SECRET, () => now);
    const { ticket } = tickets.issue(principal, now + 3_600_000);
    now += TICKET_TTL_MS;
    expect(tickets.redeem(ticket)).toEqual({ ok: false, refusal: 'expired' });
    now = 1_000_000;
    const [body = '', signature = ''] = ticket.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sub: 'c2' }),
    ).toString('base64url');
    expect(tickets.redeem(`${forged}.${signature}`)).toEqual({ ok: false, refusal: 'invalid' });
    const elsewhere = new RealtimeTickets('another-secret-of-thirty-two-characters!!', () => now);
    expect(elsewhere.redeem(ticket)).toEqual({ ok: false, refusal: 'invalid' });
    expect(tickets.redeem('eyJhbGciOiJIUzI1NiJ9.e30.abc')).toEqual({ ok: false, refusal: 'malformed' });
  });

  it('never outlives the token it was issued for', () => {
    const now = 1_000_000;
    const tickets = new RealtimeTickets(SECRET, () => now);
    expect(tickets.issue(principal, now + 5_000).expiresAt.getTime()).toBe(now + 5_000);
  });
});
