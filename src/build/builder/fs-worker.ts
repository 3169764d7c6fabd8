// The builder's fs worker thread: runs the file-heavy jobs (a layer's tar, a COPY from the context)
// with synchronous syscalls, off the daemon's event loop. Messages: {id, job, args} → {id, result}
// or {id, error: {message, code}}.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { writeLayerTar } from './layer-tar.js';
import { copyFromSpool, type SpoolCopy } from './spool-copy.js';

export type FsJob =
  | { job: 'layerTar'; args: { upper: string; out: string; opaque: string[] } }
  | { job: 'copyFromSpool'; args: SpoolCopy }
  | { job: 'hashRanges'; args: { file: string; ranges: [number, number][] } };

/** The build context's file sums, read back from its spool (page cache) off the event loop. */
export function hashRanges(file: string, ranges: [number, number][]): string[] {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    return ranges.map(([offset, size]) => {
      const h = createHash('sha256');
      for (let done = 0; done < size; ) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - done), offset + done);
        if (n <= 0) throw new Error('build context truncated');
        h.update(buf.subarray(0, n));
        done += n;
      }
      return h.digest('hex');
    });
  } finally {
    closeSync(fd);
  }
}

function run(m: FsJob): unknown {
  if (m.job === 'layerTar') return writeLayerTar(m.args.upper, m.args.out, new Set(m.args.opaque));
  if (m.job === 'hashRanges') return hashRanges(m.args.file, m.args.ranges);
  return copyFromSpool(m.args);
}

parentPort?.on('message', (m: { id: number } & FsJob) => {
  try {
    const result = run(m);
    parentPort!.postMessage({ id: m.id, result });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    parentPort!.postMessage({ id: m.id, error: { message: err.message ?? String(e), code: err.code } });
  }
});
