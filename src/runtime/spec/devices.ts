// Host devices for --device and --privileged (moby oci.DevicesFromPath, runc HostDevices).
// Not pure (stats the host); buildSpec takes the result.
import { readdir, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { invalid } from '../../errdefs.js';
import type { ResolvedDevice } from './types.js';

export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer?: string;
  cgroupPermissions?: string;
}

function devNumbers(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

function fromStat(st: BigIntStats, containerPath: string, access: string): ResolvedDevice | null {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : null;
  if (!type) return null;
  const { major, minor } = devNumbers(st.rdev);
  return {
    device: {
      type,
      path: containerPath,
      major,
      minor,
      fileMode: Number(st.mode & 0o777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
    },
    rule: { allow: true, type, major, minor, access },
  };
}

/** Major/minor of a block device path, for --blkio-weight-device and --device-*-bps. */
export async function deviceNumbers(p: string): Promise<{ major: number; minor: number }> {
  const st = await stat(p, { bigint: true });
  if (!st.isBlockDevice() && !st.isCharacterDevice()) throw invalid(`${p} is not a device`);
  return devNumbers(st.rdev);
}

/** One --device: a node, or a directory of nodes mapped recursively. */
export async function resolveDevice(m: DeviceMapping): Promise<ResolvedDevice[]> {
  const access = m.cgroupPermissions || 'rwm';
  if (!/^[rwm]{1,3}$/.test(access)) throw invalid(`invalid device mode: ${access}`);
  const target = m.pathInContainer || m.pathOnHost;
  let st: BigIntStats;
  try {
    st = await stat(m.pathOnHost, { bigint: true });
  } catch (e) {
    throw invalid(
      `error gathering device information while adding custom device "${m.pathOnHost}": ${(e as Error).message}`,
      e,
    );
  }
  const one = fromStat(st, target, access);
  if (one) return [one];
  if (!st.isDirectory()) {
    throw invalid(`error gathering device information while adding custom device "${m.pathOnHost}": not a device node`);
  }
  const out: ResolvedDevice[] = [];
  for (const d of await walkDevices(m.pathOnHost, new Set())) {
    const r = fromStat(d.st, path.join(target, path.relative(m.pathOnHost, d.path)), access);
    if (r) out.push(r);
  }
  return out;
}

const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

async function walkDevices(dir: string, skip: Set<string>): Promise<{ path: string; st: BigIntStats }[]> {
  const out: { path: string; st: BigIntStats }[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(e.name)) out.push(...(await walkDevices(p, skip)));
      continue;
    }
    if (!e.isCharacterDevice() && !e.isBlockDevice()) continue; // symlinks, sockets, files
    if (e.name === 'console') continue;
    try {
      out.push({ path: p, st: await stat(p, { bigint: true }) });
    } catch {
      /* raced away */
    }
  }
  return out;
}

/** All host devices under /dev, for --privileged (the cgroup rule list is then "allow all"). */
export async function hostDevices(devDir = '/dev'): Promise<ResolvedDevice[]> {
  const out: ResolvedDevice[] = [];
  for (const d of await walkDevices(devDir, SKIP_DIRS)) {
    const r = fromStat(d.st, path.join('/dev', path.relative(devDir, d.path)), 'rwm');
    if (r) out.push(r);
  }
  return out;
}
