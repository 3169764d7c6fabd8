// What the builder needs from the container engine (wired in api/routes/build.ts): run a RUN step's
// container to completion and remove it; and from the image side (container-layers.ts): the
// container's writable layer.

export interface RunSpec {
  image: string;
  cmd: string[];
  env: string[];
  workdir: string;
  user: string;
  networkMode?: string;
  extraHosts: string[];
  /** `RUN --mount`s as HostConfig.Binds (`/host:/ctr[:ro]`). */
  binds?: string[];
  /** `docker build --memory, --cpu-*, --shm-size, --cgroup-parent, --ulimit`: for every RUN. */
  resources?: RunResources;
}

/** HostConfig fields a build applies to its RUN containers (absent: the engine's default). */
export interface RunResources {
  Memory?: number;
  MemorySwap?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  ShmSize?: number;
  CgroupParent?: string;
  Ulimits?: Array<{ Name: string; Soft: number; Hard: number }>;
}

/** Pulls an image by reference, reporting Docker's progress lines (for `docker build --pull`). */
export interface PullPort {
  pull(ref: string, progress: (line: string) => void, signal: AbortSignal): Promise<void>;
}

export interface RunPort {
  /** Create the container, report its id, stream its output, start it and wait: the exit code. */
  run(spec: RunSpec, hooks: RunHooks, signal: AbortSignal): Promise<number>;
  remove(containerId: string): Promise<void>;
}

export interface RunHooks {
  created(id: string): void;
  /** Output of the step's process; stderr is shown in red, as the classic builder does. */
  output(chunk: Buffer, stream: 'stdout' | 'stderr'): void;
}

/** A RUN container's root filesystem as the image store keeps it (the snapshot names stay there). */
export interface ContainerLayerPort {
  /** The writable (upper) directory of a stopped container's root filesystem. */
  upperDir(containerId: string): Promise<string>;
  /**
   * Commit a stopped container's root filesystem snapshot as the layer snapshot `name`, just
   * before the container is removed (its upper dir then is the layer: nothing is copied).
   */
  commitRootfs?(containerId: string, name: string): Promise<void>;
}

/** Where build output goes: `stream` lines (Docker's {"stream": …}) and the final `aux` id. */
export interface BuildOutput {
  stream(text: string): void;
  aux(value: object): void;
}
