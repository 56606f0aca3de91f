import type {
  Actor,
  ActorClaims,
  ClientPresenceStatus,
  EventPosition,
  LiveDelivery,
} from '@parley/messaging-core';

/** A frame the server sends: durable ones carry the event `id`; ephemeral ones (typing, presence, pong, error) none. */
export interface ServerFrame {
  readonly type: string;
  readonly id?: string;
  readonly [field: string]: unknown;
}

/** Close codes the transports use (RFC 6455 and Parley's own 4xxx). */
export const CLOSE_CODES = {
  /** The instance is shutting down: reconnect (with `since`) elsewhere. */
  goingAway: 1001,
  /** Abuse: frames past the rate limit kept coming. */
  policyViolation: 1008,
  /** A frame larger than `PARLEY_REALTIME_MAX_FRAME_BYTES`. */
  tooBig: 1009,
  /** The server failed (e.g. the replay could not be read): reconnect with `since`. */
  internalError: 1011,
  /** The client reads too slowly: frames piled up past the limit. Reconnect with `since`. */
  tryAgainLater: 1013,
  /** The token expired or the person left the directory: authenticate again. */
  unauthenticated: 4401,
} as const;

/**
 * Where one connection's frames go: a WebSocket or an SSE response. The hub writes through it and
 * never learns which.
 */
export interface LiveSink {
  readonly transport: 'websocket' | 'sse';
  /** Writes one frame (`json` is `frame` serialized once for all of a viewer's connections). */
  send(frame: ServerFrame, json: string): void;
  /** Ends the connection (a WebSocket close code; SSE just ends the stream). */
  close(code: number, reason: string): void;
  /** Bytes written but not yet handed to the network: what backpressure watches. */
  pending(): number;
}

/** A `message.sent` frame this connection received, as an `ack` names it. */
interface SentMessage {
  readonly conversationId: string;
  readonly seq: number;
}

/** How many `message.sent` frames a connection remembers for acks (older acks are ignored). */
const REMEMBERED_MESSAGES = 512;

/**
 * A token bucket: `rate` tokens a second, at most `burst` saved up. Frames past it are refused.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number,
  ) {
    this.#tokens = burst;
    this.#at = now();
  }

  /** Takes a token if one is left. */
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

let sequence = 0;

/**
 * One client connection (a WebSocket or an SSE stream) as the hub keeps it: who it is for, where
 * its frames go, whether it is still replaying (live deliveries wait in `held` meanwhile), the
 * `message.sent` frames it received (for acks), its frame budget and its presence status.
 */
export class LiveConnection {
  readonly id = `c${++sequence}`;
  /** Live deliveries held while the connection replays (`since`), with their frames. */
  held: { delivery: LiveDelivery; frame: ServerFrame; json: string }[] | null = null;
  /**
   * The log position this connection has received everything up to (its last durable frame, or
   * the end of its replay). A durable delivery at or before it is a repeat and is not sent: the
   * tail may read an event before a replay ends and deliver it after, so holding alone cannot
   * tell.
   */
  through: EventPosition | null = null;
  closed = false;
  /** What the connection said of itself (`presence` frames); `online` until then. */
  status: ClientPresenceStatus = 'online';
  /** Frames refused in a row for the rate limit: past a few, the connection is closed. */
  strikes = 0;
  readonly #messages = new Map<string, SentMessage>();

  constructor(
    readonly viewer: Actor,
    /** `participantKey(viewer)`. */
    readonly key: string,
    /** What the directory is re-checked with. */
    readonly claims: ActorClaims,
    readonly sink: LiveSink,
    /** The bearer token's expiry (ms): the connection closes with 4401 then. */
    readonly tokenExpiresAt: number,
    readonly bucket: TokenBucket,
  ) {}

  /** Remembers a `message.sent` frame sent here, for a later `ack` of its id. */
  rememberMessage(eventId: string, message: SentMessage): void {
    this.#messages.set(eventId, message);
    if (this.#messages.size > REMEMBERED_MESSAGES) {
      const oldest = this.#messages.keys().next().value;
      if (oldest !== undefined) this.#messages.delete(oldest);
    }
  }

  /** The message a `message.sent` frame with this id carried, if this connection received it. */
  messageOf(eventId: string): SentMessage | undefined {
    return this.#messages.get(eventId);
  }
}
