import type { ContactDetailsSettings, ModerationVerdict } from '../model/moderation.js';
import type { ContentModerator } from '../ports/content-moderator.js';

/** What replaces a masked match. */
export const MODERATION_MASK = '***';

// An address: a local part, @, a dotted domain ending in letters. Obfuscations such as
// "name (at) example (dot) com" are also caught: they are how people try to pass the filter.
const EMAIL =
  /[\p{L}\p{N}._%+-]+\s*(?:@|\(at\)|\[at\])\s*[\p{L}\p{N}-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\p{L}\p{N}-]+)+/giu;
// A link: a scheme, `www.`, or a bare domain with a common top-level domain and optional path.
const LINK =
  /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:com|net|org|io|co|me|info|biz|app|dev|ly|gg|shop|store|online|site|xyz|fr|de|uk|es|it|nl|be|ch|at|ca|us|eu)\b(?:\/[^\s<>"]*)?/giu;
// A phone number: optional +, then digits with optional spaces, dots, dashes or parentheses,
// 9 to 15 digits in all (E.164). Prices ("1,299.00"), dates ("2026-12-07", "07/12/2026"), times
// and order numbers of fewer digits do not reach 9 digits or are rejected by `looksLikePhone`.
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}])\+?\(?\d[\d\s().-]{7,}\d(?![\p{L}\p{N}])/gu;

function looksLikePhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 9 || digits.length > 15) return false;
  // A date (2026-12-07, 07.12.2026 12:00) or an ISO-ish timestamp: groups of 4-2-2 / 2-2-4.
  if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}/.test(candidate) || /^\d{1,2}[-./]\d{1,2}[-./]\d{4}/.test(candidate))
    return false;
  // A number with a decimal part (a price, a measurement): "1299.00", "12 345.50".
  if (/^\d{1,3}(?:[ ,.]\d{3})*[.,]\d{2}$/.test(candidate) || /^\d+[.,]\d{1,2}$/.test(candidate)) return false;
  return true;
}

/** The contact details found in `content`, as [start, end) ranges, in order, not overlapping. */
export function findContactDetails(
  content: string,
  kinds: Pick<ContactDetailsSettings, 'emails' | 'phones' | 'links'>,
): { readonly kind: 'email' | 'phone' | 'link'; readonly start: number; readonly end: number }[] {
  const found: { kind: 'email' | 'phone' | 'link'; start: number; end: number }[] = [];
  const collect = (kind: 'email' | 'phone' | 'link', pattern: RegExp, keep: (s: string) => boolean) => {
    for (const match of content.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (!keep(match[0])) continue;
      if (found.some((f) => start < f.end && f.start < end)) continue;
      found.push({ kind, start, end });
    }
  };
  // Emails before links: an address's domain would otherwise be taken for a link.
  if (kinds.emails) collect('email', EMAIL, () => true);
  if (kinds.links) collect('link', LINK, () => true);
  if (kinds.phones) collect('phone', PHONE_CANDIDATE, looksLikePhone);
  return found.sort((a, b) => a.start - b.start);
}

/**
 * The built-in contact-details filter: e-mail addresses, phone numbers and links (each can be
 * switched off per tenant), with the tenant's action — `rewrite` masks each with `***`, the others
 * reject, flag or hold the message naming what was found. Pure: no I/O.
 *
 * @example
 * ```ts
 * await contactDetailsModerator.moderate({ ...request, content: 'mail me at ana@example.com' });
 * // with action rewrite: { action: 'rewrite', content: 'mail me at ***', reason: 'contact details (email)' }
 * ```
 */
export const contactDetailsModerator: ContentModerator = {
  name: 'contact_details',
  async moderate({ content, settings }): Promise<ModerationVerdict> {
    const config = settings.contactDetails;
    if (!config.enabled) return { action: 'allow' };
    const found = findContactDetails(content, config);
    if (found.length === 0) return { action: 'allow' };
    const kinds = [...new Set(found.map((f) => f.kind))];
    const reason = `contact details (${kinds.join(', ')})`;
    if (config.action !== 'rewrite') return { action: config.action, reason };
    let masked = '';
    let at = 0;
    for (const f of found) {
      masked += content.slice(at, f.start) + MODERATION_MASK;
      at = f.end;
    }
    return { action: 'rewrite', content: masked + content.slice(at), reason };
  },
};
