import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import { decodeEmailLogCursor, encodeEmailLogCursor } from './email-log-cursor.js';

const forge = (payload: unknown[]) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function refusal(decode: () => unknown): string | undefined {
  try {
    decode();
    return undefined;
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    return `${error.code} ${error.field}`;
  }
}

describe('email-log cursors', () => {
  it('round-trip what the email log issues', () => {
    const at = new Date('2026-01-01T12:00:00.000Z');
    expect(decodeEmailLogCursor(encodeEmailLogCursor({ createdAt: at, id: 'e-1' }))).toEqual({
      createdAt: at,
      id: 'e-1',
    });
  });

  it('refuse a cursor of another list (admin notifications, the inbox)', () => {
    expect(refusal(() => decodeEmailLogCursor(forge(['a1', 0, 'n-1'])))).toBe('VALIDATION cursor');
    expect(refusal(() => decodeEmailLogCursor(forge(['i1', 0, 0, 'c-1'])))).toBe('VALIDATION cursor');
  });
});
