import { type ParticipantRef, participantKey } from '../kernel/model/participant-ref.js';
import type { Clock } from '../kernel/ports/clock.js';
import type { LiveSignal, TypingState } from './model/live-signal.js';

/** A client's typing frame, as the transport hands it over (after checking membership). */
export interface TypingInput {
  readonly connectionId: string;
  readonly participant: ParticipantRef;
  readonly conversationId: string;
  readonly state: TypingState;
  /** The conversation's other members now: whom a relayed frame (and its later stop) is for. */
  readonly recipients: readonly ParticipantRef[];
}

/** A typing indicator that ends without its person saying so (expired, or their connection closed). */
export interface TypingStop {
  readonly conversationId: string;
  readonly participant: ParticipantRef;
  readonly recipients: readonly ParticipantRef[];
  /**
   * True when this instance must also publish the stop on the bus: the start came from one of
   * its own connections. Every instance delivers every stop to its own connected recipients.
   */
  readonly publish: boolean;
}

/** A typing frame to deliver to the connected `recipients` of this instance. */
export interface TypingFrame {
  readonly conversationId: string;
  readonly participant: ParticipantRef;
  readonly state: TypingState;
  readonly recipients: readonly ParticipantRef[];
}

export interface TypingRelayOptions {
  /** This API instance: the `origin` of its signals. */
  readonly instanceId: string;
  readonly clock: Clock;
  /** At most one relayed "start" per person and conversation per this long. Default 2000. */
  readonly throttleMs?: number;
  /** A "start" not refreshed for this long becomes a "stop". Default 6000. */
  readonly expireMs?: number;
}

interface Typing {
  readonly origin: string;
  readonly conversationId: string;
  readonly participant: ParticipantRef;
  recipients: readonly ParticipantRef[];
  /** This instance's connections that said "start" (empty for another origin's). */
  readonly connections: Set<string>;
  expiresAt: number;
  /** When a "start" was last relayed (own origin) or received (another's). */
  relayedAt: number;
}

/**
 * Typing indicators, as pure state, so that none stays stuck: the rules for what a client
 * says, and the expiry of what other instances relayed.
 *
 * Who publishes what (so no frame is delivered twice and none is lost when an instance dies):
 * - `input` → `'relay'`: the caller delivers the frame to its own connected recipients and
 *   publishes it (a `typing` signal with this instance as origin); `'drop'`: nothing. A "start"
 *   is relayed when the person was not typing there yet or the last relayed one is `throttleMs`
 *   old (a refresh inside that only moves the expiry); a "stop" only when they were typing there.
 * - `observe` (signals of other instances): returns the frames to deliver to this instance's
 *   connected recipients, and remembers relayed starts so this instance can expire them itself
 *   if their origin dies. A "stop" is delivered only when the start is still shown here (an
 *   expiry here may have stopped it already).
 * - `closeConnection` / `expire` → `TypingStop`s: every instance delivers each to its own
 *   recipients; only the origin of the start (`publish: true`) also publishes it, so two
 *   instances never both publish one expiry. Another instance's stop arriving after a local
 *   expiry is dropped by `observe`.
 *
 * A "start" right after a "stop" is relayed at once (only repeated starts are throttled): a
 * frame limit per connection bounds clients that flip between the two.
 *
 * @example
 * ```ts
 * const typing = new TypingRelay({ instanceId: 'api-1', clock: systemClock });
 * if (typing.input({ connectionId, participant, conversationId, state: 'start', recipients }) === 'relay') {
 *   deliverLocally(...); await bus.publish(typing.signal({ participant, conversationId, state: 'start', recipients }));
 * }
 * setInterval(() => { for (const stop of typing.expire()) { deliverLocally(stop); if (stop.publish) void bus.publish(typing.signal({ ...stop, state: 'stop' })); } }, 1000);
 * ```
 */
export class TypingRelay {
  readonly #instanceId: string;
  readonly #clock: Clock;
  readonly #throttleMs: number;
  readonly #expireMs: number;
  /** `origin|conversation|participant` → typing. */
  readonly #typing = new Map<string, Typing>();

  constructor(options: TypingRelayOptions) {
    this.#instanceId = options.instanceId;
    this.#clock = options.clock;
    this.#throttleMs = options.throttleMs ?? 2_000;
    this.#expireMs = options.expireMs ?? 6_000;
  }

