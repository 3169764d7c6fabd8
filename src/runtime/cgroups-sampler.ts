// One sampling loop for every `docker stats` stream (issue 9: 50 streamed containers must cost
// under 5 % of a core). Like moby's stats collector, a single 1 s ticker samples every watched
// container once and fans the sample out to all of its watchers. A sample is ~15 pread(fd, 0)
// calls on cgroup files opened once per container (a cgroupfs/procfs read regenerates the value
// at offset 0; each is a few µs and never waits on a disk, so they run synchronously instead of
// paying a thread-pool round trip each), and /proc/stat is read once per tick for everyone.
import fs from 'node:fs';
import path from 'node:path';
import {
  buildStats,
  cgroupPaths,
  parseProcStat,
  statsFiles,
  type CgroupOptions,
  type CgroupPaths,
  type CgroupStats,
} from './cgroups.js';

/** One interface's counters from /proc/<pid>/net/dev, named as the Engine API names them. */
export interface NetDev {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

export interface Sample {
  stats: CgroupStats;
  /** By interface name inside the container; loopback left out, like Docker. */
  networks: Record<string, NetDev>;
  at: Date;
}

/** Parses /proc/<pid>/net/dev (two header lines, then `iface: 16 counters`). */
export function parseNetDev(text: string): Record<string, NetDev> {
  const out: Record<string, NetDev> = {};
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    if (!name || name === 'lo') continue;
    const f = line
      .slice(i + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16) continue;
    out[name] = {
      rx_bytes: f[0],
      rx_packets: f[1],
      rx_errors: f[2],
      rx_dropped: f[3],
      tx_bytes: f[8],
      tx_packets: f[9],
      tx_errors: f[10],
      tx_dropped: f[11],
    };
  }
  return out;
}

let shared = Buffer.allocUnsafe(64 * 1024);

/** Files kept open and re-read from offset 0: one syscall per read instead of open/fstat/read/close. */
export class FileCache {
  private readonly fds = new Map<string, number>();

  /** The file's current contents, or null when it is missing or its cgroup is gone. */
  read(p: string): string | null {
    let fd = this.fds.get(p);
    if (fd === undefined) {
      try {
        fd = fs.openSync(p, 'r');
      } catch {
        fd = -1; // missing (a controller the kernel lacks): do not retry every tick
      }
      this.fds.set(p, fd);
    }
    if (fd < 0) return null;
    try {
      let n = fs.readSync(fd, shared, 0, shared.length, 0);
      while (n === shared.length) {
        // a long memory.stat or percpu list: grow once, read again from the start
        shared = Buffer.allocUnsafe(shared.length * 2);
        n = fs.readSync(fd, shared, 0, shared.length, 0);
      }
      return shared.toString('utf8', 0, n);
    } catch {
      return null; // ENODEV once the cgroup was removed
    }
  }

  get size(): number {
    let n = 0;
    for (const fd of this.fds.values()) if (fd >= 0) n++;
    return n;
  }

  close(): void {
    for (const fd of this.fds.values()) if (fd >= 0) fs.closeSync(fd);
    this.fds.clear();
  }
}

type Watcher = { fn: (s: Sample | null) => void; lastAt: number };

interface Entry {
  pid: number;
  paths: CgroupPaths | null;
  files: Record<string, string>;
  cache: FileCache;
  watchers: Set<Watcher>;
  ready: Promise<void>;
  last: Sample | null;
}

export interface SamplerOptions extends CgroupOptions {
  intervalMs?: number;
  /** Where a pid's cgroups are (tests give fixture trees). */
  resolve?: (pid: number) => Promise<CgroupPaths>;
}

export class StatsSampler {
  private readonly entries = new Map<string, Entry>();
  private readonly host = new FileCache();
  private timer: NodeJS.Timeout | null = null;
  private readonly interval: number;
  /** Samples taken (all containers), for tests and debugging. */
  samples = 0;

  constructor(private readonly o: SamplerOptions = {}) {
    this.interval = o.intervalMs ?? 1000;
  }

