import { describe, expect, it } from 'vitest';
import type { ParticipantRef } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import type { LiveSignal, TypingState } from './model/live-signal.js';
import { type TypingInput, TypingRelay } from './typing-relay.js';

const ANN: ParticipantRef = { type: 'user', id: 'ann' };
const BOB: ParticipantRef = { type: 'user', id: 'bob' };

function setup() {
  const clock = new FixedClock(new Date('2026-05-01T10:00:00.000Z'));
  const one = new TypingRelay({ instanceId: 'api-1', clock });
  const two = new TypingRelay({ instanceId: 'api-2', clock });
  return { clock, one, two };
}

function frame(state: TypingState, connectionId = 'c1', conversationId = 'conv-1'): TypingInput {
  return { connectionId, participant: ANN, conversationId, state, recipients: [BOB] };
}

/** Relays `input` at `from` as the transport would: on 'relay', publishes the signal. */
function typed(from: TypingRelay, input: TypingInput): LiveSignal | null {
  return from.input(input) === 'relay' ? from.signal(input) : null;
}

describe('TypingRelay', () => {
  it('relays a start at most once per 2 s per person and conversation', () => {
    const { one, clock } = setup();
    expect(one.input(frame('start'))).toBe('relay');
    clock.advance(1_999);
    expect(one.input(frame('start'))).toBe('drop');
    expect(one.input(frame('start', 'c1', 'conv-2'))).toBe('relay'); // another conversation
    clock.advance(1);
    expect(one.input(frame('start'))).toBe('relay');
    expect(one.input(frame('start', 'c2'))).toBe('drop'); // another tab of hers, same conversation
  });

  it('relays a stop only when the person was typing there, and a start right after it', () => {
    const { one } = setup();
    expect(one.input(frame('stop'))).toBe('drop');
    expect(one.input(frame('start'))).toBe('relay');
    expect(one.input(frame('stop'))).toBe('relay');
    expect(one.input(frame('stop'))).toBe('drop');
    expect(one.input(frame('start'))).toBe('relay');
  });

  it('turns a start not refreshed for 6 s into a stop its origin publishes', () => {
    const { one, clock } = setup();
    one.input(frame('start'));
    clock.advance(5_999);
    expect(one.expire()).toEqual([]);
    clock.advance(1);
    expect(one.expire()).toEqual([
      { conversationId: 'conv-1', participant: ANN, recipients: [BOB], publish: true },
    ]);
    expect(one.expire()).toEqual([]);
    expect(one.input(frame('stop'))).toBe('drop');
  });

  it('keeps a start alive while it is refreshed, even by throttled frames', () => {
    const { one, clock } = setup();
    one.input(frame('start'));
    for (let i = 0; i < 10; i += 1) {
      clock.advance(1_000);
      one.input(frame('start'));
      expect(one.expire()).toEqual([]);
    }
  });

  it('stops what a closing connection started, unless another connection of the person still types there', () => {
    const { one } = setup();
    one.input(frame('start', 'c1', 'conv-1'));
    one.input(frame('start', 'c1', 'conv-2'));
    one.input(frame('start', 'c2', 'conv-2'));
    const stops = one.closeConnection('c1');
    expect(stops).toEqual([{ conversationId: 'conv-1', participant: ANN, recipients: [BOB], publish: true }]);
    expect(one.closeConnection('c2').map((s) => s.conversationId)).toEqual(['conv-2']);
    expect(one.closeConnection('c3')).toEqual([]);
  });

  it('delivers other instances’ frames, expiring their starts locally without publishing', () => {
    const { one, two, clock } = setup();
    const start = typed(one, frame('start')) as LiveSignal;
    expect(two.observe(start)).toEqual([
      { conversationId: 'conv-1', participant: ANN, state: 'start', recipients: [BOB] },
    ]);
    expect(one.observe(start)).toEqual([]); // its own
    clock.advance(6_000);
    // Both expire it; only the origin publishes, and its stop is then dropped by the other.
    const atTwo = two.expire();
    const atOne = one.expire();
    expect(atTwo.map((s) => s.publish)).toEqual([false]);
    expect(atOne.map((s) => s.publish)).toEqual([true]);
    const published = one.signal({ ...(atOne[0] as (typeof atOne)[0]), state: 'stop' });
    expect(two.observe(published)).toEqual([]);
  });

  it('delivers a relayed stop once and stops everything of an instance going down', () => {
    const { one, two } = setup();
    two.observe(typed(one, frame('start', 'c1', 'conv-1')) as LiveSignal);
    two.observe(typed(one, frame('start', 'c1', 'conv-2')) as LiveSignal);
    const stop = typed(one, frame('stop', 'c1', 'conv-1')) as LiveSignal;
    expect(two.observe(stop).map((f) => f.state)).toEqual(['stop']);
    expect(two.observe(stop)).toEqual([]);
    expect(two.observe({ kind: 'instance_down', origin: 'api-1' })).toEqual([
      { conversationId: 'conv-2', participant: ANN, state: 'stop', recipients: [BOB] },
    ]);
    expect(two.expire()).toEqual([]);
  });

  it('expires an origin’s start at the other instance when the origin dies silently', () => {
    const { one, two, clock } = setup();
    two.observe(typed(one, frame('start')) as LiveSignal);
    clock.advance(6_000);
    expect(two.expire()).toEqual([
      { conversationId: 'conv-1', participant: ANN, recipients: [BOB], publish: false },
    ]);
  });

  it('ignores presence signals', () => {
    const { two } = setup();
    expect(two.observe({ kind: 'presence_sync', origin: 'api-1' })).toEqual([]);
  });
});
