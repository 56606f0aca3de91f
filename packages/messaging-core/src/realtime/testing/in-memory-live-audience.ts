import { type Actor, participantKey } from '../../kernel/model/participant-ref.js';
import type { LiveAudience } from '../live-feed.js';

/**
 * A fixed set of connected people as a `LiveAudience` (what a transport holds), for tests of the
 * live feed and of what builds on it.
 *
 * @example
 * ```ts
 * const batch = await feed.next(LOG_START, inMemoryLiveAudience([ada, sam]), 500);
 * ```
 */
export function inMemoryLiveAudience(people: readonly Actor[]): LiveAudience {
  const byKey = new Map(people.map((p) => [participantKey(p), p]));
  return {
    get: (key) => byKey.get(key),
    ofType: (type) => people.filter((p) => p.type === type),
  };
}
