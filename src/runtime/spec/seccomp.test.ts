// The default profile against moby's: which default.json rules survive for a container is worked
// out by hand from the rules' includes/excludes (listed per case below), then compared whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec } from './buildSpec.js';
import { ALL_CAPS, DEFAULT_CAPS, tweakCapabilities } from './capabilities.js';
import { defaultSeccompProfile, parseMinKernel, parseRelease, parseSeccompProfile, toOciSeccomp } from './seccomp.js';
import { parseSecurityOpt } from './securityOpt.js';
import type { DockerSyscall, OciSeccomp, OciSyscall, SpecInput } from './types.js';

const AMD64 = { arch: 'amd64', kernel: '6.1.0-18-amd64' };
const rules = defaultSeccompProfile().syscalls!;

/** What moby's setupSeccomp emits for a kept rule: names, action, errnoRet, args without a zero valueTwo. */
function mobyRule(r: DockerSyscall): OciSyscall {
  const s: OciSyscall = { names: [...r.names!], action: r.action };
  if (r.errnoRet != null) s.errnoRet = r.errnoRet;
  if (r.args?.length) s.args = r.args.map((a) => ({ index: a.index, value: a.value, op: a.op }));
  return s;
}
const expected = (archs: string[], kept: number[]): OciSeccomp => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  architectures: archs,
  syscalls: kept.map((i) => mobyRule(rules[i]!)),
});
const X86 = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
// Rules kept for every amd64 container on a >= 4.8 kernel: 0 the plain allow list, 1 ptrace &c
// (minKernel 4.8), 2-4 socket, 5-9 personality, 12 arch_prctl, 13 modify_ldt.
const AMD64_BASE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13];

/** Allowed whatever its arguments? */
const allows = (s: OciSeccomp | null | undefined, name: string) =>
  !!s?.syscalls?.some((c) => c.action === 'SCMP_ACT_ALLOW' && c.names.includes(name) && !c.args);
const ruleFor = (s: OciSeccomp | null | undefined, name: string) =>
  s?.syscalls?.filter((c) => c.names.includes(name)) ?? [];

test('the stored profile is moby default.json (v0.2.3): 33 rules, EPERM default, per-cap additions', () => {
  const p = defaultSeccompProfile();
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(p.defaultErrnoRet, 1);
  assert.equal(rules.length, 33);
  assert.equal(rules[0]!.names!.length, 361);
  assert.deepEqual(rules[17]!.includes, { caps: ['CAP_SYS_ADMIN'] });
  assert.deepEqual(rules[18]!.excludes, { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] });
  assert.equal(defaultSeccompProfile(), p, 'parsed once');
});

test('default capabilities on amd64: exactly the rules moby keeps', () => {
  // + 18 clone without namespace flags (excluded with CAP_SYS_ADMIN), 20 clone3 → ENOSYS, 22 chroot (CAP_SYS_CHROOT)
  assert.deepEqual(
    toOciSeccomp(defaultSeccompProfile(), DEFAULT_CAPS, AMD64),
    expected(X86, [...AMD64_BASE, 18, 20, 22]),
  );
});

test('--cap-add SYS_ADMIN: the CAP_SYS_ADMIN rule replaces the clone filters', () => {
  const caps = tweakCapabilities(DEFAULT_CAPS, ['SYS_ADMIN'], [], false, ALL_CAPS);
  assert.deepEqual(toOciSeccomp(defaultSeccompProfile(), caps, AMD64), expected(X86, [...AMD64_BASE, 17, 22]));
});

test('--cap-add SYS_PTRACE, SYS_TIME, BPF, PERFMON, DAC_READ_SEARCH add their rules', () => {
  const add = (cap: string) =>
    toOciSeccomp(defaultSeccompProfile(), tweakCapabilities(DEFAULT_CAPS, [cap], [], false, ALL_CAPS), AMD64);
  assert.deepEqual(add('SYS_PTRACE'), expected(X86, [...AMD64_BASE, 18, 20, 22, 25]));
  assert.deepEqual(add('SYS_TIME'), expected(X86, [...AMD64_BASE, 18, 20, 22, 27]));
  assert.deepEqual(add('BPF'), expected(X86, [...AMD64_BASE, 18, 20, 22, 31]));
  assert.deepEqual(add('PERFMON'), expected(X86, [...AMD64_BASE, 18, 20, 22, 32]));
  assert.deepEqual(
    add('DAC_READ_SEARCH'),
    expected(
      X86,
      [16, ...AMD64_BASE, 18, 20, 22].sort((a, b) => a - b),
    ),
  );
  assert.ok(allows(add('SYS_PTRACE'), 'kcmp'));
});

