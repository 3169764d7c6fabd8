import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec, MASKED_PATHS } from './buildSpec.js';
import { DEFAULT_CAPS, hostCaps } from './capabilities.js';
import type { DockerSeccompProfile, SpecInput } from './types.js';

const profile: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_PTRACE'] } },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
  ],
};

function base(over: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'abc123',
    rootfs: '/var/lib/berth/snapshots/1/fs',
    process: { args: ['sh', '-c', 'echo hi'], env: ['PATH=/bin'], user: { uid: 0, gid: 0 } },
    hostname: 'abc123',
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }],
    seccompProfile: profile,
    ...over,
  };
}
const mount = (s: ReturnType<typeof buildSpec>, dest: string) => s.mounts.find((m) => m.destination === dest);

test('typical container: defaults like Docker', () => {
  const s = buildSpec(base());
  assert.equal(s.ociVersion, '1.0.2-dev');
  assert.deepEqual(s.process.args, ['sh', '-c', 'echo hi']);
  assert.equal(s.process.cwd, '/');
  assert.equal(s.process.terminal, false);
  assert.deepEqual(s.process.capabilities?.bounding, DEFAULT_CAPS);
  assert.deepEqual(s.process.capabilities?.effective, DEFAULT_CAPS);
  assert.equal(s.process.capabilities?.inheritable, undefined);
  assert.equal(s.process.noNewPrivileges, false);
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }]);
  assert.deepEqual(s.root, { path: '/var/lib/berth/snapshots/1/fs', readonly: false });
  assert.equal(s.hostname, 'abc123');
  assert.deepEqual(
    s.mounts.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm'],
  );
  assert.deepEqual(mount(s, '/dev/pts')?.options, [
    'nosuid',
    'noexec',
    'newinstance',
    'ptmxmode=0666',
    'mode=0620',
    'gid=5',
  ]);
  assert.ok(mount(s, '/dev/shm')?.options?.includes('size=67108864'));
  assert.ok(mount(s, '/sys')?.options?.includes('ro'));
  assert.deepEqual(
    s.linux.namespaces.map((n) => n.type),
    ['mount', 'network', 'uts', 'pid', 'ipc'],
  );
  assert.equal(s.linux.cgroupsPath, 'berth/abc123');
  assert.deepEqual(s.linux.maskedPaths, MASKED_PATHS);
  assert.ok(s.linux.readonlyPaths?.includes('/proc/sys'));
  assert.deepEqual(s.linux.resources?.devices?.[0], { allow: false, access: 'rwm' });
  assert.ok(s.linux.resources?.devices?.some((d) => d.allow && d.major === 1 && d.minor === 3));
  assert.equal(s.linux.resources?.memory, undefined);
  assert.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.linux.seccomp?.defaultErrnoRet, 1);
});

test('seccomp: filtered by arch and capabilities', () => {
  const s = buildSpec(base());
  const names = s.linux.seccomp!.syscalls!.flatMap((c) => c.names);
  assert.deepEqual(s.linux.seccomp?.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.ok(names.includes('arch_prctl'));
  assert.ok(!names.includes('ptrace'), 'ptrace needs CAP_SYS_PTRACE');
  const s2 = buildSpec(base({ capAdd: ['sys_ptrace'] }));
  assert.ok(s2.linux.seccomp!.syscalls!.some((c) => c.names.includes('ptrace')));
  assert.ok(s2.process.capabilities?.bounding?.includes('CAP_SYS_PTRACE'));
});

test('seccomp=unconfined and custom profiles', () => {
  assert.equal(buildSpec(base({ securityOpt: ['seccomp=unconfined'] })).linux.seccomp, undefined);
  const custom = JSON.stringify({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
  });
  const s = buildSpec(base({ securityOpt: [`seccomp=${custom}`] }));
  assert.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ALLOW');
  assert.deepEqual(s.linux.seccomp?.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }]);
  assert.throws(() => buildSpec(base({ securityOpt: ['seccomp=notjson'] })), /Decoding seccomp profile failed/);
  assert.equal(buildSpec(base({ seccompProfile: null })).linux.seccomp, undefined);
});

