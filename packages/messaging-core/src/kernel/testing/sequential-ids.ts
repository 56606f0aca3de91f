import type { IdGenerator } from '../ports/id-generator.js';

/**
 * Readable, sortable ids for tests: `msg-000001`, `msg-000002`, … (zero-padded so string order is
 * creation order, as the port requires).
 *
 * @example
 * ```ts
 * const ids = new SequentialIds('id');
 * ids.next(); // "id-000001"
 * ```
 */
export class SequentialIds implements IdGenerator {
  #next = 1;
  readonly #prefix: string;

  constructor(prefix = 'id') {
    this.#prefix = prefix;
  }

  next(): string {
    return `${this.#prefix}-${String(this.#next++).padStart(9, '0')}`;
  }
}
