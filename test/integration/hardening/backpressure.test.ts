// Clients that read slowly, stop reading, or send faster than a container reads must not make
// berthd buffer without bound, and streams of a removed container end by themselves (issue 14).
// Same flooding fixture as resets.test.ts (flood-fixture.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { DROP_MODES, openStream, requestJson, seeded, sendAndDrop, type RawRequest } from './raw-client.js';
import {
  assertDaemonWell,
  d,
  flood,
  ITERATIONS,
  skip,
  startFlood,
  stopped,
  tarStream,
  useFloodDaemon,
} from './flood-fixture.js';
import { until } from '../../harness/until.js';

useFloodDaemon();
const opts = { skip: skip ?? false };

test('streams of a flooding container that is removed while they flow end by themselves', opts, async () => {
  for (let i = 0; i < 4; i++) {
    const tty = i % 2 === 1;
    const id = await startFlood(tty);
    const ex = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${id}/exec`, {
      Cmd: ['yes'],
      AttachStdout: true,
      AttachStderr: true,
      Tty: tty,
    });
    const names = ['attach (upgrade)', 'attach (http)', 'logs -f', 'stats', 'exec start'];
    const streams = [
      openStream(d.socket, {
        method: 'POST',
        path: `/v1.41/containers/${id}/attach?stream=1&stdout=1&stderr=1&stdin=1`,
        upgrade: true,
      }),
      openStream(d.socket, { method: 'POST', path: `/containers/${id}/attach?stream=1&stdout=1&stderr=1` }),
      openStream(d.socket, { method: 'GET', path: `/containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=10` }),
      openStream(d.socket, { method: 'GET', path: `/containers/${id}/stats?stream=1` }),
      openStream(d.socket, {
        method: 'POST',
        path: `/v1.41/exec/${ex.json.Id}/start`,
        body: JSON.stringify({ Detach: false, Tty: tty }),
        upgrade: true,
      }),
    ];
    try {
      // generous: on a loaded 2-core machine the first stats sample and the exec can take a while
      await until(() => streams.every((s) => s.received() > 0), 30_000).catch(() => {
        const silent = names.filter((_, j) => streams[j]!.received() === 0);
        assert.fail(`no output within 30 s on: ${silent.join(', ')} (${tty ? 'TTY' : 'no TTY'})`);
      });
      const rm = await requestJson<unknown>(d.socket, 'DELETE', `/containers/${id}?force=1`);
      assert.equal(rm.status, 204, `rm -f answered ${rm.status}: ${JSON.stringify(rm.json)}`);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 20_000)));
      const r = await Promise.race([Promise.all(streams.map((s) => s.ended)), late]);
      clearTimeout(timer);
      assert.notEqual(
        r,
        'late',
        `still open 20 s after removing the ${tty ? 'TTY ' : ''}container: ${names.filter((_, j) => !streams[j]!.isEnded()).join(', ')}`,
      );
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
  const c = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${flood}/exec`, {
    Cmd: ['sh', '-c', 'yes | head -c 600000000'],
    AttachStdout: true,
    AttachStderr: true,
  });
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
    sock.on('connect', () =>
      sock.write(
        `POST /v1.41/exec/${c.json.Id}/start HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    await started;
    let peak = 0;
    await until(async () => {
      peak = Math.max(peak, rssMiB(d.pid));
      const e = (
        await requestJson<{ Running: boolean; ExitCode: number | null }>(d.socket, 'GET', `/exec/${c.json.Id}/json`)
      ).json;
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
    const req: RawRequest = {
      method: 'PUT',
      path: `/containers/${target}/archive?path=/tmp`,
      headers: { 'Content-Type': 'application/x-tar' },
      body,
    };
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

test(
  'attach logs=1 replays a large log to a slow reader in full (backpressure, not the backlog cut-off)',
  opts,
  async () => {
    const lines = 20_000;
    const cr = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', {
      Image: 'busybox',
      Cmd: [
        'sh',
        '-c',
        `l=$(head -c 4000 /dev/zero | tr '\\0' a); i=0; while [ $i -lt ${lines} ]; do echo $l; i=$((i+1)); done`,
      ],
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
      sock.on('connect', () =>
        sock.write(
          `POST /v1.41/containers/${id}/attach?logs=1&stream=0&stdout=1&stderr=1 HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
        ),
      );
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
  },
);

test('stdin sent faster than an exec reads it is held back at the client, not buffered in berthd', opts, async () => {
  // the process never reads its stdin and ends after a while; the client sends as fast as it may
  const c = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${flood}/exec`, {
    Cmd: ['sleep', '4'],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
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
    sock.write(
      `POST /v1.41/exec/${c.json.Id}/start HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const chunk = Buffer.alloc(1 << 20, 0x62);
    // up to 1 GB, respecting the socket's own backpressure; stops when berthd closes the stream
    while (!closed && sent < 1024 * chunk.length) {
      peak = Math.max(peak, rssMiB(d.pid));
      sent += chunk.length;
      if (!sock.write(chunk))
        await new Promise<void>((r) => {
          sock.once('drain', r);
          sock.once('close', r);
        });
    }
  } finally {
    sock.destroy();
  }
  assert.ok(peak < 512, `berthd grew to ${Math.round(peak)} MiB holding ${sent >> 20} MiB of stdin`);
  await assertDaemonWell('stdin backpressure');
});

test(
  'stdin sent faster than a container reads it (attach) is held back at the client, not buffered in berthd',
  opts,
  async () => {
    const cr = await requestJson<{ Id: string }>(d.socket, 'POST', '/containers/create', {
      Image: 'busybox',
      Cmd: ['sleep', '4'],
      OpenStdin: true,
    });
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
      sock.write(
        `POST /v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
      );
      await answered;
      sock.resume();
      assert.equal((await requestJson(d.socket, 'POST', `/containers/${id}/start`)).status, 204);
      const chunk = Buffer.alloc(1 << 20, 0x63);
      while (!closed && sent < 1024 * chunk.length) {
        peak = Math.max(peak, rssMiB(d.pid));
        sent += chunk.length;
        if (!sock.write(chunk))
          await new Promise<void>((r) => {
            sock.once('drain', r);
            sock.once('close', r);
          });
      }
    } finally {
      sock.destroy();
      await requestJson(d.socket, 'DELETE', `/containers/${id}?force=1`);
    }
    assert.ok(peak < 512, `berthd grew to ${Math.round(peak)} MiB holding ${sent >> 20} MiB of stdin`);
    await assertDaemonWell('attach stdin backpressure');
  },
);
