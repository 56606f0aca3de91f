import type { RequestOrigin } from './request-origin.js';

/**
 * A polymorphic reference to whoever takes part in a conversation. The allowed `type`s are data
 * defined by the access policy (`admin`, `store`, `customer` for the marketplace preset); the core
 * never switches on them.
 */
export interface ParticipantRef {
  readonly type: string;
  readonly id: string;
}

/** Stable string form, usable as a map key: `customer:42`. */
export function participantKey(ref: ParticipantRef): string {
  return `${ref.type}:${ref.id}`;
}

export function sameParticipant(a: ParticipantRef, b: ParticipantRef): boolean {
  return a.type === b.type && a.id === b.id;
}

/**
 * The authenticated caller of a use case. `tenantId` is the tenant the caller acts within (a store in the marketplace)
 * (null for platform-wide actors such as admins). Hosts build it from their own authentication.
 */
export interface Actor extends ParticipantRef {
  readonly tenantId: string | null;
  /**
   * Display name, when the caller already knows it (`resolveActor` fills it in); saves a
   * directory lookup on every send.
   */
  readonly name?: string;
  /**
   * The request this command came from (id, address, user agent, token role), when a host serves
   * one: the changes it makes are audited with it. Absent for work without a request (workers).
   */
  readonly origin?: RequestOrigin;
}
