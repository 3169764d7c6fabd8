// Build contexts as the clients send them (issues 16/17): the docker CLI's `-f` outside the context
// (`.dockerfile.<hex>` plus a rewritten .dockerignore), docker-py's `dockerfile=` forms, a
// .dockerignore exception inside an excluded directory, tars whose parents have no entries,
// RUN output on stderr, and `cache_from` as Docker's classic builder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';
import { tarHeader as layerTarHeader } from '../../../src/build/builder/layer-tar.js';

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;
const dir = mkdtempSync(join(tmpdir(), 'berth-build-conf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function ctx(name: string, files: Record<string, string>): string {
  const c = join(dir, name);
  mkdirSync(c, { recursive: true });
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(join(c, p, '..'), { recursive: true });
    writeFileSync(join(c, p), v);
  }
  return c;
}

interface BuildLine {
  stream?: string;
  aux?: { ID: string };
  error?: string;
}

/** POST /build with a raw body: the status and the JSON lines. */
function postBuild(query: string, body: Buffer): Promise<{ status: number; lines: BuildLine[]; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: berthd.d.socket,
        method: 'POST',
        path: `/v1.41/build?${query}`,
        headers: { 'Content-Type': 'application/x-tar' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const lines = text
            .split(/\r?\n/)
            .filter(Boolean)
            .flatMap((l) => {
              try {
                return [JSON.parse(l) as BuildLine];
              } catch {
                return [];
              }
            });
          resolve({ status: res.statusCode ?? 0, lines, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const streamOf = (lines: BuildLine[]) => lines.map((l) => l.stream ?? '').join('');

test('docker build -f with the Dockerfile outside the context', { skip, timeout: 120_000 }, async () => {
  const d = berthd.d;
  const c = ctx('out/ctx', { 'file.txt': 'hello\n', '.dockerignore': 'nothing-here\n' });
  const df = ctx('out/elsewhere', { Dockerfile: 'FROM busybox\nCOPY . /src\n' });
  const b = await d.docker(['build', '-f', join(df, 'Dockerfile'), '-t', 'conf:out', c], {
    env: { DOCKER_BUILDKIT: '0' },
  });
  assert.equal(b.code, 0, b.stderr + b.stdout);
  // the CLI's .dockerfile.<hex> is ignored through the .dockerignore it rewrote; the rest is kept
  const ls = await d.docker(['run', '--rm', 'conf:out', 'ls', '-A', '/src']);
  assert.equal(ls.stdout, '.dockerignore\nfile.txt\n');
});

test('docker build -f ../Dockerfile . from a subdirectory', { skip, timeout: 120_000 }, async () => {
  const d = berthd.d;
  const top = ctx('sub', { Dockerfile: 'FROM busybox\nCOPY . /src\n', 'sub/inner.txt': 'inner\n' });
  const b = await d.docker(['build', '-f', '../Dockerfile', '-t', 'conf:sub', '.'], {
    cwd: join(top, 'sub'),
    env: { DOCKER_BUILDKIT: '0' },
  });
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.equal((await d.docker(['run', '--rm', 'conf:sub', 'ls', '-A', '/src'])).stdout, 'inner.txt\n');
});

test('.dockerignore: an exception inside an excluded directory is copied by a wildcard COPY', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = berthd.d;
  const c = ctx('ig', {
    '.dockerignore': 'ignored\n!ignored/keep\n',
    'ignored/keep': 'kept\n',
    'ignored/drop': 'dropped\n',
    Dockerfile: 'FROM busybox\nCOPY ignored* /ig/\n',
  });
  const b = await d.docker(['build', '-t', 'conf:ig', c], { env: { DOCKER_BUILDKIT: '0' } });
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.equal((await d.docker(['run', '--rm', 'conf:ig', 'ls', '-A', '/ig'])).stdout, 'keep\n');
});

test('docker-py dockerfile= forms: nested in the context, and outside as .dockerfile.<hex>', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = berthd.d;
  const c = ctx('dpy', {
    'file.txt': 'hello world',
    'hello/world/custom.dockerfile': 'FROM busybox\nCOPY . /src\nWORKDIR /src\n',
  });
  const nested = await postBuild(
    't=conf:nested&dockerfile=hello%2Fworld%2Fcustom.dockerfile',
    execFileSync('tar', ['-c', '-C', c, 'file.txt', 'hello']),
  );
  assert.equal(nested.status, 200, nested.text);
  assert.match(streamOf(nested.lines), /Successfully tagged conf:nested/);
  assert.equal((await d.docker(['run', '--rm', 'conf:nested', 'ls', '-A'])).stdout, 'file.txt\nhello\n');
  // what docker-py sends for a Dockerfile outside the context (utils/build.py tar())
  const out = ctx('dpy-out', {
    'file.txt': 'hello world',
    '.dockerignore': '.dockerignore\n.dockerfile.0a1b2c\n',
    '.dockerfile.0a1b2c': 'FROM busybox\nCOPY . /src\nWORKDIR /src\n',
  });
  const res = await postBuild(
    't=conf:dpyout&dockerfile=.dockerfile.0a1b2c',
    execFileSync('tar', ['-c', '-C', out, 'file.txt', '.dockerignore', '.dockerfile.0a1b2c']),
  );
  assert.equal(res.status, 200, res.text);
  assert.equal((await d.docker(['run', '--rm', 'conf:dpyout', 'ls', '-A'])).stdout, 'file.txt\n');
});

test('a tar with GNU long names, PAX headers and no entries for parent directories', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = berthd.d;
  const long = 'l'.repeat(120);
  const c = ctx('tarfmt', { [`a/b/${long}/f.txt`]: 'deep\n', Dockerfile: 'FROM busybox\nCOPY a /a/\n' });
  for (const format of ['gnu', 'pax']) {
    // only the files: the directories a, a/b, a/b/<long> have no entries of their own
    const tar = execFileSync('tar', [
      '-c',
      `--format=${format}`,
      '--no-recursion',
      '-C',
      c,
      'Dockerfile',
      `a/b/${long}/f.txt`,
    ]);
    const r = await postBuild(`t=conf:${format}`, tar);
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.lines.some((l) => l.error), r.text);
    assert.equal((await d.docker(['run', '--rm', `conf:${format}`, 'cat', `/a/b/${long}/f.txt`])).stdout, 'deep\n');
  }
});

