// Our `berth` CLI against berthd, side by side with the real docker CLI: same output where it is
// deterministic, same exit codes and error texts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { berthCli, type RunOptions, daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;

const berth = berthCli(() => berthd.d);
/** Runs the same command with both CLIs; asserts equal exit codes and returns both results. */
async function both(args: string[], opts: RunOptions = {}) {
  const [b, k] = await Promise.all([berth(args, opts), berthd.d.docker(args, opts)]);
  assert.equal(
    b.code,
    k.code,
    `exit code of ${args.join(' ')}: berth ${b.code} (${b.stderr}) vs docker ${k.code} (${k.stderr})`,
  );
  return { b, k };
}
const same = async (args: string[], opts: RunOptions = {}) => {
  const { b, k } = await both(args, opts);
  assert.equal(b.stdout, k.stdout, `stdout of ${args.join(' ')}`);
  return b;
};

test('berth run: output, exit code, --rm, -d, -i', { skip: skip ?? false }, async () => {
  const r = await berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [3, 'out\n', 'err\n']);
  assert.equal((await berth(['run', '--rm', '-i', 'busybox', 'tr', 'a-z', 'A-Z'], { input: 'abc\n' })).stdout, 'ABC\n');
  const id = (
    await berth(['run', '-d', '--name', 'bg', '--label', 'k=v', 'busybox', 'sh', '-c', 'echo started; sleep 300'])
  ).stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const nf = await both(['run', '--rm', 'busybox', 'nosuchcmd']);
  assert.equal(nf.b.code, 127);
  const ne = await both(['run', '--rm', 'busybox', '/etc']);
  assert.equal(ne.b.code, 126);
  const bad = await both(['run', '--no-such-flag', 'busybox']);
  assert.equal(bad.b.code, 125);
  const dup = await both(['run', '-d', '--name', 'bg', 'busybox', 'true']);
  assert.equal(dup.b.code, 125);
  assert.match(dup.b.stderr, /Conflict\. The container name "\/bg" is already in use by container/);
});

test('berth ps/images/inspect/logs/exec/top print what docker prints', { skip: skip ?? false }, async () => {
  await same(['ps', '-q']);
  await same(['ps', '-aq', '--no-trunc']);
  await same(['ps', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.Labels}}']);
  await same(['ps', '--format', '{{.Names}}\t{{.State}}', '-a', '-f', 'label=k=v']);
  await same(['ps', '--format', 'table {{.Names}}\t{{.Image}}']);
  await same(['ps', '-a', '--format', '{{json .Names}}']);
  const psB = (await berth(['ps'])).stdout.split('\n');
  const psD = (await berthd.d.docker(['ps'])).stdout.split('\n');
  assert.equal(psB[0], psD[0], 'ps table header');
  assert.equal(psB.length, psD.length);

  // CREATED moves on between the two runs ("9 seconds ago" vs "10 seconds ago"), and column widths with it
  const norm = (t: string) =>
    t.replace(/(\d+ seconds|About a minute|\d+ minutes) ago/g, 'T ago').replace(/ {2,}/g, '  ');
  const imB = await berth(['images']);
  assert.equal(norm(imB.stdout), norm((await berthd.d.docker(['images'])).stdout));
  assert.match(imB.stdout, /^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED +SIZE\nbusybox +latest +[0-9a-f]{12} /);
  await same(['images', '-q']);
  await same(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);

  await same(['inspect', '--format', '{{.State.Status}} {{.State.Pid}} {{.Config.Cmd}} {{.Name}}', 'bg']);
  await same(['inspect', '--format', '{{json .Config.Labels}} {{index .Config.Labels "k"}}', 'bg']);
  await same(['inspect', '--format', '{{range .Config.Env}}{{.}};{{end}}', 'bg']);
  await same(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}} {{.State.Running}}', 'bg']);
  const ib = JSON.parse((await berth(['inspect', 'bg'])).stdout);
  const id = JSON.parse((await berthd.d.docker(['inspect', 'bg'])).stdout);
  assert.deepEqual(ib, id, 'inspect JSON is the same document');
  await same(['image', 'inspect', '--format', '{{.Id}} {{.Config.Cmd}}', 'busybox']);

  await same(['logs', 'bg']);
  await same(['logs', '--tail', '1', 'bg']);
  await same(['exec', 'bg', 'sh', '-c', 'echo $HOSTNAME; ls / | head -3']);
  const ex = await both(['exec', 'bg', 'sh', '-c', 'exit 6']);
  assert.equal(ex.b.code, 6);
  await same(['exec', '-i', 'bg', 'cat'], { input: 'via stdin\n' });
  const topRes = await berth(['top', 'bg']);
  const topB = topRes.stdout.split('\n')[0];
  assert.equal(
    topB,
    (await berthd.d.docker(['top', 'bg'])).stdout.split('\n')[0],
    `berth top: exit ${topRes.code}, stderr: ${topRes.stderr}`,
  );
});

test('berth errors and rm match docker', { skip: skip ?? false }, async () => {
  const nsc = await both(['inspect', 'nosuch']);
  assert.equal(nsc.b.code, 1);
  assert.equal(nsc.b.stdout, nsc.k.stdout, '[] on stdout');
  assert.match(nsc.b.stderr, /No such object: nosuch|No such container: nosuch/);
  const rmRunning = await both(['rm', 'bg']);
  assert.equal(rmRunning.b.code, 1);
  assert.equal(rmRunning.b.stderr, rmRunning.k.stderr);
  const stopNo = await both(['stop', 'nosuch']);
  assert.equal(stopNo.b.stderr, stopNo.k.stderr);
  const b = await berth(['rm', '-f', 'bg']);
  assert.deepEqual([b.code, b.stdout], [0, 'bg\n']);
  assert.equal((await berthd.d.docker(['ps', '-aq'])).stdout, '');
  await berth(['create', '--name', 'c1', 'busybox']);
  await berth(['create', '--name', 'c2', 'busybox']);
  const rm2 = await berth(['rm', 'c1', 'nosuch', 'c2']);
  assert.equal(rm2.code, 1);
  assert.equal(rm2.stdout, 'c1\nc2\n', 'continues past a missing one');
  assert.match(rm2.stderr, /No such container: nosuch/);
});
