// What the container service's parts share (lifecycle, stop, remove, restore, attach): the wired
// ports, the one state writer, the running tasks. Internal to engine/: other modules use
// ContainerService.
import path from 'node:path';
import type { Exit, Runtime, Task } from '../runtime/runtime.js';
import type { Events } from './events.js';
import type { FsPort, ImagesPort, LogsPort, NetworkPort, SpecPort, VolumesPort } from './ports.js';
import type { RootfsMounts } from './rootfs.js';
import type { ContainerStore } from './store.js';
import type { Supervisor } from './supervisor.js';
import type { LogFn, Transitions } from './transitions.js';
import type { ContainerRecord } from './types.js';
import type { Waiters } from './waiters.js';

export interface EnginePaths {
  execRoot: string; // bundles live in <execRoot>/c/<id>
  cgroupParent: string; // relative cgroup parent, e.g. "berth"
}

export interface Deps {
  store: ContainerStore;
  runtime: Runtime;
  images: ImagesPort;
  fs: FsPort;
  spec: SpecPort;
  volumes?: VolumesPort;
  network?: NetworkPort;
  logs: LogsPort;
  events: Events;
  paths: EnginePaths;
  log: LogFn;
  /** dockerd's default-ipc-mode / default-cgroupns-mode for containers that name none. */
  modes?: { ipc?: string; cgroupns?: string };
}

export interface Run {
  task: Task;
  /** Resolves after the exit has been fully handled (state persisted). */
  handled: Promise<Exit>;
}

export interface Core {
  readonly d: Deps;
  /** The one writer of state: queue, transition table, persist, events. */
  readonly tx: Transitions;
  /** The task of each running (or paused) container. */
  readonly runs: Map<string, Run>;
  readonly supervisor: Supervisor;
  readonly rootfs: RootfsMounts;
  readonly waiters: Waiters;
  /** Clients that attached before start: connected to the task before it starts, so no output is lost. */
  readonly pendingAttach: Map<string, Array<(t: Task) => Promise<void>>>;
  /** Called after a container was removed (the exec service forgets its execs). */
  removed(rec: ContainerRecord): void;
}

export function bundleDir(paths: EnginePaths, id: string): string {
  return path.join(paths.execRoot, 'c', id);
}
