/**
 * The current time, injected so tests control it.
 *
 * @example
 * ```ts
 * const systemClock: Clock = { now: () => new Date() };
 * ```
 */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
