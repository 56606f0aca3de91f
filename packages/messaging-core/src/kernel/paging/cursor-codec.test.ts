import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../errors.js';
import { decodeCursor, decodeTimeIdCursor, encodeCursor, encodeTimeIdCursor } from './cursor-codec.js';

const forge = (payload: unknown[]) => Buffer.from(JSON.stringify(payload)).toString('base64url');
const YEAR_0 = Date.parse('0000-01-01T00:00:00.000Z');
const YEAR_10000 = Date.parse('+010000-01-01T00:00:00.000Z');
const at = new Date('2026-01-01T12:00:00.000Z');

function refusal(decode: () => unknown): string | undefined {
  try {
    decode();
    return undefined;
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    return `${error.code} ${error.field}`;
  }
}

describe('the cursor codec', () => {
  it('round-trips a payload as URL-safe text', () => {
    const payload = ['x1', 1, 'ünïcødé/+=', null];
    const cursor = encodeCursor(payload);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'cursor')).toEqual(payload);
  });

  it('refuses what it did not produce, naming the field', () => {
    for (const cursor of ['', 'a'.repeat(1025), 'not base64!', forge({ not: 'an array' } as never), 'e30']) {
      expect(refusal(() => decodeCursor(cursor, 'page'))).toBe('VALIDATION page');
    }
  });

  it('round-trips a time-and-id keyset under its tag, and refuses any other tag', () => {
    const cursor = encodeTimeIdCursor('t1', { createdAt: at, id: 'e-1' });
    expect(decodeTimeIdCursor(cursor, ['t1'])).toEqual({ createdAt: at, id: 'e-1' });
    expect(decodeTimeIdCursor(cursor, ['t0', 't1'])).toEqual({ createdAt: at, id: 'e-1' });
    expect(refusal(() => decodeTimeIdCursor(cursor, ['t2']))).toBe('VALIDATION cursor');
  });

  it('refuses forged instants no store can hold (year 0, past 9999, the ends of JavaScript dates)', () => {
    for (const time of [YEAR_0, YEAR_10000, 8.64e15, -8.64e15, '0', null]) {
      expect(refusal(() => decodeTimeIdCursor(forge(['t1', time, 'e-1']), ['t1']))).toBe('VALIDATION cursor');
    }
  });

  it('refuses forged ids with NUL, an unpaired surrogate, or over 255 characters', () => {
    for (const id of ['a\u0000b', 'x\ud800', 'x'.repeat(256), '', 7]) {
      expect(refusal(() => decodeTimeIdCursor(forge(['t1', 0, id]), ['t1'], 'after'))).toBe(
        'VALIDATION after',
      );
    }
  });
});
