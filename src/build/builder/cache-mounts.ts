// `RUN --mount=type=cache` directories: one per cache id under <root>, kept across builds, with
// BuildKit's sharing modes and its prune/du view of them (records of type exec.cachemount):
//   shared  every build uses the same directory at the same time
//   locked  builds take turns on it
//   private a build gets a directory nobody else is using: the id's first idle instance, or a new one
// Each directory <hex>[-<n>] has a <dir>.json beside it (created, last used, uses, description); a
// directory without one (a crash between mkdir and the write) is still a record, dated by its mtime.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../../errdefs.js';
import { diskUsage } from '../../storage/fsutil/usage.js';
import type { RunMount } from './run-mounts.js';
import { parseGoDuration as goDurationNs } from '../../util/go-duration.js';

export interface CacheRecord {
  /** The directory's name: BuildKit-style record id. */
  id: string;
  /** The mount's cache id (`id=`, default its target). */
  cacheId: string;
  description: string;
  createdAt: string;
  lastUsedAt: string;
  usageCount: number;
  inUse: boolean;
  size: number;
}

export interface PruneOptions {
  /** BuildKit's --all: also internal/frontend records; cache mounts are pruned either way. */
  all: boolean;
  /** Keep records used within this many ms (the `until` filter). */
  keepDuration?: number;
  /** Keep the most recently used records up to this many bytes. */
  keepStorage: number;
  /** BuildKit field filters: id (prefix), type, description, inuse, shared, private. */
  filters: Map<string, string>;
}

interface Meta {
  cacheId: string;
  description: string;
  createdAt: string;
  lastUsedAt: string;
  usageCount: number;
}

const NAME = /^[0-9a-f]{64}(-\d+)?$/;

export class CacheMounts {
  /** Directory name → how many RUNs have it mounted right now. */
  private readonly users = new Map<string, number>();
  /** `locked` queues, per cache id. */
  private readonly tails = new Map<string, Promise<void>>();
  /** Serialises picking/creating instance directories and pruning. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string) {}

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => {});
    return p;
  }

  /**
   * The directory for a cache mount, held until `release()`. `seed` fills a newly created one
   * (`from=`); `description` is BuildKit's ("cached mount <target> from exec <cmd>").
   */
  async acquire(
    m: RunMount,
    description: string,
    seed?: (dir: string) => Promise<void>,
  ): Promise<{ dir: string; release: () => void }> {
    const unlock = m.sharing === 'locked' ? await this.lockId(m.id) : () => {};
    try {
      const { name, created } = await this.locked(async () => {
        const base = createHash('sha256').update(m.id).digest('hex');
        let name = base;
        if (m.sharing === 'private') for (let n = 1; this.users.get(name); n++) name = `${base}-${n}`;
        this.users.set(name, (this.users.get(name) ?? 0) + 1);
        const dir = join(this.root, name);
        try {
          if (await lstat(dir).catch(() => null)) return { name, created: false };
          await mkdir(this.root, { recursive: true });
          await mkdir(dir);
          await chmod(dir, m.mode);
          await chown(dir, m.uid, m.gid);
          return { name, created: true };
        } catch (e) {
          this.drop(name);
          throw e;
        }
      });
      const dir = join(this.root, name);
      try {
        if (created && seed) await seed(dir);
        const old = created ? null : await this.meta(name);
        const now = new Date().toISOString();
        await this.saveMeta(name, {
          cacheId: m.id,
          description: old?.description ?? description,
          createdAt: old?.createdAt ?? now,
          lastUsedAt: now,
          usageCount: (old?.usageCount ?? 0) + 1,
        });
      } catch (e) {
        if (created) await rm(dir, { recursive: true, force: true }); // not half-seeded next time
        this.drop(name);
        throw e;
      }
      let done = false;
      return {
        dir,
        release: () => {
          if (done) return;
          done = true;
          this.drop(name);
          unlock();
        },
      };
    } catch (e) {
      unlock();
      throw e;
    }
  }

  private drop(name: string): void {
    const n = (this.users.get(name) ?? 1) - 1;
    if (n > 0) this.users.set(name, n);
    else this.users.delete(name);
  }

