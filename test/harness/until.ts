/** Polls `f` every 50 ms until it holds; throws after `ms`. */
export async function until(f: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Polls `fn` every 250 ms until `ok` holds for its value, and returns the last value (the caller
 * asserts on it, so a failure shows what was seen); errors count as "not yet" until `ms` is over.
 */
export async function untilValue<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (ok(v) || Date.now() > end) return v;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