test('--cap-drop ALL loses chroot; every capability gets every cap rule', () => {
  assert.deepEqual(toOciSeccomp(defaultSeccompProfile(), [], AMD64), expected(X86, [...AMD64_BASE, 18, 20]));
  assert.deepEqual(
    toOciSeccomp(defaultSeccompProfile(), ALL_CAPS, AMD64),
    expected(
      X86,
      [...AMD64_BASE, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32].sort((a, b) => a - b),
    ),
  );
});

test('old kernel, arm64 and s390x pick their rules and architectures', () => {
  const p = defaultSeccompProfile();
  assert.deepEqual(
    toOciSeccomp(p, DEFAULT_CAPS, { arch: 'amd64', kernel: '4.4.0-210-generic' }),
    expected(X86, [0, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 18, 20, 22]),
  );
  assert.deepEqual(
    toOciSeccomp(p, DEFAULT_CAPS, { arch: 'arm64', kernel: '6.1' }),
    expected(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 18, 20, 22]),
  );
  // s390x passes flags in clone's second argument: rule 19 instead of 18
  assert.deepEqual(
    toOciSeccomp(p, DEFAULT_CAPS, { arch: 's390x', kernel: '5.10' }),
    expected(['SCMP_ARCH_S390X', 'SCMP_ARCH_S390'], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 19, 20, 22]),
  );
  // an architecture the archMap lacks gets no architectures (moby leaves the list empty)
  assert.equal(toOciSeccomp(p, DEFAULT_CAPS, { arch: 'ppc64le', kernel: '6.1' })!.architectures, undefined);
});

test('argument filters by hand: clone namespace mask, personality, socket without AF_ALG/AF_VSOCK', () => {
  const s = toOciSeccomp(defaultSeccompProfile(), DEFAULT_CAPS, AMD64);
  // CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET = 0x7E020000: any of them → denied
  assert.equal(0x10000000 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x40000000, 2114060288);
  assert.deepEqual(ruleFor(s, 'clone'), [
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }] },
  ]);
  assert.deepEqual(ruleFor(s, 'clone3'), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  assert.deepEqual(
    ruleFor(s, 'personality').map((r) => r.args),
    [0, 8, 131072, 131080, 4294967295].map((v) => [{ index: 0, value: v, op: 'SCMP_CMP_EQ' }]),
  );
  assert.deepEqual(
    ruleFor(s, 'socket').map((r) => r.args![0]),
    [
      { index: 0, value: 38, op: 'SCMP_CMP_LT' },
      { index: 0, value: 39, op: 'SCMP_CMP_EQ' },
      { index: 0, value: 40, op: 'SCMP_CMP_GT' },
    ],
  );
  assert.ok(!JSON.stringify(s).includes('valueTwo'), 'Go omits a zero valueTwo');
});

