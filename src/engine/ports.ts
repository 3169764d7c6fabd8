// What the engine needs from its neighbours, as small role interfaces; daemon/ wires the real ones.
import type { ContainerRecord } from './types.js';

export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

/** The parts of an image config (Docker's `config` section) a container inherits. */
export interface ImageRuntimeConfig {
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  Healthcheck?: unknown;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  ArgsEscaped?: boolean;
}

export interface ImagesPort {
  /** Resolves a reference to an image id; throws not-found with Docker's text. */
  resolveId(ref: string): Promise<string>;
  runtimeConfig(imageId: string): Promise<ImageRuntimeConfig>;
  createRootfs(containerId: string, imageId: string): Promise<void>;
  rootfsMounts(containerId: string): Promise<Mount[]>;
  removeRootfs(containerId: string): Promise<void>;
  rootfsUsage(containerId: string): Promise<number>;
}

export interface FsPort {
  mountAll(mounts: Mount[], target: string): Promise<void>;
  unmount(target: string): Promise<void>;
}

export interface UserIds {
  uid: number;
  gid: number;
  additionalGids: number[];
}

export interface SpecPort {
  /** The OCI spec for a container whose rootfs is mounted at `rootfs`. */
  build(rec: ContainerRecord, o: { rootfs: string; cgroupsPath: string; etcFiles: { hostname: string; hosts: string; resolvConf: string } }): Promise<object>;
  resolveUser(rootfs: string, user: string): Promise<UserIds>;
}

export interface LogMessage {
  stream: 'stdout' | 'stderr';
  time: bigint;
  timestamp: string;
  line: Buffer;
}

export interface LogReadOptions {
  since?: bigint;
  until?: bigint;
  tail?: number;
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface LogsPort {
  /** Messages in batches (one await per chunk, not per line). */
  readBatches(path: string, o: LogReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage[]>;
}
