// Container record (Docker's Config/HostConfig) → the runtime's SpecInput → OCI spec.
import { invalid } from '../errdefs.js';
import {
  buildSpec,
  containerEnv,
  deviceNumbers,
  findInit,
  hostDevices,
  resolveDevice,
  resolveUser,
  type ResolvedDevice,
  type SpecInput,
} from '../runtime/spec/index.js';
import type { SpecBuildOptions, SpecPort, UserIds } from './ports.js';
import type { ContainerRecord, HostConfig, ThrottleDevice } from './types.js';
import { plainLimitsOf } from './update.js';

async function rates(list: ThrottleDevice[] | null | undefined) {
  const out = [];
  for (const d of list ?? []) {
    // Go's text for a missing throttle device, as Docker reports it
    const n = await deviceNumbers(d.Path).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? invalid(`stat ${d.Path}: no such file or directory`) : e;
    });
    out.push({ ...n, rate: d.Rate });
  }
  return out;
}

export class OciSpecPort implements SpecPort {
  constructor(
    private readonly o: {
      netnsPath?: (rec: ContainerRecord) => string | undefined;
      pidOf?: (ref: string) => number | undefined;
      /** Variables that come before the container's own Env (legacy link variables). */
      extraEnv?: (rec: ContainerRecord) => string[];
    } = {},
  ) {}

  resolveUser(rootfs: string, user: string, groupAdd: readonly string[] = []): Promise<UserIds> {
    return resolveUser(rootfs, user, groupAdd);
  }