test('privileged: all caps, allow all devices, no masks, no seccomp, rw sys', () => {
  const s = buildSpec(
    base({
      privileged: true,
      devices: [
        {
          device: { type: 'c', path: '/dev/fuse', major: 10, minor: 229 },
          rule: { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' },
        },
      ],
    }),
  );
  assert.deepEqual(s.process.capabilities?.bounding, hostCaps());
  assert.equal(s.linux.seccomp, undefined);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.deepEqual(s.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
  assert.deepEqual(
    s.linux.devices?.map((d) => d.path),
    ['/dev/fuse'],
  );
  assert.ok(mount(s, '/sys')?.options?.includes('rw'));
  assert.ok(!mount(s, '/sys')?.options?.includes('ro'));
  assert.ok(mount(s, '/sys/fs/cgroup')?.options?.includes('rw'));
});

test('read-only rootfs keeps /dev writable and forces ro on the rest', () => {
  const s = buildSpec(
    base({
      readonlyRootfs: true,
      mounts: [{ destination: '/data', type: 'bind', source: '/v', options: ['rbind', 'rw'] }],
    }),
  );
  assert.equal(s.root.readonly, true);
  assert.ok(!mount(s, '/dev/shm')?.options?.includes('ro'));
  assert.ok(!mount(s, '/dev')?.options?.includes('ro'));
  assert.ok(mount(s, '/sys/fs/cgroup')?.options?.includes('ro'));
  assert.deepEqual(mount(s, '/data')?.options, ['rbind', 'rw']);
});

test('cap-add/cap-drop: ALL, prefixes, case', () => {
  const s = buildSpec(base({ capDrop: ['ALL'], capAdd: ['net_admin', 'CAP_CHOWN'] }));
  assert.deepEqual(s.process.capabilities?.bounding, ['CAP_NET_ADMIN', 'CAP_CHOWN']);
  const s2 = buildSpec(base({ capAdd: ['all'], capDrop: ['sys_admin'] }));
  assert.ok(!s2.process.capabilities?.bounding?.includes('CAP_SYS_ADMIN'));
  assert.equal(s2.process.capabilities?.bounding?.length, hostCaps().length - 1);
  const s3 = buildSpec(base({ capDrop: ['chown', 'Net_Raw'] }));
  assert.ok(!s3.process.capabilities?.bounding?.includes('CAP_CHOWN'));
  assert.ok(!s3.process.capabilities?.bounding?.includes('CAP_NET_RAW'));
  assert.throws(() => buildSpec(base({ capAdd: ['bogus'] })), {
    message: 'invalid CapAdd: unknown capability: "CAP_BOGUS"',
  });
});

test('security-opt no-new-privileges forms', () => {
  assert.equal(buildSpec(base({ securityOpt: ['no-new-privileges'] })).process.noNewPrivileges, true);
  assert.equal(buildSpec(base({ securityOpt: ['no-new-privileges:true'] })).process.noNewPrivileges, true);
  assert.equal(buildSpec(base({ securityOpt: ['no-new-privileges=false'] })).process.noNewPrivileges, false);
  assert.equal(
    buildSpec(base({ securityOpt: ['apparmor=unconfined', 'label=disable'] })).process.apparmorProfile,
    undefined,
  );
  assert.throws(() => buildSpec(base({ securityOpt: ['no-new-privileges:maybe'] })), /invalid --security-opt 2/);
  assert.throws(() => buildSpec(base({ securityOpt: ['bogus'] })), /invalid --security-opt 1/);
  const s = buildSpec(base({ securityOpt: ['systempaths=unconfined'] }));
  assert.equal(s.linux.maskedPaths, undefined);
  // the HostConfig's own lists (moby WithMaskedPaths): the docker CLI's systempaths=unconfined sends []
  const open = buildSpec(base({ maskedPaths: [], readonlyPaths: [] }));
  assert.equal(open.linux.maskedPaths, undefined);
  assert.equal(open.linux.readonlyPaths, undefined);
  const own = buildSpec(base({ maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'] }));
  assert.deepEqual([own.linux.maskedPaths, own.linux.readonlyPaths], [['/proc/kcore'], ['/proc/sys']]);
});

test('namespaces: host network/pid/uts/ipc and paths', () => {
  const s = buildSpec(
    base({
      namespaces: { network: { mode: 'host' }, pid: { mode: 'host' }, uts: { mode: 'host' }, ipc: { mode: 'host' } },
    }),
  );
  assert.deepEqual(s.linux.namespaces, [{ type: 'mount' }]);
  assert.equal(s.hostname, undefined);
  assert.equal(mount(s, '/dev/shm')?.source, '/dev/shm');
  assert.equal(mount(s, '/dev/shm')?.type, 'bind');
  const s2 = buildSpec(
    base({
      namespaces: {
        network: { mode: 'path', path: '/run/berth/netns/x' },
        ipc: { mode: 'none' },
        cgroup: { mode: 'private' },
      },
    }),
  );
  assert.deepEqual(
    s2.linux.namespaces.find((n) => n.type === 'network'),
    { type: 'network', path: '/run/berth/netns/x' },
  );
  assert.ok(s2.linux.namespaces.some((n) => n.type === 'cgroup'));
  assert.equal(mount(s2, '/dev/shm'), undefined);
  const s3 = buildSpec(base({ namespaces: { network: { mode: 'none' } } }));
  assert.deepEqual(
    s3.linux.namespaces.find((n) => n.type === 'network'),
    { type: 'network' },
  );
});

test('resources: memory/swap defaults, nano cpus, pids, blkio', () => {
  const r = buildSpec(
    base({
      resources: {
        memory: 64 << 20,
        nanoCpus: 1.5e9,
        pidsLimit: 100,
        cpuShares: 512,
        cpusetCpus: '0',
        blkioWeight: 300,
        blkioDeviceReadBps: [{ major: 8, minor: 0, rate: 1048576 }],
        oomKillDisable: true,
      },
    }),
  ).linux.resources!;
  assert.deepEqual(r.memory, { limit: 64 << 20, swap: 128 << 20, disableOOMKiller: true });
  assert.deepEqual(r.cpu, { shares: 512, period: 100000, quota: 150000, cpus: '0' });
  assert.deepEqual(r.pids, { limit: 100 });
  assert.deepEqual(r.blockIO, { weight: 300, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] });
  assert.deepEqual(
    buildSpec(base({ resources: { memory: 64 << 20, memorySwap: -1, memoryReservation: 32 << 20 } })).linux.resources
      ?.memory,
    { limit: 64 << 20, swap: -1, reservation: 32 << 20 },
  );
  assert.deepEqual(
    buildSpec(base({ resources: { cpuPeriod: 50000, cpuQuota: 25000, kernelMemory: 1 << 30 } })).linux.resources?.cpu,
    { period: 50000, quota: 25000 },
  );
  // a negative quota means no limit: not written (crun refuses negative values on cgroup v1)
  assert.deepEqual(buildSpec(base({ resources: { cpuPeriod: 50000, cpuQuota: -5 } })).linux.resources?.cpu, {
    period: 50000,
  });
  // --cpu-rt-period/--cpu-rt-runtime reach the runtime as moby sends them (runc applies or refuses)
  assert.deepEqual(
    buildSpec(base({ resources: { cpuRealtimePeriod: 1000000, cpuRealtimeRuntime: 950000 } })).linux.resources?.cpu,
    { realtimePeriod: 1000000, realtimeRuntime: 950000 },
  );
  assert.equal(buildSpec(base({ resources: { pidsLimit: -1 } })).linux.resources?.pids, undefined);
  assert.throws(() => buildSpec(base({ resources: { memory: 1024 } })), {
    message: 'Minimum memory limit allowed is 6MB',
  });
  assert.throws(
    () => buildSpec(base({ resources: { memory: 64 << 20, memorySwap: 32 << 20 } })),
    /Minimum memoryswap limit/,
  );
  assert.throws(() => buildSpec(base({ resources: { nanoCpus: 1e9, cpuQuota: 50000 } })), /Nano CPUs and CPU Quota/);
});

test('init, tty, user, mounts ordering and overrides, sysctls, shm, device rules', () => {
  const s = buildSpec(
    base({
      init: { path: '/usr/bin/tini-static' },
      process: {
        args: ['top'],
        env: [],
        cwd: '/work',
        user: { uid: 1000, gid: 1000, additionalGids: [10] },
        tty: true,
        consoleSize: { height: 40, width: 120 },
      },
      mounts: [
        { destination: '/data/sub', type: 'bind', source: '/a', options: ['rbind'] },
        { destination: '/data', type: 'bind', source: '/b', options: ['rbind'] },
        { destination: '/etc/hosts', type: 'bind', source: '/h', options: ['rbind'] },
        { destination: '/dev/shm', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      ],
      sysctls: { 'net.ipv4.ip_forward': '1' },
      oomScoreAdj: 500,
      deviceCgroupRules: ['c 42:* rmw'],
    }),
  );
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'top']);
  assert.deepEqual(mount(s, '/sbin/docker-init'), {
    destination: '/sbin/docker-init',
    type: 'bind',
    source: '/usr/bin/tini-static',
    options: ['bind', 'ro'],
  });
  assert.equal(s.process.terminal, true);
  assert.deepEqual(s.process.consoleSize, { height: 40, width: 120 });
  assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [10] });
  assert.equal(s.process.cwd, '/work');
  assert.equal(s.process.oomScoreAdj, 500);
  const dests = s.mounts.map((m) => m.destination);
  assert.ok(dests.indexOf('/data') < dests.indexOf('/data/sub'));
  assert.equal(dests.filter((d) => d === '/dev/shm').length, 1);
  assert.deepEqual(mount(s, '/dev/shm')?.options, ['size=1m']);
  assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ip_forward': '1' });
  assert.deepEqual(s.linux.resources?.devices?.at(-1), { allow: true, type: 'c', major: 42, access: 'rmw' });
  assert.equal(mount(buildSpec(base({ shmSize: 1 << 20 })), '/dev/shm')?.options?.at(-1), 'size=1048576');
});

test('ulimits are clamped to the daemon hard limit', () => {
  const s = buildSpec(
    base({
      ulimits: [
        { name: 'nofile', soft: 100000, hard: 100000 },
        { name: 'nproc', soft: 10, hard: 20 },
      ],
    }),
  );
  assert.deepEqual(s.process.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 4096, hard: 4096 },
    { type: 'RLIMIT_NPROC', soft: 10, hard: 20 },
  ]);
});

