import type { Clock } from '../ports/clock.js';

/**
 * A clock tests move by hand.
 *
 * @example
 * ```ts
 * const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));
 * clock.advance(1000);
 * clock.now().toISOString(); // "2026-01-01T00:00:01.000Z"
 * ```
 */
export class FixedClock implements Clock {
  #now: number;
  readonly #autoAdvanceMs: number;

  /** With `autoAdvanceMs`, every `now()` moves time forward by that much after reading it. */
  constructor(start: Date = new Date('2026-01-01T00:00:00.000Z'), options: { autoAdvanceMs?: number } = {}) {
    this.#now = start.getTime();
    this.#autoAdvanceMs = options.autoAdvanceMs ?? 0;
  }

  now(): Date {
    const now = new Date(this.#now);
    this.#now += this.#autoAdvanceMs;
    return now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  set(to: Date): void {
    this.#now = to.getTime();
  }
}
