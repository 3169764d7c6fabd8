// Back to idle after a burst: a daemon that goes quiet after 50 runs, a build or a pull still holds
// the burst's garbage (old-space objects and the ArrayBuffers of its child-process and file streams,
// 20-30 MiB measured) because V8 collects on allocation and an idle daemon allocates nothing. One
// full GC, once the event loop is idle and the heap is well above what the last collection kept,
// brings RSS back near its idle figure; it never runs while the daemon is busy.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface IdleGcOptions {
  /** How often the heap is looked at (unref'd timer). */
  intervalMs?: number;
  /** Collect only when this much more is in use than after the last collection. */
  slackBytes?: number;
  /** The event loop counts as idle below this utilisation over the last interval (0..1). */
  idleUtilization?: number;
  /** Bytes in use now (heap used + ArrayBuffers); the real heap by default. */
  inUse?: () => number;
  /** A full collection; V8's own gc() by default. */
  gc?: () => void;
}

/**
 * V8 heap used plus the ArrayBuffers' backing stores (Buffers), in bytes. (V8's external_memory
 * figure is not lowered by a gc() exposed at run time, so the ArrayBuffer count is used.)
 */
export function heapInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** V8's gc(): the global one under --expose-gc, else exposed on demand (no flag needed where berthd starts). */
export function exposeGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** The decision alone: given the bytes in use and the loop's utilisation at each tick, collect now? */
export class IdleGcPolicy {
  private baseline: number;
  constructor(
    inUseAtStart: number,
    private readonly slackBytes: number,
    private readonly idleUtilization: number,
  ) {
    this.baseline = inUseAtStart;
  }

  tick(inUse: number, utilization: number): boolean {
    // V8 collected on its own: what it kept is the new floor
    if (inUse < this.baseline) this.baseline = inUse;
    return utilization < this.idleUtilization && inUse - this.baseline >= this.slackBytes;
  }

  /** After a collection: what survived is live, not garbage (a daemon with more containers keeps more). */
  collected(inUse: number): void {
    this.baseline = inUse;
  }
}

/** Starts the idle collector; returns its stop function. */
export function startIdleGc(o: IdleGcOptions = {}): () => void {
  const inUse = o.inUse ?? heapInUse;
  const gc = o.gc ?? exposeGc();
  const policy = new IdleGcPolicy(inUse(), o.slackBytes ?? 8 * 1024 * 1024, o.idleUtilization ?? 0.05);
  let elu = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, elu).utilization;
    elu = now;
    if (!policy.tick(inUse(), u)) return;
    gc();
    policy.collected(inUse());
  }, o.intervalMs ?? 5000);
  timer.unref();
  return () => clearInterval(timer);
}
