import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import { decodeAdminNotificationCursor, encodeAdminNotificationCursor } from './admin-notification-cursor.js';

const forge = (payload: unknown[]) => Buffer.from(JSON.stringify(payload)).toString('base64url');
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

describe('admin-notification cursors', () => {
  it('round-trip under their own tag, distinct from the email log', () => {
    const cursor = encodeAdminNotificationCursor({ createdAt: at, id: 'n-1' });
    expect(decodeAdminNotificationCursor(cursor)).toEqual({ createdAt: at, id: 'n-1' });
    expect(Buffer.from(cursor, 'base64url').toString()).toBe(`["a1",${at.getTime()},"n-1"]`);
  });

  it('still read a page link issued before they had their own tag (e1)', () => {
    expect(decodeAdminNotificationCursor(forge(['e1', at.getTime(), 'n-1']))).toEqual({
      createdAt: at,
      id: 'n-1',
    });
  });

  it('refuse a cursor of another list, naming the field', () => {
    expect(refusal(() => decodeAdminNotificationCursor(forge(['i1', 0, 0, 'c-1']), 'cursor'))).toBe(
      'VALIDATION cursor',
    );
    expect(refusal(() => decodeAdminNotificationCursor(forge(['m2', 'c-1', 1])))).toBe('VALIDATION cursor');
  });
});
