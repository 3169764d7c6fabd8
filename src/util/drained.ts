// Waiting out a writer's backpressure: 'drain', or 'close' when it goes away first (waiting for a
// 'drain' that never comes would hang the producer). One helper for every stream-like sink.

export interface DrainEmitter {
  on(ev: 'drain' | 'close', f: () => void): unknown;
  off(ev: 'drain' | 'close', f: () => void): unknown;
}

/**
 * Resolves at the writer's next 'drain' or `closer`'s 'close' (the writer's own by default, or the
 * request a reply is written for), whichever comes first; leaves no listener behind.
 */
export function drainedOrClosed(w: DrainEmitter, closer: DrainEmitter = w): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      w.off('drain', done);
      closer.off('close', done);
      resolve();
    };
    w.on('drain', done);
    closer.on('close', done);
  });
}
