import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, encodeQuery, filtersArg, jsonLines } from './client.js';
import { ClientError, ConnectError } from './client-error.js';
import { frame, StdDemuxer } from './stdcopy.js';

let dir: string;
let sock: string;
let server: http.Server;
const seen: Array<{ method: string; url: string; body: string }> = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-client-'));
  sock = join(dir, 's.sock');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      const u = new URL(req.url!, 'http://x');
      if (u.pathname === '/v1.47/containers/create') {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ Id: 'abc', Warnings: [] }));
      } else if (u.pathname === '/v1.47/containers/nope/json') {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'No such container: nope' }));
      } else if (u.pathname === '/v1.47/containers/abc/start') {
        res.writeHead(204);
        res.end();
      } else if (u.pathname === '/v1.47/containers/abc/wait') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        setTimeout(() => res.end(JSON.stringify({ StatusCode: 3 })), 30);
      } else if (u.pathname === '/v1.47/images/create') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"a"}\n{"sta');
        res.end('tus":"b"}\n');
      } else {
        res.writeHead(500);
        res.end('plain failure');
      }
    });
  });
  server.on('upgrade', (req, socket) => {
    seen.push({ method: req.method!, url: req.url!, body: '' });
    socket.write(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
    socket.on('data', (d: Buffer) => socket.write(frame(1, `echo:${d}`)));
    socket.on('end', () => socket.end(frame(2, 'bye')));
  });
  await new Promise<void>((r) => server.listen(sock, r));
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('encodes queries and filters like the Go client', () => {
  assert.equal(encodeQuery({ all: true, limit: 3, x: undefined, f: ['a', 'b'] }), '?all=1&limit=3&f=a&f=b');
  assert.equal(filtersArg(['status=exited', 'label=a=b']), '{"status":{"exited":true},"label":{"a=b":true}}');
  assert.equal(filtersArg([]), undefined);
});

test('JSON in/out, versioned path', async () => {
  const c = new Client({ socketPath: sock });
  const r = await c.containerCreate({ Image: 'busybox', Cmd: ['true'] }, { name: 'n1' });
  assert.deepEqual(r, { Id: 'abc', Warnings: [] });
  const last = seen.at(-1)!;
  assert.equal(last.url, '/v1.47/containers/create?name=n1');
  assert.deepEqual(JSON.parse(last.body), { Image: 'busybox', Cmd: ['true'] });
  assert.equal(await c.containerStart('abc'), undefined);
  c.close();
});

test('errors carry the status and the daemon message', async () => {
  const c = new Client({ socketPath: sock });
  await assert.rejects(c.containerInspect('nope'), (e: unknown) => {
    assert.ok(e instanceof ClientError);
    assert.equal(e.status, 404);
    assert.equal(e.message, 'No such container: nope');
    return true;
  });
  await assert.rejects(c.request('GET', '/other'), { status: 500, message: 'plain failure' });
  c.close();
});

test('connect failure reads like the docker CLI', async () => {
  const c = new Client({ socketPath: join(dir, 'missing.sock') });
  await assert.rejects(
    c.ping(),
    (e: unknown) => e instanceof ConnectError && /Is the docker daemon running\?/.test(e.message),
  );
});

test('wait resolves begin before the result', async () => {
  const c = new Client({ socketPath: sock });
  const { result } = await c.containerWaitBegin('abc', 'next-exit');
  assert.match(seen.at(-1)!.url, /condition=next-exit/);
  assert.equal((await result).StatusCode, 3);
  c.close();
});

test('json progress lines split across chunks', async () => {
  const c = new Client({ socketPath: sock });
  const res = await c.imageCreate({ fromImage: 'busybox', tag: 'latest' });
  const got: string[] = [];
  for await (const m of jsonLines(res)) got.push(m.status!);
  assert.deepEqual(got, ['a', 'b']);
  c.close();
});

test('hijacked attach is bidirectional and half-closable', async () => {
  const c = new Client({ socketPath: sock });
  const h = await c.containerAttach('abc', { stream: true, stdin: true, stdout: true, stderr: true });
  let out = '';
  let err = '';
  const d = new StdDemuxer({ stdout: (b) => (out += b), stderr: (b) => (err += b) });
  if (h.head.length) d.push(h.head);
  h.socket.on('data', (b: Buffer) => d.push(b));
  h.socket.write('hi');
  await new Promise((r) => setTimeout(r, 30));
  h.socket.end();
  await new Promise((r) => h.socket.on('close', r));
  assert.equal(out, 'echo:hi');
  assert.equal(err, 'bye');
  assert.match(seen.at(-1)!.url, /\/containers\/abc\/attach\?stream=1&stdin=1/);
  c.close();
});
