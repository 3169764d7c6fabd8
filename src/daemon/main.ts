// berthd: the composition root. Constructs every store and driver explicitly and serves the Engine API.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApiServer } from '../api/server.js';
import { containerRoutes } from '../api/routes/containers.js';
import { imageRoutes } from '../api/routes/images.js';
import { buildRoutes } from '../api/routes/build.js';
import { CacheMounts } from '../build/builder/cache-mounts.js';
import { createImageHandler, distributionRoutes, type DistributionRouteDeps } from '../api/routes/images-distribution.js';
import { DistributionService } from '../images/distribution/service.js';
import { networkRoutes } from '../api/routes/networks.js';
import { containerNetworkView } from '../api/wire/networks.js';
import { NetworkService } from '../network/service.js';
import { systemRoutes } from '../api/routes/system.js';
import { swarmRoutes } from '../api/routes/swarm.js';
import { updateRoutes } from '../api/routes/update.js';
import { systemDfRoutes } from '../api/routes/system-df.js';
import { volumeRoutes } from '../api/routes/volumes.js';
import { DetachMatcher, DEFAULT_DETACH_KEYS, parseDetachKeys } from '../api/stream/detach.js';
import { Events } from '../engine/events.js';
import { ExecService } from '../engine/exec.js';
import { HealthMonitor } from '../engine/health.js';
import type { ImagesPort, LogsPort } from '../engine/ports.js';
import { ContainerService } from '../engine/service.js';
import { ContainerStats } from '../engine/stats.js';
import { ContainerArchive } from '../engine/archive.js';
import { InfoService } from '../engine/info.js';
import { DiskUsage } from '../engine/disk-usage.js';
import { OciSpecPort } from '../engine/spec-input.js';
import { isRunningish } from '../engine/states.js';
import { ContainerStore } from '../engine/store.js';
import { EngineError } from '../errdefs.js';
import { ImageService } from '../images/store.js';
import { logsPortFor } from './logs-port.js';
import { LogManager } from '../logs/manager.js';
import { validateLogConfig } from '../logs/options.js';
import { StatsSampler } from '../runtime/cgroups-sampler.js';
import { ConmonRuntime } from '../runtime/monitor/conmon.js';
import { writeConmonCtl } from '../runtime/monitor/ctl.js';
import { Runc } from '../runtime/runc.js';
import { hostSysInfo } from '../runtime/sysinfo.js';
import { mountAll, unmount } from '../storage/snapshot/mount.js';
import { OverlaySnapshotter } from '../storage/snapshot/overlay.js';
import { withContainerFs, type ContainerFsDeps } from '../volumes/container-fs.js';
import { ContainerVolumes } from '../volumes/container-volumes.js';
import { LocalDriver } from '../volumes/local.js';
import { VolumeService } from '../volumes/service.js';
import { acquireLock } from './lock.js';
import { applyConfigFile, parseArgs, USAGE, type DaemonOptions } from './flags.js';
import { paths as mkPaths, setupRoots } from './paths.js';
import { reconcile } from './reconcile.js';

const VERSION = '0.1.0';
const run = promisify(execFile);
const levels = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 } as const;

function which(bin: string, extra: string[] = []): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', ...extra]) {
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

