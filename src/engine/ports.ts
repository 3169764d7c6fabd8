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

/** Where a spec build finds the container's rootfs, cgroup and the /etc files network/ wrote. */
export interface SpecBuildOptions {
  rootfs: string;
  cgroupsPath: string;
  etcFiles: { hostname: string; hosts: string; resolvConf: string };
  mounts?: OciMountLike[];
  /** `--ipc shareable|container:`: the /dev/shm to bind and the namespace to join (engine/create-ipc). */
  ipc?: { shmPath?: string; nsPath?: string };
}

export interface SpecPort {
  /** The OCI spec for a container whose rootfs is mounted at `rootfs`. */
  build(rec: ContainerRecord, o: SpecBuildOptions): Promise<object>;
  resolveUser(rootfs: string, user: string, groupAdd?: readonly string[]): Promise<UserIds>;
}

export interface LogMessage {
  stream: 'stdout' | 'stderr';
  time: bigint;
  timestamp: string;
  line: Buffer;
}

/** What a `docker logs` read asks for: the log drivers' own options. */
export type { ReadOptions as LogReadOptions } from '../logs/common/log-reader.js';
import type { ReadOptions as LogReadOptions } from '../logs/common/log-reader.js';

export interface LogsPort {
  /** Messages in batches (one await per chunk, not per line); throws when the driver cannot be read. */
  readBatches(
    rec: ContainerRecord,
    o: LogReadOptions,
    signal: AbortSignal,
    done?: Promise<void>,
  ): AsyncIterable<LogMessage[]>;
  /** HostConfig.LogConfig at create: daemon defaults merged in, validated (Docker's texts). */
  mergeConfig?(cfg: { Type?: string; Config?: Record<string, string> } | null | undefined): {
    Type: string;
    Config: Record<string, string>;
  };
  /** conmon's --log-size-max for this container's k8s-file. */
  sizeMax?(rec: ContainerRecord): number | undefined;
  /** The container runs (started, or found running after a daemon restart): forward its output. */
  follow?(rec: ContainerRecord): void;
  /** The container exited: forward what is left before the exit is reported. */
  flush?(rec: ContainerRecord): Promise<void>;
  /** The container is being removed. */
  forget?(rec: ContainerRecord): Promise<void>;
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

/** Networking for containers (network/ implements it; daemon/ wires it). */
export interface NetworkSetup {
  netnsPath?: string;
  hosts?: string;
  resolvConf?: string;
  /** Legacy link variables, before the container's own Env. */
  env?: string[];
}
export interface NetworkPort {
  /** At create (name known): validate NetworkMode, links, ports, aliases; normalise HostConfig.Links and NetworkingConfig. */
  prepare(rec: ContainerRecord): Promise<void>;
  /** Before the task is created: namespace, endpoints, published ports. */
  setup(rec: ContainerRecord): Promise<NetworkSetup>;
  /** After exit and at removal: release everything; idempotent. */
  teardown(rec: ContainerRecord): Promise<void>;
  /** Legacy link variables of a running container (exec gets them too). */
  linkEnv?(id: string): string[];
  /** After a rename (in the container's queue): DNS answers to the new name only. */
  renamed?(rec: ContainerRecord): Promise<void>;
  /** The container's networks with its endpoint on each (for moby's network connect/disconnect events). */
  containerNetworks?(rec: ContainerRecord): { entries: Array<{ network?: NetworkActor; endpoint?: unknown }> };
}

/** What a network event says of its network. */
export interface NetworkActor {
  id: string;
  name: string;
  driver: string;
}
