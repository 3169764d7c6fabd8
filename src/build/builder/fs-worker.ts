// The builder's fs worker thread: runs the file-heavy jobs (a layer's tar, a COPY from the context)
// with synchronous syscalls, off the daemon's event loop. Messages: {id, job, args} → {id, result}
// or {id, error: {message, code}}.
import { parentPort } from 'node:worker_threads';
import { writeLayerTar } from './layer-tar.js';
import { copyFromSpool, type SpoolCopy } from './spool-copy.js';

export type FsJob =
  | { job: 'layerTar'; args: { upper: string; out: string; opaque: string[] } }
  | { job: 'copyFromSpool'; args: SpoolCopy };

parentPort?.on('message', (m: { id: number } & FsJob) => {
  try {
    const result =
      m.job === 'layerTar' ? writeLayerTar(m.args.upper, m.args.out, new Set(m.args.opaque)) : copyFromSpool(m.args);
    parentPort!.postMessage({ id: m.id, result });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    parentPort!.postMessage({ id: m.id, error: { message: err.message ?? String(e), code: err.code } });
  }
});
