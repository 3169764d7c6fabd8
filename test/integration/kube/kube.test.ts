// berth kube end to end on a harness berthd: the seeds' compose example (built web with a published
// port, env, bind mount, named volume, a user network, a worker that depends on web and reaches it
// by name) runs with compose, becomes YAML with `kube generate`, is taken down, and `kube play`
// reproduces the same running set (checked with docker ps/inspect and over HTTP); `kube down`
// removes exactly what play made; a file with an unknown kind creates nothing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { daemonUnavailable, repoRoot, runCommand, startDaemon, type Daemon } from '../../harness/daemon.js';
import { httpGet } from '../../harness/http-get.js';
import { untilValue } from '../../harness/until.js';

const skip = daemonUnavailable();
let d: Daemon;
let dir = '';

before(async () => {
  if (skip) return;
  d = await startDaemon();
  dir = mkdtempSync(join(tmpdir(), 'kube-it-'));
});
after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (!d) return;
  assert.deepEqual((await d.stop()).leaks, []);
});

async function berth(cwd: string, args: string[], ok = true) {
  const r = await runCommand('node', [join(repoRoot, 'bin/berth'), ...args], {
    cwd,
    env: { ...d.env },
    timeoutMs: 120_000,
  });
  if (ok) assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
  return r;
}
async function dk(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

const get = (url: string) => httpGet(url);
const until = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000) => untilValue(fn, ok, ms);

const PORT = 18094;

/** The seeds' compose example (as in test/integration/compose), plus an env file and a memory limit. */
function seedProject(): string {
  const p = join(dir, 'kseed');
  mkdirSync(join(p, 'web/html'), { recursive: true });
  mkdirSync(join(p, 'shared'), { recursive: true });
  writeFileSync(join(p, 'web/html/index.html'), 'compose-web\n');
  writeFileSync(join(p, 'shared/b.txt'), 'from-bind\n');
  writeFileSync(join(p, 'web.env'), 'API_TOKEN=t0k3n\n');
  writeFileSync(
    join(p, 'web/Dockerfile'),
    'FROM busybox\nWORKDIR /srv\nCOPY html/ /srv/html/\nEXPOSE 8080\nCMD ["sh", "-c", "exec httpd -f -v -p 8080 -h /srv/html"]\n',
  );
  writeFileSync(
    join(p, 'docker-compose.yml'),
    `services:
  web:
    build: ./web
    image: kseed-web:dev
    stop_grace_period: 1s
    ports: ["${PORT}:8080"]
    environment: [GREETING=hello-kube]
    env_file: web.env
    mem_limit: 64m
    healthcheck: {test: "wget -q -O /dev/null localhost:8080", interval: 1s, retries: 3}
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

/** The running set, as docker inspect shows it: what must survive the round trip. */
async function runningSet(filter: string) {
  const ids = (await dk(['ps', '-q', '--filter', filter])).split('\n').filter(Boolean);
  const xs = JSON.parse(await dk(['inspect', ...ids])) as {
    Config: { Image: string; Env: string[]; Cmd: string[] | null; Healthcheck?: object };
    HostConfig: { Memory: number; PortBindings: Record<string, { HostPort: string }[]> | null };
    Mounts: { Type: string; Source: string; Destination: string; Name?: string; RW: boolean }[];
  }[];
  return xs
    .map((x) => ({
      image: x.Config.Image,
      env: x.Config.Env.filter((e) => /^(GREETING|API_TOKEN)=/.test(e)).sort(),
      cmd: x.Config.Cmd,
      health: x.Config.Healthcheck,
      memory: x.HostConfig.Memory,
      ports: Object.fromEntries(
        Object.entries(x.HostConfig.PortBindings ?? {}).map(([k, v]) => [k, v.map((b) => b.HostPort)]),
      ),
      mounts: x.Mounts.map((m) => `${m.Type}:${m.Name ?? m.Source}:${m.Destination}:${m.RW ? 'rw' : 'ro'}`).sort(),
    }))
    .sort((a, b) => a.image.localeCompare(b.image));
}

async function checkApp(web: string): Promise<void> {
  assert.equal(
    await until(
      () => get(`http://127.0.0.1:${PORT}/`),
      (b) => b === 'compose-web\n',
    ),
    'compose-web\n',
  );
  assert.equal(await dk(['exec', web, 'cat', '/shared/b.txt']), 'from-bind');
  // the worker reaches web by its compose service name and writes into the shared named volume
  await dk(['exec', web, 'rm', '-f', '/data/last']);
  assert.equal(
    await until(
      () => dk(['exec', web, 'cat', '/data/last']),
      (s) => s === 'compose-web',
    ),
    'compose-web',
  );
}

