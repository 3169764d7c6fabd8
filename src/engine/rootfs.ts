// A container's rootfs mount, reference counted: start, cp, diff and top on a stopped container
// share one mount; exit and removal unmount it whatever the count.
import fsp from 'node:fs/promises';
import { isMountpoint } from '../storage/fsutil/mountpoint.js';
import type { FsPort, ImagesPort } from './ports.js';
import type { LogFn } from './transitions.js';

export class RootfsMounts {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly images: Pick<ImagesPort, 'rootfsMounts'>,
    private readonly fs: FsPort,
    private readonly dirOf: (id: string) => string,
    private readonly log: LogFn,
  ) {}

  async mount(id: string): Promise<string> {
    const target = this.dirOf(id);
    const n = this.counts.get(id) ?? 0;
    if (n === 0) {
      await fsp.mkdir(target, { recursive: true });
      if (!isMountpoint(target)) await this.fs.mountAll(await this.images.rootfsMounts(id), target);
    }
    this.counts.set(id, n + 1);
    return target;
  }

  async unmount(id: string, force = false): Promise<void> {
    const n = (this.counts.get(id) ?? 1) - 1;
    if (n > 0 && !force) {
      this.counts.set(id, n);
      return;
    }
    this.counts.delete(id);
    await this.fs.unmount(this.dirOf(id)).catch((e) => this.log('warn', `unmount ${id}: ${(e as Error).message}`));
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
