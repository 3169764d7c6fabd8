// berth's last gaps against the docker CLI on the same harness berthd: system df -v, search,
// context and volume update, each diffed with what docker 28 prints.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerCli, berthBin, berthCli, type RunOptions, daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;

const berth = berthCli(() => berthd.d);
/** Relative times ("3 seconds ago", "Up 2 seconds") tick between the two runs: compared as a word, and
 * so the columns' widths with them (runs of blanks as one). */
const untimed = (s: string) =>
  s
    .replace(/(Less than a second|About an? \w+|\d+ \w+) ago/g, 'T ago')
    .replace(/Up (Less than a second|About an? \w+|\d+ \w+)/g, 'Up T')
    .replace(/ {2,}/g, ' ');
/** Both CLIs, same arguments: equal exit codes, stdout (times aside) and, if asked, stderr. */
async function same(args: string[], o: RunOptions & { stderr?: boolean } = {}) {
  const [b, k] = await Promise.all([berth(args, o), berthd.d.docker(args, o)]);
  const what = `${args.join(' ')}: berth ${b.code} ${b.stderr} / docker ${k.code} ${k.stderr}`;
  assert.equal(b.code, k.code, `exit code of ${what}`);
  assert.equal(untimed(b.stdout), untimed(k.stdout), `stdout of ${args.join(' ')}`);
  if (o.stderr) assert.equal(b.stderr, k.stderr.replace(/docker/g, 'berth'), `stderr of ${args.join(' ')}`);
  return b;
}

test('system df -v: tables, json and templates as docker prints them', { skip: skip ?? false }, async () => {
  await same(['system', 'df', '-v']);
  assert.equal((await berth(['volume', 'create', 'dfv'])).code, 0);
  assert.equal((await berth(['tag', 'busybox:latest', 'other/bb:v1'])).code, 0);
  assert.equal((await berth(['run', '-d', '--name', 'dfc1', '-v', 'dfv:/d', 'busybox', 'sleep', '600'])).code, 0);
  assert.equal((await berth(['create', '--name', 'dfc2', '-v', '/anon', 'busybox', 'true'])).code, 0);
  await same(['system', 'df', '-v']);
  await same(['system', 'df', '--verbose', '--format', 'table']);
  await same(['system', 'df', '-v', '--format', 'json']);
  await same([
    'system',
    'df',
    '-v',
    '--format',
    '{{range .Images}}{{.Repository}}:{{.Tag}} {{.UniqueSize}}{{"\\n"}}{{end}}',
  ]);
  await same(['system', 'df', '-v', '--format', 'table {{json .Containers}}']);
  await same(['system', 'df', '-v', '--format', '{{range .Volumes}}{{.Name}} {{.Links}} {{.Size}}\\n{{end}}']);
  await same(['ps', '-a', '--format', 'json']);
  assert.equal((await berth(['rm', '-f', '-v', 'dfc1', 'dfc2'])).code, 0);
});

test("volume update: a local volume gets docker's refusal, a missing one the daemon's error", {
  skip: skip ?? false,
}, async () => {
  assert.equal((await berth(['volume', 'create', 'upv'])).code, 0);
  await same(['volume', 'update', 'upv'], { stderr: true });
  await same(['volume', 'update', '--availability', 'drain', 'upv'], { stderr: true });
  await same(['volume', 'update', 'nosuch'], { stderr: true });
  await same(['volume', 'update'], { stderr: true });
  await same(['volume', 'update', 'a', 'b'], { stderr: true });
  assert.equal((await berth(['volume', 'rm', 'upv'])).code, 0);
});

