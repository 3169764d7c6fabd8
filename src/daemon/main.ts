// berthd: the composition root. Constructs every store and driver explicitly, wires them, and
// serves the Engine API; what each piece does lives in its own subsystem.
import path from 'node:path';
import { ApiServer } from '../api/server.js';
import { containerNetworkView } from '../api/wire/networks.js';
import { ExecService } from '../engine/exec.js';
import { HealthMonitor } from '../engine/health.js';
import type { LogsPort } from '../engine/ports.js';
import { removalsSettled } from '../engine/remove.js';
import { ContainerService } from '../engine/service.js';
import { EngineError } from '../errdefs.js';
import { LogManager } from '../logs/manager.js';
import { validateLogConfig } from '../logs/options.js';
import { NetworkService } from '../network/service.js';
import { StatsSampler } from '../runtime/cgroups-sampler.js';
import { writeConmonCtl } from '../runtime/monitor/ctl.js';
import { hostSysInfo } from '../runtime/sysinfo.js';
import { mountAll, unmount } from '../storage/snapshot/mount.js';
import { findBinaries } from './binaries.js';
import { startIdleGc } from './idle-gc.js';
import { applyConfigFile, parseArgs, USAGE, type DaemonOptions } from './flags.js';
import { socketPaths } from './listen.js';
import { acquireLock } from './lock.js';
import { daemonLogger } from './logger.js';
import { logsPortFor } from './logs-port.js';
import { paths as mkPaths, setupRoots } from './paths.js';
import { detachMatcher, imagesPortFor, ociSpecPortFor } from './ports.js';
import { reconcile } from './reconcile.js';
import { apiRoutes } from './routes.js';
import { serve } from './serve.js';
import { startWeb } from '../web/server.js';
import { openStores } from './stores.js';

const VERSION = '0.1.0';

/** The daemon flags the network service reads. */
function networkOptions(o: DaemonOptions) {
  const { bip, fixedCidr, iptables, ipForward, userlandProxy, defaultAddressPools, hostGatewayIp } = o;
  return { bip, fixedCidr, iptables, ipForward, userlandProxy, defaultAddressPools, hostGatewayIp };
}

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
  await setupRoots(p, socketPaths(o.hosts));
  const releaseLock = acquireLock(p.lockfile, p.dataRoot);
  const binaries = findBinaries(o);
  const web = o.web
    ? await startWeb({ listen: o.web, apiSocket: socketPaths(o.hosts)[0] ?? '', tokenDir: p.dataRoot, log })
    : undefined;

  const stores = await openStores(p, binaries, o.logLevel === 'debug', log);
  const { events, runtime, images, store, containerVolumes: ctrVolumes } = stores;

  // what the host's cgroups lack, once at start (moby's sysinfo warnings); create discards those flags
  for (const w of (await hostSysInfo()).warnings) log('warn', w);
  const logDefaults = { Type: o.logDriver || 'json-file', Config: o.logOpts };
  validateLogConfig(logDefaults);
  const logManager = new LogManager({
    defaults: logDefaults,
    log,
    reopenLog: (id) => writeConmonCtl(path.join(p.execRoot, 'c', id, 'ctl'), { op: 'reopen-log' }),
  });
  const logsPort: LogsPort = logsPortFor(logManager);
  const network = new NetworkService({
    dataRoot: p.dataRoot,
    execRoot: p.execRoot,
    options: networkOptions(o),
    containers: {
      find: (ref) => store.tryFind(ref),
      all: () => store.all(),
      update: (id, mutate) => containers.updateRecord(id, mutate),
    },
    log,
  });
  await network.init();
  const containers = new ContainerService({
    store,
    runtime,
    images: imagesPortFor(images),
    fs: { mountAll, unmount },
    spec: ociSpecPortFor(store, network),
    network,
    logs: logsPort,
    volumes: ctrVolumes,
    events,
    paths: { execRoot: p.execRoot, cgroupParent: 'berth' },
    log,
    modes: { ipc: o.defaultIpcMode, cgroupns: o.defaultCgroupnsMode },
  });
  containers.detachMatcher = detachMatcher;
  const execs = new ExecService(containers);

  await reconcile({ containers, store, images, runtime, paths: p, log });
  new HealthMonitor(containers, execs, events).attach();
  await network.restore();

  // one sampling ticker shared by every stats stream (src/runtime/cgroups-sampler.ts)
  const statsSampler = new StatsSampler();
  const routes = apiRoutes({
    ...stores,
    ...{ version: VERSION, log, paths: p, options: o, binaries, containers, execs, network },
    containerNetwork: containerNetworkView(network),
    statsSource: statsSampler,
  });
  await serve(
    new ApiServer({ version: VERSION, log, routes, experimental: o.experimental }),
    { hosts: o.hosts, group: o.group, version: VERSION, log },
    p,
    {
      // no restart or health probe may start while going down (resumed from state on the next start)
      stopTimers: [
        () => web?.close(), // the dashboard first: no new request may reach a closing API
        () => containers.supervisor.close(),
        () => statsSampler.close(),
        () => runtime.stop(),
      ],
      // log shippers persist their position after the batch in flight (bounded wait)
      drain: () => Promise.all([logManager.stopAll(), network.shutdown(), removalsSettled()]), // + removed dirs
      releaseLock,
    },
  );
}

const isMain = process.argv[1] && (process.argv[1].endsWith('/main.js') || process.argv[1].endsWith('/berthd'));
if (isMain) {
  // one full GC once quiet after start or a burst, so RSS comes back to idle (an unref'd timer)
  startIdleGc();
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`berthd: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
