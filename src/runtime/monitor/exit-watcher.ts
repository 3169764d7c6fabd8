// Watches conmon's exit directory: conmon writes `<dir>/<id>` holding the exit code when a container exits.
// One inotify watch on the directory serves all containers; one shared timer (not one per container)
// runs the slow checks: a safety scan of the directory and the callers' liveness checks.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Exit } from '../runtime.js';

/** How often the shared timer runs the registered checks (conmon died without an exit file). */
export const TICK_MS = 1000;
/** Every this many ticks the directory is listed, for exit files whose event was missed. */
const SCAN_EVERY = 5;

export class ExitWatcher {
  private readonly waiters = new Map<string, Array<(e: Exit) => void>>();
  private readonly oom = new Map<string, string | undefined>();
  private readonly checks = new Set<() => boolean>();
  private watcher: fs.FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;
  private started = false;

  constructor(readonly dir: string) {}

  start(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.started = true;
    try {
      this.watcher = fs.watch(this.dir, { persistent: false }, (_ev, name) => {
        if (name === null) this.scan();
        else if (this.waiters.has(name.toString())) void this.check(name.toString());
      });
      // without inotify the scan runs on every tick
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null;
    }
    this.arm();
  }

  stop(): void {
    this.started = false;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  file(id: string): string {
    return path.join(this.dir, id);
  }

  /** The exit if the file is there (sync read: tiny file, used at load and in checks). */
  read(id: string, oomFile?: string): Exit | null {
    try {
      const f = this.file(id);
      const text = fs.readFileSync(f, 'utf8').trim();
      if (text === '') return null;
      const st = fs.statSync(f);
      return { code: Number(text), finishedAt: st.mtime, oomKilled: oomFile ? fs.existsSync(oomFile) : false };
    } catch {
      return null;
    }
  }

  clear(id: string): void {
    try {
      fs.unlinkSync(this.file(id));
    } catch {
      /* absent */
    }
  }

  wait(id: string, oomFile?: string): Promise<Exit> {
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
      this.oom.set(id, oomFile);
      this.arm();
      void this.check(id);
    });
  }

  /** Runs `fn` on the shared timer until it returns true. */
  every(fn: () => boolean): void {
    this.checks.add(fn);
    this.arm();
  }

  /** The timer runs only while someone waits: an idle daemon without containers never wakes. */
  private arm(): void {
    if (this.timer || !this.started) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    for (const fn of this.checks) {
      try {
        if (fn()) this.checks.delete(fn);
      } catch {
        this.checks.delete(fn);
      }
    }
    if (this.waiters.size > 0 && (this.watcher === null || ++this.ticks % SCAN_EVERY === 0)) this.scan();
    if (this.waiters.size === 0 && this.checks.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** One directory listing instead of a read per waiting container. */
  private scan(): void {
    void fsp.readdir(this.dir).then(
      (names) => {
        for (const n of names) if (this.waiters.has(n)) void this.check(n);
      },
      () => {},
    );
  }

  private async check(id: string): Promise<void> {
    const ex = await fsp
      .readFile(this.file(id), 'utf8')
      .then((t) => t.trim())
      .catch(() => '');
    if (ex === '') return;
    const e = this.read(id, this.oom.get(id));
    const list = this.waiters.get(id);
    if (!e || !list) return;
    this.waiters.delete(id);
    this.oom.delete(id);
    for (const r of list) r(e);
  }
}
