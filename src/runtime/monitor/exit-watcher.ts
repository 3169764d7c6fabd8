// Watches conmon's exit directory: conmon writes `<dir>/<id>` holding the exit code when a container exits.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Exit } from '../runtime.js';

export class ExitWatcher {
  private readonly waiters = new Map<string, Array<(e: Exit) => void>>();
  private watcher: fs.FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;

  constructor(readonly dir: string) {}

  start(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.watcher = fs.watch(this.dir, (_ev, name) => {
      if (name && this.waiters.has(name.toString())) void this.check(name.toString());
    });
    // inotify is reliable, but a slow poll guards against missed events (e.g. watcher overflow).
    this.poll = setInterval(() => {
      for (const id of this.waiters.keys()) void this.check(id);
    }, 2000);
    this.poll.unref();
  }

  stop(): void {
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
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
      void this.check(id);
    });
  }

  private readonly oom = new Map<string, string | undefined>();

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
