import { MessagingError } from '../../kernel/errors.js';
import type { ParticipantRef } from '../../kernel/model/participant-ref.js';

/**
 * How a person wants email about their conversations: `immediate` (a notification per new
 * message, batched by the notification window — the default), a `daily` or `weekly` digest of
 * what is unread, or `off` (no email about conversations at all).
 */
export const EMAIL_FREQUENCIES = ['immediate', 'daily', 'weekly', 'off'] as const;

export type EmailFrequency = (typeof EMAIL_FREQUENCIES)[number];

/** Weekday numbers as ISO 8601 counts them: 1 Monday … 7 Sunday. */
export const ISO_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/**
 * A person's global notification preferences. Per-conversation preferences (email on/off, mute)
 * still apply on top: a muted conversation, or one with email off, is neither emailed at once nor
 * listed in a digest.
 */
export interface NotificationPreferences {
  readonly participant: ParticipantRef;
  /** The person's tenant when they last saved (the event's tenant); null for platform people. */
  readonly tenantId: string | null;
  readonly emailFrequency: EmailFrequency;
  /** IANA time zone the digest hour and weekday are read in, e.g. `Europe/Paris`. */
  readonly timeZone: string;
  /** Local hour (0–23) from which the day's (or week's) digest is due. */
  readonly digestHour: number;
  /** ISO weekday (1 Monday … 7 Sunday) of the weekly digest. */
  readonly digestWeekday: number;
  /** When they were last saved; null for the defaults of someone who never saved any. */
  readonly updatedAt: Date | null;
}

/** What a person who never chose gets: immediate email, digests (if chosen) at 08:00 UTC on Mondays. */
export const DEFAULT_NOTIFICATION_PREFERENCES = {
  emailFrequency: 'immediate',
  timeZone: 'UTC',
  digestHour: 8,
  digestWeekday: 1,
} as const satisfies Pick<
  NotificationPreferences,
  'emailFrequency' | 'timeZone' | 'digestHour' | 'digestWeekday'
>;

/** The defaults for `participant` (nothing saved yet). */
export function defaultNotificationPreferences(
  participant: ParticipantRef,
  tenantId: string | null,
): NotificationPreferences {
  return { participant, tenantId, ...DEFAULT_NOTIFICATION_PREFERENCES, updatedAt: null };
}

/** A change of preferences: absent fields keep their value. */
export interface NotificationPreferencesChange {
  readonly emailFrequency?: unknown;
  readonly timeZone?: unknown;
  readonly digestHour?: unknown;
  readonly digestWeekday?: unknown;
}

// An IANA name: `UTC`, `Europe/Paris`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`. Offsets
// (`+01:00`), which newer engines also accept, are refused: they have no daylight-saving rules.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * Whether `zone` is an IANA time zone this runtime knows (its ICU data). Intl is the only source:
 * no separate list to keep in step with the runtime that does the conversions.
 */
export function isKnownTimeZone(zone: string): boolean {
  if (zone.length > 64 || !IANA_NAME.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function invalid(field: string, message: string): never {
  throw new MessagingError('VALIDATION', message, { field });
}

/**
 * Applies `change` to `current`, validating each field given: `email_frequency` one of
 * `EMAIL_FREQUENCIES`, `time_zone` a known IANA zone, `digest_hour` an integer 0–23,
 * `digest_weekday` an integer 1–7. A `VALIDATION` error names the (wire) field at fault.
 *
 * @example
 * ```ts
 * applyPreferencesChange(current, { emailFrequency: 'daily', timeZone: 'Europe/Paris', digestHour: 7 });
 * applyPreferencesChange(current, { timeZone: 'Mars/Olympus' }); // VALIDATION, field "time_zone"
 * ```
 */
export function applyPreferencesChange(
  current: NotificationPreferences,
  change: NotificationPreferencesChange,
): Omit<NotificationPreferences, 'updatedAt'> {
  const { emailFrequency, timeZone, digestHour, digestWeekday } = change;
  if (emailFrequency !== undefined && !EMAIL_FREQUENCIES.includes(emailFrequency as EmailFrequency))
    invalid('email_frequency', `email_frequency must be one of ${EMAIL_FREQUENCIES.join(', ')}`);
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isKnownTimeZone(timeZone)))
    invalid(
      'time_zone',
      `time_zone must be an IANA time zone such as Europe/Paris (got ${String(timeZone).slice(0, 64)})`,
    );
  if (
    digestHour !== undefined &&
    (typeof digestHour !== 'number' || !Number.isInteger(digestHour) || digestHour < 0 || digestHour > 23)
  )
    invalid('digest_hour', 'digest_hour must be an integer from 0 to 23');
  if (
    digestWeekday !== undefined &&
    (typeof digestWeekday !== 'number' ||
      !Number.isInteger(digestWeekday) ||
      digestWeekday < 1 ||
      digestWeekday > 7)
  )
    invalid('digest_weekday', 'digest_weekday must be an integer from 1 (Monday) to 7 (Sunday)');
  return {
    participant: current.participant,
    tenantId: current.tenantId,
    emailFrequency: (emailFrequency as EmailFrequency | undefined) ?? current.emailFrequency,
    timeZone: (timeZone as string | undefined) ?? current.timeZone,
    digestHour: (digestHour as number | undefined) ?? current.digestHour,
    digestWeekday: (digestWeekday as number | undefined) ?? current.digestWeekday,
  };
}
