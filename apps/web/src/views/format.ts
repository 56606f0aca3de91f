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

/**
 * Why an edit was not saved, in words a person acts on (the text they typed is kept): past the
 * edit window or not theirs to edit (403), deleted or closed (409), changed meanwhile (412),
 * refused by moderation (422 `MESSAGE_REJECTED`, with its reason).
 */
export function editProblemText(error: unknown): string {
  if (!(error instanceof ParleyApiError)) return `Not saved: ${problemText(error)}`;
  if (error.code === 'MESSAGE_REJECTED') {
    const reason = error.problem.reason;
    return `Not saved: ${typeof reason === 'string' && reason ? reason : error.detail}`;
  }
  switch (error.status) {
    case 403:
      return 'Not saved: this message can no longer be edited (the time to edit it has passed, or it was answered).';
    case 409:
      return 'Not saved: this message was deleted, or the conversation is closed.';
    case 412:
      return 'Not saved: this message was changed meanwhile. Your text is kept: save again to replace the new version.';
    default:
      return `Not saved: ${problemText(error)}`;
  }
}
