import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import { decodeInboxCursor, decodeMessageCursor, encodeInboxCursor, encodeMessageCursor } from './cursor.js';

const forge = (payload: unknown[]) => Buffer.from(JSON.stringify(payload)).toString('base64url');
const YEAR_0 = Date.parse('0000-01-01T00:00:00.000Z');
const YEAR_10000 = Date.parse('+010000-01-01T00:00:00.000Z');

function refusal(decode: () => unknown): string | undefined {
  try {
    decode();
    return undefined;
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    return `${error.code} ${error.field}`;
  }
}

describe('cursors', () => {
  it('round-trip what the core issues', () => {
    const at = new Date('2026-01-01T12:00:00.000Z');
    expect(
      decodeInboxCursor(encodeInboxCursor({ snapshotAt: at, activityAt: at, conversationId: 'c-1' })),
    ).toEqual({
      snapshotAt: at,
      activityAt: at,
      conversationId: 'c-1',
    });
    expect(decodeMessageCursor(encodeMessageCursor({ conversationId: 'c-1', seq: 7 }), 'c-1')).toEqual({
      conversationId: 'c-1',
      seq: 7,
    });
  });

  it('refuse forged instants no store can hold (year 0, past 9999, the ends of JavaScript dates)', () => {
    for (const time of [YEAR_0, YEAR_10000, 8.64e15, -8.64e15]) {
      expect(refusal(() => decodeInboxCursor(forge(['i1', time, 0, 'c-1'])))).toBe('VALIDATION cursor');
      expect(refusal(() => decodeInboxCursor(forge(['i1', 0, time, 'c-1'])))).toBe('VALIDATION cursor');
    }
  });

  it('refuse forged positions: not a whole number from 1', () => {
    for (const seq of [0, -1, 1.5, 1e300, '1', null]) {
      expect(refusal(() => decodeMessageCursor(forge(['m2', 'c-1', seq]), 'c-1'))).toBe('VALIDATION cursor');
    }
  });

  it('refuse forged ids with NUL, an unpaired surrogate, or over 255 characters', () => {
    for (const id of ['a\u0000b', 'x\ud800', 'x'.repeat(256)]) {
      expect(refusal(() => decodeInboxCursor(forge(['i1', 0, 0, id])))).toBe('VALIDATION cursor');
      expect(refusal(() => decodeMessageCursor(forge(['m1', 'c-1', 0, id]), 'c-1'))).toBe(
        'VALIDATION cursor',
      );
    }
  });
});
