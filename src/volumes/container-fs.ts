// The filesystem a container sees, for `docker cp`: the rootfs with its volumes and bind mounts.
// A running (or paused) container is read through /proc/<pid>/root, i.e. its own mount namespace;
// a stopped one gets its rootfs mounted and its mounts bound into it for the duration of the call.
import fs from 'node:fs';
import type { ContainerVolumes, VolumeUser } from './container-volumes.js';

export interface FsUser extends VolumeUser {
  state: { status: string; pid: number };
}

export interface ContainerFsDeps {
  withRootfs<T>(rec: FsUser, fn: (root: string) => Promise<T>): Promise<T>;
  volumes: ContainerVolumes;
}

export function liveRoot(rec: FsUser): string | null {
  if ((rec.state.status !== 'running' && rec.state.status !== 'paused') || !rec.state.pid) return null;
  const root = `/proc/${rec.state.pid}/root`;
  return fs.existsSync(root) ? root : null;
}

export function withContainerFs<T>(rec: FsUser, d: ContainerFsDeps, fn: (root: string) => Promise<T>): Promise<T> {
  const live = liveRoot(rec);
  if (live) return fn(live);
  return d.withRootfs(rec, async (root) => {
    const undo = await d.volumes.bindInto(rec, root);
    try {
      return await fn(root);
    } finally {
      await undo();
    }
  });
}
