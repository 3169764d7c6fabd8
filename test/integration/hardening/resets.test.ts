// Clients that go away at any point of a streaming or hijacked response must never end berthd
// (issue 14). For each endpoint a seeded loop sends the request to a container flooding its
// output with `yes`, reads a random number of response bytes and drops the connection (closed
// with unread data, half-closed, or stalled then closed). After each endpoint: berthd still
// answers /_ping with the same pid, never logged an uncaught error, and its fd count returns to
// where it was.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { daemonUnavailable, pingOk, startDaemon, type Daemon } from '../../harness/daemon.js';
import { fdCount } from '../../harness/leaks.js';
import { until } from '../../harness/until.js';
import { createRequire } from 'node:module';
import { DROP_MODES, openStream, requestJson, seeded, sendAndDrop, type RawRequest } from './raw-client.js';

const skip = daemonUnavailable();
const ITERATIONS = 20;
const FD_SLACK = 4;
let d: Daemon;
let flood = ''; // the flooding container's id
let ttyFlood = '';
const recordedPids: number[] = []; // container processes, killed in after() whatever happened
let fdBaseline = -1;
let mountBaseline = -1;
let stopped = ''; // a created, never started container: cp and export mount its rootfs per request

function mountsUnderRoot(): number {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4]?.startsWith(d.root + '/')).length;
}

function killRecorded(): void {
  for (const p of recordedPids.splice(0)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

async function startFlood(tty: boolean): Promise<string> {
  // CPU-capped so the flood cannot starve the machine; rotated logs so it cannot fill the disk
  const r = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', {
    Image: 'busybox',
    // sh stays pid 1 and reaps: TTY execs are reparented to it and must not stay zombies
    Cmd: ['sh', '-c', 'dd if=/dev/urandom of=/big bs=1024 count=1024 2>/dev/null; yes & wait'],
    Tty: tty,
    OpenStdin: true,
    HostConfig: { NanoCpus: 250_000_000, LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } } },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const id = r.json.Id;
  const s = await requestJson<null>(d.socket, 'POST', `/containers/${id}/start`);
  assert.equal(s.status, 204);
  const ins = await requestJson<{ State: { Pid: number } }>(d.socket, 'GET', `/containers/${id}/json`);
  if (ins.json.State.Pid > 0) recordedPids.push(ins.json.State.Pid);
  return id;
}

before(async () => {
  if (skip) return;
  d = await startDaemon();
  try {
    flood = await startFlood(false);
    ttyFlood = await startFlood(true);
    const cr = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] });
    assert.equal(cr.status, 201);
    stopped = cr.json.Id;
    // /big is written before `yes` starts
    await until(async () => (await requestJson<unknown>(d.socket, 'HEAD', `/containers/${flood}/archive?path=/big`).catch(() => ({ status: 0 }))).status === 200, 15_000).catch(() => {});
  } catch (e) {
    killRecorded();
    throw e;
  }
  fdBaseline = fdCount(d.pid);
  mountBaseline = mountsUnderRoot();
});

after(async () => {
  killRecorded();
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

function fdTargets(pid: number): string {
  const seen = new Map<string, number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let t = '?';
    try {
      t = readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/\d+/g, 'N');
    } catch {
      /* closed meanwhile */
    }
    seen.set(t, (seen.get(t) ?? 0) + 1);
  }
  return [...seen].map(([t, n]) => `${n}x ${t}`).join(', ');
}

async function assertDaemonWell(what: string): Promise<void> {
  assert.ok(await pingOk(d.socket), `${what}: berthd no longer answers /_ping\n${d.log().split('\n').slice(-30).join('\n')}`);
  assert.doesNotThrow(() => process.kill(d.pid, 0), `${what}: berthd (pid ${d.pid}) is gone`);
  assert.doesNotMatch(d.log(), /uncaught|unhandled/i, `${what}: berthd hit its last-resort handler`);
  let now = -1;
  await until(() => (now = fdCount(d.pid)) <= fdBaseline + FD_SLACK, 20_000).catch(() => {});
  assert.ok(now <= fdBaseline + FD_SLACK, `${what}: berthd holds ${now} fds, ${fdBaseline} before the drops: ${fdTargets(d.pid)}`);
  let mounts = -1;
  await until(() => (mounts = mountsUnderRoot()) <= mountBaseline, 20_000).catch(() => {});
  assert.ok(mounts <= mountBaseline, `${what}: ${mounts} mounts under the daemon's root, ${mountBaseline} before the drops`);
}

