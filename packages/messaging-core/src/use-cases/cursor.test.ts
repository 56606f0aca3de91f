import { describe, expect, it } from 'vitest';
import {
  decodeAdminNotificationCursor,
  encodeAdminNotificationCursor,
} from '../admin-notifications/admin-notification-cursor.js';
import { decodeEmailLogCursor, encodeEmailLogCursor } from '../email/email-log-cursor.js';
import { isMessagingError } from '../errors.js';
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
    expect(decodeEmailLogCursor(encodeEmailLogCursor({ createdAt: at, id: 'e-1' }))).toEqual({
      createdAt: at,
      id: 'e-1',
    });
  });

  it('refuse forged instants no store can hold (year 0, past 9999, the ends of JavaScript dates)', () => {
    for (const time of [YEAR_0, YEAR_10000, 8.64e15, -8.64e15]) {
      expect(refusal(() => decodeInboxCursor(forge(['i1', time, 0, 'c-1'])))).toBe('VALIDATION cursor');
      expect(refusal(() => decodeInboxCursor(forge(['i1', 0, time, 'c-1'])))).toBe('VALIDATION cursor');
      expect(refusal(() => decodeEmailLogCursor(forge(['e1', time, 'e-1']), 'cursor'))).toBe(
        'VALIDATION cursor',
      );
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
      expect(refusal(() => decodeEmailLogCursor(forge(['e1', 0, id]), 'cursor'))).toBe('VALIDATION cursor');
    }
  });

  it('page one list each: an email-log cursor never pages admin notifications, nor the reverse', () => {
    const at = new Date('2026-01-01T12:00:00.000Z');
    const alerts = encodeAdminNotificationCursor({ createdAt: at, id: 'n-1' });
    const emails = encodeEmailLogCursor({ createdAt: at, id: 'n-1' });
    expect(alerts).not.toBe(emails);
    expect(decodeAdminNotificationCursor(alerts)).toEqual({ createdAt: at, id: 'n-1' });
    expect(refusal(() => decodeEmailLogCursor(alerts))).toBe('VALIDATION cursor');
    const inbox = encodeInboxCursor({ snapshotAt: at, activityAt: at, conversationId: 'c-1' });
    expect(refusal(() => decodeAdminNotificationCursor(inbox))).toBe('VALIDATION cursor');
    expect(refusal(() => decodeEmailLogCursor(inbox))).toBe('VALIDATION cursor');
  });

  it('still read an admin-notification page link issued before it had its own tag', () => {
    const at = new Date('2026-01-01T12:00:00.000Z');
    expect(decodeAdminNotificationCursor(forge(['e1', at.getTime(), 'n-1']))).toEqual({
      createdAt: at,
      id: 'n-1',
    });
  });
});
