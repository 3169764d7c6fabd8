// After a crash or restart: finish or roll back half-done work, reattach to running containers.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ContainerService } from '../engine/service.js';
import type { ContainerStore } from '../engine/store.js';
import type { ImageService } from '../images/store.js';
import { unmount } from '../storage/snapshot/mount.js';
import type { Paths } from './paths.js';

export async function reconcile(o: {
  containers: ContainerService;
  store: ContainerStore;
  images: ImageService;
  /** Removes a stopped container's runtime state, on the runtime that created it. */
  runtime: { cleanup(id: string, bundleDir: string): Promise<void> };
  paths: Paths;
  log: (l: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
}): Promise<void> {
  await o.containers.restore();
  const known = new Set(o.store.all().map((r) => r.id));
  // container dirs without a record: a create that crashed midway
  for (const id of await fsp.readdir(o.paths.containers).catch(() => [] as string[])) {
    if (known.has(id) || id.startsWith('.')) continue;
    o.log('info', `removing leftovers of unfinished container ${id}`);
    await o.images.removeRootfs(id).catch(() => {});
    await fsp.rm(path.join(o.paths.containers, id), { recursive: true, force: true });
  }
  // bundles of containers that are not running: stale mounts and runc state
  const bundles = path.join(o.paths.execRoot, 'c');
  for (const id of await fsp.readdir(bundles).catch(() => [] as string[])) {
    const rec = o.store.get(id);
    const alive =
      rec && (rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting');
    if (alive) continue;
    const rootfs = path.join(bundles, id, 'rootfs');
    if (fs.existsSync(rootfs)) await unmount(rootfs).catch(() => {});
    await o.runtime.cleanup(id, path.join(bundles, id)).catch(() => {});
    await fsp.rm(path.join(bundles, id), { recursive: true, force: true }).catch(() => {});
  }
}
