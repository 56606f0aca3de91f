import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LiveSignal, MAX_SIGNAL_BYTES } from '../../model/live-signal.js';
import { utf8Bytes } from '../../model/signal-codec.js';
import type { LiveSignalBus } from '../../ports/live-signal-bus.js';

export interface LiveSignalBusContractOptions {
  readonly name: string;
  /**
   * A new, unstarted bus on `channel` (a fresh name per test, `[a-z_][a-z0-9_]*`, under 40
   * characters). Buses created with the same channel must hear each other, as two API instances
   * would; the suite starts and closes them.
   */
  readonly create: (channel: string) => LiveSignalBus;
}

const WAIT = { timeout: 5_000, interval: 5 };

let sequence = 0;
function freshChannel(): string {
  sequence += 1;
  return `contract_${process.pid}_${Date.now().toString(36)}_${sequence}`;
}

function typing(origin: string, id: string, state: 'start' | 'stop' = 'start'): LiveSignal {
  return {
    kind: 'typing',
    origin,
    conversationId: 'c-1',
    participant: { type: 'user', id },
    state,
    recipients: [{ type: 'user', id: 'reader' }],
  };
}

/** A typing signal whose JSON is exactly `bytes` long in UTF-8, with a name full of multi-byte characters. */
function signalOfBytes(bytes: number): LiveSignal {
  const base = utf8Bytes(JSON.stringify(typing('api-1', '')));
  const wide = 'é漢😀'; // 2 + 3 + 4 bytes
  const room = bytes - base;
  const id = wide.repeat(Math.floor(room / 9)) + 'x'.repeat(room % 9);
  const signal = typing('api-1', id);
  expect(utf8Bytes(JSON.stringify(signal))).toBe(bytes);
  return signal;
}

/**
 * The `LiveSignalBus` contract: every bus on a channel hears every signal (the publisher's own
 * subscribers included) in each publisher's order, and nothing from other channels; signals over
 * `MAX_SIGNAL_BYTES` (counted in UTF-8) are refused before sending; `start` resolves only once
 * subscribed; `close` is idempotent and ends publishing.
 *
 * @example
 * ```ts
 * const hub = new InMemorySignalHub();
 * liveSignalBusContract({ name: 'in-memory', create: (channel) => new InMemoryLiveSignalBus({ hub, channel }) });
 * ```
 */
