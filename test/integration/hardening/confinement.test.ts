// Confinement at least as strict as Docker's (issue 14): the default seccomp profile refuses
// the known escapes, exec processes keep the container's confinement, and the data-root and
// container rootfs paths are closed to other users.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultSeccompProfile, toOciSeccomp } from '../../../src/runtime/spec/seccomp.js';
import type { OciSpec } from '../../../src/runtime/spec/types.js';
import { daemonUnavailable, runCommand, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable();
const SOCKET_GID = 4242; // the API socket's group (-G); no such group needs to exist
let d: Daemon | undefined;
let root = '';
before(async () => {
  if (skip) return;
  // Our own root, traversable by others: mkdtemp makes it 0700, which would hide everything
  // below it and prove nothing. (berthd serves one -H only, so the socket is the harness's,
  // outside the exec-root; exec-root 0711 around a socket is paths.test.ts's.)
  root = mkdtempSync('/tmp/berth-it-confine-');
  chmodSync(root, 0o711);
  d = await startDaemon({ root, args: ['-G', String(SOCKET_GID)] });
});
after(async () => {
  try {
    if (d) assert.deepEqual((await d.stop()).leaks, []);
  } finally {
    if (root) rmSync(root, { recursive: true, force: true });
  }
});

const need = (t: { skip(m: string): void }) => {
  // Skips only where an integration test cannot run at all: daemonUnavailable() gives the reason
  // (not root, outside test/harness/run-isolated.sh's namespaces, berthd not built) or before()
  // already failed to start berthd, which fails the file on its own.
  if (!d) t.skip(`needs a running berthd: ${skip ?? 'it did not start'}`);
  return !d;
};
const run = (args: string[], cmd: string) => d!.docker(['run', '--rm', ...args, 'busybox', 'sh', '-c', cmd]);
/** Runs a command on the host as nobody (uid/gid 65534, no groups unless given). */
const asNobody = (cmd: string, groups: number[] = []) =>
  runCommand('setpriv', [
    '--reuid=65534',
    '--regid=65534',
    ...(groups.length ? [`--groups=${groups.join(',')}`] : ['--clear-groups']),
    'sh',
    '-c',
    cmd,
  ]);

test('the default profile refuses unshare -U, unshare -m and mount, as Docker does', async (t) => {
  if (need(t)) return;
  for (const cmd of [
    'unshare -U true',
    'unshare -m true',
    'mkdir -p /m && mount -t tmpfs t /m',
    'nsenter -t 1 -m true',
  ]) {
    const r = await run([], cmd);
    assert.notEqual(r.code, 0, `${cmd} must fail: ${r.stdout}`);
    assert.match(r.stderr, /Operation not permitted|permission denied/, cmd); // busybox mount's EPERM text
  }
  // the running container's spec carries moby's profile for its bounding set: keyctl, bpf and
  // perf_event_open fall to the EPERM default (seccomp-syscalls.test.ts makes the calls themselves)
  const c = await d!.docker(['run', '-d', '--name', 'spec', 'busybox', 'sleep', '300']);
  assert.equal(c.code, 0, c.stderr);
  try {
    const id = (await d!.docker(['inspect', '-f', '{{.Id}}', 'spec'])).stdout.trim();
    const spec = JSON.parse(readFileSync(join(d!.execRoot, 'c', id, 'config.json'), 'utf8')) as OciSpec;
    assert.deepEqual(spec.linux.seccomp, toOciSeccomp(defaultSeccompProfile(), spec.process.capabilities!.bounding!));
    assert.equal(spec.linux.seccomp!.defaultErrnoRet, 1);
    for (const name of ['keyctl', 'add_key', 'request_key', 'bpf', 'perf_event_open', 'unshare', 'setns', 'mount']) {
      assert.ok(!spec.linux.seccomp!.syscalls!.some((r) => r.names.includes(name)), name);
    }
  } finally {
    await d!.docker(['rm', '-f', 'spec']);
  }
  // seccomp, not a missing capability, is what stops `unshare -U` (it needs no capability)
  const unconfined = await run(['--security-opt', 'seccomp=unconfined'], 'unshare -U true && echo ok');
  assert.equal(unconfined.stdout.trim(), 'ok', unconfined.stderr);
  // --cap-add SYS_ADMIN brings the CAP_SYS_ADMIN rules (Docker's per-capability additions)
  const admin = await run(
    ['--cap-add', 'SYS_ADMIN'],
    'unshare -m true && mkdir -p /m && mount -t tmpfs t /m && echo ok',
  );
  assert.equal(admin.stdout.trim(), 'ok', admin.stderr);
});

test('--privileged runs them (no seccomp, all capabilities); seccomp=<profile> still applies', async (t) => {
  if (need(t)) return;
  const r = await run(
    ['--privileged'],
    'unshare -U true && unshare -m true && mkdir -p /m && mount -t tmpfs t /m && grep Seccomp: /proc/self/status',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Seccomp:\s+0$/m);
  // a custom profile (the CLI reads the file and sends its content) is applied, privileged or not
  const profile = join(root, 'no-unshare.json');
  writeFileSync(
    profile,
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }),
  );
  for (const extra of [[], ['--privileged']]) {
    const c = await run(
      [...extra, '--security-opt', `seccomp=${profile}`],
      'grep Seccomp: /proc/self/status; unshare -m true',
    );
    assert.notEqual(c.code, 0, extra.join(' '));
    assert.match(c.stdout, /^Seccomp:\s+2$/m);
    assert.match(c.stderr, /Operation not permitted/);
  }
  // /sys/fs/cgroup: read-only unless privileged or writable-cgroups (moby)
  // (the first cgroup or cgroup2 mount: on v1 /sys/fs/cgroup itself is a tmpfs)
  const cg = async (args: string[]) =>
    (await run(args, 'awk \'$3 ~ /^cgroup2?$/ { split($4, o, ","); print o[1]; exit }\' /proc/mounts')).stdout.trim();
  assert.deepEqual(
    [
      await cg([]),
      await cg(['--security-opt', 'writable-cgroups=true']),
      await cg(['--privileged', '--security-opt', 'writable-cgroups=false']),
    ],
    ['ro', 'rw', 'ro'],
  );
  // a broken profile is the client's error (400), not the daemon's
  const bad = join(root, 'bad.json');
  writeFileSync(bad, '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read"}]}');
  const r2 = await d!.docker(['run', '--rm', '--security-opt', `seccomp=${bad}`, 'busybox', 'true']);
  assert.notEqual(r2.code, 0);
  assert.match(r2.stderr, /Decoding seccomp profile failed/);
  const api = await d!.dockerode
    .createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { SecurityOpt: ['seccomp={nope'] } })
    .then(
      (c) =>
        c.start().then(
          () => c.remove({ force: true }).then(() => 0),
          async (e: { statusCode?: number }) => {
            await c.remove({ force: true });
            return e.statusCode;
          },
        ),
      (e: { statusCode?: number }) => e.statusCode,
    );
  assert.equal(api, 400);
});

