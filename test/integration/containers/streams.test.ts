// Streams through dockerode: attach + start + wait with demuxed stdout/stderr, stdin, exec
// create/start/inspect exit codes, logs with tail/since/until/timestamps/follow.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const collect = (s: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return { text: () => Buffer.concat(chunks).toString('utf8'), ended: new Promise((r) => s.on('end', r)) };
};
async function demuxed(stream: NodeJS.ReadableStream) {
  const out = new PassThrough();
  const err = new PassThrough();
  berthd.d.dockerode.modem.demuxStream(stream, out, err);
  const o = collect(out);
  const e = collect(err);
  return {
    out: o,
    err: e,
    end: () => {
      out.end();
      err.end();
    },
  };
}

test('attach before start, then wait: stdout and stderr demuxed, exit code', { skip: skip ?? false }, async () => {
  const c = await berthd.d.dockerode.createContainer({
    Image: 'busybox',
    Cmd: ['sh', '-c', 'echo out1; echo err1 >&2; echo out2; exit 3'],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true });
  const dm = await demuxed(stream);
  const ended = new Promise((r) => stream.on('end', r));
  await c.start();
  const w = await c.wait();
  await ended;
  dm.end();
  assert.deepEqual(w, { StatusCode: 3, Error: null });
  assert.equal(dm.out.text(), 'out1\nout2\n');
  assert.equal(dm.err.text(), 'err1\n');
  await c.remove();
});