test('spec JSON is runc-readable (no Infinity/NaN, plain JSON)', () => {
  const s = buildSpec({ ...base(), rlimits: undefined, seccompProfile: undefined });
  const json = JSON.stringify(s);
  assert.ok(!/Infinity|NaN|null/.test(json));
  for (const r of s.process.rlimits ?? []) assert.ok(r.soft <= r.hard && Number.isSafeInteger(r.hard));
});

test('writable-cgroups (moby): defaults to privileged, overrides it either way; bad values are refused', () => {
  const opts = (s: ReturnType<typeof buildSpec>) => mount(s, '/sys/fs/cgroup')?.options ?? [];
  assert.ok(opts(buildSpec(base())).includes('ro'));
  assert.ok(opts(buildSpec(base({ securityOpt: ['writable-cgroups'] }))).includes('rw'));
  assert.ok(opts(buildSpec(base({ securityOpt: ['writable-cgroups=true'] }))).includes('rw'));
  const priv = buildSpec(base({ privileged: true, securityOpt: ['writable-cgroups=false'] }));
  assert.ok(opts(priv).includes('ro') && !opts(priv).includes('rw'));
  assert.ok(mount(priv, '/sys')?.options?.includes('rw'), '/sys stays rw for privileged');
  assert.throws(
    () => buildSpec(base({ securityOpt: ['writable-cgroups=maybe'] })),
    /invalid --security-opt 2: "writable-cgroups=maybe"/,
  );
});
