// ApiServer in-process: a real unix socket, fake routes; statuses, version gating, errors, streams, hijack, abort.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineError, conflict, invalid, notFound } from '../errdefs.js';
import type { Route } from './router.js';
import { ApiServer, MAX_API, MIN_API } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-api-'));
const sock = join(dir, 'api.sock');
let server: ApiServer;
let aborted: Promise<void>;
let markAborted: () => void;
const seen: { version?: string; path?: string; params?: Record<string, string>; execBody?: unknown } = {};

const routes: Route[] = [
  { method: 'GET', path: '/_ping', handler: (ctx) => ctx.reply.text(200, 'OK') },
  {
    method: 'GET',
    path: '/echo/{name}',
    handler: (ctx) => {
      seen.version = ctx.apiVersion;
      seen.path = ctx.path;
      seen.params = ctx.params;
      ctx.reply.json(200, { name: ctx.params.name, v: ctx.apiVersion });
    },
  },
  {
    method: 'GET',
    path: '/images/{name*}/json',
    handler: (ctx) => ctx.reply.json(200, { name: ctx.params.name }),
  },
  { method: 'POST', path: '/nothing', handler: () => {} },
  {
    method: 'POST',
    path: '/body',
    handler: async (ctx) => ctx.reply.json(201, { got: await ctx.json() }),
  },
  {
    method: 'GET',
    path: '/fail/{kind}',
    handler: (ctx) => {
      const k = ctx.params.kind!;
      if (k === 'plain') throw new Error('boom');
      throw new EngineError(k as EngineError['kind'], `failed with ${k}`);
    },
  },
  {
    method: 'POST',
    path: '/stream-fail',
    handler: (ctx) => {
      const out = ctx.reply.stream(200, 'application/json');
      out.write(JSON.stringify({ status: 'working' }) + '\n');
      throw notFound('pull access denied for nothing');
    },
  },
  {
    method: 'POST',
    path: '/hang',
    handler: async (ctx) => {
      ctx.reply.stream(200, 'application/json');
      await new Promise<void>((res) => ctx.signal.addEventListener('abort', () => res()));
      markAborted();
    },
  },
  {
    method: 'POST',
    path: '/exec/{id}/start',
    handler: async (ctx) => {
      seen.execBody = await ctx.json();
      const d = ctx.reply.hijack('application/vnd.docker.raw-stream');
      d.write('hello\n');
      d.on('data', (c: Buffer) => {
        const s = c.toString();
        d.write('echo:' + s);
        if (s.includes('bye')) d.end();
      });
      d.resume();
    },
  },
  {
    method: 'POST',
    path: '/containers/{id}/attach',
    handler: (ctx) => {
      if (ctx.params.id === 'missing') throw notFound('No such container: missing');
      const d = ctx.reply.hijack('application/vnd.docker.multiplexed-stream');
      d.end('attached\n');
    },
  },
];

before(async () => {
  aborted = new Promise((r) => (markAborted = r));
  server = new ApiServer({ routes, version: '9.9.9' });
  await server.listen(sock);
});
after(() => {
  server.http.close();
  server.http.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
function req(method: string, path: string, body?: string | object): Promise<Res> {
  return new Promise((res, rej) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const r = http.request(
      { socketPath: sock, method, path, headers: payload ? { 'Content-Type': 'application/json' } : {} },
      (m) => {
        let b = '';
        m.setEncoding('utf8');
        m.on('data', (c: string) => (b += c));
        m.on('end', () => res({ status: m.statusCode ?? 0, headers: m.headers, body: b }));
      },
    );
    r.on('error', rej);
    r.end(payload);
  });
}

/** A raw HTTP/1.1 upgrade request; resolves with the socket once the response head arrived. */
function upgrade(path: string, body = ''): Promise<{ head: string; rest: Buffer; s: net.Socket }> {
  return new Promise((res, rej) => {
    const s = net.connect(sock);
    let buf = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      s.off('data', onData);
      res({ head: buf.subarray(0, i).toString(), rest: buf.subarray(i + 4), s });
    };
    s.on('data', onData);
    s.on('error', rej);
    s.write(
      `POST ${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

function readUntil(s: net.Socket, initial: Buffer, want: string): Promise<string> {
  return new Promise((res, rej) => {
    let got = initial.toString();
    if (got.includes(want)) return res(got);
    const t = setTimeout(
      () => rej(new Error(`timed out waiting for ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)),
      3000,
    );
    s.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.includes(want)) {
        clearTimeout(t);
        res(got);
      }
    });
  });
}

test('/_ping answers GET with OK and HEAD with headers only', async () => {
  const g = await req('GET', '/_ping');
  assert.equal(g.status, 200);
  assert.equal(g.body, 'OK');
  assert.equal(g.headers['api-version'], MAX_API);
  assert.equal(g.headers.ostype, 'linux');
  assert.equal(g.headers.server, 'berth/9.9.9 (linux)');
  const h = await req('HEAD', '/_ping');
  assert.equal(h.status, 200);
  assert.equal(h.body, '');
  assert.equal(h.headers['content-length'], '2');
  const v = await req('GET', '/v1.41/_ping');
  assert.equal(v.body, 'OK');
});

test('/v1.NN prefix is stripped and the version reaches the handler', async () => {
  const r = await req('GET', '/v1.30/echo/abc');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { name: 'abc', v: '1.30' });
  assert.equal(seen.path, '/echo/abc');
  const plain = await req('GET', '/echo/x%2Fy');
  assert.deepEqual(JSON.parse(plain.body), { name: 'x/y', v: MAX_API }, 'no prefix: newest version; params decoded');
  const img = await req('GET', '/v1.47/images/localhost:5000/a/b:1/json');
  assert.deepEqual(JSON.parse(img.body), { name: 'localhost:5000/a/b:1' }, '{name*} spans slashes');
});

