// Adapters from the daemon's stores to the small ports engine/, volumes/ and api/ ask for.
import { DEFAULT_DETACH_KEYS, DetachMatcher, parseDetachKeys } from '../api/stream/detach.js';
import type { ImagesPort } from '../engine/ports.js';
import { OciSpecPort } from '../engine/spec-input.js';
import type { ContainerService } from '../engine/service.js';
import { isRunningish } from '../engine/states.js';
import type { ContainerStore } from '../engine/store.js';
import type { ImageService } from '../images/store.js';
import type { NetworkService } from '../network/service.js';
import { ContainerVolumes } from '../volumes/container-volumes.js';
import type { VolumeService } from '../volumes/service.js';
import type { Log } from './logger.js';

/** What the OCI spec needs from outside the container: --pid/--ipc container:<x>, the netns, link env. */
export function ociSpecPortFor(
  store: ContainerStore,
  network: Pick<NetworkService, 'netnsPath' | 'linkEnv'>,
): OciSpecPort {
  return new OciSpecPort({
    pidOf: (ref) => {
      const r = store.tryFind(ref);
      return r && r.state.status === 'running' ? r.state.pid : undefined;
    },
    netnsPath: (rec) => network.netnsPath(rec),
    extraEnv: (rec) => network.linkEnv(rec.id),
  });
}

export function imagesPortFor(images: ImageService): ImagesPort {
  return {
    resolveId: async (ref) => (await images.resolve(ref)).id,
    runtimeConfig: (id) => images.imageConfig(id),
    createRootfs: async (cid, iid) => {
      await images.createRootfs(cid, iid);
    },
    rootfsMounts: (cid) => images.rootfsMounts(cid),
    removeRootfs: (cid) => images.removeRootfs(cid),
    rootfsUsage: async (cid) => (await images.rootfsUsage(cid)).size,
  };
}

const usesVolume = (name: string) => (r: { mounts: Array<{ Type: string; Name?: string }> }) =>
  r.mounts.some((m) => m.Type === 'volume' && m.Name === name);

/** Containers using a named volume: derived from the (persisted) container records, nothing to lose on a crash. */
export function volumeUsers(store: ContainerStore): (name: string) => string[] {
  return (name) =>
    store
      .all()
      .filter(usesVolume(name))
      .map((r) => r.id);
}

export function containerVolumesFor(store: ContainerStore, volumes: VolumeService, log: Log): ContainerVolumes {
  return new ContainerVolumes({
    volumes,
    containerMounts: (ref) => store.find(ref).mounts,
    usedByRunning: (name, exceptId) =>
      store.all().some((r) => r.id !== exceptId && isRunningish(r.state.status) && usesVolume(name)(r)),
    log,
  });
}

/** Containers made from an image, and whether each runs (image rm's conflicts). */
export function imageUsers(store: ContainerStore): (imageId: string) => Array<{ id: string; running: boolean }> {
  return (imageId) =>
    store
      .all()
      .filter((r) => r.image === imageId)
      .map((r) => ({ id: r.id, running: isRunningish(r.state.status) }));
}

/** attach/exec detach keys (default ctrl-p ctrl-q) as the engine's matcher. */
export const detachMatcher: NonNullable<ContainerService['detachMatcher']> = (keys) => {
  const m = new DetachMatcher(keys ?? parseDetachKeys(DEFAULT_DETACH_KEYS));
  return (chunk) => {
    const r = m.push(chunk);
    return { pass: r.data, detached: r.detach };
  };
};