test('compose up → kube generate → compose down → kube play reproduces the set; kube down removes it', {
  skip: skip ?? false,
}, async () => {
  const p = seedProject();
  await berth(p, ['compose', 'up', '-d', '--build']);
  await checkApp('kseed-web-1');
  const before = await runningSet('label=com.docker.compose.project=kseed');

  const gen = await berth(p, ['kube', 'generate', '-f', 'app.yaml']);
  assert.match(gen.stderr, /WARNING: web: bind mount .*shared → hostPath/);
  const yaml = readFileSync(join(p, 'app.yaml'), 'utf8');
  assert.match(yaml, /kind: Deployment/);
  assert.match(yaml, /kind: Secret/);
  // the env file's variable is in the Secret only, not in the Deployment's plain env
  assert.equal(yaml.split('t0k3n').length, 2);
  assert.match(yaml, /envFrom:\n\s+- secretRef:\n\s+name: web-env/);
  // the same project generated from its running containers (inspect) says the same, Secret aside
  // (env files are not visible in inspect: their variables stay plain env)
  await berth(p, ['kube', 'generate', 'kseed', '--type', 'deployment', '-f', 'running.yaml']);
  const docs = (f: string) => parseAllDocuments(readFileSync(join(p, f), 'utf8')).map((x) => x.toJS());
  const fromFile = docs('app.yaml');
  const fromRunning = docs('running.yaml');
  for (const o of [...fromFile, ...fromRunning]) {
    const M = { Deployment, Service, PersistentVolumeClaim, Secret }[o.kind as string];
    assert.ok(M, o.kind);
    new M(o).validate();
  }
  const strip = (o: {
    kind: string;
    spec?: { template?: { spec: { containers: { env?: unknown; envFrom?: unknown }[] } } };
  }) => {
    for (const c of o.spec?.template?.spec.containers ?? []) delete c.env, delete c.envFrom;
    return o;
  };
  assert.deepEqual(
    fromRunning.filter((o) => o.kind !== 'Secret').map(strip),
    fromFile.filter((o) => o.kind !== 'Secret').map(strip),
  );
  await berth(p, ['compose', 'down']); // keeps the named volume, as compose does

  const play = await berth(p, ['kube', 'play', 'app.yaml']);
  assert.match(play.stderr, /Container worker-1-init-wait-for-web {2}Exited/);
  assert.equal(
    await dk(['ps', '--filter', 'label=io.berth.kube.play=app', '--format', '{{.Names}}']).then((s) =>
      s.split('\n').sort().join(','),
    ),
    'web-1,worker-1',
  );
  await checkApp('web-1');
  assert.deepEqual(await runningSet('label=io.berth.kube.play=app'), before);
  // the health check came back from the probes and runs
  assert.equal(
    await until(
      () => dk(['inspect', '-f', '{{.State.Health.Status}}', 'web-1']),
      (s) => s === 'healthy',
    ),
    'healthy',
  );

  // a second play of the same file is refused and changes nothing
  const again = await berth(p, ['kube', 'play', 'app.yaml'], false);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists: run kube down first/);

  await berth(p, ['kube', 'down', 'app.yaml']);
  assert.equal(await dk(['ps', '-a', '-q', '--filter', 'label=io.berth.kube.play=app']), '');
  assert.equal(await dk(['network', 'ls', '-q', '--filter', 'label=io.berth.kube.play=app']), '');
  // the volume existed before the play (compose made it): down leaves it
  assert.equal(await dk(['volume', 'inspect', '-f', '{{.Name}}', 'kseed_data']), 'kseed_data');
  await berth(p, ['compose', 'down', '-v']);
  await dk(['rmi', 'kseed-web:dev']);
});

test('kube play: an unknown kind or field is an error naming it, and nothing is created', {
  skip: skip ?? false,
}, async () => {
  const f = join(dir, 'bad.yaml');
  const pod =
    'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c, image: busybox, command: [sleep, "100"]}]}\n';
  writeFileSync(f, `${pod}---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\n`);
  const r = await berth(dir, ['kube', 'play', f], false);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /document 2: unsupported kind "CronJob"/);
  writeFileSync(f, pod.replace('image: busybox', 'image: busybox, lifecycle: {}'));
  const r2 = await berth(dir, ['kube', 'play', f], false);
  assert.match(r2.stderr, /unsupported field\(s\) spec\.containers\[0\]\.lifecycle/);
  assert.equal(await dk(['ps', '-a', '-q', '--filter', 'label=io.berth.kube.play=bad']), '');
  assert.equal(await dk(['network', 'ls', '-q', '--filter', 'label=io.berth.kube.play=bad']), '');
});

