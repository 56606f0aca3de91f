import type { RequestOrigin } from '../model/request-origin.js';

/** A JSON value as an audit diff holds it. */
export type AuditJson =
  | string
  | number
  | boolean
  | null
  | readonly AuditJson[]
  | { readonly [key: string]: AuditJson };

/** Who made an audited change: the participant (or `service`) and the role their credentials claimed. */
export interface AuditActor {
  readonly type: string;
  readonly id: string;
  /** The token role the request claimed; null when the change had no request (a worker). */
  readonly role: string | null;
}

/** What an audited change is about (`conversation`, `message`, `participant`, `setting`, …). */
export interface AuditTarget {
  readonly type: string;
  readonly id: string;
}

/**
 * One audited change, before it has an id: who, in which tenant, did what to what, from which
 * request, when, and what changed. The diff never holds a secret (`maskSecrets` runs on every
 * entry an adapter writes) nor message content.
 */
export interface AuditEntry {
  readonly actor: AuditActor;
  /** The tenant the change belongs to; null for platform-wide ones (platform settings). */
  readonly tenantId: string | null;
  /** What was done, `noun.verb` (e.g. `conversation.close`, `settings.update`). */
  readonly action: string;
  readonly target: AuditTarget;
  /** The request's id, address and user agent; null without a request. */
  readonly requestId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly occurredAt: Date;
  /** What changed: `{ field: { from, to } }` for updates, the new values for creations. */
  readonly diff: { readonly [key: string]: AuditJson };
}

/** An audit row as it is read back: the entry with its id (monotonic, decimal string). */
export interface AuditRecord extends AuditEntry {
  readonly id: string;
}

/** The audit columns a request fills in, from its origin (all null without one). */
export function originColumns(
  origin: RequestOrigin | null | undefined,
): Pick<AuditEntry, 'requestId' | 'ip' | 'userAgent'> & { readonly role: string | null } {
  return {
    requestId: origin?.requestId ?? null,
    ip: origin?.ip ?? null,
    userAgent: origin?.userAgent ?? null,
    role: origin?.actorRole ?? null,
  };
}

/** What a diff shows in place of a secret. */
export const MASKED = '[masked]';

// Keys whose values are credentials wherever they appear (settings, providers, webhooks, tokens).
const SECRET_KEY =
  /(password|passwd|secret|api[_-]?key|apikey|token|access[_-]?key|private[_-]?key|credential|authorization|signing[_-]?key)/i;

/**
 * The diff with every value under a secret-looking key (passwords, API keys, webhook secrets,
 * tokens, access keys) replaced by `[masked]`, at any depth. Adapters run it on every entry they
 * write, so a caller that forgets cannot leak one; a secret that was set shows as masked on both
 * sides (`{ from: '[masked]', to: '[masked]' }`), which still says it changed.
 *
 * @example
 * ```ts
 * maskSecrets({ smtp_password: { from: null, to: 'hunter2' }, smtp_host: { from: null, to: 'mx' } });
 * // { smtp_password: { from: null, to: '[masked]' }, smtp_host: { from: null, to: 'mx' } }
 * ```
 */
export function maskSecrets(diff: { readonly [key: string]: AuditJson }): { [key: string]: AuditJson } {
  return maskObject(diff, false);
}

function maskValue(value: AuditJson, secret: boolean): AuditJson {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item: AuditJson) => maskValue(item, secret));
  if (typeof value === 'object') return maskObject(value as { readonly [key: string]: AuditJson }, secret);
  return secret ? MASKED : value;
}

function maskObject(
  value: { readonly [key: string]: AuditJson },
  secret: boolean,
): { [key: string]: AuditJson } {
  const out: { [key: string]: AuditJson } = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    out[key] = maskValue(inner, secret || SECRET_KEY.test(key));
  }
  return out;
}

/**
 * A field-by-field diff of two flat records: `{ key: { from, to } }` for each key whose value
 * differs (compared as JSON). Secrets are masked later, by the writer.
 *
 * @example
 * ```ts
 * diffOf({ subject: 'a', muted: false }, { subject: 'b', muted: false }); // { subject: { from: 'a', to: 'b' } }
 * ```
 */
export function diffOf(
  before: { readonly [key: string]: AuditJson } | null,
  after: { readonly [key: string]: AuditJson },
): { [key: string]: AuditJson } {
  const out: { [key: string]: AuditJson } = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const key of keys) {
    const from = before?.[key] ?? null;
    const to = after[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) out[key] = { from, to };
  }
  return out;
}

/** Who writes an audited change: an `Actor`, or a service (`{ type: 'service', id }`) with its request. */
export interface AuditAuthor {
  readonly type: string;
  readonly id: string;
  readonly origin?: RequestOrigin;
}

/**
 * An audit entry by `by`, its request columns from `by.origin`.
 *
 * @example
 * ```ts
 * auditEntryBy(actor, { tenantId: 's1', action: 'webhook.delete', target: { type: 'webhook_endpoint', id }, occurredAt: now, diff: {} });
 * ```
 */
export function auditEntryBy(
  by: AuditAuthor,
  fields: Pick<AuditEntry, 'tenantId' | 'action' | 'target' | 'occurredAt' | 'diff'>,
): AuditEntry {
  const { role, ...request } = originColumns(by.origin);
  return { actor: { type: by.type, id: by.id, role }, ...fields, ...request };
}
