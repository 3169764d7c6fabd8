// Input and output of buildSpec. SpecInput is berth's own (camelCase, no Docker wire types);
// OciSpec is the OCI runtime spec 1.0.2 JSON as runc 1.1 reads it.

export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
  umask?: number;
}
export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}
export interface OciCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}
export interface OciProcess {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: OciUser;
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}
export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}
export interface OciNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}
export interface OciDevice {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}
export interface OciDeviceCgroup {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}
export interface OciWeightDevice {
  major: number;
  minor: number;
  weight?: number;
  leafWeight?: number;
}
export interface OciThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}
export interface OciResources {
  devices?: OciDeviceCgroup[];
  memory?: {
    limit?: number;
    reservation?: number;
    swap?: number;
    kernel?: number;
    kernelTCP?: number;
    swappiness?: number;
    disableOOMKiller?: boolean;
  };
  cpu?: {
    shares?: number;
    quota?: number;
    period?: number;
    realtimeRuntime?: number;
    realtimePeriod?: number;
    cpus?: string;
    mems?: string;
  };
  pids?: { limit: number };
  blockIO?: {
    weight?: number;
    leafWeight?: number;
    weightDevice?: OciWeightDevice[];
    throttleReadBpsDevice?: OciThrottleDevice[];
    throttleWriteBpsDevice?: OciThrottleDevice[];
    throttleReadIOPSDevice?: OciThrottleDevice[];
    throttleWriteIOPSDevice?: OciThrottleDevice[];
  };
}
export interface OciSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}
export interface OciSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[];
}
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OciSyscall[];
}
export interface OciLinux {
  namespaces: OciNamespace[];
  devices?: OciDevice[];
  cgroupsPath?: string;
  resources?: OciResources;
  sysctl?: Record<string, string>;
  seccomp?: OciSeccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
  mountLabel?: string;
}
export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: OciLinux;
}

/** A host device already stat'ed (see devices.ts): what goes into linux.devices plus its cgroup rule. */
export interface ResolvedDevice {
  device: OciDevice;
  rule: OciDeviceCgroup;
}

export type NsMode = 'private' | 'host' | 'path';
export interface BlkioDeviceRate {
  major: number;
  minor: number;
  rate: number;
}

export interface SpecResources {
  memory?: number; // bytes; 0/undefined = unlimited
  memorySwap?: number; // memory+swap; -1 unlimited; 0 with memory set => 2x memory (Docker)
  memoryReservation?: number;
  kernelMemory?: number; // ignored: deprecated, runc 1.1 rejects on many kernels
  memorySwappiness?: number; // -1/undefined = leave to kernel
  oomKillDisable?: boolean;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  nanoCpus?: number;
  cpuRealtimePeriod?: number;
  cpuRealtimeRuntime?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number; // <= 0 = unlimited
  blkioWeight?: number;
  blkioWeightDevice?: { major: number; minor: number; weight: number }[];
  blkioDeviceReadBps?: BlkioDeviceRate[];
  blkioDeviceWriteBps?: BlkioDeviceRate[];
  blkioDeviceReadIOps?: BlkioDeviceRate[];
  blkioDeviceWriteIOps?: BlkioDeviceRate[];
}

export interface SpecInput {
  id: string;
  rootfs: string;
  readonlyRootfs?: boolean;
  process: {
    args: string[];
    env: string[];
    cwd?: string; // default "/"
    user: { uid: number; gid: number; additionalGids?: number[] };
    tty?: boolean;
    consoleSize?: { height: number; width: number };
    noNewPrivileges?: boolean;
  };
  hostname?: string;
  domainname?: string;
  /** Extra mounts from the caller (binds, tmpfs, volumes, /etc/hosts …); they override defaults at the same destination. */
  mounts?: OciMount[];
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  namespaces?: {
    network?: { mode: 'private' | 'host' | 'none' | 'path'; path?: string };
    pid?: { mode: NsMode; path?: string };
    ipc?: { mode: 'private' | 'host' | 'none' | 'path'; path?: string };
    uts?: { mode: 'private' | 'host' };
    cgroup?: { mode: 'private' | 'host' }; // default host (Docker's default on v1; pass private on v2)
  };
  cgroupsPath?: string; // default `berth/<id>` (relative: nests under berthd's cgroup)
  resources?: SpecResources;
  /** Host devices (--device) or, when privileged, all host devices; see devices.ts. */
  devices?: ResolvedDevice[];
  deviceCgroupRules?: string[]; // --device-cgroup-rule "c 1:3 rwm"
  sysctls?: Record<string, string>;
  /** HostConfig.MaskedPaths / ReadonlyPaths when set (moby WithMaskedPaths): [] unmasks all. */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  shmSize?: number; // default 64 MiB
  /** Host path of a shared /dev/shm to bind (ipc shareable / container:); otherwise a private tmpfs. */
  shmPath?: string;
  init?: { path: string } | null; // bind-mounted at /sbin/docker-init and prepended to args
  oomScoreAdj?: number;
  /** Overrides the daemon's rlimits (--ulimit); clamped to the daemon's hard limits. */
  ulimits?: { name: string; soft: number; hard: number }[];
  /** Daemon rlimits; default daemonRlimits() (read once from /proc/self/limits). */
  rlimits?: OciRlimit[];
  /** Seccomp profile (Docker JSON) used when securityOpt names none. Default: moby's default profile; null = none. */
  seccompProfile?: DockerSeccompProfile | null;
  /** Architecture and kernel the profile's conditions are checked against (tests); default this host's. */
  seccompHost?: { arch?: string; kernel?: string };
}

/** Docker's seccomp profile format (moby profiles/seccomp Seccomp). */
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  architectures?: string[] | null;
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  flags?: string[] | null;
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: DockerSyscall[] | null;
}
export interface DockerSyscallFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}
export interface DockerSyscall {
  name?: string;
  names?: string[] | null;
  comment?: string;
  action: string;
  errnoRet?: number | null;
  args?: OciSeccompArg[] | null;
  includes?: DockerSyscallFilter | null;
  excludes?: DockerSyscallFilter | null;
}
