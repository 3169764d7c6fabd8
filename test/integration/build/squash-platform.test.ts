// Issue 16: a berthd started with --experimental says so in /info and /version, squashes builds
// (`squash=1`: the layers above the FROM image merged into one, deletions kept as whiteouts,
// history kept with those entries as empty layers), and answers moby's errors to a bad or foreign
// `platform=` on /build, /images/create and /containers/create. Raw HTTP: the docker CLI hides
// --squash, and dockerode would hide the statuses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

// The only skip: where no berthd can run at all (not root, not built, outside run-isolated.sh);
// daemonUnavailable() gives the reason node:test prints. A berthd that fails to start fails before().
const skip: string | false = daemonUnavailable() ?? false;
let started: Daemon | undefined;
const daemon = (): Daemon => {
  if (!started) throw new Error('berthd is not running (see before())');
  return started;
};
const dir = mkdtempSync(join(tmpdir(), 'berth-squash-'));

before(async () => {
  if (skip) return;
  started = await startDaemon({ args: ['--experimental'] });
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (started) assert.deepEqual((await started.stop()).leaks, []);
});

function call(method: string, path: string, body?: Buffer | string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Type': Buffer.isBuffer(body) ? 'application/x-tar' : 'application/json' };
    const req = http.request({ socketPath: daemon().socket, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (b: Buffer) => JSON.parse(b.toString()) as Record<string, unknown>;

/** A context tar holding just this Dockerfile. */
function context(name: string, dockerfile: string): Buffer {
  const c = join(dir, name);
  mkdirSync(c, { recursive: true });
  writeFileSync(join(c, 'Dockerfile'), dockerfile);
  return execFileSync('tar', ['-c', '-C', c, '.']);
}

interface Inspect {
  Id: string;
  RootFS: { Layers: string[] };
}

async function build(query: string, df: string): Promise<string> {
  const r = await call('POST', `/v1.44/build?${query}`, context(query.replace(/\W/g, '_'), df));
  const text = r.body.toString();
  assert.equal(r.status, 200, text);
  assert.doesNotMatch(text, /errorDetail/, text);
  return text;
}

test('/info and /version report experimental', { skip }, async () => {
  assert.equal(json((await call('GET', '/v1.44/info')).body).ExperimentalBuild, true);
  const v = json((await call('GET', '/v1.44/version')).body) as {
    Experimental?: boolean;
    Components: Array<{ Details: { Experimental: string } }>;
  };
  assert.equal(v.Experimental, true);
  assert.equal(v.Components[0]!.Details.Experimental, 'true');
});

test('squash: one layer above the base, holding adds and deletions; history kept', { skip }, async () => {
  const df = [
    'FROM busybox',
    'RUN echo one > /f1 && mkdir -p /d/sub && echo x > /d/sub/x && echo gone > /tmp/gone',
    'RUN echo two > /f2 && rm /bin/ls && rm /tmp/gone',
    'RUN rm -r /d/sub && echo three > /f3',
  ].join('\n');
  const base = json((await call('GET', '/v1.44/images/busybox/json')).body) as unknown as Inspect & {
    History?: unknown;
  };
  await build('t=nosq', df);
  const out = await build('t=sq&squash=1', df);
  const plain = json((await call('GET', '/v1.44/images/nosq/json')).body) as unknown as Inspect;
  const sq = json((await call('GET', '/v1.44/images/sq/json')).body) as unknown as Inspect;
  const n = base.RootFS.Layers.length;
  assert.equal(plain.RootFS.Layers.length, n + 3);
  assert.equal(sq.RootFS.Layers.length, n + 1);
  assert.deepEqual(sq.RootFS.Layers.slice(0, n), base.RootFS.Layers);
  assert.notEqual(sq.Id, plain.Id);
  assert.match(out, new RegExp(`Successfully built ${sq.Id.slice(7, 19)}`));

  // history: the base's entries, the build's three as empty layers, then the merge
  type H = { Id: string; CreatedBy: string; Comment: string; Size: number };
  const history = async (ref: string) =>
    JSON.parse((await call('GET', `/v1.44/images/${ref}/history`)).body.toString()) as H[];
  const hist = await history('sq');
  const baseHist = await history('busybox');
  assert.equal(hist.length, baseHist.length + 4);
  assert.equal(
    hist[0]!.Comment,
    `merge ${plain.Id} to ${json((await call('GET', '/v1.44/images/busybox/json')).body).Id}`,
  );
  for (const h of hist.slice(1, 4)) assert.equal(h.Size, 0, `${h.CreatedBy} is an empty layer now`);

  // the squashed layer's own content: the net changes, deletions of base files as whiteouts
  const save = join(dir, 'save');
  mkdirSync(save, { recursive: true });
  writeFileSync(join(dir, 'sq.tar'), (await call('GET', '/v1.44/images/sq/get')).body);
  execFileSync('tar', ['-x', '-C', save, '-f', join(dir, 'sq.tar')]);
  const manifest = JSON.parse(readFileSync(join(save, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>;
  const last = manifest[0]!.Layers.at(-1)!;
  const names = execFileSync('tar', ['-t', '-f', join(save, last)])
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((s) => s.replace(/^\.\//, '').replace(/\/$/, ''));
  for (const want of ['f1', 'f2', 'f3', 'bin/.wh.ls', 'd'])
    assert.ok(names.includes(want), `${want} in the squashed layer: ${names.join(' ')}`);
  for (const never of ['d/sub', 'd/sub/x', 'tmp/gone', 'tmp/.wh.gone'])
    assert.ok(!names.includes(never), `${never} is not in it (made and removed by the build)`);

  // and a container of it sees the merged result
  const r = await daemon().docker([
    'run',
    '--rm',
    'sq',
    'sh',
    '-c',
    'cat /f1 /f2 /f3; ls /d; test -e /bin/ls || echo nols',
  ]);
  assert.equal(r.stdout, 'one\ntwo\nthree\nnols\n', r.stderr);
});

test('invalid platform: 400 with containerd text on build, pull and create', { skip }, async () => {
  const want = '"foobar": unknown operating system or architecture: invalid argument';
  const b = await call('POST', '/v1.44/build?platform=foobar', context('p', 'FROM busybox\n'));
  const p = await call('POST', '/v1.44/images/create?fromImage=busybox&tag=latest&platform=foobar');
  const c = await call('POST', '/v1.44/containers/create?platform=foobar', JSON.stringify({ Image: 'busybox' }));
  for (const r of [b, p, c]) {
    assert.equal(r.status, 400, r.body.toString());
    assert.equal(json(r.body).message, want);
  }
  // before 1.41 create ignores platform=, as moby does
  const old = await call('POST', '/v1.40/containers/create?platform=foobar', JSON.stringify({ Image: 'busybox' }));
  assert.equal(old.status, 201, old.body.toString());
  await call('DELETE', `/v1.44/containers/${json(old.body).Id}?force=1`);
});

test('build for another platform than the local base image is moby not-found', { skip }, async () => {
  const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  const r = await call('POST', `/v1.44/build?platform=${other}`, context('o', 'FROM busybox\nRUN true\n'));
  const text = r.body.toString();
  assert.match(
    text,
    /image with reference busybox was found but its platform \(linux\/\w+\) does not match the specified platform/,
  );
});

test('create for another platform than the local image is moby not-found; its own platform is fine', {
  skip,
}, async () => {
  const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  const body = JSON.stringify({ Image: 'busybox' });
  const r = await call('POST', `/v1.44/containers/create?platform=${other}`, body);
  assert.equal(r.status, 404, r.body.toString());
  assert.match(
    json(r.body).message as string,
    new RegExp(
      `^image with reference busybox was found but its platform \\(linux/\\w+\\) does not match the specified platform \\(${other}\\)$`,
    ),
  );
  const own = process.arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
  const ok = await call('POST', `/v1.44/containers/create?platform=${own}`, body);
  assert.equal(ok.status, 201, ok.body.toString());
  await call('DELETE', `/v1.44/containers/${json(ok.body).Id}?force=1`);
});
