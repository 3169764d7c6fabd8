// Create-time semantic checks moby makes in daemon/container.go (verifyContainerSettings) and at
// graphdriver/spec time, with its texts, so a bad request is a 400 at create, never a runc failure.
import { isIP } from 'node:net';
import { invalid } from '../errdefs.js';
import { parseDeviceCgroupRule } from '../runtime/spec/resources.js';
import { parsePortRange, splitProtoPort } from '../util/port-range.js';
import type { HostConfig } from './types.js';

/** moby's validatePortBindings. */
export function validatePortBindings(bindings: HostConfig['PortBindings'] | undefined): void {
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const [, port] = splitProtoPort(key);
    // nat.ParsePort: a single port, no range
    if (port !== '' && !(/^\d+$/.test(port) && Number(port) <= 65535))
      throw invalid(`invalid port specification: ${JSON.stringify(port)}`);
    for (const b of list ?? []) {
      const hp = b?.HostPort ?? '';
      const range = splitProtoPort(hp)[1];
      if (range !== '' && !parsePortRange(range)) throw invalid(`invalid port specification: ${JSON.stringify(hp)}`);
    }
  }
}

/** moby's opts.ValidateEnv, as verifyContainerSettings runs it on Config.Env. */
export function validateEnv(env: readonly string[] | null | undefined): void {
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if ((i < 0 ? e : e.slice(0, i)) === '') throw invalid(`invalid environment variable: ${e}`);
  }
}

/** Go's time.Duration String for the 1ms minimum moby allows. */
const MIN_DURATION_NS = 1_000_000;

/** moby's validateHealthCheck (durations in nanoseconds). */
export function validateHealthcheck(
  h:
    | { Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number; StartInterval?: number }
    | null
    | undefined,
): void {
  if (!h) return;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
    const v = h[k] ?? 0;
    if (v !== 0 && v < MIN_DURATION_NS) throw invalid(`${k} in Healthcheck cannot be less than 1ms`);
  }
  if ((h.Retries ?? 0) < 0) throw invalid('Retries in Healthcheck cannot be negative');
}

/**
 * --storage-opt: overlay2 enforces `size` only on xfs with project quotas, which berth does not
 * do yet, so it refuses like overlay2 on any other backing filesystem; other keys are unknown to it.
 */
export function validateStorageOpt(opts: Record<string, string> | null | undefined): void {
  for (const key of Object.keys(opts ?? {})) {
    if (key.toLowerCase() === 'size')
      throw invalid(`--storage-opt is supported only for overlay over xfs with 'pquota' mount option`);
    throw invalid(`Unknown option ${key}`);
  }
}

/** Values Docker only rejects when building the spec or in runc; refused here, at create. */
export function validateLateResources(
  h: Partial<HostConfig> & { IOMaximumIOps?: number; IOMaximumBandwidth?: number },
): void {
  if ((h.CpuShares ?? 0) < 0) throw invalid('shares: invalid argument');
  // runc's text; the kernel caps shares at 2^18 on cgroup v1 and the v2 weight it maps to at 10000
  if ((h.CpuShares ?? 0) > 262144) throw invalid('the maximum allowed cpu-shares is 262144');
  // the default swap limit is twice the memory limit: it must still be an int64 for runc
  if ((h.Memory ?? 0) >= 2 ** 63 || (h.MemorySwap ?? 0) >= 2 ** 63)
    throw invalid(
      `invalid memory limit ${h.Memory}: with its swap limit (${h.MemorySwap}) it exceeds the largest value a cgroup takes (9223372036854775807)`,
    );
  const sw = h.MemorySwappiness;
  if (sw !== null && sw !== undefined && sw !== -1 && (sw < 0 || sw > 100))
    throw invalid(`Invalid value: ${sw}, valid memory swappiness range is 0-100`);
  if (h.IOMaximumIOps || h.IOMaximumBandwidth)
    throw invalid('Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps');
  for (const r of h.DeviceCgroupRules ?? []) parseDeviceCgroupRule(r);
  validateSysctls(h);
  for (const d of h.Devices ?? []) {
    if (!d.PathOnHost)
      throw invalid(
        `error gathering device information while adding custom device "${d.PathOnHost ?? ''}": no such file or directory`,
      );
  }
}

