import { createInMemoryMessaging, FixedClock } from '@parley/messaging-core/testing';
import { describe, expect, it } from 'vitest';
import { startAttachmentSweep } from './attachment-sweep.js';

/** A logger keeping what it was told. */
function memoryLog() {
  const lines: string[] = [];
  return {
    lines,
    info: (_object: unknown, message?: string) => lines.push(`info ${message}`),
    error: (_object: unknown, message?: string) => lines.push(`error ${message}`),
  };
}

async function* bytes() {
  yield new Uint8Array([1, 2, 3]);
}

describe('startAttachmentSweep', () => {
  it('removes unreferenced files past the grace period on its timer, and stops', async () => {
    const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));
    const { core, attachments } = createInMemoryMessaging({ clock });
    await attachments.put({ path: 'uploads/messages/2026/05/c/old.bin', content: bytes() });
    clock.advance(2 * 60_000);
    await attachments.put({ path: 'uploads/messages/2026/05/c/new.bin', content: bytes() });
    const sweep = startAttachmentSweep(
      core,
      { intervalMs: 10, graceMs: 60_000 },
      clock,
      memoryLog() as never,
    );
    await expect
      .poll(() => attachments.paths(), { timeout: 2000 })
      .toEqual(['uploads/messages/2026/05/c/new.bin']);
    await sweep.stop();
    clock.advance(10 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(attachments.paths()).toEqual(['uploads/messages/2026/05/c/new.bin']);
    await sweep.runOnce();
    expect(attachments.paths()).toEqual([]);
  });

  it('never runs when the interval is off, and logs instead of throwing', async () => {
    const { core } = createInMemoryMessaging();
    const broken = { ...core, sweepOrphanFiles: async () => Promise.reject(new Error('disk gone')) };
    const log = memoryLog();
    const sweep = startAttachmentSweep(
      broken,
      { intervalMs: null, graceMs: 1 },
      new FixedClock(),
      log as never,
    );
    await sweep.runOnce();
    await sweep.stop();
    expect(log.lines).toEqual(['error attachment sweep failed']);
  });
});