export function liveSignalBusContract(options: LiveSignalBusContractOptions): void {
  describe(`LiveSignalBus contract: ${options.name}`, () => {
    const opened: LiveSignalBus[] = [];

    function bus(channel: string): LiveSignalBus {
      const created = options.create(channel);
      opened.push(created);
      return created;
    }

    async function started(channel: string): Promise<LiveSignalBus> {
      const created = bus(channel);
      await created.start();
      return created;
    }

    function record(target: LiveSignalBus): LiveSignal[] {
      const received: LiveSignal[] = [];
      target.subscribe((signal) => received.push(signal));
      return received;
    }

    /** Publishes a marker on `via` and waits until `received` has it: whatever was sent before has arrived. */
    async function settle(via: LiveSignalBus, ...received: LiveSignal[][]): Promise<void> {
      const marker = { kind: 'presence_sync', origin: `marker-${Math.random()}` } as const;
      await via.publish(marker);
      await vi.waitFor(() => {
        for (const list of received) expect(list.map((s) => s.origin)).toContain(marker.origin);
      }, WAIT);
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    it('delivers a signal published by either bus to both, the publisher included', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const two = await started(channel);
      const atOne = record(one);
      const atTwo = record(two);
      await one.publish(typing('api-1', 'ann'));
      await two.publish({ kind: 'instance_down', origin: 'api-2' });
      await vi.waitFor(() => {
        expect(atOne).toHaveLength(2);
        expect(atTwo).toHaveLength(2);
      }, WAIT);
      for (const received of [atOne, atTwo]) {
        expect(received).toContainEqual(typing('api-1', 'ann'));
        expect(received).toContainEqual({ kind: 'instance_down', origin: 'api-2' });
      }
    });

    it('gives every subscriber of a bus the signal, each its own copy', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const first = record(one);
      const second = record(one);
      await one.publish(typing('api-1', 'ann'));
      await vi.waitFor(() => expect(second).toHaveLength(1), WAIT);
      expect(first).toEqual(second);
      expect(first[0]).not.toBe(second[0]);
    });

    it("keeps each publisher's order (200 signals sent without waiting)", async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const two = await started(channel);
      const atTwo = record(two);
      const sends = Array.from({ length: 200 }, (_, i) => one.publish(typing('api-1', `p${i}`)));
      await Promise.all(sends);
      await vi.waitFor(() => expect(atTwo).toHaveLength(200), WAIT);
      expect(atTwo.map((s) => (s.kind === 'typing' ? s.participant.id : s.kind))).toEqual(
        Array.from({ length: 200 }, (_, i) => `p${i}`),
      );
    });

    it('stops delivering to a listener once unsubscribed', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const kept = record(one);
      const dropped: LiveSignal[] = [];
      const stop = one.subscribe((signal) => dropped.push(signal));
      await one.publish(typing('api-1', 'before'));
      await vi.waitFor(() => expect(dropped).toHaveLength(1), WAIT);
      stop();
      await one.publish(typing('api-1', 'after'));
      await settle(one, kept);
      expect(kept.filter((s) => s.kind === 'typing')).toHaveLength(2);
      expect(dropped).toEqual([typing('api-1', 'before')]);
    });

    it(`rejects a signal over ${MAX_SIGNAL_BYTES} bytes of UTF-8 with a RangeError and sends nothing`, async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const two = await started(channel);
      const atTwo = record(two);
      const tooLarge = signalOfBytes(MAX_SIGNAL_BYTES + 1);
      // Fewer UTF-16 code units than the limit: a bus counting string length would let it through.
      expect(JSON.stringify(tooLarge).length).toBeLessThan(MAX_SIGNAL_BYTES);
      await expect(one.publish(tooLarge)).rejects.toBeInstanceOf(RangeError);
      await settle(one, atTwo);
      expect(atTwo.filter((s) => s.kind === 'typing')).toEqual([]);
    });

    it(`carries a signal of exactly ${MAX_SIGNAL_BYTES} bytes with multi-byte names intact`, async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const two = await started(channel);
      const atTwo = record(two);
      const largest = signalOfBytes(MAX_SIGNAL_BYTES);
      await one.publish(largest);
      await vi.waitFor(() => expect(atTwo).toHaveLength(1), WAIT);
      expect(atTwo[0]).toEqual(largest);
    });

    it('keeps channels apart', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const other = await started(freshChannel());
      const atOther = record(other);
      await one.publish(typing('api-1', 'ann'));
      await settle(other, atOther);
      expect(atOther.filter((s) => s.kind === 'typing')).toEqual([]);
    });

    it('hears a signal published right after start resolved', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const two = bus(channel);
      const atTwo = record(two);
      await two.start();
      await one.publish(typing('api-1', 'first'));
      await vi.waitFor(() => expect(atTwo).toEqual([typing('api-1', 'first')]), WAIT);
    });

    it('rejects publishing after close, and closes idempotently', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      await one.close();
      await expect(one.publish(typing('api-1', 'late'))).rejects.toThrow();
      await expect(one.close()).resolves.toBeUndefined();
      const never = bus(channel);
      await expect(never.close()).resolves.toBeUndefined();
      await expect(never.close()).resolves.toBeUndefined();
    });

    it('delivers nothing to a closed bus', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      const two = await started(channel);
      const atOne = record(one);
      const atTwo = record(two);
      await two.close();
      await one.publish(typing('api-1', 'ann'));
      await settle(one, atOne);
      expect(atTwo).toEqual([]);
    });

    it('keeps delivering to the other listeners when one throws', async () => {
      const channel = freshChannel();
      const one = await started(channel);
      one.subscribe(() => {
        throw new Error('listener failure');
      });
      const atOne = record(one);
      await one.publish(typing('api-1', 'ann'));
      await one.publish(typing('api-1', 'bob'));
      await vi.waitFor(() => expect(atOne).toHaveLength(2), WAIT);
    });
  });
}