async function versionOf(bin: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(bin, args);
    return /(\d+\.\d+\.\d+[^\s]*)/.exec(stdout)?.[1] ?? stdout.split('\n')[0]!.trim();
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<void> {
  const parsed = parseArgs(argv);
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.version) {
    process.stdout.write(`berthd version ${VERSION}\n`);
    return;
  }
  applyConfigFile(parsed, parsed.given.has('configFile'));
  const o: DaemonOptions = parsed.options;
  if (o.hosts.length === 0) o.hosts.push(`unix://${path.join(o.execRoot, 'berth.sock')}`);
  const minLevel = levels[o.logLevel];
  const log = (level: keyof typeof levels, m: string) => {
    if (levels[level] >= minLevel) process.stderr.write(`time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(m)}\n`);
  };
  if (process.getuid?.() !== 0) throw new EngineError('forbidden', 'berthd needs to be started with root privileges');

  const p = mkPaths(path.resolve(o.dataRoot), path.resolve(o.execRoot), o.pidfile);
  await setupRoots(p, o.hosts.map((h) => /^unix:\/\/(.+)$/.exec(h)?.[1] ?? '').filter(Boolean).map((s) => path.resolve(s)));
  const releaseLock = acquireLock(p.lockfile, p.dataRoot);

  const runcBin = o.runtimes[o.defaultRuntime] ?? which(o.defaultRuntime);
  const conmonBin = which('conmon', ['/usr/libexec/podman', '/usr/lib/podman']);
  if (!runcBin) throw new EngineError('unavailable', `OCI runtime "${o.defaultRuntime}" not found in PATH (install runc)`);
  if (!conmonBin) throw new EngineError('unavailable', 'conmon not found in PATH (install conmon)');

  const events = new Events();
  const runc = new Runc({ binary: runcBin, root: p.runcRoot });
  const runtime = new ConmonRuntime({ conmon: conmonBin, runc, exitDir: p.exits, execRoot: p.execRoot, logLevel: o.logLevel === 'debug' ? 'debug' : 'error' });
  runtime.start();
  const snapshotter = new OverlaySnapshotter(p.storage);
  await snapshotter.init();
  const images = new ImageService(p.storage, snapshotter);
  // RUN --mount=type=cache directories: used by builds, listed by system df, removed by builder prune
  const buildCache = new CacheMounts(path.join(p.storage, 'build-cache-mounts'));
  await images.init();
  const store = new ContainerStore(p.containers);
  // volume references are derived from the (persisted) container records: nothing to lose on a crash
  const volumeUsers = (name: string) => store.all().filter((r) => r.mounts.some((m) => m.Type === 'volume' && m.Name === name)).map((r) => r.id);
  const volumes = new VolumeService([new LocalDriver(path.join(p.dataRoot, 'volumes'))], volumeUsers);
  await volumes.init();
  const ctrVolumes = new ContainerVolumes({
    volumes,
    containerMounts: (ref) => store.find(ref).mounts,
    usedByRunning: (name, exceptId) =>
      store.all().some((r) => r.id !== exceptId && isRunningish(r.state.status) && r.mounts.some((m) => m.Type === 'volume' && m.Name === name)),
    log,
  });

  const imagesPort: ImagesPort = {
    resolveId: async (ref) => (await images.resolve(ref)).id,
    runtimeConfig: (id) => images.imageConfig(id),
    createRootfs: async (cid, iid) => {
      await images.createRootfs(cid, iid);
    },
    rootfsMounts: (cid) => images.rootfsMounts(cid),
    removeRootfs: (cid) => images.removeRootfs(cid),
    rootfsUsage: async (cid) => (await images.rootfsUsage(cid)).size,
  };
  // what the host's cgroups lack, once at start (moby's sysinfo warnings); create discards those flags
  for (const w of (await hostSysInfo()).warnings) log('warn', w);
  const logDefaults = { Type: o.logDriver || 'json-file', Config: o.logOpts };
  validateLogConfig(logDefaults);
  const logManager = new LogManager({ defaults: logDefaults, log, reopenLog: (id) => writeConmonCtl(path.join(p.execRoot, 'c', id, 'ctl'), { op: 'reopen-log' }) });
  const logsPort: LogsPort = logsPortFor(logManager);
  const network = new NetworkService({
    dataRoot: p.dataRoot,
    execRoot: p.execRoot,
    options: { bip: o.bip, fixedCidr: o.fixedCidr, iptables: o.iptables, ipForward: o.ipForward, userlandProxy: o.userlandProxy, defaultAddressPools: o.defaultAddressPools },
    containers: { find: (ref) => store.tryFind(ref), all: () => store.all(), update: (id, mutate) => containers.updateRecord(id, mutate) },
    log,
  });
  await network.init();
  const containers = new ContainerService({
    store,
    runtime,
    images: imagesPort,
    fs: { mountAll, unmount },
    spec: new OciSpecPort({
      pidOf: (ref) => {
        const r = store.tryFind(ref);
        return r && r.state.status === 'running' ? r.state.pid : undefined;
      },
      netnsPath: (rec) => network.netnsPath(rec),
      extraEnv: (rec) => network.linkEnv(rec.id),
    }),
    network,
    logs: logsPort,
    volumes: ctrVolumes,
    events,
    paths: { execRoot: p.execRoot, cgroupParent: 'berth' },
    log,
  });
  containers.detachMatcher = (keys) => {
    const m = new DetachMatcher(keys ?? parseDetachKeys(DEFAULT_DETACH_KEYS));
    return (chunk) => {
      const r = m.push(chunk);
      return { pass: r.data, detached: r.detach };
    };
  };
  const execs = new ExecService(containers);
  const cfs: ContainerFsDeps = { withRootfs: (rec, fn) => containers.withRootfs(store.get(rec.id) ?? store.find(rec.id), fn), volumes: ctrVolumes };

  await reconcile({ containers, store, images, runc, paths: p, log });
  new HealthMonitor(containers, execs, events).attach();
  await network.restore();

  const inUse = (imageId: string) =>
    store
      .all()
      .filter((r) => r.image === imageId)
      .map((r) => ({ id: r.id, running: isRunningish(r.state.status) }));

  const distDeps: DistributionRouteDeps = {
    images,
    distribution: new DistributionService(images, { insecureRegistries: o.insecureRegistries, metadataFile: path.join(p.storage, 'distribution', 'v2metadata.json') }),
    containers: {
      find: (ref) => {
        const r = containers.find(ref);
        return { id: r.id, image: r.image, config: r.config as unknown as import('../images/types.js').ContainerConfig, status: r.state.status };
      },
      mounts: (id) => images.rootfsMounts(id),
      withRootfs: (id, fn) => containers.withRootfs(containers.find(id), fn),
      pause: (id) => containers.pause(id),
      unpause: (id) => containers.unpause(id),
    },
  };

  // one sampling ticker shared by every stats stream (src/runtime/cgroups-sampler.ts)
  const statsSampler = new StatsSampler();
  const stats = new ContainerStats(statsSampler);
  const info = new InfoService({
    containers: () => ({ total: store.all().length, ...containers.runningCount() }),
    imageCount: () => images.count(),
    config: { version: VERSION, dataRoot: p.dataRoot, debug: o.logLevel === 'debug', logDriver: o.logDriver, defaultRuntime: o.defaultRuntime, runtimes: { runc: runcBin, ...o.runtimes } },
  });
  const diskUsage = new DiskUsage({
    containers: () => store.all(),
    rwSize: async (id) => (await images.rootfsUsage(id)).size,
    imageSize: async (id) => (await images.resolve(id)).size,
    images: () => images.diskUsage(),
    volumes: () => volumes.usage(),
    buildCache: () => buildCache.list(),
  });
  const archive = new ContainerArchive({ withFs: (rec, fn) => withContainerFs(rec, cfs, fn), checkWritable: ContainerVolumes.checkWritable });

  const api = new ApiServer({
    version: VERSION,
    log,
    routes: [
      ...systemRoutes({
        version: VERSION,
        events,
        components: async () => [
          { Name: 'runc', Version: await versionOf(runcBin, ['--version']), Details: { GitCommit: '' } },
          { Name: 'conmon', Version: await versionOf(conmonBin, ['--version']), Details: { GitCommit: '' } },
        ],
        info: () => info.info(),
      }),
      ...containerRoutes({
        containers,
        execs,
        imageIdFor: async (ref) => {
          try {
            return (await images.resolve(ref)).id;
          } catch {
            return null;
          }
        },
        stats,
        network: containerNetworkView(network),
        sizes: (rec) => diskUsage.containerSize(rec),
        archive,
      }),
      ...distributionRoutes(distDeps),
      ...imageRoutes(images, inUse, createImageHandler(distDeps)),
      ...buildRoutes({
        images,
        containers,
        tmpDir: path.join(p.storage, 'tmp'),
        cacheMounts: buildCache,
        // `docker build --pull`: the FROM image through the distribution service, its status lines in the build output
        puller: { pull: (image, line, signal) => distDeps.distribution.pull({ image, signal, progress: (m) => void (m.status && m.status !== 'Downloading' && m.status !== 'Extracting' && line(m.id ? `${m.id}: ${m.status}` : m.status)) }) },
        log,
      }),
      ...networkRoutes(network),
      ...swarmRoutes(),
      ...updateRoutes(containers, async (id, args) => {
        await runc.run(['update', ...args, id]);
      }),
      ...volumeRoutes({ volumes, emit: (action, name, attrs) => events.emit('volume', action, name, attrs) }),
      ...systemDfRoutes(diskUsage),
    ],
  });

  const sockets: string[] = [];
  for (const h of o.hosts) {
    const m = /^unix:\/\/(.+)$/.exec(h);
    if (!m) throw new EngineError('invalid', `unsupported host ${h}: only unix:// sockets are served`);
    const sock = m[1]!;
    await fsp.mkdir(path.dirname(sock), { recursive: true });
    if (fs.existsSync(sock)) {
      if (await socketAnswers(sock)) throw new EngineError('conflict', `another daemon is already listening on ${sock}`);
      await fsp.rm(sock, { force: true });
    }
    await api.listen(sock);
    await fsp.chmod(sock, 0o660);
    const gid = groupId(o.group);
    if (gid !== null) await fsp.chown(sock, 0, gid).catch(() => {});
    sockets.push(sock);
    log('info', `API listen on ${sock}`);
  }
  await fsp.mkdir(path.dirname(p.pidfile), { recursive: true });
  await fsp.writeFile(p.pidfile, String(process.pid));
  log('info', `berthd ${VERSION} started (data-root ${p.dataRoot}, exec-root ${p.execRoot})`);

  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `received ${sig}, shutting down; containers keep running`);
    api.http.close();
    api.http.closeAllConnections?.();
    // no restart or health probe may start while going down (resumed from state on the next start)
    containers.supervisor.close();
    statsSampler.close();
    runtime.stop();
    // log shippers persist their position after the batch in flight (bounded wait)
    void Promise.race([Promise.all([logManager.stopAll(), network.shutdown()]), new Promise((r) => setTimeout(r, 2000))]).finally(() => {
      for (const s of sockets) fs.rmSync(s, { force: true });
      fs.rmSync(p.pidfile, { force: true });
      releaseLock();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGPIPE', () => {});
  // Last resort, not the fix: an error that escaped its request's own error path is logged as the
  // bug it is and the daemon keeps serving its other clients (tests fail on these lines).
  const bug = (what: string) => (e: unknown) => log('error', `${what} (a bug, please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.on('uncaughtException', bug('uncaught exception'));
  process.on('unhandledRejection', bug('unhandled rejection'));
}

function socketAnswers(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    import('node:net').then(({ createConnection }) => {
      const c = createConnection(sock);
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
  });
}

function groupId(name: string): number | null {
  if (/^\d+$/.test(name)) return Number(name);
  try {
    for (const line of fs.readFileSync('/etc/group', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name) return Number(f[2]);
    }
  } catch {
    /* none */
  }
  return null;
}

const isMain = process.argv[1] && (process.argv[1].endsWith('/main.js') || process.argv[1].endsWith('/berthd'));
if (isMain) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`berthd: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
