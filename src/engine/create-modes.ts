// moby's adaptContainerSettings and verifyPlatformContainerSettings for the namespace modes and the
// runtime: defaults for an unset IpcMode/CgroupnsMode, `container:<name>` stored as
// `container:<id>` (so a rename keeps the link), and what berth cannot run refused with moby's texts.
import { invalid, msg, notFound } from '../errdefs.js';
import type { CgroupMode } from '../runtime/sysinfo.js';
import type { HostConfig } from './types.js';

/** The runtimes a container may name when the host says nothing else (runtime/oci-runtimes.ts has the daemon's). */
export const KNOWN_RUNTIMES: readonly string[] = ['runc'];

export interface ModeHost {
  cgroupMode: CgroupMode;
  cgroupNamespaces: boolean;
  /** A container's id by name or id prefix, undefined when there is none. */
  idOf(ref: string): string | undefined;
  /** The daemon's runtimes (--add-runtime, daemon.json, crun where found) and --default-runtime. */
  runtimes?: { default: string; known: readonly string[] };
  /** dockerd's default-ipc-mode / default-cgroupns-mode; '' or absent: moby's defaults. */
  defaults?: { ipc?: string; cgroupns?: string };
}

type ModeFields = Pick<HostConfig, 'IpcMode' | 'CgroupnsMode' | 'Privileged' | 'Runtime'> & { PidMode?: string };

/**
 * Fills and checks the modes in place; `given` is the request's HostConfig (what the client set).
 * Returns moby's warnings.
 */
export function adaptModes(h: ModeFields, given: Partial<ModeFields> | null | undefined, host: ModeHost): string[] {
  const warnings: string[] = [];
  if (!given?.IpcMode) h.IpcMode = host.defaults?.ipc || 'private'; // moby's DefaultIpcMode
  if (h.IpcMode.startsWith('container:')) {
    const ref = h.IpcMode.slice('container:'.length);
    if (!ref) throw invalid(`invalid IPC mode: ${h.IpcMode}`);
    const id = host.idOf(ref);
    // moby's generateSecurityOpt looks the donor up at create
    if (!id) throw notFound(msg.noSuchContainer(ref));
    h.IpcMode = `container:${id}`;
  }
  // moby's adaptSharedNamespaceContainer: an unknown PID donor is left for start to refuse
  const pidRef = h.PidMode?.startsWith('container:') ? h.PidMode.slice('container:'.length) : '';
  const pidId = pidRef ? host.idOf(pidRef) : undefined;
  if (pidId) h.PidMode = `container:${pidId}`;
  if (!given?.CgroupnsMode) h.CgroupnsMode = defaultCgroupns(host.cgroupMode, !!h.Privileged, host.defaults?.cgroupns);
  if (h.CgroupnsMode === 'private' && !host.cgroupNamespaces)
    warnings.push('Your kernel does not support cgroup namespaces.  Cgroup namespace setting discarded.');
  // moby stores the default's name at create, so a later --default-runtime leaves the container be
  const rts = host.runtimes ?? { default: KNOWN_RUNTIMES[0]!, known: KNOWN_RUNTIMES };
  if (!given?.Runtime) h.Runtime = rts.default;
  if (!rts.known.includes(h.Runtime)) throw invalid(`unknown or invalid runtime name: ${h.Runtime}`);
  return warnings;
}

/** moby: private on cgroup v2 (privileged too), host on v1 and hybrid; the daemon's default wins except for privileged on v1. */
export function defaultCgroupns(mode: CgroupMode, privileged: boolean, daemon?: string): 'private' | 'host' {
  if (privileged && mode !== 'v2') return 'host';
  if (daemon === 'private' || daemon === 'host') return daemon;
  return mode === 'v2' ? 'private' : 'host';
}