test('RUN output on stderr reaches the stream in colour, as the classic builder sends it', {
  skip,
  timeout: 120_000,
}, async () => {
  const tar = Buffer.from('FROM busybox\nRUN sh -c ">&2 echo \'to stderr\'"\n');
  const r = await postBuild('nocache=1', tar);
  assert.equal(r.status, 200, r.text);
  assert.ok(
    r.lines.some((l) => l.stream === '\x1b[91mto stderr\n\x1b[0m'),
    r.text,
  );
});

test('cache_from: only the given images (and their parents) are cache sources', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = berthd.d;
  const df = Buffer.from('FROM busybox\nENV FOO=bar\nRUN touch baz\nRUN touch bax\n');
  assert.equal((await postBuild('t=conf:cf1', df)).status, 200);
  const hits = (r: { lines: BuildLine[] }) => (streamOf(r.lines).match(/Using cache/g) ?? []).length;
  const from = await postBuild(`t=conf:cf2&cachefrom=${encodeURIComponent(JSON.stringify(['conf:cf1']))}`, df);
  assert.equal(hits(from), 3, streamOf(from.lines));
  assert.equal((await d.docker(['rmi', 'conf:cf2'])).code, 0);
  const none = await postBuild(`t=conf:cf2&cachefrom=${encodeURIComponent(JSON.stringify(['nosuchtag']))}`, df);
  assert.equal(none.status, 200, none.text);
  assert.equal(hits(none), 0, streamOf(none.lines));
  assert.equal(hits(await postBuild('t=conf:cf3', df)), 3, 'without cache_from the local cache applies');
});

