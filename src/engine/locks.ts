// Per-key async queues: every mutation of one container runs after the previous one finished.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly active = new Set<string>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const step = async (): Promise<T> => {
      this.active.add(key);
      try {
        return await fn();
      } finally {
        this.active.delete(key);
      }
    };
    const next = prev.then(step, step);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Whether a function of this key's queue is running now (state changes assert it). */
  held(key: string): boolean {
    return this.active.has(key);
  }
}
