// docker build (legacy /build API) against berthd: multi-stage, cache hits and misses, build args,
// ADD tar, USER/WORKDIR, failing RUN with --force-rm, .dockerignore, and dockerode.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const skip: string | false = daemonUnavailable() ?? false;
let d: Daemon | undefined;
const dir = mkdtempSync(join(tmpdir(), 'berth-build-'));

before(async () => {
  if (skip) return;
  d = await startDaemon();
});
let registryProc: TestRegistry | undefined;
after(async () => {
  registryProc?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

function ctx(name: string, files: Record<string, string>): string {
  const c = join(dir, name);
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(join(c, p, '..'), { recursive: true });
    writeFileSync(join(c, p), v);
  }
  return c;
}

test('multi-stage build with USER, WORKDIR, ARG and COPY --from', async (t) => {
  if (!d || skip) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const c = ctx('ms', {
    'main.c': 'int main(){}\n',
    Dockerfile: [
      'FROM busybox AS builder',
      'ARG V=1',
      'WORKDIR /src',
      'COPY main.c .',
      'RUN mkdir /out && echo "built $V $(wc -c < main.c)" > /out/app',
      'FROM busybox AS unused',
      'RUN exit 9',
      'FROM busybox',
      'COPY --from=builder /out/app /app',
      'USER nobody',
      'WORKDIR /tmp/w',
      'CMD ["sh", "-c", "cat /app; id -un; pwd"]',
    ].join('\n'),
  });
  const b = await d.docker(['build', '--build-arg', 'V=2', '-t', 'ms:1', c]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.doesNotMatch(b.stdout, /exit 9/, 'a stage the target does not need is not built');
  const r = await d.docker(['run', '--rm', 'ms:1']);
  assert.equal(r.stdout, 'built 2 13\nnobody\n/tmp/w\n');
  const tgt = await d.docker(['build', '-q', '--target', 'builder', '-t', 'ms:b', c]);
  assert.equal(tgt.code, 0, tgt.stderr);
  assert.match(tgt.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  assert.equal((await d.docker(['image', 'inspect', '-f', '{{.Config.WorkingDir}}', 'ms:b'])).stdout.trim(), '/src');
  const bad = await d.docker(['build', '--target', 'nope', c]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /failed to reach build target nope/);
});

test('cache: hit when nothing changed, miss after a file changes or with --no-cache', async (t) => {
  if (!d || skip) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const c = ctx('cache', {
    'a.txt': 'one\n',
    Dockerfile: 'FROM busybox\nRUN echo $RANDOM > /r\nCOPY a.txt /\nENV X=1\n',
  });
  const id = async () => (await d!.docker(['image', 'inspect', '-f', '{{.Id}}', 'cache:1'])).stdout.trim();
  assert.equal((await d.docker(['build', '-t', 'cache:1', c])).code, 0);
  const id1 = await id();
  // like Docker's classic builder: every step of a local build names its step image, none <missing>
  const hist = (await d.docker(['history', '-q', '--no-trunc', 'cache:1'])).stdout.trim().split('\n');
  assert.equal(hist[0], id1);
  assert.ok(hist.length >= 4, hist.join(' '));
  assert.equal(new Set(hist).size, hist.length, `one image per step: ${hist.join(' ')}`);
  assert.ok(!hist.includes('<missing>'), hist.join(' '));
  const again = await d.docker(['build', '-t', 'cache:1', c]);
  assert.equal(again.stdout.match(/Using cache/g)?.length, 3);
  assert.equal(await id(), id1);
  writeFileSync(join(c, 'a.txt'), 'two\n');
  const changed = await d.docker(['build', '-t', 'cache:1', c]);
  assert.equal(changed.stdout.match(/Using cache/g)?.length, 1, 'RUN before the COPY still cached');
  assert.notEqual(await id(), id1);
  assert.equal((await d.docker(['run', '--rm', 'cache:1', 'cat', '/a.txt'])).stdout, 'two\n');
  const nc = await d.docker(['build', '--no-cache', '-t', 'cache:1', c]);
  assert.doesNotMatch(nc.stdout, /Using cache/);
});

test('ADD extracts a local tar; .dockerignore applies on the daemon too', async (t) => {
  if (!d || skip) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const c = ctx('add', {
    'p/sub/f.txt': 'in-tar\n',
    'secret.env': 'x',
    '.dockerignore': '*.env\n',
    Dockerfile: 'FROM busybox\nADD b.tar.gz /x/\nCOPY . /c/\n',
  });
  execFileSync('tar', ['-czf', join(c, 'b.tar.gz'), '-C', join(c, 'p'), '.']);
  assert.equal((await d.docker(['build', '-t', 'add:1', c])).code, 0);
  assert.equal((await d.docker(['run', '--rm', 'add:1', 'cat', '/x/sub/f.txt'])).stdout, 'in-tar\n');
  assert.equal((await d.docker(['run', '--rm', 'add:1', 'ls', '/c'])).stdout, 'Dockerfile\nb.tar.gz\np\n');
});

test('a failing RUN reports its code; --force-rm leaves no container', async (t) => {
  if (!d || skip) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const c = ctx('fail', { Dockerfile: 'FROM busybox\nRUN echo failing-step && exit 3\n' });
  const before = (await d.docker(['ps', '-aq'])).stdout;
  const r = await d.docker(['build', '--force-rm', '-t', 'fail:1', c]);
  assert.equal(r.code, 3, 'the CLI exits with errorDetail.code');
  assert.match(r.stderr, /The command '\/bin\/sh -c echo failing-step && exit 3' returned a non-zero code: 3/);
  assert.match(r.stdout, /failing-step/);
  assert.equal((await d.docker(['ps', '-aq'])).stdout, before);
  const kept = await d.docker(['build', '-t', 'fail:1', c]);
  assert.equal(kept.code, 3);
  assert.equal(
    (await d.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean).length,
    before.trim().split('\n').filter(Boolean).length + 1,
  );
  const pe = await d.docker(['build', '-f', 'Dockerfile.bad', c], { input: '' });
  assert.notEqual(pe.code, 0);
});

test('dockerode builds from a tar stream and sees the aux ID', async (t) => {
  if (!d || skip) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const c = ctx('dode', {
    Dockerfile: 'FROM busybox\nLABEL via=dockerode\nFOO bar\n',
    'ok/Dockerfile': 'FROM busybox\nLABEL via=dockerode\n',
  });
  const tar = execFileSync('tar', ['-c', '-C', join(c, 'ok'), '.']);
  const { Readable } = await import('node:stream');
  const stream = await d.dockerode.buildImage(Readable.from([tar]), { t: 'dode:1' });
  const msgs = await new Promise<Array<{ stream?: string; aux?: { ID: string } }>>((res, rej) =>
    d!.dockerode.modem.followProgress(
      stream,
      (e: Error | null, out: Array<{ stream?: string; aux?: { ID: string } }>) => (e ? rej(e) : res(out)),
    ),
  );
  const aux = msgs.find((m) => m.aux)?.aux?.ID;
  assert.match(aux ?? '', /^sha256:/);
  assert.equal((await d.dockerode.getImage('dode:1').inspect()).Id, aux);
  // a parse error is an error status naming the line
  const badTar = execFileSync('tar', ['-c', '-C', c, 'Dockerfile']);
  await assert.rejects(
    d.dockerode.buildImage(Readable.from([badTar]), { t: 'dode:bad' }),
    /dockerfile parse error line 3: unknown instruction: FOO/,
  );
});

test('RUN --mount=type=cache persists across builds; type=bind from the context or a stage is not committed', async (t) => {
  if (!d || skip) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  const c = ctx('mounts', {
    'data.txt': 'from-context\n',
    Dockerfile: [
      'FROM busybox AS s',
      'RUN echo fromstage > /f',
      'FROM busybox',
      'RUN --mount=type=cache,target=/cache,id=c1 echo x >> /cache/log && wc -l < /cache/log > /count',
      'RUN --mount=type=bind,target=/ctx cat /ctx/data.txt > /copied && if touch /ctx/new 2>/dev/null; then exit 3; fi',
      'RUN --mount=type=bind,target=/ctx,rw touch /ctx/new && echo rw >> /ctx/data.txt',
      'RUN --mount=type=bind,from=s,source=/f,target=/stagef cp /stagef /fromstage',
    ].join('\n'),
  });
  const b = await d.docker(['build', '-t', 'mounts:1', c]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  const r = await d.docker([
    'run',
    '--rm',
    'mounts:1',
    'sh',
    '-c',
    'cat /count /copied /fromstage; ls -d /cache /ctx /stagef 2>&1 | wc -l',
  ]);
  // the mount targets are gone: ls finds none of them (3 error lines)
  assert.equal(r.stdout.replace(/ +/g, ''), '1\nfrom-context\nfromstage\n3\n');
  const cached = await d.docker(['build', '-t', 'mounts:1b', c]);
  assert.equal((cached.stdout.match(/Using cache/g) ?? []).length, 5, cached.stdout);
  writeFileSync(join(c, 'data.txt'), 'changed\n');
  const miss = await d.docker(['build', '-t', 'mounts:1c', c]);
  assert.equal(miss.code, 0, miss.stderr + miss.stdout);
  assert.equal(
    (miss.stdout.match(/Using cache/g) ?? []).length,
    2,
    'a changed bind source re-runs the step (and those after it)',
  );
  assert.equal((await d.docker(['run', '--rm', 'mounts:1c', 'cat', '/copied'])).stdout, 'changed\n');
  const again = await d.docker(['build', '--no-cache', '-t', 'mounts:2', c]);
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.equal(
    (await d.docker(['run', '--rm', 'mounts:2', 'cat', '/count'])).stdout.trim(),
    '2',
    "the cache dir kept the first build's file",
  );
  const bad = await d.docker([
    'build',
    ctx('mounts-bad', { Dockerfile: 'FROM busybox\nRUN --mount=type=bind,source=nope,target=/x true\n' }),
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr + bad.stdout, /"\/nope" not found/);
});

/** Debian's docker-registry on a free loopback port of the test's namespace. */
async function startRegistry(): Promise<string> {
  registryProc = await startDockerRegistry(dir);
  return registryProc.addr;
}

test('--pull fetches the FROM image from its registry even when a local copy exists', async (t) => {
  if (!d || skip) return t.skip(`needs a running berthd: ${skip || 'it did not start'}`);
  if (!existsSync(DOCKER_REGISTRY)) return t.skip('docker-registry is not installed');
  const reg = await startRegistry();
  const ref = `${reg}/base:1`;
  // the registry holds an image with /marker; the local tag of the same name points at plain busybox
  const marked = await d.docker([
    'build',
    '-t',
    ref,
    ctx('pull-base', { Dockerfile: 'FROM busybox\nRUN echo remote > /marker\n' }),
  ]);
  assert.equal(marked.code, 0, marked.stderr + marked.stdout);
  const push = await d.docker(['push', ref]);
  assert.equal(push.code, 0, push.stderr + push.stdout);
  assert.equal((await d.docker(['tag', 'busybox', ref])).code, 0);
  const c = ctx('pull-use', { Dockerfile: `FROM ${ref}\nRUN cat /marker > /seen\n` });
  const local = await d.docker(['build', c]);
  assert.notEqual(local.code, 0, 'without --pull the local image (no /marker) is used');
  assert.match(local.stderr + local.stdout, /returned a non-zero code: 1/);
  const pulled = await d.docker(['build', '--pull', '-t', 'pulled:1', c]);
  assert.equal(pulled.code, 0, pulled.stderr + pulled.stdout);
  assert.match(pulled.stdout, /Status: (Downloaded newer image|Image is up to date) for /);
  assert.equal((await d.docker(['run', '--rm', 'pulled:1', 'cat', '/seen'])).stdout, 'remote\n');
  const missing = await d.docker(['build', '--pull', ctx('pull-missing', { Dockerfile: `FROM ${reg}/nope:1\n` })]);
  assert.notEqual(missing.code, 0);
});
