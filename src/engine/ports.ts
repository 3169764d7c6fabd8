// What the engine needs from its neighbours, as small role interfaces; daemon/ wires the real ones.
import type { ContainerRecord, MountPoint } from './types.js';

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
  build(rec: ContainerRecord, o: { rootfs: string; cgroupsPath: string; etcFiles: { hostname: string; hosts: string; resolvConf: string }; mounts?: OciMountLike[] }): Promise<object>;
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

/** An OCI mount as the volumes module produces it for the spec. */
export interface OciMountLike {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** Volumes and mounts (volumes/container-volumes.ts implements it). */
export interface VolumesPort {
  /** At create: validate -v/--mount/--tmpfs/--volumes-from/VOLUME, create volumes, give Docker's Mounts. */
  prepare(rec: ContainerRecord): Promise<MountPoint[]>;
  /** At start (rootfs mounted): mount volumes, copy image content into empty ones, give the OCI mounts. */
  setup(rec: ContainerRecord, rootfs: string): Promise<OciMountLike[]>;
  /** The container stopped. */
  release(rec: ContainerRecord): Promise<void>;
  /** `rm -v` / `--rm`: remove the container's anonymous volumes. */
  removeAnonymous(rec: ContainerRecord): Promise<void>;
}
