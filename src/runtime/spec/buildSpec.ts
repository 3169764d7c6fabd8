// Container settings → OCI runtime spec, following moby's oci/defaults.go and daemon/oci_linux.go.
// Pure apart from two cached one-time reads (seccomp profile, /proc/self/limits) used when the
// caller does not pass them.
import { DEFAULT_CAPS, tweakCapabilities } from './capabilities.js';
import { DEFAULT_DEVICE_RULES, parseDeviceCgroupRule, toOciResources, validateResources } from './resources.js';
import { applyUlimits, daemonLimits, daemonRlimits } from './rlimits.js';
import { defaultSeccompProfile, toOciSeccomp } from './seccomp.js';
import { parseSecurityOpt, type SecurityOpts } from './securityOpt.js';
import type { OciDeviceCgroup, OciMount, OciNamespace, OciProcess, OciSpec, SpecInput } from './types.js';

export const OCI_VERSION = '1.0.2-dev';
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
export const INIT_PATH = '/sbin/docker-init';

export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
}

const clean = (p: string) =>
  '/' +
  p
    .split('/')
    .filter((x) => x !== '' && x !== '.')
    .join('/');
const depth = (p: string) => clean(p).split('/').length;

function setRw(m: OciMount, rw: boolean): void {
  const opts = (m.options ?? []).filter((o) => o !== 'ro' && o !== 'rw');
  m.options = [...opts, rw ? 'rw' : 'ro'];
}

function specProcess(input: SpecInput, caps: string[], sec: SecurityOpts): OciProcess {
  const p = input.process;
  const args = input.init ? [INIT_PATH, '--', ...p.args] : [...p.args];
  const process: OciProcess = {
    terminal: p.tty ?? false,
    user: {
      uid: p.user.uid,
      gid: p.user.gid,
      ...(p.user.additionalGids?.length ? { additionalGids: [...p.user.additionalGids] } : {}),
    },
    args,
    env: [...p.env],
    cwd: p.cwd || '/',
    // No inheritable set since CVE-2022-24769 (moby 20.10.14).
    capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps] },
    noNewPrivileges: sec.noNewPrivileges ?? p.noNewPrivileges ?? false,
    oomScoreAdj: input.oomScoreAdj ?? 0,
  };
  if (p.tty && p.consoleSize) process.consoleSize = { ...p.consoleSize };
  let rlimits = input.rlimits ?? daemonRlimits();
  if (input.ulimits?.length) rlimits = applyUlimits(rlimits, input.ulimits, input.rlimits ? rlimits : daemonLimits());
  if (rlimits.length) process.rlimits = rlimits.map((r) => ({ ...r }));
  return process;
}

