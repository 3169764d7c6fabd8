// An exec created with Tty runs on a terminal whatever its start request says: the start's Tty only
// picks the framing (moby). docker-py's exec_start sends Tty: false for exec_create(tty=True) and
// expects framed "\r\n" output (the pty's onlcr), stdout and stderr merged on one stream.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable();
let d: Daemon;
let id = '';

before(async () => {
  if (skip) return;
  d = await startDaemon();
  const c = await d.dockerode.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
  await c.start();
  id = c.id;
});
after(async () => {
  if (d) await d.stop();
});

function post(path: string, body: unknown): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      {
        socketPath: d.socket,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** stdcopy frames → [stream, payload] pairs. */
function frames(b: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (let i = 0; i + 8 <= b.length; ) {
    const n = b.readUInt32BE(i + 4);
    out.push([b[i]!, b.subarray(i + 8, i + 8 + n).toString()]);
    i += 8 + n;
  }
  return out;
}

const cmd = ['sh', '-c', 'echo hello out; echo hello err >&2'];

test('exec created with Tty, started with Tty false: a terminal, framed output on stdout', {
  skip: skip ?? false,
}, async () => {
  const ex = await post(`/v1.44/containers/${id}/exec`, {
    Cmd: cmd,
    Tty: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  assert.equal(ex.status, 201);
  const r = await post(`/v1.44/exec/${(JSON.parse(ex.body.toString()) as { Id: string }).Id}/start`, {
    Tty: false,
    Detach: false,
  });
  assert.equal(r.status, 200);
  assert.equal(r.type, 'application/vnd.docker.multiplexed-stream');
  const f = frames(r.body);
  assert.ok(
    f.every(([s]) => s === 1),
    'one terminal: everything on stdout',
  );
  assert.equal(f.map(([, p]) => p).join(''), 'hello out\r\nhello err\r\n');
});

test('exec created with Tty, started with Tty true: raw "\\r\\n" output; without Tty: no terminal, split streams', {
  skip: skip ?? false,
}, async () => {
  const ex = await post(`/v1.44/containers/${id}/exec`, {
    Cmd: cmd,
    Tty: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const raw = await post(`/v1.44/exec/${(JSON.parse(ex.body.toString()) as { Id: string }).Id}/start`, { Tty: true });
  assert.equal(raw.type, 'application/vnd.docker.raw-stream');
  assert.equal(raw.body.toString(), 'hello out\r\nhello err\r\n');
  const plain = await post(`/v1.44/containers/${id}/exec`, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const r = await post(`/v1.44/exec/${(JSON.parse(plain.body.toString()) as { Id: string }).Id}/start`, {});
  const f = frames(r.body);
  assert.deepEqual(
    f
      .filter(([s]) => s === 1)
      .map(([, p]) => p)
      .join(''),
    'hello out\n',
  );
  assert.deepEqual(
    f
      .filter(([s]) => s === 2)
      .map(([, p]) => p)
      .join(''),
    'hello err\n',
  );
});
