// berthd --web's edge without a browser (runs wherever berthd does): the token file, the real
// Engine API behind /api, and bad clients (wrong Host, foreign Origin, no Origin on an upgrade,
// garbage, a client leaving mid-stream) refused or dropped without hurting berthd.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { berthdMain, daemonPerFile, runCommand } from '../../harness/daemon.js';
import { webApi, webToken } from '../../harness/web.js';

const port = 20000 + (process.pid % 20000);
const h = daemonPerFile({ args: ['--web', `127.0.0.1:${port}`] });
const skip = h.skip ?? false;
const base = `http://127.0.0.1:${port}`;

/** Raw request bytes; resolves with what came back before the server closed or 2 s passed. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.createConnection(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    s.write(bytes);
    setTimeout(() => {
      s.destroy();
      resolve(got);
    }, 2000);
  });
}

/** Made by berthd at start (read after the harness's before() started it). */
const tokenOf = () => webToken(h.d);
const api = (path: string, init?: RequestInit) => webApi(h.d, base)(path, init);

test('the token is kept 0600 in the data root and printed in the log', { skip }, () => {
  const token = tokenOf();
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.equal(statSync(join(h.d.dataRoot, 'web-token')).mode & 0o777, 0o600);
  assert.ok(h.d.log().includes(`?token=${token}`));
});

test('/api is the real Engine API for the token holder only', { skip }, async () => {
  assert.equal((await fetch(`${base}/api/version`)).status, 401);
  const r = await api('/version');
  assert.equal(r.status, 200);
  const v = (await r.json()) as { ApiVersion: string };
  assert.match(v.ApiVersion, /^1\.\d+$/);
  const missing = await api('/containers/nope/json');
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { message: 'No such container: nope' });
});

test('bad clients are refused and berthd keeps serving', { skip }, async () => {
  const auth = `Authorization: Bearer ${tokenOf()}\r\n`;
  assert.match(await raw(`GET /api/_ping HTTP/1.1\r\nHost: evil.example:${port}\r\n${auth}\r\n`), /^HTTP\/1\.1 421/);
  const ws = `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`;
  const host = `Host: 127.0.0.1:${port}\r\n`;
  assert.match(await raw(`GET /ws/exec/abc HTTP/1.1\r\n${host}${auth}${ws}\r\n`), /^HTTP\/1\.1 403/);
  assert.match(
    await raw(`GET /ws/exec/abc HTTP/1.1\r\n${host}${auth}${ws}Origin: http://evil.example\r\n\r\n`),
    /^HTTP\/1\.1 403/,
  );
  // an exec that does not exist: the websocket opens, then closes with the Engine API's message
  const gone = await raw(`GET /ws/exec/abc HTTP/1.1\r\n${host}${auth}${ws}Origin: http://127.0.0.1:${port}\r\n\r\n`);
  assert.match(gone, /^HTTP\/1\.1 101/);
  assert.match(gone, /No such exec instance/);
  await raw('\x16\x03\x01garbage\r\n\r\n');
  // a follow stream left mid-way
  const ac = new AbortController();
  const ev = await api('/events', { signal: ac.signal });
  assert.equal(ev.status, 200);
  ac.abort();
  const ping = await api('/_ping');
  assert.equal(await ping.text(), 'OK');
  assert.doesNotMatch(h.d.log(), /a bug|uncaught/);
});

test('a bad --web address stops berthd before it serves', { skip }, async () => {
  const roots = mkdtempSync(join(tmpdir(), 'berth-web-bad-'));
  try {
    const args = ['--data-root', join(roots, 'data'), '--exec-root', join(roots, 'exec'), '--web', 'example.com:80'];
    const r = await runCommand('node', [berthdMain, ...args], { timeoutMs: 20_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /invalid --web address "example\.com:80"/);
  } finally {
    rmSync(roots, { recursive: true, force: true });
  }
});
