// Volumes by name across drivers, with Docker's API semantics: in-use checks, filters, prune.
// References are not stored here: they are derived from the container records (`users`), which are
// persisted, so they survive a crash of berthd and can never drift from what containers really use.
import { randomBytes } from 'node:crypto';
import { conflict, invalid, isKind, notFound } from '../errdefs.js';
import { ANONYMOUS_LABEL, type VolumeDriver, type VolumeInfo } from './driver.js';

export interface CreateVolumeRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export type VolumeFilters = Map<string, string[]>;

export const VOLUME_FILTERS = ['dangling', 'name', 'label', 'label!', 'driver'] as const;
export const PRUNE_FILTERS = ['label', 'label!', 'all'] as const;

function labelMatch(want: string, labels: Record<string, string>): boolean {
  const i = want.indexOf('=');
  if (i < 0) return Object.hasOwn(labels, want);
  return labels[want.slice(0, i)] === want.slice(i + 1);
}

function boolFilter(key: string, v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(`invalid filter '${key}=${v}'`);
}

export class VolumeService {
  private readonly drivers = new Map<string, VolumeDriver>();

  /** `users(name)` lists the ids of containers whose mounts reference the volume. */
  constructor(
    drivers: VolumeDriver[],
    private readonly users: (name: string) => string[],
  ) {
    for (const d of drivers) this.drivers.set(d.name, d);
  }

  async init(): Promise<void> {
    for (const d of this.drivers.values()) await d.init();
  }

  private driver(name: string | undefined): VolumeDriver {
    const n = name || 'local';
    const d = this.drivers.get(n);
    if (!d) throw notFound(`error looking up volume plugin ${n}: plugin "${n}" not found`);
    return d;
  }

  private locate(name: string): { d: VolumeDriver; v: VolumeInfo } | undefined {
    for (const d of this.drivers.values()) {
      const v = d.get(name);
      if (v) return { d, v };
    }
    return undefined;
  }

  /** Where volume events go (moby's LogVolumeEvent): create, destroy, prune, whoever asked. */
  onEvent: ((action: string, name: string, attrs: Record<string, string>) => void) | null = null;

  async create(req: CreateVolumeRequest): Promise<VolumeInfo> {
    const d = this.driver(req.Driver);
    const anonymous = !req.Name;
    const name = req.Name || randomBytes(32).toString('hex');
    const found = this.locate(name);
    if (found) {
      if (req.Driver && found.d.name !== req.Driver)
        throw conflict(
          `create ${name}: volume name ${name} already exists with driver ${found.d.name}: existing volume has different driver`,
        );
      return found.v;
    }
    const labels = { ...(req.Labels ?? {}) };
    if (anonymous) labels[ANONYMOUS_LABEL] = '';
    const vol = await d.create(name, req.DriverOpts ?? null, Object.keys(labels).length ? labels : null);
    this.onEvent?.('create', vol.Name, { driver: vol.Driver });
    return vol;
  }

  /** A volume by name, or null. */
  tryGet(name: string): VolumeInfo | null {
    return this.locate(name)?.v ?? null;
  }

  get(name: string): VolumeInfo {
    const f = this.locate(name);
    if (!f) throw notFound(`get ${name}: no such volume`);
    return f.v;
  }

  isAnonymous(name: string): boolean {
    const v = this.tryGet(name);
    return !!v?.Labels && Object.hasOwn(v.Labels, ANONYMOUS_LABEL);
  }

  list(f: VolumeFilters = new Map()): VolumeInfo[] {
    const out: VolumeInfo[] = [];
    for (const d of this.drivers.values()) for (const v of d.list()) if (this.matches(v, f)) out.push(v);
    return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }

  private matches(v: VolumeInfo, f: VolumeFilters): boolean {
    const labels = v.Labels ?? {};
    for (const x of f.get('dangling') ?? [])
      if (boolFilter('dangling', x) !== (this.users(v.Name).length === 0)) return false;
    const names = f.get('name') ?? [];
    if (names.length && !names.some((n) => v.Name.includes(n))) return false;
    const drivers = f.get('driver') ?? [];
    if (drivers.length && !drivers.some((n) => v.Driver.includes(n))) return false;
    if (!(f.get('label') ?? []).every((w) => labelMatch(w, labels))) return false;
    if ((f.get('label!') ?? []).some((w) => labelMatch(w, labels))) return false;
    return true;
  }

  async mount(name: string): Promise<string> {
    const f = this.locate(name);
    if (!f) throw notFound(`get ${name}: no such volume`);
    return f.d.mount(name);
  }

  /** Called when a container stops; unmounts backing mounts once no running container needs them. */
  async release(name: string, stillInUse: boolean): Promise<void> {
    if (stillInUse) return;
    await this.locate(name)?.d.unmount(name);
  }

  async remove(name: string, o: { force?: boolean } = {}): Promise<void> {
    const f = this.locate(name);
    if (!f) {
      if (o.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await f.d.remove(name);
    this.onEvent?.('destroy', name, { driver: f.d.name });
  }

  /** Remove unused volumes; anonymous ones only unless `all` (API ≥ 1.42; older APIs prune all). */
  async prune(f: VolumeFilters, allByDefault: boolean): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    let all = allByDefault;
    for (const x of f.get('all') ?? []) all = boolFilter('all', x);
    const deleted: string[] = [];
    let space = 0;
    for (const d of this.drivers.values()) {
      for (const v of d.list()) {
        if (!sizedLocal(d.name, v)) continue;
        const labels = v.Labels ?? {};
        if (!all && !Object.hasOwn(labels, ANONYMOUS_LABEL)) continue;
        if (!(f.get('label') ?? []).every((w) => labelMatch(w, labels))) continue;
        if ((f.get('label!') ?? []).some((w) => labelMatch(w, labels))) continue;
        if (this.users(v.Name).length) continue;
        const size = await d.size(v.Name).catch(() => 0);
        try {
          await d.remove(v.Name);
        } catch (e) {
          if (isKind(e, 'not-found')) continue;
          throw e;
        }
        deleted.push(v.Name);
        space += size;
        this.onEvent?.('destroy', v.Name, { driver: d.name });
      }
    }
    this.onEvent?.('prune', '', { reclaimed: String(space) }); // moby: one event, no actor
    return { VolumesDeleted: deleted, SpaceReclaimed: space };
  }

  /** `system df -v`: each local volume without mount options, with its size and reference count. */
  async usage(): Promise<VolumeInfo[]> {
    const out: VolumeInfo[] = [];
    for (const d of this.drivers.values())
      for (const v of d.list().filter((x) => sizedLocal(d.name, x)))
        out.push({
          ...v,
          UsageData: { Size: await d.size(v.Name).catch(() => -1), RefCount: this.users(v.Name).length },
        });
    return out;
  }
}

/**
 * moby's LocalVolumesSize and Prune: only the local driver's volumes without mount options (a
 * tmpfs or NFS volume holds no space of ours), so system df lists them not and prune keeps them.
 */
function sizedLocal(driver: string, v: { Options: Record<string, string> | null }): boolean {
  return driver === 'local' && Object.keys(v.Options ?? {}).length === 0;
}
