import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mainCaptured } from './main-capture.js';
import { frame } from '../client/stdcopy.js';

let dir: string;
let sock: string;
let server: http.Server;
const calls: string[] = [];

function reply(res: http.ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  sock = join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const path = u.pathname.replace(/^\/v1\.47/, '');
    calls.push(`${req.method} ${path}${u.search}`);
    req.resume();
    req.on('end', () => {
      if (path === '/containers/json')
        return reply(res, 200, [
          {
            Id: 'a'.repeat(64),
            Names: ['/web'],
            Image: 'busybox',
            ImageID: 'sha256:1',
            Command: 'sleep 300',
            // 5.5 s before the reply (not a whole second, so the CLI's clock cannot round it to 6)
            Created: Date.now() / 1000 - 5.5,
            Ports: [],
            Labels: {},
            State: 'running',
            Status: 'Up 5 seconds',
          },
        ]);
      if (path === '/containers/create') return reply(res, 201, { Id: 'c1', Warnings: [] });
      if (path === '/containers/c1/wait') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        setTimeout(() => res.end(JSON.stringify({ StatusCode: 7 })), 50);
        return;
      }
      if (path === '/containers/c1/start') return reply(res, 204);
      if (path === '/containers/web/json' || path === '/containers/c1/json')
        return reply(res, 200, {
          Id: 'c1',
          Name: '/web',
          State: { Status: 'running', Running: true },
          Config: { Tty: false, Labels: { a: 'b' } },
        });
      if (path === '/containers/c1/logs') {
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
        res.end(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));
        return;
      }
      if (path === '/containers/bad/start')
        return reply(res, 400, {
          message: 'failed to create task: exec: "nosuch": executable file not found in $PATH',
        });
      if (path.startsWith('/containers/missing')) return reply(res, 404, { message: 'No such container: missing' });
      if (path.startsWith('/images/missing')) return reply(res, 404, { message: 'No such image: missing' });
      reply(res, 404, { message: `page not found` });
    });
  });
  server.on('upgrade', (req, socket) => {
    const u = new URL(req.url!, 'http://x');
    calls.push(`UPGRADE ${u.pathname.replace(/^\/v1\.47/, '')}${u.search}`);
    socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    setTimeout(() => socket.end(Buffer.concat([frame(1, 'hello\n'), frame(2, 'warn\n')])), 80);
  });
  await new Promise<void>((r) => server.listen(sock, r));
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const berth = (...argv: string[]) => mainCaptured(sock, argv);

test('ps prints docker table', async () => {
  const r = await berth('ps');
  assert.equal(r.code, 0);
  const lines = r.out.split('\n');
  assert.equal(lines[0], 'CONTAINER ID   IMAGE     COMMAND       CREATED         STATUS         PORTS     NAMES');
  assert.equal(lines[1], 'aaaaaaaaaaaa   busybox   "sleep 300"   5 seconds ago   Up 5 seconds             web');
  assert.equal((await berth('container', 'ls', '-q', '--no-trunc')).out, 'a'.repeat(64) + '\n');
});

test('run: attach, then wait registered, then start; exit code from wait', async () => {
  calls.length = 0;
  const r = await berth('run', '--name', 'x', 'busybox', 'sh', '-c', 'exit 7');
  assert.equal(r.code, 7);
  assert.equal(r.out, 'hello\n');
  assert.equal(r.err, 'warn\n');
  const order = calls.map((c) => c.split('?')[0]);
  assert.deepEqual(order, [
    'POST /containers/create',
    'UPGRADE /containers/c1/attach',
    'POST /containers/c1/wait',
    'POST /containers/c1/start',
  ]);
  assert.match(calls[2], /condition=next-exit/);
});

test('run -d prints the id', async () => {
  const r = await berth('run', '-d', 'busybox');
  assert.equal(r.out, 'c1\n');
  assert.equal(r.code, 0);
});

test('logs demuxes', async () => {
  const r = await berth('logs', 'web');
  assert.equal(r.out, 'out\n');
  assert.equal(r.err, 'err\n');
});

test('inspect -f and errors', async () => {
  assert.equal((await berth('inspect', '-f', '{{.Name}} {{.Config.Labels}}', 'web')).out, '/web map[a:b]\n');
  const r = await berth('inspect', 'missing');
  assert.equal(r.code, 1);
  assert.equal(r.err, 'Error: No such object: missing\n');
  assert.equal(r.out, '[]\n');
  const rm = await berth('rm', 'missing');
  assert.equal(rm.err, 'Error response from daemon: No such container: missing\n');
  assert.equal(rm.code, 1);
});

test('start failure maps to 127 for a missing executable', async () => {
  const r = await berth('start', 'bad');
  assert.equal(r.code, 1);
  assert.match(r.err, /executable file not found/);
  const { startErrorCode } = await import('./commands/run.js');
  assert.equal(startErrorCode('exec: "x": executable file not found in $PATH'), 127);
  assert.equal(startErrorCode('exec /etc: permission denied'), 126);
  assert.equal(startErrorCode('other'), 125);
});

test('usage errors', async () => {
  assert.equal((await berth('ps', '--bogus')).code, 125);
  assert.equal((await berth('rename', 'a')).code, 1);
  assert.equal(
    (await berth('frobnicate')).err,
    "berth: unknown command: berth frobnicate\n\nRun 'berth --help' for more information\n",
  );
  const rn = await berth('rename', 'a');
  assert.match(
    rn.err,
    /^berth: 'berth rename' requires 2 arguments\n\nUsage: {2}berth rename CONTAINER NEW_NAME\n\nRun /,
  );
});

test('inspect --type names docker types; an unknown one is refused before any request', async () => {
  const before = calls.length;
  const r = await berth('inspect', '--type', 'bogus', 'x');
  assert.equal(r.code, 1);
  assert.match(r.err, /^unknown type: "bogus": must be one of "config", "container", "image", "network",/);
  assert.equal(calls.length, before);
});

test("a group's alias is named by the command's own name, a top-level shorthand by itself (cobra)", async () => {
  const ls = await berth('volume', 'list', 'x');
  assert.equal(ls.code, 1);
  assert.equal(
    ls.err,
    "berth: 'berth volume ls' accepts no arguments\n\nUsage:  berth volume ls [OPTIONS]\n\nRun 'berth volume ls --help' for more information\n",
  );
  assert.match(
    (await berth('container', 'remove', '--help')).out,
    /^\nUsage: {2}berth container rm \[OPTIONS\] CONTAINER/,
  );
  assert.match((await berth('system', 'info', '--help')).out, /^\nUsage: {2}berth system info \[OPTIONS\]\n/);
  assert.match((await berth('images', '--help')).out, /^\nUsage: {2}berth images \[OPTIONS\] \[REPOSITORY\[:TAG\]\]\n/);
});

test('version, info and image inspect document -f/--format as the other inspects do (docker text)', async () => {
  for (const argv of [['version'], ['info'], ['image', 'inspect']])
    assert.match(
      (await berth(...argv, '--help')).out,
      /\n {2}-f, --format string {3}Format output using a custom template\n/,
    );
});
