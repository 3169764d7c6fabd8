// The API's route table over the daemon's services: the per-request services (stats, info, disk
// usage, cp archive, distribution) are made here and handed to each router with what it needs.
import path from 'node:path';
import { attachWsRoutes } from '../api/routes/attach-ws.js';
import { buildRoutes } from '../api/routes/build.js';
import { containerRoutes, type ContainerRouteDeps } from '../api/routes/containers.js';
import { distributionInspectRoutes } from '../api/routes/distribution.js';
import {
  createImageHandler,
  distributionRoutes,
  type DistributionRouteDeps,
} from '../api/routes/images-distribution.js';
import { imageRoutes } from '../api/routes/images.js';
import { networkRoutes } from '../api/routes/networks.js';
import { pluginRoutes } from '../api/routes/plugins.js';
import { searchRoutes } from '../api/routes/search.js';
import { sessionRoutes } from '../api/routes/session.js';
import { swarmRoutes } from '../api/routes/swarm.js';
import { systemDfRoutes } from '../api/routes/system-df.js';
import { systemRoutes } from '../api/routes/system.js';
import { updateRoutes } from '../api/routes/update.js';
import { volumeRoutes } from '../api/routes/volumes.js';
import type { Route } from '../api/router.js';
import type { CacheMounts } from '../build/builder/cache-mounts.js';
import { ContainerArchive } from '../engine/archive.js';
import { DiskUsage } from '../engine/disk-usage.js';
import type { Events } from '../engine/events.js';
import type { ExecService } from '../engine/exec.js';
import { InfoService } from '../engine/info.js';
import type { ContainerService } from '../engine/service.js';
import { ContainerStats, type StatsSource } from '../engine/stats.js';
import type { ContainerStore } from '../engine/store.js';
import { DistributionService } from '../images/distribution/service.js';
import type { ImageService } from '../images/store.js';
import type { NetworkService } from '../network/service.js';
import { binaryVersion } from '../runtime/binary-version.js';
import { hostSysInfo } from '../runtime/sysinfo.js';
import type { ConmonRuntime } from '../runtime/monitor/conmon.js';
import { withContainerFs, type ContainerFsDeps } from '../volumes/container-fs.js';
import { ContainerVolumes } from '../volumes/container-volumes.js';
import type { VolumeService } from '../volumes/service.js';
import type { Binaries } from './binaries.js';
import type { DaemonOptions } from './flags.js';
import type { Log } from './logger.js';
import type { Paths } from './paths.js';
import { imageUsers } from './ports.js';

export interface RouteServices {
  version: string;
  log: Log;
  paths: Paths;
  options: DaemonOptions;
  binaries: Binaries;
  events: Events;
  store: ContainerStore;
  containers: ContainerService;
  execs: ExecService;
  images: ImageService;
  volumes: VolumeService;
  containerVolumes: ContainerVolumes;
  network: NetworkService;
  /** NetworkSettings and ps Ports of a container (network/'s view). */
  containerNetwork: ContainerRouteDeps['network'];
  buildCache: CacheMounts;
  runtime: Pick<ConmonRuntime, 'liveUpdate'>;
  statsSource: StatsSource;
}

function distributionDeps(s: RouteServices): DistributionRouteDeps {
  const { images, containers, options: o } = s;
  return {
    images,
    distribution: new DistributionService(images, {
      insecureRegistries: o.insecureRegistries,
      metadataFile: path.join(s.paths.storage, 'distribution', 'v2metadata.json'),
    }),
    containers: {
      find: (ref) => {
        const r = containers.find(ref);
        return {
          id: r.id,
          image: r.image,
          config: r.config,
          status: r.state.status,
        };
      },
      mounts: (id) => images.rootfsMounts(id),
      withRootfs: (id, fn) => containers.withRootfs(containers.find(id), fn),
      pause: (id) => containers.pause(id),
      unpause: (id) => containers.unpause(id),
      event: (id, action, attrs) => containers.emit(containers.find(id), action, attrs),
    },
  };
}

