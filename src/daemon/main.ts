// berthd: the composition root. Constructs every store and driver explicitly, wires them, and
// serves the Engine API; what each piece does lives in its own subsystem.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ApiServer } from '../api/server.js';
import { containerNetworkView } from '../api/wire/networks.js';
import { CacheMounts } from '../build/builder/cache-mounts.js';
import { Events } from '../engine/events.js';
import { ExecService } from '../engine/exec.js';
import { HealthMonitor } from '../engine/health.js';
import type { LogsPort } from '../engine/ports.js';
import { ContainerService } from '../engine/service.js';
import { OciSpecPort } from '../engine/spec-input.js';
import { ContainerStore } from '../engine/store.js';
import { EngineError } from '../errdefs.js';
import { ImageService } from '../images/store.js';
import { LogManager } from '../logs/manager.js';
import { validateLogConfig } from '../logs/options.js';
import { NetworkService } from '../network/service.js';
import { StatsSampler } from '../runtime/cgroups-sampler.js';
import { ConmonRuntime } from '../runtime/monitor/conmon.js';
import { writeConmonCtl } from '../runtime/monitor/ctl.js';
import { Runc } from '../runtime/runc.js';
import { hostSysInfo } from '../runtime/sysinfo.js';
import { mountAll, unmount } from '../storage/snapshot/mount.js';
import { OverlaySnapshotter } from '../storage/snapshot/overlay.js';
import { LocalDriver } from '../volumes/local.js';
import { VolumeService } from '../volumes/service.js';
import { findBinaries } from './binaries.js';
import { applyConfigFile, parseArgs, USAGE, type DaemonOptions } from './flags.js';
import { listenAll, unixSocketOf } from './listen.js';
import { acquireLock } from './lock.js';
import { daemonLogger } from './logger.js';
import { logsPortFor } from './logs-port.js';
import { paths as mkPaths, setupRoots } from './paths.js';
import { containerVolumesFor, detachMatcher, imagesPortFor, volumeUsers } from './ports.js';
import { reconcile } from './reconcile.js';
import { apiRoutes } from './routes.js';
import { installSignalHandlers } from './shutdown.js';

const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<void> {
  const parsed = parseArgs(argv);
  if (parsed.help) return void process.stdout.write(USAGE);
  if (parsed.version) return void process.stdout.write(`berthd version ${VERSION}\n`);
  applyConfigFile(parsed, parsed.given.has('configFile'));
  const o: DaemonOptions = parsed.options;
  if (o.hosts.length === 0) o.hosts.push(`unix://${path.join(o.execRoot, 'berth.sock')}`);
  const log = daemonLogger(o.logLevel);
  if (process.getuid?.() !== 0) throw new EngineError('forbidden', 'berthd needs to be started with root privileges');

  const p = mkPaths(path.resolve(o.dataRoot), path.resolve(o.execRoot), o.pidfile);
  await setupRoots(p, o.hosts.map((h) => unixSocketOf(h) ?? '').filter(Boolean).map((s) => path.resolve(s)));
  const releaseLock = acquireLock(p.lockfile, p.dataRoot);
  const binaries = findBinaries(o);

  const events = new Events();
  const runc = new Runc({ binary: binaries.runc, root: p.runcRoot });
  const runtime = new ConmonRuntime({ conmon: binaries.conmon, runc, exitDir: p.exits, execRoot: p.execRoot, logLevel: o.logLevel === 'debug' ? 'debug' : 'error' });
  runtime.start();
  const snapshotter = new OverlaySnapshotter(p.storage);
  await snapshotter.init();
  const images = new ImageService(p.storage, snapshotter);
  // RUN --mount=type=cache directories: used by builds, listed by system df, removed by builder prune
  const buildCache = new CacheMounts(path.join(p.storage, 'build-cache-mounts'));
  await images.init();
  const store = new ContainerStore(p.containers);
  const volumes = new VolumeService([new LocalDriver(path.join(p.dataRoot, 'volumes'))], volumeUsers(store));
  await volumes.init();
  const ctrVolumes = containerVolumesFor(store, volumes, log);

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
    images: imagesPortFor(images),
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
  containers.detachMatcher = detachMatcher;
  const execs = new ExecService(containers);

  await reconcile({ containers, store, images, runc, paths: p, log });
  new HealthMonitor(containers, execs, events).attach();
  await network.restore();

  // one sampling ticker shared by every stats stream (src/runtime/cgroups-sampler.ts)
  const statsSampler = new StatsSampler();
  const routes = apiRoutes({
    version: VERSION,
    log,
    paths: p,
    options: o,
    binaries,
    events,
    store,
    containers,
    execs,
    images,
    volumes,
    containerVolumes: ctrVolumes,
    network,
    containerNetwork: containerNetworkView(network),
    buildCache,
    runc,
    statsSource: statsSampler,
  });
  const api = new ApiServer({ version: VERSION, log, routes });
  const sockets = await listenAll(api, o.hosts, o.group, log);
  await fsp.mkdir(path.dirname(p.pidfile), { recursive: true });
  await fsp.writeFile(p.pidfile, String(process.pid));
  log('info', `berthd ${VERSION} started (data-root ${p.dataRoot}, exec-root ${p.execRoot})`);

  installSignalHandlers({
    log,
    closeApi: () => {
      api.http.close();
      api.http.closeAllConnections?.();
    },
    // no restart or health probe may start while going down (resumed from state on the next start)
    stopTimers: [() => containers.supervisor.close(), () => statsSampler.close(), () => runtime.stop()],
    // log shippers persist their position after the batch in flight (bounded wait)
    drain: () => Promise.all([logManager.stopAll(), network.shutdown()]),
    files: [...sockets, p.pidfile],
    releaseLock,
  });
}

const isMain = process.argv[1] && (process.argv[1].endsWith('/main.js') || process.argv[1].endsWith('/berthd'));
if (isMain) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`berthd: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