  async build(rec: ContainerRecord, o: SpecBuildOptions): Promise<object> {
    const c = rec.config;
    const h = rec.hostConfig;
    const user = await resolveUser(o.rootfs, c.User || '', h.GroupAdd ?? []);
    // in this order, so that of two bad settings the same one is reported as before
    const namespaces = this.namespaces(rec, o.ipc?.nsPath);
    refuseDeviceRequests(h);
    const devices = await devicesOf(h);
    const init = initOf(h);
    const etc = [
      { destination: '/etc/resolv.conf', type: 'bind', source: o.etcFiles.resolvConf, options: ['rbind', 'rprivate'] },
      { destination: '/etc/hostname', type: 'bind', source: o.etcFiles.hostname, options: ['rbind', 'rprivate'] },
      { destination: '/etc/hosts', type: 'bind', source: o.etcFiles.hosts, options: ['rbind', 'rprivate'] },
    ];
    const input: SpecInput = {
      id: rec.id,
      rootfs: o.rootfs,
      readonlyRootfs: h.ReadonlyRootfs,
      process: {
        args: [rec.path, ...rec.args],
        env: containerEnv(c.Env ?? [], { hostname: c.Hostname, tty: c.Tty, linkEnv: this.o.extraEnv?.(rec) }),
        cwd: c.WorkingDir || '/',
        user,
        tty: c.Tty,
        consoleSize: h.ConsoleSize?.[0] ? { height: h.ConsoleSize[0], width: h.ConsoleSize[1] } : undefined,
      },
      hostname: h.NetworkMode === 'host' ? undefined : c.Hostname,
      domainname: c.Domainname || undefined,
      // the user's mounts (volumes, binds, tmpfs) win over the generated /etc files at the same place
      mounts: [
        ...etc.filter((e) => !(o.mounts ?? []).some((m) => m.destination === e.destination)),
        ...(o.mounts ?? []),
      ],
      privileged: h.Privileged,
      capAdd: h.CapAdd ?? [],
      capDrop: h.CapDrop ?? [],
      securityOpt: h.SecurityOpt ?? [],
      namespaces,
      cgroupsPath: o.cgroupsPath,
      resources: await resourcesOf(h),
      devices,
      deviceCgroupRules: h.DeviceCgroupRules ?? [],
      sysctls: h.Sysctls,
      maskedPaths: h.MaskedPaths ?? undefined,
      readonlyPaths: h.ReadonlyPaths ?? undefined,
      shmSize: h.ShmSize || undefined,
      shmPath: o.ipc?.shmPath,
      init,
      oomScoreAdj: h.OomScoreAdj || undefined,
      ulimits: (h.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    };
    return buildSpec(input);
  }

  /** Network, pid, ipc and uts namespaces: private, the host's, or another container's. */
  private namespaces(rec: ContainerRecord, ipcNs?: string): NonNullable<SpecInput['namespaces']> {
    const h = rec.hostConfig;
    const nm = h.NetworkMode;
    let network: NonNullable<SpecInput['namespaces']>['network'] = { mode: 'private' };
    let uts: 'private' | 'host' = h.UTSMode === 'host' ? 'host' : 'private';
    if (nm === 'host') {
      network = { mode: 'host' };
      uts = 'host';
    } else if (nm.startsWith('container:')) {
      const pid = this.o.pidOf?.(nm.slice('container:'.length));
      if (!pid) throw invalid(`cannot join network of a non running container: ${nm.slice('container:'.length)}`);
      network = { mode: 'path', path: `/proc/${pid}/ns/net` };
    } else {
      const p = this.o.netnsPath?.(rec);
      if (p) network = { mode: 'path', path: p };
    }
    let pid: NonNullable<SpecInput['namespaces']>['pid'] = { mode: 'private' };
    if (h.PidMode === 'host') pid = { mode: 'host' };
    else if (h.PidMode?.startsWith('container:')) {
      const p = this.o.pidOf?.(h.PidMode.slice('container:'.length));
      if (!p) throw invalid(`cannot join PID of a non running container: ${h.PidMode.slice('container:'.length)}`);
      pid = { mode: 'path', path: `/proc/${p}/ns/pid` };
    }
    let ipc: NonNullable<SpecInput['namespaces']>['ipc'] = { mode: 'private' };
    if (h.IpcMode === 'host') ipc = { mode: 'host' };
    else if (h.IpcMode === 'none') ipc = { mode: 'none' };
    else if (h.IpcMode?.startsWith('container:')) {
      // the engine checked the donor (running, shareable) and passes its namespace
      if (!ipcNs) throw invalid(`cannot join IPC of a non running container: ${h.IpcMode.slice('container:'.length)}`);
      ipc = { mode: 'path', path: ipcNs };
    }
    const cgroup = { mode: h.CgroupnsMode === 'private' ? ('private' as const) : ('host' as const) };
    return { network, pid, ipc, uts: { mode: uts }, cgroup };
  }
}

/** Go's %v of a [][]string: [[gpu utility] [compute]]. */
const goLists = (l: readonly (readonly string[])[]) => `[${l.map((x) => `[${x.join(' ')}]`).join(' ')}]`;

/**
 * berth has no device drivers (moby's nvidia/CDI): any --gpus / DeviceRequest fails at start with
 * moby's incompatibleDeviceRequest, an InvalidParameter that moby 28's status walk finds inside
 * createSpec's System wrapper: a 400 (Docker 20.10 answered 500).
 */
function refuseDeviceRequests(h: HostConfig): void {
  for (const r of (h.DeviceRequests ?? []) as Array<{ Driver?: string; Capabilities?: string[][] | null }>) {
    throw invalid(
      `could not select device driver ${JSON.stringify(r?.Driver ?? '')} with capabilities: ${goLists(r?.Capabilities ?? [])}`,
    );
  }
}

async function devicesOf(h: HostConfig): Promise<ResolvedDevice[]> {
  const devices: ResolvedDevice[] = h.Privileged ? await hostDevices() : [];
  for (const d of h.Devices ?? [])
    devices.push(
      ...(await resolveDevice({
        pathOnHost: d.PathOnHost,
        pathInContainer: d.PathInContainer,
        cgroupPermissions: d.CgroupPermissions,
      })),
    );
  return devices;
}

function initOf(h: HostConfig): SpecInput['init'] {
  if (!h.Init) return null;
  const p = findInit();
  if (!p) throw invalid('docker-init binary not found: install tini (tini-static) to use --init');
  return { path: p };
}

async function resourcesOf(h: HostConfig): Promise<SpecInput['resources']> {
  return {
    ...plainLimitsOf(h),
    memorySwappiness: h.MemorySwappiness ?? undefined,
    oomKillDisable: h.OomKillDisable ?? undefined,
    cpuPeriod: h.CpuPeriod || undefined,
    cpuQuota: h.CpuQuota || undefined,
    nanoCpus: h.NanoCpus || undefined,
    // moby passes these to the runtime unchecked: runc applies them or fails as Docker's run does
    cpuRealtimePeriod: h.CpuRealtimePeriod || undefined,
    cpuRealtimeRuntime: h.CpuRealtimeRuntime || undefined,
    blkioDeviceReadBps: await rates(h.BlkioDeviceReadBps),
    blkioDeviceWriteBps: await rates(h.BlkioDeviceWriteBps),
    blkioDeviceReadIOps: await rates(h.BlkioDeviceReadIOps),
    blkioDeviceWriteIOps: await rates(h.BlkioDeviceWriteIOps),
  };
}