test("attach with stdin (OpenStdin + StdinOnce) and a TTY container's raw stream", {
  skip: skip ?? false,
}, async () => {
  const c = await berthd.d.dockerode.createContainer({
    Image: 'busybox',
    Cmd: ['sh', '-c', 'tr a-z A-Z; echo done >&2'],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
  const dm = await demuxed(stream);
  const ended = new Promise((r) => stream.on('end', r));
  await c.start();
  stream.write('hello\n');
  await sleep(200);
  stream.end();
  assert.equal((await c.wait()).StatusCode, 0);
  await ended;
  dm.end();
  assert.equal(dm.out.text(), 'HELLO\n');
  assert.equal(dm.err.text(), 'done\n');
  await c.remove();

  const t = await berthd.d.dockerode.createContainer({
    Image: 'busybox',
    Cmd: ['sh', '-c', 'echo a; echo b >&2'],
    Tty: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const ts = await t.attach({ stream: true, stdout: true, stderr: true });
  const raw = collect(ts);
  await t.start();
  await t.wait();
  await raw.ended;
  assert.equal(raw.text(), 'a\r\nb\r\n', 'TTY: one raw stream, no frame headers');
  await t.remove();
});

test('exec create/start/inspect: output, exit codes, env, user, workdir', { skip: skip ?? false }, async () => {
  const c = await berthd.d.dockerode.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
  await c.start();
  const run = async (opts: Record<string, unknown>) => {
    const ex = await c.exec({ AttachStdout: true, AttachStderr: true, ...opts });
    const before = await ex.inspect();
    assert.equal(before.Running, false);
    assert.equal(before.ExitCode, null);
    const s = await ex.start({ hijack: true, stdin: false });
    const dm = await demuxed(s);
    await new Promise((r) => s.on('end', r));
    dm.end();
    let info = await ex.inspect();
    for (let i = 0; i < 20 && info.Running; i++) {
      await sleep(50);
      info = await ex.inspect();
    }
    return { out: dm.out.text(), err: dm.err.text(), info };
  };
  const a = await run({ Cmd: ['sh', '-c', 'echo o; echo e >&2; exit 5'] });
  assert.deepEqual([a.out, a.err, a.info.ExitCode, a.info.Running], ['o\n', 'e\n', 5, false]);
  assert.equal(a.info.ContainerID, (await c.inspect()).Id);
  assert.deepEqual(a.info.ProcessConfig.entrypoint, 'sh');
  const b = await run({
    Cmd: ['sh', '-c', 'echo $FOO $(id -u) $(pwd)'],
    Env: ['FOO=bar'],
    User: '1000',
    WorkingDir: '/tmp',
  });
  assert.deepEqual([b.out, b.info.ExitCode], ['bar 1000 /tmp\n', 0]);
  const nf = await c.exec({ Cmd: ['nosuchcmd'], AttachStdout: true, AttachStderr: true });
  const s = await nf.start({ hijack: true, stdin: false });
  const dm = await demuxed(s);
  await new Promise((r) => s.on('end', r));
  dm.end();
  let info = await nf.inspect();
  for (let i = 0; i < 20 && info.Running; i++) {
    await sleep(50);
    info = await nf.inspect();
  }
  assert.equal(
    info.ExitCode,
    126,
    'a failed exec start exits 126, as moby <= 27 (API 1.47) sets it (docker exec prints the OCI error)',
  );
  const detached = await c.exec({ Cmd: ['sh', '-c', 'sleep 0.2; exit 9'] });
  await detached.start({ Detach: true });
  await sleep(700);
  assert.equal((await detached.inspect()).ExitCode, 9);
  const noExec = await berthd.d.dockerode
    .getExec('nosuchexec')
    .inspect()
    .catch((e: { statusCode: number; json: unknown }) => e);
  assert.equal((noExec as { statusCode: number }).statusCode, 404);
  assert.deepEqual((noExec as { json: unknown }).json, { message: 'No such exec instance: nosuchexec' });
  // docker CLI: exit code passthrough and stdin
  const cli = await berthd.d.docker(['exec', (await c.inspect()).Id, 'sh', '-c', 'exit 4']);
  assert.equal(cli.code, 4);
  const cliIn = await berthd.d.docker(['exec', '-i', (await c.inspect()).Id, 'cat'], { input: 'piped\n' });
  assert.equal(cliIn.stdout, 'piped\n');
  await c.remove({ force: true });
  const gone = await berthd.d.docker(['exec', 'nosuch', 'true']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such container: nosuch/);
});

test('logs: stdout/stderr separation, tail, timestamps, since/until, follow', { skip: skip ?? false }, async () => {
  // (sleeps: conmon reads two pipes, so only time orders stdout against stderr in the log)
  await berthd.d.docker([
    'run',
    '--name',
    'lg',
    'busybox',
    'sh',
    '-c',
    'for i in 1 2 3 4 5; do echo out$i; sleep 0.05; echo err$i >&2; sleep 0.05; done',
  ]);
  const all = await berthd.d.docker(['logs', 'lg']);
  assert.equal(all.stdout, 'out1\nout2\nout3\nout4\nout5\n');
  assert.equal(all.stderr, 'err1\nerr2\nerr3\nerr4\nerr5\n');
  const tail = await berthd.d.docker(['logs', '--tail', '2', 'lg']);
  assert.deepEqual([tail.stdout, tail.stderr], ['out5\n', 'err5\n'], '--tail 2: the last two lines of both streams');
  assert.equal((await berthd.d.docker(['logs', '--tail', '0', 'lg'])).stdout, '');
  const ts = await berthd.d.docker(['logs', '-t', '--tail', '1', 'lg']);
  assert.match(ts.stdout + ts.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (out|err)5\n$/);
  const future = await berthd.d.docker(['logs', '--since', String(Math.floor(Date.now() / 1000) + 60), 'lg']);
  assert.equal(future.stdout + future.stderr, '');
  const past = await berthd.d.docker(['logs', '--since', '10m', 'lg']);
  assert.equal(past.stdout, 'out1\nout2\nout3\nout4\nout5\n');
  const until = await berthd.d.docker(['logs', '--until', '2000-01-01T00:00:00Z', 'lg']);
  assert.equal(until.stdout + until.stderr, '');
  const c = berthd.d.dockerode.getContainer('lg');
  const apiOnlyErr = (await c.logs({ stdout: false, stderr: true, follow: false })) as unknown as Buffer;
  const out = new PassThrough();
  const err = new PassThrough();
  const so = collect(out);
  const se = collect(err);
  const src = new PassThrough();
  berthd.d.dockerode.modem.demuxStream(src, out, err);
  src.end(apiOnlyErr);
  await new Promise((r) => src.on('end', r));
  await sleep(20);
  assert.equal(so.text(), '');
  assert.equal(se.text(), 'err1\nerr2\nerr3\nerr4\nerr5\n');
  const neither = await c.logs({ stdout: false, stderr: false, follow: false }).catch((e: { statusCode: number }) => e);
  assert.equal((neither as { statusCode: number }).statusCode, 400);

  // follow: sees new lines, ends when the container exits
  await berthd.d.docker([
    'run',
    '-d',
    '--name',
    'fl',
    'busybox',
    'sh',
    '-c',
    'for i in 1 2 3; do echo f$i; sleep 0.3; done',
  ]);
  const t0 = Date.now();
  const f = await berthd.d.docker(['logs', '-f', 'fl'], { timeoutMs: 10_000 });
  assert.equal(f.code, 0);
  assert.equal(f.stdout, 'f1\nf2\nf3\n');
  assert.ok(Date.now() - t0 >= 500, 'follow waited for the later lines');
  // follow with --tail on a running container, then stop it
  await berthd.d.docker([
    'run',
    '-d',
    '--name',
    'fl2',
    'busybox',
    'sh',
    '-c',
    'i=0; while true; do echo n$i; i=$((i+1)); sleep 0.1; done',
  ]);
  await sleep(600);
  const pending = berthd.d.docker(['logs', '-f', '--tail', '2', 'fl2'], { timeoutMs: 10_000 });
  await sleep(500);
  await berthd.d.docker(['stop', '-t', '0', 'fl2']);
  const f2 = await pending;
  assert.equal(f2.code, 0);
  const lines = f2.stdout.trim().split('\n');
  assert.ok(lines.length >= 4, `tail 2 then new lines: ${lines.join(',')}`);
  const nums = lines.map((l) => Number(l.slice(1)));
  for (let i = 1; i < nums.length; i++)
    assert.equal(nums[i], nums[i - 1]! + 1, 'consecutive, nothing lost or repeated');
  await berthd.d.docker(['rm', '-f', 'lg', 'fl', 'fl2']);
});
