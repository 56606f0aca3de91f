import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODERATION_SETTINGS, type ModerationVerdict } from '../model/moderation.js';
import type { ContentModerator } from '../ports/content-moderator.js';
import { composeModerators, type ModeratorEntry } from './compose-moderators.js';

const request = {
  kind: 'send' as const,
  tenantId: 's1',
  conversationId: 'c1',
  sender: { type: 'customer', id: 'u1' },
  content: 'hello',
  settings: DEFAULT_MODERATION_SETTINGS,
};

function fixed(name: string, verdict: ModerationVerdict, seen: string[] = []): ContentModerator {
  return {
    name,
    async moderate({ content }) {
      seen.push(`${name}:${content}`);
      return verdict;
    },
  };
}

const entry = (
  moderator: ContentModerator,
  onFailure: ModeratorEntry['onFailure'] = 'fail_open',
): ModeratorEntry => ({
  moderator,
  timeoutMs: 100,
  onFailure,
});

afterEach(() => {
  vi.useRealTimers();
});

describe('composeModerators', () => {
  it('allows with no moderators and with allowing ones', async () => {
    expect(await composeModerators([]).moderate(request)).toEqual({
      action: 'allow',
      content: 'hello',
      reason: null,
      rewritten: false,
    });
    expect((await composeModerators([entry(fixed('a', { action: 'allow' }))]).moderate(request)).action).toBe(
      'allow',
    );
  });

  it('runs in order, each seeing the previous rewrite', async () => {
    const seen: string[] = [];
    const chain = composeModerators([
      entry(fixed('a', { action: 'rewrite', content: 'h***o', reason: 'masked' }, seen)),
      entry(fixed('b', { action: 'flag', reason: 'odd' }, seen)),
    ]);
    expect(await chain.moderate(request)).toEqual({
      action: 'flag',
      content: 'h***o',
      reason: 'odd',
      rewritten: true,
    });
    expect(seen).toEqual(['a:hello', 'b:h***o']);
  });

  it('stops at the first reject', async () => {
    const seen: string[] = [];
    const chain = composeModerators([
      entry(fixed('a', { action: 'flag', reason: 'f' }, seen)),
      entry(fixed('b', { action: 'reject', reason: 'no' }, seen)),
      entry(fixed('c', { action: 'allow' }, seen)),
    ]);
    expect(await chain.moderate(request)).toMatchObject({ action: 'reject', reason: 'no' });
    expect(seen).toEqual(['a:hello', 'b:hello']);
  });

  it('hold wins over flag whatever the order', async () => {
    const chain = composeModerators([
      entry(fixed('a', { action: 'flag', reason: 'f' })),
      entry(fixed('b', { action: 'hold', reason: 'h' })),
    ]);
    expect(await chain.moderate(request)).toMatchObject({ action: 'hold', reason: 'h' });
  });

  it('a thrown error fails open or closed as configured', async () => {
    const broken: ContentModerator = {
      name: 'remote',
      moderate: async () => {
        throw new Error('down');
      },
    };
    expect((await composeModerators([entry(broken, 'fail_open')]).moderate(request)).action).toBe('allow');
    expect(await composeModerators([entry(broken, 'fail_closed')]).moderate(request)).toMatchObject({
      action: 'hold',
      reason: 'moderator remote unavailable',
    });
  });

  it('a moderator past its time limit is aborted and fails as configured (fake timers)', async () => {
    vi.useFakeTimers();
    let aborted = false;
    const slow: ContentModerator = {
      name: 'slow',
      moderate: ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
          setTimeout(() => resolve({ action: 'reject', reason: 'too late' }), 10_000);
        }),
    };
    const closed = composeModerators([entry(slow, 'fail_closed')]).moderate(request);
    await vi.advanceTimersByTimeAsync(100);
    expect(await closed).toMatchObject({ action: 'hold', reason: 'moderator slow unavailable' });
    expect(aborted).toBe(true);

    const open = composeModerators([
      entry(slow, 'fail_open'),
      entry(fixed('next', { action: 'flag', reason: 'n' })),
    ]).moderate(request);
    await vi.advanceTimersByTimeAsync(100);
    expect(await open).toMatchObject({ action: 'flag', reason: 'n' });
  });

  it('a moderator answering in time is not cut short', async () => {
    vi.useFakeTimers();
    const quick: ContentModerator = {
      name: 'quick',
      moderate: () =>
        new Promise((resolve) => setTimeout(() => resolve({ action: 'flag', reason: 'q' }), 99)),
    };
    const outcome = composeModerators([entry(quick, 'fail_closed')]).moderate(request);
    await vi.advanceTimersByTimeAsync(99);
    expect(await outcome).toMatchObject({ action: 'flag', reason: 'q' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
