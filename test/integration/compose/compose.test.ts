// Compose end to end: the seeds' example (build, ports, named volume, bind mount, env, network,
// depends_on) and a web + worker + healthchecked db app, with docker-compose 1.29 and `berth compose`
// on the same files: idempotent up, scale up and down, nothing left after `down -v`.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  daemonUnavailable,
  repoRoot,
  runCommand,
  startDaemon,
  type Daemon,
  type RunResult,
} from '../../harness/daemon.js';
import { httpGet } from '../../harness/http-get.js';
import { untilValue } from '../../harness/until.js';

const skip = daemonUnavailable();
const noCompose = existsSync('/usr/bin/docker-compose') ? false : 'docker-compose not installed';
let d: Daemon;
let dir = '';

before(async () => {
  if (skip) return;
  d = await startDaemon();
  dir = mkdtempSync(join(tmpdir(), 'compose-it-'));
});
after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (!d) return;
  assert.deepEqual((await d.stop()).leaks, []);
});

const env = () => ({ ...d.env });
function check(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const dc = async (cwd: string, args: string[]) =>
  check(
    await runCommand('docker-compose', args, { cwd, env: env(), timeoutMs: 90_000 }),
    `docker-compose ${args.join(' ')}`,
  );
const bc = async (cwd: string, args: string[]) => {
  const r = await runCommand('node', [join(repoRoot, 'bin/berth'), 'compose', ...args], {
    cwd,
    env: env(),
    timeoutMs: 90_000,
  });
  check(r, `berth compose ${args.join(' ')}`);
  return r;
};
const dk = async (args: string[]) => check(await d.docker(args), `docker ${args.join(' ')}`).trim();

const get = (url: string) => httpGet(url);
const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000) => untilValue(fn, ok, ms);

/** The seeds' compose example: web built from a Dockerfile, worker polling it by service name. */
function seedProject(name: string, port: number): string {
  const p = join(dir, name);
  mkdirSync(join(p, 'web/html'), { recursive: true });
  mkdirSync(join(p, 'shared'), { recursive: true });
  writeFileSync(join(p, 'web/html/index.html'), 'compose-web\n');
  writeFileSync(join(p, 'shared/b.txt'), 'from-bind\n');
  writeFileSync(
    join(p, 'web/Dockerfile'),
    'FROM busybox\nWORKDIR /srv\nCOPY html/ /srv/html/\nEXPOSE 8080\nCMD ["sh", "-c", "echo web starting; exec httpd -f -v -p 8080 -h /srv/html"]\n',
  );
  writeFileSync(join(p, '.env'), `WEB_PORT=${port}\n`);
  writeFileSync(
    join(p, 'docker-compose.yml'),
    `version: "3.7"
services:
  web:
    build: ./web
    image: ${name}-web:dev
    stop_grace_period: 1s
    ports: ["\${WEB_PORT}:8080"]
    environment: ["GREETING=\${GREETING:-hello-compose}"]
    networks: [front]
    volumes: [data:/data, ./shared:/shared:ro]
  worker:
    image: busybox
    stop_grace_period: 1s
    command: sh -c 'while true; do wget -q -O - http://web:8080/ > /data/last 2>/dev/null; sleep 1; done'
    depends_on: [web]
    networks: [front]
    volumes: [data:/data]
networks:
  front:
volumes:
  data:
`,
  );
  return p;
}

