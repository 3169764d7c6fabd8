// `berth build` against a fake daemon: what the context tar holds, the query it sends (a -f outside
// the context travels inside it under a hidden name), and how the answer's stream is shown.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import tarStream from 'tar-stream';
import { mainCaptured } from '../main-capture.js';

let dir = '';
let sock = '';
let server: http.Server;
/** The last /build request: its query and the context's files (name → content). */
let last: { query: URLSearchParams; files: Map<string, string> } | undefined;
/** What the fake daemon answers, one JSON message per line. */
let answer: object[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-build-'));
  sock = join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    const query = new URL(req.url!, 'http://x').searchParams;
    const files = new Map<string, string>();
    const extract = tarStream.extract();
    extract.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        if (h.type === 'file') files.set(h.name.replace(/^\.\//, ''), Buffer.concat(chunks).toString());
        next();
      });
    });
    extract.on('finish', () => {
      last = { query, files };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(answer.map((m) => `${JSON.stringify(m)}\n`).join(''));
    });
    req.pipe(extract);
  });
  await new Promise<void>((r) => server.listen(sock, r));
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const berth = (...argv: string[]) => mainCaptured(sock, argv);

/** A fresh context directory with a Dockerfile and one more file. */
function context(name: string): string {
  const ctx = join(dir, name);
  mkdirSync(join(ctx, 'sub'), { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\n');
  writeFileSync(join(ctx, 'sub', 'Dockerfile.dev'), 'FROM busybox\nRUN true\n');
  return ctx;
}

test('a -f outside the context is sent inside it under a hidden name, removed afterwards', async () => {
  const ctx = context('outside');
  const elsewhere = join(dir, 'Elsewhere.Dockerfile');
  writeFileSync(elsewhere, 'FROM busybox\nLABEL from=elsewhere\n');
  answer = [
    { stream: 'Step 1/2 : FROM busybox\n' },
    { aux: { ID: 'sha256:abc' } },
    { stream: 'Successfully built abc\n' },
  ];
  process.env.BERTH_BUILD_TEST_ARG = 'from-env';
  const iid = join(dir, 'iid');
  const r = await berth(
    'build',
    '-f',
    elsewhere,
    '-t',
    'a:1',
    '-t',
    'b',
    '--build-arg',
    'A=1',
    '--build-arg',
    'BERTH_BUILD_TEST_ARG',
    '--build-arg',
    'UNSET_BERTH_ARG',
    '--label',
    'l=v',
    '--label',
    'bare',
    '--iidfile',
    iid,
    ctx,
  );
  assert.equal(r.code, 0, r.err);
  const q = last!.query;
  const hidden = q.get('dockerfile')!;
  assert.match(hidden, /^\.dockerfile\.[0-9a-f]{20}$/);
  assert.equal(last!.files.get(hidden), 'FROM busybox\nLABEL from=elsewhere\n');
  assert.equal(last!.files.get('Dockerfile'), 'FROM busybox\n');
  assert.deepEqual(q.getAll('t'), ['a:1', 'b']);
  assert.deepEqual(JSON.parse(q.get('buildargs')!), { A: '1', BERTH_BUILD_TEST_ARG: 'from-env' });
  assert.deepEqual(JSON.parse(q.get('labels')!), { l: 'v', bare: '' });
  assert.equal(q.get('rm'), '1');
  assert.match(
    r.out,
    /^Sending build context to Docker daemon {2}\d+(\.\d+)?k?B\nStep 1\/2 : FROM busybox\nSuccessfully built abc\n$/,
  );
  assert.equal(readFileSync(iid, 'utf8'), 'sha256:abc');
  assert.deepEqual(readdirSync(ctx).sort(), ['Dockerfile', 'sub'], 'the hidden copy is gone');
});

test('a -f inside the context is sent relative to it; -q prints nothing but the stream', async () => {
  const ctx = context('inside');
  answer = [{ stream: 'sha256:def\n' }];
  const r = await berth('build', '-q', '--rm=false', '-f', join(ctx, 'sub', 'Dockerfile.dev'), ctx);
  assert.equal(r.code, 0, r.err);
  assert.equal(last!.query.get('dockerfile'), 'sub/Dockerfile.dev');
  assert.equal(last!.query.get('q'), '1'); // the client's booleans travel as 1
  assert.equal(last!.query.get('rm'), '0');
  assert.equal(r.out, 'sha256:def\n');
});

test("the daemon's error ends the build with its code; a missing context is the client's error", async () => {
  const ctx = context('failing');
  answer = [
    { stream: 'Step 1/1 : RUN false\n' },
    { errorDetail: { code: 3, message: 'returned a non-zero code: 3' }, error: 'x' },
  ];
  const r = await berth('build', ctx);
  assert.equal(r.code, 3);
  assert.equal(r.err, 'returned a non-zero code: 3\n');
  const missing = await berth('build', join(dir, 'nope'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /unable to prepare context: path ".*nope" not found/);
  assert.ok(!existsSync(join(dir, 'nope')));
});
