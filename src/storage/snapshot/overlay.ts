// Overlay snapshotter: <root>/snapshots/<n>/{fs,work}; metadata in <root>/snapshots/metadata.json.
// Numeric directory ids keep lowerdir option strings short (overlay's options must fit in one page).
// Crash safety: a directory is created before its metadata entry and removed after it, so after a
// crash the only possible leftovers are directories without metadata (and a temp file of a metadata
// write), deleted by init().
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, invalid, notFound } from '../../errdefs.js';
import { writeJsonAtomic } from '../../util/atomic.js';
import { contentUsage } from '../fsutil/usage.js';
import type { Mount, SnapshotInfo, SnapshotKind, SnapshotLister, Snapshotter } from './snapshotter.js';

interface Entry {
  id: number;
  kind: SnapshotKind;
  parent: string | null;
  created: string;
}
interface Meta {
  nextId: number;
  snapshots: Record<string, Entry>;
}

export class OverlaySnapshotter implements Snapshotter, SnapshotLister {
  readonly dir: string;
  private meta: Meta = { nextId: 1, snapshots: {} };
  private queue: Promise<unknown> = Promise.resolve();
  private ready: Promise<void> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private nextSave: Promise<void> | null = null;

  /** writeMeta: how the metadata is written (tests count or fail the writes). */
  constructor(
    root: string,
    private readonly writeMeta: (file: string, value: Meta) => Promise<void> = (file, value) =>
      writeJsonAtomic(file, value, { mkdir: true }),
  ) {
    this.dir = join(root, 'snapshots');
  }

  /** Load metadata and drop orphan directories. Called lazily by every method. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      try {
        this.meta = JSON.parse(await readFile(this.metaPath, 'utf8')) as Meta;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const known = new Set(Object.values(this.meta.snapshots).map((s) => String(s.id)));
      for (const n of await readdir(this.dir)) {
        // and a metadata write's temp file, when berthd was killed during the write
        const orphan = (/^\d+$/.test(n) && !known.has(n)) || /^\.metadata\.json\..*\.tmp$/.test(n);
        if (orphan) await rm(join(this.dir, n), { recursive: true, force: true });
      }
    })();
    return this.ready;
  }

  private get metaPath(): string {
    return join(this.dir, 'metadata.json');
  }

  /** Serialise metadata mutations. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(async () => {
      await this.init();
      return fn();
    });
    this.queue = p.catch(() => {});
    return p;
  }

  /**
   * Write the metadata. Group commit: every change in memory when a write starts is in it, and the
   * callers waiting meanwhile share the next one (an rm of 200 containers wrote and fsynced it 200
   * times in a row). Writes never overlap, so an older one cannot land after a newer.
   */
  private save(): Promise<void> {
    this.nextSave ??= this.saving.then(() => {
      this.nextSave = null;
      // writeJsonAtomic serialises the metadata synchronously, before its first await
      const p = this.writeMeta(this.metaPath, this.meta);
      this.saving = p.catch(() => {});
      return p;
    });
    return this.nextSave;
  }

  private get(key: string): Entry {
    const e = this.meta.snapshots[key];
    if (!e) throw notFound(`snapshot ${key} does not exist`);
    return e;
  }

  fsDir(id: number): string {
    return join(this.dir, String(id), 'fs');
  }

  /** The committed chain from `key` down to the base, as directory ids (top first). */
  private chain(key: string | null): number[] {
    const ids: number[] = [];
    for (let k = key; k !== null; ) {
      const e = this.get(k);
      ids.push(e.id);
      k = e.parent;
    }
    return ids;
  }