/** moby's translateWorkingDir: relative working directories are refused. */
export function validateWorkingDir(wd: string | null | undefined): void {
  if (wd && !wd.startsWith('/'))
    throw invalid(`the working directory '${wd}' is invalid, it needs to be an absolute path`);
}

/** moby's opts.ValidateExtraHost: "name:ip" (split at the first colon), or "name:host-gateway". */
export function validateExtraHosts(hosts: readonly string[] | null | undefined): void {
  for (const h of hosts ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw invalid(`bad format for add-host: ${JSON.stringify(h)}`);
    const ip = h.slice(i + 1);
    if (ip !== 'host-gateway' && !isIP(ip.trim()))
      throw invalid(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
}

const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/**
 * runc's sysctl validator (libcontainer/configs/validate), run at create so a sysctl the
 * container's namespaces cannot take is a 400 here instead of a failed start.
 */
export function validateSysctls(h: {
  IpcMode?: string;
  NetworkMode?: string;
  Sysctls?: Record<string, string> | null;
  UTSMode?: string;
}): void {
  for (const k of Object.keys(h.Sysctls ?? {})) {
    if (IPC_SYSCTLS.has(k) || k.startsWith('fs.mqueue.')) {
      if (h.IpcMode === 'host') throw invalid(`sysctl "${k}" is not allowed in the hosts ipc namespace`);
      continue;
    }
    if (k.startsWith('net.')) {
      if (h.NetworkMode === 'host') throw invalid(`sysctl "${k}" is not allowed in the hosts network namespace`);
      continue;
    }
    if (h.UTSMode !== 'host') {
      if (k === 'kernel.domainname') continue;
      if (k === 'kernel.hostname')
        throw invalid(`sysctl "${k}" is not allowed as it conflicts with the OCI "hostname" field`);
    }
    throw invalid(`sysctl "${k}" is not in a separate kernel namespace`);
  }
}

/** moby's IpcMode/PidMode/UTSMode/CgroupnsMode Valid(), Isolation.IsValid() on Linux and the annotation key check. */
export function validateModes(h: {
  IpcMode?: string;
  PidMode?: string;
  UTSMode?: string;
  CgroupnsMode?: string;
  Isolation?: string;
  Annotations?: Record<string, string> | null;
}): void {
  const ipc = h.IpcMode ?? '';
  if (!['', 'none', 'private', 'host', 'shareable'].includes(ipc) && !ipc.startsWith('container:'))
    throw invalid(`invalid IPC mode: ${ipc}`);
  const pid = h.PidMode ?? '';
  if (!['', 'host'].includes(pid) && !(pid.startsWith('container:') && pid.length > 'container:'.length))
    throw invalid(`invalid PID mode: ${pid}`);
  const uts = h.UTSMode ?? '';
  if (uts !== '' && uts !== 'host') throw invalid(`invalid UTS mode: ${uts}`);
  const cgns = h.CgroupnsMode ?? '';
  if (!['', 'private', 'host'].includes(cgns)) throw invalid(`invalid cgroup namespace mode: ${cgns}`);
  const iso = (h.Isolation ?? '').toLowerCase();
  if (iso !== '' && iso !== 'default') throw invalid(`invalid isolation '${h.Isolation}' on linux`);
  if (h.Annotations && Object.hasOwn(h.Annotations, ''))
    throw invalid('invalid Annotations: the empty string is not permitted as an annotation key');
}

/** sethostname(2) takes at most 64 bytes; longer fails in runc at start. */
export function validateHostname(name: string | null | undefined): void {
  if (name && Buffer.byteLength(name) > 64) throw invalid(`invalid hostname format: ${name} (longer than 64 bytes)`);
}
