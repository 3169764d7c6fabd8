// A container's rootfs mount, reference counted: start, cp, diff and top on a stopped container
// share one mount; exit and removal unmount it whatever the count. Also the /dev/shm tmpfs of an
// `--ipc shareable` container, which lives beside the rootfs on the host so others can bind it.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isMountpoint } from '../storage/fsutil/mountpoint.js';
import { KeyedQueue } from './locks.js';
import type { FsPort, ImagesPort } from './ports.js';
import type { LogFn } from './transitions.js';

export class RootfsMounts {
  private readonly counts = new Map<string, number>();
  // Mount and unmount of one id never interleave: a reply is sent before its call's unmount ends,
  // so the client's next call (cp's HEAD then PUT) must not find a half-unmounted rootfs, nor two
  // mounts read the same count.
  private readonly serial = new KeyedQueue();

  constructor(
    private readonly images: Pick<ImagesPort, 'rootfsMounts'>,
    private readonly fs: FsPort,
    private readonly dirOf: (id: string) => string,
    private readonly log: LogFn,
  ) {}

  mount(id: string): Promise<string> {
    return this.serial.run(id, () => this.mountNow(id));
  }

  private async mountNow(id: string): Promise<string> {
    const target = this.dirOf(id);
    const n = this.counts.get(id) ?? 0;
    if (n === 0) {
      await fsp.mkdir(target, { recursive: true });
      if (!isMountpoint(target)) {
        await this.fs.mountAll(await this.images.rootfsMounts(id), target);
        await initLayerFiles(target);
      }
    }
    this.counts.set(id, n + 1);
    return target;
  }

  unmount(id: string, force = false): Promise<void> {
    return this.serial.run(id, () => this.unmountNow(id, force));
  }

  private async unmountNow(id: string, force: boolean): Promise<void> {
    const n = (this.counts.get(id) ?? 1) - 1;
    if (n > 0 && !force) {
      this.counts.set(id, n);
      return;
    }
    this.counts.delete(id);
    await this.fs.unmount(this.dirOf(id)).catch((e) => this.log('warn', `unmount ${id}: ${(e as Error).message}`));
    const shm = this.shmDir(id);
    if (isMountpoint(shm))
      await this.fs.unmount(shm).catch((e) => this.log('warn', `unmount shm of ${id}: ${(e as Error).message}`));
  }

  /** Where an `--ipc shareable` container's /dev/shm is mounted on the host (moby's ShmPath). */
  shmDir(id: string): string {
    return path.join(path.dirname(this.dirOf(id)), 'shm');
  }

  /** Mounts the shareable /dev/shm tmpfs (moby's setupIPCDirs); unmounted with the rootfs at exit. */
  async mountShm(id: string, size: number): Promise<string> {
    const dir = this.shmDir(id);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    if (!isMountpoint(dir)) {
      const options = ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${size}`];
      await this.fs.mountAll([{ type: 'tmpfs', source: 'shm', options }], dir);
    }
    return dir;
  }

  /** Is the shareable /dev/shm of `id` mounted (it is while the container runs)? */
  hasShm(id: string): boolean {
    return isMountpoint(this.shmDir(id));
  }

  /** A running container found after a daemon restart: its rootfs is mounted once. */
  adopt(id: string): void {
    this.counts.set(id, 1);
  }

  /** Mount the rootfs for the duration of fn. */
  async with<T>(id: string, fn: (root: string) => Promise<T>): Promise<T> {
    const root = await this.mount(id);
    try {
      return await fn(root);
    } finally {
      await this.unmount(id);
    }
  }
}

/**
 * Docker's init layer holds an empty /.dockerenv (tools detect containers by it) and /etc/mtab as a
 * link to /proc/mounts (mount, df read it). Written into the container's own layer when missing,
 * which `docker diff` already leaves out as init paths; what the image has is kept.
 */
async function initLayerFiles(root: string): Promise<void> {
  await fsp.writeFile(path.join(root, '.dockerenv'), '', { flag: 'wx', mode: 0o755 }).catch(() => {});
  const mtab = path.join(root, 'etc', 'mtab');
  const missing = await fsp.lstat(mtab).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
  );
  // the image's /etc must be a real directory (or none): never follow a link out of the rootfs
  const etc = await fsp.lstat(path.dirname(mtab)).catch(() => null);
  if (!missing || (etc && !etc.isDirectory())) return;
  if (!etc) await fsp.mkdir(path.dirname(mtab), { mode: 0o755 }).catch(() => {});
  await fsp.symlink('/proc/mounts', mtab).catch(() => {});
}
