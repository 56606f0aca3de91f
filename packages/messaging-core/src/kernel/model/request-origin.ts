/**
 * Where a change came from, as the host saw the request: carried explicitly on the `Actor` of a
 * command (never read from a global) and stored only in the audit log. Webhooks, real-time frames
 * and the event payloads never carry it.
 */
export interface RequestOrigin {
  /** The request id the API answered with (`X-Request-Id`). */
  readonly requestId: string | null;
  /** The client address as the API resolved it (proxies per its trust settings). */
  readonly ip: string | null;
  /** The `User-Agent` header, cut to 512 characters. */
  readonly userAgent: string | null;
  /** The role the caller's credentials claimed (the token role, e.g. `admin`, `store`, `service`). */
  readonly actorRole: string | null;
}

/** `{ origin }` when the actor carries one, else nothing: spread it into an event. */
export function originOf(actor: { readonly origin?: RequestOrigin }): { readonly origin?: RequestOrigin } {
  return actor.origin === undefined ? {} : { origin: actor.origin };
}
