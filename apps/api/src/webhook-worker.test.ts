import type { DispatchRound, EventDispatcher, ProcessWebhooksResult } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { combineDispatchers, startWebhookWorker } from './webhook-worker.js';

function fakeDispatcher(name: string, round: DispatchRound, calls: string[]): EventDispatcher {
  return {
    register: async () => {
      calls.push(`${name}.register`);
    },
    runRound: async () => {
      calls.push(`${name}.round`);
      return round;
    },
    drain: async (maxRounds) => {
      calls.push(`${name}.drain(${maxRounds ?? ''})`);
      return round;
    },
  };
}

describe('combineDispatchers', () => {
  it('runs each dispatcher in turn and adds their rounds up', async () => {
    const calls: string[] = [];
    const combined = combineDispatchers(
      fakeDispatcher('email', { delivered: 2, more: false, failed: [] }, calls),
      fakeDispatcher('webhooks', { delivered: 3, more: true, failed: ['webhooks'] }, calls),
    );
    await combined.register();
    expect(await combined.runRound()).toEqual({ delivered: 5, more: true, failed: ['webhooks'] });
    expect(await combined.drain(7)).toEqual({ delivered: 5, more: true, failed: ['webhooks'] });
    expect(calls).toEqual([
      'email.register',
      'webhooks.register',
      'email.round',
      'webhooks.round',
      'email.drain(7)',
      'webhooks.drain(7)',
    ]);
  });
});

describe('startWebhookWorker', () => {
  const result: ProcessWebhooksResult = {
    attempted: 1,
    delivered: 1,
    retrying: 0,
    failed: 0,
    disabledEndpoints: [],
    errors: [],
  };
  const log = { info: () => {}, warn: () => {}, error: () => {} };

  it('drains first, never overlaps runs, and logs instead of throwing', async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const worker = startWebhookWorker(
      {
        processDeliveries: async (input) => {
          order.push(`process:${input.limit}`);
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return result;
        },
      },
      { intervalMs: null, batchSize: 7, workerId: 'w1', beforeRun: async () => order.push('drain') },
      log,
    );
    const first = worker.runOnce();
    const second = worker.runOnce();
    expect(second).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    expect(await first).toEqual(result);
    expect(order).toEqual(['drain', 'process:7']);
    const errors: unknown[] = [];
    const failing = startWebhookWorker(
      { processDeliveries: async () => Promise.reject(new Error('database down')) },
      { intervalMs: null },
      { ...log, error: (object: unknown) => errors.push(object) },
    );
    expect(await failing.runOnce()).toBeNull();
    expect(errors).toHaveLength(1);
    await Promise.all([worker.stop(), failing.stop()]);
  });
});
