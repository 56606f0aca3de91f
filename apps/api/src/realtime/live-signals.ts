import {
  type AccessPolicy,
  type Actor,
  type ClientPresenceStatus,
  type Clock,
  type LiveDelivery,
  type LiveFeed,
  type LiveSignal,
  type LiveSignalBus,
  type ParticipantRef,
  type PresenceChange,
  PresenceTracker,
  type PresenceUpdate,
  participantKey,
  presenceAsSeen,
  type TypingFrame,
  TypingRelay,
  type TypingState,
  type TypingStop,
} from '@parley/messaging-core';
import type { LiveConnection, ServerFrame } from './live-connection.js';
import type { EphemeralRelay, RealtimeHub } from './realtime-hub.js';
import type { PresenceEntry, PresenceSource } from './realtime-routes.js';

export interface LiveSignalsSettings {
  /**
   * How long this instance's presence reports hold at the others unless repeated (they are
   * repeated every third of it; expiry is checked every tenth, at most every 5 s). The composition
   * root sets it to twice `PARLEY_REALTIME_HEARTBEAT` (50 s by default): an instance that dies
   * without a word shows its people offline within 55 s, inside the 70 s promised.
   */
  readonly presenceTtlMs: number;
  /** How often expired typing indicators are stopped. */
  readonly typingTickMs: number;
  /** Most contacts (people sharing a conversation) read per connected person. */
  readonly contactsLimit: number;
  /** A membership change re-reads the contacts of its viewers after this quiet spell. */
  readonly contactsRefreshMs: number;
  /** At most one relayed typing start per person and conversation per this long. */
  readonly typingThrottleMs: number;
  /** A typing start not refreshed for this long becomes a stop. */
  readonly typingExpireMs: number;
}

export const DEFAULT_SIGNALS_SETTINGS: LiveSignalsSettings = {
  // Without the composition root's value (twice the heartbeat): an instance that dies is forgotten
  // within the ttl plus one expiry check (5 s), inside the 70 s allowed for abrupt ends.
  presenceTtlMs: 45_000,
  typingTickMs: 1_000,
  contactsLimit: 5_000,
  contactsRefreshMs: 200,
  typingThrottleMs: 2_000,
  typingExpireMs: 6_000,
};

export interface LiveSignalsDependencies {
  readonly hub: RealtimeHub;
  /** Started by the caller; closed by the caller after `stop`. */
  readonly bus: LiveSignalBus;
  /** This process: the `origin` of its signals. */
  readonly instanceId: string;
  readonly clock: Clock;
  /** Coarsens presence per participant type (`presenceAsSeen`). */
  readonly policy: Pick<AccessPolicy, 'definition'>;
  /** `contactsOf`: whose presence a person may see. */
  readonly feed: Pick<LiveFeed, 'contactsOf'>;
  /** Who a typing indicator is for, checked as a send (`core.typingAudience`). */
  readonly typingAudience: (actor: Actor, conversationId: string) => Promise<ParticipantRef[]>;
  readonly logger: { warn(object: object, message: string): void };
}

/** Event types after which the people a viewer shares conversations with may have changed. */
const MEMBERSHIP_EVENTS = new Set([
  'conversation.created',
  'participant.added',
  'participant.removed',
  'participant.left',
]);

const ref = (participant: ParticipantRef): ParticipantRef => ({ type: participant.type, id: participant.id });

