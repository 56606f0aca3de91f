import type { LoggedEvent } from '../conversations/model/domain-event.js';
import type { EventPosition } from '../kernel/model/event-envelope.js';
import type { Actor, ParticipantRef } from '../kernel/model/participant-ref.js';
import type { LiveView } from './live-view.js';

/**
 * The people connected to one API instance, as the live feed asks about them: by key, and — for
 * viewers who see conversations they are not members of (care-team admins monitoring, a support
 * team) — by participant type.
 */
export interface LiveAudience {
  /** The connected person with this `participantKey`, if any. */
  get(key: string): Actor | undefined;
  /** The connected people of a participant type (asked only for types a policy lets view as non-members). */
  ofType(type: string): Iterable<Actor>;
}

/** One durable event as one viewer receives it. */
export interface LiveDelivery {
  readonly event: LoggedEvent;
  readonly viewer: Actor;
  /** What the viewer needs to update their view without a refetch, shaped for them. */
  readonly view: LiveView;
}

/** One read of the log, projected for an audience. */
export interface LiveBatch {
  /** In log order; an event seen by several viewers appears once per viewer. */
  readonly deliveries: readonly LiveDelivery[];
  /** The position of the last event read (whether or not anyone saw it); `after` when none. */
  readonly position: EventPosition;
  /** More may be readable now (see `EventBatchOf.more`). */
  readonly more: boolean;
  /**
   * Every event read, delivered or not, in log order — other contexts' too (`directory.changed`):
   * the process's caches watch the log through this tail.
   */
  readonly events: readonly LoggedEvent[];
}

/** What a resume found. */
export type LiveReplay =
  | {
      readonly kind: 'replayed';
      readonly deliveries: readonly LiveDelivery[];
      readonly position: EventPosition;
    }
  /** The event named is no longer in the log (past the retention) or never was: the client must refetch. */
  | { readonly kind: 'resync_required' };

/**
 * Real-time delivery's read side: which connected people may see each logged event at that moment
 * (as the access policy decides) and what each of them sees. Transports (WebSocket, SSE) tail the
 * log through `next`, resume clients through `replay`, and ask `contactsOf` whose presence a
 * person may see. Reads only, except where a policy records non-member reads (see the
 * implementation, `createLiveFeed`).
 */
export interface LiveFeed {
  /** Up to `limit` events after `after`, projected for `audience`. */
  next(after: EventPosition, audience: LiveAudience, limit: number): Promise<LiveBatch>;
  /** Where the event with this id sits in the log; null when it is not (or no longer) there. */
  locate(eventId: string): Promise<EventPosition | null>;
  /**
   * Every event after the one with id `sinceEventId` that `viewer` may see, up to the log's end at
   * the time of the call, or `resync_required` when that event is gone or the gap is longer than
   * `maxEvents` log events.
   */
  replay(viewer: Actor, sinceEventId: string, maxEvents: number): Promise<LiveReplay>;
  /**
   * The people who share an active conversation with `actor` (themselves excluded), at most
   * `limit`: whose presence `actor` may see.
   */
  contactsOf(actor: Actor, limit: number): Promise<ParticipantRef[]>;
}