  /**
   * Calls fn with a sample now and then once per interval, sharing the sampling with every other
   * watcher of the container; fn(null) once the cgroup is gone (then the watch has ended).
   * Returns the function that ends the watch.
   */
  watch(id: string, pid: number, fn: (s: Sample | null) => void): () => void {
    let e = this.entries.get(id);
    if (e && e.pid !== pid) {
      this.drop(id, e); // restarted: a new process, new cgroup files
      e = undefined;
    }
    if (!e) e = this.open(id, pid);
    const entry = e;
    const w: Watcher = { fn, lastAt: 0 };
    entry.watchers.add(w);
    void entry.ready.then(() => {
      if (!entry.watchers.has(w)) return;
      // a sample younger than half an interval is shared; otherwise this watcher gets a fresh one
      const fresh =
        entry.last && Date.now() - entry.last.at.getTime() < this.interval / 2
          ? entry.last
          : this.sample(entry, this.hostCpu());
      this.deliver(id, entry, w, fresh);
    });
    if (!this.timer) this.timer = setInterval(() => this.tick(), this.interval);
    return () => {
      entry.watchers.delete(w);
      if (entry.watchers.size === 0 && this.entries.get(id) === entry) this.drop(id, entry);
    };
  }

  /** Open cgroup and /proc/stat files across all watched containers (for tests: nothing stays open after the last watch). */
  openFiles(): number {
    let n = this.host.size;
    for (const e of this.entries.values()) n += e.cache.size;
    return n;
  }

  close(): void {
    for (const [id, e] of [...this.entries]) this.drop(id, e);
    this.host.close();
  }

  private open(id: string, pid: number): Entry {
    const e: Entry = {
      pid,
      paths: null,
      files: {},
      cache: new FileCache(),
      watchers: new Set(),
      ready: Promise.resolve(),
      last: null,
    };
    e.ready = (this.o.resolve ?? ((p: number) => cgroupPaths(p, this.o)))(pid).then(
      (p) => {
        e.paths = p;
        e.files = statsFiles(p);
        if (this.o.root) for (const k of Object.keys(e.files)) e.files[k] = path.join(this.o.root, e.files[k]);
      },
      () => {},
    );
    this.entries.set(id, e);
    return e;
  }

  private drop(id: string, e: Entry): void {
    e.cache.close();
    this.entries.delete(id);
    if (this.entries.size === 0) {
      // nobody watches: /proc/stat closes too (an idle daemon holds no sampling fds)
      this.host.close();
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    }
  }

  private hostCpu(): { usage: number; onlineCpus: number } {
    return parseProcStat(this.host.read(this.o.root ? path.join(this.o.root, 'proc/stat') : '/proc/stat') ?? '');
  }

  private sample(e: Entry, sys: { usage: number; onlineCpus: number }): Sample | null {
    if (!e.paths) return null;
    let found = 0;
    const stats = buildStats(
      e.paths.version,
      (k) => {
        const p = e.files[k];
        const t = p ? e.cache.read(p) : null;
        if (t !== null) found++;
        return t;
      },
      sys,
    );
    if (found === 0) return null; // the cgroup is gone: the container stopped
    const net = e.cache.read(this.o.root ? path.join(this.o.root, `proc/${e.pid}/net/dev`) : `/proc/${e.pid}/net/dev`);
    this.samples++;
    e.last = { stats, networks: net === null ? {} : parseNetDev(net), at: new Date() };
    return e.last;
  }

  private deliver(id: string, e: Entry, w: Watcher, s: Sample | null): void {
    w.lastAt = Date.now();
    if (s === null) {
      e.watchers.delete(w);
      if (e.watchers.size === 0 && this.entries.get(id) === e) this.drop(id, e);
    }
    try {
      w.fn(s);
    } catch {
      /* a watcher's failure is its own */
    }
  }

  private tick(): void {
    const sys = this.hostCpu();
    const now = Date.now();
    for (const [id, e] of [...this.entries]) {
      if (!e.paths) continue;
      // watchers that got their first sample moments ago wait for the next tick (CPU % needs a span)
      const due = [...e.watchers].filter((w) => w.lastAt && now - w.lastAt >= this.interval / 2);
      if (due.length === 0) continue;
      const s = this.sample(e, sys);
      for (const w of due) this.deliver(id, e, w, s);
    }
  }
}