async function assertNothingLeft(project: string): Promise<void> {
  assert.equal(await dk(['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`]), '');
  assert.equal(await dk(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]), '');
  assert.equal(await dk(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]), '');
}

async function checkSeedApp(project: string, web: string, port: number): Promise<void> {
  assert.equal(
    await until(
      () => get(`http://127.0.0.1:${port}/`),
      (b) => b === 'compose-web\n',
    ),
    'compose-web\n',
  );
  assert.equal(await dk(['exec', web, 'sh', '-c', 'echo $GREETING']), 'hello-compose');
  assert.equal(await dk(['exec', web, 'cat', '/shared/b.txt']), 'from-bind');
  assert.equal(await dk(['network', 'inspect', '-f', '{{.Driver}}', `${project}_front`]), 'bridge');
  assert.equal(await dk(['volume', 'inspect', '-f', '{{.Driver}}', `${project}_data`]), 'local');
  // worker reaches web by its service name and shares the named volume
  const last = await until(
    () => dk(['exec', web, 'cat', '/data/last']),
    (s) => s === 'compose-web',
  );
  assert.equal(last, 'compose-web');
}

test('docker-compose 1.29: seed example up --build, idempotent up, scale, down -v --rmi local', {
  skip: skip ?? noCompose,
}, async () => {
  const p = seedProject('dcseed', 18091);
  const up = await dc(p, ['up', '-d', '--build']).catch((e) => assert.fail(e));
  void up;
  const ps = await dc(p, ['ps']);
  assert.match(ps, /^dcseed_web_1 .* Up .*0\.0\.0\.0:18091->8080\/tcp/m);
  await checkSeedApp('dcseed', 'dcseed_web_1', 18091);
  const ids = await dk(['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.compose.project=dcseed']);
  const again = await runCommand('docker-compose', ['up', '-d'], { cwd: p, env: env() });
  assert.match(again.stderr, /dcseed_web_1 is up-to-date/);
  assert.equal(await dk(['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.compose.project=dcseed']), ids);
  await dc(p, ['up', '-d', '--scale', 'worker=3']);
  assert.equal(
    await dk([
      'ps',
      '--filter',
      'label=com.docker.compose.service=worker',
      '--filter',
      'label=com.docker.compose.project=dcseed',
      '--format',
      '{{.Names}}',
    ]).then((s) => s.split('\n').sort().join(',')),
    'dcseed_worker_1,dcseed_worker_2,dcseed_worker_3',
  );
  await dc(p, ['up', '-d', '--scale', 'worker=1']);
  assert.equal(
    await dk([
      'ps',
      '--filter',
      'label=com.docker.compose.service=worker',
      '--filter',
      'label=com.docker.compose.project=dcseed',
      '--format',
      '{{.Names}}',
    ]),
    'dcseed_worker_1',
  );
  await dc(p, ['down', '-v', '--rmi', 'local']);
  await assertNothingLeft('dcseed');
  await dk(['rmi', 'dcseed-web:dev']);
});

test('berth compose: seed example up --build, ps, logs, exec, idempotent up, scale, config, down -v', {
  skip: skip ?? false,
}, async () => {
  const p = seedProject('bcseed', 18092);
  const up = await bc(p, ['up', '-d', '--build']);
  assert.match(up.stdout, /Successfully tagged bcseed-web:dev/);
  assert.match(up.stderr, /Network bcseed_front {2}Created/);
  assert.match(up.stderr, /Volume bcseed_data {2}Created/);
  assert.match(up.stderr, /Container bcseed-web-1 {2}Started/);
  // web starts before the worker that depends on it
  assert.ok(up.stderr.indexOf('bcseed-web-1  Started') < up.stderr.indexOf('bcseed-worker-1  Started'));
  const ps = (await bc(p, ['ps'])).stdout;
  assert.match(ps, /^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS$/m);
  assert.match(ps, /^bcseed-web-1 +bcseed-web:dev .* web .* Up .*0\.0\.0\.0:18092->8080\/tcp/m);
  assert.equal((await bc(p, ['ps', '--services'])).stdout, 'web\nworker\n');
  await checkSeedApp('bcseed', 'bcseed-web-1', 18092);
  assert.match((await bc(p, ['logs', '--no-color', 'web'])).stdout, /^web-1 +\| web starting$/m);
  assert.equal((await bc(p, ['exec', '-T', 'web', 'cat', '/shared/b.txt'])).stdout, 'from-bind\n');
  // idempotent: same containers, nothing recreated
  const ids = await dk(['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.compose.project=bcseed']);
  const again = await bc(p, ['up', '-d']);
  assert.doesNotMatch(again.stderr, /Created|Recreated/);
  assert.equal(await dk(['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.compose.project=bcseed']), ids);
  // scale up and down
  await bc(p, ['up', '-d', '--scale', 'worker=3']);
  const workers = () =>
    dk([
      'ps',
      '--filter',
      'label=com.docker.compose.project=bcseed',
      '--filter',
      'label=com.docker.compose.service=worker',
      '--format',
      '{{.Names}}',
    ]).then((s) => s.split('\n').sort().join(','));
  assert.equal(await workers(), 'bcseed-worker-1,bcseed-worker-2,bcseed-worker-3');
  await bc(p, ['up', '-d', '--scale', 'worker=1']);
  assert.equal(await workers(), 'bcseed-worker-1');
  // a config change recreates only that service
  const r = await runCommand('node', [join(repoRoot, 'bin/berth'), 'compose', 'up', '-d'], {
    cwd: p,
    env: { ...env(), GREETING: 'changed' },
  });
  assert.match(r.stderr, /Container bcseed-web-1 {2}Recreated/);
  assert.doesNotMatch(r.stderr, /worker-1 {2}Recreated/);
  assert.equal(await dk(['exec', 'bcseed-web-1', 'sh', '-c', 'echo $GREETING']), 'changed');
  // config shows the resolved model
  const cfg = (await bc(p, ['config'])).stdout;
  assert.match(cfg, /^name: bcseed$/m);
  assert.match(cfg, /- 18092:8080/);
  assert.match(cfg, /GREETING: hello-compose/);
  await bc(p, ['down', '-v', '--rmi', 'local']);
  await assertNothingLeft('bcseed');
  // --rmi local keeps images with a custom tag (`image:`), like docker-compose
  assert.notEqual(await dk(['images', '-q', 'bcseed-web:dev']), '');
  await dk(['rmi', 'bcseed-web:dev']);
});

function appProject(name: string): string {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  writeFileSync(
    join(p, 'compose.yaml'),
    `services:
  db:
    image: busybox
    stop_grace_period: 1s
    command: sh -c 'sleep 1; echo ok > /var/db/ready; exec sleep 300'
    healthcheck:
      test: ["CMD", "test", "-f", "/var/db/ready"]
      interval: 500ms
      retries: 20
    volumes: [dbdata:/var/db]
    mem_limit: 64m
  web:
    image: busybox
    stop_grace_period: 1s
    command: sh -c 'cat /var/db/ready; exec sleep 300'
    depends_on:
      db: {condition: service_healthy}
    volumes: [dbdata:/var/db:ro]
  worker:
    image: busybox
    stop_grace_period: 1s
    command: sleep 300
    depends_on: [db]
    scale: 2
  debug:
    image: busybox
    profiles: [debug]
    stop_grace_period: 1s
    command: sleep 300
volumes:
  dbdata:
`,
  );
  return p;
}

test('web + worker + healthchecked db with a named volume: both tools', { skip: skip ?? false }, async () => {
  const p = appProject('app');
  for (const tool of noCompose ? ['berth'] : ['berth', 'docker-compose']) {
    const sep = tool === 'berth' ? '-' : '_';
    if (tool === 'berth') await bc(p, ['up', '-d']);
    else await dc(p, ['up', '-d', '--scale', 'worker=2']);
    // web only started once db was healthy, so it saw the file
    assert.equal(await dk(['inspect', '-f', '{{.State.Health.Status}}', `app${sep}db${sep}1`]), 'healthy');
    assert.equal(await dk(['logs', `app${sep}web${sep}1`]), 'ok');
    assert.equal(await dk(['inspect', '-f', '{{.HostConfig.Memory}}', `app${sep}db${sep}1`]), String(64 * 1024 * 1024));
    const names = await dk(['ps', '--filter', 'label=com.docker.compose.project=app', '--format', '{{.Names}}']);
    assert.deepEqual(
      names.split('\n').sort(),
      [`app${sep}db${sep}1`, `app${sep}web${sep}1`, `app${sep}worker${sep}1`, `app${sep}worker${sep}2`],
      tool,
    );
    if (tool === 'berth') {
      await bc(p, ['--profile', 'debug', 'up', '-d', 'debug']);
      assert.equal(await dk(['inspect', '-f', '{{.State.Running}}', 'app-debug-1']), 'true');
      const run = await bc(p, ['run', '--rm', '-T', 'web', 'cat', '/var/db/ready']);
      assert.equal(run.stdout, 'ok\n');
      await bc(p, ['stop']);
      assert.equal(await dk(['ps', '-q', '--filter', 'label=com.docker.compose.project=app']), '');
      await bc(p, ['start']);
      assert.equal((await dk(['ps', '-q', '--filter', 'label=com.docker.compose.project=app'])).split('\n').length, 5);
      await bc(p, ['--profile', 'debug', 'down', '-v']);
    } else {
      const run = await dc(p, ['run', '--rm', '-T', 'web', 'cat', '/var/db/ready']);
      assert.equal(run, 'ok\n');
      await dc(p, ['down', '-v']);
    }
    await assertNothingLeft('app');
  }
});
