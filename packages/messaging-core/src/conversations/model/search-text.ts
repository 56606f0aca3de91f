import { MessagingError } from '../../kernel/errors.js';

/** Longest search text accepted (characters), for message search and the inbox `q` filter. */
export const SEARCH_QUERY_MAX_LENGTH = 200;

/** Most words a search text may hold; more is a validation error rather than a slow query. */
export const SEARCH_MAX_TERMS = 8;

/** Characters of a snippet around its first match (before the ellipses). */
export const SNIPPET_LENGTH = 160;

// A word: letters, marks and digits (any script). Everything else separates words, so no
// character a query language would read (`&`, `|`, `:`, `*`, `%`, `_`, quotes) ever reaches a store.
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * The words of a search text, lower-cased, each once, in order. Empty, blank, longer than
 * {@link SEARCH_QUERY_MAX_LENGTH} characters, without any word (only punctuation) or with more
 * than {@link SEARCH_MAX_TERMS} words: a `VALIDATION` error naming `field`.
 *
 * @example
 * ```ts
 * searchTerms('Refund, invoice!'); // ['refund', 'invoice']
 * ```
 */
export function searchTerms(text: string | undefined, field = 'q'): string[] {
  if (text === undefined || text.trim().length === 0)
    throw MessagingError.validation(field, `${field} must contain at least one word`);
  if (Array.from(text).length > SEARCH_QUERY_MAX_LENGTH)
    throw MessagingError.validation(field, `${field} must be at most ${SEARCH_QUERY_MAX_LENGTH} characters`);
  const terms = [...new Set(Array.from(text.toLowerCase().matchAll(WORD), (m) => m[0]))];
  if (terms.length === 0) throw MessagingError.validation(field, `${field} must contain at least one word`);
  if (terms.length > SEARCH_MAX_TERMS)
    throw MessagingError.validation(field, `${field} must contain at most ${SEARCH_MAX_TERMS} words`);
  return terms;
}

/**
 * Whether every term begins a word of `text`, case-insensitively (`invo` matches "Invoice", not
 * "reinvoice"): how messages match in every store. PostgreSQL also matches the stems of the
 * conversation's text search configuration (`shipping` finds "shipped" in English).
 */
export function everyTermStartsAWord(text: string, terms: readonly string[]): boolean {
  const words = Array.from(text.toLowerCase().matchAll(WORD), (m) => m[0]);
  return terms.every((term) => words.some((word) => word.startsWith(term)));
}

/**
 * Whether `text` contains every term anywhere, case-insensitively (`voice` matches "invoice"):
 * how the inbox `query` filter matches subjects and names.
 */
export function containsEveryTerm(text: string, terms: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return terms.every((term) => lower.includes(term));
}

/** One piece of a snippet: plain text, and whether it is a match to highlight. */
export interface SnippetSegment {
  readonly text: string;
  readonly highlight: boolean;
}

/** The words of `lower` a term begins (or, failing that, its stem-like start begins). */
function matchRanges(lower: string, terms: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  const words = Array.from(lower.matchAll(WORD), (m): [string, number] => [m[0], m.index]);
  for (const term of terms) {
    let found = false;
    for (const [word, at] of words) {
      if (word.startsWith(term)) {
        ranges.push([at, at + word.length]);
        found = true;
      }
    }
    if (found || term.length < 5) continue;
    // A stemmed match ("shipping" found "shipped"): mark the words that start like the term.
    const stem = term.slice(0, Math.max(4, term.length - 3));
    for (const [word, at] of words) if (word.startsWith(stem)) ranges.push([at, at + word.length]);
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last !== undefined && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * A snippet of `content` around its first match, as plain-text segments with the matched words marked
 * `highlight: true`. Segments are never markup: a client renders each as text (a highlighted one
 * in a `<mark>`), so nothing of the message (HTML included) can reach a page as code. Cut at word
 * boundaries, with `…` where text was left out; the whole content when it is short.
 *
 * @example
 * ```ts
 * highlightSnippet('Your <b>invoice</b> is ready', ['invoice']);
 * // [{ text: 'Your <b>', highlight: false }, { text: 'invoice', highlight: true }, { text: '</b> is ready', highlight: false }]
 * ```
 */
export function highlightSnippet(
  content: string,
  terms: readonly string[],
  length = SNIPPET_LENGTH,
): SnippetSegment[] {
  // Lower-casing may change the length of some characters; match on a copy only when it does not.
  const lower = content.toLowerCase();
  const ranges = lower.length === content.length ? matchRanges(lower, terms) : [];
  const first = ranges[0]?.[0] ?? 0;
  let start = 0;
  let end = content.length;
  if (content.length > length) {
    start = Math.max(0, first - Math.floor(length / 4));
    const space = content.lastIndexOf(' ', start);
    if (start > 0 && space >= 0 && start - space < 20) start = space + 1;
    end = Math.min(content.length, start + length);
    const next = content.indexOf(' ', end);
    if (end < content.length && next >= 0 && next - end < 20) end = next;
  }
  // Never split a surrogate pair.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(content.charAt(start))) start -= 1;
  if (end < content.length && /[\uDC00-\uDFFF]/.test(content.charAt(end))) end += 1;
  const segments: SnippetSegment[] = [];
  const push = (text: string, highlight: boolean) => {
    if (text.length === 0) return;
    const last = segments.at(-1);
    if (last !== undefined && last.highlight === highlight)
      segments[segments.length - 1] = { text: last.text + text, highlight };
    else segments.push({ text, highlight });
  };
  if (start > 0) push('…', false);
  let at = start;
  for (const [from, to] of ranges) {
    if (to <= start || from >= end) continue;
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    push(content.slice(at, a), false);
    push(content.slice(a, b), true);
    at = b;
  }
  push(content.slice(at, end), false);
  if (end < content.length) push('…', false);
  return segments;
}
