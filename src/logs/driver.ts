// The log driver seam. conmon always writes its k8s-file (the source of truth, written even while
// berthd is down); a driver says how that output is kept and read. Drivers are plain objects
// listed in drivers.ts, the one table: a new driver is a new folder and one line there.
import type { LogConfig } from './common/config.js';
import type { K8sRecord } from './common/k8s-follower.js';
import type { LogMessage, ReadOptions } from './common/log-reader.js';

/** What the log subsystem needs to know about a container. */
export interface LogTarget {
  id: string;
  name: string;
  /** The image as the user named it, and its id. */
  image: string;
  imageId: string;
  logConfig: LogConfig;
  /** conmon's k8s-file. */
  k8sPath: string;
  env?: string[] | null;
  labels?: Record<string, string> | null;
  /** Path and args (gelf's _command) and the creation time (gelf's _created). */
  command?: string;
  created?: string;
}

/** What drivers get from the daemon besides the container. */
export interface DriverContext {
  /** The daemon's name ({{.DaemonName}} in tags). */
  daemonName: string;
  /** Poll interval of followed reads (tests shorten it). */
  pollMs?: number;
}

/** Where a shipper forwards the records it reads from conmon's k8s-file. */
export interface LogSink {
  write(records: K8sRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** `docker logs`' source: messages in batches (one await per chunk, not per line). */
export interface BatchReader {
  readBatches(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage[]>;
}

export interface LogDriver {
  /** Docker's name (`--log-driver`). */
  readonly name: string;
  /** Docker's ValidateLogOpt for this driver: throws EngineError('invalid') with Docker's texts. */
  validate(cfg: LogConfig): void;
  /** conmon's --log-size-max for its k8s-file; -1 when a shipper rotates the file instead. */
  sizeMax(cfg: LogConfig): number;
  /** The LogPath inspect shows: the driver's own file, or "" for drivers without one. */
  logPath(id: string, k8sPath: string): string;
  /** Capability "readable": the source of `docker logs`. Absent: reading is refused (501). */
  reader?(t: LogTarget, ctx: DriverContext): BatchReader;
  /** Capability "attributes": each message keeps its labels/env attributes, read back by `docker logs --details`. */
  readonly storesAttrs?: boolean;
  /**
   * Capability "shipped": berthd follows conmon's k8s-file and forwards each record here.
   * `resuming` is true when a saved position says this container was shipped before (a restart).
   */
  openSink?(t: LogTarget, ctx: DriverContext, resuming: boolean): Promise<LogSink>;
}
