// Iterate a stream chunk by chunk as it was written. A byte-mode Readable's own async iterator
// calls read(), which concatenates everything buffered into a new Buffer: for layer data that is
// a copy of every byte (and the garbage to collect). Here chunks come from 'data' events, with
// pause/resume for backpressure.
import type { Readable } from 'node:stream';

const HIGH = 16;
const LOW = 4;

export function chunks(s: Readable): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Buffer> {
      const q: Buffer[] = [];
      let ended = false;
      let err: unknown = null;
      let wake: (() => void) | null = null;
      let paused = false; // tracked here: streamx streams (tar-stream entries) have no isPaused()
      const poke = () => {
        const w = wake;
        wake = null;
        w?.();
      };
      const onData = (c: Buffer | string) => {
        q.push(typeof c === 'string' ? Buffer.from(c) : c);
        if (q.length >= HIGH && !paused) {
          paused = true;
          s.pause();
        }
        poke();
      };
      const onEnd = () => {
        ended = true;
        poke();
      };
      const onError = (e: unknown) => {
        err ??= e;
        poke();
      };
      const onClose = () => {
        if (!ended) err ??= Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        poke();
      };
      const detach = () => {
        s.off('data', onData);
        s.off('end', onEnd);
        s.off('error', onError);
        s.off('close', onClose);
      };
      s.on('data', onData);
      s.on('end', onEnd);
      s.on('error', onError);
      s.on('close', onClose);
      if (s.readableEnded) ended = true;
      if (s.errored) err = s.errored;
      return {
        async next(): Promise<IteratorResult<Buffer>> {
          for (;;) {
            if (q.length) {
              const value = q.shift()!;
              if (q.length <= LOW && paused && !ended) {
                paused = false;
                s.resume();
              }
              return { value, done: false };
            }
            if (err) {
              detach();
              throw err;
            }
            if (ended) {
              detach();
              return { value: undefined, done: true };
            }
            await new Promise<void>((r) => (wake = r));
          }
        },
        async return(): Promise<IteratorResult<Buffer>> {
          detach();
          if (!ended) s.destroy();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
