/** Serializes async critical sections (the in-memory adapters' stand-in for row locks). */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();

  async run<T>(section: () => Promise<T> | T): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await section();
    } finally {
      release();
    }
  }
}
