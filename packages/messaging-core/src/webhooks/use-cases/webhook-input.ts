import { DOMAIN_EVENT_TYPES } from '../../conversations/model/domain-event.js';
import type { OutboundAddressGuard } from '../../email/ports/outbound-address-guard.js';
import { MessagingError } from '../../kernel/errors.js';
import { ALL_WEBHOOK_EVENTS } from '../model/webhook-endpoint.js';

const URL_MAX = 2048;
const DESCRIPTION_MAX = 500;
const TENANT_IDS_MAX = 1000;

/** Checks a webhook URL's form: http(s), no credentials, at most 2048 characters. Returns it parsed. */
export function parseWebhookUrl(value: unknown, field = 'url'): URL {
  if (typeof value !== 'string' || value.trim() === '')
    throw MessagingError.validation(field, `${field} is required`);
  if (value.length > URL_MAX)
    throw MessagingError.validation(field, `${field} must be at most ${URL_MAX} characters`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw MessagingError.validation(field, `${field} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw MessagingError.validation(field, `${field} must be an absolute http(s) URL`);
  if (url.username !== '' || url.password !== '')
    throw MessagingError.validation(field, `${field} must not carry credentials`);
  return url;
}

/** The host the guard checks: an IPv6 literal without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Refuses a URL whose host the outbound guard refuses (a non-public address, no address, not a
 * host), as a `VALIDATION` on `field`: registration never stores what delivery would refuse.
 */
export async function requireAllowedHost(
  guard: OutboundAddressGuard,
  url: URL,
  field = 'url',
): Promise<void> {
  const verdict = await guard.check(hostOf(url));
  if (verdict.allowed) return;
  if (verdict.reason === 'forbidden_address')
    throw MessagingError.validation(
      field,
      `${field} resolves to an address webhooks may not reach (${verdict.address ?? 'not public'}${verdict.range ? `, ${verdict.range}` : ''})`,
    );
  if (verdict.reason === 'unresolvable')
    throw MessagingError.validation(field, `${field} host does not resolve`);
  throw MessagingError.validation(field, `${field} host is not a valid host name`);
}

/** A non-empty list of known event types (`DOMAIN_EVENT_TYPES`), or `['*']`; deduplicated, in the given order. */
export function parseEventTypes(value: unknown, field = 'event_types'): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw MessagingError.validation(field, `${field} must list at least one event type (or "*")`);
  const known = new Set<string>([ALL_WEBHOOK_EVENTS, ...DOMAIN_EVENT_TYPES]);
  const seen: string[] = [];
  for (const type of value) {
    if (typeof type !== 'string' || !known.has(type))
      throw MessagingError.validation(
        field,
        `${field} must hold known event types (${DOMAIN_EVENT_TYPES.join(', ')}) or "*", not ${JSON.stringify(type)}`,
      );
    if (!seen.includes(type)) seen.push(type);
  }
  return seen.includes(ALL_WEBHOOK_EVENTS) ? [ALL_WEBHOOK_EVENTS] : seen;
}

/** Null (every tenant) or 1..1000 tenant ids of 1..255 characters, deduplicated. */
export function parseTenantIds(value: unknown, field = 'tenant_ids'): string[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0 || value.length > TENANT_IDS_MAX)
    throw MessagingError.validation(field, `${field} must be null or 1..${TENANT_IDS_MAX} tenant ids`);
  const ids: string[] = [];
  for (const id of value) {
    if (typeof id !== 'string' || id.trim() === '' || id.length > 255)
      throw MessagingError.validation(field, `${field} must hold tenant ids of 1..255 characters`);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** At most 500 characters, trimmed; absent: empty. */
export function parseDescription(value: unknown, field = 'description'): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw MessagingError.validation(field, `${field} must be a string`);
  const trimmed = value.trim();
  if (trimmed.length > DESCRIPTION_MAX)
    throw MessagingError.validation(field, `${field} must be at most ${DESCRIPTION_MAX} characters`);
  return trimmed;
}
