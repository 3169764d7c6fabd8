// The runtime boundary: the engine talks to containers only through these types.
export interface Exit {
  code: number;
  finishedAt: Date;
  oomKilled: boolean;
}

export interface Bundle {
  dir: string; // holds config.json, conmon's ctl/attach/pid files
  spec: object; // OCI runtime spec
  logPath: string; // k8s-file log written by the monitor
  tty: boolean;
  stdin: boolean;
  /** Close the container's stdin when the attached client disconnects (Docker's StdinOnce). */
  stdinOnce: boolean;
  logSizeMax?: number;
  /** HostConfig.Runtime: the OCI runtime by name; absent or '' is the daemon's default. */
  runtime?: string;
}

/** A live attach connection to the monitor. */
export interface AttachConn {
  onData(cb: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): void;
  onEnd(cb: () => void): void;
  write(chunk: Buffer): void;
  /** Null while stdin takes more; else resolves once it does again. Absent: no backpressure. */
  stdinReady?(): Promise<void> | null;
  /** Half-close: with stdinOnce the monitor closes the container's stdin. */
  closeStdin(): void;
  close(): void;
}

export interface ExecIo {
  tty: boolean;
  stdin: boolean;
}

export interface OciProcessSpec {
  args: string[];
  env: string[];
  cwd: string;
  /** Undefined: the container's user, group-add included (Docker's exec without -u). */
  user?: { uid: number; gid: number; additionalGids?: number[] };
  terminal: boolean;
  /** All capabilities instead of the container's (exec --privileged). */
  privileged?: boolean;
  /** Defaults to the container's (an exec gets its --ulimit values, as in Docker). */
  rlimits?: Array<{ type: string; soft: number; hard: number }>;
}

export interface Proc {
  /** Output of the process: for TTY everything arrives as stdout. */
  onData(cb: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): void;
  write(chunk: Buffer): void;
  /** Null while stdin takes more; else resolves once it does again. Absent: no backpressure. */
  stdinReady?(): Promise<void> | null;
  closeStdin(): void;
  resize(h: number, w: number): void;
  readonly pid: Promise<number>;
  /** Resolves with the exit code once the process and its output are done. */
  readonly exited: Promise<number>;
  kill(sig: number): void;
}

export interface Task {
  readonly id: string;
  readonly pid: number;
  start(): Promise<void>;
  kill(sig: number): Promise<void>;
  /** Resolves when the container has exited (the exit file exists). */
  wait(): Promise<Exit>;
  /** Non-blocking: the exit if already known. */
  exited(): Exit | null;
  pause(): Promise<void>;
  resume(): Promise<void>;
  attach(): Promise<AttachConn>;
  resize(h: number, w: number): Promise<void>;
  exec(execId: string, p: OciProcessSpec, io: ExecIo): Promise<Proc>;
  /** Processes in the container (host pids). */
  pids(): Promise<number[]>;
  /** Remove the runtime's state; the container must have exited. */
  delete(): Promise<void>;
}

export interface Runtime {
  create(id: string, b: Bundle): Promise<Task>;
  /** Reattach to a container that outlived berthd; null when the runtime knows nothing of it. */
  load(id: string, bundleDir: string): Promise<Task | null>;
  /** The runtime names a container may give (HostConfig.Runtime) and the default; absent: only runc. */
  runtimeNames?(): { default: string; known: readonly string[] };
}