test('containers → Pod with --service → play: LoadBalancer port, network alias, limits, user', {
  skip: skip ?? false,
}, async () => {
  await dk(['network', 'create', 'kfront']);
  await dk([
    ...['run', '-d', '--name', 'api', '--network', 'kfront', '--network-alias', 'backend', '-p', '18095:8080'],
    ...['-m', '32m', '--cpus', '0.5', '-u', '1000:1000', '-e', 'MODE=pod', '--restart', 'on-failure'],
    ...[
      'busybox',
      'sh',
      '-c',
      'mkdir -p /tmp/w && echo api-$MODE > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w',
    ],
  ]);
  const gen = await berth(dir, ['kube', 'generate', '--type', 'pod', '--service', 'api', '-f', join(dir, 'api.yaml')]);
  assert.equal(gen.stderr, '', 'nothing here lacks a Kubernetes field');
  const objs = parseAllDocuments(readFileSync(join(dir, 'api.yaml'), 'utf8')).map((x) => x.toJS());
  assert.deepEqual(
    objs.map((o) => `${o.kind}/${o.metadata.name}`),
    ['Service/api', 'Service/backend', 'Pod/api'],
  );
  await dk(['rm', '-f', 'api']);
  await dk(['network', 'rm', 'kfront']);
  await berth(dir, ['kube', 'play', join(dir, 'api.yaml')]);
  assert.equal(
    await until(
      () => get('http://127.0.0.1:18095/'),
      (b) => b === 'api-pod\n',
    ),
    'api-pod\n',
  );
  const x = JSON.parse(await dk(['inspect', 'api']))[0];
  assert.equal(x.Config.User, '1000:1000');
  assert.equal(x.HostConfig.Memory, 32 * 2 ** 20);
  assert.equal(x.HostConfig.NanoCpus, 5e8);
  assert.deepEqual(x.HostConfig.RestartPolicy.Name, 'on-failure');
  assert.deepEqual(x.HostConfig.PortBindings, { '8080/tcp': [{ HostIp: '', HostPort: '18095' }] });
  // the alias Service answers on the play's network
  await dk([
    'run',
    '--rm',
    '--network',
    'kube-api',
    'busybox',
    'wget',
    '-q',
    '-O',
    '/dev/null',
    'http://backend:8080/',
  ]);
  await berth(dir, ['kube', 'down', join(dir, 'api.yaml')]);
  assert.equal(await dk(['ps', '-a', '-q', '--filter', 'label=io.berth.kube.play=api']), '');
});

test('kube play: ConfigMap files, Secret env, emptyDir shared by two containers of one pod', {
  skip: skip ?? false,
}, async () => {
  const f = join(dir, 'cfg.yaml');
  writeFileSync(
    f,
    `apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.conf: "mode=fast\\n", other: x}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {PASSWORD: czNjcmV0}
---
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  restartPolicy: Never
  volumes:
    - {name: conf, configMap: {name: conf, items: [{key: app.conf, path: sub/app.conf}]}}
    - {name: share, emptyDir: {}}
  containers:
    - name: writer
      image: busybox
      command: [sh, -c, 'echo "$PASSWORD" > /share/pw; exec sleep 1000']
      env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: PASSWORD}}}]
      volumeMounts: [{name: conf, mountPath: /etc/app}, {name: share, mountPath: /share}]
    - name: reader
      image: busybox
      command: [sleep, "1000"]
      volumeMounts: [{name: share, mountPath: /share}]
`,
  );
  await berth(dir, ['kube', 'play', f]);
  assert.equal(await dk(['exec', 'duo-writer', 'cat', '/etc/app/sub/app.conf']), 'mode=fast');
  assert.equal(
    await until(
      () => dk(['exec', 'duo-reader', 'cat', '/share/pw']),
      (s) => s === 's3cret',
    ),
    's3cret',
  );
  // the pod's containers share one network namespace, as in Kubernetes
  const writer = await dk(['inspect', '-f', '{{.Id}}', 'duo-writer']);
  const mode = await dk(['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'duo-reader']);
  assert.ok(mode === 'container:duo-writer' || mode === `container:${writer}`, mode);
  assert.equal(await dk(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', 'duo-writer']), 'no');
  await berth(dir, ['kube', 'down', f]);
  assert.equal(await dk(['ps', '-a', '-q', '--filter', 'label=io.berth.kube.play=cfg']), '');
  assert.equal(await dk(['volume', 'ls', '-q', '--filter', 'label=io.berth.kube.play=cfg']), '');
});
