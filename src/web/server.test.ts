// The dashboard server over a fake Engine API on a unix socket: auth, login, streaming proxy,
// Origin checks on upgrades and the exec terminal's websocket bridge.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { encodeFrame, FrameDecoder, OP } from '../api/routes/attach-ws.js';
import { startWeb, type WebServer } from './server.js';

let dir: string;
let api: http.Server;
let web: WebServer;
let base: string;
let host: string;
const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function fakeApi(): http.Server {
  const s = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"Type":"container","Action":"start"}\n');
      return; // stays open, like a follow stream
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, method: req.method }));
  });
  // exec start: hijacked, then echo what the terminal types, upper-cased
  s.on('upgrade', (req, sock) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    sock.write(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n$ ',
    );
    sock.on('data', (d: Buffer) => sock.write(d.toString().toUpperCase()));
  });
  return s;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'index.html'), '<title>berth</title>');
  api = fakeApi();
  await new Promise<void>((r) => api.listen(path.join(dir, 'api.sock'), r));
  const port = await freePort();
  web = await startWeb({
    listen: `127.0.0.1:${port}`,
    apiSocket: path.join(dir, 'api.sock'),
    tokenDir: dir,
    assets: path.join(dir, 'assets'),
    log: () => {},
  });
  base = web.url.replace(/\/$/, '');
  host = `127.0.0.1:${port}`;
});

after(() => {
  web.close();
  api.close();
  api.closeAllConnections();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the API needs the token; the page itself is served to anyone on this Host', async () => {
  const r = await fetch(`${base}/api/containers/json`);
  assert.equal(r.status, 401);
  assert.deepEqual(await r.json(), { message: 'login required' });
  const page = await fetch(`${base}/#/containers`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /berth/);
});

test('a Bearer token reaches the Engine API, without the browser credentials', async () => {
  const r = await fetch(`${base}/api/containers/json?all=1`, { headers: { authorization: `Bearer ${web.token}` } });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { url: '/containers/json?all=1', method: 'GET' });
  const last = seen.at(-1)!;
  assert.equal(last.headers.authorization, undefined);
  assert.equal(last.headers.cookie, undefined);
});

test('login with the token sets an HttpOnly SameSite=Strict cookie that admits later requests', async () => {
  const bad = await fetch(`${base}/login`, { method: 'POST', body: JSON.stringify({ token: 'nope' }) });
  assert.equal(bad.status, 401);
  const ok = await fetch(`${base}/?token=${web.token}`, { redirect: 'manual' });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/');
  const cookie = ok.headers.get('set-cookie')!;
  assert.match(cookie, /HttpOnly; SameSite=Strict/);
  const r = await fetch(`${base}/api/_ping`, { headers: { cookie: cookie.split(';')[0]! } });
  assert.equal(r.status, 200);
});

test('a cross-site POST and a foreign Host are refused before the API sees them', async () => {
  const n = seen.length;
  const auth = { authorization: `Bearer ${web.token}` };
  const cross = await fetch(`${base}/api/containers/x/stop`, {
    method: 'POST',
    headers: { ...auth, origin: 'http://evil.example' },
  });
  assert.equal(cross.status, 403);
  const rebound = await new Promise<number>((resolve) => {
    http.get(`${base}/api/_ping`, { headers: { ...auth, host: 'evil.example:80' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
  });
  assert.equal(rebound, 421);
  assert.equal(seen.length, n);
});

test('streams are proxied as they are written (events follow)', async () => {
  const ac = new AbortController();
  const r = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${web.token}` }, signal: ac.signal });
  const reader = r.body!.getReader();
  const { value } = await reader.read();
  assert.match(Buffer.from(value!).toString(), /"Action":"start"/);
  ac.abort();
});

/** Opens a websocket by hand; resolves with the socket and the answer's status line. */
function wsOpen(
  p: string,
  headers: Record<string, string>,
): Promise<{ sock: net.Socket; status: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(Number(host.split(':')[1]), '127.0.0.1');
    let buf = Buffer.alloc(0);
    const lines = [`GET ${p} HTTP/1.1`, `Host: ${host}`, 'Connection: Upgrade', 'Upgrade: websocket'];
    lines.push('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    sock.on('error', reject);
    sock.on('data', function onData(d: Buffer) {
      buf = Buffer.concat([buf, d]);
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      sock.off('data', onData);
      resolve({ sock, status: buf.subarray(0, buf.indexOf('\r\n')).toString(), rest: buf.subarray(i + 4) });
    });
    sock.write(lines.join('\r\n') + '\r\n\r\n');
  });
}

test('a websocket from another origin, or without the token, is refused', async () => {
  const cookie = `berth_web=${web.token}`;
  const foreign = await wsOpen('/ws/exec/abc', { Origin: 'http://evil.example', Cookie: cookie });
  assert.match(foreign.status, / 403 /);
  foreign.sock.destroy();
  const anon = await wsOpen('/ws/exec/abc', { Origin: `http://${host}` });
  assert.match(anon.status, / 401 /);
  anon.sock.destroy();
});

test('the terminal websocket starts the exec and relays both ways', async () => {
  const { sock, status, rest } = await wsOpen('/ws/exec/abc123', {
    Origin: `http://${host}`,
    Cookie: `berth_web=${web.token}`,
  });
  assert.match(status, / 101 /);
  const dec = new FrameDecoder();
  let text = '';
  const got = (want: string) =>
    new Promise<void>((resolve) => {
      const check = (d: Buffer) => {
        for (const f of dec.push(d)) if (f.opcode === OP.binary) text += f.payload.toString();
        if (text.includes(want)) {
          sock.off('data', check);
          resolve();
        }
      };
      sock.on('data', check);
      if (rest.length) check(rest);
    });
  await got('$ ');
  const start = seen.find((s) => s.url === '/exec/abc123/start');
  assert.ok(start, 'exec start was called');
  sock.write(encodeFrame(OP.binary, Buffer.from('echo hi\n'), Buffer.from([1, 2, 3, 4])));
  await got('ECHO HI');
  sock.destroy();
});

test('the Engine API attach websocket is spliced through, without the browser credentials', async () => {
  const { sock, status, rest } = await wsOpen('/api/containers/abc/attach/ws?stream=1&stdin=1', {
    Origin: `http://${host}`,
    Cookie: `berth_web=${web.token}`,
  });
  // the fake API answers every upgrade itself: its 101 and prompt come back unchanged
  assert.match(status, / 101 UPGRADED/);
  const up = seen.find((s) => s.url === '/containers/abc/attach/ws?stream=1&stdin=1');
  assert.ok(up, 'the upgrade reached the Engine API path');
  assert.equal(up.headers.cookie, undefined);
  assert.equal(up.headers.origin, undefined);
  assert.equal(up.headers.upgrade, 'websocket');
  let text = rest.toString();
  sock.write('abc');
  await new Promise<void>((resolve) =>
    sock.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('ABC')) resolve();
    }),
  );
  sock.destroy();
});
