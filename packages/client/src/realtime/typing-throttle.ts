/** When typing frames go out. */
export interface TypingThrottleOptions {
  /** At most one `start` per conversation per this many ms (default 2000: the server relays one per 2 s). */
  readonly intervalMs?: number;
  /** A `stop` goes out this long after the last keystroke (default 3000; the server gives up after 6 s). */
  readonly idleMs?: number;
}

/**
 * Turns keystrokes into typing frames: the first `typing(id)` sends `start`, later ones send
 * another `start` at most once per `intervalMs` (refreshing the indicator, which the server drops
 * after 6 s without one), and `stop` goes out after `idleMs` without a keystroke, or at once on
 * `stop(id)` (sending the message). Uses `setTimeout`; `send` is called synchronously.
 */
export class TypingThrottle {
  readonly #intervalMs: number;
  readonly #idleMs: number;
  readonly #typing = new Map<string, { lastStartAt: number; idle: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly send: (conversationId: string, state: 'start' | 'stop') => void,
    options: TypingThrottleOptions = {},
    private readonly now: () => number = () => Date.now(),
  ) {
    this.#intervalMs = options.intervalMs ?? 2_000;
    this.#idleMs = options.idleMs ?? 3_000;
  }

  /** A keystroke in `conversationId`. */
  typing(conversationId: string): void {
    const at = this.now();
    const current = this.#typing.get(conversationId);
    if (current) clearTimeout(current.idle);
    const idle = setTimeout(() => this.stop(conversationId), this.#idleMs);
    if (!current || at - current.lastStartAt >= this.#intervalMs) {
      this.#typing.set(conversationId, { lastStartAt: at, idle });
      this.send(conversationId, 'start');
    } else this.#typing.set(conversationId, { lastStartAt: current.lastStartAt, idle });
  }

  /** The person stopped (sent, cleared the draft, left): `stop` now if a `start` is standing. */
  stop(conversationId: string): void {
    const current = this.#typing.get(conversationId);
    if (!current) return;
    clearTimeout(current.idle);
    this.#typing.delete(conversationId);
    this.send(conversationId, 'stop');
  }

  /** Forgets every standing indicator without sending (the connection is gone: the server stops them). */
  reset(): void {
    for (const { idle } of this.#typing.values()) clearTimeout(idle);
    this.#typing.clear();
  }

  /** The conversations with a standing `start`. */
  get active(): string[] {
    return [...this.#typing.keys()];
  }
}