test('versions outside 1.24–1.47 get 400 with Docker texts; the bounds are accepted', async () => {
  for (const v of [MIN_API, MAX_API, '1.24', '1.47']) assert.equal((await req('GET', `/v${v}/_ping`)).status, 200, v);
  const old = await req('GET', '/v1.23/_ping');
  assert.equal(old.status, 400);
  assert.deepEqual(JSON.parse(old.body), {
    message:
      'client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
  });
  const neu = await req('GET', '/v1.48/echo/a');
  assert.equal(neu.status, 400);
  assert.deepEqual(JSON.parse(neu.body), {
    message: 'client version 1.48 is too new. Maximum supported API version is 1.47',
  });
  assert.equal((await req('GET', '/v2.0/_ping')).status, 400);
  assert.equal((await req('GET', '/v1.100/_ping')).status, 400, 'compared numerically, not as strings');
});

test('unknown paths and methods are 404 page not found', async () => {
  for (const [m, p] of [
    ['GET', '/nope'],
    ['GET', '/v1.41/nope'],
    ['DELETE', '/_ping'],
    ['GET', '/nothing'],
  ] as const) {
    const r = await req(m, p);
    assert.equal(r.status, 404, `${m} ${p}`);
    assert.match(r.headers['content-type'] ?? '', /application\/json/);
    assert.deepEqual(JSON.parse(r.body), { message: 'page not found' });
  }
});

test('a handler that writes nothing answers 204', async () => {
  const r = await req('POST', '/nothing');
  assert.equal(r.status, 204);
  assert.equal(r.body, '');
});

test('JSON bodies are parsed; malformed JSON is 400', async () => {
  const ok = await req('POST', '/body', { a: 1 });
  assert.equal(ok.status, 201);
  assert.deepEqual(JSON.parse(ok.body), { got: { a: 1 } });
  const empty = await req('POST', '/body');
  assert.deepEqual(JSON.parse(empty.body), {}, 'empty body → undefined (dropped by JSON.stringify)');
  const bad = await req('POST', '/body', '{nope');
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.body).message, /^invalid JSON: /);
});

test('EngineError kinds map to statuses with {"message"} bodies; other errors are 500', async () => {
  const want: Record<string, number> = {
    invalid: 400,
    'not-found': 404,
    conflict: 409,
    unauthorized: 401,
    forbidden: 403,
    unavailable: 503,
    'not-implemented': 501,
    internal: 500,
  };
  for (const [kind, status] of Object.entries(want)) {
    const r = await req('GET', `/fail/${kind}`);
    assert.equal(r.status, status, kind);
    assert.deepEqual(JSON.parse(r.body), { message: `failed with ${kind}` });
  }
  const nm = await req('GET', '/fail/not-modified');
  assert.equal(nm.status, 304);
  assert.equal(nm.body, '');
  const plain = await req('GET', '/fail/plain');
  assert.equal(plain.status, 500);
  assert.deepEqual(JSON.parse(plain.body), { message: 'boom' });
});

test('an error after the headers were sent goes in-band as an errorDetail line', async () => {
  const r = await req('POST', '/stream-fail');
  assert.equal(r.status, 200);
  const lines = r.body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { status: 'working' },
    { errorDetail: { message: 'pull access denied for nothing' }, error: 'pull access denied for nothing' },
  ]);
});

test('hijack: 101 UPGRADED, the exec-start body is read, then a raw duplex both ways', async () => {
  const { head, rest, s } = await upgrade('/v1.41/exec/e1/start', JSON.stringify({ Detach: false, Tty: true }));
  try {
    assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.match(head, /\r\nContent-Type: application\/vnd\.docker\.raw-stream/);
    assert.match(head, /\r\nConnection: Upgrade/);
    assert.match(head, /\r\nUpgrade: tcp/);
    assert.deepEqual(seen.execBody, { Detach: false, Tty: true });
    await readUntil(s, rest, 'hello\n');
    s.write('ping\n');
    await readUntil(s, Buffer.alloc(0), 'echo:ping\n');
    const ended = new Promise<void>((r) => s.once('end', r));
    s.write('bye\n');
    await ended;
  } finally {
    s.destroy();
  }
});

test('an error before hijacking an upgraded request is a plain JSON response', async () => {
  const { head, rest, s } = await upgrade('/containers/missing/attach?stream=1');
  try {
    assert.match(head, /^HTTP\/1\.1 404 Not Found\r\n/);
    const body = await readUntil(s, rest, '}\n');
    assert.deepEqual(JSON.parse(body), { message: 'No such container: missing' });
  } finally {
    s.destroy();
  }
  const ok = await upgrade('/containers/c1/attach?stream=1');
  assert.match(ok.head, /^HTTP\/1\.1 101 UPGRADED/);
  assert.equal(await readUntil(ok.s, ok.rest, 'attached\n'), 'attached\n');
  ok.s.destroy();
});

test('hijack without an Upgrade header answers 200 with the stream type', async () => {
  const r = await req('POST', '/containers/c2/attach');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  assert.equal(r.body, 'attached\n');
});

test('a client disconnect aborts ctx.signal', async () => {
  const r = http.request({ socketPath: sock, method: 'POST', path: '/hang' });
  r.on('error', () => {});
  r.on('response', () => r.destroy());
  r.end();
  await Promise.race([
    aborted,
    new Promise((_, rej) => setTimeout(() => rej(new Error('ctx.signal was not aborted')), 3000)),
  ]);
});

test('errdefs helpers carry their kinds', () => {
  assert.equal(invalid('x').kind, 'invalid');
  assert.equal(conflict('x').kind, 'conflict');
  assert.equal(notFound('x').kind, 'not-found');
});