/** A v1 index on loopback (our registry is v2-only, without /v1/search): _ping and search?q&n. */
async function fakeIndex(): Promise<{ server: Server; addr: string }> {
  const results = [
    { name: 'alpha', description: `${'long words '.repeat(6)}\nand a newline`, star_count: 12, is_official: true },
    { name: 'beta/app', description: 'short', star_count: 3, is_official: false, is_automated: true },
    { name: 'gamma', description: '', star_count: 0 },
  ];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/v1/_ping') return void res.end('true');
    if (u.pathname !== '/v1/search') return void res.writeHead(404).end();
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({ query: u.searchParams.get('q'), results: results.slice(0, Number(u.searchParams.get('n'))) }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, addr: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('search: results, limit, filters, --no-trunc, formats and errors as docker prints them', {
  skip: skip ?? false,
}, async () => {
  const { server, addr } = await fakeIndex();
  try {
    const t = `${addr}/x`;
    const out = await same(['search', t]);
    assert.match(out.stdout, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\nalpha\s+long words/);
    await same(['search', '--no-trunc', t]);
    await same(['search', '--limit', '2', t]);
    await same(['search', '--format', 'json', t]);
    await same(['search', '--format', '{{json .}}', t]);
    await same(['search', '--format', 'table {{.Name}}\t{{.IsOfficial}}', t]);
    await same(['search', '-f', 'is-official=true', t]);
    await same(['search', '--filter', 'stars=3', t]);
    await same(['search', '-f', 'is-automated=false', t], { stderr: true });
    for (const bad of [
      ['-f', 'stars=abc'],
      ['--limit', '200'],
      ['-f', 'name=x'],
      ['--limit', 'x'],
      ['-f', 'bad'],
    ])
      await same(['search', ...bad, t], { stderr: true });
    // Docker Hub, unreachable here: the daemon's error, word for word
    const hub = await same(['search', 'busybox']);
    assert.equal(hub.stderr, (await berthd.d.docker(['search', 'busybox'])).stderr);
    await same(['search'], { stderr: true });
  } finally {
    await new Promise((r) => server.close(r));
  }
});

/** Each CLI on its own config dir (the same steps: outputs and files must match), then one shared. */
const ctxDirs = { berth: mkdtempSync(join(tmpdir(), 'ctx-b-')), docker: mkdtempSync(join(tmpdir(), 'ctx-d-')) };
after(() => {
  for (const dir of Object.values(ctxDirs)) rmSync(dir, { recursive: true, force: true });
});

// DOCKER_HOST would pick the default context; only the first steps keep it
const contextSteps = (sock: string): Array<[string[], boolean]> => [
  [['context', 'ls'], true],
  [['context', 'create', '--docker', `host=${sock}`, '--description', 'the berthd', 'k1'], true],
  [['context', 'create', 'k2', '--docker', 'host=unix:///nope,skip-tls-verify=true'], true],
  [['context', 'create', 'k1', '--docker', 'host=unix:///x'], true],
  [['context', 'create', 'bad name'], true],
  [['context', 'create', 'k4', '--docker', 'bogus=1'], true],
  [['context', 'create', 'k5', '--from', 'k1', '--docker', 'host=unix:///z'], true],
  [['context', 'create', 'k5', '--from', 'k1'], true],
  [['context', 'create', 'k6'], true],
  [['context', 'ls'], true],
  [['context', 'ls', '--format', 'json'], true],
  [['context', 'ls', '-q'], true],
  [['context', 'inspect', 'k1', 'nosuch', 'k2'], true],
  [['context', 'inspect', '-f', '{{.Name}} {{.Endpoints.docker.Host}}', 'k1', 'default'], true],
  [['context', 'use', 'nosuch'], false],
  [['context', 'use', 'k1'], false],
  [['context', 'show'], false],
  [['context', 'inspect'], false],
  [['ps', '-a', '--format', '{{.Names}}'], false],
  [['-c', 'k2', 'context', 'show'], false],
  [['-c', 'nosuch', 'ps'], false],
  [['-c', 'k1', '-H', 'unix:///x', 'ps'], false],
  [['context', 'update', 'k2', '--description', 'new', '--docker', 'host=unix:///b'], false],
  [['context', 'update', 'nosuch', '--description', 'x'], false],
  [['context', 'rm', 'k1'], false],
  [['context', 'rm', 'default', 'nosuch', 'k6'], false],
  [['context', 'rm', '-f', 'k1'], false],
  [['context', 'show'], false],
  [['context', 'use', 'k5'], false],
  [['context', 'use', 'default'], false],
];

test('context: create, ls, inspect, use, update, rm as docker does them, in the same files', {
  skip: skip ?? false,
}, async () => {
  const dirs = ctxDirs;
  const sock = berthd.d.env.DOCKER_HOST;
  const steps = contextSteps(sock);
  for (const [args, withHost] of steps) {
    const env = (dir: string) => ({ DOCKER_CONFIG: dir, DOCKER_HOST: withHost ? sock : '' });
    const b = await berth(args, { env: env(dirs.berth) });
    const k = await berthd.d.docker(args, { env: env(dirs.docker) });
    // the default context's endpoint is each engine's own socket; paths name each config dir
    const norm = (s: string, dir: string) =>
      s.replaceAll(dir, 'DIR').replace(/unix:\/\/\/(var\/)?run\/(docker|berth\/berth)\.sock/g, 'DEFAULT');
    const what = args.join(' ');
    assert.equal(b.code, k.code, `exit code of ${what}: ${b.stderr} / ${k.stderr}`);
    assert.equal(norm(b.stdout, dirs.berth), norm(k.stdout, dirs.docker), `stdout of ${what}`);
    assert.equal(
      norm(b.stderr, dirs.berth).replace(/berth/g, 'docker'),
      norm(k.stderr, dirs.docker),
      `stderr of ${what}`,
    );
  }
  for (const f of [
    'config.json',
    ...readdirSync(join(dirs.docker, 'contexts/meta')).map((h) => `contexts/meta/${h}/meta.json`),
  ])
    assert.equal(readFileSync(join(dirs.berth, f), 'utf8'), readFileSync(join(dirs.docker, f), 'utf8'), f);
});

test("context export/import: the same archive bytes, each CLI imports the other's", {
  skip: skip ?? false,
}, async () => {
  const dirs = ctxDirs;
  // export/import: the same archive bytes, and each CLI imports the other's
  const envB = { DOCKER_CONFIG: dirs.berth, DOCKER_HOST: '' };
  const envD = { DOCKER_CONFIG: dirs.docker, DOCKER_HOST: '' };
  const tarB = join(dirs.berth, 'k5.tar');
  const tarD = join(dirs.docker, 'k5.tar');
  const xb = await berth(['context', 'export', 'k5', tarB], { env: envB });
  const xd = await berthd.d.docker(['context', 'export', 'k5', tarD], { env: envD });
  assert.equal(xb.stderr.replace(dirs.berth, 'DIR'), xd.stderr.replace(dirs.docker, 'DIR'));
  assert.deepEqual(readFileSync(tarB), readFileSync(tarD));
  await same(['context', 'export', 'k5', tarB], { env: envB, stderr: true }); // exists: both refuse
  assert.equal((await berthd.d.docker(['context', 'import', 'from-berth', tarB], { env: envD })).code, 0);
  const imp = await berth(['context', 'import', 'from-docker', tarD], { env: envB });
  assert.equal(imp.stdout, 'from-docker\n');
  assert.equal(imp.stderr, 'Successfully imported context "from-docker"\n');
  const ep = (n: string) => ['context', 'inspect', '-f', '{{json .Endpoints}}', n];
  assert.equal(
    (await berth(ep('from-docker'), { env: envB })).stdout,
    (await berthd.d.docker(ep('from-berth'), { env: envD })).stdout,
  );
  const desc = (n: string) => ['context', 'ls', '--format', `{{if eq .Name "${n}"}}{{.Description}}{{end}}`];
  const bd = (await berth(desc('from-docker'), { env: envB })).stdout.trim();
  assert.equal(bd, (await berthd.d.docker(desc('from-berth'), { env: envD })).stdout.trim());
  assert.equal(bd, 'the berthd');
});

test('context: one store, two CLIs, berth talks to the chosen endpoint', { skip: skip ?? false }, async () => {
  const dirs = ctxDirs;
  const sock = berthd.d.env.DOCKER_HOST;
  // one store, two CLIs: what berth creates and selects, docker uses, and the other way round
  const env = { DOCKER_CONFIG: dirs.berth, DOCKER_HOST: '' };
  assert.equal((await berth(['context', 'create', '--docker', `host=${sock}`, 'shared'], { env })).code, 0);
  assert.equal((await berthd.d.docker(['context', 'use', 'shared'], { env })).code, 0);
  assert.equal((await berth(['context', 'show'], { env })).stdout, 'shared\n');
  const ps = await berth(['info', '--format', '{{.ID}}'], { env });
  assert.equal(ps.stdout, (await berthd.d.docker(['info', '--format', '{{.ID}}'], { env })).stdout);
  assert.equal(ps.code, 0, ps.stderr);
  assert.equal((await berth(['context', 'use', 'k2'], { env })).code, 0);
  assert.equal((await berthd.d.docker(['context', 'show'], { env })).stdout, 'k2\n');
  assert.equal((await berth(['-c', 'shared', 'version', '--format', '{{.Server.Os}}'], { env })).stdout, 'linux\n');
  assert.equal(
    (await berth(['version', '--format', '{{.Server.Os}}'], { env: { ...env, DOCKER_CONTEXT: 'shared' } })).stdout,
    'linux\n',
  );
  // k2's endpoint does not exist: berth went there
  assert.notEqual((await berth(['ps'], { env })).code, 0);
});

/** A streaming command of each CLI, its output collected until stop(). */
function streaming(cmd: string, args: string[]): { out: () => string; stop: () => Promise<void> } {
  const child = spawn(cmd, args, { env: { ...process.env, ...berthd.d.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const ended = new Promise<void>((r) => child.on('close', () => r()));
  return {
    out: () => out,
    stop: async () => {
      child.kill('SIGINT');
      await ended;
    },
  };
}

/** Polls until `ok` holds (a bound for failing, not a timing claim). */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(ok(), what);
}

/** The last complete frame: docker ends each with erase-below (ESC [J). */
const lastFrame = (s: string) => {
  const frames = s.split('\x1b[J');
  return frames[frames.length - 2] ?? '';
};

test('stats (streaming): follows containers started after it, drops stopped ones, frames as docker', {
  skip: skip ?? false,
}, async () => {
  const fmt = ['stats', '--format', '{{.Name}}'];
  const b = streaming(process.execPath, [berthBin, ...fmt]);
  const k = streaming(dockerCli, fmt);
  try {
    await until(() => b.out().includes('\x1b[J') && k.out().includes('\x1b[J'), 'both drew a frame');
    assert.equal((await berth(['run', '-d', '--name', 'st-late', 'busybox', 'sleep', '300'])).code, 0);
    const has = (s: string, n: string) => lastFrame(s).includes(`\x1b[H${n} \x1b[K\n`);
    await until(() => has(b.out(), 'st-late') && has(k.out(), 'st-late'), 'a container started later shows up');
    assert.equal(lastFrame(b.out()), lastFrame(k.out()));
    assert.equal((await berth(['kill', 'st-late'])).code, 0);
    await until(() => !has(b.out(), 'st-late') && !has(k.out(), 'st-late'), 'a dead container leaves');
    assert.equal(lastFrame(b.out()), lastFrame(k.out()));
  } finally {
    await Promise.all([b.stop(), k.stop()]);
    await berth(['rm', '-f', 'st-late']);
  }
});
