// What the builder needs from the container engine (wired in api/routes/build.ts): run a RUN step's
// container to completion, find its upper dir, remove it.

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
}

/** Pulls an image by reference, reporting Docker's progress lines (for `docker build --pull`). */
export interface PullPort {
  pull(ref: string, progress: (line: string) => void, signal: AbortSignal): Promise<void>;
}

export interface RunPort {
  /** Create the container, report its id, stream its output, start it and wait: the exit code. */
  run(spec: RunSpec, hooks: { created(id: string): void; output(chunk: Buffer): void }, signal: AbortSignal): Promise<number>;
  /** The writable (upper) directory of a stopped container's root filesystem. */
  upperDir(containerId: string): Promise<string>;
  remove(containerId: string): Promise<void>;
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
