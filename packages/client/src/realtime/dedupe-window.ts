/**
 * Remembers the last `size` event ids seen, to drop a durable frame received twice (one received
 * just before a connection dropped can be replayed after the resume). Memory stays bounded: the
 * oldest id is forgotten when a new one would exceed `size`. Ids are not assumed to be ordered.
 */
export class DedupeWindow {
  readonly #seen = new Set<string>();
  readonly #order: string[] = [];
  #head = 0;

  constructor(readonly size = 1_000) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError('DedupeWindow size must be a positive integer');
  }

  /** Records `id`; answers false when it was already within the window (a duplicate), else true. */
  add(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    this.#order.push(id);
    if (this.#seen.size > this.size) {
      const oldest = this.#order[this.#head] as string;
      this.#head += 1;
      this.#seen.delete(oldest);
      // Compact now and then so the array does not grow without bound.
      if (this.#head >= this.size) {
        this.#order.splice(0, this.#head);
        this.#head = 0;
      }
    }
    return true;
  }

  /** Whether `id` is within the window. */
  has(id: string): boolean {
    return this.#seen.has(id);
  }

  /** How many ids the window holds now (at most `size`). */
  get count(): number {
    return this.#seen.size;
  }
}
