// The commands `alias docker=berth` needs beyond run/ps/images: volume, network, cp, port,
// update, commit/diff/export, events, system df and login/logout, each against a harness berthd
// and, where the output is deterministic, diffed against what the real docker CLI prints.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  daemonUnavailable,
  berthBin,
  berthCli,
  runCommand,
  startDaemon,
  type Daemon,
  type RunOptions,
} from '../../harness/daemon.js';
import { startRegistryProcess, type RegistryProcess } from '../registry/serve.js';

const skip = daemonUnavailable();
let d: Daemon;
const work = mkdtempSync(join(tmpdir(), 'berth-cmds-'));
before(async () => {
  if (!skip) d = await startDaemon();
});
after(async () => {
  rmSync(work, { recursive: true, force: true });
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

const berth = berthCli(() => d);
/** Both CLIs, same arguments: equal exit codes (and stdout unless told otherwise). */
async function same(args: string[], o: RunOptions & { stdout?: boolean; stderr?: boolean } = {}) {
  const [b, k] = await Promise.all([berth(args, o), d.docker(args, o)]);
  const what = `${args.join(' ')}: berth ${b.code} ${b.stderr} / docker ${k.code} ${k.stderr}`;
  assert.equal(b.code, k.code, `exit code of ${what}`);
  if (o.stdout !== false) assert.equal(b.stdout, k.stdout, `stdout of ${args.join(' ')}`);
  if (o.stderr) assert.equal(b.stderr, k.stderr.replace(/docker/g, 'berth'), `stderr of ${args.join(' ')}`);
  return b;
}

test('volume: create, ls, inspect, rm and prune as docker prints them', { skip: skip ?? false }, async () => {
  assert.equal(
    (await berth(['volume', 'create', '--label', 'k=v', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'v1'])).stdout,
    'v1\n',
  );
  assert.equal((await berth(['volume', 'create', '--name', 'v2'])).stdout, 'v2\n');
  await same(['volume', 'create', '--name', 'x', 'y'], { stderr: true });
  await same(['volume', 'ls']);
  await same(['volume', 'ls', '-q', '-f', 'label=k=v']);
  await same(['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Labels}} {{.Mountpoint}}']);
  await same(['volume', 'ls', '--format', 'json']);
  await same(['volume', 'inspect', 'v1', 'v2']);
  await same(['volume', 'inspect', '-f', '{{.Name}} {{.Options}}', 'v1']);
  await same(['volume', 'inspect', 'nosuch'], { stderr: true });
  await same(['volume', 'rm', 'nosuch'], { stderr: true });
  assert.equal((await berth(['volume', 'rm', 'v2'])).stdout, 'v2\n');
  await berth(['volume', 'create', 'v3']);
  // moby's prune keeps volumes with mount options (v1 is a tmpfs): nothing of ours to reclaim
  const pr = await berth(['volume', 'prune', '-a', '-f']);
  assert.match(pr.stdout, /^Deleted Volumes:\nv3\n\nTotal reclaimed space: /);
  assert.equal((await d.docker(['volume', 'ls', '-q'])).stdout, 'v1\n');
  assert.equal((await berth(['volume', 'rm', 'v1'])).stdout, 'v1\n');
});

test('network: create with IPAM and options, ls, inspect, connect --alias/--ip, disconnect, rm, prune', {
  skip: skip ?? false,
}, async () => {
  const id = (
    await berth([
      'network',
      'create',
      '--driver',
      'bridge',
      '--subnet',
      '10.77.0.0/16',
      '--gateway',
      '10.77.0.254',
      '--ip-range',
      '10.77.1.0/24',
      '--label',
      'tier=db',
      '-o',
      'com.docker.network.bridge.name=br77',
      'n1',
    ])
  ).stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  await berth(['network', 'create', '--internal', 'n2']);
  await same(['network', 'create', '--gateway', '10.1.1.1', 'bad'], { stderr: true });
  await same(['network', 'create', '--subnet', '10.78.0.0/16', '--gateway', '10.79.0.1', 'bad'], { stderr: true });
  await same(['network', 'ls']);
  await same(['network', 'ls', '--no-trunc', '-q', '-f', 'label=tier=db']);
  await same(['network', 'ls', '--format', 'json']);
  await same(['network', 'inspect', 'n1']);
  await same([
    'network',
    'inspect',
    '-f',
    '{{.Name}} {{.Internal}} {{range .IPAM.Config}}{{.Gateway}}{{end}}',
    'n1',
    'n2',
  ]);
  await berth(['run', '-d', '--name', 'c1', 'busybox', 'sleep', '300']);
  const conn = await berth(['network', 'connect', '--alias', 'db,store', '--ip', '10.77.1.9', 'n1', 'c1']);
  assert.deepEqual([conn.code, conn.stdout, conn.stderr], [0, '', '']);
  const got = (
    await d.docker([
      'inspect',
      '-f',
      '{{json .NetworkSettings.Networks.n1.Aliases}} {{.NetworkSettings.Networks.n1.IPAddress}}',
      'c1',
    ])
  ).stdout;
  assert.match(got, /"db","store".* 10\.77\.1\.9\n$/);
  await same(['network', 'rm', 'n1'], { stderr: true });
  assert.equal((await berth(['network', 'disconnect', 'n1', 'c1'])).code, 0);
  await same(['network', 'disconnect', 'n1', 'c1'], { stderr: true });
  await same(['network', 'rm', 'nosuch'], { stderr: true });
  await same(['network', 'rm', '-f', 'nosuch']);
  assert.equal((await berth(['network', 'rm', 'n1'])).stdout, 'n1\n');
  const pr = await berth(['network', 'prune', '-f']);
  assert.equal(pr.stdout, 'Deleted Networks:\nn2\n');
});

test('cp both ways, - tar streams, port, update, commit, diff, export', { skip: skip ?? false }, async () => {
  await berth([
    'run',
    '-d',
    '--name',
    'cp1',
    '-p',
    '127.0.0.1:18080:80',
    'busybox',
    'sh',
    '-c',
    'mkdir -p /d/s; echo hi >/d/f; echo x >/d/s/g; ln -s /d/f /d/l; sleep 300',
  ]);
  // the files exist once the container's shell has made them
  await d.docker(['exec', 'cp1', 'sh', '-c', 'while [ ! -L /d/l ]; do sleep 0.1; done']);
  for (const cli of ['b', 'k']) mkdirSync(join(work, cli));
  const cpBoth = async (args: (dir: string) => string[]) => {
    const b = await berth(args(join(work, 'b')));
    const k = await d.docker(args(join(work, 'k')));
    assert.equal(b.code, k.code, `${args('X').join(' ')}: ${b.stderr} / ${k.stderr}`);
    assert.equal(b.stderr, k.stderr);
  };
  await cpBoth((w) => ['cp', 'cp1:/d', w]);
  await cpBoth((w) => ['cp', 'cp1:/d/f', join(w, 'renamed')]);
  await cpBoth((w) => ['cp', 'cp1:/d/.', join(w, 'contents')]);
  await cpBoth((w) => ['cp', '-L', 'cp1:/d/l', join(w, 'followed')]);
  await cpBoth((w) => ['cp', 'cp1:/nosuch', w]);
  await cpBoth((w) => ['cp', 'cp1:/d', join(w, 'renamed')]);
  for (const p of ['d/f', 'd/s/g', 'renamed', 'contents/s/g', 'followed'])
    assert.equal(readFileSync(join(work, 'b', p), 'utf8'), readFileSync(join(work, 'k', p), 'utf8'), p);
  assert.equal(readlinkSync(join(work, 'b', 'd/l')), '/d/f');
  writeFileSync(join(work, 'up'), 'uploaded\n');
  assert.equal((await berth(['cp', join(work, 'up'), 'cp1:/d/s/'])).code, 0);
  assert.equal((await berth(['cp', join(work, 'up'), 'cp1:/d/new'])).code, 0);
  assert.equal((await d.docker(['exec', 'cp1', 'cat', '/d/s/up', '/d/new'])).stdout, 'uploaded\nuploaded\n');
  const tarOut = await runCommand('sh', ['-c', `node ${berthBin} cp cp1:/d/s - | tar -t | sort`], { env: d.env });
  assert.equal(tarOut.stdout, 's/\ns/g\ns/up\n');
  const tarIn = await runCommand('sh', ['-c', `tar -C ${work} -cf - up | node ${berthBin} cp - cp1:/tmp`], {
    env: d.env,
  });
  assert.equal(tarIn.code, 0, tarIn.stderr);
  assert.equal((await d.docker(['exec', 'cp1', 'cat', '/tmp/up'])).stdout, 'uploaded\n');
  await same(['cp', 'a', 'b'], { stderr: true });
  await same(['cp', 'cp1:/a', 'cp1:/b'], { stderr: true });

  await same(['port', 'cp1']);
  await same(['port', 'cp1', '80/tcp']);
  await same(['port', 'cp1', '81'], { stderr: true });
  await same(['update', '-m', '64m', '--cpus', '0.5', '--pids-limit', '50', '--restart', 'on-failure:2', 'cp1']);
  await same(['update', 'cp1'], { stderr: true });
  const hc = await berth([
    'inspect',
    '-f',
    '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}',
    'cp1',
  ]);
  assert.equal(hc.stdout, '67108864 500000000 50 on-failure\n');
  await same(['diff', 'cp1']);
  const img = await berth(['commit', '-c', 'ENV COMMITTED=1', '-m', 'msg', 'cp1', 'committed:1']);
  assert.match(img.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(
    (await berth(['run', '--rm', 'committed:1', 'sh', '-c', 'cat /d/f; echo $COMMITTED'])).stdout,
    'hi\n1\n',
  );
  await same(['commit', 'cp1', 'Bad:x'], { stderr: true });
  const exp = await runCommand('sh', ['-c', `node ${berthBin} export cp1 | tar -t | grep -c '^d/f$'`], { env: d.env });
  assert.equal(exp.stdout, '1\n');
});

test('events and system df print what docker prints', { skip: skip ?? false }, async () => {
  await berth(['volume', 'create', 'ev1']);
  await berth(['volume', 'rm', 'ev1']);
  // one fixed end for both CLIs (a relative --until is each CLI's own clock, in whole seconds)
  const until = String(Math.ceil(Date.now() / 1000) + 1);
  await same(['events', '--since', '10m', '--until', until]);
  await same(['events', '--since', '10m', '--until', until, '--format', '{{json .}}']);
  await same([
    'events',
    '--since',
    '10m',
    '--until',
    '0s',
    '-f',
    'type=volume',
    '--format',
    '{{.Type}} {{.Action}} {{.Actor.ID}} {{.TimeNano}}',
  ]);
  await same(['events', '--format', '{{.Bad'], { stderr: true });
  await same(['system', 'df']);
  await same(['system', 'df', '--format', 'json']);
});

test('login/logout share ~/.docker/config.json with docker', { skip: skip ?? false }, async () => {
  let reg: RegistryProcess | undefined;
  try {
    reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', join(work, 'reg')]);
    const cfgB = join(work, 'cfg-b');
    const cfgK = join(work, 'cfg-k');
    const env = (dir: string) => ({ env: { DOCKER_CONFIG: dir } });
    const lb = await berth(['login', '-u', 'me', '--password-stdin', reg.addr], { input: 'secret\n', ...env(cfgB) });
    const lk = await d.docker(['login', '-u', 'me', '--password-stdin', reg.addr], { input: 'secret\n', ...env(cfgK) });
    assert.deepEqual([lb.code, lb.stdout], [lk.code, lk.stdout]);
    assert.equal(readFileSync(join(cfgB, 'config.json'), 'utf8'), readFileSync(join(cfgK, 'config.json'), 'utf8'));
    // docker reads what berth wrote: a login with the stored credentials
    const reuse = await d.docker(['login', reg.addr], env(cfgB));
    assert.equal(reuse.code, 0, reuse.stderr);
    await berth(['tag', 'busybox', `${reg.addr}/bb:1`]);
    assert.equal((await berth(['push', `${reg.addr}/bb:1`], env(cfgB))).code, 0);
    const out = await berth(['logout', reg.addr], env(cfgB));
    assert.equal(out.stdout, `Removing login credentials for ${reg.addr}\n`);
    await d.docker(['logout', reg.addr], env(cfgK));
    assert.equal(readFileSync(join(cfgB, 'config.json'), 'utf8'), readFileSync(join(cfgK, 'config.json'), 'utf8'));
    const tty = await same(['login', reg.addr], { ...env(cfgB), stderr: true });
    assert.equal(tty.code, 1);
    // a configured helper that is not installed: docker's error (credential-helpers.test runs one)
    writeFileSync(join(cfgB, 'config.json'), JSON.stringify({ credsStore: 'secretservice' }));
    const helper = await berth(['login', '-u', 'me', '-p', 'x', reg.addr], env(cfgB));
    assert.equal(helper.code, 1);
    assert.match(
      helper.stderr,
      /Error saving credentials: .*"docker-credential-secretservice": executable file not found/,
    );
  } finally {
    await reg?.stop();
  }
});
