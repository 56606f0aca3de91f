import { describe, expect, it } from 'vitest';
import type { IdGenerator } from '../../ports/id-generator.js';

/**
 * Ids must be unique and sort in creation order.
 *
 * @example
 * ```ts
 * idGeneratorContract({ name: 'uuidv7', create: () => uuidV7Ids });
 * ```
 */
export function idGeneratorContract(options: {
  readonly name: string;
  readonly create: () => IdGenerator;
}): void {
  describe(`IdGenerator contract: ${options.name}`, () => {
    it('generates unique ids that sort in creation order', () => {
      const ids = options.create();
      const generated = Array.from({ length: 5000 }, () => ids.next());
      expect(new Set(generated).size).toBe(generated.length);
      expect([...generated].sort()).toEqual(generated);
    });
  });
}