test('the known escapes are denied by default and allowed with the capability Docker needs', () => {
  const def = toOciSeccomp(defaultSeccompProfile(), DEFAULT_CAPS, AMD64);
  for (const name of [
    'unshare',
    'setns',
    'mount',
    'umount2',
    'keyctl',
    'add_key',
    'request_key',
    'bpf',
    'perf_event_open',
    'open_by_handle_at',
    'kexec_load',
    'init_module',
  ]) {
    assert.deepEqual(ruleFor(def, name), [], `${name} falls to the EPERM default`);
  }
  assert.ok(allows(def, 'ptrace'), 'ptrace is allowed on kernels >= 4.8, as in Docker');
  const admin = toOciSeccomp(defaultSeccompProfile(), [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'], AMD64);
  for (const name of ['unshare', 'setns', 'mount', 'clone', 'clone3', 'bpf', 'perf_event_open'])
    assert.ok(allows(admin, name), name);
  for (const name of ['keyctl', 'add_key', 'request_key'])
    assert.ok(!allows(admin, name), `${name}: never, even with CAP_SYS_ADMIN`);
});

function spec(over: Partial<SpecInput>) {
  return buildSpec({
    id: 'c1',
    rootfs: '/r',
    process: { args: ['sh'], env: [], user: { uid: 0, gid: 0 } },
    rlimits: [],
    seccompHost: AMD64,
    ...over,
  });
}

test('buildSpec: default profile by default, none when privileged or unconfined, a named profile wins', () => {
  assert.deepEqual(spec({}).linux.seccomp, expected(X86, [...AMD64_BASE, 18, 20, 22]));
  assert.equal(spec({ privileged: true }).linux.seccomp, undefined);
  assert.equal(spec({ securityOpt: ['seccomp=unconfined'] }).linux.seccomp, undefined);
  assert.equal(spec({ securityOpt: ['seccomp:unconfined'] }).linux.seccomp, undefined);
  assert.deepEqual(spec({ securityOpt: ['seccomp=builtin'] }).linux.seccomp, spec({}).linux.seccomp);
  const custom = JSON.stringify({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['keyctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
  });
  const want = {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['keyctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
  };
  assert.deepEqual(spec({ securityOpt: [`seccomp=${custom}`] }).linux.seccomp, want);
  // moby WithSeccomp loads an explicitly named profile for privileged containers too
  assert.deepEqual(spec({ privileged: true, securityOpt: [`seccomp=${custom}`] }).linux.seccomp, want);
  // the bounding set after --cap-add decides
  assert.ok(allows(spec({ capAdd: ['SYS_ADMIN'] }).linux.seccomp, 'unshare'));
  assert.ok(!allows(spec({ capAdd: ['SYS_PTRACE'] }).linux.seccomp, 'unshare'));
});

test('profile errors: moby texts, and bad JSON is invalid input', () => {
  const kind = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return [(e as { kind?: string }).kind, (e as Error).message];
    }
    return null;
  };
  assert.equal(kind(() => parseSecurityOpt(['seccomp={nope']))?.[0], 'invalid');
  assert.match(String(kind(() => parseSeccompProfile('{nope'))?.[1]), /^Decoding seccomp profile failed: /);
  assert.equal(kind(() => parseSeccompProfile('[1]'))?.[0], 'invalid');
  assert.equal(
    kind(() =>
      parseSeccompProfile('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":"read","action":"SCMP_ACT_ALLOW"}]}'),
    )?.[0],
    'invalid',
  );
  assert.equal(
    kind(() =>
      parseSeccompProfile(
        '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]}',
      ),
    )?.[0],
    'invalid',
  );
  const both = parseSeccompProfile(
    '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}',
  );
  assert.deepEqual(
    kind(() => toOciSeccomp(both, [])),
    ['invalid', "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'"],
  );
  const arches = parseSeccompProfile(
    '{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}]}',
  );
  assert.deepEqual(
    kind(() => toOciSeccomp(arches, [])),
    [
      'invalid',
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    ],
  );
  // no defaultAction and no syscalls: seccomp disabled, as in moby
  assert.equal(toOciSeccomp(parseSeccompProfile('{}'), []), null);
  assert.equal(spec({ securityOpt: ['seccomp={}'] }).linux.seccomp, undefined);
  assert.equal(
    kind(() => parseSecurityOpt(['no-new-privileges=maybe']))?.[1],
    'invalid --security-opt 2: "no-new-privileges=maybe"',
  );
  assert.equal(parseSecurityOpt(['no-new-privileges=1']).noNewPrivileges, true);
});

test('legacy "name", minKernel and kernel release parsing follow moby', () => {
  const p = parseSeccompProfile(
    '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","action":"SCMP_ACT_ALLOW","comment":"x"},{"names":["foo"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.10"}},{"names":["bar"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"5.10"}}]}',
  );
  assert.deepEqual(
    toOciSeccomp(p, [], { arch: 'amd64', kernel: '5.10.0-rc5' })!.syscalls!.map((s) => s.names[0]),
    ['read', 'foo'],
  );
  assert.deepEqual(
    toOciSeccomp(p, [], { arch: 'amd64', kernel: '5.9.16' })!.syscalls!.map((s) => s.names[0]),
    ['read', 'bar'],
  );
  assert.deepEqual(parseRelease('3.12-1-amd64'), { kernel: 3, major: 12 });
  assert.deepEqual(parseMinKernel('4.8'), { kernel: 4, major: 8 });
  assert.equal(parseMinKernel(''), null);
  assert.throws(() => parseMinKernel('0.0'), /version cannot be 0.0/);
  assert.throws(() => parseMinKernel('4.8.1'), /expected "<kernel>.<major>"/);
  assert.throws(() => parseMinKernel('300.1'), /invalid kernel version/);
});
