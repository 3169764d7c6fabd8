// A response body piped from a source (tar archives for cp, export, save). The source is destroyed
// when the client goes away, so its files and mounts are released; only a failing source is an
// error of the request.
import { pipeline, type Readable, type Writable } from 'node:stream';

export function pipeOut(src: Readable | NodeJS.ReadableStream, out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    let srcErr: unknown = null;
    // pipeline destroys the source with an error of its own when the client leaves: by then `out` is gone
    (src as Readable).once('error', (e) => {
      if (!out.destroyed) srcErr ??= e;
    });
    pipeline(src as Readable, out, (err) => {
      // without a source error, a failed pipeline means the client left: nothing to report
      if (err && srcErr) reject(srcErr);
      else resolve();
    });
  });
}
