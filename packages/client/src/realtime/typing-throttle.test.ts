import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingThrottle } from './typing-throttle.js';

describe('TypingThrottle', () => {
  let sent: string[];
  let throttle: TypingThrottle;

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    sent = [];
    throttle = new TypingThrottle((id, state) => sent.push(`${id}:${state}`), {
      intervalMs: 2_000,
      idleMs: 3_000,
    });
  });
  afterEach(() => vi.useRealTimers());

  it('sends a start at most once per 2 s while keystrokes keep coming', () => {
    for (let t = 0; t < 5_000; t += 100) {
      throttle.typing('c1');
      vi.advanceTimersByTime(100);
    }
    // Keystrokes from 0 to 4.9 s: starts at 0, 2 s and 4 s; no stop while typing.
    expect(sent).toEqual(['c1:start', 'c1:start', 'c1:start']);
  });

  it('sends a stop after the idle time, and a new start after that', () => {
    throttle.typing('c1');
    vi.advanceTimersByTime(2_999);
    expect(sent).toEqual(['c1:start']);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['c1:start', 'c1:stop']);
    throttle.typing('c1');
    expect(sent).toEqual(['c1:start', 'c1:stop', 'c1:start']);
  });

  it('stop() sends a stop at once, only when a start is standing, and cancels the idle stop', () => {
    throttle.stop('c1');
    expect(sent).toEqual([]);
    throttle.typing('c1');
    throttle.stop('c1');
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual(['c1:start', 'c1:stop']);
  });

  it('throttles each conversation on its own; reset() forgets without sending', () => {
    throttle.typing('c1');
    throttle.typing('c2');
    throttle.typing('c1');
    expect(sent).toEqual(['c1:start', 'c2:start']);
    expect(throttle.active).toEqual(['c1', 'c2']);
    throttle.reset();
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual(['c1:start', 'c2:start']);
    expect(throttle.active).toEqual([]);
  });
});
