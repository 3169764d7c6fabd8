// Capability sets the way moby's oci/caps does them.
import { readFileSync } from 'node:fs';
import { invalid } from '../../errdefs.js';

/** Docker's default set (moby oci/defaults.go), in Docker's order. */
export const DEFAULT_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability up to CAP_CHECKPOINT_RESTORE (40), i.e. what kernels >= 5.9 know. */
export const ALL_CAPS: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];
const KNOWN = new Set(ALL_CAPS);

/** Caps named by a CapBnd-style hex mask. */
export function capsFromMask(hex: string): string[] {
  const mask = BigInt('0x' + hex.trim());
  return ALL_CAPS.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

let hostCached: string[] | undefined;

/**
 * What "all" means here: the daemon's own bounding set (read once). Some hosts withhold
 * capabilities (e.g. CAP_SYS_RESOURCE) and runc fails to apply caps the daemon lacks.
 */
export function hostCaps(): string[] {
  if (!hostCached) {
    try {
      const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
      hostCached = m ? capsFromMask(m[1]) : [...ALL_CAPS];
    } catch {
      hostCached = [...ALL_CAPS];
    }
  }
  return hostCached;
}

/** "sys_admin", "CAP_SYS_ADMIN", "all" → "CAP_SYS_ADMIN" / "ALL"; unknown → Docker's error. */
export function normalizeCaps(caps: readonly string[], field = 'CapAdd'): string[] {
  const out: string[] = [];
  for (const raw of caps) {
    let c = raw.trim().toUpperCase();
    if (c === '') continue;
    if (c !== 'ALL' && !c.startsWith('CAP_')) c = 'CAP_' + c;
    if (c !== 'ALL' && !KNOWN.has(c)) throw invalid(`invalid ${field}: unknown capability: "${c}"`);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** moby caps.TweakCapabilities: privileged → all; add ALL → all minus drops; drop ALL → only adds. */
export function tweakCapabilities(
  base: readonly string[],
  add: readonly string[] = [],
  drop: readonly string[] = [],
  privileged = false,
  all: readonly string[] = hostCaps(),
): string[] {
  if (privileged) return [...all];
  if (add.length === 0 && drop.length === 0) return [...base];
  const capAdd = normalizeCaps(add, 'CapAdd');
  const capDrop = normalizeCaps(drop, 'CapDrop');
  let caps: string[];
  if (capAdd.includes('ALL')) caps = all.filter((c) => !capDrop.includes(c));
  else if (capDrop.includes('ALL')) caps = [...capAdd];
  else caps = [...base.filter((c) => !capDrop.includes(c)), ...capAdd];
  return [...new Set(caps)];
}
