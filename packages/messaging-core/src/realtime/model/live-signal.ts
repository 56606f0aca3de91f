import type { ParticipantRef } from '../../kernel/model/participant-ref.js';

/** A person's presence as others see it: `offline` once no connection of theirs is alive. */
export type PresenceStatus = 'online' | 'away' | 'offline';

/** What a client says about its own connection (`offline` is never sent: closing says it). */
export type ClientPresenceStatus = 'online' | 'away';

export type TypingState = 'start' | 'stop';

/** One person's presence as one instance knows it from its own connections. */
export interface PresenceReport {
  readonly participant: ParticipantRef;
  /** `offline`: the instance's last connection of this person closed cleanly. */
  readonly status: PresenceStatus;
  /** ISO 8601: the person's latest activity seen by the reporting instance. */
  readonly lastActiveAt: string;
}

/**
 * What crosses API instances besides the event log: ephemeral, best-effort, never stored. Durable
 * events never travel this way (every instance reads them from the log). `origin` names the
 * instance that published the signal; every instance also receives its own signals and skips
 * them.
 */
export type LiveSignal =
  | {
      readonly kind: 'typing';
      readonly origin: string;
      readonly conversationId: string;
      readonly participant: ParticipantRef;
      readonly state: TypingState;
      /** The conversation's other members at the time (whom the frame is for). */
      readonly recipients: readonly ParticipantRef[];
    }
  | {
      readonly kind: 'presence';
      readonly origin: string;
      readonly reports: readonly PresenceReport[];
      /**
       * The reports hold for this long unless the origin repeats them (its heartbeat): an
       * instance that dies without saying so is forgotten after it.
       */
      readonly ttlMs: number;
    }
  /** A new instance asks the others to send their presence reports now rather than at their next heartbeat. */
  | { readonly kind: 'presence_sync'; readonly origin: string }
  /** The origin is shutting down cleanly: forget every report it made. */
  | { readonly kind: 'instance_down'; readonly origin: string };

export type LiveSignalKind = LiveSignal['kind'];

/**
 * The largest signal, as JSON in UTF-8, that every bus carries: PostgreSQL's `NOTIFY` payload
 * limit (8000 bytes) with room to spare. Publishers split presence reports to stay under it.
 */
export const MAX_SIGNAL_BYTES = 7000;
