// Clients that go away at any point of a streaming or hijacked response must never end berthd
// (issue 14). For each endpoint a seeded loop sends the request to a container flooding its
// output with `yes`, reads a random number of response bytes and drops the connection (closed
// with unread data, half-closed, or stalled then closed). After each endpoint: berthd still
// answers /_ping with the same pid, never logged an uncaught error, and its fd count returns to
// where it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DROP_MODES, requestJson, seeded, sendAndDrop } from './raw-client.js';
import {
  assertDaemonWell,
  d,
  dropLoop,
  flood,
  ITERATIONS,
  skip,
  stopped,
  tarStream,
  ttyFlood,
  useFloodDaemon,
} from './flood-fixture.js';
import { until } from '../../harness/until.js';

useFloodDaemon();
const opts = { skip: skip ?? false };

test('attach (hijacked, no upgrade) to a flooding container, dropped at random points', opts, async () => {
  await dropLoop('attach', 1401, 256 * 1024, (i) => ({
    method: 'POST',
    path: `/containers/${i % 2 ? flood : ttyFlood}/attach?stream=1&stdout=1&stderr=1&stdin=1${i % 3 === 0 ? '&logs=1' : ''}`,
  }));
});

test('attach with upgrade (docker CLI style), dropped at random points', opts, async () => {
  await dropLoop('attach upgrade', 1402, 256 * 1024, (i) => ({
    method: 'POST',
    path: `/v1.41/containers/${i % 2 ? flood : ttyFlood}/attach?stream=1&stdout=1&stderr=1&stdin=1`,
    upgrade: true,
  }));
});

test('logs -f of a flooding container, dropped at random points', opts, async () => {
  await dropLoop('logs -f', 1403, 512 * 1024, (i) => ({
    method: 'GET',
    path: `/containers/${i % 2 ? flood : ttyFlood}/logs?follow=1&stdout=1&stderr=1&tail=${i % 4 === 0 ? 'all' : '1000'}&timestamps=${i % 2}`,
  }));
});

test('events stream, dropped at random points while events are emitted', opts, async () => {
  // each drop is followed by an event, so berthd writes to the connection after it went away
  await dropLoop(
    'events',
    1404,
    2048,
    () => ({ method: 'GET', path: '/events?since=1' }),
    async () => {
      await requestJson(d.socket, 'POST', `/containers/${flood}/exec`, { Cmd: ['true'] });
    },
  );
});

test('stats stream, dropped at random points', opts, async () => {
  await dropLoop('stats', 1405, 4096, (i) => ({
    method: 'GET',
    path: `/containers/${i % 2 ? flood : ttyFlood}/stats?stream=1`,
  }));
});

test(
  'exec start (hijacked, with and without upgrade) of a flooding command, dropped at random points',
  opts,
  async () => {
    await dropLoop('exec start', 1406, 256 * 1024, async (i) => {
      const tty = i % 4 === 1;
      const c = await requestJson<{ Id: string }>(d.socket, 'POST', `/containers/${flood}/exec`, {
        // bounded, so execs whose client left still end on their own (a TTY drains slowly while the floods run)
        Cmd: ['sh', '-c', 'yes | head -c 600000'], // > the 256 KiB read before the drop
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: i % 2 === 0,
        Tty: tty,
      });
      assert.equal(c.status, 201);
      return {
        method: 'POST',
        path: `/v1.41/exec/${c.json.Id}/start`,
        body: JSON.stringify({ Detach: false, Tty: tty }),
        upgrade: i % 3 !== 0,
      };
    });
  },
);

test('archive GET (docker cp) and export, dropped at random points', opts, async () => {
  await dropLoop('archive GET', 1407, 1024 * 1024, (i) => ({
    method: 'GET',
    path: `/containers/${i % 3 === 2 ? stopped : flood}/archive?path=${i % 2 ? '/bin/busybox' : '/bin'}`,
  }));
  await dropLoop('export', 1408, 2 * 1024 * 1024, (i) => ({
    method: 'GET',
    path: `/containers/${[flood, ttyFlood, stopped][i % 3]}/export`,
  }));
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
    await sendAndDrop(
      d.socket,
      { method: 'POST', path: '/v1.41/exec/no-such-exec/start', body: '{"Detach":false}', upgrade: true },
      dropAfter,
      mode,
    );
    await sendAndDrop(
      d.socket,
      { method: 'POST', path: '/v1.41/containers/no-such-container/attach?stream=1&stdout=1', upgrade: true },
      dropAfter,
      mode,
    );
    // a body announced but never sent: berthd is still reading it when the client leaves
    await sendAndDrop(
      d.socket,
      {
        method: 'POST',
        path: '/v1.41/exec/no-such-exec/start',
        headers: { 'Content-Length': '100', 'Content-Type': 'application/json' },
        upgrade: true,
      },
      0,
      mode,
    );
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
    await sendAndDrop(
      d.socket,
      {
        method: 'POST',
        path: `/v1.41/exec/${c.json.Id}/start`,
        body: JSON.stringify({ Detach: false, Tty: tty }),
        upgrade: i % 2 === 0,
        stdin: input,
      },
      1 << 30,
      mode,
      1500,
    );
    // the flooding container does not read its stdin either
    await sendAndDrop(
      d.socket,
      {
        method: 'POST',
        path: `/v1.41/containers/${flood}/attach?stream=1&stdin=1&stdout=1`,
        upgrade: i % 2 === 1,
        stdin: input,
      },
      64 * 1024 + Math.floor(rnd() * 65536),
      mode,
      1500,
    );
  }
  await assertDaemonWell('stdin to exited processes');
});

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
    await sendAndDrop(
      d.socket,
      { method: 'POST', path: '/build?nocache=1&rm=1', headers: { 'Content-Type': 'application/x-tar' }, body },
      dropAfter,
      mode,
      10_000,
    );
  }
  // the RUN containers of abandoned builds go away
  await until(
    async () => (await requestJson<unknown[]>(d.socket, 'GET', '/containers/json?all=1')).json.length === 3,
    30_000,
  ).catch(() => {});
  const left = (await requestJson<Array<{ Id: string }>>(d.socket, 'GET', '/containers/json?all=1')).json.map(
    (c) => c.Id,
  );
  assert.deepEqual(left.sort(), [flood, ttyFlood, stopped].sort(), 'build containers were left behind');
  await assertDaemonWell('build');
});
