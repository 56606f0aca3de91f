import { MessagingError } from '../errors.js';

/**
 * Reads a page size every list use case accepts the same way: absent means `fallback`, anything but
 * a whole number from 1 to `max` is a validation error naming `field`.
 *
 * @example
 * ```ts
 * parseLimit(undefined, 20); // 20
 * parseLimit(500, 20); // throws VALIDATION "limit must be an integer between 1 and 100"
 * ```
 */
export function parseLimit(value: number | undefined, fallback: number, max = 100, field = 'limit'): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw MessagingError.validation(field, `${field} must be an integer between 1 and ${max}`);
  }
  return value;
}
