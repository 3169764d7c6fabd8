// Waiting out a writer's backpressure: 'drain', or 'close' when it goes away first (waiting for a
// 'drain' that never comes would hang the producer). One helper for every stream-like sink.

export interface DrainEmitter {
  on(ev: 'drain' | 'close', f: () => void): unknown;
  off(ev: 'drain' | 'close', f: () => void): unknown;
}

/** Resolves at the writer's next 'drain' or 'close', whichever comes first; leaves no listener behind. */
export function drainedOrClosed(w: DrainEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      w.off('drain', done);
      w.off('close', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
  });
}
