import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../errors.js';
import { parseLimit } from './parse-limit.js';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!isMessagingError(error)) throw error;
    return `${error.code} ${error.field} ${error.message}`;
  }
}

describe('parseLimit', () => {
  it('takes the fallback when absent and any whole number from 1 to max', () => {
    expect(parseLimit(undefined, 20)).toBe(20);
    expect(parseLimit(1, 20)).toBe(1);
    expect(parseLimit(100, 20)).toBe(100);
    expect(parseLimit(7, 20, 7)).toBe(7);
  });

  it('refuses anything else, naming the field', () => {
    for (const value of [0, -1, 1.5, 101, Number.NaN]) {
      expect(refusal(() => parseLimit(value, 20))).toBe(
        'VALIDATION limit limit must be an integer between 1 and 100',
      );
    }
    expect(refusal(() => parseLimit(51, 20, 50, 'message_limit'))).toBe(
      'VALIDATION message_limit message_limit must be an integer between 1 and 50',
    );
  });
});