  private async lockId(id: string): Promise<() => void> {
    const prev = this.tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => next);
    this.tails.set(id, tail);
    await prev;
    return () => {
      release();
      if (this.tails.get(id) === tail) this.tails.delete(id);
    };
  }

  private async meta(name: string): Promise<Meta | null> {
    try {
      return JSON.parse(await readFile(join(this.root, name + '.json'), 'utf8')) as Meta;
    } catch {
      return null;
    }
  }

  private async saveMeta(name: string, m: Meta): Promise<void> {
    // temp + rename: a crash leaves the old record or the new one
    const tmp = join(this.root, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(m));
    await rename(tmp, join(this.root, name + '.json'));
  }

  /** Every cache directory, with its size (for `docker system df` and prune). */
  async list(): Promise<CacheRecord[]> {
    const names = (await readdir(this.root).catch(() => [] as string[])).filter((n) => NAME.test(n));
    const out: CacheRecord[] = [];
    for (const name of names) {
      const dir = join(this.root, name);
      const st = await lstat(dir).catch(() => null);
      if (!st?.isDirectory()) continue;
      const m = await this.meta(name);
      const t = st.mtime.toISOString();
      out.push({
        id: name,
        cacheId: m?.cacheId ?? '',
        description: m?.description ?? 'cached mount',
        createdAt: m?.createdAt ?? t,
        lastUsedAt: m?.lastUsedAt ?? t,
        usageCount: m?.usageCount ?? 0,
        inUse: (this.users.get(name) ?? 0) > 0,
        size: (await diskUsage(dir)).size,
      });
    }
    return out.sort((a, b) => (a.lastUsedAt < b.lastUsedAt ? -1 : a.lastUsedAt > b.lastUsedAt ? 1 : 0));
  }

  /** Remove unused cache directories (BuildKit's prune rules); the ids removed and bytes freed. */
  prune(o: PruneOptions): Promise<{ deleted: string[]; reclaimed: number }> {
    return this.locked(async () => {
      const now = Date.now();
      const all = await this.list();
      let total = all.reduce((a, r) => a + r.size, 0);
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const r of all) {
        // oldest first, so keep-storage keeps the most recently used
        if (r.inUse || !matches(r, o.filters)) continue;
        if (o.keepDuration !== undefined && now - Date.parse(r.lastUsedAt) < o.keepDuration) continue;
        if (o.keepStorage > 0 && total <= o.keepStorage) break;
        await rm(join(this.root, r.id + '.json'), { force: true });
        await rm(join(this.root, r.id), { recursive: true, force: true });
        deleted.push(r.id);
        reclaimed += r.size;
        total -= r.size;
      }
      return { deleted, reclaimed };
    });
  }
}

function matches(r: CacheRecord, f: Map<string, string>): boolean {
  for (const [k, v] of f) {
    if (k === 'id' && !r.id.startsWith(v)) return false;
    if (k === 'type' && v !== 'exec.cachemount') return false;
    if (k === 'description' && r.description !== v) return false;
    if (k === 'inuse' && !r.inUse) return false;
    if (k === 'shared') return false; // cache mounts are never shared records
    // 'private': every cache mount is
  }
  return true;
}

/** Fields /build/prune passes on to the cache (moby's cacheFields). */
const CACHE_FIELDS = ['id', 'parent', 'type', 'description', 'inuse', 'shared', 'private'];

/**
 * /build/prune's query as moby reads it: `filters` (until / unused-for as a Go duration, and the
 * cache fields), `all`, `keep-storage`. Throws Docker's messages.
 */
export function pruneOptions(filters: Map<string, string[]>, all: boolean, keepStorage: string | null): PruneOptions {
  const until = filters.get('until') ?? [];
  const unused = filters.get('unused-for') ?? [];
  if (until.length && unused.length) throw invalid('conflicting filters: "until" and "unused-for"');
  const key = unused.length ? 'unused-for' : 'until';
  const durations = [...until, ...unused];
  if (durations.length > 1) throw invalid('filters expect only one value');
  let keepDuration: number | undefined;
  if (durations.length === 1) {
    try {
      keepDuration = parseGoDuration(durations[0]);
    } catch (e) {
      throw invalid(`"${key}" filter expects a duration (e.g., '24h'): ${(e as Error).message}`);
    }
  }
  const fields = new Map<string, string>();
  for (const k of CACHE_FIELDS) {
    const v = filters.get(k);
    if (!v) continue;
    if (v.length > 1) throw invalid('filters expect only one value');
    fields.set(k, v[0] ?? '');
  }
  let keep = 0;
  if (keepStorage) {
    keep = Number(keepStorage);
    if (!Number.isInteger(keep) || keep < 0)
      throw invalid(`keep-storage is in bytes and expects an integer, got ${JSON.stringify(keepStorage)}`);
  }
  return { all, keepDuration, keepStorage: keep, filters: fields };
}

/** Go's time.ParseDuration, in milliseconds, with its error texts. */
export function parseGoDuration(s: string): number {
  return goDurationNs(s) / 1e6;
}
