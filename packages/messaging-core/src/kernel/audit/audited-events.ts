import type { ParticipantRef } from '../model/participant-ref.js';
import type { RequestOrigin } from '../model/request-origin.js';
import {
  type AuditEntry,
  type AuditJson,
  type AuditTarget,
  maskSecrets,
  originColumns,
} from './audit-entry.js';

/** Any event as the log stores it (a conversation event, a kernel change, another context's). */
export interface AuditableRecord {
  readonly type: string;
  readonly tenantId: string | null;
  readonly conversationId: string | null;
  readonly actor: ParticipantRef;
  readonly occurredAt: Date;
  readonly payload: unknown;
  readonly origin?: RequestOrigin;
}

type Payload = { readonly [key: string]: AuditJson };

/** How one event type becomes an audit row: its action, its target, and the diff from its payload. */
interface AuditMapping {
  readonly action: string;
  readonly target: (record: AuditableRecord, payload: Payload) => AuditTarget | null;
  /** The payload's fields the row keeps (never message content); default: the whole payload. */
  readonly diff?: (payload: Payload) => Payload;
}

const conversation = (record: AuditableRecord): AuditTarget | null =>
  record.conversationId === null ? null : { type: 'conversation', id: record.conversationId };

const message = (_record: AuditableRecord, payload: Payload): AuditTarget | null =>
  typeof payload.message_id === 'string' ? { type: 'message', id: payload.message_id } : null;

/** A participant named in the payload under `key` (`{ type, id }`), as `type:id`. */
const participantIn =
  (key: string) =>
  (_record: AuditableRecord, payload: Payload): AuditTarget | null => {
    const who = payload[key] as { type?: unknown; id?: unknown } | null | undefined;
    if (typeof who?.type === 'string' && typeof who.id === 'string')
      return { type: 'participant', id: `${who.type}:${who.id}` };
    // Flat forms (`participant_type` + `participant_id`), as kernel payloads may name a person.
    const type = payload[`${key}_type`];
    const id = payload[`${key}_id`];
    return typeof type === 'string' && typeof id === 'string'
      ? { type: 'participant', id: `${type}:${id}` }
      : null;
  };

/**
 * Which events the audit log keeps, keyed by event type string: the event log's appenders (the
 * Kysely `events` insert and the in-memory log, the kernel change log) derive one audit row from
 * each event whose type is here, in the same statement or transaction. Types from other contexts
 * and helpers (moderation decisions, GDPR exports and erasures) are listed by their strings so
 * their events are audited the moment they exist, without this module importing them.
 *
 * Not audited: `message.sent` (the hot path; the message itself is the record), reads and
 * delivery receipts (`conversation.read`, `conversation.delivered`), `directory.changed`, and
 * `settings.changed` (its event names no actor: `PlatformSettings.update` writes an explicit row
 * with the admin and the value's diff instead).
 */
export const AUDITED_EVENTS: Readonly<Record<string, AuditMapping>> = {
  'conversation.created': { action: 'conversation.create', target: conversation },
  'conversation.closed': { action: 'conversation.close', target: conversation },
  'conversation.reopened': { action: 'conversation.reopen', target: conversation },
  'conversation.renamed': {
    action: 'conversation.rename',
    target: conversation,
    diff: (p) => ({ subject: { from: p.previous_subject ?? null, to: p.subject ?? null } }),
  },
  'conversation.archived': { action: 'conversation.archive', target: conversation },
  'conversation.unarchived': { action: 'conversation.unarchive', target: conversation },
  'conversation.monitored': { action: 'conversation.monitor', target: conversation },
  'participant.preferences_updated': {
    action: 'participant.update_preferences',
    target: conversation,
  },
  'participant.added': { action: 'participant.add', target: conversation },
  'participant.removed': { action: 'participant.remove', target: conversation },
  'participant.role_changed': {
    action: 'participant.change_role',
    target: conversation,
    diff: (p) => ({
      participant: p.participant ?? null,
      role: { from: p.previous_role ?? null, to: p.role ?? null },
    }),
  },
  'participant.blocked': { action: 'participant.block', target: participantIn('blocked') },
  'participant.unblocked': { action: 'participant.unblock', target: participantIn('blocked') },
  'message.deleted': { action: 'message.delete', target: message },
  'message.updated': {
    action: 'message.edit',
    target: message,
    diff: (p) => ({
      revision: { from: p.previous_revision ?? null, to: p.revision ?? null },
      edited_at: p.edited_at ?? null,
    }),
  },
  'message.purged': { action: 'message.purge', target: message },
  // Moderation decisions (issue 14, another change): by type string.
  'message.flagged': { action: 'moderation.flag', target: message, diff: withoutContent },
  'message.held': { action: 'moderation.hold', target: message, diff: withoutContent },
  'message.approved': { action: 'moderation.approve', target: message, diff: withoutContent },
  'message.rejected': { action: 'moderation.reject', target: message, diff: withoutContent },
  // GDPR (another change): the row names who, never the exported or erased data.
  'participant.exported': {
    action: 'participant.export',
    target: participantIn('participant'),
    diff: () => ({}),
  },
  'participant.erased': {
    action: 'participant.erase',
    target: participantIn('participant'),
    diff: () => ({}),
  },
};

function withoutContent(payload: Payload): Payload {
  const { content: _content, text: _text, previous_content: _previous, ...rest } = payload;
  return rest;
}

/**
 * The audit row an event makes, or null when its type is not audited (`AUDITED_EVENTS`) or it
 * names no target. The diff is masked (`maskSecrets`); request columns come from the event's
 * `origin` (null without one).
 *
 * @example
 * ```ts
 * auditEntryOf(toEventRecord(closedEvent));
 * // { action: 'conversation.close', target: { type: 'conversation', id }, diff: { message_count: 3 }, … }
 * auditEntryOf(toEventRecord(sentEvent)); // null: sends are not audited
 * ```
 */
export function auditEntryOf(record: AuditableRecord): AuditEntry | null {
  const mapping = Object.hasOwn(AUDITED_EVENTS, record.type) ? AUDITED_EVENTS[record.type] : undefined;
  if (mapping === undefined) return null;
  const payload: Payload =
    record.payload !== null && typeof record.payload === 'object' && !Array.isArray(record.payload)
      ? (record.payload as Payload)
      : {};
  const target = mapping.target(record, payload);
  if (target === null) return null;
  const { role, ...request } = originColumns(record.origin);
  return {
    actor: { type: record.actor.type, id: record.actor.id, role },
    tenantId: record.tenantId,
    action: mapping.action,
    target,
    ...request,
    occurredAt: record.occurredAt,
    diff: maskSecrets((mapping.diff ?? ((p: Payload) => p))(payload)),
  };
}

/** Whether events of this type make audit rows. */
export function isAudited(type: string): boolean {
  return Object.hasOwn(AUDITED_EVENTS, type);
}
