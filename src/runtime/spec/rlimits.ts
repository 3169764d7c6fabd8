// The daemon's own rlimits become the container's: containers must never ask for more than the
// daemon's hard limits (there may be no CAP_SYS_RESOURCE), and unlimited values are left out of
// the spec because 2^64-1 does not survive JSON numbers; the process inherits them from berthd
// through conmon and runc anyway.
import { readFileSync } from 'node:fs';
import type { OciRlimit } from './types.js';

const NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Docker's containers usually get nofile 1048576 (dockerd's LimitNOFILE); we raise soft up to it within hard. */
export const DOCKER_NOFILE = 1048576;

export interface LimitEntry {
  type: string;
  soft: number;
  hard: number;
} // Infinity = unlimited

/** Parses /proc/<pid>/limits. */
export function parseLimits(text: string): LimitEntry[] {
  const out: LimitEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const type = NAMES[m[1].trim()];
    if (!type) continue;
    const num = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
    out.push({ type, soft: num(m[2]), hard: num(m[3]) });
  }
  return out;
}

/** Finite limits only (see above), with NOFILE's soft limit raised toward Docker's default. */
export function limitsToRlimits(limits: readonly LimitEntry[]): OciRlimit[] {
  const out: OciRlimit[] = [];
  for (const l of limits) {
    let soft = l.soft;
    if (l.type === 'RLIMIT_NOFILE') soft = Math.max(soft, Math.min(DOCKER_NOFILE, l.hard));
    if (!Number.isFinite(soft) || !Number.isFinite(l.hard)) continue;
    out.push({ type: l.type, soft, hard: l.hard });
  }
  return out;
}

let cached: OciRlimit[] | undefined;
let cachedLimits: LimitEntry[] | undefined;

/** The daemon's limits as parsed entries (read once). */
export function daemonLimits(): LimitEntry[] {
  cachedLimits ??= parseLimits(readFileSync('/proc/self/limits', 'utf8'));
  return cachedLimits;
}

/** The daemon's rlimits for container specs (read once). */
export function daemonRlimits(): OciRlimit[] {
  cached ??= limitsToRlimits(daemonLimits());
  return cached;
}

/**
 * Applies --ulimit values over the base, clamped to the daemon's hard limits (raising a hard
 * limit would need CAP_SYS_RESOURCE and make runc fail).
 */
export function applyUlimits(
  base: readonly OciRlimit[],
  ulimits: readonly { name: string; soft: number; hard: number }[],
  hardCaps: readonly LimitEntry[],
): OciRlimit[] {
  const out = base.map((r) => ({ ...r }));
  for (const u of ulimits) {
    const type = 'RLIMIT_' + u.name.toUpperCase();
    const cap = hardCaps.find((l) => l.type === type)?.hard ?? Infinity;
    const hard = Math.min(u.hard, cap);
    const r = { type, soft: Math.min(u.soft, hard), hard };
    const i = out.findIndex((x) => x.type === type);
    if (i >= 0) out[i] = r;
    else out.push(r);
  }
  return out;
}
