// `docker stats` for one container (moby daemon/stats.go): which samples a client gets, and when
// its stream ends. The sampling itself is the runtime's (one shared ticker, runtime/cgroups-sampler);
// the Docker JSON is api/wire/stats.ts's.
import type { Sample } from '../runtime/cgroups-sampler.js';
import { isRunningish } from './states.js';
import type { ContainerRecord } from './types.js';

/** What engine/stats needs of the sampler (runtime's StatsSampler is one). */
export interface StatsSource {
  /** fn gets a sample now and once per interval, fn(null) once the cgroup is gone; returns the unwatch. */
  watch(id: string, pid: number, fn: (s: Sample | null) => void): () => void;
}

/** One stats document to send: cur null means "no stats" (not running, or it just stopped). */
export interface StatsFrame {
  id: string;
  name: string;
  cur: Sample | null;
  prev: Sample | null;
  /** false for --network host: its interfaces are the host's, so Docker shows none. */
  withNetworks: boolean;
}

/** Resolves once the container is no longer running (rejects when the signal aborts or it is gone). */
export type StoppedWatch = (id: string, signal: AbortSignal) => Promise<unknown>;

export class ContainerStats {
  /**
   * `stopped` ends a stream when the engine sees the container stop, without waiting for its
   * cgroup to vanish: a cgroup runc could not remove yet (busy on a loaded machine) kept a removed
   * container's stats stream open.
   */
  constructor(
    private readonly source: StatsSource,
    private readonly stopped?: StoppedWatch,
  ) {}

  /**
   * Emits frames until the stream is done: one frame when `stream` is false (after two samples a
   * second apart, like Docker, so the CLI can compute CPU %), or one per sample until the client
   * leaves (signal) or the container stops.
   */
  stream(
    rec: ContainerRecord,
    o: { stream: boolean },
    signal: AbortSignal,
    emit: (f: StatsFrame) => void,
  ): Promise<void> {
    const base = { id: rec.id, name: rec.name, withNetworks: rec.hostConfig.NetworkMode !== 'host' };
    const pid = rec.state.pid;
    if (!isRunningish(rec.state.status) || !pid) {
      emit({ ...base, cur: null, prev: null });
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let prev: Sample | null = null;
      let done = false;
      let unwatch: (() => void) | null = null;
      const stopWatch = new AbortController(); // ends the engine watch with the stream
      const finish = () => {
        if (done) return;
        done = true;
        unwatch?.();
        stopWatch.abort();
        resolve();
      };
      unwatch = this.source.watch(rec.id, pid, (s) => {
        if (signal.aborted || done) return;
        if (!o.stream && !prev && s) return void (prev = s);
        emit({ ...base, cur: s, prev: s ? prev : null });
        prev = s;
        if (!o.stream || !s) finish();
      });
      if (done) unwatch(); // the source answered synchronously and the stream already ended
      signal.addEventListener('abort', finish, { once: true });
      if (signal.aborted) finish(); // the client left before we got here: an aborted signal fires no more
      if (this.stopped && !done)
        this.stopped(rec.id, stopWatch.signal).then(
          () => {
            if (done) return;
            emit({ ...base, cur: null, prev: null });
            finish();
          },
          () => {}, // the stream ended first, or the container is gone: nothing left to do
        );
    });
  }
}
