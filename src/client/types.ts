// Docker Engine API v1.47 wire types (the subset the CLI uses). PascalCase as on the wire.
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

export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[];
  Cmd?: string[] | null;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  Image?: string;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild?: string[] | null;
  Labels?: Labels;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
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

export interface ContainerCreateRequest extends ContainerConfig {
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

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize?: number;
  Labels: Labels | null;
  Containers: number;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Config: ContainerConfig;
  Architecture: string;
  Os: string;
  Size: number;
  RootFS: { Type: string; Layers?: string[] };
  [k: string]: unknown;
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface DeleteItem {
  Untagged?: string;
  Deleted?: string;
}

export interface PruneReport {
  ContainersDeleted?: string[] | null;
  ImagesDeleted?: DeleteItem[] | null;
  SpaceReclaimed: number;
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

export interface ContainerStats {
  read: string;
  id?: string;
  name?: string;
  cpu_stats: {
    cpu_usage: { total_usage: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats: {
    cpu_usage: { total_usage: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op: string; value: number }> | null };
  pids_stats?: { current?: number; limit?: number };
}

/** One line of a JSON progress stream (pull, push, import, load). */
export interface JSONMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number; start?: number };
  stream?: string;
  error?: string;
  errorDetail?: { message: string; code?: number };
  aux?: unknown;
}
