// The default seccomp profile refuses the syscalls busybox has no applet for (keyctl, add_key,
// request_key, bpf, perf_event_open; clone/unshare with CLONE_NEWUSER by argument filter), in a
// running container, not only in the generated profile: a generated static probe makes each call
// (test/harness/syscall-probe.ts) and reports its errno. The same probes under
// seccomp=unconfined, and under the default profile with CAP_SYS_ADMIN (moby's per-capability
// additions), get the kernel's own answer, so the EPERM is the filter's.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';
import { CLONE_NEWUSER, probeUnsupported, SIGCHLD, syscallProbe, X86_64 as NR } from '../../harness/syscall-probe.js';

const EPERM = 1;
const EBADF = 9;
const EACCES = 13;
const EFAULT = 14;
const EINVAL = 22;
const ENOSYS = 38;
const EOPNOTSUPP = 95;

/** Each probe: the call, with arguments the kernel rejects (or runs) without side effects. */
const PROBES: Record<string, [number, ...number[]]> = {
  keyctl: [NR.keyctl, 9999], // an unknown command: EOPNOTSUPP from the kernel
  add_key: [NR.add_key], // NULL type: EFAULT
  request_key: [NR.request_key], // NULL type: EFAULT
  bpf: [NR.bpf, 9999], // an unknown command: EINVAL
  perf_event_open: [NR.perf_event_open], // NULL attr: EFAULT (EACCES where perf is closed to the unprivileged)
  unshare_user: [NR.unshare, CLONE_NEWUSER], // needs no capability: only seccomp stops it
  clone_user: [NR.clone, CLONE_NEWUSER | SIGCHLD],
  clone3: [NR.clone3], // moby answers ENOSYS so that libcs fall back to clone, which it can filter
  // controls: the filter lets these through
  getpid: [NR.getpid],
  close: [NR.close, -1],
  fork: [NR.clone, SIGCHLD],
};

// Skips: berthd.skip where integration tests cannot run at all (daemonUnavailable's reason), and
// probeUnsupported on hosts that are not x86_64 (the probe is generated x86_64 machine code).
const berthd = daemonPerFile();
const skip = berthd.skip;
let dir = '';
before(() => {
  if (skip || probeUnsupported) return;
  dir = mkdtempSync('/tmp/berth-it-probes-');
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'p'));
  for (const [name, [nr, ...args]] of Object.entries(PROBES)) {
    writeFileSync(join(dir, 'p', name), syscallProbe(nr, args), { mode: 0o755 });
  }
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs every probe in one busybox container started with `args`: name → exit status. */
async function probe(args: string[]): Promise<Record<string, number>> {
  const script = 'for p in /probe/*; do "$p"; echo "${p##*/} $?"; done';
  const r = await berthd.d.docker([
    'run',
    '--rm',
    '-v',
    `${join(dir, 'p')}:/probe:ro`,
    ...args,
    'busybox',
    'sh',
    '-c',
    script,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out: Record<string, number> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const [name, code] = line.trim().split(' ');
    out[name!] = Number(code);
  }
  assert.deepEqual(Object.keys(out).sort(), Object.keys(PROBES).sort(), r.stdout);
  return out;
}

const controls = { getpid: 0, close: EBADF, fork: 0 };

test('the default profile answers EPERM to keyctl, add_key, request_key, bpf, perf_event_open and user namespaces', {
  skip: skip ?? probeUnsupported ?? false,
}, async () => {
  const r = await probe([]);
  assert.deepEqual(r, {
    keyctl: EPERM,
    add_key: EPERM,
    request_key: EPERM,
    bpf: EPERM,
    perf_event_open: EPERM,
    unshare_user: EPERM,
    clone_user: EPERM,
    clone3: ENOSYS,
    ...controls,
  });
});

test('seccomp=unconfined: the same calls reach the kernel', { skip: skip ?? probeUnsupported ?? false }, async () => {
  const r = await probe(['--security-opt', 'seccomp=unconfined']);
  // perf_event_open: EFAULT, or EACCES where the kernel closes perf to processes without
  // CAP_PERFMON (kernel.perf_event_paranoid > 2 on Debian), before it reads the attr
  assert.ok(r.perf_event_open === EFAULT || r.perf_event_open === EACCES, `perf_event_open: ${r.perf_event_open}`);
  // bpf: kernels before 6.9 refuse it with EPERM themselves when kernel.unprivileged_bpf_disabled
  // is set and the caller lacks CAP_BPF; the next test runs it with CAP_SYS_ADMIN
  assert.ok(r.bpf === EINVAL || r.bpf === EPERM, `bpf: ${r.bpf}`);
  const { perf_event_open: _p, bpf: _b, ...rest } = r;
  assert.deepEqual(rest, {
    keyctl: EOPNOTSUPP,
    add_key: EFAULT,
    request_key: EFAULT,
    unshare_user: 0,
    clone_user: 0,
    clone3: EINVAL,
    ...controls,
  });
});

test('the default profile with CAP_SYS_ADMIN allows bpf, perf_event_open and namespaces; the key calls stay refused', {
  skip: skip ?? probeUnsupported ?? false,
}, async () => {
  const r = await probe(['--cap-add', 'SYS_ADMIN']);
  assert.deepEqual(r, {
    keyctl: EPERM,
    add_key: EPERM,
    request_key: EPERM,
    bpf: EINVAL,
    perf_event_open: EFAULT,
    unshare_user: 0,
    clone_user: 0,
    clone3: EINVAL,
    ...controls,
  });
});