/** Runs ITERATIONS seeded drops of `make(i)`, reading up to `maxBytes` of response first. */
async function dropLoop(name: string, seed: number, maxBytes: number, make: (i: number, rnd: () => number) => Promise<RawRequest> | RawRequest, afterDrop?: () => Promise<void>): Promise<void> {
  const rnd = seeded(seed);
  const seen = new Set<string>();
  for (let i = 0; i < ITERATIONS; i++) {
    const req = await make(i, rnd);
    // one in five drops right after sending, before any answer; the others somewhere in the stream
    const dropAfter = rnd() < 0.2 ? 0 : 1 + Math.floor(rnd() * maxBytes);
    const mode = DROP_MODES[Math.floor(rnd() * DROP_MODES.length)]!;
    const r = await sendAndDrop(d.socket, req, dropAfter, mode);
    if (r.statusLine) seen.add(r.statusLine.split(' ')[1]!);
    await afterDrop?.();
    assert.ok(!d.log().includes('uncaught'), `${name} #${i} (seed ${seed}, drop after ${dropAfter} bytes, ${mode}) hit the last-resort handler`);
  }
  // the loop really exercised the endpoint, not only error answers
  assert.ok([...seen].every((s) => s === '200' || s === '101'), `${name}: unexpected statuses ${[...seen].join(',')}`);
  await assertDaemonWell(name);
}

const opts = { skip: skip ?? false };

test('attach (hijacked, no upgrade) to a flooding container, dropped at random points', opts, async () => {
  await dropLoop('attach', 1401, 256 * 1024, (i) => ({ method: 'POST', path: `/containers/${i % 2 ? flood : ttyFlood}/attach?stream=1&stdout=1&stderr=1&stdin=1${i % 3 === 0 ? '&logs=1' : ''}` }));
});

test('attach with upgrade (docker CLI style), dropped at random points', opts, async () => {
  await dropLoop('attach upgrade', 1402, 256 * 1024, (i) => ({ method: 'POST', path: `/v1.41/containers/${i % 2 ? flood : ttyFlood}/attach?stream=1&stdout=1&stderr=1&stdin=1`, upgrade: true }));
});

test('logs -f of a flooding container, dropped at random points', opts, async () => {
  await dropLoop('logs -f', 1403, 512 * 1024, (i) => ({ method: 'GET', path: `/containers/${i % 2 ? flood : ttyFlood}/logs?follow=1&stdout=1&stderr=1&tail=${i % 4 === 0 ? 'all' : '1000'}&timestamps=${i % 2}` }));
});

test('events stream, dropped at random points while events are emitted', opts, async () => {
  // each drop is followed by an event, so berthd writes to the connection after it went away
  await dropLoop('events', 1404, 2048, () => ({ method: 'GET', path: '/events?since=1' }), async () => {
    await requestJson(d.socket, 'POST', `/containers/${flood}/exec`, { Cmd: ['true'] });
  });
});

test('stats stream, dropped at random points', opts, async () => {
  await dropLoop('stats', 1405, 4096, (i) => ({ method: 'GET', path: `/containers/${i % 2 ? flood : ttyFlood}/stats?stream=1` }));
});

