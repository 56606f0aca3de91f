import { ParleyApiError } from '@parley/client';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const short = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/** A message's time of day, in the reader's locale. */
export function timeOf(iso: string): string {
  return time.format(new Date(iso));
}

/** A date separator's text: "Today", "Yesterday", or the full date. */
export function dayLabel(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(date)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return day.format(date);
}

/** A list line's time: the time of day today, else the short date. */
export function listTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  return date.toDateString() === now.toDateString() ? time.format(date) : short.format(date);
}

/**
 * What a dialog says when the API refused: the problem's `detail` as the API words it for people
 * ("You have been blocked by this user"), not the status and code the error's message starts with.
 */
export function problemText(error: unknown): string {
  if (error instanceof ParleyApiError) return error.detail || error.title;
  return error instanceof Error ? error.message : String(error);
}