function containerDeps(s: RouteServices, diskUsage: DiskUsage): ContainerRouteDeps {
  const { store, containers, images } = s;
  const cfs: ContainerFsDeps = {
    withRootfs: (rec, fn) => containers.withRootfs(store.get(rec.id) ?? store.find(rec.id), fn),
    volumes: s.containerVolumes,
  };
  return {
    containers,
    execs: s.execs,
    imageIdFor: async (ref) => (await images.resolve(ref).catch(() => null))?.id ?? null,
    imagePlatform: (ref) =>
      images.resolve(ref).then(
        (i) => images.configFile(i.id),
        () => null,
      ),
    cgroupV2: async () => (await hostSysInfo()).mode === 'v2',
    stats: new ContainerStats(s.statsSource, (id, signal) => containers.wait(id, 'not-running', signal)),
    network: s.containerNetwork,
    sizes: (rec) => diskUsage.containerSize(rec),
    graphData: (rec) => images.containerGraphData(rec.id),
    archive: new ContainerArchive({
      withFs: (rec, fn) => withContainerFs(rec, cfs, fn),
      checkWritable: ContainerVolumes.checkWritable,
      emit: (rec, action) => containers.emit(rec, action),
    }),
  };
}

export function apiRoutes(s: RouteServices): Route[] {
  const { store, containers, images, volumes, buildCache, events, options: o } = s;
  const info = new InfoService({
    containers: () => ({ total: store.all().length, ...containers.runningCount() }),
    imageCount: () => images.count(),
    config: {
      version: s.version,
      dataRoot: s.paths.dataRoot,
      debug: o.logLevel === 'debug',
      logDriver: o.logDriver,
      defaultRuntime: s.binaries.runtimes.default,
      runtimes: Object.fromEntries(Object.entries(s.binaries.runtimes.runtimes).map(([k, r]) => [k, r.path])),
      experimental: o.experimental,
      defaultCgroupnsMode: o.defaultCgroupnsMode,
    },
  });
  const diskUsage = new DiskUsage({
    containers: () => store.all(),
    rwSize: async (id) => (await images.rootfsUsage(id)).size,
    imageSize: async (id) => (await images.resolve(id)).size,
    images: () => images.diskUsage(),
    volumes: () => volumes.usage(),
    buildCache: () => buildCache.list(),
  });
  const dist = distributionDeps(s);
  const components = async () => [
    { Name: s.binaries.runtimes.default, Version: await binaryVersion(s.binaries.runc), Details: { GitCommit: '' } },
    { Name: 'conmon', Version: await binaryVersion(s.binaries.conmon), Details: { GitCommit: '' } },
  ];
  return [
    ...systemRoutes({ version: s.version, events, components, info: () => info.info(), experimental: o.experimental }),
    ...containerRoutes(containerDeps(s, diskUsage)),
    ...attachWsRoutes(containers),
    ...distributionRoutes(dist),
    ...distributionInspectRoutes(dist.distribution),
    ...searchRoutes({ insecureRegistries: o.insecureRegistries }),
    ...imageRoutes(images, imageUsers(store), createImageHandler(dist)),
    ...buildRoutes({
      images,
      containers,
      tmpDir: path.join(s.paths.storage, 'tmp'),
      cacheMounts: buildCache,
      experimental: o.experimental,
      // `docker build --pull`: the FROM image through the distribution service, its status lines in the build output
      puller: {
        pull: (image, line, signal) =>
          dist.distribution.pull({
            image,
            signal,
            progress: (m) =>
              void (
                m.status &&
                m.status !== 'Downloading' &&
                m.status !== 'Extracting' &&
                line(m.id ? `${m.id}: ${m.status}` : m.status)
              ),
          }),
      },
      log: s.log,
    }),
    ...networkRoutes(s.network, { emit: (a, id, attrs) => events.emit('network', a, id, attrs), containers: store }),
    ...swarmRoutes(),
    ...sessionRoutes(),
    ...pluginRoutes({ insecureRegistries: o.insecureRegistries }),
    ...updateRoutes(containers, (id, args) => s.runtime.liveUpdate(id, args)),
    ...volumeRoutes({ volumes }),
    ...systemDfRoutes(diskUsage),
  ];
}