  /** A client's typing frame: whether to relay it (deliver locally and publish) or drop it. */
  input(frame: TypingInput): 'relay' | 'drop' {
    const now = this.#clock.now().getTime();
    const key = this.#key(this.#instanceId, frame.conversationId, frame.participant);
    const typing = this.#typing.get(key);
    if (frame.state === 'stop') {
      if (typing === undefined) return 'drop';
      this.#typing.delete(key);
      return 'relay';
    }
    if (typing === undefined) {
      this.#typing.set(key, {
        origin: this.#instanceId,
        conversationId: frame.conversationId,
        participant: frame.participant,
        recipients: frame.recipients,
        connections: new Set([frame.connectionId]),
        expiresAt: now + this.#expireMs,
        relayedAt: now,
      });
      return 'relay';
    }
    typing.connections.add(frame.connectionId);
    typing.expiresAt = now + this.#expireMs;
    typing.recipients = frame.recipients;
    if (now - typing.relayedAt < this.#throttleMs) return 'drop';
    typing.relayedAt = now;
    return 'relay';
  }

  /** The `typing` signal of this instance for a frame it relays or a stop it publishes. */
  signal(frame: TypingFrame): LiveSignal {
    return {
      kind: 'typing',
      origin: this.#instanceId,
      conversationId: frame.conversationId,
      participant: frame.participant,
      state: frame.state,
      recipients: frame.recipients,
    };
  }

  /**
   * A signal from the bus: the typing frames to deliver to this instance's connected recipients.
   * Remembers other instances' starts (expiring them here too), forgets them on their stop, and
   * stops everything of an origin that says it is going down. Its own signals give nothing.
   */
  observe(signal: LiveSignal): TypingFrame[] {
    if (signal.origin === this.#instanceId) return [];
    if (signal.kind === 'instance_down') {
      const stops: TypingFrame[] = [];
      for (const [key, typing] of this.#typing) {
        if (typing.origin !== signal.origin) continue;
        this.#typing.delete(key);
        stops.push({ ...frameOf(typing), state: 'stop' });
      }
      return stops;
    }
    if (signal.kind !== 'typing') return [];
    const key = this.#key(signal.origin, signal.conversationId, signal.participant);
    const frame: TypingFrame = {
      conversationId: signal.conversationId,
      participant: signal.participant,
      state: signal.state,
      recipients: signal.recipients,
    };
    if (signal.state === 'stop') return this.#typing.delete(key) ? [frame] : [];
    const now = this.#clock.now().getTime();
    this.#typing.set(key, {
      origin: signal.origin,
      conversationId: signal.conversationId,
      participant: signal.participant,
      recipients: signal.recipients,
      connections: new Set(),
      expiresAt: now + this.#expireMs,
      relayedAt: now,
    });
    return [frame];
  }

  /** A connection closed: stops whatever its person was typing where no other connection of theirs here said "start". */
  closeConnection(connectionId: string): TypingStop[] {
    const stops: TypingStop[] = [];
    for (const [key, typing] of this.#typing) {
      if (!typing.connections.delete(connectionId) || typing.connections.size > 0) continue;
      this.#typing.delete(key);
      stops.push({ ...stopOf(typing), publish: true });
    }
    return stops;
  }

  /** The starts, own and others', not refreshed for `expireMs`: now stops (see `TypingStop.publish`). */
  expire(): TypingStop[] {
    const now = this.#clock.now().getTime();
    const stops: TypingStop[] = [];
    for (const [key, typing] of this.#typing) {
      if (typing.expiresAt > now) continue;
      this.#typing.delete(key);
      stops.push({ ...stopOf(typing), publish: typing.origin === this.#instanceId });
    }
    return stops;
  }

  #key(origin: string, conversationId: string, participant: ParticipantRef): string {
    return JSON.stringify([origin, conversationId, participantKey(participant)]);
  }
}

function stopOf(typing: Typing): Omit<TypingStop, 'publish'> {
  return {
    conversationId: typing.conversationId,
    participant: typing.participant,
    recipients: typing.recipients,
  };
}

function frameOf(typing: Typing): Omit<TypingFrame, 'state'> {
  return stopOf(typing);
}