  private mountsOf(key: string): Mount[] {
    const e = this.get(key);
    if (e.kind === 'active') {
      const upper = this.fsDir(e.id);
      if (e.parent === null) return [{ type: 'bind', source: upper, options: ['rbind', 'rw'] }];
      const lower = this.chain(e.parent).map((id) => this.fsDir(id));
      return [
        {
          type: 'overlay',
          source: 'overlay',
          options: [
            'index=off',
            `workdir=${join(this.dir, String(e.id), 'work')}`,
            `upperdir=${upper}`,
            `lowerdir=${lower.join(':')}`,
          ],
        },
      ];
    }
    // view and committed: read-only view of the chain (a view's own id holds no data)
    const lower = this.chain(e.kind === 'view' ? e.parent : key).map((id) => this.fsDir(id));
    if (lower.length === 1) return [{ type: 'bind', source: lower[0], options: ['rbind', 'ro'] }];
    return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lower.join(':')}`] }];
  }

  private async create(key: string, parent: string | null, kind: SnapshotKind): Promise<Mount[]> {
    if (this.meta.snapshots[key]) throw conflict(`snapshot ${key} already exists`);
    if (parent !== null) {
      const p = this.get(parent);
      if (p.kind !== 'committed') throw invalid(`parent snapshot ${parent} is not committed`);
    }
    const id = this.meta.nextId++;
    const d = join(this.dir, String(id));
    await rm(d, { recursive: true, force: true });
    await mkdir(join(d, 'fs'), { recursive: true, mode: 0o755 });
    if (kind === 'active') await mkdir(join(d, 'work'), { mode: 0o700 });
    this.meta.snapshots[key] = { id, kind, parent, created: new Date().toISOString() };
    try {
      await this.save();
    } catch (e) {
      delete this.meta.snapshots[key];
      await rm(d, { recursive: true, force: true });
      throw e;
    }
    return this.mountsOf(key);
  }

  prepare(key: string, parent: string | null): Promise<Mount[]> {
    return this.locked(() => this.create(key, parent, 'active'));
  }

  view(key: string, parent: string): Promise<Mount[]> {
    return this.locked(() => this.create(key, parent, 'view'));
  }

  commit(name: string, key: string): Promise<void> {
    return this.commitOnto(name, key, undefined);
  }

  /** commit, stacking the layer on committed `parent` instead of the one given to prepare: for an
   *  upper dir filled standalone (prepared without parent, overlay whiteouts written as files). */
  commitOnto(name: string, key: string, parent: string | null | undefined): Promise<void> {
    return this.locked(async () => {
      const e = this.get(key);
      if (e.kind !== 'active') throw invalid(`snapshot ${key} is not active`);
      if (this.meta.snapshots[name]) throw conflict(`snapshot ${name} already exists`);
      if (parent && this.get(parent).kind !== 'committed') throw invalid(`parent snapshot ${parent} is not committed`);
      delete this.meta.snapshots[key];
      this.meta.snapshots[name] = {
        ...e,
        ...(parent !== undefined ? { parent } : {}),
        kind: 'committed',
        created: new Date().toISOString(),
      };
      try {
        await this.save();
      } catch (err) {
        delete this.meta.snapshots[name];
        this.meta.snapshots[key] = e;
        throw err;
      }
      // the work dir is only needed while active
      await rm(join(this.dir, String(e.id), 'work'), { recursive: true, force: true });
    });
  }

  mounts(key: string): Promise<Mount[]> {
    return this.locked(async () => this.mountsOf(key));
  }

  /** The entry goes in the queue; the metadata write (shared) and the data's removal after it. */
  async remove(key: string): Promise<void> {
    const e = await this.locked(async () => {
      const e = this.get(key);
      // a plain loop: an rm of 200 containers runs this over every snapshot 200 times
      for (const k in this.meta.snapshots)
        if (this.meta.snapshots[k].parent === key)
          throw conflict(`cannot remove snapshot ${key}: snapshot ${k} depends on it`);
      delete this.meta.snapshots[key];
      return e;
    });
    const data = join(this.dir, String(e.id));
    try {
      await this.save();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') {
        await this.locked(async () => {
          this.meta.snapshots[key] ??= e;
        });
        throw err;
      }
      // a full disk: removing is how space comes back, so free the data first, then record it;
      // if even that cannot be written, memory is right and the next save() writes it
      await rm(data, { recursive: true, force: true });
      await this.save().catch(() => {});
    }
    // after the metadata: a crash in between leaves a directory without entry, which init() deletes
    await rm(data, { recursive: true, force: true });
  }

  /** Content bytes of the snapshot's own directory (moby's overlay2 DiffSize), not disk blocks. */
  async usage(key: string): Promise<{ size: number; inodes: number }> {
    await this.init();
    const e = this.get(key);
    if (e.kind === 'view') return { size: 0, inodes: 0 };
    return contentUsage(this.fsDir(e.id));
  }

  async list(): Promise<SnapshotInfo[]> {
    await this.init();
    return Object.entries(this.meta.snapshots).map(([key, e]) => ({
      key,
      kind: e.kind,
      parent: e.parent,
      created: e.created,
    }));
  }

  async stat(key: string): Promise<SnapshotInfo | null> {
    await this.init();
    const e = this.meta.snapshots[key];
    return e ? { key, kind: e.kind, parent: e.parent, created: e.created } : null;
  }

  /** overlay2-style directories for inspect's GraphDriver.Data. */
  async graphData(key: string): Promise<Record<string, string>> {
    await this.init();
    const e = this.get(key);
    const chain = this.chain(key);
    const out: Record<string, string> = {};
    if (chain.length > 1)
      out.LowerDir = chain
        .slice(1)
        .map((id) => this.fsDir(id))
        .join(':');
    out.MergedDir = join(this.dir, String(e.id), 'merged');
    out.UpperDir = this.fsDir(e.id);
    out.WorkDir = join(this.dir, String(e.id), 'work');
    return out;
  }
}
