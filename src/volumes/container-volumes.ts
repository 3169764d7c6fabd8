// The engine's view of volumes: resolve a container's mounts at create, prepare them at start,
// release them at exit, drop anonymous volumes with `rm -v` / `--rm`, and expose them to `docker cp`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { invalid } from '../errdefs.js';
import { secureJoin } from '../storage/fsutil/securejoin.js';
import { copyUp } from './copyup.js';
import { ociMounts, resolveMounts, wantsCopy, type MountPoint, type MountSpecIn, type OciMount } from './mounts.js';
import type { VolumeService } from './service.js';

const run = promisify(execFile);

/** The parts of a container record this module reads (structurally the engine's ContainerRecord). */
export interface VolumeUser {
  id: string;
  config: { Volumes: Record<string, object> | null };
  hostConfig: {
    Binds: string[] | null;
    Mounts?: MountSpecIn[];
    Tmpfs?: Record<string, string>;
    VolumesFrom: string[] | null;
  };
  mounts: MountPoint[];
}

export interface ContainerVolumesDeps {
  volumes: VolumeService;
  /** Mounts of a container by name/id (for --volumes-from); throws Docker's not-found. */
  containerMounts(ref: string): MountPoint[];
  /** Whether another running container (not `exceptId`) uses the named volume. */
  usedByRunning(name: string, exceptId: string): boolean;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
}

export class ContainerVolumes {
  constructor(private readonly d: ContainerVolumesDeps) {}

  /** Validate and resolve the create request's mounts; creates named/anonymous volumes. */
  prepare(rec: VolumeUser): Promise<MountPoint[]> {
    return resolveMounts(
      {
        binds: rec.hostConfig.Binds ?? [],
        mounts: rec.hostConfig.Mounts ?? [],
        tmpfs: rec.hostConfig.Tmpfs ?? {},
        volumesFrom: rec.hostConfig.VolumesFrom ?? [],
        volumes: Object.keys(rec.config.Volumes ?? {}),
      },
      {
        containerMounts: (ref) => this.d.containerMounts(ref),
        createVolume: (o) =>
          this.d.volumes.create({
            Name: o.name,
            Driver: o.driver,
            DriverOpts: o.opts ?? null,
            Labels: o.labels ?? null,
          }),
        removeVolume: (n) => this.d.volumes.remove(n, { force: true }),
      },
    );
  }

  /** At start, with the rootfs mounted: mount volumes, copy image content into empty ones, give the OCI mounts. */
  async setup(rec: VolumeUser, rootfs: string): Promise<OciMount[]> {
    const paths = new Map<string, string>();
    for (const mp of rec.mounts) {
      if (mp.Type !== 'volume' || !mp.Name) continue;
      const p = await this.d.volumes.mount(mp.Name);
      paths.set(mp.Destination, p);
      if (wantsCopy(mp, rec.hostConfig.Mounts ?? [])) await copyUp(rootfs, mp.Destination, p);
    }
    for (const mp of rec.mounts)
      if (mp.Type === 'bind' && !fs.existsSync(mp.Source))
        throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${mp.Source}`);
    return ociMounts(
      rec.mounts,
      rec.hostConfig.Mounts ?? [],
      rec.hostConfig.Tmpfs ?? {},
      (mp) => paths.get(mp.Destination) ?? mp.Source,
    );
  }

  /** The container stopped: undo backing mounts no other running container needs. */
  async release(rec: VolumeUser): Promise<void> {
    for (const mp of rec.mounts)
      if (mp.Type === 'volume' && mp.Name)
        await this.d.volumes
          .release(mp.Name, this.d.usedByRunning(mp.Name, rec.id))
          .catch((e) => this.d.log?.('warn', `release volume ${mp.Name}: ${(e as Error).message}`));
  }

  /** `rm -v` / `--rm`: anonymous volumes go with the container, unless something else still uses them. */
  async removeAnonymous(rec: VolumeUser): Promise<void> {
    for (const mp of rec.mounts) {
      if (mp.Type !== 'volume' || !mp.Name || !this.d.volumes.isAnonymous(mp.Name)) continue;
      await this.d.volumes
        .remove(mp.Name)
        .catch((e) => this.d.log?.('debug', `keeping volume ${mp.Name}: ${(e as Error).message}`));
    }
  }

  /** The mount covering a container path (deepest destination), if any. */
  static covering(mounts: MountPoint[], ctrPath: string): MountPoint | undefined {
    const p = posix.join('/', ctrPath);
    let best: MountPoint | undefined;
    for (const m of mounts)
      if (
        (p === m.Destination || p.startsWith(m.Destination + '/')) &&
        (!best || m.Destination.length > best.Destination.length)
      )
        best = m;
    return best;
  }

  /** `docker cp` into a read-only mount is refused like Docker does. */
  static checkWritable(mounts: MountPoint[], ctrPath: string): void {
    const m = ContainerVolumes.covering(mounts, ctrPath);
    if (m && !m.RW) throw invalid('mounted volume is marked read-only');
  }

  /**
   * For a stopped container: bind its volumes and bind mounts into the mounted rootfs so `docker cp`
   * sees what the container would see. Returns the undo function.
   */
  async bindInto(rec: VolumeUser, root: string): Promise<() => Promise<void>> {
    const done: string[] = [];
    const undo = async () => {
      for (const t of done.reverse()) await run('umount', ['-l', t]).catch(() => {});
    };
    const sorted = [...rec.mounts]
      .filter((m) => m.Type !== 'tmpfs')
      .sort((a, b) => a.Destination.split('/').length - b.Destination.split('/').length);
    try {
      for (const mp of sorted) {
        const src = mp.Type === 'volume' && mp.Name ? await this.d.volumes.mount(mp.Name) : mp.Source;
        const st = await fsp.stat(src).catch(() => null);
        if (!st) continue;
        const tgt = await secureJoin(root, mp.Destination);
        if (!fs.existsSync(tgt)) {
          if (st.isDirectory()) await fsp.mkdir(tgt, { recursive: true });
          else {
            await fsp.mkdir(posix.dirname(tgt), { recursive: true });
            await fsp.writeFile(tgt, '');
          }
        }
        await run('mount', ['--rbind', src, tgt]);
        done.push(tgt);
        if (!mp.RW) await run('mount', ['-o', 'remount,bind,ro', tgt]).catch(() => {});
      }
    } catch (e) {
      await undo();
      throw e;
    }
    return undo;
  }
}
