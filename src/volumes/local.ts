// Docker's "local" volume driver: a directory <root>/<name>/_data, optionally backed by a mount
// (`-o type=tmpfs,device=tmpfs,o=size=64m`, `-o type=none,o=bind,device=/srv/x`) done while in use.
// Metadata is one JSON file per volume, written atomically; it is the commit point of a create.
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { conflict, internal, invalid, notFound } from '../errdefs.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { contentUsage } from '../storage/fsutil/usage.js';
import { VALID_VOLUME_NAME, invalidNameMessage, type VolumeDriver, type VolumeInfo } from './driver.js';
import { isMountpoint } from '../storage/fsutil/mountpoint.js';

const run = promisify(execFile);
const META = 'volume.json';
const OPT_KEYS = new Set(['type', 'device', 'o', 'size']);

interface Meta {
  name: string;
  createdAt: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
}

/** Validate `-o` options like Docker's local driver. */
export function validateLocalOptions(opts: Record<string, string> | null): void {
  if (!opts) return;
  for (const k of Object.keys(opts)) if (!OPT_KEYS.has(k)) throw invalid(`invalid option key: ${JSON.stringify(k)}`);
  const hasMount = opts.type !== undefined || opts.device !== undefined;
  if (hasMount && (!opts.type || !opts.device))
    throw invalid('missing required option: "type" and "device" must both be set');
  if (!hasMount && opts.o !== undefined) throw invalid('missing required option: "type" and "device" must both be set');
  if (opts.type === 'none' && !/(^|,)r?bind(,|$)/.test(opts.o ?? ''))
    throw invalid('missing required option: "o=bind" when type is "none"');
}

/** `mount` arguments for a volume's options (pure, for tests). */
export function mountArgs(opts: Record<string, string>, target: string): string[] {
  const o = opts.o ?? '';
  const bind = /(^|,)r?bind(,|$)/.test(o);
  const args: string[] = [];
  if (!bind || (opts.type && opts.type !== 'none')) args.push('-t', bind ? 'none' : opts.type!);
  if (o) args.push('-o', o);
  args.push(opts.device!, target);
  return args;
}

export class LocalDriver implements VolumeDriver {
  readonly name = 'local';
  private readonly vols = new Map<string, Meta>();
  private readonly creating = new Map<string, Promise<VolumeInfo>>();

  constructor(readonly root: string) {}

  dataDir(name: string): string {
    return path.join(this.root, name, '_data');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const name of await fsp.readdir(this.root)) {
      const dir = path.join(this.root, name);
      let meta: Meta;
      try {
        meta = JSON.parse(await fsp.readFile(path.join(dir, META), 'utf8')) as Meta;
      } catch {
        // a create that crashed before its commit point, or a remove that crashed after it
        if (isMountpoint(this.dataDir(name))) await run('umount', ['-l', this.dataDir(name)]).catch(() => {});
        await fsp.rm(dir, { recursive: true, force: true }).catch(() => {});
        continue;
      }
      this.vols.set(meta.name, meta);
    }
  }

  private info(m: Meta): VolumeInfo {
    return {
      CreatedAt: m.createdAt,
      Driver: 'local',
      Labels: m.labels,
      Mountpoint: this.dataDir(m.name),
      Name: m.name,
      Options: m.options,
      Scope: 'local',
    };
  }

  get(name: string): VolumeInfo | undefined {
    const m = this.vols.get(name);
    return m ? this.info(m) : undefined;
  }

  list(): VolumeInfo[] {
    return [...this.vols.values()].map((m) => this.info(m));
  }

  async create(
    name: string,
    opts: Record<string, string> | null,
    labels: Record<string, string> | null,
  ): Promise<VolumeInfo> {
    if (!VALID_VOLUME_NAME.test(name)) throw invalid(invalidNameMessage(name));
    const existing = this.vols.get(name);
    if (existing) return this.info(existing);
    const pending = this.creating.get(name);
    if (pending !== undefined) return pending;
    validateLocalOptions(opts);
    const p = (async () => {
      const dir = path.join(this.root, name);
      await fsp.mkdir(this.dataDir(name), { recursive: true, mode: 0o755 });
      await fsp.chmod(dir, 0o701);
      const meta: Meta = {
        name,
        createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        labels: labels && Object.keys(labels).length ? { ...labels } : null,
        options: opts && Object.keys(opts).length ? { ...opts } : null,
      };
      await writeJsonAtomic(path.join(dir, META), meta, { mkdir: true });
      this.vols.set(name, meta);
      return this.info(meta);
    })();
    this.creating.set(name, p);
    try {
      return await p;
    } finally {
      this.creating.delete(name);
    }
  }

  async mount(name: string): Promise<string> {
    const m = this.vols.get(name);
    if (!m) throw notFound(`get ${name}: no such volume`);
    const data = this.dataDir(name);
    if (m.options?.device && !isMountpoint(data)) {
      try {
        await run('mount', mountArgs(m.options, data));
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw internal(
          `error while mounting volume '${data}': failed to mount local volume: ${(err.stderr || err.message).trim()}`,
          e,
        );
      }
    }
    return data;
  }

  async unmount(name: string): Promise<void> {
    const m = this.vols.get(name);
    if (!m?.options?.device) return;
    const data = this.dataDir(name);
    if (isMountpoint(data)) await run('umount', ['-l', data]).catch(() => {});
  }

  async remove(name: string): Promise<void> {
    const m = this.vols.get(name);
    if (!m) throw notFound(`get ${name}: no such volume`);
    const dir = path.join(this.root, name);
    const data = this.dataDir(name);
    if (isMountpoint(data)) {
      try {
        await run('umount', [data]);
      } catch (e) {
        throw conflict(
          `remove ${name}: unable to unmount volume: ${(e as { stderr?: string }).stderr ?? ''}`.trim(),
          e,
        );
      }
    }
    // the metadata file is the commit point: without it, init() finishes the removal after a crash
    await fsp.rm(path.join(dir, META), { force: true });
    this.vols.delete(name);
    await fsp.rm(dir, { recursive: true, force: true });
  }

  /** UsageData.Size: content bytes of the data (moby's directory.Size), not disk blocks. */
  async size(name: string): Promise<number> {
    if (!this.vols.has(name)) return 0;
    return (await contentUsage(this.dataDir(name))).size;
  }
}