/**
 * Typing and presence for one instance's connections, across instances through the
 * `LiveSignalBus`: the core's `TypingRelay` (2 s throttle, 6 s expiry, stop on close) and
 * `PresenceTracker` (online while any connection anywhere is alive; heartbeats every ttl/3; an
 * instance that dies is forgotten after the ttl) as state, this class as their I/O — it publishes
 * what they say to publish and sends the frames to the connected recipients.
 *
 * Typing frames go to the conversation's other members (checked as a send by the core). Presence
 * frames go to the connected people who share an active conversation with the person
 * (`feed.contactsOf`, read when a person connects and again after membership events they see),
 * coarsened as the preset says (`presenceAsSeen`); a person who connects gets the current
 * presence of their contacts who are not offline. Publishing failures are logged and dropped: the
 * bus is best-effort and heartbeats repair presence.
 *
 * @example
 * ```ts
 * const signals = new LiveSignals({ hub, bus, instanceId, clock, policy, feed, typingAudience: core.typingAudience, logger });
 * hub.attachRelay(signals);
 * await signals.start();
 * ```
 */
export class LiveSignals implements EphemeralRelay, PresenceSource {
  readonly #deps: LiveSignalsDependencies;
  readonly #settings: LiveSignalsSettings;
  readonly #presence: PresenceTracker;
  readonly #typing: TypingRelay;
  /** Connected person → the people they may see the presence of. */
  readonly #contacts = new Map<string, Set<string>>();
  /** Person → the connected people who may see their presence. */
  readonly #watchers = new Map<string, Set<string>>();
  readonly #refreshing = new Map<string, NodeJS.Timeout>();
  /** Recipients of a typing indicator, kept for the throttle window (one check per relayed start). */
  readonly #audiences = new Map<string, { recipients: ParticipantRef[]; at: number }>();
  #unsubscribe: (() => void) | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #expiry: NodeJS.Timeout | null = null;
  #typingTick: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(deps: LiveSignalsDependencies, settings: Partial<LiveSignalsSettings> = {}) {
    this.#deps = deps;
    this.#settings = { ...DEFAULT_SIGNALS_SETTINGS, ...settings };
    this.#presence = new PresenceTracker({
      instanceId: deps.instanceId,
      clock: deps.clock,
      ttlMs: this.#settings.presenceTtlMs,
    });
    this.#typing = new TypingRelay({
      instanceId: deps.instanceId,
      clock: deps.clock,
      throttleMs: this.#settings.typingThrottleMs,
      expireMs: this.#settings.typingExpireMs,
    });
  }

  /** Listens to the bus, asks the other instances for their presence, starts the heartbeat and typing expiry. */
  async start(): Promise<void> {
    this.#unsubscribe = this.#deps.bus.subscribe((signal) => this.#receive(signal));
    this.#publish([{ kind: 'presence_sync', origin: this.#deps.instanceId }]);
    const ttl = this.#settings.presenceTtlMs;
    this.#heartbeat = setInterval(
      () => this.#publish(this.#presence.heartbeat()),
      Math.max(1, Math.floor(ttl / 3)),
    );
    this.#heartbeat.unref();
    // Expiry is checked far more often than reports are repeated: an instance that died is forgotten
    // at most a tenth of the ttl (5 s at most) after its last report ran out, not a third later.
    this.#expiry = setInterval(
      () => this.#apply(this.#presence.expire()),
      Math.max(50, Math.min(5_000, Math.floor(ttl / 10))),
    );
    this.#expiry.unref();
    this.#typingTick = setInterval(
      () => this.#stopTyping(this.#typing.expire()),
      this.#settings.typingTickMs,
    );
    this.#typingTick.unref();
  }

  /** After the bus reconnects: repeat this instance's presence and ask the others for theirs. */
  resync(): void {
    this.#publish([...this.#presence.heartbeat(), { kind: 'presence_sync', origin: this.#deps.instanceId }]);
  }

  // --- EphemeralRelay -------------------------------------------------------------------------

  connected(connection: LiveConnection): void {
    this.#apply(this.#presence.connect(connection.id, ref(connection.viewer)));
    if (!this.#contacts.has(connection.key)) {
      this.#contacts.set(connection.key, new Set());
      void this.#loadContacts(connection.viewer, connection.key, true);
    } else {
      this.#sendSnapshot(connection.key, [connection]);
    }
  }

  disconnected(connection: LiveConnection, _clean: boolean): void {
    // A dead socket is found by the heartbeats (within two pings), a clean close at once: either
    // way this instance knows the connection is gone, so presence moves now.
    this.#stopTyping(this.#typing.closeConnection(connection.id));
    this.#apply(this.#presence.disconnect(connection.id));
    if (this.#deps.hub.connectionsOf(connection.key).length === 0) this.#forgetContacts(connection.key);
  }

  touch(connection: LiveConnection): void {
    this.#presence.touch(connection.id);
  }

  async typing(connection: LiveConnection, conversationId: string, state: TypingState): Promise<void> {
    const recipients = await this.#audience(connection.viewer, connection.key, conversationId);
    const participant = ref(connection.viewer);
    const decision = this.#typing.input({
      connectionId: connection.id,
      participant,
      conversationId,
      state,
      recipients,
    });
    if (decision === 'drop') return;
    const frame: TypingFrame = { conversationId, participant, state, recipients };
    this.#deliverTyping(frame);
    this.#publish([this.#typing.signal(frame)]);
  }

  presence(connection: LiveConnection, status: ClientPresenceStatus): void {
    this.#apply(this.#presence.setStatus(connection.id, status));
  }

  observe(delivery: LiveDelivery): void {
    if (!MEMBERSHIP_EVENTS.has(delivery.event.type)) return;
    const key = participantKey(delivery.viewer);
    if (!this.#contacts.has(key) || this.#refreshing.has(key)) return;
    const timer = setTimeout(() => {
      this.#refreshing.delete(key);
      if (this.#contacts.has(key)) void this.#loadContacts(delivery.viewer, key, false);
    }, this.#settings.contactsRefreshMs);
    timer.unref();
    this.#refreshing.set(key, timer);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#expiry) clearInterval(this.#expiry);
    if (this.#typingTick) clearInterval(this.#typingTick);
    for (const timer of this.#refreshing.values()) clearTimeout(timer);
    this.#unsubscribe?.();
    try {
      await this.#deps.bus.publish(this.#presence.shutdown());
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'publishing instance_down failed');
    }
  }

  // --- PresenceSource -------------------------------------------------------------------------

  async presenceOf(viewer: Actor, refs: readonly ParticipantRef[]): Promise<PresenceEntry[]> {
    const key = participantKey(viewer);
    const known = this.#contacts.get(key);
    const contacts =
      known && known.size > 0
        ? known
        : new Set(
            (await this.#deps.feed.contactsOf(viewer, this.#settings.contactsLimit)).map(participantKey),
          );
    const entries: PresenceEntry[] = [];
    for (const participant of refs) {
      if (!contacts.has(participantKey(participant))) continue;
      const seen = presenceAsSeen(this.#deps.policy, participant.type, this.#presence.statusOf(participant));
      entries.push({
        participant: ref(participant),
        status: seen.status,
        lastActiveAt: seen.lastActiveAt?.toISOString() ?? null,
      });
    }
    return entries;
  }

  // --- internals ------------------------------------------------------------------------------

  #receive(signal: LiveSignal): void {
    if (signal.origin === this.#deps.instanceId) return;
    for (const frame of this.#typing.observe(signal)) this.#deliverTyping(frame);
    this.#apply(this.#presence.receive(signal));
  }

  #apply(update: PresenceUpdate): void {
    this.#publish(update.signals);
    for (const change of update.changes) this.#fanOut(change);
  }

  #publish(signals: readonly LiveSignal[]): void {
    for (const signal of signals)
      this.#deps.bus
        .publish(signal)
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'publishing a live signal failed'));
  }

  #presenceFrame(change: PresenceChange): ServerFrame {
    const seen = presenceAsSeen(this.#deps.policy, change.participant.type, change);
    return {
      type: 'presence',
      participant: ref(change.participant),
      status: seen.status,
      last_active_at: seen.lastActiveAt?.toISOString() ?? null,
    };
  }

  #fanOut(change: PresenceChange): void {
    const watchers = this.#watchers.get(participantKey(change.participant));
    if (!watchers) return;
    const frame = this.#presenceFrame(change);
    for (const watcher of watchers) this.#deps.hub.sendEphemeralTo(watcher, frame);
  }

  #deliverTyping(frame: TypingFrame): void {
    const wire: ServerFrame = {
      type: 'typing',
      conversation_id: frame.conversationId,
      participant: ref(frame.participant),
      state: frame.state,
    };
    for (const recipient of frame.recipients) this.#deps.hub.sendEphemeralTo(participantKey(recipient), wire);
  }

  #stopTyping(stops: readonly TypingStop[]): void {
    for (const stop of stops) {
      const frame: TypingFrame = { ...stop, state: 'stop' };
      this.#deliverTyping(frame);
      if (stop.publish) this.#publish([this.#typing.signal(frame)]);
    }
  }

  async #audience(viewer: Actor, key: string, conversationId: string): Promise<ParticipantRef[]> {
    const cacheKey = `${key}\u0000${conversationId}`;
    const now = Date.now();
    const cached = this.#audiences.get(cacheKey);
    if (cached && now - cached.at < this.#settings.typingThrottleMs) return cached.recipients;
    const recipients = await this.#deps.typingAudience(viewer, conversationId);
    if (this.#audiences.size > 10_000) this.#audiences.clear();
    this.#audiences.set(cacheKey, { recipients, at: now });
    return recipients;
  }

  async #loadContacts(viewer: Actor, key: string, snapshot: boolean): Promise<void> {
    let people: ParticipantRef[];
    try {
      people = await this.#deps.feed.contactsOf(viewer, this.#settings.contactsLimit);
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'reading contacts for presence failed');
      return;
    }
    const current = this.#contacts.get(key);
    if (!current) return; // disconnected meanwhile
    const next = new Set(people.map(participantKey));
    for (const contact of current) if (!next.has(contact)) this.#unwatch(contact, key);
    const added: string[] = [];
    for (const contact of next) {
      if (current.has(contact)) continue;
      let watchers = this.#watchers.get(contact);
      if (!watchers) {
        watchers = new Set();
        this.#watchers.set(contact, watchers);
      }
      watchers.add(key);
      added.push(contact);
    }
    this.#contacts.set(key, next);
    const byKey = new Map(people.map((p) => [participantKey(p), p]));
    const connections = this.#deps.hub.connectionsOf(key);
    // The first read tells every connection; later reads tell only about new contacts.
    const report = snapshot ? [...next] : added;
    for (const contact of report) {
      const participant = byKey.get(contact);
      if (!participant) continue;
      const view = this.#presence.statusOf(participant);
      if (view.status === 'offline') continue;
      const frame = this.#presenceFrame({ participant, ...view });
      for (const connection of connections) this.#deps.hub.sendEphemeral(connection, frame);
    }
  }

  #sendSnapshot(key: string, connections: readonly LiveConnection[]): void {
    for (const contact of this.#contacts.get(key) ?? []) {
      const [type, ...rest] = contact.split(':');
      const participant = { type: type ?? '', id: rest.join(':') };
      const view = this.#presence.statusOf(participant);
      if (view.status === 'offline') continue;
      const frame = this.#presenceFrame({ participant, ...view });
      for (const connection of connections) this.#deps.hub.sendEphemeral(connection, frame);
    }
  }

  #unwatch(contact: string, key: string): void {
    const watchers = this.#watchers.get(contact);
    watchers?.delete(key);
    if (watchers?.size === 0) this.#watchers.delete(contact);
  }

  #forgetContacts(key: string): void {
    for (const contact of this.#contacts.get(key) ?? []) this.#unwatch(contact, key);
    this.#contacts.delete(key);
    const timer = this.#refreshing.get(key);
    if (timer) clearTimeout(timer);
    this.#refreshing.delete(key);
  }
}
