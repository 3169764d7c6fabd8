// The daemon's stores and runtime, opened in dependency order on its data and exec roots.
import path from 'node:path';
import { CacheMounts } from '../build/builder/cache-mounts.js';
import { Events } from '../engine/events.js';
import { ContainerStore } from '../engine/store.js';
import { ImageService } from '../images/store.js';
import { ConmonRuntime } from '../runtime/monitor/conmon.js';
import { Runc } from '../runtime/runc.js';
import { runtimesForHost, type RuntimeTable } from '../runtime/oci-runtimes.js';
import { OverlaySnapshotter } from '../storage/snapshot/overlay.js';
import type { ContainerVolumes } from '../volumes/container-volumes.js';
import { LocalDriver } from '../volumes/local.js';
import { VolumeService } from '../volumes/service.js';
import type { Log } from './logger.js';
import type { Paths } from './paths.js';
import { containerVolumesFor, volumeUsers } from './ports.js';

export interface Stores {
  events: Events;
  runc: Runc;
  runtime: ConmonRuntime;
  images: ImageService;
  /** RUN --mount=type=cache directories: used by builds, listed by system df, removed by builder prune. */
  buildCache: CacheMounts;
  store: ContainerStore;
  volumes: VolumeService;
  containerVolumes: ContainerVolumes;
}

export async function openStores(
  p: Paths,
  binaries: { runc: string; conmon: string; runtimes?: RuntimeTable },
  debug: boolean,
  log: Log,
): Promise<Stores> {
  const events = new Events();
  // crun on a hybrid cgroup host runs through a wrapper (runtime/crun-hybrid.ts); said once at start
  const host = binaries.runtimes && (await runtimesForHost(binaries.runtimes, path.join(p.dataRoot, 'runtimes')));
  for (const w of host ? host.warnings : []) log('warn', w);
  for (const n of host ? host.notes : []) log('info', n);
  const byName = runtimeClis(p, host ? { ...binaries, runtimes: host.table } : binaries);
  const def = binaries.runtimes?.default ?? 'runc';
  const runc = byName.get(def)!;
  const runtime = new ConmonRuntime({
    conmon: binaries.conmon,
    runc,
    runtimes: { default: def, byName },
    exitDir: p.exits,
    execRoot: p.execRoot,
    logLevel: debug ? 'debug' : 'error',
  });
  runtime.start();
  const snapshotter = new OverlaySnapshotter(p.storage);
  await snapshotter.init();
  const images = new ImageService(p.storage, snapshotter);
  images.onEvent = (action, id, attrs) => events.emit('image', action, id, attrs);
  const buildCache = new CacheMounts(path.join(p.storage, 'build-cache-mounts'));
  await images.init();
  const store = new ContainerStore(p.containers);
  const volumes = new VolumeService([new LocalDriver(path.join(p.dataRoot, 'volumes'))], volumeUsers(store));
  volumes.onEvent = (action, name, attrs) => events.emit('volume', action, name, attrs);
  await volumes.init();
  const containerVolumes = containerVolumesFor(store, volumes, log);
  return { events, runc, runtime, images, buildCache, store, volumes, containerVolumes };
}

/** One CLI per runtime; runc keeps <exec-root>/runc as its state dir, the others one of their own. */
function runtimeClis(p: Paths, b: { runc: string; runtimes?: RuntimeTable }): Map<string, Runc> {
  const table = b.runtimes ?? { default: 'runc', runtimes: { runc: { path: b.runc, runtimeArgs: [] } } };
  const byName = new Map<string, Runc>();
  for (const [name, r] of Object.entries(table.runtimes)) {
    const root = name === 'runc' ? p.runcRoot : path.join(p.execRoot, 'runtimes', name);
    byName.set(name, new Runc({ name, binary: r.path, root, args: r.runtimeArgs }));
  }
  if (!byName.has(table.default)) byName.set(table.default, new Runc({ binary: b.runc, root: p.runcRoot }));
  return byName;
}