/** The defaults not overridden by the caller's mounts, then the caller's, parents first. */
function specMounts(input: SpecInput, sec: SecurityOpts, privileged: boolean, ipcMode: string): OciMount[] {
  const userMounts = [...(input.mounts ?? [])].map((m) => ({
    ...m,
    destination: clean(m.destination),
    options: [...(m.options ?? [])],
  }));
  if (input.init)
    userMounts.push({ destination: INIT_PATH, type: 'bind', source: input.init.path, options: ['bind', 'ro'] });
  const userDests = new Set(userMounts.map((m) => m.destination));
  const mountsDev = userDests.has('/dev');
  const mounts: OciMount[] = [];
  const defaults = defaultMounts();
  if (ipcMode !== 'none' && !userDests.has('/dev/shm')) {
    const shmPath = input.shmPath ?? (ipcMode === 'host' ? '/dev/shm' : undefined);
    defaults.push(
      shmPath
        ? { destination: '/dev/shm', type: 'bind', source: shmPath, options: ['rbind', 'nosuid', 'noexec', 'nodev'] }
        : {
            destination: '/dev/shm',
            type: 'tmpfs',
            source: 'shm',
            options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${input.shmSize || DEFAULT_SHM_SIZE}`],
          },
    );
  }
  for (const m of defaults) {
    if (userDests.has(m.destination)) continue;
    if (mountsDev && m.destination.startsWith('/dev/')) continue;
    if (privileged && m.type === 'sysfs') setRw(m, true);
    // moby: writable-cgroups defaults to privileged and may override it either way
    if (m.type === 'cgroup' && (sec.writableCgroups ?? privileged)) setRw(m, true);
    if (input.readonlyRootfs && !['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue'].includes(m.destination))
      setRw(m, false);
    mounts.push(m);
  }
  const sorted = userMounts
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i);
  mounts.push(...sorted.map((x) => x.m));
  return mounts;
}

function specNamespaces(ns: NonNullable<SpecInput['namespaces']>): OciNamespace[] {
  const netMode = ns.network?.mode ?? 'private';
  const pidMode = ns.pid?.mode ?? 'private';
  const ipcMode = ns.ipc?.mode ?? 'private';
  const namespaces: OciNamespace[] = [{ type: 'mount' }];
  if (netMode === 'path') namespaces.push({ type: 'network', path: ns.network!.path! });
  else if (netMode !== 'host') namespaces.push({ type: 'network' });
  if ((ns.uts?.mode ?? 'private') === 'private') namespaces.push({ type: 'uts' });
  if (pidMode === 'path') namespaces.push({ type: 'pid', path: ns.pid!.path! });
  else if (pidMode === 'private') namespaces.push({ type: 'pid' });
  if (ipcMode === 'path') namespaces.push({ type: 'ipc', path: ns.ipc!.path! });
  else if (ipcMode !== 'host') namespaces.push({ type: 'ipc' });
  if (ns.cgroup?.mode === 'private') namespaces.push({ type: 'cgroup' });
  return namespaces;
}

function deviceRules(input: SpecInput, privileged: boolean): OciDeviceCgroup[] {
  if (privileged) return [{ allow: true, access: 'rwm' }];
  const rules = [...DEFAULT_DEVICE_RULES.map((r) => ({ ...r })), ...(input.devices ?? []).map((d) => ({ ...d.rule }))];
  for (const r of input.deviceCgroupRules ?? []) rules.push(parseDeviceCgroupRule(r));
  return rules;
}

export function buildSpec(input: SpecInput): OciSpec {
  const sec = parseSecurityOpt(input.securityOpt);
  const privileged = input.privileged ?? false;
  const caps = tweakCapabilities(DEFAULT_CAPS, input.capAdd, input.capDrop, privileged);
  const res = input.resources ?? {};
  validateResources(res);
  const ns = input.namespaces ?? {};
  const utsMode = ns.uts?.mode ?? 'private';
  const process = specProcess(input, caps, sec);
  const mounts = specMounts(input, sec, privileged, ns.ipc?.mode ?? 'private');
  const namespaces = specNamespaces(ns);
  const devices = (input.devices ?? []).map((d) => ({ ...d.device }));
  const rules = deviceRules(input, privileged);

  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process,
    root: { path: input.rootfs, readonly: input.readonlyRootfs ?? false },
    mounts,
    linux: {
      namespaces,
      devices,
      cgroupsPath: input.cgroupsPath ?? `berth/${input.id}`,
      resources: toOciResources(res, rules),
    },
  };
  // runc refuses a hostname without its own UTS namespace.
  if (utsMode === 'private') {
    if (input.hostname) spec.hostname = input.hostname;
    if (input.domainname) spec.domainname = input.domainname;
  }
  if (input.sysctls && Object.keys(input.sysctls).length) spec.linux.sysctl = { ...input.sysctls };
  // moby: the defaults unless privileged; the HostConfig's own lists (the docker CLI sends [] for
  // --security-opt systempaths=unconfined) replace them
  const confined = !privileged && !sec.unconfinedPaths;
  const masked = input.maskedPaths ?? (confined ? MASKED_PATHS : []);
  const readonly = input.readonlyPaths ?? (confined ? READONLY_PATHS : []);
  if (masked.length) spec.linux.maskedPaths = [...masked];
  if (readonly.length) spec.linux.readonlyPaths = [...readonly];
  // moby WithSeccomp: unconfined → none; privileged → only a profile named explicitly;
  // otherwise the named profile or the default one, filtered by the bounding set.
  if (sec.seccomp !== null) {
    const profile =
      sec.seccomp ??
      (privileged ? null : input.seccompProfile === undefined ? defaultSeccompProfile() : input.seccompProfile);
    const oci = profile ? toOciSeccomp(profile, caps, input.seccompHost) : null;
    if (oci) spec.linux.seccomp = oci;
  }
  return spec;
}
