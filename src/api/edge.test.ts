// The edge over a real unix socket: body, header and depth bounds, Content-Type, typed bodies and
// path escapes are answered 4xx before any handler runs, and the server keeps serving afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Route } from './router.js';
import { ApiServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-edge-'));
const sock = join(dir, 'api.sock');
let server: ApiServer;
const handled: Array<{ path: string; body: unknown }> = [];

const echo = (path: string): Route => ({
  method: 'POST',
  path,
  handler: async (ctx) => {
    const body = await ctx.json();
    handled.push({ path, body });
    ctx.reply.json(200, { body: body ?? null });
  },
});
const routes: Route[] = [
  { method: 'GET', path: '/_ping', handler: (ctx) => ctx.reply.text(200, 'OK') },
  { method: 'GET', path: '/containers/{id}/json', handler: (ctx) => ctx.reply.json(200, { id: ctx.params.id }) },
  echo('/containers/create'),
  echo('/containers/{id}/update'),
  echo('/exec/{id}/start'),
  echo('/volumes/create'),
  echo('/commit'),
  echo('/auth'),
];

before(async () => {
  server = new ApiServer({ routes, version: 'test' });
  await server.listen(sock);
});
after(async () => {
  server.http.closeAllConnections();
  await new Promise<void>((r) => server.http.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

interface Raw {
  status: number;
  head: string;
  body: string;
}
/** Sends raw bytes, reads until the server closes or answers a complete response. */
function raw(head: string, body: Buffer | string = '', o: { keepWriting?: number } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    const chunks: Buffer[] = [];
    c.on('data', (d) => chunks.push(d));
    c.on('error', (e: NodeJS.ErrnoException) => {
      // the server may close while we still write an oversized body: the answer already arrived
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') return;
      reject(e);
    });
    c.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const i = text.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0),
        head: text.slice(0, i),
        body: text.slice(i + 4),
      });
    });
    c.write(head);
    c.write(body);
    let left = o.keepWriting ?? 0;
    const more = () => {
      while (left > 0 && !c.destroyed) {
        left--;
        if (!c.write(Buffer.alloc(64 * 1024, 0x20))) return void c.once('drain', more);
      }
    };
    more();
  });
}
const req = (
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
) =>
  raw(
    `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
      Object.entries({ ...headers, 'Content-Length': String(Buffer.byteLength(body)) })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n',
    body,
  );
const message = (r: Raw) => (JSON.parse(r.body) as { message: string }).message;

async function stillServing(): Promise<void> {
  const p = await req('GET', '/_ping', '', {});
  assert.equal(p.status, 200);
}

/** Sends a head declaring a huge body and keeps writing it: the answer must be Go's 413. */
async function tooLarge(head: string, body: string): Promise<Awaited<ReturnType<typeof raw>>> {
  const r = await raw(head, body, { keepWriting: 16 });
  assert.equal(r.status, 413);
  assert.equal(message(r), 'http: request body too large');
  return r;
}

test('a 100 MB create body is refused with 413 from its Content-Length, without being read', async () => {
  handled.length = 0;
  const r = await tooLarge(
    'POST /v1.47/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n',
    '{"Image":"',
  );
  assert.match(r.head, /Connection: close/i);
  assert.equal(handled.length, 0);
  await stillServing();
});

test('a chunked body over the limit is cut off with 413', async () => {
  const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
  const chunk = Buffer.concat([Buffer.from(big.length.toString(16) + '\r\n'), big, Buffer.from('\r\n0\r\n\r\n')]);
  const r2 = await raw(
    'POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    chunk,
  );
  assert.equal(r2.status, 413);
  await stillServing();
});

test('JSON nested 100,000 deep is a 400', async () => {
  const r = await req('POST', '/containers/create', '['.repeat(100_000) + ']'.repeat(100_000));
  assert.equal(r.status, 400);
  assert.match(message(r), /^invalid JSON: exceeded max depth/);
  await stillServing();
});

test("text/plain bodies on JSON endpoints are refused with moby's text", async () => {
  for (const p of [
    '/containers/abc/update',
    '/exec/abc/start',
    '/volumes/create',
    '/commit?container=abc',
    '/containers/create',
  ]) {
    const r = await req('POST', p, '{}', { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 400, p);
    assert.equal(message(r), "unsupported Content-Type header (text/plain): must be 'application/json'", p);
  }
  const empty = await req('POST', '/containers/abc/update', '', {});
  assert.equal(empty.status, 200, 'no body, no Content-Type: fine');
});

test('wrong-typed bodies are 400 before the handler runs; lenient where Go is', async () => {
  handled.length = 0;
  const bad: Array<[string, string]> = [
    ['/containers/abc/update', '{"Memory":"lots"}'],
    ['/exec/abc/start', '{"Detach":"yes"}'],
    ['/volumes/create', '{"Name":["a"]}'],
    ['/commit?container=abc', '{"Env":"A=1"}'],
    ['/auth', '"user"'],
    ['/auth', '[1]'],
    ['/containers/create', '{"Image":"x","Cmd":[1,2]}'],
    ['/containers/create', '{"Image":"x","HostConfig":{"Memory":1e308}}'],
  ];
  for (const [p, b] of bad) {
    const r = await req('POST', p, b);
    assert.equal(r.status, 400, `${p} ${b}: ${r.body}`);
    assert.match(message(r), /^json: cannot unmarshal /, p);
  }
  assert.equal(handled.length, 0);
  const ok = await req(
    'POST',
    '/containers/create',
    '{"Image":"x","Env":[null],"HostConfig":{"Ulimits":[null]},"Extra":true}',
  );
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body).body, { Image: 'x', Env: [''], HostConfig: { Ulimits: [{}] }, Extra: true });
});

test('a malformed percent-escape in the path is 400 (not a URIError 500)', async () => {
  const r = await req('GET', '/containers/%ZZ/json', '', {});
  assert.equal(r.status, 400);
  assert.equal(message(r), 'invalid URL escape "%ZZ"');
  const t = await req('GET', '/containers/abc%/json', '', {});
  assert.equal(t.status, 400);
  const ok = await req('GET', '/containers/a%20b/json', '', {});
  assert.deepEqual(JSON.parse(ok.body), { id: 'a b' });
  const latin = await req('GET', '/containers/%FF/json', '', {});
  assert.equal(latin.status, 200, 'well-formed escapes that are not UTF-8 still decode');
  await stillServing();
});

test('headers over the cap get 431, malformed requests 400, and the server keeps serving', async () => {
  const r = await raw(`GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2 * 1024 * 1024)}\r\n\r\n`);
  assert.equal(r.status, 431);
  assert.equal(message(r), 'request header fields too large');
  const ok = await raw(
    `GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Auth: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
  );
  assert.equal(ok.status, 200, 'a 64 KiB header (large X-Registry-Auth) is still fine, as with Go');
  const junk = await raw('THIS IS NOT HTTP\r\n\r\n');
  assert.equal(junk.status, 400);
  await stillServing();
});

test('an upgrade request (exec start) declaring a huge body is 413 and nothing is buffered', async () => {
  await tooLarge(
    'POST /exec/abc/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n',
    '{"Detach":',
  );
  const typed = await raw(
    'POST /exec/abc/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n',
    '{"Detach":"yes"}',
  );
  assert.equal(typed.status, 400);
  await stillServing();
});

test('request targets new URL() cannot parse are answered (404), not left hanging; the query is kept', async () => {
  for (const target of ['//', '/\\', '//x/containers/abc/json']) {
    const r = await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 404, target);
  }
  const q = await raw('GET /v1.47/containers/a%2Fb/json?x=1#frag HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.deepEqual(JSON.parse(q.body), { id: 'a/b' });
  const abs = await raw('GET http://berth/containers/abc/json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.deepEqual(JSON.parse(abs.body), { id: 'abc' });
  await stillServing();
});
