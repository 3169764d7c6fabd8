// GET /version's types, and GET /info: engine/info's SystemInfo as moby's types.Info, with the fixed answers a berthd gives
// (overlay2, cgroupfs, no swarm, the plugins it has).
import os from 'node:os';
import type { SystemInfo } from '../../engine/info.js';
import { goArch } from '../../util/go-arch.js';

/** /info is large; the CLI prints a subset and `--format` sees all of it. */
export interface InfoResponse {
  ID?: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus?: Array<[string, string]> | null;
  Name: string;
  ServerVersion: string;
  [k: string]: unknown;
}

export interface VersionComponent {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

export interface VersionResponse {
  Platform?: { Name: string };
  Components?: VersionComponent[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
}

/** GET /version: the engine (Node stands where Go's version would), then the runtime components. */
export function versionJson(
  v: { version: string; apiVersion: string; minApiVersion: string; experimental?: boolean },
  components: VersionComponent[],
): VersionResponse & Record<string, unknown> {
  const kernel = os.release();
  const node = `node${process.versions.node}`;
  return {
    Platform: { Name: 'berth' },
    Components: [
      {
        Name: 'Engine',
        Version: v.version,
        Details: {
          ApiVersion: v.apiVersion,
          Arch: goArch(),
          BuildTime: '',
          Experimental: String(v.experimental === true),
          GitCommit: '',
          GoVersion: node,
          KernelVersion: kernel,
          MinAPIVersion: v.minApiVersion,
          Os: 'linux',
        },
      },
      ...components,
    ],
    Version: v.version,
    ApiVersion: v.apiVersion,
    MinAPIVersion: v.minApiVersion,
    GitCommit: '',
    GoVersion: node,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: kernel,
    // moby sets the key only when true (omitempty)
    ...(v.experimental ? { Experimental: true } : {}),
    BuildTime: '',
  };
}

const DRIVER_STATUS: Array<[string, string]> = [
  ['Backing Filesystem', 'extfs'],
  ['Supports d_type', 'true'],
  ['Using metacopy', 'false'],
  ['Native Overlay Diff', 'true'],
  ['userxattr', 'false'],
];

/** moby's cgroupNamespacesEnabled: the kernel has them and containers get a private one by default. */
function cgroupnsByDefault(i: SystemInfo): boolean {
  const mode = i.config.defaultCgroupnsMode || (i.cgroups.CgroupVersion === '2' ? 'private' : 'host');
  return !!i.cgroups.CgroupNamespaces && mode === 'private';
}

export function infoJson(i: SystemInfo): InfoResponse {
  const cg = i.cgroups;
  const c = i.config;
  return {
    ID: i.id,
    Containers: i.containers.total,
    ContainersRunning: i.containers.running,
    ContainersPaused: i.containers.paused,
    ContainersStopped: i.containers.stopped,
    Images: i.images,
    Driver: 'overlay2',
    DriverStatus: DRIVER_STATUS,
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'none'],
      Authorization: null,
      Log: ['json-file', 'local', 'none', 'syslog', 'k8s-file'],
    },
    MemoryLimit: cg.MemoryLimit,
    SwapLimit: cg.SwapLimit,
    KernelMemory: cg.KernelMemory,
    KernelMemoryTCP: cg.KernelMemoryTCP,
    CpuCfsPeriod: cg.CpuCfsPeriod,
    CpuCfsQuota: cg.CpuCfsQuota,
    CPUShares: cg.CPUShares,
    CPUSet: cg.CPUSet,
    PidsLimit: cg.PidsLimit,
    IPv4Forwarding: i.ipv4Forwarding,
    BridgeNfIptables: false,
    BridgeNfIp6tables: false,
    Debug: c.debug,
    NFd: i.openFds,
    OomKillDisable: cg.OomKillDisable,
    NGoroutines: 0,
    SystemTime: i.systemTime,
    LoggingDriver: c.logDriver,
    CgroupDriver: 'cgroupfs',
    CgroupVersion: cg.CgroupVersion,
    NEventsListener: 0,
    KernelVersion: i.kernelVersion,
    OperatingSystem: i.operatingSystem,
    OSVersion: i.osVersion,
    OSType: 'linux',
    Architecture: i.architecture,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      InsecureRegistryCIDRs: ['127.0.0.0/8'],
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      Mirrors: null,
    },
    NCPU: i.ncpu,
    MemTotal: i.memTotal,
    GenericResources: null,
    DockerRootDir: c.dataRoot,
    HttpProxy: i.proxies.http,
    HttpsProxy: i.proxies.https,
    NoProxy: i.proxies.no,
    Name: i.name,
    Labels: [],
    ExperimentalBuild: c.experimental === true,
    ServerVersion: c.version,
    Runtimes: Object.fromEntries(Object.entries(c.runtimes).map(([k, v]) => [k, { path: v }])),
    DefaultRuntime: c.defaultRuntime,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'docker-init',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: { ID: '', Expected: '' },
    InitCommit: { ID: '', Expected: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', ...(cgroupnsByDefault(i) ? ['name=cgroupns'] : [])],
    CDISpecDirs: [],
    Warnings: cg.Warnings.length ? cg.Warnings : null,
  };
}

/**
 * moby's getInfo gates for the client's API version: security options as bare names before 1.25,
 * KernelMemory always false from 1.42 (removed), the nondistributable-artifact registry fields only
 * before 1.47.
 */
export function infoForVersion(j: InfoResponse, v: string): InfoResponse {
  const older = (min: string) => {
    const [a, b] = [v, min].map((x) => x.split('.').map(Number));
    return a![0]! < b![0]! || (a![0] === b![0] && (a![1] ?? 0) < (b![1] ?? 0));
  };
  if (older('1.25') && Array.isArray(j.SecurityOptions))
    j.SecurityOptions = (j.SecurityOptions as string[]).map((o) => /(?:^|,)name=([^,]*)/.exec(o)?.[1] ?? o);
  if (!older('1.42')) j.KernelMemory = false;
  const reg = j.RegistryConfig as Record<string, unknown> | undefined;
  if (!older('1.47') && reg) {
    delete reg.AllowNondistributableArtifactsCIDRs;
    delete reg.AllowNondistributableArtifactsHostnames;
  }
  return j;
}