test('exec start (hijacked, with and without upgrade) of a flooding command, dropped at random points', opts, async () => {
  await dropLoop('exec start', 1406, 256 * 1024, async (i) => {
    const tty = i % 4 === 1;
    const c = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${flood}/exec`, {
      // bounded, so execs whose client left still end on their own
      Cmd: ['sh', '-c', 'yes | head -c 2000000'],
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: i % 2 === 0,
      Tty: tty,
    });
    assert.equal(c.status, 201);
    return { method: 'POST', path: `/v1.41/exec/${c.json.Id}/start`, body: JSON.stringify({ Detach: false, Tty: tty }), upgrade: i % 3 !== 0 };
  });
});

test('archive GET (docker cp) and export, dropped at random points', opts, async () => {
  await dropLoop('archive GET', 1407, 1024 * 1024, (i) => ({ method: 'GET', path: `/containers/${i % 3 === 2 ? stopped : flood}/archive?path=${i % 2 ? '/bin/busybox' : '/bin'}` }));
  await dropLoop('export', 1408, 2 * 1024 * 1024, (i) => ({ method: 'GET', path: `/containers/${[flood, ttyFlood, stopped][i % 3]}/export` }));
});

test('image save stream, dropped at random points', opts, async () => {
  await dropLoop('image save', 1409, 1024 * 1024, () => ({ method: 'GET', path: '/images/get?names=busybox' }));
});

test('upgrade requests answered with an error, or dropped while their body is read', opts, async () => {
  const rnd = seeded(1410);
  for (let i = 0; i < ITERATIONS; i++) {
    const mode = DROP_MODES[i % DROP_MODES.length]!;
    const dropAfter = i % 2 ? 0 : 1 + Math.floor(rnd() * 64);
    // an error answer written to a client that already left
    await sendAndDrop(d.socket, { method: 'POST', path: '/v1.41/exec/no-such-exec/start', body: '{"Detach":false}', upgrade: true }, dropAfter, mode);
    await sendAndDrop(d.socket, { method: 'POST', path: '/v1.41/containers/no-such-container/attach?stream=1&stdout=1', upgrade: true }, dropAfter, mode);
    // a body announced but never sent: berthd is still reading it when the client leaves
    await sendAndDrop(d.socket, { method: 'POST', path: '/v1.41/exec/no-such-exec/start', headers: { 'Content-Length': '100', 'Content-Type': 'application/json' }, upgrade: true }, 0, mode);
  }
  await assertDaemonWell('upgrade errors');
});

test('stdin sent to an exec or attach whose process stopped reading it', opts, async () => {
  const rnd = seeded(1411);
  // lines, so a TTY's line discipline hands `head` its byte too
  const input = Buffer.from('a\n'.repeat(2 << 20));
  for (let i = 0; i < ITERATIONS; i++) {
    const tty = i % 4 === 3;
    // exits (after one byte, or at once on a TTY) while the client is still sending: writes to its
    // stdin fail (EPIPE). A TTY process that waits for input would rightly keep running (and its
    // fds) after its client left, as in Docker, so it does not wait.
    const c = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${flood}/exec`, {
      Cmd: tty ? ['sh', '-c', 'exit 0'] : ['head', '-c', '1'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: tty,
    });
    assert.equal(c.status, 201);
    const mode = DROP_MODES[Math.floor(rnd() * DROP_MODES.length)]!;
    await sendAndDrop(d.socket, { method: 'POST', path: `/v1.41/exec/${c.json.Id}/start`, body: JSON.stringify({ Detach: false, Tty: tty }), upgrade: i % 2 === 0, stdin: input }, 1 << 30, mode, 1500);
    // the flooding container does not read its stdin either
    await sendAndDrop(d.socket, { method: 'POST', path: `/v1.41/containers/${flood}/attach?stream=1&stdin=1&stdout=1`, upgrade: i % 2 === 1, stdin: input }, 64 * 1024 + Math.floor(rnd() * 65536), mode, 1500);
  }
  await assertDaemonWell('stdin to exited processes');
});

const tarStream = createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');
async function contextTar(dockerfile: string): Promise<Buffer> {
  const p = tarStream.pack();
  p.entry({ name: 'Dockerfile' }, dockerfile);
  p.finalize();
  const parts: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

test('build output of a flooding RUN step, dropped at random points', opts, async () => {
  const body = await contextTar('FROM busybox\nRUN yes | head -c 3000000\n');
  const rnd = seeded(1412);
  for (let i = 0; i < 8; i++) {
    const dropAfter = 1 + Math.floor(rnd() * 256 * 1024);
    const mode = DROP_MODES[Math.floor(rnd() * DROP_MODES.length)]!;
    await sendAndDrop(d.socket, { method: 'POST', path: '/build?nocache=1&rm=1', headers: { 'Content-Type': 'application/x-tar' }, body }, dropAfter, mode, 10_000);
  }
  // the RUN containers of abandoned builds go away
  await until(async () => (await requestJson<unknown[]>(d.socket, 'GET', '/containers/json?all=1')).json.length === 3, 30_000).catch(() => {});
  const left = (await requestJson<Array<{ Id: string }>>(d.socket, 'GET', '/containers/json?all=1')).json.map((c) => c.Id);
  assert.deepEqual(left.sort(), [flood, ttyFlood, stopped].sort(), 'build containers were left behind');
  await assertDaemonWell('build');
});

test('streams of a flooding container that is removed while they flow end by themselves', opts, async () => {
  for (let i = 0; i < 4; i++) {
    const tty = i % 2 === 1;
    const id = await startFlood(tty);
    const ex = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${id}/exec`, { Cmd: ['yes'], AttachStdout: true, AttachStderr: true, Tty: tty });
    const names = ['attach (upgrade)', 'attach (http)', 'logs -f', 'stats', 'exec start'];
    const streams = [
      openStream(d.socket, { method: 'POST', path: `/v1.41/containers/${id}/attach?stream=1&stdout=1&stderr=1&stdin=1`, upgrade: true }),
      openStream(d.socket, { method: 'POST', path: `/containers/${id}/attach?stream=1&stdout=1&stderr=1` }),
      openStream(d.socket, { method: 'GET', path: `/containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=10` }),
      openStream(d.socket, { method: 'GET', path: `/containers/${id}/stats?stream=1` }),
      openStream(d.socket, { method: 'POST', path: `/v1.41/exec/${ex.json.Id}/start`, body: JSON.stringify({ Detach: false, Tty: tty }), upgrade: true }),
    ];
    try {
      await until(() => streams.every((s) => s.received() > 0), 15_000);
      const rm = await requestJson<unknown>(d.socket, 'DELETE', `/containers/${id}?force=1`);
      assert.equal(rm.status, 204);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 20_000)));
      const r = await Promise.race([Promise.all(streams.map((s) => s.ended)), late]);
      clearTimeout(timer);
      assert.notEqual(r, 'late', `still open 20 s after removing the ${tty ? 'TTY ' : ''}container: ${names.filter((_, j) => !streams[j]!.isEnded()).join(', ')}`);
    } finally {
      for (const s of streams) s.destroy();
    }
  }
  await assertDaemonWell('container removed mid-stream');
});

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : -1;
}

test('an exec client that stops reading a flood is cut off, not buffered for without bound', opts, async () => {
  // 600 MB through runc's pipes, which berthd drains as fast as they fill: without a cap on what a
  // client may fall behind by, all of it would sit in berthd's memory (conmon itself drops attach
  // clients that stop reading, so attach does not get this far)
  const c = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${flood}/exec`, { Cmd: ['sh', '-c', 'yes | head -c 600000000'], AttachStdout: true, AttachStderr: true });
  const body = '{"Detach":false,"Tty":false}';
  const sock = net.connect(d.socket);
  sock.on('error', () => {});
  try {
    const started = new Promise<void>((resolve) => {
      sock.once('data', () => {
        sock.pause(); // and never read again
        resolve();
      });
    });
    sock.on('connect', () => sock.write(`POST /v1.41/exec/${c.json.Id}/start HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    await started;
    let peak = 0;
    await until(async () => {
      peak = Math.max(peak, rssMiB(d.pid));
      const e = (await requestJson<{ Running: boolean; ExitCode: number | null }>(d.socket, 'GET', `/exec/${c.json.Id}/json`)).json;
      return !e.Running && e.ExitCode !== null;
    }, 180_000);
    assert.ok(peak < 512, `berthd grew to ${Math.round(peak)} MiB while the client stalled`);
  } finally {
    sock.destroy();
  }
  await assertDaemonWell('stalled exec client');
});

test('docker cp into a container (archive PUT) with the upload cut off at random points', opts, async () => {
  const p = tarStream.pack();
  p.entry({ name: 'upload.bin' }, Buffer.alloc(2 << 20, 7));
  p.finalize();
  const parts: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) parts.push(c);
  const body = Buffer.concat(parts);
  const rnd = seeded(1413);
  for (let i = 0; i < ITERATIONS; i++) {
    const target = i % 2 ? stopped : flood; // a stopped container's rootfs is mounted for the upload
    const req: RawRequest = { method: 'PUT', path: `/containers/${target}/archive?path=/tmp`, headers: { 'Content-Type': 'application/x-tar' }, body };
    const cut = 200 + Math.floor(rnd() * body.length);
    const mode = DROP_MODES[Math.floor(rnd() * DROP_MODES.length)]!;
    await sendAndDrop(d.socket, { ...req, truncateAt: cut }, 0, mode);
  }
  await assertDaemonWell('archive PUT');
  // a whole upload over what the cut ones left still works
  await d.dockerode.getContainer(stopped).putArchive(body, { path: '/tmp' });
  const st = await requestJson<unknown>(d.socket, 'HEAD', `/containers/${stopped}/archive?path=/tmp/upload.bin`);
  assert.equal(st.status, 200);
  await assertDaemonWell('archive PUT');
});

test('attach logs=1 replays a large log to a slow reader in full (backpressure, not the backlog cut-off)', opts, async () => {
  const lines = 20_000;
  const cr = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', {
    Image: 'busybox',
    Cmd: ['sh', '-c', `l=$(head -c 4000 /dev/zero | tr '\\0' a); i=0; while [ $i -lt ${lines} ]; do echo $l; i=$((i+1)); done`],
    HostConfig: { LogConfig: { Type: 'json-file', Config: {} } },
  });
  assert.equal(cr.status, 201);
  const id = cr.json.Id;
  try {
    assert.equal((await requestJson(d.socket, 'POST', `/containers/${id}/start`)).status, 204);
    await requestJson(d.socket, 'POST', `/containers/${id}/wait`);
    const sock = net.connect(d.socket);
    let got = 0;
    const ended = new Promise<void>((resolve) => {
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
    });
    sock.on('connect', () => sock.write(`POST /v1.41/containers/${id}/attach?logs=1&stream=0&stdout=1&stderr=1 HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`));
    sock.on('data', (c: Buffer) => {
      const before = got;
      got += c.length;
      // a slow reader: a pause after every 4 MiB
      if (Math.floor(got / (4 << 20)) > Math.floor(before / (4 << 20))) {
        sock.pause();
        setTimeout(() => sock.resume(), 100);
      }
    });
    await ended;
    assert.ok(got >= lines * 4001, `the replay was cut short: ${got} bytes of at least ${lines * 4001}`);
  } finally {
    await requestJson(d.socket, 'DELETE', `/containers/${id}?force=1`);
  }
  await assertDaemonWell('attach logs replay');
});

test('stdin sent faster than an exec reads it is held back at the client, not buffered in berthd', opts, async () => {
  // the process never reads its stdin and ends after a while; the client sends as fast as it may
  const c = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${flood}/exec`, { Cmd: ['sleep', '4'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const body = '{"Detach":false,"Tty":false}';
  const sock = net.connect(d.socket);
  let closed = false;
  sock.on('error', () => {});
  sock.on('close', () => (closed = true));
  sock.resume();
  let sent = 0;
  let peak = 0;
  try {
    await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
    sock.write(`POST /v1.41/exec/${c.json.Id}/start HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const chunk = Buffer.alloc(1 << 20, 0x62);
    // up to 1 GB, respecting the socket's own backpressure; stops when berthd closes the stream
    while (!closed && sent < 1024 * chunk.length) {
      peak = Math.max(peak, rssMiB(d.pid));
      sent += chunk.length;
      if (!sock.write(chunk)) await new Promise<void>((r) => { sock.once('drain', r); sock.once('close', r); });
    }
  } finally {
    sock.destroy();
  }
  assert.ok(peak < 512, `berthd grew to ${Math.round(peak)} MiB holding ${sent >> 20} MiB of stdin`);
  await assertDaemonWell('stdin backpressure');
});

test('stdin sent faster than a container reads it (attach) is held back at the client, not buffered in berthd', opts, async () => {
  const cr = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '4'], OpenStdin: true });
  assert.equal(cr.status, 201);
  const id = cr.json.Id;
  const sock = net.connect(d.socket);
  let closed = false;
  sock.on('error', () => {});
  sock.on('close', () => (closed = true));
  let sent = 0;
  let peak = 0;
  try {
    await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
    const answered = new Promise<void>((resolve) => sock.once('data', () => resolve()));
    sock.write(`POST /v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    await answered;
    sock.resume();
    assert.equal((await requestJson(d.socket, 'POST', `/containers/${id}/start`)).status, 204);
    const chunk = Buffer.alloc(1 << 20, 0x63);
    while (!closed && sent < 1024 * chunk.length) {
      peak = Math.max(peak, rssMiB(d.pid));
      sent += chunk.length;
      if (!sock.write(chunk)) await new Promise<void>((r) => { sock.once('drain', r); sock.once('close', r); });
    }
  } finally {
    sock.destroy();
    await requestJson(d.socket, 'DELETE', `/containers/${id}?force=1`);
  }
  assert.ok(peak < 512, `berthd grew to ${Math.round(peak)} MiB holding ${sent >> 20} MiB of stdin`);
  await assertDaemonWell('attach stdin backpressure');
});