/** A tar header for a regular file of `size` bytes (the builder's own ustar writer). */
const tarHeader = (name: string, size: number): Buffer =>
  layerTarHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0 });

const peakRss = (pid: number) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

test('a 160 MiB build context streams through berthd without its peak RSS growing by the context', {
  skip,
  timeout: 180_000,
}, async () => {
  const d = berthd.d;
  const size = 160 << 20;
  const df = Buffer.from('FROM busybox\nCOPY big.bin /\n');
  const before = peakRss(d.pid);
  const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        socketPath: d.socket,
        method: 'POST',
        path: '/v1.41/build?t=conf:big',
        headers: { 'Content-Type': 'application/x-tar' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    const parts = function* () {
      yield Buffer.concat([
        tarHeader('Dockerfile', df.length),
        df,
        Buffer.alloc(512 - df.length),
        tarHeader('big.bin', size),
      ]);
      for (let done = 0; done < size; done += 1 << 20) yield Buffer.alloc(1 << 20, 0x62);
      yield Buffer.alloc(1024);
    };
    Readable.from(parts()).pipe(req);
  });
  assert.equal(body.status, 200, body.text);
  assert.match(body.text, /Successfully tagged conf:big/);
  const grew = peakRss(d.pid) - before;
  assert.ok(grew < size / 2, `berthd's peak RSS grew by ${(grew / 2 ** 20).toFixed(0)} MiB`);
  assert.equal((await d.docker(['run', '--rm', 'conf:big', 'wc', '-c', '/big.bin'])).stdout.trim(), `${size} /big.bin`);
  assert.equal((await d.docker(['rmi', 'conf:big'])).code, 0);
});

test('--memory, --shm-size and --ulimit apply to RUN steps as to docker run', { skip, timeout: 120_000 }, async () => {
  const d = berthd.d;
  const probe =
    'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; df -k /dev/shm | tail -1 | awk \'{print "shm " $2}\'; echo "nofile $(ulimit -n)"';
  const flags = ['--memory', '64m', '--shm-size', '32m', '--ulimit', 'nofile=1024:2048'];
  const run = await d.docker(['run', '--rm', ...flags, 'busybox', 'sh', '-c', probe]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /shm 32768\nnofile 1024\n$/);
  const c = ctx('res', { Dockerfile: `FROM busybox\nRUN ${probe}\n` });
  const b = await d.docker(['build', '--no-cache', ...flags, c], { env: { DOCKER_BUILDKIT: '0' } });
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.ok(b.stdout.includes(run.stdout), `the RUN saw:\n${b.stdout}\ndocker run saw:\n${run.stdout}`);
  const plain = await d.docker(['build', '--no-cache', c], { env: { DOCKER_BUILDKIT: '0' } });
  assert.doesNotMatch(plain.stdout, /shm 32768/, 'without the flags the defaults apply');
});

test('a stage whose base sets no PATH gets the default one; a PATH of the base is kept', {
  skip,
  timeout: 120_000,
}, async () => {
  const d = berthd.d;
  const env = async (ref: string) =>
    (await d.docker(['image', 'inspect', '-f', '{{json .Config.Env}}', ref])).stdout.trim();
  const scratch = await postBuild('t=conf:scratch', Buffer.from('FROM scratch\nLABEL a=b\n'));
  assert.equal(scratch.status, 200, scratch.text);
  assert.equal(await env('conf:scratch'), '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]');
  const own = await postBuild('t=conf:ownpath', Buffer.from('FROM busybox\nENV PATH=/opt/bin\n'));
  assert.equal(own.status, 200, own.text);
  const child = await postBuild('t=conf:ownpath2', Buffer.from('FROM conf:ownpath\nLABEL c=d\n'));
  assert.equal(child.status, 200, child.text);
  assert.equal(await env('conf:ownpath2'), '["PATH=/opt/bin"]');
});
