import type { ParticipantRef } from './participant-ref.js';
import type { RequestOrigin } from './request-origin.js';

/**
 * What the event log stores for one event, before it has an id: the envelope every event shares
 * (type, tenant, conversation, actor, time) and its payload. Generic over a context's payload map
 * (event type → stored JSON), so the log knows envelopes, never a context's vocabulary; the
 * conversations context names its own as `EventRecord` (over `EventPayloads`).
 */
export interface EventRecordOf<TPayloads, TType extends keyof TPayloads & string = keyof TPayloads & string> {
  readonly type: TType;
  /** The tenant the event belongs to; null for platform-wide ones. */
  readonly tenantId: string | null;
  /** The conversation it concerns; null for events about people, not a conversation (blocks). */
  readonly conversationId: string | null;
  readonly actor: ParticipantRef;
  readonly occurredAt: Date;
  readonly payload: TPayloads[TType];
  /**
   * The request that made the change, when there was one: appending writes it to the audit log
   * only (never to the `events` row), so subscribers, webhooks and real-time clients never see it.
   */
  readonly origin?: RequestOrigin;
}

/**
 * Where an event sits in the log, in the order subscribers receive it: by the transaction that
 * wrote it (`xid`, its commit-safe order) then by `id`. Both are decimal strings of 64-bit integers;
 * compare with `comparePositions`.
 */
export interface EventPosition {
  readonly xid: string;
  readonly id: string;
}

/** The position before every event. */
export const LOG_START: EventPosition = { xid: '0', id: '0' };

/** Negative when `a` comes before `b`, 0 when equal. */
export function comparePositions(a: EventPosition, b: EventPosition): number {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  if (ax !== bx) return ax < bx ? -1 : 1;
  const ai = BigInt(a.id);
  const bi = BigInt(b.id);
  return ai === bi ? 0 : ai < bi ? -1 : 1;
}

/**
 * An event as subscribers read it from the log: a record with its id and position, as a union
 * over the payload map's types (narrowing on `type` narrows `payload`).
 */
export type LoggedEventOf<TPayloads> = {
  readonly [TType in keyof TPayloads & string]: EventRecordOf<TPayloads, TType> & {
    /** The log's id (monotonic, decimal string). */
    readonly id: string;
    readonly position: EventPosition;
  };
}[keyof TPayloads & string];
