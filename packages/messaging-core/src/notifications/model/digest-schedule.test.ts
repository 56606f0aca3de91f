import { describe, expect, it } from 'vitest';
import { dueDigest, localTimeIn } from './digest-schedule.js';
import { isKnownTimeZone } from './notification-preferences.js';

const MINUTE = 60_000;

/** Every minute from `from` (inclusive) to `to` (exclusive): what a worker polling each minute sees. */
function* minutes(from: string, to: string): Generator<Date> {
  for (let t = Date.parse(from); t < Date.parse(to); t += MINUTE) yield new Date(t);
}

/** The distinct period keys a worker polling each minute would claim. */
function digestsClaimed(
  prefs: Parameters<typeof dueDigest>[0],
  from: string,
  to: string,
): { key: string; at: string }[] {
  const claimed = new Map<string, string>();
  for (const now of minutes(from, to)) {
    const due = dueDigest(prefs, now);
    if (due !== null && !claimed.has(`${due.period}:${due.periodStart}`))
      claimed.set(`${due.period}:${due.periodStart}`, now.toISOString());
  }
  return [...claimed].map(([key, at]) => ({ key, at }));
}

const paris = (digestHour: number) =>
  ({ emailFrequency: 'daily', timeZone: 'Europe/Paris', digestHour, digestWeekday: 7 }) as const;

describe('localTimeIn', () => {
  it('reads the wall clock of the zone, across both 2026 Paris transitions', () => {
    expect(localTimeIn(new Date('2026-03-29T00:59:00Z'), 'Europe/Paris')).toEqual({
      date: '2026-03-29',
      hour: 1,
      weekday: 7,
    });
    // 02:00 CET does not exist: one minute later it is 03:00 CEST.
    expect(localTimeIn(new Date('2026-03-29T01:00:00Z'), 'Europe/Paris').hour).toBe(3);
    // 02:00 happens twice on 2026-10-25: at 00:00Z (CEST) and at 01:00Z (CET).
    expect(localTimeIn(new Date('2026-10-25T00:00:00Z'), 'Europe/Paris').hour).toBe(2);
    expect(localTimeIn(new Date('2026-10-25T01:00:00Z'), 'Europe/Paris').hour).toBe(2);
    expect(localTimeIn(new Date('2026-10-24T22:30:00Z'), 'Europe/Paris')).toEqual({
      date: '2026-10-25',
      hour: 0,
      weekday: 7,
    });
    expect(localTimeIn(new Date('2026-01-01T00:00:00Z'), 'UTC')).toEqual({
      date: '2026-01-01',
      hour: 0,
      weekday: 4,
    });
  });
});

describe('dueDigest across daylight-saving changes (a worker polling every minute)', () => {
  it('spring forward (Paris, 2026-03-29): hour 2 does not exist, the digest goes once at 03:00', () => {
    expect(digestsClaimed(paris(2), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z')).toEqual([
      { key: 'daily:2026-03-29', at: '2026-03-29T01:00:00.000Z' },
    ]);
    expect(digestsClaimed(paris(3), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z')).toEqual([
      { key: 'daily:2026-03-29', at: '2026-03-29T01:00:00.000Z' },
    ]);
    expect(digestsClaimed(paris(1), '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z')).toEqual([
      { key: 'daily:2026-03-29', at: '2026-03-29T00:00:00.000Z' },
    ]);
  });

  it('fall back (Paris, 2026-10-25): hour 2 happens twice, the digest goes once, at the first', () => {
    expect(digestsClaimed(paris(2), '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z')).toEqual([
      { key: 'daily:2026-10-25', at: '2026-10-25T00:00:00.000Z' },
    ]);
    expect(digestsClaimed(paris(3), '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z')).toEqual([
      { key: 'daily:2026-10-25', at: '2026-10-25T02:00:00.000Z' },
    ]);
  });

  it('one daily digest per local day over a month with both kinds of days', () => {
    const march = digestsClaimed(paris(8), '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(march).toHaveLength(31);
    // 08:00 local: 07:00Z in winter, 06:00Z from the 29th.
    expect(march[27]).toEqual({ key: 'daily:2026-03-28', at: '2026-03-28T07:00:00.000Z' });
    expect(march[28]).toEqual({ key: 'daily:2026-03-29', at: '2026-03-29T06:00:00.000Z' });
  });

  it('weekly: once, on the chosen local weekday, at the chosen hour', () => {
    const weekly = {
      emailFrequency: 'weekly',
      timeZone: 'Europe/Paris',
      digestHour: 2,
      digestWeekday: 7,
    } as const;
    expect(digestsClaimed(weekly, '2026-10-19T00:00:00Z', '2026-11-02T00:00:00Z')).toEqual([
      { key: 'weekly:2026-10-25', at: '2026-10-25T00:00:00.000Z' },
      { key: 'weekly:2026-11-01', at: '2026-11-01T01:00:00.000Z' },
    ]);
  });

  it('starts with the next period when chosen after the digest hour', () => {
    const chosen = { ...paris(8), updatedAt: new Date('2026-06-01T18:00:00Z') };
    expect(dueDigest(chosen, new Date('2026-06-01T19:00:00Z'))).toBeNull();
    expect(dueDigest(chosen, new Date('2026-06-02T06:00:00Z'))).toEqual({
      period: 'daily',
      periodStart: '2026-06-02',
    });
    // Chosen before the hour: today's is due.
    expect(
      dueDigest(
        { ...paris(8), updatedAt: new Date('2026-06-01T05:00:00Z') },
        new Date('2026-06-01T06:00:00Z'),
      ),
    ).toEqual({ period: 'daily', periodStart: '2026-06-01' });
  });

  it('never for immediate or off', () => {
    for (const emailFrequency of ['immediate', 'off'] as const)
      expect(dueDigest({ ...paris(0), emailFrequency }, new Date('2026-06-01T12:00:00Z'))).toBeNull();
  });
});

describe('isKnownTimeZone', () => {
  it('accepts IANA names and refuses the rest', () => {
    for (const zone of ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata'])
      expect(isKnownTimeZone(zone)).toBe(true);
    for (const zone of ['Mars/Olympus', '+01:00', '', 'Europe/', 'europe paris', '../etc'])
      expect(isKnownTimeZone(zone)).toBe(false);
  });
});
