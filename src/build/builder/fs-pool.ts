// One fs worker thread (fs-worker.ts) shared by all builds, started on first use and stopped when
// idle, so an idle daemon does not carry its ~5 MiB. Jobs run one after another on it.
import { Worker } from 'node:worker_threads';
import type { LayerTarResult } from './layer-tar.js';
import type { SpoolCopy } from './spool-copy.js';
import type { FsJob } from './fs-worker.js';

const IDLE_MS = 30_000;

export class FsWorker {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private idle: NodeJS.Timeout | null = null;

  layerTar(upper: string, out: string, opaque: Iterable<string>): Promise<LayerTarResult> {
    return this.call({ job: 'layerTar', args: { upper, out, opaque: [...opaque] } }) as Promise<LayerTarResult>;
  }

  copyFromSpool(args: SpoolCopy): Promise<void> {
    return this.call({ job: 'copyFromSpool', args }) as Promise<void>;
  }

  private call(j: FsJob): Promise<unknown> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const w = this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.ref(); // a job in flight keeps the process alive
      w.postMessage({ id, ...j });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./fs-worker.js', import.meta.url));
    w.on('message', (m: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
      else p.resolve(m.result);
      this.settle();
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = null;
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`build fs worker exited (${code})`)));
    this.worker = w;
    return w;
  }

  /** When nothing is in flight: let the process exit, and stop the thread after a while. */
  private settle(): void {
    if (this.waiting.size || !this.worker) return;
    this.worker.unref();
    this.idle = setTimeout(() => void this.stop(), IDLE_MS);
    this.idle.unref();
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (w) await w.terminate();
  }
}

/** The builder's worker (one per daemon). */
export const fsWorker = new FsWorker();
