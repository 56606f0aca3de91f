import { MessagingError, type MessagingErrorCode } from '@parley/messaging-core';
import type { LiquidFailureKind, LiquidOutcome } from './liquid-engine.js';

const CODES: Readonly<Record<LiquidFailureKind, MessagingErrorCode>> = {
  invalid: 'VALIDATION',
  timeout: 'TEMPLATE_TIMEOUT',
  too_large: 'TEMPLATE_TOO_LARGE',
};

/** The value of a successful outcome, or the `MessagingError` (field `template`) a failure means. */
export function unwrapOutcome<T>(outcome: LiquidOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new MessagingError(CODES[outcome.kind], outcome.message, { field: 'template' });
}
