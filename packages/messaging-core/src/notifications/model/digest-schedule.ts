import type { NotificationPreferences } from './notification-preferences.js';

/** The digests Parley sends: one a day, or one a week. */
export type DigestPeriod = 'daily' | 'weekly';

/** A wall-clock reading in a time zone. */
export interface LocalTime {
  /** The local calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  /** The local hour, 0–23. */
  readonly hour: number;
  /** The local ISO weekday, 1 Monday … 7 Sunday. */
  readonly weekday: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// One formatter per zone: building one costs far more than formatting with it.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * What a clock on the wall in `zone` shows at `instant`. The runtime's Intl (ICU) holds the
 * zone's rules, daylight-saving changes included, so no time zone library is needed: Parley only
 * ever asks "what local date and hour is it now", never the reverse (which is where DST gaps and
 * overlaps make arithmetic hard).
 *
 * @example
 * ```ts
 * localTimeIn(new Date('2026-03-29T01:00:00Z'), 'Europe/Paris'); // { date: '2026-03-29', hour: 3, weekday: 7 }
 * ```
 */
export function localTimeIn(instant: Date, zone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour) % 24,
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** A digest owed: its period and the local date that period started on (its key, with the person). */
export interface DueDigest {
  readonly period: DigestPeriod;
  /** `YYYY-MM-DD` in the person's zone: the day of a daily digest, the chosen weekday of a weekly one. */
  readonly periodStart: string;
}

/**
 * The digest `preferences` make due at `now`, or null. A daily digest is due from the first
 * moment the local hour is `digestHour` or later, for the rest of that local day; a weekly one the
 * same, on the local `digestWeekday`. The period is named by its local date, and a digest is sent
 * at most once per (person, period, date) — so a worker that checks every minute sends one digest
 * a day whatever the clocks do: on a spring-forward day an hour that does not exist (02:00 in
 * Paris on 2026-03-29) is passed over and the digest goes at the first hour after it; on a
 * fall-back day the repeated hour finds the date already sent.
 *
 * A period whose digest hour had already come when the preferences were saved (`updatedAt`) is
 * not due: choosing a digest at 20:00 with hour 8 starts with tomorrow's, not one at once.
 *
 * @example
 * ```ts
 * dueDigest({ ...prefs, emailFrequency: 'daily', timeZone: 'Europe/Paris', digestHour: 8 }, new Date('2026-06-01T06:30:00Z'));
 * // { period: 'daily', periodStart: '2026-06-01' }
 * ```
 */
export function dueDigest(
  preferences: Pick<
    NotificationPreferences,
    'emailFrequency' | 'timeZone' | 'digestHour' | 'digestWeekday'
  > & {
    readonly updatedAt?: Date | null;
  },
  now: Date,
): DueDigest | null {
  const { emailFrequency } = preferences;
  if (emailFrequency !== 'daily' && emailFrequency !== 'weekly') return null;
  const local = localTimeIn(now, preferences.timeZone);
  if (local.hour < preferences.digestHour) return null;
  if (emailFrequency === 'weekly' && local.weekday !== preferences.digestWeekday) return null;
  const saved = preferences.updatedAt;
  if (saved !== undefined && saved !== null) {
    const then = localTimeIn(saved, preferences.timeZone);
    if (then.date === local.date && then.hour >= preferences.digestHour) return null;
  }
  return { period: emailFrequency, periodStart: local.date };
}
