// The container model. Config and HostConfig keep Docker's wire shape (PascalCase) on purpose: they are stored
// verbatim from the create request (merged with the image's defaults) so inspect round-trips exactly.

import type { ContainerConfig as ImageConfig } from '../images/container-config.js';

export type Status = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export type { HealthConfig } from '../images/container-config.js';

/** A container's Config: the image's Config type, with Labels always an object. */
export type ContainerConfig = Omit<ImageConfig, 'Labels'> & { Labels: Record<string, string> };

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped';
  MaximumRetryCount: number;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface ThrottleDevice {
  Path: string;
  Rate: number;
}
export interface WeightDevice {
  Path: string;
  Weight: number;
}

/** HostConfig.Mounts entry (`--mount`): one definition, owned by volumes/ which parses it. */
export type { MountSpecIn as MountSpec } from '../volumes/mounts.js';
import type { MountSpecIn as MountSpec } from '../volumes/mounts.js';

export interface HostConfig {
  Binds: string[] | null;
  ContainerIDFile: string;
  LogConfig: { Type: string; Config: Record<string, string> };
  NetworkMode: string;
  PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  VolumeDriver: string;
  VolumesFrom: string[] | null;
  ConsoleSize?: [number, number];
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  CgroupnsMode: string;
  Dns: string[] | null;
  DnsOptions: string[] | null;
  DnsSearch: string[] | null;
  ExtraHosts: string[] | null;
  GroupAdd: string[] | null;
  IpcMode: string;
  Cgroup: string;
  Links: string[] | null;
  OomScoreAdj: number;
  PidMode: string;
  Privileged: boolean;
  PublishAllPorts: boolean;
  ReadonlyRootfs: boolean;
  SecurityOpt: string[] | null;
  StorageOpt?: Record<string, string>;
  Tmpfs?: Record<string, string>;
  UTSMode: string;
  UsernsMode: string;
  ShmSize: number;
  Sysctls?: Record<string, string>;
  Runtime: string;
  Isolation: string;
  CpuShares: number;
  Memory: number;
  NanoCpus: number;
  CgroupParent: string;
  BlkioWeight: number;
  BlkioWeightDevice: WeightDevice[] | null;
  BlkioDeviceReadBps: ThrottleDevice[] | null;
  BlkioDeviceWriteBps: ThrottleDevice[] | null;
  BlkioDeviceReadIOps: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps: ThrottleDevice[] | null;
  CpuPeriod: number;
  CpuQuota: number;
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  CpusetCpus: string;
  CpusetMems: string;
  Devices: DeviceMapping[] | null;
  DeviceCgroupRules: string[] | null;
  DeviceRequests: unknown[] | null;
  MemoryReservation: number;
  MemorySwap: number;
  MemorySwappiness: number | null;
  OomKillDisable: boolean | null;
  PidsLimit: number | null;
  Ulimits: Array<{ Name: string; Soft: number; Hard: number }> | null;
  CpuCount: number;
  CpuPercent: number;
  IOMaximumIOps: number;
  IOMaximumBandwidth: number;
  Mounts?: MountSpec[];
  MaskedPaths?: string[];
  ReadonlyPaths?: string[];
  Init?: boolean | null;
}

export interface ContainerState {
  status: Status;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: string; // RFC3339Nano, ZERO_TIME when never
  finishedAt: string;
  oomKilled: boolean;
}

/** Docker's inspect `Mounts` entry: volumes/ makes them. */
export type { MountPoint } from '../volumes/mounts.js';
import type { MountPoint } from '../volumes/mounts.js';

export interface ContainerRecord {
  id: string;
  name: string; // without the leading '/'
  created: string;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  networkingConfig: unknown;
  image: string; // image id (sha256:…)
  state: ContainerState;
  restartCount: number;
  manuallyStopped: boolean;
  hasBeenStarted: boolean;
  logPath: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  mounts: MountPoint[];
  execIds: string[];
}

/** What create answers: the new container's id and the warnings Docker prints. */
export interface Created {
  id: string;
  warnings: string[];
}

/** What container prune removed. */
export interface Pruned {
  deleted: string[];
  spaceReclaimed: number;
}

/** `docker top`: ps's column titles and the container's rows. */
export interface TopTable {
  titles: string[];
  processes: string[][];
}