/** The confinement lines of /proc/<pid>/status and the open-files limit, from inside. */
const CONF =
  "grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/$P/status; grep 'Max open files' /proc/$P/limits";
const confOf = async (c: string, pid: '1' | 'self', execArgs: string[] = []) => {
  const r = await d!.docker(['exec', ...execArgs, c, 'sh', '-c', CONF.replaceAll('$P', pid)]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.replace(/\r/g, '').trim();
};
const field = (status: string, name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1]?.trim();

test('exec inherits no-new-privileges, capabilities, seccomp, rlimits and user (non-TTY and TTY)', async (t) => {
  if (need(t)) return;
  const c = 'confined';
  // nofile soft = hard: runc < 1.1.13 built with Go >= 1.19 races on an exec's NOFILE soft limit
  // (opencontainers/runc#4195: the Go runtime in `runc init` may raise it to the hard limit)
  const r = await d!.docker([
    'run',
    '-d',
    '--name',
    c,
    '--security-opt',
    'no-new-privileges',
    '--cap-drop',
    'NET_RAW',
    '--cap-drop',
    'CHOWN',
    '--cap-add',
    'SYS_PTRACE',
    '--ulimit',
    'nofile=1000:1000',
    '-u',
    '65534:65534',
    '--group-add',
    '4321',
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(r.code, 0, r.stderr);
  try {
    const init = await confOf(c, '1');
    assert.equal(field(init, 'NoNewPrivs'), '1');
    assert.equal(field(init, 'Seccomp'), '2');
    for (const args of [[], ['-t']]) {
      const ex = await confOf(c, 'self', args);
      assert.equal(ex, init, `exec ${args.join(' ')} = the container's process`);
    }
    assert.equal((await d!.docker(['exec', c, 'sh', '-c', 'ulimit -n'])).stdout.trim(), '1000');
    assert.equal((await d!.docker(['exec', c, 'id', '-u'])).stdout.trim(), '65534');
    // moby's getUser: the primary group leads the supplementary groups, then --group-add
    assert.equal((await d!.docker(['exec', c, 'id', '-G'])).stdout.trim(), '65534 4321');
    // -u replaces only the user: root in the exec, still no-new-privileges, same bounding set
    const asRoot = await confOf(c, 'self', ['-u', '0']);
    assert.match(field(asRoot, 'Uid') ?? '', /^0\s+0\s+0\s+0$/);
    assert.equal(field(asRoot, 'Groups'), '0 4321');
    assert.equal(field(asRoot, 'NoNewPrivs'), '1');
    assert.equal(field(asRoot, 'CapBnd'), field(init, 'CapBnd'));
    assert.equal(field(asRoot, 'CapEff'), field(init, 'CapBnd'), 'root has the whole bounding set in effect');
    assert.equal(field(asRoot, 'Seccomp'), '2');
    // exec --privileged gets every capability (Docker's), the seccomp filter stays
    const priv = await confOf(c, 'self', ['--privileged', '-u', '0']);
    const hostBnd = field(readFileSync('/proc/self/status', 'utf8'), 'CapBnd');
    assert.equal(field(priv, 'CapEff'), hostBnd);
    assert.equal(field(priv, 'Seccomp'), '2');
    // and the escapes stay closed inside an exec
    const esc = await d!.docker(['exec', '-u', '0', c, 'unshare', '-U', 'true']);
    assert.notEqual(esc.code, 0);
    assert.match(esc.stderr, /Operation not permitted/);
  } finally {
    await d!.docker(['rm', '-f', c]);
  }
});

test('exec of a container without no-new-privileges has NoNewPrivs 0 (the option, not a blanket 1)', async (t) => {
  if (need(t)) return;
  const r = await d!.docker(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  try {
    assert.equal(await confOf('plain', 'self'), await confOf('plain', '1'));
    assert.equal(field(await confOf('plain', 'self'), 'NoNewPrivs'), '0');
  } finally {
    await d!.docker(['rm', '-f', 'plain']);
  }
});

test('other users cannot list the data-root or read a container rootfs; the socket group can connect', async (t) => {
  if (need(t)) return;
  const r = await d!.docker([
    'run',
    '-d',
    '--name',
    'files',
    'busybox',
    'sh',
    '-c',
    'echo secret > /secret; sleep 300',
  ]);
  assert.equal(r.code, 0, r.stderr);
  try {
    const id = (await d!.docker(['inspect', '-f', '{{.Id}}', 'files'])).stdout.trim();
    for (const [dir, mode] of [
      [d!.dataRoot, 0o710],
      [join(d!.dataRoot, 'containers'), 0o710],
      [join(d!.dataRoot, 'snapshots'), 0o710],
      [join(d!.execRoot, 'c'), 0o700],
    ] as const) {
      const st = statSync(dir);
      assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [mode, 0, 0], dir);
    }
    // (the harness made the exec-root; an existing one is left alone, as dockerd does, and
    // c/ inside it, which holds the rootfs mounts, is what is closed)
    const rootfs = join(d!.execRoot, 'c', id, 'rootfs');
    assert.equal(
      readFileSync(join(rootfs, 'etc/passwd'), 'utf8').split(':')[0],
      'root',
      'root reads it: the path is right',
    );
    const upper = (
      await runCommand('sh', ['-c', `grep -l secret ${d!.dataRoot}/snapshots/*/fs/secret 2>/dev/null; true`])
    ).stdout.trim();
    assert.ok(upper, 'the container layer holds /secret');
    for (const cmd of [
      `ls ${d!.dataRoot}`,
      `ls ${d!.dataRoot}/containers`,
      `cat ${upper}`,
      `ls ${rootfs}`,
      `cat ${rootfs}/etc/passwd`,
      `ls ${d!.execRoot}/c`,
    ]) {
      const n = await asNobody(cmd);
      assert.notEqual(n.code, 0, `nobody: ${cmd} → ${n.stdout}`);
      assert.match(n.stderr, /Permission denied/, cmd);
    }
    // the socket stays root:<group> 0660
    for (const sock of [d!.socket]) {
      const st = statSync(sock);
      assert.deepEqual([st.mode & 0o777, st.uid, st.gid], [0o660, 0, SOCKET_GID], sock);
      const ping = `curl -sS --max-time 10 --unix-socket ${sock} http://d/_ping`;
      assert.equal((await asNobody(ping, [SOCKET_GID])).stdout, 'OK', `${sock}: the group reaches the API`);
      assert.notEqual((await asNobody(ping)).stdout, 'OK', `${sock}: others do not`);
    }
  } finally {
    await d!.docker(['rm', '-f', 'files']);
  }
});
