// Docker's container JSON: the API's container types, and a container record → inspect and list JSON.
import type { ContainerRecord } from '../../engine/types.js';
import { healthOf, healthSuffix } from '../../engine/health.js';
import { driverLogPath } from '../../logs/paths.js';
import { ZERO_TIME, humanDuration, parseRfc3339 } from '../../util/time.js';
import type { ContainerConfig, HealthConfig } from '../../images/container-config.js';

export type { ContainerConfig, HealthConfig };

// ---- the API's container types (moby api/types/container), as clients send and read them ----

export type Labels = Record<string, string>;

export interface Port {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: Port[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Labels | null;
  State: string;
  Status: string;
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; NetworkID?: string }> };
  Mounts?: Array<{ Name?: string; Source?: string; Destination: string; Type?: string }>;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount?: number;
}

export interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Labels };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface HostConfig {
  Binds?: string[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[]>;
  PublishAllPorts?: boolean;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  Privileged?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[];
  Init?: boolean | null;
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpusetCpus?: string;
  PidsLimit?: number | null;
  Mounts?: MountSpec[];
  Tmpfs?: Record<string, string>;
  Dns?: string[];
  ExtraHosts?: string[];
  Links?: string[];
  LogConfig?: { Type: string; Config: Record<string, string> };
  VolumesFrom?: string[];
  Runtime?: string;
  [k: string]: unknown;
}

/** The body of POST /containers/create: a Config with HostConfig and NetworkingConfig beside it. */
export interface ContainerCreateRequest extends Partial<ContainerConfig> {
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[]; IPAMConfig?: object }> };
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: { Status: string };
}

export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  Name: string;
  RestartCount: number;
  HostConfig: HostConfig;
  Config: ContainerConfig;
  NetworkSettings?: Record<string, unknown>;
  Mounts?: unknown[];
  SizeRw?: number;
  SizeRootFs?: number;
  [k: string]: unknown;
}

export interface CreateResponse {
  Id: string;
  Warnings: string[] | null;
}

export interface WaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface TopResponse {
  Titles: string[];
  Processes: string[][];
}

export interface ExecCreateRequest {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  Env?: string[];
  Cmd: string[];
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
  ConsoleSize?: [number, number] | null;
}

export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  ContainerID: string;
  Pid: number;
  ProcessConfig?: { tty?: boolean; entrypoint?: string; arguments?: string[] };
  [k: string]: unknown;
}

export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  const since = (t: string) => humanDuration(Math.max(0, now - parseRfc3339(t)));
  switch (s.status) {
    case 'running':
      return `Up ${since(s.startedAt)}${healthSuffix(healthOf(rec))}`;
    case 'paused':
      return `Up ${since(s.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${since(s.finishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (s.startedAt === ZERO_TIME) return 'Created';
      if (s.finishedAt === ZERO_TIME) return '';
      return `Exited (${s.exitCode}) ${since(s.finishedAt)} ago`;
  }
}

function networkSettings(rec: ContainerRecord) {
  const mode = rec.hostConfig.NetworkMode;
  const networks: Record<string, object> = {};
  if (mode === 'host' || mode === 'none' || mode === 'bridge') {
    networks[mode] = {
      IPAMConfig: null,
      Links: null,
      Aliases: null,
      MacAddress: '',
      DriverOpts: null,
      NetworkID: '',
      EndpointID: '',
      Gateway: '',
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: null,
    };
  }
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: '',
    Ports: {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: networks,
  };
}

/** `network`: NetworkSettings and ps Ports from the network layer (when wired). */
export interface NetworkView {
  settings: { Networks: object } & Record<string, unknown>;
  ports: object[];
}

export function inspectJson(
  rec: ContainerRecord,
  o: { size?: { rw: number; rootFs: number }; network?: NetworkView; graphData?: Record<string, string> | null } = {},
): object {
  const s = rec.state;
  const out: Record<string, unknown> = {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...(healthOf(rec) ? { Health: healthOf(rec) } : {}),
    },
    Image: rec.image,
    ResolvConfPath: rec.resolvConfPath,
    HostnamePath: rec.hostnamePath,
    HostsPath: rec.hostsPath,
    LogPath: driverLogPath(rec.id, rec.logPath, rec.hostConfig.LogConfig.Type),
    Name: '/' + rec.name,
    RestartCount: rec.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: rec.execIds.length ? rec.execIds : null,
    HostConfig: rec.hostConfig,
    GraphDriver: { Data: o.graphData ?? null, Name: 'overlay2' },
    Mounts: rec.mounts,
    Config: rec.config,
    NetworkSettings: o.network?.settings ?? networkSettings(rec),
  };
  if (o.size) {
    out.SizeRw = o.size.rw;
    out.SizeRootFs = o.size.rootFs;
  }
  return out;
}

/** moby's container view: an argument holding a space is shown in single quotes (docker ps COMMAND). */
export function listCommand(path: string, args: readonly string[]): string {
  return [path, ...args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' ');
}

/** ps's HostConfig: the network mode, and the annotations when there are some (moby: omitempty, from 1.46). */
function summaryHostConfig(rec: ContainerRecord): { NetworkMode: string; Annotations?: Record<string, string> } {
  const ann = (rec.hostConfig as { Annotations?: Record<string, string> | null }).Annotations;
  return { NetworkMode: rec.hostConfig.NetworkMode, ...(ann && Object.keys(ann).length ? { Annotations: ann } : {}) };
}

export function summaryJson(
  rec: ContainerRecord,
  o: { imageRef: string; size?: { rw: number; rootFs: number }; network?: NetworkView; linkNames?: string[] },
): object {
  const out: Record<string, unknown> = {
    Id: rec.id,
    // moby lists a container's names from its name index, sorted: its own and its link names
    Names: ['/' + rec.name, ...(o.linkNames ?? [])].sort(),
    Image: o.imageRef,
    ImageID: rec.image,
    Command: listCommand(rec.path, rec.args),
    Created: Math.floor(parseRfc3339(rec.created) / 1000),
    Ports: o.network?.ports ?? [],
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusText(rec),
    HostConfig: summaryHostConfig(rec),
    NetworkSettings: { Networks: o.network?.settings.Networks ?? networkSettings(rec).Networks },
    Mounts: rec.mounts,
  };
  if (o.size) {
    out.SizeRw = o.size.rw;
    out.SizeRootFs = o.size.rootFs;
  }
  return out;
}
